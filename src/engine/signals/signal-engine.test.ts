import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Level, LevelChange, MarketEvent } from '../../domain/book/book-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import type { ParseResult } from '../frame-parser.js'
import { MarketData } from '../market-data.js'
import { DEFAULT_SIGNAL_CONFIG, parseSignalConfig, type SignalConfig } from './config.js'
import { SignalEngine, type SignalEngineOptions } from './signal-engine.js'
import type { Reversion, Signal } from './types.js'

const MARKET = '0xmarket' as MarketId
const UNKNOWN = `0x${'0'.repeat(64)}` as MarketId
const YES = '111' as TokenId
const NO = '222' as TokenId
const META = { tLocal: 0, conn: 'test' }
/** Bucket-aligned start (a multiple of 30 s). */
const T0 = 1_800_000_000_000
const MIN = 60_000
/** Just past the 10-minute warm-up plus one minute of quiet baseline. */
const T1 = T0 + 11 * MIN

/**
 * SPEC 2.4's conditions only: the additions (order concentration, jump exclusion, withdrawn
 * depth, complement trades, no vacuum in a crowd burst, near-mid depth, hold time, one-sided
 * books) off, so each SPEC condition can be
 * tested on hand-built books that move in one step. The additions have their own tests below.
 */
const SPEC_ADDITIONS_OFF = {
  complementTrades: false,
  panicSell: { maxOrderShare: 1, excludeJump: false },
  fomoBuy: { maxOrderShare: 1, excludeJump: false },
  liquidityVacuum: {
    minWithdrawnShare: 0,
    excludeCrowd: false,
    bandDepth: false,
    holdMs: 0,
    oneSided: false,
  },
} as const

type Groups = Record<string, Record<string, unknown>>

/** `parseSignalConfig(user)` with {@link SPEC_ADDITIONS_OFF} under the user's `default`. */
function specConfig(user: { default?: Record<string, unknown>; [key: string]: unknown } = {}) {
  const merged: Record<string, unknown> = { ...SPEC_ADDITIONS_OFF }
  for (const [key, value] of Object.entries(user.default ?? {})) {
    const base = (SPEC_ADDITIONS_OFF as unknown as Groups)[key]
    merged[key] =
      typeof base === 'object' ? { ...base, ...(value as Record<string, unknown>) } : value
  }
  return parseSignalConfig({ ...user, default: merged })
}

const SPEC_ONLY = specConfig()

const noParser = {
  parseText: (): ParseResult => ({ events: [], errors: [], ignored: true }),
  parseValue: (): ParseResult => ({ events: [], errors: [], ignored: true }),
}

type BookShape = {
  /** Best bid and ask in ticks. */
  bid: number
  ask: number
  /** Shares on each of 5 levels per side. */
  size?: number
}

function levels(best: number, step: number, size: number): Level[] {
  const out: Level[] = []
  for (let k = 0; k < 5; k++) {
    out.push({ price: (best + k * step) as PriceTicks, size: (size * 1_000_000) as ShareMicros })
  }
  return out
}

/** MarketData + SignalEngine fed hand-built events; books 5 levels a side, 0.01 apart. */
class Harness {
  readonly signals: Signal[] = []
  readonly reversions: { signal: Signal; reversion: Reversion }[] = []
  readonly engine: SignalEngine
  readonly md: MarketData

  constructor(config: SignalConfig = SPEC_ONLY, options: SignalEngineOptions = {}) {
    this.engine = new SignalEngine(
      config,
      {
        onSignal: (s) => this.signals.push(s),
        onReversion: (signal, reversion) => this.reversions.push({ signal, reversion }),
      },
      options,
    )
    this.md = new MarketData(noParser, {
      onEvent: (e) => this.engine.onEvent(e),
      onBookChanged: (book, e) => this.engine.onBookChanged(book, e),
    })
  }

  book(asset: TokenId, t: number, shape: BookShape, market = MARKET): void {
    const size = shape.size ?? 100
    const event: MarketEvent = {
      type: 'book',
      market,
      assetId: asset,
      tsVenue: t as EpochMs,
      hash: '',
      bids: levels(shape.bid, -100, size),
      asks: levels(shape.ask, 100, size),
    }
    this.md.apply(event, META)
  }

  trade(asset: TokenId, t: number, shares: number, side: 'buy' | 'sell', market = MARKET): void {
    this.md.apply(
      {
        type: 'last_trade_price',
        market,
        assetId: asset,
        tsVenue: t as EpochMs,
        price: 5000 as PriceTicks,
        size: (shares * 1_000_000) as ShareMicros,
        side,
        feeRateBps: null,
        transactionHash: null,
      },
      META,
    )
  }

  /**
   * Quiet market from T0 until `until` (exclusive): book 0.49/0.51 with 100 shares per level
   * every second, a 10-share trade every 10 s alternating buy/sell. Baselines: 30 shares per
   * 30 s, spread 0.02, depth 1000 shares, mid 0.50.
   */
  warm(asset: TokenId | readonly TokenId[], until = T1, market = MARKET): void {
    const assets = typeof asset === 'string' ? [asset] : asset
    for (let t = T0; t < until; t += 1000) {
      for (const a of assets) {
        this.book(a, t, { bid: 4900, ask: 5100 }, market)
        if ((t - T0) % 10_000 === 0) {
          this.trade(a, t, 10, ((t - T0) / 10_000) % 2 === 0 ? 'buy' : 'sell', market)
        }
      }
    }
  }

