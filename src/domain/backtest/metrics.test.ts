import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvariantError } from '../errors.js'
import type { MarketId, TokenId } from '../market.js'
import { seededRandom } from '../stats/random.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../units.js'
import {
  bySubstrategy,
  byScoreBucket,
  computeMetrics,
  equityCurve,
  metricIntervals,
  NO_SUBSTRATEGY,
  scoreBucket,
  sharpeOf,
} from './metrics.js'
import type { ClosedTrade } from './types.js'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0)
const USD = 1_000_000
const BANKROLL = (100 * USD) as UsdcMicros

type TradeSpec = {
  id: number
  profitUsd: number
  exitTs?: number
  match?: string
  score?: number
  substrategy?: string | null
  entryPrice?: number
  size?: number
  reversionS?: number | null
}

/** Entry at 0.50 for 20 shares: $10 at risk, so a $1 profit is a 10 % return. */
function trade(spec: TradeSpec): ClosedTrade {
  const exitTs = spec.exitTs ?? T0 + spec.id * 60_000
  return {
    id: spec.id,
    market: 'm' as MarketId,
    tokenId: 't' as TokenId,
    match: spec.match ?? 'match-1',
    strategy: 'panic_fade',
    substrategy: spec.substrategy === undefined ? 'round_loss' : spec.substrategy,
    signalId: spec.id,
    signalType: 'panic',
    score: spec.score ?? 0.75,
    entryTs: (exitTs - 30_000) as EpochMs,
    exitTs: exitTs as EpochMs,
    entryPrice: spec.entryPrice ?? 5_000,
    exitPrice: 5_000,
    size: (spec.size ?? 20 * USD) as ShareMicros,
    fees: 0 as UsdcMicros,
    profit: Math.round(spec.profitUsd * USD) as UsdcMicros,
    exitReason: 'target',
    reversionS: spec.reversionS === undefined ? 20 : spec.reversionS,
  }
}

// Four trades over three UTC days: returns +0.2, −0.1, +0.3, −0.2; daily PnL +2, +2, −2.
const FOUR = [
  trade({ id: 1, profitUsd: 2, exitTs: T0 }),
  trade({ id: 2, profitUsd: -1, exitTs: T0 + DAY }),
  trade({ id: 3, profitUsd: 3, exitTs: T0 + DAY + 60_000, reversionS: 40 }),
  trade({ id: 4, profitUsd: -2, exitTs: T0 + 2 * DAY, reversionS: null }),
]

describe('computeMetrics on a hand-computed fixture', () => {
  const m = computeMetrics(FOUR, BANKROLL, { periodStart: T0 - DAY, periodEnd: T0 + 3 * DAY })

  test('counts, sums and averages', () => {
    expect(m).toMatchObject({ trades: 4, wins: 2, losses: 2, breakeven: 0, winRate: 0.5 })
    expect(m.totalProfit).toBe(2 * USD)
    expect(m.avgProfit).toBe(0.5 * USD)
    expect(m.grossProfit).toBe(5 * USD)
    expect(m.grossLoss).toBe(3 * USD)
    expect(m.finalEquity).toBe(102 * USD)
  })

  test('Sharpe per trade: mean 0.05 over sample sd √(0.17/3)', () => {
    expect(m.sharpePerTrade).toBeCloseTo(0.05 / Math.sqrt(0.17 / 3), 10)
    expect(m.sharpePerTrade).toBeCloseTo(0.210042, 6)
  })

  test('Sortino: mean 0.05 over √((0.01 + 0.04) / 4)', () => {
    expect(m.sortino).toBeCloseTo(0.05 / Math.sqrt(0.0125), 10)
  })

  test('daily Sharpe on day PnL +2, +2, −2 and its flagged annualisation', () => {
    expect(m.tradingDays).toBe(3)
    const sd = Math.sqrt(((4 / 3) ** 2 * 2 + (8 / 3) ** 2) / 2)
    expect(m.sharpeDaily).toBeCloseTo(2 / 3 / sd, 10)
    expect(m.annualisedSharpe).toBeCloseTo((2 / 3 / sd) * Math.sqrt(365), 8)
    expect(m.periodDays).toBe(4)
    expect(m.annualisedProfit).toBeCloseTo((2 * USD * 365) / 4, 6)
  })

  test('drawdown on equity 102, 101, 104, 102 from 100', () => {
    expect(equityCurve(FOUR, BANKROLL).map((p) => p.equity / USD)).toEqual([102, 101, 104, 102])
    expect(m.maxDrawdown).toBe(2 * USD)
    expect(m.maxDrawdownPct).toBeCloseTo(2 / 104, 12)
    expect(m.maxDrawdownPeakTs).toBe(T0 + DAY + 60_000)
    expect(m.maxDrawdownTroughTs).toBe(T0 + 2 * DAY)
    expect(m.longestLosingStreak).toBe(1)
  })

  test('profit factor, expectancy and reversion time', () => {
    expect(m.profitFactor).toBeCloseTo(5 / 3, 12)
    expect(m.expectancy).toBeCloseTo(0.5 * USD, 6)
    expect(m.expectancyReturn).toBeCloseTo(0.05, 12)
    expect(m.avgReversionS).toBeCloseTo(80 / 3, 12)
    expect(m.reverted).toBe(3)
  })

  test('Kelly: W = 0.5, R = 0.25 / 0.15, f* = 0.2; bet = half of it on $100', () => {
    expect(m.payoffRatio).toBeCloseTo(0.25 / 0.15, 12)
    expect(m.kellyFraction).toBeCloseTo(0.2, 12)
    expect(m.recommendedBet).toBe(10 * USD)
    expect(m.reasons).toEqual({})
  })
})

