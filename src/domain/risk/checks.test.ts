import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { asMarketId, asTokenId, type TickSize } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../units.js'
import {
  ALLOW,
  checkCancel,
  checkSubmit,
  isExposureReducing,
  type BookRisk,
  type RiskContext,
  type RiskDecision,
  type RiskOrder,
} from './checks.js'
import { parseDetail, type DenyReason } from './deny-reasons.js'
import { DEFAULT_RISK_LIMITS, makeRiskLimits, type RiskLimits } from './limits.js'
import { ruleRestriction, stateRestriction, type Restriction } from './trading-state.js'

const MARKET = asMarketId('0xmarket1')
const TOKEN = asTokenId('1234567890123456789012345678901234567890123456789012345678901234567890123')
const usdc = (n: number): UsdcMicros => Math.round(n * 1_000_000) as UsdcMicros
const sh = (n: number): ShareMicros => Math.round(n * 1_000_000) as ShareMicros
const px = (n: number): PriceTicks => Math.round(n * 10_000) as PriceTicks
/** 2026-11-24T12:00:00Z */
const NOW = Date.UTC(2026, 10, 24, 12) as EpochMs
const at = (ms: number): EpochMs => ms as EpochMs

const BOOK: BookRisk = {
  stale: false,
  staleReason: null,
  bestBid: px(0.49),
  bestAsk: px(0.5),
  tickSize: 100 as TickSize,
  minSize: sh(5),
  spreadBaselineTicks: 100,
  closed: false,
}

/** A context in which the default order passes every rule. */
function ctx(over: Partial<RiskContext> = {}): RiskContext {
  return {
    now: NOW,
    limits: DEFAULT_RISK_LIMITS,
    globalRestrictions: [],
    marketRestrictions: [],
    book: BOOK,
    heldShares: sh(100),
    marketExposure: usdc(0),
    lastEntryTs: null,
    dayRealizedPnl: usdc(0),
    consecutiveLosses: 0,
    lastLossTs: null,
    apiRequests: 0,
    apiErrors: 0,
    equity: usdc(10_000),
    equityHigh: usdc(10_000),
    origin: 'ui',
    approved: false,
    protective: false,
    ...over,
  }
}

function book(over: Partial<BookRisk>): BookRisk {
  return { ...BOOK, ...over }
}

/** A buy of 100 shares at 0.50 ($50), on the touch. */
function buy(over: Partial<RiskOrder> = {}): RiskOrder {
  return {
    market: MARKET,
    tokenId: TOKEN,
    side: 'buy',
    kind: 'limit',
    price: px(0.5),
    size: sh(100),
    ...over,
  }
}

/** A sell of 50 of the 100 held shares at 0.49, on the touch: exposure-reducing. */
function sell(over: Partial<RiskOrder> = {}): RiskOrder {
  return buy({ side: 'sell', price: px(0.49), size: sh(50), ...over })
}

const SENTINELS = new Set(['none', 'clear'])

/** Asserts a denial with `code`, and that its sentence carries every detail value. */
function expectDenied(decision: RiskDecision, code: DenyReason): void {
  expect(decision.ok).toBe(false)
  if (decision.ok) return
  expect(decision.reason).toBe(code)
  expect(decision.message).not.toContain('?')
  for (const [key, value] of parseDetail(decision.detail)) {
    if (SENTINELS.has(value)) continue
    expect(decision.message, `detail ${key}=${value} in "${decision.message}"`).toContain(value)
  }
}

function expectAllowed(decision: RiskDecision): void {
  expect(decision).toEqual({ ok: true })
}

describe('baseline', () => {
  test('the reference buy and sell pass, returning the shared approval', () => {
    expect(checkSubmit(buy(), ctx())).toBe(ALLOW)
    expect(checkSubmit(sell(), ctx())).toBe(ALLOW)
  })

  test('a sell is exposure-reducing only up to the shares held', () => {
    expect(isExposureReducing(sell({ size: sh(100) }), sh(100))).toBe(true)
    expect(isExposureReducing(sell({ size: sh(100.000001) }), sh(100))).toBe(false)
    expect(isExposureReducing(buy(), sh(100))).toBe(false)
  })
})