  /** Three 40-share taker trades at T1 + 1..3 s. */
  burst(asset: TokenId, side: 'buy' | 'sell', market = MARKET, at = T1): void {
    for (let k = 1; k <= 3; k++) this.trade(asset, at + k * 1000, 40, side, market)
  }

  types(): string[] {
    return this.signals.map((s) => s.type)
  }
}

const PANIC_BOOK = { bid: 4400, ask: 4900 } // mid 0.465 (-0.035), spread 0.05 (2.5x)
const FOMO_BOOK = { bid: 5500, ask: 5700 } // mid 0.56 (+0.06), spread 0.02
const VACUUM_BOOK = { bid: 4900, ask: 5900, size: 40 } // spread 0.10 (5x), depth 400 (0.4x)

describe('PANIC_SELL', () => {
  test('fires when volume, spread, fall and sellers all hold', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    expect(h.signals).toEqual([])
    h.book(YES, T1 + 4000, PANIC_BOOK)
    expect(h.types()).toEqual(['PANIC_SELL'])
    const s = h.signals[0]!
    // Last 30 s: warm trades at T1-20 s and T1-10 s (10 each) plus 120 sold = 140 vs 30.
    expect(s.volumeRatio).toBeCloseTo(140 / 30, 9)
    expect(s.score).toBeCloseTo(140 / 30 / 5, 9)
    expect(s.spreadRatio).toBeCloseTo(2.5, 9)
    expect(s.depthRatio).toBeCloseTo(1, 9)
    expect(s.priceChange).toBeCloseTo(-0.035, 9)
    expect(s.refPrice).toBeCloseTo(0.465, 9)
    expect(s).toMatchObject({ id: 1, assetId: YES, market: MARKET, ts: T1 + 4000, mirrorOf: null })
    expect(s.inputs).toMatchObject({
      baselineVolume: 30,
      volume: 140,
      thresholdVolumeRatio: 3,
      thresholdSpreadRatio: 2,
      thresholdPriceDrop: 0.03,
      thresholdSellShare: 0.6,
      bestBid: 0.44,
      bestAsk: 0.49,
    })
    expect(s.inputs.baselineSpread).toBeCloseTo(0.02, 12)
    expect(s.inputs.baselineDepth).toBeCloseTo(1000, 9)
    expect(h.engine.counters).toMatchObject({ signals: 1, panicSell: 1 })
  })

  test('does not fire without the volume burst', () => {
    const h = new Harness()
    h.warm(YES)
    h.book(YES, T1 + 4000, PANIC_BOOK)
    expect(h.signals).toEqual([])
  })

  test('does not fire when the spread stays normal', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, { bid: 4600, ask: 4700 })
    expect(h.signals).toEqual([])
  })

  test('does not fire when the mid did not fall 0.03', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, { bid: 4600, ask: 5200 }) // mid 0.49, spread 0.06
    expect(h.signals).toEqual([])
  })

  test('does not fire when buyers were the aggressors', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'buy')
    h.book(YES, T1 + 4000, PANIC_BOOK)
    expect(h.signals).toEqual([])
  })

  test('never fires during warm-up', () => {
    const h = new Harness()
    const early = T0 + 5 * MIN
    h.warm(YES, early)
    h.burst(YES, 'sell', MARKET, early)
    h.book(YES, early + 4000, PANIC_BOOK)
    expect(h.signals).toEqual([])
  })

  test('a stale book never fires and does not feed the baselines', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.md.book(YES)!.markStale('best_bid_mismatch')
    // A level change on a stale book: MarketData still reports it, the engine ignores it.
    h.md.apply(
      {
        type: 'price_change',
        market: MARKET,
        tsVenue: (T1 + 4000) as EpochMs,
        shape: 'batched',
        changes: [change(YES, 'bid', 4900, 0, 4800, 5100)],
      },
      META,
    )
    expect(h.signals).toEqual([])
    expect(h.engine.counters.staleBookUpdates).toBe(1)
    // The resync snapshot brings it back.
    h.book(YES, T1 + 5000, PANIC_BOOK)
    expect(h.types()).toEqual(['PANIC_SELL'])
  })
})

function change(
  asset: TokenId,
  side: 'bid' | 'ask',
  price: number,
  size: number,
  bestBid: number | null,
  bestAsk: number | null,
): LevelChange {
  return {
    assetId: asset,
    side,
    price: price as PriceTicks,
    size: (size * 1_000_000) as ShareMicros,
    bestBid: bestBid as PriceTicks | null,
    bestAsk: bestAsk as PriceTicks | null,
  }
}

