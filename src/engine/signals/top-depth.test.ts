import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Level, MarketEvent } from '../../domain/book/book-events.js'
import type { OrderBook } from '../../domain/book/order-book.js'
import type { MarketId, Side, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { MarketData, type FrameParser } from '../market-data.js'
import { TopDepth } from './top-depth.js'

const MARKET = '0xm' as MarketId
const ASSETS = ['yes', 'no'] as const
const META = { tLocal: 0, conn: 'test' }
const NO_PARSER: FrameParser = {
  parseText: () => ({ events: [], errors: [], ignored: false }),
  parseValue: () => ({ events: [], errors: [], ignored: false }),
}

type Change = { asset: number; side: Side; tick: number; size: number }
type Step =
  | { kind: 'changes'; changes: Change[] }
  | { kind: 'book'; asset: number; bids: [number, number][]; asks: [number, number][] }
  | { kind: 'tick'; asset: number }

// Few price slots, so levels collide, empty out and refill often.
const arbTick = fc.integer({ min: 1, max: 40 })
const arbSize = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000_000_000 }))
const arbChange: fc.Arbitrary<Change> = fc.record({
  asset: fc.integer({ min: 0, max: 1 }),
  side: fc.constantFrom<Side>('bid', 'ask'),
  tick: arbTick,
  size: arbSize,
})
const arbLevels = fc.array(fc.tuple(arbTick, fc.integer({ min: 1, max: 1_000_000_000 })), {
  maxLength: 12,
})
const arbStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      kind: fc.constant('changes' as const),
      changes: fc.array(arbChange, { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('book' as const),
      asset: fc.integer({ min: 0, max: 1 }),
      bids: arbLevels,
      asks: arbLevels,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      asset: fc.integer({ min: 0, max: 1 }),
    }),
  },
)

function levels(pairs: readonly [number, number][]): Level[] {
  const seen = new Map<number, number>()
  for (const [tick, size] of pairs) seen.set(tick * 100, size)
  return [...seen].map(([price, size]) => ({
    price: price as PriceTicks,
    size: size as ShareMicros,
  }))
}

function eventOf(step: Step, ts: number): MarketEvent {
  const tsVenue = ts as EpochMs
  if (step.kind === 'changes') {
    return {
      type: 'price_change',
      market: MARKET,
      tsVenue,
      shape: 'batched',
      changes: step.changes.map((c) => ({
        // A fresh string each time, as the parser makes them.
        assetId: `${ASSETS[c.asset]}`.slice(0) as TokenId,
        side: c.side,
        price: (c.tick * 100) as PriceTicks,
        size: c.size as ShareMicros,
        bestBid: undefined,
        bestAsk: undefined,
      })),
    }
  }
  const assetId = ASSETS[step.asset] as TokenId
  if (step.kind === 'book') {
    return {
      type: 'book',
      market: MARKET,
      assetId,
      tsVenue,
      hash: '',
      bids: levels(step.bids),
      asks: levels(step.asks),
    }
  }
  return {
    type: 'tick_size_change',
    market: MARKET,
    assetId,
    tsVenue,
    oldTickSize: 100 as TickSize,
    newTickSize: 100 as TickSize,
  }
}

/** Feeds `steps` through MarketData and checks every update against a full count. */
function check(steps: readonly Step[], depthLevels: number): void {
  const trackers = new Map<string, TopDepth>()
  let checked = 0
  const md = new MarketData(NO_PARSER, {
    onBookChanged: (book: OrderBook, event) => {
      let tracker = trackers.get(book.assetId)
      if (tracker === undefined) {
        tracker = new TopDepth(depthLevels)
        trackers.set(book.assetId, tracker)
      }
      tracker.update(book, event)
      const depth = tracker.shares
      const expected = book.depthShares('bid', depthLevels) + book.depthShares('ask', depthLevels)
      expect(depth).toBe(expected)
      expect(tracker.bidShares).toBe(book.depthShares('bid', depthLevels))
      expect(tracker.askShares).toBe(book.depthShares('ask', depthLevels))
      checked++
    },
  })
  steps.forEach((step, i) => md.apply(eventOf(step, 1_000 + i), META))
  if (steps.length > 0) expect(checked).toBeGreaterThan(0)
}

