import { describe, expect, test } from 'vitest'
import type { BookView } from '../book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../units.js'
import { FADE_DEFAULTS, panicFade } from './fade.js'
import { STRATEGIES, strategyByName } from './index.js'
import { kellyFraction, sharesFor, type Sizing } from './sizing.js'
import {
  StrategyParamError,
  type PositionView,
  type StrategyContext,
  type StrategySignal,
} from './strategy.js'

const SHARES = 1_000_000
const Y = 'y' as TokenId

function book(bid: number | null, ask: number | null, stale = false): BookView {
  return {
    assetId: Y,
    tickSize: 100 as TickSize,
    stale,
    staleReason: stale ? 'no_snapshot' : null,
    lastUpdateTs: 0 as EpochMs,
    bestBid: () => bid as PriceTicks | null,
    bestAsk: () => ask as PriceTicks | null,
    mid: () => (bid === null || ask === null ? null : (bid + ask) / 20_000),
  } as unknown as BookView
}

function ctx(b: BookView | undefined, sizing: Sizing, now = 1_000): StrategyContext {
  return {
    now: () => now as EpochMs,
    book: () => b,
    midAt: () => null,
    complementOf: () => null,
    meta: () => ({
      tickSize: 100 as TickSize,
      minSize: (5 * SHARES) as ShareMicros,
      feeRateBps: 0,
      secondsDelay: 0,
    }),
    equity: () => (1000 * SHARES) as UsdcMicros,
    lastGameEvent: () => null,
    sizing,
  }
}

const FIXED: Sizing = { kind: 'fixed', shares: (10 * SHARES) as ShareMicros }
const panic: StrategySignal = {
  id: 1,
  type: 'PANIC_SELL',
  assetId: Y,
  market: 'm' as MarketId,
  ts: 1_000 as EpochMs,
  score: 0.8,
  priceChange: -0.04,
  refPrice: 0.46,
  mirrorOf: null,
}

describe('fade entry', () => {
  const instance = panicFade.create(panicFade.parseParams({}))

  test('plans target, stop, deadline and a worst price 0.02 above the ask', () => {
    const decision = instance.onSignal(panic, ctx(book(4500, 4700), FIXED))
    expect(decision).toEqual({
      kind: 'enter',
      tokenId: Y,
      size: 10 * SHARES,
      maxPrice: 4900,
      exit: { targetMid: 0.46 + 0.02, stopMid: 0.46 - 0.04, deadline: 181_000 },
    })
  })

  test('score exactly at the threshold enters; below it does not', () => {
    expect(instance.onSignal({ ...panic, score: 0.7 }, ctx(book(4500, 4700), FIXED)).kind).toBe(
      'enter',
    )
    expect(instance.onSignal({ ...panic, score: 0.6999 }, ctx(book(4500, 4700), FIXED))).toEqual({
      kind: 'skip',
      reason: 'below_threshold',
    })
  })

  test.each([
    ['stale_book', book(4500, 4700, true)],
    ['stale_book', undefined],
    ['one_sided_book', book(null, 4700)],
  ] as const)('skips with %s', (reason, b) => {
    expect(instance.onSignal(panic, ctx(b, FIXED))).toEqual({ kind: 'skip', reason })
  })

  test('skips a size under the minimum and a Kelly stake without edge', () => {
    const small: Sizing = { kind: 'fixed', shares: (4 * SHARES) as ShareMicros }
    expect(instance.onSignal(panic, ctx(book(4500, 4700), small))).toEqual({
      kind: 'skip',
      reason: 'below_min_size',
    })
    // Ask 0.47: win 0.01, loss 0.05 per share; p = 0.8 → f* = 0.8 − 0.2 / 0.2 = −0.2.
    expect(
      instance.onSignal(panic, ctx(book(4500, 4700), { kind: 'kelly', fraction: 0.5 })),
    ).toEqual({
      kind: 'skip',
      reason: 'no_edge',
    })
  })
})

