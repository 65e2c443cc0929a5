import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { asMarketId, asTokenId, type TickSize } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../units.js'
import { checkSubmit, type BookRisk, type RiskDecision, type RiskOrder } from './checks.js'
import { DEFAULT_RISK_LIMITS, makeRiskLimits } from './limits.js'
import { newRiskContext, RiskState } from './risk-state.js'

const MARKET = asMarketId('0xmarket1')
const OTHER = asMarketId('0xmarket2')
const TOKEN = asTokenId('42')
const usdc = (n: number): UsdcMicros => Math.round(n * 1_000_000) as UsdcMicros
const sh = (n: number): ShareMicros => Math.round(n * 1_000_000) as ShareMicros
const at = (ms: number): EpochMs => ms as EpochMs
/** 2026-11-24T12:00:00Z */
const T0 = Date.UTC(2026, 10, 24, 12)
const MIN = 60_000

const BOOK: BookRisk = {
  stale: false,
  staleReason: null,
  bestBid: 4900 as PriceTicks,
  bestAsk: 5000 as PriceTicks,
  tickSize: 100 as TickSize,
  minSize: sh(5),
  spreadBaselineTicks: 100,
  closed: false,
}
const BUY: RiskOrder = {
  market: MARKET,
  tokenId: TOKEN,
  side: 'buy',
  kind: 'limit',
  price: 5000 as PriceTicks,
  size: sh(10),
}
const SELL: RiskOrder = { ...BUY, side: 'sell', price: 4900 as PriceTicks }

/** Checks `order` against the state at `now`, holding 10 shares, through one reused context. */
function checker(state: RiskState) {
  const ctx = newRiskContext(state.limits, BOOK)
  ctx.heldShares = sh(10)
  return (order: RiskOrder, now: number, over: { protective?: boolean } = {}): RiskDecision => {
    state.fillContext(ctx, order.market, at(now))
    ctx.protective = over.protective ?? false
    return checkSubmit(order, ctx)
  }
}

function codeOf(decision: RiskDecision): string {
  return decision.ok ? 'OK' : decision.reason
}

describe('daily loss', () => {
  test('reaching $500 lost switches to reduce-only until the day ends, then the day restarts', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    state.recordClosedTrade(usdc(-499.999999), at(T0 + MIN))
    expect(state.takeEvents()).toEqual([])
    expect(codeOf(check(BUY, T0 + MIN))).toBe('OK')

    state.recordClosedTrade(usdc(10), at(T0 + 2 * MIN))
    state.recordClosedTrade(usdc(-10.000001), at(T0 + 3 * MIN))
    const [breach] = state.takeEvents()
    expect(breach).toMatchObject({ kind: 'breach', code: 'DAILY_LOSS', scope: 'global' })
    expect(breach!.ts).toBe(T0 + 3 * MIN)
    expect(breach!.detail).toContain('loss_usd=500 max_loss_usd=500')
    expect(breach!.detail).toContain('until=2026-11-25T00:00:00.000Z')
    expect(state.states.status('global', T0 + 3 * MIN).mode).toBe('reducing')
    expect(codeOf(check(BUY, T0 + 3 * MIN))).toBe('DAILY_LOSS')
    expect(codeOf(check(SELL, T0 + 3 * MIN))).toBe('OK')

    // A profitable exit does not lift it: the rest of the day stays reduce-only.
    state.recordClosedTrade(usdc(100), at(T0 + 4 * MIN))
    expect(codeOf(check(BUY, T0 + 4 * MIN))).toBe('DAILY_LOSS')

    const midnight = Date.UTC(2026, 10, 25)
    expect(codeOf(check(BUY, midnight - 1))).toBe('DAILY_LOSS')
    expect(codeOf(check(BUY, midnight))).toBe('OK')
    expect(state.summary().dayRealizedPnl).toBe(0)
    expect(state.takeEvents()).toMatchObject([{ kind: 'lifted', code: 'DAILY_LOSS', by: 'system' }])
  })

  test('the day boundary follows dayStartUtc, and time going backwards never rolls it back', () => {
    const limits = makeRiskLimits({ dayStartUtc: '13:00' })
    const state = new RiskState(limits, at(T0))
    state.recordClosedTrade(usdc(-100), at(T0 + 59 * MIN))
    expect(state.summary().dayRealizedPnl).toBe(usdc(-100))
    state.recordClosedTrade(usdc(-50), at(T0 + 60 * MIN))
    expect(state.summary().dayRealizedPnl).toBe(usdc(-50))
    state.recordClosedTrade(usdc(-20), at(T0 + 30 * MIN))
    expect(state.summary()).toMatchObject({
      dayRealizedPnl: usdc(-70),
      dayStart: Date.UTC(2026, 10, 24, 13),
    })
  })

  test('a person resuming does not lift the daily loss', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    state.recordClosedTrade(usdc(-600), at(T0))
    expect(state.resume('global', at(T0 + 1))).toEqual([])
    expect(codeOf(checker(state)(BUY, T0 + 1))).toBe('DAILY_LOSS')
  })
})

