/**
 * Alerts: what a person must hear about now (a risk breach, an order that failed, a fill far
 * worse than its preview). The {@link AlertCenter} keeps the recent ones in a ring buffer (the
 * live socket greets a page with them; `GET /api/alerts` lists them) and tells its subscribers
 * of each new one; the daemon's subscribers log it, store it and post it to a webhook
 * (src/adapters/alerts/). The center does no I/O itself.
 *
 * The builders below give each kind of alert its code, severity and sentence in one place.
 */
import type { RiskEvent } from '../../domain/risk/risk-state.js'
import { formatPrice, formatSize, type EpochMs } from '../../domain/units.js'
import type { OrderRecord } from './order-store.js'
import type { VenueFill } from './venue.js'

export type AlertSeverity = 'info' | 'warning' | 'critical'

export type Alert = {
  readonly id: string
  readonly ts: EpochMs
  readonly severity: AlertSeverity
  /** Stable, upper case (`DAILY_LOSS`, `ORDER_REJECTED`, `SLIPPAGE`, …). */
  readonly code: string
  readonly message: string
  /** The market's condition id; null for account-wide alerts. */
  readonly market: string | null
}

export type AlertInput = Omit<Alert, 'id'>

/** The part of the center that raises alerts (what the order path needs). */
export type AlertSink = { raise(alert: AlertInput): Alert }

export type AlertCenterOptions = {
  /** Alerts kept for `recent`; default 500. */
  readonly capacity?: number
  /** Alert ids; default `al-<ts base 36>-<sequence base 36>`. */
  newId?(ts: EpochMs): string
  /** A subscriber threw (the others still hear the alert). */
  onError?(e: unknown): void
}

export const DEFAULT_ALERT_CAPACITY = 500
const SEVERITIES: ReadonlySet<string> = new Set(['info', 'warning', 'critical'])

export class AlertCenter implements AlertSink {
  private readonly _ring: (Alert | undefined)[]
  /** Next slot to write; alerts kept = min(count, capacity). */
  private _next = 0
  private _count = 0
  private _seq = 0
  private readonly _listeners = new Set<(alert: Alert) => void>()
  private readonly _o: AlertCenterOptions

  constructor(options: AlertCenterOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_ALERT_CAPACITY
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`alert capacity must be a whole number ≥ 1, got ${capacity}`)
    }
    this._o = options
    this._ring = new Array<Alert | undefined>(capacity)
  }

  /** Alerts raised since start (including those no longer kept). */
  get raised(): number {
    return this._count
  }

  /** Adds an alert, gives it an id and tells every subscriber. Throws only for a malformed one. */
  raise(input: AlertInput): Alert {
    if (!SEVERITIES.has(input.severity)) {
      throw new RangeError(
        `alert severity must be info, warning or critical, got ${JSON.stringify(input.severity)}`,
      )
    }
    if (input.code.trim() === '' || input.message.trim() === '') {
      throw new RangeError('an alert needs a code and a message')
    }
    const id =
      this._o.newId?.(input.ts) ?? `al-${input.ts.toString(36)}-${(this._seq++).toString(36)}`
    const alert: Alert = {
      id,
      ts: input.ts,
      severity: input.severity,
      code: input.code,
      message: input.message,
      market: input.market,
    }
    this._keep(alert)
    for (const listener of this._listeners) {
      try {
        listener(alert)
      } catch (e) {
        this._o.onError?.(e)
      }
    }
    return alert
  }

  /** Puts alerts read back from the store in the buffer (oldest first), telling no one. */
  restore(alerts: readonly Alert[]): void {
    // Merged by time with what is already kept, so an older stored alert never reads as newer
    // than one raised since start.
    const merged = [...this.recent().reverse(), ...alerts].sort((a, b) => a.ts - b.ts)
    const count = this._count
    this._ring.fill(undefined)
    this._next = 0
    for (const alert of merged) this._keep(alert)
    this._count = count + alerts.length
  }

  /** The newest `limit` alerts (default all kept), newest first. */
  recent(limit?: number): Alert[] {
    const kept = Math.min(this._count, this._ring.length)
    const n = limit === undefined ? kept : Math.max(0, Math.min(Math.floor(limit), kept))
    const out: Alert[] = []
    for (let i = 1; i <= n; i++) {
      const slot = (this._next - i + this._ring.length) % this._ring.length
      out.push(this._ring[slot]!)
    }
    return out
  }

  /** Hears every alert raised from now on; returns the unsubscribe. */
  subscribe(listener: (alert: Alert) => void): () => void {
    this._listeners.add(listener)
    return () => {
      this._listeners.delete(listener)
    }
  }

  private _keep(alert: Alert): void {
    this._ring[this._next] = alert
    this._next = (this._next + 1) % this._ring.length
    this._count++
  }
}

