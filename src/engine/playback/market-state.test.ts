import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { MarketEvent } from '../../domain/book/book-events.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import type { FrameParser } from '../market-data.js'
import { MarketData } from '../market-data.js'
import {
  captureMarketState,
  collectEventAssets,
  MARKET_STATE_LAYOUT,
  MarketStateError,
  restoreMarketState,
  StringTable,
} from './market-state.js'

const NO_PARSER: FrameParser = {
  parseText: () => ({ events: [], errors: [], ignored: true }),
  parseValue: () => ({ events: [], errors: [], ignored: true }),
}
const ASSETS = ['11', '22', '33'] as TokenId[]
const MARKET = '0xm' as MarketId
const META = { tLocal: 1, conn: 'c' }

const asset = fc.constantFrom(...ASSETS)
const price = fc.integer({ min: 0, max: 10_000 }).map((p) => p as PriceTicks)
const size = fc.integer({ min: 0, max: 5_000_000_000 }).map((s) => s as ShareMicros)
const ts = fc.integer({ min: 1, max: 2_000_000_000_000 }).map((t) => t as EpochMs)
const tick = fc.constantFrom(1000, 100, 10, 1).map((t) => t as TickSize)
const best = fc
  .option(price, { nil: undefined })
  .chain((p) => fc.constantFrom<PriceTicks | null | undefined>(p, null, undefined))
const levels = fc.array(fc.record({ price, size }), { maxLength: 6 })