describe('consecutive losses', () => {
  test('two losses are inside; the third pauses entries for 5 min, which then expires', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    state.recordClosedTrade(usdc(-1), at(T0))
    state.recordClosedTrade(usdc(-1), at(T0 + 1000))
    expect(state.takeEvents()).toEqual([])
    expect(codeOf(check(BUY, T0 + 1000))).toBe('OK')

    const third = T0 + 2000
    state.recordClosedTrade(usdc(-1), at(third))
    expect(state.takeEvents()).toMatchObject([
      { kind: 'breach', code: 'CONSECUTIVE_LOSSES', scope: 'global', ts: third },
    ])
    expect(codeOf(check(BUY, third + 5 * MIN - 1))).toBe('CONSECUTIVE_LOSSES')
    expect(codeOf(check(SELL, third + 5 * MIN - 1))).toBe('OK')
    expect(codeOf(check(BUY, third + 5 * MIN))).toBe('OK')
    expect(state.takeEvents()).toMatchObject([{ kind: 'lifted', code: 'CONSECUTIVE_LOSSES' }])
  })

  test('a win (or a scratch) resets the streak', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    state.recordClosedTrade(usdc(-1), at(T0))
    state.recordClosedTrade(usdc(-1), at(T0 + 1))
    state.recordClosedTrade(usdc(0), at(T0 + 2))
    state.recordClosedTrade(usdc(-1), at(T0 + 3))
    expect(state.summary().consecutiveLosses).toBe(1)
    expect(state.takeEvents()).toEqual([])
  })
})

describe('per-market cooldown', () => {
  test('an entry starts a 5 s cooldown in its market only', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    state.recordEntrySent(MARKET, at(T0))
    expect(codeOf(check(BUY, T0 + 4999))).toBe('COOLDOWN')
    expect(codeOf(check({ ...BUY, market: OTHER }, T0 + 4999))).toBe('OK')
    expect(codeOf(check(BUY, T0 + 5000))).toBe('OK')
  })
})

describe('venue error rate', () => {
  test('needs the minimum sample, trips strictly above 10 %, halts 5 min, then re-arms', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    for (let i = 0; i < 18; i++) state.recordApiResult(true, at(T0 + i))
    state.recordApiResult(false, at(T0 + 18))
    state.recordApiResult(false, at(T0 + 19))
    expect(state.summary()).toMatchObject({ apiRequests: 20, apiErrors: 2 })
    expect(state.takeEvents()).toEqual([])
    expect(codeOf(check(BUY, T0 + 19))).toBe('OK')

    const trip = T0 + 20
    state.recordApiResult(false, at(trip))
    const [breach] = state.takeEvents()
    expect(breach).toMatchObject({ kind: 'breach', code: 'API_ERROR_RATE', ts: trip })
    expect(breach!.detail).toContain('errors=3 requests=21 rate_pct=14.3 max_pct=10')
    expect(codeOf(check(BUY, trip + 1))).toBe('API_ERROR_RATE')
    expect(codeOf(check(SELL, trip + 1))).toBe('API_ERROR_RATE')
    expect(codeOf(check(SELL, trip + 1, { protective: true }))).toBe('OK')

    // Another failure while halted does not extend or repeat the breach.
    state.recordApiResult(false, at(trip + 1000))
    expect(state.takeEvents()).toEqual([])

    // After 5 min the old results have left the window and the halt has expired.
    const later = trip + 5 * MIN + 1000
    expect(codeOf(check(BUY, later))).toBe('OK')
    expect(state.summary()).toMatchObject({ apiRequests: 1, apiErrors: 1 })
  })

  test('a window of only failures below the minimum sample does not trip', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    for (let i = 0; i < 19; i++) state.recordApiResult(false, at(T0 + i))
    expect(state.takeEvents()).toEqual([])
    state.recordApiResult(false, at(T0 + 19))
    expect(state.takeEvents()).toMatchObject([{ code: 'API_ERROR_RATE' }])
  })
})

