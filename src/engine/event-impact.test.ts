import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Level, MarketEvent, PriceChange } from '../domain/book/book-events.js'
import type { GameEvent } from '../domain/game-events.js'
import type { MarketId, TokenId } from '../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../domain/units.js'
import {
  ImpactTracker,
  normaliseOffsets,
  sampleBoundary,
  type EventImpact,
  type ImpactSample,
} from './event-impact.js'
import type { ParseResult } from './frame-parser.js'
import { MarketData } from './market-data.js'

const MARKET = '0xabc' as MarketId
const YES = '111' as TokenId
const NO = '222' as TokenId
const META = { tLocal: 1, conn: 'test' }
const T0 = 1_780_000_000_000

const px = (p: number): PriceTicks => p as PriceTicks
const sz = (s: number): ShareMicros => (s * 1_000_000) as ShareMicros
const at = (t: number): EpochMs => (T0 + t) as EpochMs
const lv = (p: number, s: number): Level => ({ price: px(p), size: sz(s) })

function snapshot(asset: TokenId, bids: Level[], asks: Level[], t: number): MarketEvent {
  return { type: 'book', market: MARKET, assetId: asset, tsVenue: at(t), hash: '', bids, asks }
}

/** One level change with the venue's best bid/ask after it (null = empty side). */
function level(
  t: number,
  asset: TokenId,
  side: 'bid' | 'ask',
  price: number,
  size: number,
  best?: [number | null, number | null],
): PriceChange {
  return {
    type: 'price_change',
    market: MARKET,
    tsVenue: at(t),
    shape: 'batched',
    changes: [
      {
        assetId: asset,
        side,
        price: px(price),
        size: sz(size),
        bestBid: best === undefined ? undefined : best[0] === null ? null : px(best[0]),
        bestAsk: best === undefined ? undefined : best[1] === null ? null : px(best[1]),
      },
    ],
  }
}

function trade(t: number, asset: TokenId, side: 'buy' | 'sell', size: number): MarketEvent {
  return {
    type: 'last_trade_price',
    market: MARKET,
    assetId: asset,
    tsVenue: at(t),
    price: px(5000),
    size: sz(size),
    side,
    feeRateBps: null,
    transactionHash: null,
  }
}

function goal(t: number, asset: TokenId | null = YES): GameEvent {
  return {
    market: null,
    assetId: asset,
    type: 'goal',
    team: 'VGK',
    player: null,
    score: null,
    mapNumber: null,
    note: null,
    ts: at(t),
    tsVideo: null,
    source: 'test',
  }
}

const noParser = {
  parseText: (): ParseResult => ({ events: [], errors: [], ignored: true }),
  parseValue: (): ParseResult => ({ events: [], errors: [], ignored: true }),
}

function setup(options: ConstructorParameters<typeof ImpactTracker>[0] = {}) {
  const tracker = new ImpactTracker(options)
  const md = new MarketData(noParser, tracker)
  const feed = (...events: MarketEvent[]): void => {
    for (const e of events) md.apply(e, META)
  }
  return { tracker, md, feed }
}

const byOffset = (impact: EventImpact): Record<string, ImpactSample> =>
  Object.fromEntries(impact.samples.map((s) => [String(s.offsetS), s]))

describe('offsets and boundaries', () => {
  test('offset 0 is strictly before the event; others include their boundary', () => {
    expect(sampleBoundary(10_000, 0)).toBe(9_999)
    expect(sampleBoundary(10_000, 5)).toBe(15_000)
    expect(sampleBoundary(10_000, -30)).toBe(-20_000)
  })

  test('offsets are sorted and validated', () => {
    expect(normaliseOffsets([10, -30, 0])).toEqual([-30, 0, 10])
    expect(() => normaliseOffsets([])).toThrow(/at least one offset/)
    expect(() => normaliseOffsets([5, 5])).toThrow(/given twice/)
    expect(() => normaliseOffsets([Number.NaN])).toThrow(/not a number of seconds/)
    expect(() => normaliseOffsets([4000])).toThrow(/within ±3600/)
    expect(() => normaliseOffsets([0.0001])).toThrow(/finer than a millisecond/)
  })

  test('a negative late tolerance is rejected', () => {
    expect(() => new ImpactTracker({ lateToleranceMs: -1 })).toThrow(/lateToleranceMs/)
  })
})