describe('stale books and baselines', () => {
  test('time on a stale book does not move the depth and spread baselines', () => {
    const h = new Harness()
    h.warm(YES)
    h.md.book(YES)!.markStale('best_bid_mismatch')
    for (let t = T1; t < T1 + 5 * MIN; t += 10_000) {
      // A thin, wide stale book for five minutes.
      h.md.apply(
        {
          type: 'price_change',
          market: MARKET,
          tsVenue: t as EpochMs,
          shape: 'batched',
          changes: [
            change(YES, 'bid', 4900, 1, 4900, 5100),
            change(YES, 'ask', 5100, 1, 4900, 5100),
          ],
        },
        META,
      )
    }
    h.book(YES, T1 + 5 * MIN + 1000, VACUUM_BOOK)
    expect(h.types()).toEqual(['LIQUIDITY_VACUUM'])
    expect(h.signals[0]!.inputs.baselineDepth).toBeCloseTo(1000, 9)
    expect(h.signals[0]!.inputs.baselineSpread).toBeCloseTo(0.02, 12)
    expect(h.engine.counters.staleBookUpdates).toBe(30)
  })

  test('a one-sided book is not usable', () => {
    const h = new Harness()
    h.warm(YES)
    h.md.apply(
      {
        type: 'book',
        market: MARKET,
        assetId: YES,
        tsVenue: (T1 + 1000) as EpochMs,
        hash: '',
        bids: [],
        asks: levels(5900, 100, 40),
      },
      META,
    )
    expect(h.signals).toEqual([])
    expect(h.engine.counters.staleBookUpdates).toBe(1)
  })
})

describe('FOMO_BUY', () => {
  test('fires when volume, rise and buyers hold', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'buy')
    h.book(YES, T1 + 4000, FOMO_BOOK)
    expect(h.types()).toEqual(['FOMO_BUY'])
    const s = h.signals[0]!
    expect(s.priceChange).toBeCloseTo(0.06, 9)
    expect(s.score).toBeCloseTo(140 / 30 / 5, 9)
    expect(s.inputs).toMatchObject({ thresholdPriceRise: 0.05, thresholdBuyShare: 0.6 })
  })

  test('does not fire on a rise under 0.05', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'buy')
    h.book(YES, T1 + 4000, { bid: 5300, ask: 5500 }) // +0.04
    expect(h.signals).toEqual([])
  })

  test('does not fire without the volume', () => {
    const h = new Harness()
    h.warm(YES)
    h.book(YES, T1 + 4000, FOMO_BOOK)
    expect(h.signals).toEqual([])
  })

  test('does not fire when sellers were the aggressors', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, FOMO_BOOK)
    expect(h.signals).toEqual([])
  })

  test('a trade can trigger it once the book has moved', () => {
    const h = new Harness()
    h.warm(YES)
    h.book(YES, T1 + 500, FOMO_BOOK)
    expect(h.signals).toEqual([])
    h.burst(YES, 'buy')
    // The second buy takes the 30 s volume to 20 + 80 = 100 (3.33x), buyers 90 %.
    expect(h.types()).toEqual(['FOMO_BUY'])
    expect(h.signals[0]!.ts).toBe(T1 + 2000)
  })
})

describe('LIQUIDITY_VACUUM', () => {
  test('fires when depth halves and the spread triples', () => {
    const h = new Harness()
    h.warm(YES)
    h.book(YES, T1 + 1000, VACUUM_BOOK)
    expect(h.types()).toEqual(['LIQUIDITY_VACUUM'])
    const s = h.signals[0]!
    expect(s.depthRatio).toBeCloseTo(0.4, 9)
    expect(s.spreadRatio).toBeCloseTo(5, 9)
    expect(s.score).toBeCloseTo(0.6, 9)
    expect(s.inputs).toMatchObject({ thresholdDepthRatio: 0.5, thresholdSpreadRatio: 3 })
  })

  test('does not fire when depth is above half', () => {
    const h = new Harness()
    h.warm(YES)
    h.book(YES, T1 + 1000, { ...VACUUM_BOOK, size: 60 })
    expect(h.signals).toEqual([])
  })

  test('does not fire when the spread is under 3x', () => {
    const h = new Harness()
    h.warm(YES)
    h.book(YES, T1 + 1000, { bid: 4900, ask: 5400, size: 40 }) // 0.05 = 2.5x
    expect(h.signals).toEqual([])
  })

  test('cooldown: one per type and token per 60 s', () => {
    const h = new Harness()
    h.warm(YES)
    for (let t = T1; t <= T1 + 65_000; t += 5000) h.book(YES, t, VACUUM_BOOK)
    expect(h.signals.map((s) => s.ts - T1)).toEqual([0, 60_000])
    expect(h.engine.counters.cooldownSuppressed).toBe(12)
  })

  test('unsynced books are ignored by default and usable when allowed and the venue agrees', () => {
    const run = (config: SignalConfig, venueAgrees: boolean): Harness => {
      const h = new Harness(config)
      // A recording that starts mid-stream: only level changes, never a snapshot.
      const setBook = (t: number, shape: BookShape, previous: BookShape | null): void => {
        const size = shape.size ?? 100
        const changes: LevelChange[] = []
        if (previous !== null) {
          for (const l of levels(previous.bid, -100, 0))
            changes.push(change(YES, 'bid', l.price, 0, null, null))
          for (const l of levels(previous.ask, 100, 0))
            changes.push(change(YES, 'ask', l.price, 0, null, null))
        }
        for (const l of levels(shape.bid, -100, size))
          changes.push(change(YES, 'bid', l.price, size, null, null))
        for (const l of levels(shape.ask, 100, size))
          changes.push(change(YES, 'ask', l.price, size, null, null))
        const last = changes.pop()!
        changes.push({
          ...last,
          bestBid: (venueAgrees ? shape.bid : shape.bid - 100) as PriceTicks,
          bestAsk: shape.ask as PriceTicks,
        })
        h.md.apply(
          {
            type: 'price_change',
            market: MARKET,
            tsVenue: t as EpochMs,
            shape: 'batched',
            changes,
          },
          META,
        )
      }
      const quiet = { bid: 4900, ask: 5100 }
      for (let t = T0; t < T1; t += 1000) setBook(t, quiet, t === T0 ? null : quiet)
      setBook(T1 + 1000, VACUUM_BOOK, quiet)
      return h
    }
    expect(run(SPEC_ONLY, true).signals).toEqual([])
    const allowed = specConfig({ allowUnsyncedBooks: true })
    expect(run(allowed, true).types()).toEqual(['LIQUIDITY_VACUUM'])
    expect(run(allowed, false).signals).toEqual([])
  })
})