describe('cancels', () => {
  test('are never blocked', () => {
    expect(checkCancel()).toBe(ALLOW)
  })
})

describe('validity', () => {
  test('INVALID_ORDER: a size of 0 is denied, one share micro passes the size check', () => {
    expectDenied(checkSubmit(buy({ size: sh(0) }), ctx()), 'INVALID_ORDER')
    expectAllowed(
      checkSubmit(buy({ size: 1 as ShareMicros }), ctx({ book: book({ minSize: sh(0) }) })),
    )
  })

  test('INVALID_ORDER and OFF_TICK: fractional, infinite or NaN numbers are denied, not thrown', () => {
    expectDenied(checkSubmit(buy({ size: 1.5 as ShareMicros }), ctx()), 'INVALID_ORDER')
    expectDenied(checkSubmit(buy({ size: Infinity as ShareMicros }), ctx()), 'INVALID_ORDER')
    expectDenied(checkSubmit(buy({ size: -1 as ShareMicros }), ctx()), 'INVALID_ORDER')
    expectDenied(checkSubmit(buy({ price: Number.NaN as PriceTicks }), ctx()), 'OFF_TICK')
    expectDenied(checkSubmit(buy({ price: 5000.5 as PriceTicks }), ctx()), 'OFF_TICK')
  })

  test('OFF_TICK: a price between ticks is denied, the next tick passes', () => {
    expectDenied(checkSubmit(buy({ price: px(0.505) }), ctx()), 'OFF_TICK')
    expectAllowed(checkSubmit(buy({ price: px(0.51) }), ctx()))
  })

  test('OFF_TICK: 0 and 1 are not tradable prices', () => {
    expectDenied(checkSubmit(buy({ price: px(0) }), ctx()), 'OFF_TICK')
    expectDenied(checkSubmit(buy({ price: px(1) }), ctx()), 'OFF_TICK')
  })

  test('BELOW_MIN_SIZE: one micro below the minimum is denied, the minimum passes', () => {
    expectDenied(checkSubmit(buy({ size: (sh(5) - 1) as ShareMicros }), ctx()), 'BELOW_MIN_SIZE')
    expectAllowed(checkSubmit(buy({ size: sh(5) }), ctx()))
  })

  test('MARKET_CLOSED: a closed market denies even protective exits; an open one passes', () => {
    expectDenied(
      checkSubmit(sell(), ctx({ book: book({ closed: true }), protective: true })),
      'MARKET_CLOSED',
    )
    expectAllowed(checkSubmit(sell(), ctx({ protective: true })))
  })
})