describe('fade exits', () => {
  const instance = panicFade.create(panicFade.parseParams({}))
  const position: PositionView = {
    market: 'm' as MarketId,
    tokenId: Y,
    size: (10 * SHARES) as ShareMicros,
    signal: panic,
    entryPrice: 4700,
    exit: { targetMid: 0.48, stopMid: 0.42, deadline: 181_000 as EpochMs },
  }
  test.each([
    [4700, 4900, 1_000, 'target'],
    [4600, 4800, 1_000, null],
    [4100, 4300, 1_000, 'stop'],
    [4600, 4800, 181_000, 'timeout'],
  ] as const)('bid %i ask %i at %i → %s', (bid, ask, now, expected) => {
    expect(instance.onTick(position, ctx(book(bid, ask), FIXED, now))).toBe(expected)
  })

  test('no price exit on a stale book, but the deadline still holds', () => {
    expect(instance.onTick(position, ctx(book(4100, 4300, true), FIXED))).toBeNull()
    expect(instance.onTick(position, ctx(book(4100, 4300, true), FIXED, 181_000))).toBe('timeout')
  })
})

describe('parameters', () => {
  test('defaults and overrides, numbers as text accepted', () => {
    expect(panicFade.parseParams({})).toEqual(FADE_DEFAULTS)
    expect(panicFade.parseParams({ threshold: '0.8', timeoutS: 60 })).toMatchObject({
      threshold: 0.8,
      timeoutS: 60,
    })
  })

  test.each([
    [{ thresold: 0.8 }, /panic_fade has no parameter "thresold"; known: threshold, retrace/],
    [{ threshold: 1.5 }, /threshold must be a number in \[0, 1\]; got 1.5/],
    [{ timeoutS: 'soon' }, /timeoutS must be a number in \[1, 86400\]; got "soon"/],
    [{ retrace: '' }, /retrace must be a number/],
  ])('rejects %j', (overrides, message) => {
    expect(() => panicFade.parseParams(overrides)).toThrow(StrategyParamError)
    expect(() => panicFade.parseParams(overrides)).toThrow(message)
  })

  test('registry', () => {
    expect(STRATEGIES.map((s) => s.name)).toEqual(['panic_fade', 'fomo_fade', 'vacuum'])
    expect(strategyByName('fomo_fade')?.name).toBe('fomo_fade')
    expect(strategyByName('nope')).toBeUndefined()
  })
})

describe('sizing', () => {
  test('Kelly fraction p − (1 − p) / b', () => {
    expect(kellyFraction({ winProbability: 0.6, winPerShare: 0.1, lossPerShare: 0.1 })).toBeCloseTo(
      0.2,
    )
    expect(kellyFraction({ winProbability: 0.5, winPerShare: 0.2, lossPerShare: 0.1 })).toBeCloseTo(
      0.25,
    )
    expect(kellyFraction({ winProbability: 0.9, winPerShare: 0, lossPerShare: 0.1 })).toBe(0)
  })

  test('fractional Kelly risks fraction × f* × equity at the stop, rounded down to 0.01 share', () => {
    // f* = 0.2, half → 0.1 × $1000 = $100 at risk; loss $0.10 per share → 1000 shares, but
    // $1000 buys only 2000 shares at 0.50: 1000 shares.
    const shares = sharesFor(
      { kind: 'kelly', fraction: 0.5 },
      5000 as PriceTicks,
      (1000 * SHARES) as UsdcMicros,
      { winProbability: 0.6, winPerShare: 0.1, lossPerShare: 0.1 },
    )
    expect(shares).toBe(1000 * SHARES)
    // Capped by what the equity can pay for.
    const capped = sharesFor(
      { kind: 'kelly', fraction: 1 },
      5000 as PriceTicks,
      (10 * SHARES) as UsdcMicros,
      { winProbability: 0.9, winPerShare: 0.1, lossPerShare: 0.001 },
    )
    expect(capped).toBe(20 * SHARES)
  })

  test('fixed sizing rounds down to 0.01 share', () => {
    const shares = sharesFor(
      { kind: 'fixed', shares: 12_345_678 as ShareMicros },
      5000 as PriceTicks,
      0 as UsdcMicros,
      { winProbability: 0, winPerShare: 0, lossPerShare: 0 },
    )
    expect(shares).toBe(12_340_000)
  })
})
