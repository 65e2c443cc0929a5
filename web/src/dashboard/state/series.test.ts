import { describe, expect, it } from 'vitest'
import {
  indexAtOrBefore,
  midAtPoints,
  pointFromBook,
  seriesFromAnswer,
  seriesStepMs,
  type ChartPoint,
} from './series.js'

const points: ChartPoint[] = [
  { t: 1000, bid: 4900, ask: 5100, mid: 5000 },
  { t: 2000, bid: 5000, ask: 5100, mid: 5050 },
  { t: 3000, bid: null, ask: 5100, mid: null },
]

describe('series', () => {
  it('finds the point at or before a time', () => {
    expect(indexAtOrBefore(points, 999)).toBe(-1)
    expect(indexAtOrBefore(points, 1000)).toBe(0)
    expect(indexAtOrBefore(points, 2999)).toBe(1)
    expect(indexAtOrBefore(points, 9999)).toBe(2)
    expect(indexAtOrBefore([], 5)).toBe(-1)
  })

  it('answers the mid at a time, null where unknown', () => {
    expect(midAtPoints(points, 500)).toBeNull()
    expect(midAtPoints(points, 1500)).toBe(5000)
    expect(midAtPoints(points, 2000)).toBe(5050)
    expect(midAtPoints(points, 3500)).toBeNull()
    expect(midAtPoints(points.slice(0, 2), 2000 + 10 * 60_000)).toBeNull()
    expect(midAtPoints(points.slice(0, 2), 2000 + 60_000)).toBe(5050)
  })

  it('takes the top of a book message', () => {
    const book = {
      type: 'book' as const,
      tokenId: '1',
      market: 'm',
      ts: 42,
      appliedAt: 43,
      bids: [[4800, 10] as [number, number]],
      asks: [[4900, 5] as [number, number]],
      health: 'live' as const,
    }
    expect(pointFromBook(book)).toEqual({ t: 42, bid: 4800, ask: 4900, mid: 4850 })
    expect(pointFromBook({ ...book, asks: [] })).toEqual({ t: 42, bid: 4800, ask: null, mid: null })
  })

  it('maps the series answer', () => {
    const out = seriesFromAnswer({
      token_id: '1',
      from: 0,
      to: 1000,
      step_ms: 1000,
      downsampled: false,
      points: [{ t: 0, best_bid: 1, best_ask: 3, mid: 2 }],
      trades: [{ t: 5, ts: 4, price: 2, size: 7, side: 'sell', count: 2 }],
      trades_merged: true,
    })
    expect(out.points).toEqual([{ t: 0, bid: 1, ask: 3, mid: 2 }])
    expect(out.trades).toEqual([{ t: 5, price: 2, size: 7, side: 'sell', count: 2 }])
  })

  it('asks for whole-second steps, fewer than the cap', () => {
    expect(seriesStepMs(0, 60_000)).toBe(1000)
    expect(seriesStepMs(0, 2 * 3600_000)).toBe(2000)
    expect(seriesStepMs(10, 5)).toBe(1000)
  })
})