describe('ImpactTracker on a snapshot book', () => {
  test('samples mid, spread and depth at each boundary, frames at the boundary included', () => {
    const { tracker, feed } = setup({ offsetsS: [-10, 0, 5] })
    tracker.addEvent(goal(20_000))
    feed(
      snapshot(YES, [lv(4000, 10), lv(3900, 5)], [lv(4200, 7)], 0),
      // At exactly ts − 10 s: included in the −10 sample.
      level(10_000, YES, 'bid', 4100, 2, [4100, 4200]),
      level(12_000, YES, 'ask', 4150, 1, [4100, 4150]),
      // At exactly ts: not in the offset-0 sample, in the +5 one.
      level(20_000, YES, 'bid', 4140, 3, [4140, 4150]),
      level(25_000, YES, 'ask', 4400, 9, [4140, 4150]),
      level(25_001, YES, 'bid', 3000, 1, [4140, 4150]),
    )
    tracker.finish()
    const [impact] = tracker.results()
    expect(impact!.status).toBe('measured')
    const s = byOffset(impact!)
    expect(s['-10']).toMatchObject({
      status: 'ok',
      source: 'book',
      bestBid: 0.41,
      bestAsk: 0.42,
      bidDepth: 17,
      askDepth: 7,
      depth: 24,
    })
    expect(s['-10']!.mid).toBeCloseTo(0.415, 12)
    expect(s['0']).toMatchObject({ bestBid: 0.41, bestAsk: 0.415, depth: 25 })
    // 25_000 is the +5 boundary: the ask at 0.44 is in, the bid at 0.30 (25_001) is not.
    expect(s['5']).toMatchObject({ bestBid: 0.414, bestAsk: 0.415, askDepth: 17 })
    expect(s['5']!.spread).toBeCloseTo(0.001, 12)
    expect(s['5']!.bidDepth).toBe(20)
  })

  test('a book stale at the boundary gives no number, with the reason', () => {
    const { tracker, feed } = setup({ offsetsS: [0, 5] })
    tracker.addEvent(goal(10_000))
    feed(
      snapshot(YES, [lv(4000, 10)], [lv(4200, 7)], 0),
      // The venue says best bid 0.45, our book has 0.40: stale.
      level(12_000, YES, 'bid', 3000, 1, [4500, 4200]),
      level(20_000, YES, 'bid', 3100, 1, [4500, 4200]),
    )
    tracker.finish()
    const s = byOffset(tracker.results()[0]!)
    expect(s['0']).toMatchObject({ status: 'ok', mid: 0.41 })
    expect(s['5']).toMatchObject({
      status: 'stale',
      mid: null,
      spread: null,
      depth: null,
      source: null,
      staleReason: 'best_bid_mismatch',
    })
  })

  test('a one-sided book has no mid', () => {
    const { tracker, feed } = setup({ offsetsS: [0] })
    tracker.addEvent(goal(10_000))
    feed(snapshot(YES, [lv(4000, 10)], [], 0), level(11_000, YES, 'bid', 100, 1, [4000, null]))
    tracker.finish()
    expect(tracker.results()[0]!.samples[0]).toMatchObject({
      status: 'one_sided',
      bestBid: 0.4,
      bestAsk: null,
      mid: null,
    })
  })
})

describe('ImpactTracker without snapshots (venue top)', () => {
  test('mid and spread from the venue best bid/ask, depth null', () => {
    const { tracker, feed } = setup({ offsetsS: [0, 10] })
    tracker.addEvent(goal(10_000))
    feed(
      level(1_000, YES, 'bid', 5000, 10, [5000, 5200]),
      level(15_000, YES, 'ask', 5100, 10, [5000, 5100]),
      level(30_000, YES, 'ask', 5300, 10, [5000, 5100]),
    )
    tracker.finish()
    const s = byOffset(tracker.results()[0]!)
    expect(s['0']).toMatchObject({ status: 'ok', source: 'venue_top', mid: 0.51, depth: null })
    expect(s['10']).toMatchObject({ status: 'ok', source: 'venue_top', spread: 0.01 })
    expect(s['10']!.mid).toBeCloseTo(0.505, 12)
  })

  test('a book with neither snapshot nor venue top is stale (no_snapshot)', () => {
    const { tracker, feed } = setup({ offsetsS: [0] })
    tracker.addEvent(goal(10_000))
    feed(level(1_000, YES, 'bid', 5000, 10), level(20_000, NO, 'bid', 5000, 10))
    tracker.finish()
    expect(tracker.results()[0]!.samples[0]).toMatchObject({
      status: 'stale',
      staleReason: 'no_snapshot',
      mid: null,
    })
  })

  test('best_bid_ask events set the top too', () => {
    const { tracker, feed } = setup({ offsetsS: [0] })
    tracker.addEvent(goal(10_000))
    feed(
      {
        type: 'best_bid_ask',
        market: MARKET,
        assetId: YES,
        tsVenue: at(500),
        bestBid: px(3000),
        bestAsk: px(3400),
      },
      level(20_000, NO, 'bid', 5000, 10),
    )
    tracker.finish()
    expect(tracker.results()[0]!.samples[0]).toMatchObject({ status: 'ok', mid: 0.32 })
  })
})