describe('mirror moves on the complement token', () => {
  function pairRun(market: MarketId, options: SignalEngineOptions = {}, third = false): Harness {
    const h = new Harness(SPEC_ONLY, options)
    h.warm([YES, NO], T1, market)
    if (third) h.trade('333' as TokenId, T1, 1, 'buy', market)
    h.burst(YES, 'sell', market)
    h.burst(NO, 'buy', market)
    h.book(YES, T1 + 4000, PANIC_BOOK, market)
    h.book(NO, T1 + 5000, FOMO_BOOK, market)
    return h
  }

  test('a market with exactly two tokens pairs them: FOMO_BUY mirrors PANIC_SELL', () => {
    const h = pairRun(MARKET)
    expect(h.types()).toEqual(['PANIC_SELL', 'FOMO_BUY'])
    expect(h.signals[0]!.mirrorOf).toBeNull()
    expect(h.signals[1]!.mirrorOf).toBe(h.signals[0]!.id)
    expect(h.engine.counters.mirrored).toBe(1)
  })

  test('the all-zero placeholder market and markets with more tokens are never paired', () => {
    expect(pairRun(UNKNOWN).signals.map((s) => s.mirrorOf)).toEqual([null, null])
    expect(pairRun(MARKET, {}, true).signals.map((s) => s.mirrorOf)).toEqual([null, null])
  })

  test('complementOf pairs tokens the data cannot', () => {
    const complementOf = (a: string): string | null => (a === YES ? NO : a === NO ? YES : null)
    const h = pairRun(UNKNOWN, { complementOf })
    expect(h.signals[1]!.mirrorOf).toBe(1)
  })

  test('both sides of a vacuum mirror each other; the same type does not', () => {
    const h = new Harness()
    h.warm([YES, NO])
    h.book(YES, T1 + 1000, VACUUM_BOOK)
    h.book(NO, T1 + 2000, VACUUM_BOOK)
    expect(h.signals.map((s) => [s.type, s.mirrorOf])).toEqual([
      ['LIQUIDITY_VACUUM', null],
      ['LIQUIDITY_VACUUM', 1],
    ])
    const same = new Harness()
    same.warm([YES, NO])
    same.burst(YES, 'sell')
    same.burst(NO, 'sell')
    same.book(YES, T1 + 4000, PANIC_BOOK)
    same.book(NO, T1 + 5000, PANIC_BOOK)
    expect(same.signals.map((s) => s.mirrorOf)).toEqual([null, null])
  })

  test('a mirror older than the mirror window is a separate move', () => {
    const h = new Harness()
    h.warm([YES, NO])
    h.book(YES, T1 + 1000, VACUUM_BOOK)
    h.book(NO, T1 + 41_000, VACUUM_BOOK)
    expect(h.signals.map((s) => s.mirrorOf)).toEqual([null, null])
  })
})

