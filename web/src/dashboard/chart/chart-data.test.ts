import { describe, expect, it } from 'vitest'
import {
  BUY_VOLUME,
  SELL_VOLUME,
  barAtOrBefore,
  buildFrame,
  logicalAt,
  nearestBar,
  pointsPerSecond,
} from './chart-data.js'

describe('chart data', () => {
  it('keeps the latest point of each second and drops ones going back', () => {
    const out = pointsPerSecond([
      { t: 1000, bid: 1, ask: 3, mid: 2 },
      { t: 1500, bid: 2, ask: 4, mid: 3 },
      { t: 900, bid: 9, ask: 9, mid: 9 },
      { t: 2100, bid: 3, ask: 5, mid: 4 },
    ])
    expect(out.map((p) => p.t)).toEqual([1500, 2100])
  })

  it('builds lines in seconds and price units, whitespace for empty sides', () => {
    const frame = buildFrame(
      [
        { t: 1000, bid: 4900, ask: 5100, mid: 5000 },
        { t: 2000, bid: null, ask: 5100, mid: null },
      ],
      [],
    )
    expect(frame.times).toEqual([1, 2])
    expect(frame.mid).toEqual([{ time: 1, value: 0.5 }, { time: 2 }])
    expect(frame.bid).toEqual([{ time: 1, value: 0.49 }, { time: 2 }])
    expect(frame.ask[1]).toEqual({ time: 2, value: 0.51 })
  })

  it('sums trades onto bars, coloured by the larger side', () => {
    const frame = buildFrame(
      [
        { t: 1000, bid: 1, ask: 2, mid: 1.5 },
        { t: 3000, bid: 1, ask: 2, mid: 1.5 },
      ],
      [
        { t: 500, price: 1, size: 1_000_000, side: 'buy', count: 1 },
        { t: 1200, price: 1, size: 3_000_000, side: 'sell', count: 1 },
        { t: 2500, price: 1, size: 1_000_000, side: 'buy', count: 1 },
        { t: 3100, price: 1, size: 4_000_000, side: 'buy', count: 1 },
      ],
    )
    expect(frame.volume).toEqual([
      { time: 1, value: 5, color: SELL_VOLUME },
      { time: 3, value: 4, color: BUY_VOLUME },
    ])
  })

  it('finds bars', () => {
    const times = [10, 12, 20]
    expect(barAtOrBefore([], 5)).toBe(-1)
    expect(barAtOrBefore(times, 5)).toBe(0)
    expect(barAtOrBefore(times, 12)).toBe(1)
    expect(barAtOrBefore(times, 19)).toBe(1)
    expect(nearestBar(times, 17)).toBe(2)
    expect(nearestBar(times, 15)).toBe(1)
    expect(nearestBar([], 1)).toBe(-1)
  })

  it('interpolates the cursor between bars', () => {
    const times = [10, 12, 20]
    expect(logicalAt([], 1)).toBeNull()
    expect(logicalAt(times, 10_000)).toBe(0)
    expect(logicalAt(times, 11_000)).toBeCloseTo(0.5)
    expect(logicalAt(times, 16_000)).toBeCloseTo(1.5)
    expect(logicalAt(times, 20_500)).toBeCloseTo(2.5)
    expect(logicalAt(times, 99_000)).toBe(3)
    expect(logicalAt(times, 9_500)).toBeCloseTo(-0.5)
    expect(logicalAt(times, 1_000)).toBe(-1)
  })
})
