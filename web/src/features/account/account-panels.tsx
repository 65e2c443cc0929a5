/**
 * Positions and PnL, open orders (with cancel) and emulated stops, fills. Every figure is the
 * daemon's: the page only formats them.
 */
import type { MarketJson } from '../../../../src/contracts/api.js'
import { useTerminal } from '../../shell/context.js'
import { clockText, decimalToTicks, priceText, usdText } from '../../state/format.js'
import { useTopic } from '../../state/use-store.js'

const OPEN_STATUSES = new Set(['pending', 'delayed', 'open', 'unknown'])

/** Outcome names by token id from the known markets. */
export type OutcomeNames = ReadonlyMap<string, string>

function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id
}

function pnlClass(value: string | null): string {
  if (value === null) return ''
  const n = Number(value)
  return n > 0 ? 'gain' : n < 0 ? 'loss' : ''
}

export function PositionsPanel({ names }: { names: OutcomeNames }) {
  const { store } = useTerminal()
  useTopic(store, 'account')
  const p = store.positions
  return (
    <section className="panel positions" data-testid="positions">
      <h2>
        Positions
        {p !== null && (
          <span className="head-figures">
            <span>cash {usdText(p.cash_usdc)}</span>
            <span>equity@bid {usdText(p.equity_at_bid_usdc)}</span>
            <span className={pnlClass(p.realized_usdc)}>
              realized {usdText(p.realized_usdc, true)}
            </span>
            <span className="muted">fees {usdText(p.fees_usdc)}</span>
          </span>
        )}
      </h2>
      <table>
        <thead>
          <tr>
            <th>Outcome</th>
            <th className="num">Size</th>
            <th className="num">Avg</th>
            <th className="num">Bid</th>
            <th className="num">uPnL@bid</th>
            <th className="num">uPnL@mid</th>
            <th className="num">Realized</th>
          </tr>
        </thead>
        <tbody>
          {(p?.positions ?? []).map((x) => (
            <tr key={x.token_id} data-testid="position-row">
              <td title={x.token_id}>{names.get(x.token_id) ?? short(x.token_id)}</td>
              <td className="num">{x.size}</td>
              <td className="num">{x.avg_price.toFixed(4)}</td>
              <td className="num">{bidText(x.best_bid)}</td>
              <td className={`num ${pnlClass(x.unrealized_at_bid_usdc)}`}>
                {usdText(x.unrealized_at_bid_usdc, true)}
              </td>
              <td className={`num ${pnlClass(x.unrealized_at_mid_usdc)}`}>
                {usdText(x.unrealized_at_mid_usdc, true)}
              </td>
              <td className={`num ${pnlClass(x.realized_usdc)}`}>
                {usdText(x.realized_usdc, true)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(p?.positions.length ?? 0) === 0 && <p className="muted pad">No positions.</p>}
    </section>
  )
}

export function OpenOrdersPanel({ names }: { names: OutcomeNames }) {
  const api = useTerminal()
  const { store } = api
  useTopic(store, 'account')
  useTopic(store, 'stops')
  const open = store.orders.filter((o) => OPEN_STATUSES.has(o.status))
  const stops = (store.stops ?? []).filter((s) => s.state === 'pending' || s.state === 'armed')
  return (
    <section className="panel open-orders" data-testid="open-orders">
      <h2>
        Open orders <span className="muted">{open.length}</span>
        {open.length > 0 && (
          <button type="button" className="ghost small danger" onClick={() => void api.cancelAll()}>
            Cancel all
          </button>
        )}
      </h2>
      <table>
        <tbody>
          {open.map((o) => (
            <tr key={o.id} data-testid="open-order-row" data-order={o.id}>
              <td className={o.side === 'buy' ? 'bid-text' : 'ask-text'}>{o.side}</td>
              <td title={o.token_id}>{names.get(o.token_id) ?? short(o.token_id)}</td>
              <td className="num">
                {o.filled}/{o.size}
              </td>
              <td className="num">@{o.price}</td>
              <td>
                <span
                  className={`chip ${o.status === 'delayed' || o.status === 'unknown' ? 'warn' : ''}`}
                >
                  {o.status}
                </span>
                {o.post_only && <span className="chip">post</span>}
                <span className="muted"> {o.time_in_force}</span>
              </td>
              <td>
                <button
                  type="button"
                  className="ghost small danger"
                  data-testid="cancel-order"
                  onClick={() => void api.cancelOrder(o.id)}
                  title="Cancel this order"
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
          {stops.map((s) => (
            <tr key={s.id} data-testid="stop-row">
              <td className="muted">stop</td>
              <td>{names.get(s.token_id) ?? short(s.token_id)}</td>
              <td className="num">{s.size}</td>
              <td className="num" colSpan={2}>
                {s.stop_loss_price !== null && <span>SL {s.stop_loss_price} </span>}
                {s.take_profit_price !== null && <span>TP {s.take_profit_price} </span>}
                {s.trailing_stop_price !== null && <span>TS {s.trailing_stop_price} </span>}
                <span className="chip">{s.state}</span>
              </td>
              <td>
                <button
                  type="button"
                  className="ghost small danger"
                  onClick={() => void api.cancelStop(s.id)}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open.length === 0 && stops.length === 0 && <p className="muted pad">No working orders.</p>}
    </section>
  )
}

export function FillsPanel({ names }: { names: OutcomeNames }) {
  const { store } = useTerminal()
  useTopic(store, 'fills')
  return (
    <section className="panel fills" data-testid="fills">
      <h2>Fills</h2>
      <table>
        <tbody>
          {store.fills.slice(0, 100).map((f) => (
            <tr
              key={f.id}
              data-testid="fill-row"
              data-status={f.status}
              className={f.status === 'failed' ? 'fill-failed' : undefined}
              title={
                f.status === 'failed' ? 'Failed on chain: reversed, not in the position' : undefined
              }
            >
              <td className="muted">{clockText(f.ts_ms)}</td>
              <td className={f.side === 'buy' ? 'bid-text' : 'ask-text'}>{f.side}</td>
              <td>{names.get(f.token_id) ?? short(f.token_id)}</td>
              <td className="num">{f.size}</td>
              <td className="num">@{f.price}</td>
              <td className="muted">
                {f.liquidity} {f.status === 'confirmed' ? '' : `· ${f.status}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {store.fills.length === 0 && <p className="muted pad">No fills yet.</p>}
    </section>
  )
}

/** Outcome names of every market seen, for tables that only carry token ids. */
export function outcomeNames(markets: readonly MarketJson[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const m of markets) for (const t of m.tokens) names.set(t.token_id, t.outcome)
  return names
}

/** The best bid with as many places as the average price beside it. */
function bidText(bid: string | null): string {
  const ticks = decimalToTicks(bid)
  return ticks === null ? '—' : priceText(ticks, 1)
}