describe('trading states', () => {
  const manualHalt = stateRestriction('global', 'halted', 'MANUAL', at(NOW - 1000))
  const timedHalt = stateRestriction(MARKET, 'halted', 'INVARIANT', at(NOW - 1000), at(NOW + 1))
  const reduceOnly = stateRestriction('global', 'reducing', 'MANUAL', at(NOW - 1000))

  test('HALTED: a halt denies entries and plain exits', () => {
    expectDenied(checkSubmit(buy(), ctx({ globalRestrictions: [manualHalt] })), 'HALTED')
    expectDenied(checkSubmit(sell(), ctx({ globalRestrictions: [manualHalt] })), 'HALTED')
    expectDenied(checkSubmit(sell(), ctx({ marketRestrictions: [timedHalt] })), 'HALTED')
  })

  test('HALTED: protective exits pass a halt, but not when they would add exposure', () => {
    expectAllowed(checkSubmit(sell(), ctx({ globalRestrictions: [manualHalt], protective: true })))
    expectDenied(
      checkSubmit(
        sell({ size: sh(101) }),
        ctx({ globalRestrictions: [manualHalt], protective: true }),
      ),
      'HALTED',
    )
  })

  test('HALTED: a timed halt still applies one ms before it ends and not at its end', () => {
    expectDenied(checkSubmit(buy(), ctx({ marketRestrictions: [timedHalt] })), 'HALTED')
    expectAllowed(checkSubmit(buy(), ctx({ marketRestrictions: [timedHalt], now: at(NOW + 1) })))
  })

  test('REDUCING: entries are denied, reducing orders pass, overselling counts as an entry', () => {
    expectDenied(checkSubmit(buy(), ctx({ globalRestrictions: [reduceOnly] })), 'REDUCING')
    expectAllowed(checkSubmit(sell({ size: sh(100) }), ctx({ globalRestrictions: [reduceOnly] })))
    expectDenied(
      checkSubmit(sell({ size: sh(100.000001) }), ctx({ globalRestrictions: [reduceOnly] })),
      'REDUCING',
    )
  })

  test('a halt outranks a reduce-only state and answers with the rule code that caused it', () => {
    const drawdown = ruleRestriction(
      'DRAWDOWN_HALT',
      'halted',
      at(NOW - 5),
      null,
      true,
      'high_usd=100 equity_usd=70 drawdown_pct=30 max_pct=20 window_min=60 until=none',
    )
    const decision = checkSubmit(buy(), ctx({ globalRestrictions: [reduceOnly, drawdown] }))
    expectDenied(decision, 'DRAWDOWN_HALT')
  })
})

describe('breakers read from the figures', () => {
  test('DRAWDOWN_HALT: more than 20 % below the hour high is denied, exactly 20 % passes', () => {
    const high = usdc(1000)
    expectDenied(
      checkSubmit(buy(), ctx({ equityHigh: high, equity: (usdc(800) - 1) as UsdcMicros })),
      'DRAWDOWN_HALT',
    )
    expectAllowed(checkSubmit(buy(), ctx({ equityHigh: high, equity: usdc(800) })))
  })

  test('DRAWDOWN_HALT: protective exits still pass', () => {
    expectAllowed(
      checkSubmit(sell(), ctx({ equityHigh: usdc(1000), equity: usdc(100), protective: true })),
    )
  })

  test('API_ERROR_RATE: 3 of 20 failing is denied, 2 of 20 (exactly 10 %) passes', () => {
    expectDenied(checkSubmit(buy(), ctx({ apiRequests: 20, apiErrors: 3 })), 'API_ERROR_RATE')
    expectAllowed(checkSubmit(buy(), ctx({ apiRequests: 20, apiErrors: 2 })))
  })

  test('API_ERROR_RATE: below the minimum sample the rate does not count', () => {
    expectAllowed(checkSubmit(buy(), ctx({ apiRequests: 19, apiErrors: 19 })))
    expectDenied(checkSubmit(buy(), ctx({ apiRequests: 20, apiErrors: 19 })), 'API_ERROR_RATE')
  })

  test('DAILY_LOSS: a loss of exactly $500 denies entries, one micro less passes', () => {
    expectDenied(checkSubmit(buy(), ctx({ dayRealizedPnl: usdc(-500) })), 'DAILY_LOSS')
    expectAllowed(checkSubmit(buy(), ctx({ dayRealizedPnl: (usdc(-500) + 1) as UsdcMicros })))
  })

  test('DAILY_LOSS: exits still pass, and the sentence names the end of the day', () => {
    expectAllowed(checkSubmit(sell(), ctx({ dayRealizedPnl: usdc(-900) })))
    const decision = checkSubmit(buy(), ctx({ dayRealizedPnl: usdc(-900) }))
    expect(decision.ok === false && decision.message).toContain('2026-11-25T00:00:00.000Z')
  })

  test('DAILY_LOSS: the day end follows a configured day start', () => {
    const limits = makeRiskLimits({ dayStartUtc: '13:30' })
    const decision = checkSubmit(buy(), ctx({ limits, dayRealizedPnl: usdc(-900) }))
    expect(decision.ok === false && decision.detail).toContain('day_ends=2026-11-24T13:30:00.000Z')
  })

  test('CONSECUTIVE_LOSSES: 3 losses pause entries for 5 min; the pause ends exactly then', () => {
    const lastLossTs = at(NOW - 299_999)
    expectDenied(
      checkSubmit(buy(), ctx({ consecutiveLosses: 3, lastLossTs })),
      'CONSECUTIVE_LOSSES',
    )
    expectAllowed(checkSubmit(buy(), ctx({ consecutiveLosses: 3, lastLossTs: at(NOW - 300_000) })))
    expectAllowed(checkSubmit(sell(), ctx({ consecutiveLosses: 3, lastLossTs })))
  })

  test('CONSECUTIVE_LOSSES: 2 losses in a row are just inside', () => {
    expectAllowed(checkSubmit(buy(), ctx({ consecutiveLosses: 2, lastLossTs: NOW })))
  })
})

