import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { TAKER_BUY, TAKER_SELL, TokenBaselines } from './token-baselines.js'

const BUCKET = 30_000
const WINDOW = 5 * BUCKET
const START = 1_800_000_000_000

type Step =
  | { kind: 'trade'; dt: number; shares: number; sell: boolean }
  | { kind: 'book'; dt: number; depth: number; spread: number; mid: number; usable: boolean }

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('trade' as const),
    dt: fc.integer({ min: 0, max: 40_000 }),
    shares: fc.integer({ min: 1, max: 1000 }),
    sell: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('book' as const),
    dt: fc.integer({ min: 0, max: 40_000 }),
    depth: fc.integer({ min: 1, max: 1000 }),
    spread: fc.integer({ min: 1, max: 50 }).map((x) => x / 100),
    mid: fc.integer({ min: 1, max: 99 }).map((x) => x / 100),
    usable: fc.boolean(),
  }),
)

/** Recomputes every figure from the full history, the slow and obvious way. */
class NaiveModel {
  readonly trades: { ts: number; shares: number; sell: boolean }[] = []
  /** Book states from their start time; `usable` false = not counted. */
  readonly states: { ts: number; depth: number; spread: number; mid: number; usable: boolean }[] =
    []

  volumeBaseline(now: number): number {
    const first = Math.floor(START / BUCKET)
    const current = Math.floor(now / BUCKET)
    const closed = Math.min(current - first, WINDOW / BUCKET)
    if (closed === 0) return Number.NaN
    const from = (current - closed) * BUCKET
    const to = current * BUCKET
    const sum = this.trades
      .filter((t) => t.ts >= from && t.ts < to)
      .reduce((s, t) => s + t.shares, 0)
    return sum / closed
  }

  /** Time-weighted mean of `key` over usable time in the closed buckets of the window. */
  weighted(now: number, key: 'depth' | 'spread'): number {
    const first = Math.floor(START / BUCKET)
    const current = Math.floor(now / BUCKET)
    const closed = Math.min(current - first, WINDOW / BUCKET)
    const from = (current - closed) * BUCKET
    const to = current * BUCKET
    let weight = 0
    let total = 0
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i]!
      const end = i + 1 < this.states.length ? this.states[i + 1]!.ts : now
      const a = Math.max(s.ts, from)
      const b = Math.min(end, to)
      if (!s.usable || b <= a) continue
      weight += b - a
      total += s[key] * (b - a)
    }
    return weight > 0 ? total / weight : Number.NaN
  }

  shortVolume(now: number, sell: boolean): number {
    return this.trades
      .filter((t) => t.ts > now - BUCKET && t.sell === sell)
      .reduce((s, t) => s + t.shares, 0)
  }

  midBefore(now: number): number {
    const usable = this.states.filter((s) => s.usable)
    if (usable.length === 0) return Number.NaN
    let answer = usable[0]!.mid
    for (const s of usable) if (s.ts <= now - BUCKET) answer = s.mid
    return answer
  }
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
}

describe('TokenBaselines', () => {
  test('matches a naive recomputation after every step', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 120 }), (steps) => {
        const base = new TokenBaselines(BUCKET, WINDOW, START)
        const model = new NaiveModel()
        let now = START
        for (const step of steps) {
          now += step.dt
          base.advance(now)
          if (step.kind === 'trade') {
            base.addTrade(now, step.shares, step.sell ? TAKER_SELL : TAKER_BUY)
            model.trades.push({ ts: now, shares: step.shares, sell: step.sell })
          } else if (step.usable) {
            base.setBook(now, step.depth, step.spread, step.mid)
            model.states.push({ ts: now, ...step })
          } else {
            base.setUnusable()
            model.states.push({ ts: now, ...step })
          }
          base.trimTrades(now)
          expect(close(base.baselineVolume(), model.volumeBaseline(now))).toBe(true)
          expect(close(base.baselineDepth(), model.weighted(now, 'depth'))).toBe(true)
          expect(close(base.baselineSpread(), model.weighted(now, 'spread'))).toBe(true)
          expect(base.buyVolume).toBe(model.shortVolume(now, false))
          expect(base.sellVolume).toBe(model.shortVolume(now, true))
          expect(base.midBefore(now)).toBe(model.midBefore(now))
        }
      }),
      { numRuns: 150 },
    )
  })

  test('a long gap skips ahead and keeps the held state as the baseline', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    base.setBook(START, 100, 0.02, 0.5)
    base.advance(START + 1000 * BUCKET)
    expect(base.closedBuckets).toBe(5)
    expect(base.baselineDepth()).toBeCloseTo(100, 9)
    expect(base.baselineSpread()).toBeCloseTo(0.02, 12)
    expect(base.baselineVolume()).toBe(0)
    expect(base.midVolatility()).toBe(0)
  })

  test('near-mid depth has its own time-weighted baseline; without it, it is the depth', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    base.setBook(START, 100, 0.02, 0.5, 80)
    base.advance(START + BUCKET / 4)
    base.setBook(START + BUCKET / 4, 100, 0.02, 0.5, 0)
    base.advance(START + BUCKET)
    // 80 shares for a quarter of the bucket, 0 for the rest.
    expect(base.baselineBandDepth()).toBeCloseTo(20, 9)
    expect(base.baselineDepth()).toBeCloseTo(100, 9)
    base.setBook(START + BUCKET, 60, 0.02, 0.5)
    expect(base.bandDepth).toBe(60)
  })

  test('mid volatility is the RMS of bucket-end changes', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    base.setBook(START, 100, 0.02, 0.5)
    base.advance(START + BUCKET)
    base.setBook(START + BUCKET, 100, 0.02, 0.53)
    base.advance(START + 2 * BUCKET)
    base.setBook(START + 2 * BUCKET, 100, 0.02, 0.49)
    base.advance(START + 3 * BUCKET)
    // Changes 0.03 and -0.04: sqrt((0.0009 + 0.0016) / 2).
    expect(base.midVolatility()).toBeCloseTo(Math.sqrt(0.00125), 12)
  })

  test('rings grow past their first capacity', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    for (let k = 0; k < 500; k++) {
      base.advance(START + k * 10)
      base.addTrade(START + k * 10, 1, k % 2)
      base.setBook(START + k * 10, 10, 0.01, 0.3 + (k % 50) / 1000)
    }
    base.trimTrades(START + 5000)
    expect(base.buyVolume + base.sellVolume).toBe(500)
    expect(base.midBefore(START + 5000)).toBe(0.3)
  })
})