describe('undefined figures are null with a reason', () => {
  test('no trades', () => {
    const m = computeMetrics([], BANKROLL)
    expect(m).toMatchObject({
      trades: 0,
      winRate: null,
      avgProfit: null,
      sharpePerTrade: null,
      sharpeDaily: null,
      sortino: null,
      profitFactor: null,
      expectancy: null,
      avgReversionS: null,
      kellyFraction: null,
      recommendedBet: null,
      maxDrawdown: 0,
      maxDrawdownPct: null,
      annualisedSharpe: null,
      annualisedProfit: null,
    })
    expect(m.reasons.winRate).toBe('no trades')
    expect(m.reasons.profitFactor).toBe('no trades')
    expect(m.reasons.sharpePerTrade).toMatch(/at least 2/)
    expect(m.reasons.kellyFraction).toMatch(/no trades/)
  })

  test('one trade: no Sharpe, Sortino or daily Sharpe', () => {
    const m = computeMetrics([trade({ id: 1, profitUsd: 1 })], BANKROLL)
    expect(m.sharpePerTrade).toBeNull()
    expect(m.reasons.sharpePerTrade).toBe('needs at least 2 trade returns; there is 1')
    expect(m.reasons.sortino).toMatch(/there is 1/)
    expect(m.reasons.sharpeDaily).toMatch(/calendar days with trades; there is 1/)
  })

  test('zero variance: no Sharpe', () => {
    const m = computeMetrics(
      [trade({ id: 1, profitUsd: -1 }), trade({ id: 2, profitUsd: -1 })],
      BANKROLL,
    )
    expect(m.sharpePerTrade).toBeNull()
    expect(m.reasons.sharpePerTrade).toMatch(/zero variance/)
    expect(m.sortino).toBeCloseTo(-1, 12)
    expect(m.longestLosingStreak).toBe(2)
  })

  test('no losses: no profit factor, Sortino or Kelly', () => {
    const m = computeMetrics(
      [trade({ id: 1, profitUsd: 1 }), trade({ id: 2, profitUsd: 2 })],
      BANKROLL,
    )
    expect(m.profitFactor).toBeNull()
    expect(m.reasons.profitFactor).toBe('no losing trades: gross loss is 0')
    expect(m.sortino).toBeNull()
    expect(m.reasons.sortino).toMatch(/downside deviation is 0/)
    expect(m.kellyFraction).toBeNull()
    expect(m.reasons.kellyFraction).toMatch(/no losing trades/)
    expect(m.recommendedBet).toBeNull()
    expect(m.maxDrawdown).toBe(0)
    expect(m.maxDrawdownPct).toBe(0)
  })

  test('no wins: no Kelly, and a negative edge never recommends a bet', () => {
    const none = computeMetrics([trade({ id: 1, profitUsd: -1 })], BANKROLL)
    expect(none.reasons.kellyFraction).toMatch(/no winning trades/)
    const losing = computeMetrics(
      [trade({ id: 1, profitUsd: 1 }), trade({ id: 2, profitUsd: -3 })],
      BANKROLL,
    )
    expect(losing.kellyFraction).toBeCloseTo(0.5 - 0.5 / (1 / 3), 12)
    expect(losing.recommendedBet).toBe(0)
  })

  test('no recorded reversion', () => {
    const m = computeMetrics([trade({ id: 1, profitUsd: 1, reversionS: null })], BANKROLL)
    expect(m.reasons.avgReversionS).toBe('no trade recorded a reversion')
  })

  test('bad bankroll and malformed trades are invariant errors', () => {
    expect(() => computeMetrics([], 0 as UsdcMicros)).toThrow(InvariantError)
    expect(() => computeMetrics([trade({ id: 1, profitUsd: 1, size: 0 })], BANKROLL)).toThrow(
      /trade 1: size and entry price must be positive/,
    )
    expect(() => computeMetrics([trade({ id: 1, profitUsd: 0.0000001 })], BANKROLL)).not.toThrow()
    expect(() =>
      computeMetrics([{ ...trade({ id: 2, profitUsd: 1 }), profit: 0.5 as UsdcMicros }], BANKROLL),
    ).toThrow(/whole micros/)
    expect(() =>
      computeMetrics(
        [{ ...trade({ id: 3, profitUsd: 1 }), entryTs: (T0 + DAY * 9) as EpochMs }],
        BANKROLL,
      ),
    ).toThrow(/exits before it enters/)
  })
})

