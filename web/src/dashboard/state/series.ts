/**
 * The charted token's price history as the page keeps it: tops per step from
 * `GET /api/captures/:name/series` (playback) or from live `book` messages, and trades.
 * Prices in ticks (0..10_000), sizes in share micros, times in venue ms.
 */
import type { BookMessage, TradeMessage } from '../../../../src/contracts/live.js'
import type { SeriesAnswer } from '../../../../src/contracts/playback.js'

export interface ChartPoint {
  readonly t: number
  readonly bid: number | null
  readonly ask: number | null
  readonly mid: number | null
}

export interface ChartTrade {
  /** Where it sits on the chart (venue ms). */
  readonly t: number
  readonly price: number
  readonly size: number
  readonly side: 'buy' | 'sell'
  readonly count: number
}

/** The series route's answer in the page's shape. */
export function seriesFromAnswer(answer: SeriesAnswer): {
  points: ChartPoint[]
  trades: ChartTrade[]
} {
  return {
    points: answer.points.map((p) => ({ t: p.t, bid: p.best_bid, ask: p.best_ask, mid: p.mid })),
    trades: answer.trades.map((x) => ({
      t: x.t,
      price: x.price,
      size: x.size,
      side: x.side,
      count: x.count,
    })),
  }
}

/** The top of a live book message as a chart point at its venue time. */
export function pointFromBook(book: BookMessage): ChartPoint {
  const bid = book.bids[0]?.[0] ?? null
  const ask = book.asks[0]?.[0] ?? null
  const mid = bid !== null && ask !== null ? (bid + ask) / 2 : null
  return { t: book.ts, bid, ask, mid }
}

export function tradeFromMessage(trade: TradeMessage): ChartTrade {
  return { t: trade.ts, price: trade.price, size: trade.size, side: trade.side, count: 1 }
}

/** Index of the last point with `t <= at`, or -1. Points are oldest first. */
export function indexAtOrBefore(points: readonly { readonly t: number }[], at: number): number {
  let lo = 0
  let hi = points.length - 1
  let found = -1
  while (lo <= hi) {
    const middle = (lo + hi) >> 1
    if (points[middle]!.t <= at) {
      found = middle
      lo = middle + 1
    } else {
      hi = middle - 1
    }
  }
  return found
}

/**
 * The mid at market time `at`: the latest point at or before it. Null before the first point,
 * on an empty side, or more than `maxAgeMs` after the last point (unknown there).
 */
export function midAtPoints(
  points: readonly ChartPoint[],
  at: number,
  maxAgeMs = 5 * 60_000,
): number | null {
  const index = indexAtOrBefore(points, at)
  if (index < 0) return null
  const point = points[index]!
  if (index === points.length - 1 && at - point.t > maxAgeMs) return null
  return point.mid
}

/**
 * The step to ask the series route for: whole seconds (the chart's time unit), at most about
 * `maxPoints` points over the span.
 */
export function seriesStepMs(fromMs: number, toMs: number, maxPoints = 4000): number {
  const span = Math.max(0, toMs - fromMs)
  return Math.max(1000, Math.ceil(span / maxPoints / 1000) * 1000)
}