describe('order concentration and jumps in the short window', () => {
  test('largestOrderShare groups one side’s trades by venue time', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    expect(base.largestOrderShare(TAKER_SELL)).toBe(0)
    // One sell order walking three levels at START + 1000, a buy in between, two small sells.
    base.addTrade(START + 1000, 30, TAKER_SELL)
    base.addTrade(START + 1000, 20, TAKER_BUY)
    base.addTrade(START + 1000, 30, TAKER_SELL)
    base.addTrade(START + 1000, 10, TAKER_SELL)
    base.addTrade(START + 2000, 15, TAKER_SELL)
    base.addTrade(START + 3000, 15, TAKER_SELL)
    expect(base.largestOrderShare(TAKER_SELL)).toBeCloseTo(70 / 100, 12)
    expect(base.largestOrderShare(TAKER_BUY)).toBe(1)
    // Once the big order has left the window only the small ones remain.
    base.advance(START + 31_500)
    base.trimTrades(START + 31_500)
    expect(base.largestOrderShare(TAKER_SELL)).toBeCloseTo(0.5, 12)
  })

  test('largestJump is the largest move within any jumpMs, the window start included', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    const mids: [number, number][] = [
      [0, 0.5],
      [10_000, 0.52],
      [10_400, 0.56],
      [10_900, 0.55],
      [20_000, 0.57],
      [20_500, 0.5],
    ]
    for (const [dt, mid] of mids) {
      base.advance(START + dt)
      base.setBook(START + dt, 100, 0.01, mid)
    }
    const now = START + 25_000
    // Up: 0.50 (in effect until 10 s) -> 0.56 at 10.4 s. Down: 0.57 -> 0.50 within 500 ms.
    expect(base.largestJump(now, 1, 1000)).toBeCloseTo(0.06, 12)
    expect(base.largestJump(now, -1, 1000)).toBeCloseTo(0.07, 12)
    // Within 300 ms only 0.52 -> 0.56 and 0.57 -> 0.50 fit.
    expect(base.largestJump(now, 1, 300)).toBeCloseTo(0.04, 12)
    expect(base.largestJump(now, -1, 300)).toBeCloseTo(0.07, 12)
    // Later the window starts at 0.55 (in effect at now - 30 s): 0.55 -> 0.57 over 5 s.
    expect(base.largestJump(START + 45_000, 1, 10_000)).toBeCloseTo(0.02, 12)
  })

  test('a mid replaced at the same venue time never held and is no jump', () => {
    const base = new TokenBaselines(BUCKET, WINDOW, START)
    for (const mid of [0.5, 0.4, 0.5]) {
      base.advance(START + 1000)
      base.setBook(START + 1000, 100, 0.01, mid)
    }
    expect(base.largestJump(START + 2000, -1, 1000)).toBe(0)
    expect(base.largestJump(START + 2000, 1, 1000)).toBe(0)
  })

  test('largestJump equals a brute-force scan of the mid path', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 3000 }),
            mid: fc.integer({ min: 1, max: 99 }).map((x) => x / 100),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 5000 }),
        (steps, jumpMs) => {
          const base = new TokenBaselines(BUCKET, WINDOW, START)
          const path: { ts: number; mid: number }[] = []
          let t = START
          for (const step of steps) {
            t += step.dt
            base.advance(t)
            base.setBook(t, 100, 0.01, step.mid)
            path.push({ ts: t, mid: step.mid })
          }
          const now = t
          const start = now - BUCKET
          // The mid in effect at time x; none before the first sample (a mid replaced at the
          // same venue time never held, so there is no move out of it).
          const midAt = (x: number): number | undefined => {
            let m: number | undefined
            for (const p of path) if (p.ts <= x) m = p.mid
            return m
          }
          let up = 0
          let down = 0
          const times = [start, ...path.map((p) => p.ts).filter((ts) => ts > start)]
          for (const tj of times) {
            for (const ti of times) {
              if (ti > tj || ti < tj - jumpMs) continue
              const a = midAt(ti)
              const b = midAt(tj)
              if (a === undefined || b === undefined) continue
              up = Math.max(up, b - a)
              down = Math.max(down, a - b)
            }
            // The mid in effect at the start of the interval ending at tj.
            const a = midAt(Math.max(start, tj - jumpMs))
            const b = midAt(tj)
            if (a === undefined || b === undefined) continue
            up = Math.max(up, b - a)
            down = Math.max(down, a - b)
          }
          expect(base.largestJump(now, 1, jumpMs)).toBeCloseTo(up, 12)
          expect(base.largestJump(now, -1, jumpMs)).toBeCloseTo(down, 12)
        },
      ),
    )
  })
})
