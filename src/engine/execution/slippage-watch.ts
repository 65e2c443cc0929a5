/**
 * Slippage alerts: a marketable order's expected average (the preview's walk of the book when
 * it was sent) against the average of its fills so far. One alert per order at most, once the
 * fills average worse than expected by more than the threshold in market ticks.
 */
import type { BookView } from '../../domain/book/order-book.js'
import { walkBook } from '../../domain/backtest/fill-model.js'
import type { PriceTicks, ShareMicros } from '../../domain/units.js'
import { slippageAlert, type AlertInput } from './alerts.js'
import type { OrderSide, VenueFill } from './venue.js'

/** Orders watched at most; the oldest go beyond it. */
const MAX_WATCHED = 10_000

/** A marketable order's expected fill (the preview's average) and its fills so far. */
type Expected = {
  readonly size: number
  readonly avg: number
  readonly tickSize: number
  filled: number
  /** Sum of price × size over the fills, tick-share-micros. */
  value: number
}

export class SlippageWatch {
  private readonly _expected = new Map<string, Expected>()
  private readonly _ticks: number

  /** @throws RangeError when `thresholdTicks` is not a number ≥ 0. */
  constructor(thresholdTicks: number) {
    if (!Number.isFinite(thresholdTicks) || thresholdTicks < 0) {
      throw new RangeError(`slippageAlertTicks must be a number ≥ 0, got ${thresholdTicks}`)
    }
    this._ticks = thresholdTicks
  }

  /** Records the preview's average for a marketable order, to compare its fills with. */
  expect(
    clientOrderId: string,
    book: BookView,
    side: OrderSide,
    price: PriceTicks,
    size: ShareMicros,
  ): void {
    const levels = walkBook(book, side, price, size)
    if (levels.length === 0) return
    let filled = 0
    let value = 0
    for (const level of levels) {
      filled += level.size
      value += level.price * level.size
    }
    // Fills can trail an order's final status on a live venue, so entries leave when the order
    // is filled, rejected or alerted; the oldest go beyond the bound.
    if (this._expected.size >= MAX_WATCHED) {
      const oldest = this._expected.keys().next().value
      if (oldest !== undefined) this._expected.delete(oldest)
    }
    this._expected.set(clientOrderId, {
      size,
      avg: value / filled,
      tickSize: book.tickSize,
      filled: 0,
      value: 0,
    })
  }

  forget(clientOrderId: string): void {
    this._expected.delete(clientOrderId)
  }

  /** The alert when the order's fills so far average worse than expected beyond the limit. */
  onFill(fill: VenueFill): AlertInput | null {
    const expected = this._expected.get(fill.clientOrderId)
    if (expected === undefined) return null
    expected.filled += fill.size
    expected.value += fill.price * fill.size
    const actual = expected.value / expected.filled
    if (expected.filled >= expected.size) this._expected.delete(fill.clientOrderId)
    const worse = fill.side === 'buy' ? actual - expected.avg : expected.avg - actual
    // A small tolerance keeps a fill exactly on the threshold from alerting through rounding.
    if (worse <= this._ticks * expected.tickSize + 1e-9) return null
    this._expected.delete(fill.clientOrderId)
    return slippageAlert({
      clientOrderId: fill.clientOrderId,
      market: fill.market,
      side: fill.side,
      expectedAvg: expected.avg,
      actualAvg: actual,
      tickSize: expected.tickSize,
      thresholdTicks: this._ticks,
      ts: fill.ts,
    })
  }
}