describe('reversion', () => {
  test('reverted: time, retrace, mfe and mae of the fade', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, PANIC_BOOK) // ref 0.465, move -0.035
    h.book(YES, T1 + 20_000, { bid: 4300, ask: 4800 }) // 0.455: adverse 0.01
    h.book(YES, T1 + 60_000, { bid: 4500, ask: 5000 }) // 0.475: retrace 0.286
    expect(h.reversions).toEqual([])
    h.book(YES, T1 + 90_000, { bid: 4600, ask: 5100 }) // 0.485: retrace 0.571
    expect(h.reversions).toHaveLength(1)
    const { signal, reversion } = h.reversions[0]!
    expect(signal.id).toBe(1)
    expect(reversion.reverted).toBe(true)
    expect(reversion.reversionMs).toBe(86_000)
    expect(reversion.retrace).toBeCloseTo(0.02 / 0.035, 9)
    expect(reversion.mfe).toBeCloseTo(0.02, 9)
    expect(reversion.mae).toBeCloseTo(0.01, 9)
    expect(reversion.resolvedTs).toBe(T1 + 90_000)
    expect(h.engine.counters).toMatchObject({ reversionsResolved: 1, reverted: 1 })
  })

  test('not reverted within the horizon: settled when event time passes it', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, PANIC_BOOK)
    h.book(YES, T1 + 100_000, { bid: 4500, ask: 5000 }) // 0.475: retrace 0.286, mfe 0.01
    h.book(YES, T1 + 184_000, { bid: 4800, ask: 5300 }) // exactly at the horizon: 0.505 counts
    expect(h.reversions[0]!.reversion.reverted).toBe(true)

    const late = new Harness()
    late.warm(YES)
    late.burst(YES, 'sell')
    late.book(YES, T1 + 4000, PANIC_BOOK)
    late.book(YES, T1 + 100_000, { bid: 4500, ask: 5000 })
    late.book(YES, T1 + 184_001, { bid: 4800, ask: 5300 }) // 1 ms too late
    expect(late.reversions).toHaveLength(1)
    const { reversion } = late.reversions[0]!
    expect(reversion).toMatchObject({
      reverted: false,
      reversionMs: null,
      resolvedTs: T1 + 184_000,
    })
    expect(reversion.retrace).toBeCloseTo(0.01 / 0.035, 9)
    expect(reversion.mfe).toBeCloseTo(0.01, 9)
    expect(reversion.mae).toBe(0)
  })

  test('finish settles open reversions with what is known', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, PANIC_BOOK)
    h.book(YES, T1 + 10_000, { bid: 4200, ask: 4700 }) // 0.445: adverse 0.02
    h.engine.finish(T1 + 30_000)
    expect(h.reversions).toHaveLength(1)
    const { reversion } = h.reversions[0]!
    expect(reversion).toMatchObject({ reverted: false, reversionMs: null, resolvedTs: T1 + 30_000 })
    expect(reversion.mae).toBeCloseTo(0.02, 9)
    expect(reversion.retrace).toBe(0)
    h.engine.finish(T1 + 40_000)
    expect(h.reversions).toHaveLength(1)
  })

  test('finish without a time uses the latest venue time; with no data it does nothing', () => {
    const h = new Harness()
    h.engine.finish()
    h.warm(YES)
    h.book(YES, T1 + 1000, VACUUM_BOOK)
    h.book(YES, T1 + 9000, VACUUM_BOOK)
    h.engine.finish()
    expect(h.reversions.map((r) => r.reversion.resolvedTs)).toEqual([T1 + 9000])
  })

  test('a fade of a rise profits when the price falls back', () => {
    const h = new Harness()
    h.warm(YES)
    h.burst(YES, 'buy')
    h.book(YES, T1 + 4000, FOMO_BOOK) // ref 0.56, move +0.06
    h.book(YES, T1 + 30_000, { bid: 5200, ask: 5400 }) // 0.53: retrace 0.5
    expect(h.reversions[0]!.reversion).toMatchObject({ reverted: true, reversionMs: 26_000 })
    expect(h.reversions[0]!.reversion.mfe).toBeCloseTo(0.03, 9)
  })
})

describe('configuration', () => {
  test('a per-sport override applies to that sport only', () => {
    const config = specConfig({ sports: { cs2: { panicSell: { volumeRatio: 10 } } } })
    const sportOf = (a: string): string | null => (a === YES ? 'cs2' : 'valorant')
    const h = new Harness(config, { sportOf })
    h.warm([YES, NO])
    h.burst(YES, 'sell')
    h.burst(NO, 'sell')
    h.book(YES, T1 + 4000, PANIC_BOOK)
    h.book(NO, T1 + 4000, PANIC_BOOK)
    expect(h.signals.map((s) => [s.assetId, s.type, s.inputs.sport])).toEqual([
      [NO, 'PANIC_SELL', 'valorant'],
    ])
  })

  test('a disabled detector never fires', () => {
    const h = new Harness(specConfig({ default: { liquidityVacuum: { enabled: false } } }))
    h.warm(YES)
    h.book(YES, T1 + 1000, VACUUM_BOOK)
    expect(h.signals).toEqual([])
  })

  test('a shorter warm-up lets signals through earlier', () => {
    const h = new Harness(specConfig({ default: { warmupMs: 4 * MIN } }))
    const early = T0 + 5 * MIN
    h.warm(YES, early)
    h.book(YES, early + 1000, VACUUM_BOOK)
    expect(h.types()).toEqual(['LIQUIDITY_VACUUM'])
  })
})

describe('properties', () => {
  type Step =
    | { kind: 'book'; dt: number; bid: number; width: number; size: number; stale: boolean }
    | { kind: 'trade'; dt: number; shares: number; side: 'buy' | 'sell' }
  const arbStep: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('book' as const),
      dt: fc.integer({ min: 0, max: 20_000 }),
      bid: fc.integer({ min: 5, max: 80 }),
      width: fc.integer({ min: 1, max: 8 }),
      size: fc.integer({ min: 1, max: 500 }),
      stale: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('trade' as const),
      dt: fc.integer({ min: 0, max: 20_000 }),
      shares: fc.integer({ min: 1, max: 500 }),
      side: fc.constantFrom('buy' as const, 'sell' as const),
    }),
  )

  function play(steps: readonly Step[], config?: SignalConfig): Harness {
    const h = new Harness(config)
    let t = T0
    for (const step of steps) {
      t += step.dt
      const asset = step.dt % 2 === 0 ? YES : NO
      if (step.kind === 'trade') h.trade(asset, t, step.shares, step.side)
      else {
        h.book(asset, t, {
          bid: step.bid * 100,
          ask: (step.bid + step.width) * 100,
          size: step.size,
        })
        if (step.stale) h.md.book(asset)!.markStale('test')
      }
    }
    h.engine.finish(t)
    return h
  }

  test('no signal in warm-up, at most one per type and token per cooldown, every reversion settled once', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 400 }), (steps) => {
        const h = play(steps, specConfig({ default: { warmupMs: 60_000 } }))
        const last = new Map<string, number>()
        for (const s of h.signals) {
          expect(s.ts - T0).toBeGreaterThanOrEqual(60_000)
          expect(s.score).toBeGreaterThanOrEqual(0)
          expect(s.score).toBeLessThanOrEqual(1)
          const key = `${s.assetId}/${s.type}`
          const previous = last.get(key)
          if (previous !== undefined) expect(s.ts - previous).toBeGreaterThanOrEqual(60_000)
          last.set(key, s.ts)
        }
        expect(h.reversions.map((r) => r.signal.id).sort((a, b) => a - b)).toEqual(
          h.signals.map((s) => s.id),
        )
        for (const { reversion } of h.reversions) {
          expect(reversion.mfe).toBeGreaterThanOrEqual(0)
          expect(reversion.mae).toBeGreaterThanOrEqual(0)
        }
      }),
      { numRuns: 60 },
    )
  })

  test('the default warm-up holds for any sequence shorter than 10 minutes', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 200 }), (steps) => {
        const total = steps.reduce((sum, s) => sum + s.dt, 0)
        fc.pre(total < 10 * MIN)
        expect(play(steps).signals).toEqual([])
      }),
      { numRuns: 60 },
    )
  })
})