const event: fc.Arbitrary<MarketEvent> = fc.oneof(
  fc.record({
    type: fc.constant('book' as const),
    market: fc.constant(MARKET),
    assetId: asset,
    tsVenue: ts,
    hash: fc.constant(''),
    bids: levels,
    asks: levels,
    tickSize: fc.option(tick, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('price_change' as const),
    market: fc.constant(MARKET),
    tsVenue: ts,
    shape: fc.constant('batched' as const),
    changes: fc.array(
      fc.record({
        assetId: asset,
        side: fc.constantFrom('bid' as const, 'ask' as const),
        price,
        size,
        bestBid: best,
        bestAsk: best,
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({
    type: fc.constant('tick_size_change' as const),
    market: fc.constant(MARKET),
    assetId: asset,
    tsVenue: ts,
    oldTickSize: tick,
    newTickSize: tick,
  }),
  fc.record({
    type: fc.constant('last_trade_price' as const),
    market: fc.constant(MARKET),
    assetId: asset,
    tsVenue: ts,
    price,
    size,
    side: fc.constantFrom('buy' as const, 'sell' as const),
    feeRateBps: fc.constant(null),
    transactionHash: fc.constant(null),
  }),
  fc.record({
    type: fc.constant('best_bid_ask' as const),
    market: fc.constant(MARKET),
    assetId: asset,
    tsVenue: ts,
    bestBid: fc.option(price, { nil: null }),
    bestAsk: fc.option(price, { nil: null }),
  }),
)

/** Everything a MarketData shows through its public API. */
function observe(market: MarketData): unknown {
  return {
    books: [...market.books.values()].map((b) => ({
      assetId: b.assetId,
      tick: b.tickSize,
      epoch: b.epoch,
      synced: b.synced,
      stale: b.staleReason,
      ts: b.lastUpdateTs,
      bids: b.levels('bid'),
      asks: b.levels('ask'),
    })),
    tops: ASSETS.map((id) => market.venueTop(id) ?? null),
    trades: ASSETS.map((id) => market.tradeStats(id) ?? null),
    counters: { ...market.counters },
  }
}

function roundTrip(market: MarketData, assets: Set<string>, strings: StringTable): MarketData {
  const state = captureMarketState(market, strings, assets)
  const restored = new MarketData(NO_PARSER)
  restoreMarketState(restored, state, strings.strings)
  return restored
}

describe('market state', () => {
  test('a restored MarketData is the captured one, after any event sequence', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.array(fc.nat(60)), (events, marks) => {
        const market = new MarketData(NO_PARSER)
        const assets = new Set<string>()
        const strings = new StringTable()
        const checkAt = new Set(marks)
        events.forEach((e, i) => {
          market.apply(e, META)
          collectEventAssets(e, assets)
          if (checkAt.has(i))
            expect(observe(roundTrip(market, assets, strings))).toEqual(observe(market))
        })
        const restored = roundTrip(market, assets, strings)
        expect(observe(restored)).toEqual(observe(market))
        // The restored one goes on exactly like the original.
        for (const e of events.slice(0, 10)) {
          market.apply(e, META)
          restored.apply(e, META)
        }
        expect(observe(restored)).toEqual(observe(market))
      }),
      { seed: 20260607, numRuns: 300 },
    )
  })

  test('stale reasons set from outside survive the round trip', () => {
    const market = new MarketData(NO_PARSER)
    market.apply(
      {
        type: 'book',
        market: MARKET,
        assetId: ASSETS[0]!,
        tsVenue: 5 as EpochMs,
        hash: '',
        bids: [],
        asks: [],
      },
      META,
    )
    market.book(ASSETS[0]!)!.markStale('operator_halt')
    const restored = roundTrip(market, new Set(), new StringTable())
    expect(restored.book(ASSETS[0]!)!.staleReason).toBe('operator_halt')
  })

  test('refuses a MarketData that already holds state', () => {
    const market = new MarketData(NO_PARSER)
    const state = captureMarketState(market, new StringTable(), [])
    market.apply(
      {
        type: 'best_bid_ask',
        market: MARKET,
        assetId: ASSETS[0]!,
        tsVenue: 1 as EpochMs,
        bestBid: null,
        bestAsk: null,
      },
      META,
    )
    expect(() => restoreMarketState(market, state, [])).toThrow(/fresh MarketData/)
  })

  test.each([
    ['another layout', (s: Float64Array) => ((s[0] = MARKET_STATE_LAYOUT + 1), s), /layout/],
    ['cut short', (s: Float64Array) => s.subarray(0, s.length - 3), /ends early/],
    ['trailing entries', (s: Float64Array) => Float64Array.from([...s, 0]), /after its end/],
    ['unknown string', (s: Float64Array) => ((s[13] = 99), s), /string index 99/],
    ['negative count', (s: Float64Array) => ((s[12] = -1), s), /count -1/],
  ])('rejects a damaged state: %s', (_name, damage, message) => {
    const market = new MarketData(NO_PARSER)
    market.apply(
      {
        type: 'book',
        market: MARKET,
        assetId: ASSETS[0]!,
        tsVenue: 5 as EpochMs,
        hash: '',
        bids: [{ price: 4000 as PriceTicks, size: 10 as ShareMicros }],
        asks: [],
      },
      META,
    )
    const strings = new StringTable()
    const state = damage(captureMarketState(market, strings, []))
    const fresh = new MarketData(NO_PARSER)
    expect(() => restoreMarketState(fresh, state, strings.strings)).toThrow(MarketStateError)
    expect(() => restoreMarketState(new MarketData(NO_PARSER), state, strings.strings)).toThrow(
      message,
    )
  })

  test('rejects a state that lists one book twice', () => {
    const market = new MarketData(NO_PARSER)
    market.apply(
      {
        type: 'book',
        market: MARKET,
        assetId: ASSETS[0]!,
        tsVenue: 5 as EpochMs,
        hash: '',
        bids: [],
        asks: [],
      },
      META,
    )
    const strings = new StringTable()
    const state = captureMarketState(market, strings, [])
    // layout, 11 counters, book count, then one book of 8 numbers; tops and trades counts.
    const book = Array.from(state.subarray(13, 21))
    const doubled = Float64Array.from([...state.subarray(0, 12), 2, ...book, ...book, 0, 0])
    expect(() => restoreMarketState(new MarketData(NO_PARSER), doubled, strings.strings)).toThrow(
      /twice/,
    )
  })
})