describe('losing streak and breakdowns', () => {
  test('longest run of consecutive losses in exit order; a break-even trade ends a run', () => {
    const profits = [1, -1, -1, -1, 1, -1, 0, -1, -1]
    const m = computeMetrics(
      profits.map((p, i) => trade({ id: i + 1, profitUsd: p })),
      BANKROLL,
    )
    expect(m.longestLosingStreak).toBe(3)
    expect(m.breakeven).toBe(1)
  })

  test('score buckets: lower bound inclusive, 1.0 in the last', () => {
    expect(scoreBucket(0.7)).toBe('[0.7,0.8)')
    expect(scoreBucket(0.7999)).toBe('[0.7,0.8)')
    expect(scoreBucket(0.8)).toBe('[0.8,0.9)')
    expect(scoreBucket(0.9)).toBe('[0.9,1.0]')
    expect(scoreBucket(1)).toBe('[0.9,1.0]')
    expect(scoreBucket(0.5)).toBe('[0,0.7)')
    expect(scoreBucket(1.2)).toBe('outside [0,1]')
  })

  test('score breakdown always shows the three buckets, others only when used', () => {
    const rows = byScoreBucket([trade({ id: 1, profitUsd: 1, score: 0.95 })])
    expect(rows.map((r) => [r.key, r.trades])).toEqual([
      ['[0.7,0.8)', 0],
      ['[0.8,0.9)', 0],
      ['[0.9,1.0]', 1],
    ])
    expect(rows[0]!.reasons.winRate).toBe('no trades')
    const low = byScoreBucket([trade({ id: 1, profitUsd: 1, score: 0.6 })])
    expect(low[0]).toMatchObject({ key: '[0,0.7)', trades: 1 })
  })

  test('substrategies sorted, trades without a game event last', () => {
    const rows = bySubstrategy([
      trade({ id: 1, profitUsd: 1, substrategy: null }),
      trade({ id: 2, profitUsd: -1, substrategy: 'map_loss' }),
      trade({ id: 3, profitUsd: 2, substrategy: 'clutch_loss' }),
      trade({ id: 4, profitUsd: 2, substrategy: 'map_loss' }),
    ])
    expect(rows.map((r) => [r.key, r.trades, r.totalProfit / USD])).toEqual([
      ['clutch_loss', 1, 2],
      ['map_loss', 2, 1],
      [NO_SUBSTRATEGY, 1, 1],
    ])
  })
})

describe('clustered intervals', () => {
  test('one match: estimates but no interval, and the reason', () => {
    const ci = metricIntervals(FOUR, (k) => seededRandom(k), { resamples: 50 })
    expect(ci.avgProfitUsd.estimate).toBeCloseTo(0.5, 12)
    expect(ci.avgProfitUsd.low).toBeNull()
    expect(ci.winRate.reason).toMatch(/only 1 match/)
  })

  test('several matches: the interval brackets the estimate and is reproducible', () => {
    const trades = FOUR.map((t, i) => ({ ...t, match: `m${i % 2}` }))
    const a = metricIntervals(trades, (k) => seededRandom(7 + k), { resamples: 200 })
    const b = metricIntervals(trades, (k) => seededRandom(7 + k), { resamples: 200 })
    expect(b).toEqual(a)
    expect(a.totalProfitUsd.low!).toBeLessThanOrEqual(2)
    expect(a.totalProfitUsd.high!).toBeGreaterThanOrEqual(2)
  })
})