describe('per-order rules', () => {
  test('BOOK_STALE: a stale or resyncing book denies entries, not exits', () => {
    const stale = book({ stale: true, staleReason: 'best bid mismatch' })
    expectDenied(checkSubmit(buy(), ctx({ book: stale })), 'BOOK_STALE')
    expectAllowed(checkSubmit(sell(), ctx({ book: stale })))
    expectAllowed(checkSubmit(buy(), ctx({ book: book({ stale: false }) })))
  })

  test('FAT_FINGER: a buy 5 ticks above the ask passes, 6 ticks is denied', () => {
    expectAllowed(checkSubmit(buy({ price: px(0.55) }), ctx()))
    expectDenied(checkSubmit(buy({ price: px(0.56) }), ctx()), 'FAT_FINGER')
  })

  test('FAT_FINGER: a sell 5 ticks below the bid passes, 6 ticks is denied, even reducing', () => {
    expectAllowed(checkSubmit(sell({ price: px(0.44) }), ctx()))
    expectDenied(checkSubmit(sell({ price: px(0.43) }), ctx()), 'FAT_FINGER')
  })

  test('FAT_FINGER: with no asks a buy is measured from the bid; an empty book skips the rule', () => {
    expectDenied(
      checkSubmit(buy({ price: px(0.6) }), ctx({ book: book({ bestAsk: null }) })),
      'FAT_FINGER',
    )
    expectAllowed(
      checkSubmit(buy({ price: px(0.6) }), ctx({ book: book({ bestAsk: null, bestBid: null }) })),
    )
  })

  test('FAT_FINGER: protective exits may sweep through the book', () => {
    expectAllowed(checkSubmit(sell({ price: px(0.01) }), ctx({ protective: true })))
  })

  test('MAX_ORDER: exactly $1,000 passes, one micro more is denied', () => {
    expectAllowed(checkSubmit(buy({ size: sh(2000) }), ctx()))
    expectDenied(checkSubmit(buy({ size: sh(2000.000002) }), ctx()), 'MAX_ORDER')
  })

  test('MAX_ORDER: applies to exits too, but not to protective exits', () => {
    const held = sh(5000)
    expectDenied(checkSubmit(sell({ size: sh(4000) }), ctx({ heldShares: held })), 'MAX_ORDER')
    expectAllowed(
      checkSubmit(sell({ size: sh(4000) }), ctx({ heldShares: held, protective: true })),
    )
  })

  test('COOLDOWN: an entry 4,999 ms after the last is denied, 5,000 ms passes', () => {
    expectDenied(checkSubmit(buy(), ctx({ lastEntryTs: at(NOW - 4999) })), 'COOLDOWN')
    expectAllowed(checkSubmit(buy(), ctx({ lastEntryTs: at(NOW - 5000) })))
    expectAllowed(checkSubmit(sell(), ctx({ lastEntryTs: NOW })))
  })

  test('COOLDOWN: a cooldown of 0 switches the rule off', () => {
    const limits = makeRiskLimits({ tradeCooldownMs: 0 })
    expectAllowed(checkSubmit(buy(), ctx({ limits, lastEntryTs: NOW })))
  })

  test('SPREAD_TOO_WIDE: exactly 10× the baseline passes, more is denied, exits pass', () => {
    expectAllowed(checkSubmit(buy(), ctx({ book: book({ spreadBaselineTicks: 10 }) })))
    const thin = book({ spreadBaselineTicks: 9.9 })
    expectDenied(checkSubmit(buy(), ctx({ book: thin })), 'SPREAD_TOO_WIDE')
    expectAllowed(checkSubmit(sell(), ctx({ book: thin })))
  })

  test('SPREAD_TOO_WIDE: an unknown baseline or a one-sided book skips the rule', () => {
    expectAllowed(checkSubmit(buy(), ctx({ book: book({ spreadBaselineTicks: null }) })))
    expectAllowed(
      checkSubmit(buy(), ctx({ book: book({ spreadBaselineTicks: 1, bestAsk: null }) })),
    )
  })

  test('MAX_POSITION: reaching exactly $1,000 in the market passes, one micro more is denied', () => {
    expectAllowed(checkSubmit(buy(), ctx({ marketExposure: usdc(950) })))
    expectDenied(
      checkSubmit(buy(), ctx({ marketExposure: (usdc(950) + 1) as UsdcMicros })),
      'MAX_POSITION',
    )
    expectAllowed(checkSubmit(sell(), ctx({ marketExposure: usdc(5000) })))
  })

  test('NEEDS_APPROVAL: an automated $500 entry passes, above it needs approval', () => {
    const auto = ctx({ origin: 'automation' })
    expectAllowed(checkSubmit(buy({ size: sh(1000) }), auto))
    expectDenied(checkSubmit(buy({ size: sh(1000.000002) }), auto), 'NEEDS_APPROVAL')
  })

  test('NEEDS_APPROVAL: approved automated orders and orders from a person pass', () => {
    const big = buy({ size: sh(1800) })
    expectAllowed(checkSubmit(big, ctx({ origin: 'automation', approved: true })))
    expectAllowed(checkSubmit(big, ctx({ origin: 'ui' })))
    expectAllowed(checkSubmit(big, ctx({ origin: 'api' })))
    expectAllowed(
      checkSubmit(sell({ size: sh(1800) }), ctx({ origin: 'automation', heldShares: sh(2000) })),
    )
  })
})