// ---- the order path's alerts -------------------------------------------------------------------

/** A risk breach (a rule tripped): critical when it halts trading, a warning when it reduces. */
export function riskBreachAlert(event: RiskEvent): AlertInput {
  const halts = event.code === 'API_ERROR_RATE' || event.code === 'DRAWDOWN_HALT'
  return {
    ts: event.ts,
    severity: halts ? 'critical' : 'warning',
    code: event.code,
    message: event.message,
    market: event.scope === 'global' ? null : event.scope,
  }
}

/**
 * An order that failed: refused by the venue (`ORDER_REJECTED`, a warning) or with an outcome
 * nobody knows (`ORDER_UNKNOWN`, critical: it may be working at the venue). Null for any other
 * status.
 */
export function orderFailureAlert(order: OrderRecord, ts: EpochMs): AlertInput | null {
  const what = `${order.side} ${formatSize(order.size)} shares at ${formatPrice(order.price)} (${order.clientOrderId})`
  const why = order.reasonCode === null ? '' : `: ${order.reasonCode}`
  const detail =
    order.reasonMessage === null || order.reasonMessage === '' ? '' : ` (${order.reasonMessage})`
  if (order.status === 'rejected') {
    return {
      ts,
      severity: 'warning',
      code: 'ORDER_REJECTED',
      message: `The venue rejected the ${what}${why}${detail}.`,
      market: order.market,
    }
  }
  if (order.status === 'unknown') {
    return {
      ts,
      severity: 'critical',
      code: 'ORDER_UNKNOWN',
      message: `The outcome of the ${what} is unknown${why}${detail}; it may be working at the venue. Check the venue before sending it again.`,
      market: order.market,
    }
  }
  return null
}

/**
 * A trade the venue reports as failed (it did not settle on chain; the venue put the balances
 * back). `reversed`: its booked fill was taken back; `not_booked`: it failed before its fill was
 * booked; `kept`: taking it back does not add up with the fills after it (`why`), so it stays.
 */
export function tradeFailedAlert(
  fill: VenueFill,
  outcome: 'reversed' | 'not_booked' | 'kept',
  why = '',
): AlertInput {
  const tradeId = fill.fillId.split(':')[0] ?? fill.fillId
  const what = `Trade ${tradeId} (order ${fill.clientOrderId}, ${fill.side} ${formatSize(fill.size)} shares at ${formatPrice(fill.price)}) failed to settle on chain`
  const after =
    outcome === 'reversed'
      ? 'its fill was taken back: position, cash and realized profit are as if it never happened.'
      : outcome === 'not_booked'
        ? 'it had not been booked, so nothing changes.'
        : `taking its fill back does not add up (${why}); it stays booked. Check the position at the venue.`
  return {
    ts: fill.ts,
    severity: 'critical',
    code: 'TRADE_FAILED',
    message: `${what}; ${after}`,
    market: fill.market,
  }
}

/**
 * Fills whose average is worse than the preview's expected average by more than the threshold.
 * Prices in PriceTicks (fractional averages allowed); the threshold in the market's ticks.
 */
export function slippageAlert(args: {
  readonly clientOrderId: string
  readonly market: string
  readonly side: 'buy' | 'sell'
  readonly expectedAvg: number
  readonly actualAvg: number
  readonly tickSize: number
  readonly thresholdTicks: number
  readonly ts: EpochMs
}): AlertInput {
  const worse =
    args.side === 'buy' ? args.actualAvg - args.expectedAvg : args.expectedAvg - args.actualAvg
  const ticks = Math.round((worse / args.tickSize) * 10) / 10
  const price = (p: number): string => (p / 10_000).toFixed(4).replace(/0+$/, '').replace(/\.$/, '')
  return {
    ts: args.ts,
    severity: 'warning',
    code: 'SLIPPAGE',
    message: `Order ${args.clientOrderId} (${args.side}) filled at an average of ${price(args.actualAvg)}, ${ticks} ticks worse than the preview's ${price(args.expectedAvg)} (alert beyond ${args.thresholdTicks} ticks).`,
    market: args.market,
  }
}
