/**
 * The match's two outcome ladders beside the chart: the terminal's ladder components, fed from
 * the dashboard's book store (playback `state`/`book` messages, or the live socket). Read-only
 * here — trading happens in the terminal — so the terminal's context is given actions that do
 * nothing and the order cells are not clickable.
 */
import { useMemo } from 'react'
import type { MarketJson } from '../../../../src/contracts/api.js'
import { Ladder } from '../../features/ladder/ladder.js'
import { TerminalContext, type TerminalApi } from '../../shell/context.js'
import type { LiveStore } from '../../state/live-store.js'
import { INITIAL_TICKET } from '../../state/ticket.js'
import { ladderIndexes } from './ladder-order.js'

function readOnlyApi(store: LiveStore, market: MarketJson): TerminalApi {
  const nothing = (): Promise<void> => Promise.resolve()
  return {
    store,
    ui: null,
    market,
    ticket: INITIAL_TICKET,
    updateTicket: () => undefined,
    placeOrder: () => Promise.resolve(false),
    cancelOrder: nothing,
    cancelAll: nothing,
    panicClose: nothing,
    resume: nothing,
    cancelStop: nothing,
    toast: () => undefined,
    lastRefusal: null,
  }
}

export function DashLadders({
  store,
  market,
  charted,
}: {
  store: LiveStore
  market: MarketJson | null
  charted: string | null
}) {
  const api = useMemo(() => (market === null ? null : readOnlyApi(store, market)), [store, market])
  if (api === null || market === null) {
    return (
      <div className="panel dash-ladders-empty muted pad">
        Books appear once the match is known.
      </div>
    )
  }
  return (
    <TerminalContext.Provider value={api}>
      <div className="dash-ladders" data-readonly="true" title="Read-only: trade from the terminal">
        {ladderIndexes(market.tokens, charted).map((tokenIndex, i) => (
          <Ladder
            key={`${market.condition_id}:${market.tokens[tokenIndex]?.token_id ?? tokenIndex}`}
            market={market}
            tokenIndex={tokenIndex}
            testId={i === 0 ? 'ladder-yes' : 'ladder-no'}
          />
        ))}
      </div>
    </TerminalContext.Provider>
  )
}
