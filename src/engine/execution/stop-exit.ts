/**
 * The exit side of emulated stops: sends a triggered stop's exit order (a protective FAK through
 * the order service, `slippageTicks` market ticks beyond the quote) and follows it to its end.
 * The stop manager owns the stops; it hands a triggered one here, already stored, and gets the
 * new states back through `save`.
 */
import type { BookView } from '../../domain/book/order-book.js'
import type { TokenId } from '../../domain/market.js'
import {
  cancelStop,
  exitSide,
  exitWorstPrice,
  failStop,
  recordExitFill,
  releaseStop,
  type Stop,
} from '../../domain/orders/stops.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import type { SubmitResult } from './order-service.js'
import type { OrderRecord } from './order-store.js'
import { exitOrderIdOf, stopAlerts, type StopAlert, type StopOrderPort } from './stop-port.js'
import { FINAL_STATUSES } from './venue.js'

export type StopExitDeps = {
  readonly orders: Pick<StopOrderPort, 'submit'>
  /** Stores a stop (same state, new exit fills). */
  write(stop: Stop): Promise<void>
  heldOf(tokenId: TokenId): ShareMicros
  bookOf(tokenId: TokenId): BookView | undefined
  now(): EpochMs
  readonly slippageTicks: number
  onAlert?(alert: StopAlert): void
  /** Stores a stop's new state and brings the manager's indexes in line with it. */
  save(stop: Stop): Promise<Stop>
}

/**
 * The quote that prices the exit: the trigger quote, or the current one when the market has
 * moved further against the position since (a restart, a slow store), so the exit can fill.
 */
export function exitQuote(stop: Stop, current: PriceTicks | null): PriceTicks {
  const stored = stop.triggerPrice ?? current ?? (0 as PriceTicks)
  if (current === null) return stored
  return (
    stop.side === 'long' ? Math.min(stored, current) : Math.max(stored, current)
  ) as PriceTicks
}

export class StopExits {
  private readonly _d: StopExitDeps
  /** Exit order id → its stop, while the order may still change. */
  private readonly _working = new Map<string, Stop>()

  constructor(deps: StopExitDeps) {
    this._d = deps
  }

  /** True while the exit order is followed (its order events matter). */
  has(exitOrderId: string): boolean {
    return this._working.has(exitOrderId)
  }

  /** Takes a newer value of a followed stop (its exit fills went down). */
  replace(stop: Stop): void {
    if (stop.exitOrderId !== null && this._working.has(stop.exitOrderId)) {
      this._working.set(stop.exitOrderId, stop)
    }
  }

  /** Sends the exit order of a triggered stop; the `triggered` row is already stored. */
  async release(stop: Stop): Promise<void> {
    if (stop.state !== 'triggered') return
    const d = this._d
    const exitOrderId = stop.exitOrderId ?? exitOrderIdOf(stop.id)
    const side = exitSide(stop)
    const size = side === 'sell' ? Math.min(stop.size, d.heldOf(stop.tokenId)) : stop.size
    if (size <= 0) {
      const message = 'nothing left to sell when the stop triggered'
      await d.save(cancelStop(stop, 'POSITION_CLOSED', message, d.now()))
      return
    }
    const book = d.bookOf(stop.tokenId)
    const quote = book === undefined ? null : side === 'sell' ? book.bestBid() : book.bestAsk()
    const tick = book?.tickSize ?? stop.tickSize
    const price = exitWorstPrice(side, exitQuote(stop, quote), d.slippageTicks, tick)
    // Followed from here: the order's events may come before submit returns.
    this._working.set(exitOrderId, stop)
    d.onAlert?.(stopAlerts.triggered(stop, side, size as ShareMicros, price))
    let result: SubmitResult
    try {
      result = await d.orders.submit(
        {
          tokenId: stop.tokenId,
          side,
          type: 'market',
          size: size as ShareMicros,
          price,
          postOnly: false,
          timeInForce: 'FAK',
          clientOrderId: exitOrderId,
        },
        'automation',
        { protective: true },
      )
    } catch (e) {
      // The order may or may not be stored: the stop stays triggered; a restart looks it up.
      d.onAlert?.(stopAlerts.unknown(stop, exitOrderId, e))
      throw e
    }
    if (!result.ok) {
      this._working.delete(exitOrderId)
      await d.save(failStop(stop, result.code, result.message, d.now()))
      d.onAlert?.(stopAlerts.refused(stop, result.code, result.message))
      return
    }
    await this.settle(stop, result.order)
  }

  /** A triggered stop whose exit order exists: released, or failed when the order was refused. */
  async settle(stop: Stop, order: OrderRecord): Promise<Stop> {
    const d = this._d
    const now = d.now()
    const exitOrderId = order.clientOrderId
    if (order.status === 'denied' || order.status === 'rejected') {
      this._working.delete(exitOrderId)
      const code = order.reasonCode ?? order.status.toUpperCase()
      const message = order.reasonMessage ?? `the exit order was ${order.status}`
      const failed = await d.save(failStop(stop, code, message, now))
      d.onAlert?.(stopAlerts.refused(stop, code, message))
      return failed
    }
    const released = recordExitFill(releaseStop(stop, exitOrderId, now), order.filled, now)
    await d.save(released)
    this._follow(released, order)
    return released
  }

  /** An exit order changed: records its fills; at its end, alerts when it fell short. */
  async onOrder(order: OrderRecord): Promise<void> {
    const stop = this._working.get(order.clientOrderId)
    if (stop?.state !== 'released') return
    const next = recordExitFill(stop, order.filled, this._d.now())
    if (next !== stop) await this._d.write(next)
    this._follow(next, order)
  }

  private _follow(stop: Stop, order: OrderRecord): void {
    if (!FINAL_STATUSES.has(order.status)) {
      this._working.set(order.clientOrderId, stop)
      return
    }
    this._working.delete(order.clientOrderId)
    if (order.filled < order.size) this._d.onAlert?.(stopAlerts.short(stop, order))
  }
}
