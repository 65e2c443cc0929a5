/**
 * The trading terminal: top bar and health banner, market picker, the selected market's two
 * outcome ladders with the tape, the order ticket and risk panel, and positions, orders, fills
 * and alerts along the bottom. Owns the selection (kept in `?market=`), the hotkeys and dialogs.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import {
  GameEventsAnswer,
  MarketJson,
  TradesAnswer,
  type MarketJson as Market,
} from '../../../src/contracts/api.js'
import { getJson, query } from '../api/http.js'
import { AccountPanels } from '../features/account/account-layout.js'
import { outcomeNames } from '../features/account/account-panels.js'
import { AlertsPanel } from '../features/alerts/alerts-panel.js'
import { beep } from '../features/alerts/beep.js'
import { ConfirmDialog } from '../features/common/confirm-dialog.js'
import { Toasts } from '../features/common/toasts.js'
import { ShortcutEditor } from '../features/hotkeys/shortcut-editor.js'
import { Ladder } from '../features/ladder/ladder.js'
import { TradeTape } from '../features/ladder/trade-tape.js'
import { MarketPicker } from '../features/markets/market-picker.js'
import { MatchPanel } from '../features/match/match-panel.js'
import { RiskPanel } from '../features/risk/risk-panel.js'
import { OrderTicket } from '../features/ticket/order-ticket.js'
import { HealthBanner, TopBar } from '../features/top-bar/top-bar.js'
import { countdownText } from '../state/format.js'
import { loadBindings, matchHotkey, saveBindings, type Bindings } from '../state/hotkeys.js'
import { eventView } from '../state/live-store.js'
import { useTopic } from '../state/use-store.js'
import { noChaseLeft } from '../state/match.js'
import { INITIAL_TICKET, ticketToOrder, type TicketState } from '../state/ticket.js'
import { TerminalContext, type TerminalApi } from './context.js'
import { useLive } from './use-live.js'
import { useTrading } from './use-trading.js'

/** Pause used when the trader turns no-chase on and the daemon configures none. */
const LOCAL_NO_CHASE_MS = 5000
const MUTE_KEY = 'tiltmeter.mute.v1'

function storage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}

