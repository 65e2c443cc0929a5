/**
 * The top bar: venue and feed badges (LIVE in red when orders reach the real venue), the
 * health word of the socket, feed and selected books, latency figures and the shortcut keys.
 */
import type { MarketJson, UiConfigAnswer } from '../../../../src/contracts/api.js'
import { useTerminal } from '../../shell/context.js'
import { comboKeys, type Bindings } from '../../state/hotkeys.js'
import { overallHealth } from '../../state/health.js'
import { useTopic } from '../../state/use-store.js'

const STAGE_LABELS: Readonly<Record<string, string>> = {
  venue_to_receive: 'venue→in',
  receive_to_book: 'in→book',
  book_to_signal: 'book→signal',
  store_write: 'store',
}

function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  return value < 10 ? value.toFixed(1) : value.toFixed(0)
}

function Latency() {
  const { store } = useTerminal()
  useTopic(store, 'latency')
  const stages = Object.entries(store.latency?.stages ?? {}).filter(([, s]) => s.count > 0)
  return (
    <div className="latency" data-testid="latency" title="p50 / p99 over the last ~10 s, ms">
      <span className="metric">
        <span className="muted">rtt</span> {ms(store.roundTripMs)}
      </span>
      {stages.slice(0, 4).map(([name, s]) => (
        <span className="metric" key={name}>
          <span className="muted">{STAGE_LABELS[name] ?? name}</span> {ms(s.p50)}/{ms(s.p99)}
        </span>
      ))}
    </div>
  )
}

export function HealthIndicator({ market }: { market: MarketJson | null }) {
  const { store } = useTerminal()
  useTopic(store, 'health')
  const verdict = overallHealth({
    socket: store.socket,
    feed: store.health?.feed ?? null,
    books: store.health?.books ?? {},
    watched: market?.tokens.map((t) => t.token_id) ?? [],
  })
  const label = {
    live: 'LIVE',
    stale: 'STALE',
    reconnecting: 'RECONNECTING',
    disconnected: 'DISCONNECTED',
  }[verdict.state]
  return (
    <div
      className={`health health-${verdict.state}`}
      data-testid="health-indicator"
      data-state={verdict.state}
      title={verdict.reason || 'Socket, feed and selected books are live'}
    >
      <span className="pulse" />
      {label}
      <span className="muted small-text">
        {' '}
        feed {store.socket === 'open' ? (store.health?.feed ?? '…') : '?'}
        {market !== null &&
          market.tokens.map((t) => (
            <span
              key={t.token_id}
              className={`book-dot ${store.health?.books[t.token_id] ?? 'none'}`}
            />
          ))}
      </span>
    </div>
  )
}

export function HealthBanner({
  market,
  onReconnect,
}: {
  market: MarketJson | null
  onReconnect: () => void
}) {
  const { store } = useTerminal()
  useTopic(store, 'health')
  useTopic(store, 'socket')
  const verdict = overallHealth({
    socket: store.socket,
    feed: store.health?.feed ?? null,
    books: store.health?.books ?? {},
    watched: market?.tokens.map((t) => t.token_id) ?? [],
  })
  if (verdict.state === 'live') return null
  const retry =
    store.socketRetryInMs === null
      ? ''
      : ` Next try in ${(store.socketRetryInMs / 1000).toFixed(1)} s.`
  return (
    <div className={`banner banner-${verdict.state}`} role="alert" data-testid="health-banner">
      <b>{verdict.state.toUpperCase()}</b> {verdict.reason}
      {verdict.state === 'reconnecting' && retry}
      {verdict.state !== 'stale' && (
        <button type="button" className="ghost small" onClick={onReconnect}>
          Reconnect now
        </button>
      )}
      {verdict.state === 'stale' &&
        ' Entries are refused on stale books; do not trust these prices.'}
    </div>
  )
}

export interface TopBarProps {
  readonly ui: UiConfigAnswer | null
  readonly market: MarketJson | null
  readonly bindings: Bindings
  readonly onEditShortcuts: () => void
}

export function TopBar({ ui, market, bindings, onEditShortcuts }: TopBarProps) {
  return (
    <header className="top-bar">
      <span className="brand">tiltmeter</span>
      {ui !== null && (
        <span className="badges" data-testid="venue-badge">
          <span className={`badge ${ui.live ? 'badge-live' : 'badge-paper'}`}>
            {ui.live ? 'LIVE MONEY' : ui.venue.toUpperCase()}
          </span>
          <span className="badge">feed {ui.feed}</span>
        </span>
      )}
      <HealthIndicator market={market} />
      <Latency />
      <span className="spacer" />
      <button type="button" className="keys" onClick={onEditShortcuts} title="Edit shortcuts">
        <Key combo={bindings.buy_market} /> buy <Key combo={bindings.sell_market} /> sell{' '}
        <Key combo={bindings.cancel_all} /> cancel all <Key combo={bindings.panic_close} /> panic
        <span className="muted"> · edit</span>
      </button>
      <a
        className="dashboard-link"
        data-testid="dashboard-link"
        href={market === null ? '/dashboard' : `/dashboard?market=${market.condition_id}`}
        title="This match in the dashboard: chart, signals, video and the event logger"
      >
        Dashboard ↗
      </a>
    </header>
  )
}

export function Key({ combo }: { combo: string }) {
  return (
    <span className="keycap-group">
      {comboKeys(combo).map((k) => (
        <kbd key={k}>{k}</kbd>
      ))}
    </span>
  )
}