describe('TopDepth', () => {
  test('equals the book count after every change, for any sequence of changes', () => {
    fc.assert(
      fc.property(
        fc.array(arbStep, { maxLength: 120 }),
        fc.integer({ min: 1, max: 6 }),
        (steps, depthLevels) => check(steps, depthLevels),
      ),
      { numRuns: 400 },
    )
  })

  test('a book with fewer levels than N, then filling past N, then emptying', () => {
    const steps: Step[] = []
    for (let t = 1; t <= 8; t++) {
      steps.push({
        kind: 'changes',
        changes: [{ asset: 0, side: 'bid', tick: t, size: t * 1_000_000 }],
      })
      steps.push({
        kind: 'changes',
        changes: [{ asset: 0, side: 'ask', tick: 40 - t, size: 7_000_000 }],
      })
    }
    for (let t = 8; t >= 1; t--) {
      steps.push({ kind: 'changes', changes: [{ asset: 0, side: 'bid', tick: t, size: 0 }] })
      steps.push({ kind: 'changes', changes: [{ asset: 0, side: 'ask', tick: 40 - t, size: 0 }] })
    }
    check(steps, 5)
  })

  test('several changes of one side in one event, in front of and behind the N-th level', () => {
    const fill: Change[] = [1, 2, 3, 4, 5, 6, 7].map((t) => ({
      asset: 0,
      side: 'bid' as const,
      tick: t,
      size: 1_000_000,
    }))
    check(
      [
        { kind: 'changes', changes: fill },
        // Remove the best level, then add one behind the old 5th: it is now inside the best 5.
        {
          kind: 'changes',
          changes: [
            { asset: 0, side: 'bid', tick: 7, size: 0 },
            { asset: 0, side: 'bid', tick: 2, size: 9_000_000 },
            { asset: 0, side: 'bid', tick: 1, size: 3_000_000 },
          ],
        },
        // The other asset's legs at the same prices change nothing here.
        { kind: 'changes', changes: [{ asset: 1, side: 'bid', tick: 6, size: 0 }] },
      ],
      5,
    )
  })

  test('after invalidate the next update counts from the book', () => {
    const md = new MarketData(NO_PARSER, {})
    md.apply(
      eventOf(
        { kind: 'changes', changes: [{ asset: 0, side: 'bid', tick: 3, size: 2_000_000 }] },
        1,
      ),
      META,
    )
    const book = md.book('yes')!
    const tracker = new TopDepth(5)
    const first = eventOf(
      { kind: 'changes', changes: [{ asset: 0, side: 'bid', tick: 3, size: 2_000_000 }] },
      2,
    )
    tracker.update(book, first)
    expect(tracker.shares).toBe(2)
    // A change the tracker is not told about, behind nothing (the list is not full).
    md.apply(
      eventOf(
        { kind: 'changes', changes: [{ asset: 0, side: 'bid', tick: 1, size: 4_000_000 }] },
        3,
      ),
      META,
    )
    tracker.invalidate()
    const next = eventOf(
      { kind: 'changes', changes: [{ asset: 0, side: 'ask', tick: 9, size: 1_000_000 }] },
      4,
    )
    md.apply(next, META)
    tracker.update(book, next)
    expect(tracker.shares).toBe(7)
  })

  test('bandShares: a level exactly N ticks from the mid counts, one tick further does not', () => {
    const md = new MarketData(NO_PARSER, {})
    // Mid 0.50 (ticks 45 and 55): the bids at 0.45 and the asks at 0.55 are 5 ticks away.
    const snapshot = eventOf(
      {
        kind: 'book',
        asset: 0,
        bids: [
          [45, 1_000_000],
          [44, 2_000_000],
        ],
        asks: [
          [55, 3_000_000],
          [56, 4_000_000],
        ],
      },
      1,
    )
    md.apply(snapshot, META)
    const book = md.book('yes')!
    const tracker = new TopDepth(5)
    tracker.update(book, snapshot)
    expect(tracker.shares).toBe(10)
    expect(tracker.bandShares(4500, 5500, 100)).toBe(4)
    // Around another centre (a one-sided book's last mid): 0.49 reaches 0.44-0.54, so both
    // bids and no ask.
    expect(tracker.bandSharesAround(2 * 4900, 100)).toBe(3)
    expect(tracker.bestBid).toBe(4500)
    expect(tracker.bestAsk).toBe(5500)
  })

  test('zero levels count nothing', () => {
    check([{ kind: 'changes', changes: [{ asset: 0, side: 'bid', tick: 3, size: 2_000_000 }] }], 0)
  })
})
