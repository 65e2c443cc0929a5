/** The venue's trades of the selected market's tokens, newest first. */
import { memo } from 'react'
import type { MarketJson } from '../../../../src/contracts/api.js'
import { useTerminal } from '../../shell/context.js'
import { clockText, decimalToTicks, priceText, sharesText } from '../../state/format.js'
import type { TapeTrade } from '../../state/live-store.js'
import { useTopic } from '../../state/use-store.js'

const SHOWN = 60

const TapeRow = memo(function TapeRow({
  trade,
  outcome,
  tick,
}: {
  trade: TapeTrade
  outcome: string
  tick: number
}) {
  return (
    <div className={`tape-row ${trade.side}`}>
      <span className="muted">{clockText(trade.ts)}</span>
      <span className="tape-outcome">{outcome}</span>
      <span className="num">{priceText(trade.price, tick)}</span>
      <span className="num">{sharesText(trade.size)}</span>
    </div>
  )
})

export function TradeTape({ market }: { market: MarketJson }) {
  const { store } = useTerminal()
  const [first, second] = market.tokens
  useTopic(store, `tape:${first?.token_id ?? ''}`)
  useTopic(store, `tape:${second?.token_id ?? ''}`)
  const tick = decimalToTicks(market.tick_size) ?? 100
  const rows: { trade: TapeTrade; outcome: string; index: number }[] = []
  market.tokens.forEach((token, index) => {
    for (const trade of (store.tapes.get(token.token_id) ?? []).slice(0, SHOWN)) {
      rows.push({ trade, outcome: token.outcome, index })
    }
  })
  rows.sort((a, b) => b.trade.ts - a.trade.ts)
  return (
    <section className="panel tape" data-testid="trade-tape">
      <h2>Tape</h2>
      <div className="tape-body">
        {rows.length === 0 && <div className="muted pad">No trades yet.</div>}
        {rows.slice(0, SHOWN).map((r, i) => (
          <TapeRow
            key={`${r.index}:${r.trade.ts}:${r.trade.price}:${r.trade.size}:${i}`}
            trade={r.trade}
            outcome={r.outcome.slice(0, 10)}
            tick={tick}
          />
        ))}
      </div>
    </section>
  )
}