describe('drawdown', () => {
  test('exactly 20 % below the hour high is inside; more halts until a person resumes', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    state.recordEquity(usdc(900), at(T0))
    state.recordEquity(usdc(1000), at(T0 + MIN))
    state.recordEquity(usdc(800), at(T0 + 2 * MIN))
    expect(state.takeEvents()).toEqual([])
    expect(codeOf(check(BUY, T0 + 2 * MIN))).toBe('OK')

    state.recordEquity(usdc(799.999999), at(T0 + 3 * MIN))
    const [breach] = state.takeEvents()
    expect(breach).toMatchObject({ kind: 'breach', code: 'DRAWDOWN_HALT', scope: 'global' })
    expect(breach!.message).toContain('until a person resumes it')

    // Equity recovers and hours pass: still halted, and the system cannot lift it.
    state.recordEquity(usdc(1000), at(T0 + 4 * MIN))
    expect(codeOf(check(BUY, T0 + 5 * 60 * MIN))).toBe('DRAWDOWN_HALT')
    expect(state.lift('global', 'DRAWDOWN_HALT', at(T0 + 5 * 60 * MIN))).toBe(false)
    expect(codeOf(check(SELL, T0 + 5 * 60 * MIN, { protective: true }))).toBe('OK')

    const lifted = state.resume('global', at(T0 + 5 * 60 * MIN + 1))
    expect(lifted.map((r) => r.code)).toEqual(['DRAWDOWN_HALT'])
    expect(state.takeEvents()).toMatchObject([
      { kind: 'lifted', code: 'DRAWDOWN_HALT', by: 'person' },
    ])
    expect(codeOf(check(BUY, T0 + 5 * 60 * MIN + 1))).toBe('OK')
  })

  test('cash moved without a trade shifts the samples: neither a gain nor a drawdown', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    state.shiftEquity(usdc(-500))
    expect(state.summary().equity).toBe(0)
    state.recordEquity(usdc(1000), at(T0))
    state.shiftEquity(usdc(-900))
    expect(state.summary()).toMatchObject({ equity: usdc(100), equityHigh: usdc(100) })
    state.recordEquity(usdc(95), at(T0 + MIN))
    expect(state.takeEvents()).toEqual([])
    state.recordEquity(usdc(79), at(T0 + 2 * MIN))
    expect(state.takeEvents()).toMatchObject([{ code: 'DRAWDOWN_HALT' }])
  })

  test('the high only counts within the hour', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    state.recordEquity(usdc(1000), at(T0))
    state.recordEquity(usdc(900), at(T0 + MIN))
    state.recordEquity(usdc(750), at(T0 + 60 * MIN + 1))
    expect(state.takeEvents()).toEqual([])
    expect(state.summary().equityHigh).toBe(usdc(900))
  })

  test('a sample exactly one hour old still counts', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    state.recordEquity(usdc(1000), at(T0))
    state.recordEquity(usdc(700), at(T0 + 60 * MIN))
    expect(state.takeEvents()).toMatchObject([{ code: 'DRAWDOWN_HALT' }])
  })

  test('resuming restarts the window from the latest equity', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    state.recordEquity(usdc(1000), at(T0))
    state.recordEquity(usdc(500), at(T0 + 1))
    state.resume('global', at(T0 + 2))
    expect(state.takeEvents().map((e) => e.kind)).toEqual(['breach', 'lifted'])
    expect(state.summary()).toMatchObject({ equity: usdc(500), equityHigh: usdc(500) })
    state.recordEquity(usdc(450), at(T0 + 3))
    expect(state.takeEvents().filter((e) => e.kind === 'breach')).toEqual([])
  })

  test('the window high equals a naive maximum after any sample sequence', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 20 * MIN }), fc.integer({ min: 1, max: 5000 })),
          {
            maxLength: 60,
          },
        ),
        (steps) => {
          const limits = makeRiskLimits({ maxDrawdownPct: 100, drawdownWindowMs: 30 * MIN })
          const state = new RiskState(limits, at(T0))
          const samples: [number, number][] = []
          let now = T0
          for (const [gap, value] of steps) {
            now += gap
            state.recordEquity(usdc(value), at(now))
            samples.push([now, value])
            const inWindow = samples.filter(([ts]) => now - ts <= 30 * MIN).map(([, v]) => v)
            expect(state.summary().equityHigh).toBe(usdc(Math.max(...inWindow)))
          }
        },
      ),
    )
  })
})

describe('direct restrictions', () => {
  test('a market halted by the engine is lifted by the engine; a person halt needs a person', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    state.restrict(MARKET, 'halted', 'INVARIANT', at(T0))
    state.restrict('global', 'halted', 'MANUAL', at(T0))
    expect(state.takeEvents()).toMatchObject([
      { kind: 'restricted', code: 'HALTED', scope: MARKET },
      { kind: 'restricted', code: 'HALTED', scope: 'global' },
    ])
    expect(codeOf(check(BUY, T0 + 1))).toBe('HALTED')
    expect(state.lift(MARKET, 'INVARIANT', at(T0 + 2))).toBe(true)
    expect(state.lift('global', 'MANUAL', at(T0 + 2))).toBe(false)
    expect(codeOf(check(BUY, T0 + 3))).toBe('HALTED')
    state.resume('global', at(T0 + 4))
    expect(codeOf(check(BUY, T0 + 5))).toBe('OK')
  })

  test('a timed reduce-only state expires by itself and reports it', () => {
    const state = new RiskState(DEFAULT_RISK_LIMITS, at(T0))
    const check = checker(state)
    state.restrict(MARKET, 'reducing', 'MANUAL', at(T0), at(T0 + MIN))
    expect(codeOf(check(BUY, T0 + MIN - 1))).toBe('REDUCING')
    expect(codeOf(check(BUY, T0 + MIN))).toBe('OK')
    expect(state.takeEvents().map((e) => [e.kind, e.scope])).toEqual([
      ['restricted', MARKET],
      ['lifted', MARKET],
    ])
  })
})