describe('boundaries in arrival order', () => {
  test('a straggler at or below the boundary that arrives after it was crossed is not included', () => {
    const { tracker, feed } = setup({ offsetsS: [0] })
    tracker.addEvent(goal(10_000))
    feed(
      level(9_000, YES, 'bid', 5000, 10, [5000, 5200]),
      // Crosses the boundary (9_999) first ...
      level(10_500, NO, 'bid', 4000, 1),
      // ... so this one, stamped earlier, arrives too late for the offset-0 sample.
      level(9_500, YES, 'bid', 5100, 10, [5100, 5200]),
    )
    tracker.finish()
    expect(tracker.results()[0]!.samples[0]!.mid).toBe(0.51)
  })

  test('before and after the data', () => {
    const { tracker, feed } = setup({ offsetsS: [-30, 0, 60] })
    tracker.addEvent(goal(20_000))
    feed(
      level(1_000, YES, 'bid', 5000, 10, [5000, 5200]),
      level(30_000, YES, 'bid', 1, 1, [5000, 5200]),
    )
    tracker.finish()
    const s = byOffset(tracker.results()[0]!)
    expect(s['-30']).toMatchObject({ status: 'before_data', mid: null, tradeNetShares: null })
    expect(s['0']!.status).toBe('ok')
    expect(s['60']).toMatchObject({ status: 'after_data', mid: null })
  })

  test('a boundary equal to the last venue time resolves at the end of data', () => {
    const { tracker, feed } = setup({ offsetsS: [0, 5] })
    tracker.addEvent(goal(10_000))
    feed(
      level(1_000, YES, 'bid', 5000, 10, [5000, 5200]),
      level(15_000, YES, 'bid', 5100, 1, [5100, 5200]),
    )
    tracker.finish()
    expect(tracker.results()[0]!.samples[1]).toMatchObject({ status: 'ok', bestBid: 0.51 })
  })

  test('an asset never seen is no_data', () => {
    const { tracker, feed } = setup({ offsetsS: [0] })
    tracker.addEvent(goal(10_000, '999' as TokenId))
    feed(level(1_000, YES, 'bid', 5000, 10, [5000, 5200]), level(20_000, YES, 'bid', 1, 1))
    tracker.finish()
    expect(tracker.results()[0]!.samples[0]).toMatchObject({ status: 'no_data', mid: null })
  })
})

describe('trade flow', () => {
  test('net taker buy shares between offset 0 and each offset, signed by window', () => {
    const { tracker, feed } = setup({ offsetsS: [-10, 0, 10] })
    tracker.addEvent(goal(20_000))
    feed(
      level(1_000, YES, 'bid', 5000, 10, [5000, 5200]),
      trade(5_000, YES, 'buy', 100), // before the −10 window
      trade(10_001, YES, 'buy', 7), // in (ts − 10 s, ts)
      trade(19_999, YES, 'sell', 2),
      trade(20_000, YES, 'sell', 5), // at ts: in [ts, ts + 10 s]
      trade(30_000, YES, 'buy', 1),
      trade(25_000, NO, 'buy', 50), // another asset
      trade(30_001, YES, 'buy', 1000),
    )
    tracker.finish()
    const s = byOffset(tracker.results()[0]!)
    expect(s['-10']).toMatchObject({ tradeNetShares: 5, tradeShares: 9, trades: 2 })
    expect(s['0']).toMatchObject({ tradeNetShares: 0, tradeShares: 0, trades: 0 })
    expect(s['10']).toMatchObject({ tradeNetShares: -4, tradeShares: 6, trades: 2 })
  })
})

describe('events that cannot be measured', () => {
  test('an event without an asset is reported, not a crash', () => {
    const done: EventImpact[] = []
    const { tracker } = setup({ onComplete: (i) => done.push(i) })
    tracker.addEvent(goal(10_000, null))
    expect(done).toHaveLength(1)
    expect(done[0]).toMatchObject({ status: 'no_asset', samples: [], cluster: null })
  })

  test('an asset outside the followed set is untracked', () => {
    const { tracker } = setup({ assets: new Set([NO]) })
    tracker.addEvent(goal(10_000, YES))
    expect(tracker.results()[0]!.status).toBe('untracked_asset')
  })
})