const arbTrades = fc.array(
  fc.record({
    profitUsd: fc.integer({ min: -5_000_000, max: 5_000_000 }).map((c) => c / USD),
    dayOffset: fc.integer({ min: 0, max: 5 }),
    minute: fc.integer({ min: 0, max: 1_000 }),
    entryPrice: fc.integer({ min: 1, max: 10_000 }),
    shares: fc.integer({ min: 5, max: 500 }),
    match: fc.constantFrom('a', 'b', 'c'),
  }),
  { maxLength: 40 },
)

type ArbSpec = {
  profitUsd: number
  dayOffset: number
  minute: number
  entryPrice: number
  shares: number
  match: string
}

function build(specs: readonly ArbSpec[]): ClosedTrade[] {
  return specs.map((s, i) =>
    trade({
      id: i + 1,
      profitUsd: s.profitUsd,
      exitTs: T0 + s.dayOffset * DAY + s.minute * 60_000,
      entryPrice: s.entryPrice,
      size: s.shares * USD,
      match: s.match,
    }),
  )
}

describe('properties', () => {
  test('drawdown ≥ 0 and bounded by gross loss; equity ends at bankroll + total', () => {
    fc.assert(
      fc.property(arbTrades, (specs) => {
        const trades = build(specs)
        const m = computeMetrics(trades, BANKROLL)
        expect(m.maxDrawdown).toBeGreaterThanOrEqual(0)
        expect(m.maxDrawdown).toBeLessThanOrEqual(m.grossLoss)
        for (const p of m.equity) expect(p.drawdown).toBeGreaterThanOrEqual(0)
        expect(m.finalEquity).toBe(BANKROLL + m.totalProfit)
        expect(m.grossProfit - m.grossLoss).toBe(m.totalProfit)
        expect(m.wins + m.losses + m.breakeven).toBe(m.trades)
      }),
    )
  })

  test('profit factor is gross profit / gross loss, null exactly when there is no loss', () => {
    fc.assert(
      fc.property(arbTrades, (specs) => {
        const m = computeMetrics(build(specs), BANKROLL)
        if (m.grossLoss === 0) expect(m.profitFactor).toBeNull()
        else expect(m.profitFactor).toBeCloseTo(m.grossProfit / m.grossLoss, 10)
        if (m.profitFactor !== null) expect(m.profitFactor > 1).toBe(m.totalProfit > 0)
      }),
    )
  })

  test('Kelly is W − (1 − W)/R, at most W; the bet is within [0, bankroll / 2]', () => {
    fc.assert(
      fc.property(arbTrades, (specs) => {
        const m = computeMetrics(build(specs), BANKROLL)
        if (m.kellyFraction === null) {
          expect(m.wins === 0 || m.losses === 0).toBe(true)
          expect(m.recommendedBet).toBeNull()
          return
        }
        const w = m.wins / m.trades
        expect(m.kellyFraction).toBeCloseTo(w - (1 - w) / m.payoffRatio!, 10)
        expect(m.kellyFraction).toBeLessThanOrEqual(w)
        expect(m.recommendedBet!).toBeGreaterThanOrEqual(0)
        expect(m.recommendedBet!).toBeLessThanOrEqual(BANKROLL / 2)
      }),
    )
  })

  test('expectancy equals the average profit; figures are finite or null', () => {
    fc.assert(
      fc.property(arbTrades, (specs) => {
        const m = computeMetrics(build(specs), BANKROLL)
        if (m.trades > 0) expect(m.expectancy!).toBeCloseTo(m.avgProfit!, 4)
        for (const value of Object.values(m)) {
          if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true)
        }
      }),
    )
  })

  test('the input order does not matter', () => {
    fc.assert(
      fc.property(arbTrades, fc.integer(), (specs, seed) => {
        const trades = build(specs)
        const random = seededRandom(seed)
        const shuffled = [...trades].sort(() => random() - 0.5)
        expect(computeMetrics(shuffled, BANKROLL)).toEqual(computeMetrics(trades, BANKROLL))
      }),
      { numRuns: 50 },
    )
  })

  test('sharpeOf is scale invariant', () => {
    fc.assert(
      fc.property(
        // Returns on a 0.0001 grid, as trade returns are: a spread of near-identical doubles
        // makes m / sd ill-conditioned and the comparison meaningless.
        fc.array(
          fc.integer({ min: -10_000, max: 10_000 }).map((x) => x / 10_000),
          { minLength: 2, maxLength: 20 },
        ),
        (xs) => {
          const a = sharpeOf(xs, 'x')
          const b = sharpeOf(
            xs.map((x) => x * 3),
            'x',
          )
          if (a.value === null) return
          expect(b.value).not.toBeNull()
          expect(Math.abs((b.value as number) - a.value)).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(a.value)),
          )
        },
      ),
    )
  })
})