describe('order of rules', () => {
  test('the first failing rule decides', () => {
    const everything = ctx({
      book: book({ stale: true, staleReason: 'no_snapshot' }),
      dayRealizedPnl: usdc(-600),
      lastEntryTs: NOW,
    })
    expectDenied(checkSubmit(buy(), everything), 'DAILY_LOSS')
    expectDenied(checkSubmit(buy({ price: px(0.505) }), everything), 'OFF_TICK')
  })
})

// ---- property: loosening limits never turns an approval into a denial ----

const LIMIT_KEYS_LOOSER_WHEN_HIGHER = [
  'maxPositionUsdc',
  'maxOrderUsdc',
  'maxDailyLossUsdc',
  'maxConsecutiveLosses',
  'maxApiErrorRatePct',
  'apiErrorMinSample',
  'maxDrawdownPct',
  'maxSpreadMultiple',
  'fatFingerTicks',
  'approvalAboveUsdc',
] as const
const LIMIT_KEYS_LOOSER_WHEN_LOWER = ['lossCooldownMs', 'tradeCooldownMs'] as const

const arbLimits: fc.Arbitrary<RiskLimits> = fc
  .record({
    maxPositionUsdc: fc.integer({ min: 1, max: 2_000 }),
    maxOrderUsdc: fc.integer({ min: 1, max: 2_000 }),
    maxDailyLossUsdc: fc.integer({ min: 1, max: 1_000 }),
    maxConsecutiveLosses: fc.integer({ min: 1, max: 5 }),
    lossCooldownMs: fc.integer({ min: 1, max: 600_000 }),
    tradeCooldownMs: fc.integer({ min: 0, max: 10_000 }),
    maxApiErrorRatePct: fc.integer({ min: 1, max: 100 }),
    apiErrorMinSample: fc.integer({ min: 1, max: 40 }),
    maxDrawdownPct: fc.integer({ min: 1, max: 100 }),
    maxSpreadMultiple: fc.integer({ min: 1, max: 20 }),
    fatFingerTicks: fc.integer({ min: 0, max: 10 }),
    approvalAboveUsdc: fc.integer({ min: 1, max: 1_000 }),
  })
  .map((r) => ({
    ...DEFAULT_RISK_LIMITS,
    ...r,
    maxPositionUsdc: usdc(r.maxPositionUsdc),
    maxOrderUsdc: usdc(r.maxOrderUsdc),
    maxDailyLossUsdc: usdc(r.maxDailyLossUsdc),
    approvalAboveUsdc: usdc(r.approvalAboveUsdc),
  }))