describe('additions to SPEC 2.4 (on by default)', () => {
  /** Rises 0.02 every 2 s from 0.50: mids 0.52, 0.54, 0.56, 0.58 at T1 + 4, 6, 8, 10 s. */
  function stepUp(h: Harness): void {
    for (let k = 1; k <= 4; k++) {
      h.book(YES, T1 + 2000 + 2000 * k, { bid: 4900 + 200 * k, ask: 5100 + 200 * k })
    }
  }

  test('FOMO_BUY: a rise made in one jump is a repricing, not the crowd', () => {
    const h = new Harness(DEFAULT_SIGNAL_CONFIG)
    h.warm(YES)
    h.burst(YES, 'buy')
    h.book(YES, T1 + 4000, FOMO_BOOK) // +0.06 at once
    expect(h.signals).toEqual([])
  })

  test('FOMO_BUY: a rise built over several steps fires once it reaches 0.05 without its largest jump', () => {
    const h = new Harness(DEFAULT_SIGNAL_CONFIG)
    h.warm(YES)
    h.burst(YES, 'buy')
    stepUp(h)
    // At 0.56 the rise is 0.06 but only 0.04 without the largest 1 s jump (0.02); at 0.58, 0.06.
    expect(h.types()).toEqual(['FOMO_BUY'])
    const s = h.signals[0]!
    expect(s.ts).toBe(T1 + 10_000)
    expect(s.priceChange).toBeCloseTo(0.08, 9)
    expect(s.inputs.largestJump).toBeCloseTo(0.02, 9)
    expect(s.inputs).toMatchObject({ jumpMs: 1000, excludeJump: true, thresholdMaxOrderShare: 0.5 })
    // Three orders of 40 in the window (the warm-up buy at T1 - 20 s has left it).
    expect(s.inputs.largestOrderShare).toBeCloseTo(40 / 120, 9)
  })

  test('FOMO_BUY: a longer jumpMs takes two steps as one jump', () => {
    const h = new Harness(parseSignalConfig({ default: { jumpMs: 4_000 } }))
    h.warm(YES)
    h.burst(YES, 'buy')
    stepUp(h)
    expect(h.signals).toEqual([])
  })

  test('PANIC_SELL: one order that is most of the selling is not a crowd', () => {
    const config = specConfig({ default: { panicSell: { maxOrderShare: 0.5 } } })
    const single = new Harness(config)
    single.warm(YES)
    // One taker order walking three levels: three prints with one venue time.
    for (let k = 0; k < 3; k++) single.trade(YES, T1 + 1000, 40, 'sell')
    single.book(YES, T1 + 4000, PANIC_BOOK)
    expect(single.signals).toEqual([])
    const crowd = new Harness(config)
    crowd.warm(YES)
    crowd.burst(YES, 'sell') // three orders at three times
    crowd.book(YES, T1 + 4000, PANIC_BOOK)
    expect(crowd.types()).toEqual(['PANIC_SELL'])
    expect(crowd.signals[0]!.inputs.largestOrderShare).toBeCloseTo(40 / 130, 9)
  })

  test('PANIC_SELL: the fall without its largest jump must reach priceDrop', () => {
    const h = new Harness(DEFAULT_SIGNAL_CONFIG)
    h.warm(YES)
    h.burst(YES, 'sell')
    h.book(YES, T1 + 4000, PANIC_BOOK) // -0.035 at once
    expect(h.signals).toEqual([])
    // Two more steps of 0.015 with a wide spread: -0.065 in all, -0.035 without the first jump.
    h.book(YES, T1 + 6000, { bid: 4250, ask: 4750 })
    expect(h.signals).toEqual([])
    h.book(YES, T1 + 8000, { bid: 4100, ask: 4600 })
    expect(h.types()).toEqual(['PANIC_SELL'])
    expect(h.signals[0]!.inputs.largestJump).toBeCloseTo(0.035, 9)
  })

  test('LIQUIDITY_VACUUM: depth consumed by takers is not a withdrawal', () => {
    // Top-N depth and no hold, so the book of one update is what is measured.
    const config = parseSignalConfig({
      default: { liquidityVacuum: { bandDepth: false, holdMs: 0 } },
    })
    const consumed = new Harness(config)
    consumed.warm(YES)
    // 700 shares traded: more than the 600 missing shares of depth.
    for (let k = 1; k <= 7; k++)
      consumed.trade(YES, T1 + k * 100, 100, k % 2 === 0 ? 'buy' : 'sell')
    consumed.book(YES, T1 + 1000, VACUUM_BOOK)
    expect(consumed.signals).toEqual([])
    const withdrawn = new Harness(config)
    withdrawn.warm(YES)
    withdrawn.book(YES, T1 + 1000, VACUUM_BOOK)
    expect(withdrawn.types()).toEqual(['LIQUIDITY_VACUUM'])
    // 600 of 1000 shares missing, 20 traded in the window (two warm-up trades).
    expect(withdrawn.signals[0]!.inputs.withdrawnShare).toBeCloseTo(1 - 20 / 600, 9)
    expect(withdrawn.signals[0]!.inputs.thresholdMinWithdrawnShare).toBe(0.5)
  })

  test('complement trades: takers buying NO are sellers of YES, and YES sees them', () => {
    const config = specConfig({ default: { complementTrades: true } })
    const h = new Harness(config)
    h.warm([YES, NO])
    // The crowd buys NO; YES's own trades are only the quiet ones.
    for (let k = 1; k <= 5; k++) h.trade(NO, T1 + k * 1000, 40, 'buy')
    h.book(YES, T1 + 6000, PANIC_BOOK)
    expect(h.types()).toEqual(['PANIC_SELL'])
    const s = h.signals[0]!
    // Each token counts both tokens' quiet trades: 30 per 30 s each, 60 in all.
    expect(s.inputs.baselineVolume).toBeCloseTo(60, 9)
    // Window: the quiet trades at T1 - 20 s (buys) and T1 - 10 s (sells) of both tokens, each
    // mirrored on the other, plus 200 bought NO = 200 sold YES.
    expect(s.inputs.volume).toBeCloseTo(240, 9)
    expect(s.inputs.sellVolume).toBeCloseTo(220, 9)
    expect(s.inputs.complementTrades).toBe(true)
    const own = new Harness(specConfig())
    own.warm([YES, NO])
    for (let k = 1; k <= 5; k++) own.trade(NO, T1 + k * 1000, 40, 'buy')
    own.book(YES, T1 + 6000, PANIC_BOOK)
    expect(own.signals).toEqual([])
  })

  test('complement trades: a trade of one token evaluates the other at once', () => {
    const h = new Harness(specConfig({ default: { complementTrades: true } }))
    h.warm([YES, NO])
    h.book(NO, T1, FOMO_BOOK)
    expect(h.signals).toEqual([])
    for (let k = 1; k <= 5; k++) h.trade(YES, T1 + k * 1000, 40, 'sell')
    // The fourth sell of YES brings NO's window to 200 shares, over 3x its baseline of 60.
    expect(h.signals.map((x) => [x.type, x.assetId, x.ts])).toEqual([['FOMO_BUY', NO, T1 + 4000]])
  })

  test('complement trades need a known complement: unpaired tokens keep their own trades', () => {
    const h = new Harness(specConfig({ default: { complementTrades: true } }))
    h.warm([YES, NO], T1, UNKNOWN)
    for (let k = 1; k <= 5; k++) h.trade(NO, T1 + k * 1000, 40, 'buy', UNKNOWN)
    h.book(YES, T1 + 6000, PANIC_BOOK, UNKNOWN)
    expect(h.signals).toEqual([])
  })

  test('LIQUIDITY_VACUUM: a thin book while a one-sided crowd trades is the crowd, not a vacuum', () => {
    const crowdConfig = specConfig({ default: { liquidityVacuum: { excludeCrowd: true } } })
    const crowd = new Harness(crowdConfig)
    crowd.warm(YES)
    crowd.burst(YES, 'sell') // 140 shares in the window vs 30: 4.7x, 93 % sold
    crowd.book(YES, T1 + 4000, VACUUM_BOOK)
    expect(crowd.signals).toEqual([])
    const off = new Harness(specConfig())
    off.warm(YES)
    off.burst(YES, 'sell')
    off.book(YES, T1 + 4000, VACUUM_BOOK)
    expect(off.types()).toEqual(['LIQUIDITY_VACUUM'])
    // As heavy but two-sided: not a crowd by the crowd detectors' aggressor shares.
    const mixed = new Harness(crowdConfig)
    mixed.warm(YES)
    for (let k = 1; k <= 4; k++) mixed.trade(YES, T1 + k * 1000, 30, k % 2 === 0 ? 'buy' : 'sell')
    mixed.book(YES, T1 + 5000, VACUUM_BOOK)
    expect(mixed.types()).toEqual(['LIQUIDITY_VACUUM'])
    expect(mixed.signals[0]!.inputs.excludeCrowd).toBe(true)
    // A quiet window is never a crowd.
    const quiet = new Harness(crowdConfig)
    quiet.warm(YES)
    quiet.book(YES, T1 + 1000, VACUUM_BOOK)
    expect(quiet.types()).toEqual(['LIQUIDITY_VACUUM'])
  })

  /** Quiet book then `bids` / `asks` (price ticks, 100 shares each) from `at` on. */
  function levelsBook(h: Harness, t: number, bids: number[], asks: number[]): void {
    const level = (price: number): Level => ({
      price: price as PriceTicks,
      size: 100_000_000 as ShareMicros,
    })
    h.md.apply(
      {
        type: 'book',
        market: MARKET,
        assetId: YES,
        tsVenue: t as EpochMs,
        hash: '',
        bids: bids.map(level),
        asks: asks.map(level),
      },
      META,
    )
  }

  test('LIQUIDITY_VACUUM bandDepth: far levels that move up into the top 5 do not hide the hole', () => {
    // The makers within 5 ticks of the mid pulled; five levels a side remain from 7 ticks out:
    // top-5 depth is the baseline's 1000 shares, near-mid depth is 0. Spread 0.14 (7x).
    const far = (h: Harness) =>
      levelsBook(h, T1 + 1000, [4300, 4200, 4100, 4000, 3900], [5700, 5800, 5900, 6000, 6100])
    const band = new Harness(specConfig({ default: { liquidityVacuum: { bandDepth: true } } }))
    band.warm(YES)
    far(band)
    expect(band.types()).toEqual(['LIQUIDITY_VACUUM'])
    expect(band.signals[0]!.depthRatio).toBeCloseTo(1, 9)
    expect(band.signals[0]!.inputs).toMatchObject({ bandDepth: 0, vacuumDepthRatio: 0 })
    const levels = new Harness(specConfig())
    levels.warm(YES)
    far(levels)
    expect(levels.signals).toEqual([])
    // Just inside the band: the levels exactly 5 ticks from the mid (0.45, 0.55) still count,
    // so 3 of 5 levels a side are 0.6 of the baseline: no vacuum (without them, 0.4 would be).
    const inside = new Harness(specConfig({ default: { liquidityVacuum: { bandDepth: true } } }))
    inside.warm(YES)
    levelsBook(
      inside,
      T1 + 2000,
      [4700, 4600, 4500, 4400, 4300],
      [5300, 5400, 5500, 5600, 5700], // spread 0.06 (3x), 3 levels a side within 5 ticks
    )
    expect(inside.signals).toEqual([])
  })

  test('LIQUIDITY_VACUUM holdMs: the thin, wide book must hold for 1 s', () => {
    const config = specConfig({ default: { liquidityVacuum: { holdMs: 1000 } } })
    const h = new Harness(config)
    h.warm(YES)
    h.book(YES, T1 + 1000, VACUUM_BOOK)
    h.book(YES, T1 + 1999, VACUUM_BOOK) // held 999 ms: not yet
    expect(h.signals).toEqual([])
    h.book(YES, T1 + 2000, VACUUM_BOOK)
    expect(h.types()).toEqual(['LIQUIDITY_VACUUM'])
    expect(h.signals[0]!.ts).toBe(T1 + 2000)
    expect(h.signals[0]!.inputs).toMatchObject({ heldMs: 1000, holdMs: 1000 })
    // A thin book replaced by a normal one within the hold never held: the clock restarts.
    const flicker = new Harness(config)
    flicker.warm(YES)
    flicker.book(YES, T1 + 1000, VACUUM_BOOK)
    flicker.book(YES, T1 + 1500, { bid: 4900, ask: 5100 })
    flicker.book(YES, T1 + 1600, VACUUM_BOOK)
    flicker.book(YES, T1 + 2100, VACUUM_BOOK)
    expect(flicker.signals).toEqual([])
    flicker.book(YES, T1 + 2600, VACUUM_BOOK)
    expect(flicker.signals.map((s) => s.ts - T1)).toEqual([2600])
  })

  test('LIQUIDITY_VACUUM oneSided: a side with every quote pulled is a vacuum, unless out of ticks', () => {
    const config = specConfig({ default: { liquidityVacuum: { oneSided: true } } })
    const h = new Harness(config)
    h.warm(YES)
    // Every bid pulled; asks at 0.59-0.63, 100 shares each: 500 of the 1000-share baseline.
    levelsBook(h, T1 + 1000, [], [5900, 6000, 6100, 6200, 6300])
    expect(h.types()).toEqual(['LIQUIDITY_VACUUM'])
    expect(h.signals[0]!.spreadRatio).toBeNull()
    expect(h.signals[0]!.depthRatio).toBeCloseTo(0.5, 9)
    expect(h.signals[0]!.inputs).toMatchObject({ oneSided: true, bestBid: null, bestAsk: 0.59 })
    const off = new Harness(specConfig())
    off.warm(YES)
    levelsBook(off, T1 + 1000, [], [5900, 6000, 6100, 6200, 6300])
    expect(off.signals).toEqual([])
    // Near the top of the price range the asks run out of ticks: at a mid of 0.955 only four
    // ask prices are left within 5 ticks (0.96-0.99), so an empty ask side is the grid.
    const nearTop = (mid2: number) => {
      const g = new Harness(config)
      const bid = (mid2 - 100) / 2
      for (let t = T0; t < T1; t += 1000) {
        const asks: number[] = []
        for (let p = bid + 100; p <= 9900 && asks.length < 5; p += 100) asks.push(p)
        levelsBook(g, t, [bid, bid - 100, bid - 200, bid - 300, bid - 400], asks)
      }
      levelsBook(g, T1 + 1000, [bid, bid - 100], [])
      return g
    }
    expect(nearTop(2 * 9550).signals).toEqual([])
    // Just inside: at 0.945 the five ask prices 0.95-0.99 fit, and the empty side is a vacuum.
    expect(nearTop(2 * 9450).types()).toEqual(['LIQUIDITY_VACUUM'])
  })
})