export function Terminal() {
  const { store, socket, ui } = useLive()
  const { actions, toasts, dismiss, lastRefusal } = useTrading()
  useTopic(store, 'socket')
  const socketState = store.socket
  const [market, setMarket] = useState<Market | null>(null)
  const [ticket, setTicket] = useState<TicketState>(INITIAL_TICKET)
  const [bindings, setBindings] = useState<Bindings>(() => loadBindings(storage()))
  const [editing, setEditing] = useState(false)
  const [panicAsk, setPanicAsk] = useState(false)
  const [muted, setMuted] = useState(() => storage()?.getItem(MUTE_KEY) === '1')
  const [noChaseChoice, setNoChaseChoice] = useState<boolean | null>(null)
  const [known, setKnown] = useState<readonly Market[]>([])

  const noChaseMs = ui !== null && ui.no_chase_ms > 0 ? ui.no_chase_ms : LOCAL_NO_CHASE_MS
  const noChaseOn = noChaseChoice ?? (ui !== null && ui.no_chase_ms > 0)

  const updateTicket = useCallback(
    (patch: Partial<TicketState>) => setTicket((t) => ({ ...t, ...patch })),
    [],
  )

  const select = useCallback(
    (next: Market) => {
      setMarket(next)
      setTicket((t) => ({ ...t, tokenId: next.tokens[0]?.token_id ?? null, price: '' }))
      const url = new URL(window.location.href)
      url.searchParams.set('market', next.slug || next.condition_id)
      window.history.replaceState(null, '', url)
      socket.subscribe(next.tokens.map((t) => t.token_id))
      for (const token of next.tokens) {
        getJson(`/api/trades${query({ token_id: token.token_id, limit: 200 })}`, TradesAnswer).then(
          (answer) => store.loadTape(token.token_id, answer.trades),
          () => undefined,
        )
      }
      getJson(`/api/events${query({ market: next.condition_id })}`, GameEventsAnswer).then(
        (answer) => store.addEvents(answer.events.map((e) => eventView(e, next.condition_id))),
        () => undefined,
      )
    },
    [socket, store],
  )

  // Open the market named in the address (condition id or slug) once.
  useEffect(() => {
    const wanted = new URL(window.location.href).searchParams.get('market')
    if (wanted === null || wanted === '') return
    getJson(`/api/markets/${encodeURIComponent(wanted)}`, MarketJson).then(select, () =>
      actions.toast(
        'error',
        'Market not found',
        `No watched market "${wanted}". Pick one from the list.`,
      ),
    )
  }, [select, actions])

  // Alerts: beep on warning and critical, toast the critical ones.
  const mutedRef = useRef(muted)
  mutedRef.current = muted
  useEffect(() => {
    store.onAlert = (alert) => {
      if (alert.severity === 'info') return
      if (!mutedRef.current) beep(alert.severity)
      if (alert.severity === 'critical') actions.toast('error', alert.code, alert.message)
    }
    return () => {
      store.onAlert = null
    }
  }, [store, actions])

  const api: TerminalApi = useMemo(
    () => ({ store, ui, market, ticket, updateTicket, lastRefusal, ...actions }),
    [store, ui, market, ticket, updateTicket, lastRefusal, actions],
  )

  // Hotkeys read the latest state through a ref so the listener is installed once.
  const latest = useRef({ api, bindings, noChaseOn, noChaseMs, editing, panicAsk })
  latest.current = { api, bindings, noChaseOn, noChaseMs, editing, panicAsk }
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const s = latest.current
      if (s.editing || s.panicAsk || event.repeat) return
      const target = event.target as HTMLElement | null
      const action = matchHotkey(s.bindings, event, target)
      if (action === null) {
        if (event.key === 'Escape' && target instanceof HTMLElement) target.blur()
        return
      }
      event.preventDefault()
      const a = s.api
      if (action === 'cancel_all') void a.cancelAll()
      else if (action === 'panic_close') setPanicAsk(true)
      else {
        const side = action === 'buy_market' ? 'buy' : 'sell'
        const market = a.market
        if (market !== null && s.noChaseOn) {
          const left = noChaseLeft(a.store.events, market.condition_id, s.noChaseMs, Date.now())
          if (left > 0) {
            a.toast(
              'warning',
              'No-chase pause',
              `${side === 'buy' ? 'Buy' : 'Sell'} blocked for ${countdownText(left)} after the last game event.`,
            )
            return
          }
        }
        const t = a.ticket
        const order = ticketToOrder(
          {
            ...t,
            price: t.type === 'market' ? t.price : '',
            ...(side === 'sell'
              ? { stopLossTicks: '', takeProfitTicks: '', trailingStopTicks: '' }
              : {}),
          },
          Date.now(),
          { side, type: 'market' },
        )
        if (!order.ok) {
          a.toast('error', 'Hotkey order not sent', order.problems.join(' · '))
          return
        }
        const outcome = market?.tokens.find((x) => x.token_id === t.tokenId)?.outcome ?? ''
        void a.placeOrder(
          order.body,
          `${side === 'buy' ? 'Buy' : 'Sell'} ${t.size} ${outcome} at market`,
        )
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const names = useMemo(
    () => outcomeNames(market === null ? known : [market, ...known]),
    [known, market],
  )
  const marketNames = useMemo(() => {
    const all = new Map<string, string>()
    for (const m of known) all.set(m.condition_id, m.question)
    return all
  }, [known])

  const changeBindings = (next: Bindings): void => {
    setBindings(next)
    saveBindings(storage(), next)
  }

  return (
    <TerminalContext.Provider value={api}>
      <div className="terminal" data-socket={socketState}>
        <TopBar
          ui={ui}
          market={market}
          bindings={bindings}
          onEditShortcuts={() => setEditing(true)}
        />
        <HealthBanner market={market} onReconnect={() => socket.reconnectNow()} />
        <main className="workspace">
          <MarketPicker
            selectedId={market?.condition_id ?? null}
            onSelect={select}
            onMarkets={setKnown}
          />
          <div className="center">
            {market === null ? (
              <div className="panel empty-center">
                <p>
                  Pick a market on the left, or open one with <code>?market=&lt;slug&gt;</code>.
                </p>
              </div>
            ) : (
              <>
                <MatchPanel
                  market={market}
                  noChaseOn={noChaseOn}
                  noChaseMs={noChaseMs}
                  onToggleNoChase={() => setNoChaseChoice(!noChaseOn)}
                />
                <div className="ladders">
                  <Ladder
                    key={`${market.condition_id}:0`}
                    market={market}
                    tokenIndex={0}
                    testId="ladder-yes"
                  />
                  <Ladder
                    key={`${market.condition_id}:1`}
                    market={market}
                    tokenIndex={1}
                    testId="ladder-no"
                  />
                  <TradeTape market={market} />
                </div>
              </>
            )}
          </div>
          <aside className="side">
            <OrderTicket />
            <RiskPanel marketNames={marketNames} />
          </aside>
          <div className="bottom">
            <AccountPanels names={names} />
            <AlertsPanel
              muted={muted}
              onToggleMute={() => {
                storage()?.setItem(MUTE_KEY, muted ? '0' : '1')
                setMuted(!muted)
              }}
            />
          </div>
        </main>
        <Toasts toasts={toasts} onDismiss={dismiss} />
        {editing && (
          <ShortcutEditor
            bindings={bindings}
            onChange={changeBindings}
            onClose={() => setEditing(false)}
          />
        )}
        {panicAsk && (
          <ConfirmDialog
            title="PANIC CLOSE"
            acceptLabel="Cancel all and flatten"
            danger
            testId="panic-confirm"
            onAccept={() => {
              setPanicAsk(false)
              void actions.panicClose()
            }}
            onCancel={() => setPanicAsk(false)}
          >
            Cancel <b>every</b> working order and close <b>every</b> position at market, in every
            market?
          </ConfirmDialog>
        )}
      </div>
    </TerminalContext.Provider>
  )
}