/** `base` with every limit loosened by a random amount (some by none). */
const arbLooser = (base: RiskLimits): fc.Arbitrary<RiskLimits> =>
  fc
    .tuple(
      fc.array(fc.nat({ max: 1_000_000_000 }), {
        minLength: LIMIT_KEYS_LOOSER_WHEN_HIGHER.length,
        maxLength: LIMIT_KEYS_LOOSER_WHEN_HIGHER.length,
      }),
      fc.array(fc.nat({ max: 600_000 }), {
        minLength: LIMIT_KEYS_LOOSER_WHEN_LOWER.length,
        maxLength: LIMIT_KEYS_LOOSER_WHEN_LOWER.length,
      }),
    )
    .map(([ups, downs]) => {
      const out: Record<string, number> = { ...base }
      LIMIT_KEYS_LOOSER_WHEN_HIGHER.forEach((key, i) => {
        const step = ups[i]! % 3 === 0 ? 0 : ups[i]!
        const scaled = key.endsWith('Usdc') ? step : step % 50
        out[key] = base[key] + scaled
      })
      LIMIT_KEYS_LOOSER_WHEN_LOWER.forEach((key, i) => {
        out[key] = Math.max(key === 'lossCooldownMs' ? 1 : 0, base[key] - downs[i]!)
      })
      return out as unknown as RiskLimits
    })

const arbRestriction: fc.Arbitrary<Restriction> = fc
  .record({
    mode: fc.constantFrom('halted' as const, 'reducing' as const),
    untilOffset: fc.option(fc.integer({ min: -10_000, max: 10_000 })),
  })
  .map(({ mode, untilOffset }) =>
    stateRestriction(
      'global',
      mode,
      'MANUAL',
      at(NOW - 20_000),
      untilOffset === null ? null : at(NOW + untilOffset),
    ),
  )

const arbCase = fc.record({
  order: fc.record({
    market: fc.constant(MARKET),
    tokenId: fc.constant(TOKEN),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    kind: fc.constantFrom('market' as const, 'limit' as const),
    price: fc.integer({ min: 1, max: 99 }).map((c) => (c * 100) as PriceTicks),
    size: fc.integer({ min: 0, max: 3_000 }).map((n) => sh(n)),
  }),
  book: fc.record({
    stale: fc.boolean(),
    bid: fc.integer({ min: 1, max: 98 }),
    width: fc.integer({ min: 1, max: 30 }),
    baseline: fc.option(fc.integer({ min: 1, max: 300 })),
    oneSided: fc.constantFrom('none', 'none', 'none', 'bid', 'ask'),
    closed: fc.boolean(),
  }),
  heldShares: fc.integer({ min: 0, max: 3_000 }).map((n) => sh(n)),
  marketExposure: fc.integer({ min: 0, max: 2_000 }).map((n) => usdc(n)),
  lastEntryAgo: fc.option(fc.integer({ min: 0, max: 20_000 })),
  dayRealizedPnl: fc.integer({ min: -1_500, max: 500 }).map((n) => usdc(n)),
  consecutiveLosses: fc.integer({ min: 0, max: 6 }),
  lastLossAgo: fc.option(fc.integer({ min: 0, max: 900_000 })),
  apiRequests: fc.integer({ min: 0, max: 60 }),
  apiErrorShare: fc.double({ min: 0, max: 1, noNaN: true }),
  equityHigh: fc.integer({ min: 0, max: 20_000 }).map((n) => usdc(n)),
  equityDrop: fc.double({ min: 0, max: 1, noNaN: true }),
  origin: fc.constantFrom('ui' as const, 'api' as const, 'automation' as const),
  approved: fc.boolean(),
  protective: fc.boolean(),
  restrictions: fc.array(arbRestriction, { maxLength: 2 }),
})

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never