describe('live: events added while data flows', () => {
  function stream(feed: (...events: MarketEvent[]) => void, fromS: number, toS: number): void {
    // The YES bid steps up one tick a second: the mid tells the second it was sampled at.
    for (let sec = fromS; sec <= toS; sec++) {
      const bid = 4000 + sec
      feed(level(sec * 1000, YES, 'bid', bid, 1, [bid, 6000]))
    }
  }

  test('an event logged 50 s late still gets its negative offsets, from bounded history', () => {
    const completed: EventImpact[] = []
    const { tracker, feed } = setup({
      offsetsS: [-30, 0, 10],
      onComplete: (i) => completed.push(i),
    })
    stream(feed, 0, 300)
    // The event happened at 240 s; it is logged at 290 s.
    tracker.addEvent(goal(240_000))
    // Every boundary is already behind the data: answered at once.
    expect(completed).toHaveLength(1)
    const s = byOffset(tracker.results()[0]!)
    expect(s['-30']!.bestBid).toBe(0.421) // 4000 + 210
    expect(s['0']!.bestBid).toBe(0.4239) // 4000 + 239
    expect(s['10']!.bestBid).toBe(0.425) // 4000 + 250
    // History is bounded: about 60 s + 30 s of one-a-second changes, not all 300.
    expect(tracker.historySize).toBeLessThan(110)
  })

  test('an event logged too late gets history_expired for what is gone', () => {
    const { tracker, feed } = setup({ offsetsS: [-30, 0, 10], lateToleranceMs: 60_000 })
    stream(feed, 0, 300)
    tracker.addEvent(goal(100_000))
    const s = byOffset(tracker.results()[0]!)
    expect(s['-30']!.status).toBe('history_expired')
    expect(s['0']!.status).toBe('history_expired')
    expect(s['10']!.status).toBe('history_expired')
  })

  test('an event logged before its time completes when the data passes it', () => {
    const completed: EventImpact[] = []
    const { tracker, feed } = setup({ offsetsS: [0, 5], onComplete: (i) => completed.push(i) })
    tracker.addEvent(goal(10_000))
    stream(feed, 0, 15)
    // The +5 s boundary (15 s) is not passed until a later venue time arrives.
    expect(completed).toHaveLength(0)
    stream(feed, 16, 16)
    expect(completed).toHaveLength(1)
    expect(completed[0]!.samples.map((s) => s.bestBid)).toEqual([0.4009, 0.4015])
  })
})

describe('against a naive model', () => {
  // Arbitrary arrival sequences with jittered (sometimes backwards) venue times. The model
  // replays a fresh MarketData up to the first event beyond each boundary and reads the venue top.
  type Step = { dt: number; asset: 0 | 1; bid: number; ask: number; trade: number }
  const arbStep = fc.record({
    dt: fc.integer({ min: -3_000, max: 5_000 }),
    asset: fc.constantFrom(0 as const, 1 as const),
    bid: fc.integer({ min: 1, max: 4999 }),
    ask: fc.integer({ min: 5000, max: 9999 }),
    trade: fc.integer({ min: -5, max: 5 }),
  })

  function toEvents(steps: Step[]): MarketEvent[] {
    let t = 0
    return steps.map((s) => {
      t = Math.max(0, t + s.dt)
      const asset = s.asset === 0 ? YES : NO
      if (s.trade !== 0) return trade(t, asset, s.trade > 0 ? 'buy' : 'sell', Math.abs(s.trade))
      return level(t, asset, 'bid', s.bid, 1, [s.bid, s.ask])
    })
  }

  function naiveMid(events: MarketEvent[], boundaryTs: number): number | null | 'outside' {
    const first = events.findIndex((e) => e.tsVenue > boundaryTs)
    if (first === 0) return 'outside'
    const max = Math.max(...events.map((e) => e.tsVenue))
    if (first < 0 && boundaryTs > max) return 'outside'
    const prefix = first < 0 ? events : events.slice(0, first)
    const md = new MarketData(noParser)
    for (const e of prefix) md.apply(e, META)
    const top = md.venueTop(YES)
    if (top === undefined || top.bestBid === null || top.bestAsk === null) return null
    return (top.bestBid + top.bestAsk) / 20_000
  }

  test('every sample equals the state after the events that arrived before the boundary was crossed', () => {
    fc.assert(
      fc.property(
        fc.array(arbStep, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: -5_000, max: 150_000 }), { minLength: 1, maxLength: 4 }),
        (steps, eventTimes) => {
          const events = toEvents(steps)
          const { tracker, feed } = setup({ offsetsS: [-10, 0, 5, 30] })
          for (const t of eventTimes) tracker.addEvent(goal(t))
          feed(...events)
          tracker.finish()
          for (const impact of tracker.results()) {
            for (const s of impact.samples) {
              const expected = naiveMid(events, s.boundaryTs)
              if (expected === 'outside') {
                expect(['before_data', 'after_data']).toContain(s.status)
              } else {
                expect(s.mid).toBe(expected)
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