function caseContext(c: Case, limits: RiskLimits): RiskContext {
  const bid = (c.book.bid * 100) as PriceTicks
  const ask = Math.min(9_900, bid + c.book.width * 100) as PriceTicks
  return ctx({
    limits,
    book: {
      stale: c.book.stale,
      staleReason: c.book.stale ? 'resync' : null,
      bestBid: c.book.oneSided === 'ask' ? null : bid,
      bestAsk: c.book.oneSided === 'bid' ? null : ask,
      tickSize: 100 as TickSize,
      minSize: sh(5),
      spreadBaselineTicks: c.book.baseline,
      closed: c.book.closed && c.book.bid % 7 === 0,
    },
    globalRestrictions: c.restrictions,
    heldShares: c.heldShares,
    marketExposure: c.marketExposure,
    lastEntryTs: c.lastEntryAgo === null ? null : at(NOW - c.lastEntryAgo),
    dayRealizedPnl: c.dayRealizedPnl,
    consecutiveLosses: c.consecutiveLosses,
    lastLossTs: c.lastLossAgo === null ? null : at(NOW - c.lastLossAgo),
    apiRequests: c.apiRequests,
    apiErrors: Math.floor(c.apiRequests * c.apiErrorShare * c.apiErrorShare),
    equityHigh: c.equityHigh,
    equity: Math.round(c.equityHigh * (1 - c.equityDrop * c.equityDrop)) as UsdcMicros,
    origin: c.origin,
    approved: c.approved,
    protective: c.protective,
  })
}

describe('property', () => {
  test('loosening any limit never turns an approval into a denial', () => {
    let approvals = 0
    let denials = 0
    fc.assert(
      fc.property(
        arbLimits.chain((base) => fc.tuple(fc.constant(base), arbLooser(base))),
        arbCase,
        ([strict, loose], c) => {
          const before = checkSubmit(c.order, caseContext(c, strict))
          const after = checkSubmit(c.order, caseContext(c, loose))
          if (before.ok) {
            approvals++
            expect(after).toEqual({ ok: true })
          } else {
            denials++
          }
        },
      ),
      { numRuns: 3_000 },
    )
    // The property must not hold vacuously.
    expect(approvals).toBeGreaterThan(100)
    expect(denials).toBeGreaterThan(100)
  })

  test('raising a single cap from its default never denies what the default allowed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LIMIT_KEYS_LOOSER_WHEN_HIGHER),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        arbCase,
        (key, raise, c) => {
          const raised = { ...DEFAULT_RISK_LIMITS, [key]: DEFAULT_RISK_LIMITS[key] + raise }
          if (checkSubmit(c.order, caseContext(c, DEFAULT_RISK_LIMITS)).ok) {
            expect(checkSubmit(c.order, caseContext(c, raised)).ok).toBe(true)
          }
        },
      ),
      { numRuns: 2_000 },
    )
  })

  test('every denial has a sentence carrying its detail values', () => {
    fc.assert(
      fc.property(arbLimits, arbCase, (limits, c) => {
        const decision = checkSubmit(c.order, caseContext(c, limits))
        if (!decision.ok) expectDenied(decision, decision.reason)
      }),
      { numRuns: 1_000 },
    )
  })
})
