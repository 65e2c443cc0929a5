import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { NaiveBook } from '../../../test/support/naive-book.js'
import { InvariantError } from '../errors.js'
import { asTokenId, TICK_SIZES, type Side, type TickSize } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'
import type { Level } from './book-events.js'
import { OrderBook, PRICE_SLOTS, type BookView } from './order-book.js'

const TOKEN = asTokenId(
  '71321045679252212594626385532706912750332728571942532289631379312455583992563',
)
const TICK_0_01 = 100 as TickSize
const TICK_0_001 = 10 as TickSize

const px = (ticks: number): PriceTicks => ticks as PriceTicks
const sz = (micros: number): ShareMicros => micros as ShareMicros
const ts = (ms: number): EpochMs => ms as EpochMs
const lv = (price: number, size: number): Level => ({ price: px(price), size: sz(size) })
/** Shares to micros, for readable hand-computed examples. */
const shares = (n: number): number => Math.round(n * 1_000_000)

function bookWith(bids: readonly Level[], asks: readonly Level[]): OrderBook {
  const book = OrderBook.empty(TOKEN, TICK_0_01)
  book.replace(bids, asks, ts(1000))
  return book
}

/** Everything observable about a book's state, for whole-book comparisons. */
function stateOf(book: BookView) {
  return {
    tickSize: book.tickSize,
    epoch: book.epoch,
    synced: book.synced,
    stale: book.stale,
    staleReason: book.staleReason,
    bestBid: book.bestBid(),
    bestAsk: book.bestAsk(),
    bidCount: book.levelCount('bid'),
    askCount: book.levelCount('ask'),
    bids: book.levels('bid'),
    asks: book.levels('ask'),
    crossed: book.isCrossed(),
  }
}

describe('OrderBook.empty', () => {
  test('starts empty, in epoch 0, unsynced and stale for want of a snapshot', () => {
    const book = OrderBook.empty(TOKEN, TICK_0_01)

    expect(book.assetId).toBe(TOKEN)
    expect(book.tickSize).toBe(100)
    expect(book.epoch).toBe(0)
    expect(book.synced).toBe(false)
    expect(book.stale).toBe(true)
    expect(book.staleReason).toBe('no_snapshot')
    expect(book.lastUpdateTs).toBe(0)
    expect(book.bestBid()).toBeNull()
    expect(book.bestAsk()).toBeNull()
    expect(book.levelCount('bid')).toBe(0)
    expect(book.levelCount('ask')).toBe(0)
    expect(book.levels('bid')).toEqual([])
    expect(book.levels('ask')).toEqual([])
    expect(book.isCrossed()).toBe(false)
    expect(book.sizeAt('bid', px(5000))).toBe(0)
  })

  test('every metric is null or zero on an empty book', () => {
    const book = OrderBook.empty(TOKEN, TICK_0_01)

    expect(book.mid()).toBeNull()
    expect(book.microprice()).toBeNull()
    expect(book.spread()).toBeNull()
    expect(book.spreadTicks()).toBeNull()
    expect(book.spreadBps()).toBeNull()
    expect(book.depthShares('bid', 5)).toBe(0)
    expect(book.depthUsd('ask', 5)).toBe(0)
    expect(book.imbalance(5)).toBeNull()
  })

  test('rejects a tick size the venue does not use', () => {
    expect(() => OrderBook.empty(TOKEN, 3 as TickSize)).toThrow(InvariantError)
    expect(() => OrderBook.empty(TOKEN, 3 as TickSize)).toThrow(/tick size 3 is not one of/)
  })

  test('accepts every venue tick size', () => {
    for (const tick of TICK_SIZES) {
      expect(OrderBook.empty(TOKEN, tick as TickSize).tickSize).toBe(tick)
    }
  })
})

describe('replace', () => {
  test('sorts levels given in any order, best first', () => {
    const book = bookWith(
      [lv(4800, 10), lv(5000, 30), lv(4900, 20)],
      [lv(5300, 3), lv(5100, 1), lv(5200, 2)],
    )

    expect(book.levels('bid')).toEqual([lv(5000, 30), lv(4900, 20), lv(4800, 10)])
    expect(book.levels('ask')).toEqual([lv(5100, 1), lv(5200, 2), lv(5300, 3)])
    expect(book.bestBid()).toBe(5000)
    expect(book.bestAsk()).toBe(5100)
    expect(book.levelCount('bid')).toBe(3)
    expect(book.levelCount('ask')).toBe(3)
  })

  test('ignores size-0 entries', () => {
    const book = bookWith([lv(5000, 0), lv(4900, 7)], [lv(5100, 0)])

    expect(book.levels('bid')).toEqual([lv(4900, 7)])
    expect(book.levels('ask')).toEqual([])
    expect(book.levelCount('bid')).toBe(1)
    expect(book.bestAsk()).toBeNull()
  })

  test('duplicate prices: the last entry wins, including a later zero', () => {
    const book = bookWith([lv(5000, 1), lv(5000, 2), lv(4900, 5), lv(4900, 0)], [])

    expect(book.levels('bid')).toEqual([lv(5000, 2)])
    expect(book.levelCount('bid')).toBe(1)
  })

  test('erases every earlier level on both sides', () => {
    const book = bookWith([lv(5000, 1), lv(10, 1)], [lv(5100, 1), lv(9990, 1)])
    book.setLevel('bid', px(4000), sz(9), ts(2000))

    book.replace([lv(3000, 4)], [], ts(3000))

    expect(book.levels('bid')).toEqual([lv(3000, 4)])
    expect(book.levels('ask')).toEqual([])
    expect(book.sizeAt('bid', px(5000))).toBe(0)
    expect(book.sizeAt('ask', px(5100))).toBe(0)
    expect(book.bestAsk()).toBeNull()
  })

  test('marks the book synced and fresh and records the timestamp', () => {
    const book = OrderBook.empty(TOKEN, TICK_0_01)
    book.markStale('best_bid_mismatch')

    book.replace([lv(5000, 1)], [lv(5100, 1)], ts(1234))

    expect(book.synced).toBe(true)
    expect(book.stale).toBe(false)
    expect(book.staleReason).toBeNull()
    expect(book.lastUpdateTs).toBe(1234)
  })

  test('an empty snapshot is a valid, synced, empty book', () => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 1)])

    book.replace([], [], ts(5))

    expect(stateOf(book)).toMatchObject({ synced: true, stale: false, bids: [], asks: [] })
    expect(book.bestBid()).toBeNull()
  })

  test('a bad entry throws before anything changes', () => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 2)])
    book.markStale('crossed_book')
    const before = stateOf(book)

    expect(() => book.replace([lv(4000, 1)], [lv(10_001, 1)], ts(9))).toThrow(InvariantError)
    expect(() => book.replace([lv(4000, 1)], [lv(10_001, 1)], ts(9))).toThrow(
      /ask price 10001 is not an integer tick in 0\.\.10000/,
    )
    expect(() => book.replace([lv(4000, -1)], [], ts(9))).toThrow(/bid size -1 at price 4000/)
    expect(stateOf(book)).toEqual(before)
    expect(book.lastUpdateTs).toBe(1000)
  })
})

describe('setLevel', () => {
  test('adds, resizes and removes levels, tracking the best price', () => {
    const book = bookWith([], [])

    book.setLevel('bid', px(4900), sz(10), ts(1))
    expect(book.bestBid()).toBe(4900)
    book.setLevel('bid', px(5000), sz(20), ts(2))
    expect(book.bestBid()).toBe(5000)
    book.setLevel('bid', px(5000), sz(25), ts(3))
    expect(book.sizeAt('bid', px(5000))).toBe(25)
    expect(book.levelCount('bid')).toBe(2)
    book.setLevel('bid', px(5000), sz(0), ts(4))
    expect(book.bestBid()).toBe(4900)
    expect(book.levelCount('bid')).toBe(1)
    expect(book.sizeAt('bid', px(5000))).toBe(0)
    expect(book.lastUpdateTs).toBe(4)
  })

  test('keeps the lowest ask as best', () => {
    const book = bookWith([], [])

    book.setLevel('ask', px(5200), sz(1), ts(1))
    book.setLevel('ask', px(5100), sz(1), ts(1))
    book.setLevel('ask', px(5300), sz(1), ts(1))
    expect(book.bestAsk()).toBe(5100)
    book.setLevel('ask', px(5100), sz(0), ts(1))
    expect(book.bestAsk()).toBe(5200)
  })

  test('removing a level that is not there changes nothing but the timestamp', () => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 1)])
    const before = stateOf(book)

    book.setLevel('bid', px(4000), sz(0), ts(77))
    book.setLevel('ask', px(5100), sz(0), ts(78))
    book.setLevel('ask', px(5100), sz(0), ts(79))

    expect(stateOf(book)).toEqual({ ...before, askCount: 0, asks: [], bestAsk: null })
    expect(book.lastUpdateTs).toBe(79)
  })

  test('removing a non-best level keeps the best', () => {
    const book = bookWith([lv(5000, 1), lv(4000, 1), lv(3000, 1)], [lv(6000, 1), lv(7000, 1)])

    book.setLevel('bid', px(4000), sz(0), ts(2))
    book.setLevel('ask', px(7000), sz(0), ts(2))

    expect(book.bestBid()).toBe(5000)
    expect(book.bestAsk()).toBe(6000)
    expect(book.levels('bid')).toEqual([lv(5000, 1), lv(3000, 1)])
  })

  test('builds a never-snapshotted book from deltas but keeps it stale', () => {
    const book = OrderBook.empty(TOKEN, TICK_0_01)

    book.setLevel('bid', px(5000), sz(3), ts(10))
    book.setLevel('ask', px(5100), sz(4), ts(11))

    expect(book.levels('bid')).toEqual([lv(5000, 3)])
    expect(book.levels('ask')).toEqual([lv(5100, 4)])
    expect(book.synced).toBe(false)
    expect(book.stale).toBe(true)
    expect(book.staleReason).toBe('no_snapshot')
    expect(book.lastUpdateTs).toBe(11)
  })

  test('does not clear a stale mark', () => {
    const book = bookWith([lv(5000, 1)], [])
    book.markStale('best_ask_mismatch')

    book.setLevel('ask', px(5100), sz(1), ts(2))

    expect(book.staleReason).toBe('best_ask_mismatch')
    expect(book.synced).toBe(true)
  })

  test('accepts the extreme prices 0 and 10000 and sizes up to 2^53 - 1', () => {
    const book = bookWith([], [])

    book.setLevel('bid', px(0), sz(Number.MAX_SAFE_INTEGER), ts(1))
    book.setLevel('ask', px(10_000), sz(1), ts(1))

    expect(book.levels('bid')).toEqual([lv(0, Number.MAX_SAFE_INTEGER)])
    expect(book.levels('ask')).toEqual([lv(10_000, 1)])
  })

  test.each([
    ['negative', -1],
    ['above 10000', 10_001],
    ['fractional', 50.5],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('rejects a %s price and leaves the book unchanged', (_label, price) => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 1)])
    const before = stateOf(book)

    expect(() => book.setLevel('bid', px(price), sz(1), ts(9))).toThrow(InvariantError)
    expect(() => book.setLevel('ask', px(price), sz(1), ts(9))).toThrow(
      new RegExp(`${TOKEN}: ask price ${price} is not an integer tick.*parsePrice`),
    )
    expect(stateOf(book)).toEqual(before)
    expect(book.lastUpdateTs).toBe(1000)
  })

  test.each([
    ['negative', -1],
    ['fractional', 0.5],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['beyond 2^53 - 1', 2 ** 53],
  ])('rejects a %s size and leaves the book unchanged', (_label, size) => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 1)])
    const before = stateOf(book)

    expect(() => book.setLevel('bid', px(5000), sz(size), ts(9))).toThrow(InvariantError)
    expect(() => book.setLevel('bid', px(5000), sz(size), ts(9))).toThrow(
      /bid size .* at price 5000 is not a non-negative integer of share micros.*parseSize/,
    )
    expect(stateOf(book)).toEqual(before)
  })
})

describe('changeTickSize', () => {
  test('starts a new epoch with an empty, unsynced, stale book', () => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 1)])

    book.changeTickSize(TICK_0_001, ts(2000))

    expect(book.tickSize).toBe(10)
    expect(book.epoch).toBe(1)
    expect(book.synced).toBe(false)
    expect(book.stale).toBe(true)
    expect(book.staleReason).toBe('tick_size_change')
    expect(book.lastUpdateTs).toBe(2000)
    expect(book.levels('bid')).toEqual([])
    expect(book.levels('ask')).toEqual([])
    expect(book.bestBid()).toBeNull()
    expect(book.levelCount('ask')).toBe(0)
  })

  test('deltas after the change apply but the book stays stale until a snapshot', () => {
    const book = bookWith([lv(5000, 1)], [])
    book.changeTickSize(TICK_0_001, ts(2000))

    book.setLevel('bid', px(9650), sz(5), ts(2001))
    expect(book.levels('bid')).toEqual([lv(9650, 5)])
    expect(book.staleReason).toBe('tick_size_change')

    book.replace([lv(9660, 1)], [lv(9670, 1)], ts(2002))
    expect(book.synced).toBe(true)
    expect(book.stale).toBe(false)
    expect(book.epoch).toBe(1)
    expect(book.levels('bid')).toEqual([lv(9660, 1)])
  })

  test('every call starts a new epoch, even with the same tick size', () => {
    const book = bookWith([], [])

    book.changeTickSize(TICK_0_01, ts(1))
    book.changeTickSize(TICK_0_01, ts(2))

    expect(book.epoch).toBe(2)
    expect(book.tickSize).toBe(100)
  })

  test('rejects an unknown tick size and leaves the book unchanged', () => {
    const book = bookWith([lv(5000, 1)], [])
    const before = stateOf(book)

    expect(() => book.changeTickSize(5 as TickSize, ts(3))).toThrow(InvariantError)
    expect(() => book.changeTickSize(5 as TickSize, ts(3))).toThrow(/parseTickSize/)
    expect(stateOf(book)).toEqual(before)
  })
})

describe('markStale', () => {
  test('keeps the levels and synced flag; the latest reason wins', () => {
    const book = bookWith([lv(5000, 1)], [lv(5100, 1)])

    book.markStale('best_bid_mismatch')
    expect(book.stale).toBe(true)
    expect(book.staleReason).toBe('best_bid_mismatch')
    book.markStale('crossed_book')
    expect(book.staleReason).toBe('crossed_book')

    expect(book.synced).toBe(true)
    expect(book.levels('bid')).toEqual([lv(5000, 1)])
    expect(book.lastUpdateTs).toBe(1000)
  })
})

describe('queries', () => {
  test('sizeAt is 0 for absent levels and prices outside the range', () => {
    const book = bookWith([lv(5000, 8)], [lv(5100, 9)])

    expect(book.sizeAt('bid', px(5000))).toBe(8)
    expect(book.sizeAt('ask', px(5000))).toBe(0)
    expect(book.sizeAt('ask', px(5100))).toBe(9)
    expect(book.sizeAt('bid', px(-1))).toBe(0)
    expect(book.sizeAt('bid', px(10_001))).toBe(0)
    expect(book.sizeAt('bid', px(0.5))).toBe(0)
  })

  test('levels(side, n) returns at most n levels, best first', () => {
    const book = bookWith([lv(100, 1), lv(200, 2), lv(300, 3)], [lv(400, 4)])

    expect(book.levels('bid', 2)).toEqual([lv(300, 3), lv(200, 2)])
    expect(book.levels('bid', 3)).toEqual(book.levels('bid'))
    expect(book.levels('bid', 10)).toEqual(book.levels('bid'))
    expect(book.levels('bid', 0)).toEqual([])
    expect(book.levels('bid', -2)).toEqual([])
    expect(book.levels('ask', 1)).toEqual([lv(400, 4)])
  })

  test('forEachLevel visits best first and stops when fn returns false', () => {
    const book = bookWith([lv(100, 1), lv(200, 2), lv(300, 3)], [lv(400, 4), lv(500, 5)])
    const seen: number[] = []

    book.forEachLevel('bid', (price) => {
      seen.push(price)
      return price !== 200
    })
    book.forEachLevel('ask', (price, size) => {
      seen.push(price, size)
    })

    expect(seen).toEqual([300, 200, 400, 4, 500, 5])
  })

  test.each([
    ['one-sided (bids only)', [lv(5000, 1)], [], false],
    ['one-sided (asks only)', [], [lv(5000, 1)], false],
    ['normal', [lv(5000, 1)], [lv(5001, 1)], false],
    ['locked', [lv(5000, 1)], [lv(5000, 1)], true],
    ['crossed', [lv(5100, 1)], [lv(5000, 1)], true],
  ])('isCrossed: %s', (_label, bids, asks, crossed) => {
    expect(bookWith(bids, asks).isCrossed()).toBe(crossed)
  })
})

describe('best level after removal crosses bitset word boundaries', () => {
  // Bits are stored 32 per word: 31|32 and 63|64 sit on either side of a boundary.
  const PRICES = [0, 1, 31, 32, 33, 63, 64, 65, 95, 96, 5000, 9983, 9984, 9999, 10_000]

  test('bids: removing the best repeatedly walks down through every level', () => {
    const book = bookWith(
      PRICES.map((p) => lv(p, p + 1)),
      [],
    )
    const descending = [...PRICES].sort((a, b) => b - a)

    for (const [i, price] of descending.entries()) {
      expect(book.bestBid()).toBe(price)
      expect(book.levelCount('bid')).toBe(descending.length - i)
      book.setLevel('bid', px(price), sz(0), ts(i))
    }
    expect(book.bestBid()).toBeNull()
    expect(book.levelCount('bid')).toBe(0)
  })

  test('asks: removing the best repeatedly walks up through every level', () => {
    const book = bookWith(
      [],
      PRICES.map((p) => lv(p, p + 1)),
    )

    for (const [i, price] of PRICES.entries()) {
      expect(book.bestAsk()).toBe(price)
      book.setLevel('ask', px(price), sz(0), ts(i))
    }
    expect(book.bestAsk()).toBeNull()
  })

  test.each([
    [32, 31],
    [64, 63],
    [33, 32],
    [10_000, 0],
    [10_000, 9999],
    [96, 95],
  ])('bid at %i removed, next best %i found', (best, next) => {
    const book = bookWith([lv(best, 1), lv(next, 2)], [])

    book.setLevel('bid', px(best), sz(0), ts(1))

    expect(book.bestBid()).toBe(next)
  })

  test.each([
    [31, 32],
    [63, 64],
    [32, 33],
    [0, 10_000],
    [0, 1],
    [9983, 9984],
  ])('ask at %i removed, next best %i found', (best, next) => {
    const book = bookWith([], [lv(best, 1), lv(next, 2)])

    book.setLevel('ask', px(best), sz(0), ts(1))

    expect(book.bestAsk()).toBe(next)
  })

  test('a side holding every price 0..10000 empties level by level, in order', () => {
    const all = Array.from({ length: PRICE_SLOTS }, (_, p) => lv(p, 1))
    const bids = bookWith(all, [])
    const asks = bookWith([], all)
    expect(bids.levelCount('bid')).toBe(10_001)
    expect(bids.levels('bid')).toHaveLength(10_001)

    for (let p = 10_000; p >= 0; p--) {
      if (bids.bestBid() !== p) expect(bids.bestBid()).toBe(p)
      bids.setLevel('bid', px(p), sz(0), ts(1))
    }
    for (let p = 0; p <= 10_000; p++) {
      if (asks.bestAsk() !== p) expect(asks.bestAsk()).toBe(p)
      asks.setLevel('ask', px(p), sz(0), ts(1))
    }

    expect(bids.bestBid()).toBeNull()
    expect(asks.bestAsk()).toBeNull()
    expect(bids.levelCount('bid')).toBe(0)
  })

  test('a snapshot after a full book leaves no trace of it', () => {
    const all = Array.from({ length: PRICE_SLOTS }, (_, p) => lv(p, 1))
    const book = bookWith(all, all)

    book.replace([lv(31, 5)], [lv(32, 6)], ts(2))

    expect(book.levels('bid')).toEqual([lv(31, 5)])
    expect(book.levels('ask')).toEqual([lv(32, 6)])
    book.setLevel('bid', px(31), sz(0), ts(3))
    book.setLevel('ask', px(32), sz(0), ts(3))
    expect(book.bestBid()).toBeNull()
    expect(book.bestAsk()).toBeNull()
  })
})

describe('metrics', () => {
  // Bids 0.50 × 100 and 0.49 × 200; asks 0.52 × 300 and 0.55 × 50 (prices in USDC, sizes in shares).
  const book = bookWith(
    [lv(5000, shares(100)), lv(4900, shares(200))],
    [lv(5500, shares(50)), lv(5200, shares(300))],
  )

  test('mid, spread and spread in bps', () => {
    expect(book.mid()).toBeCloseTo(0.51, 12)
    expect(book.spread()).toBeCloseTo(0.02, 12)
    expect(book.spreadTicks()).toBe(200)
    // 0.02 / 0.51 × 10_000
    expect(book.spreadBps()).toBeCloseTo(392.156862745098, 9)
  })

  test('microprice leans towards the side with less size', () => {
    // (0.50 × 300 + 0.52 × 100) / 400 = 202 / 400
    expect(book.microprice()).toBeCloseTo(0.505, 12)
  })

  test('depth in shares and USD over the top n levels', () => {
    expect(book.depthShares('bid', 1)).toBe(100)
    expect(book.depthShares('bid', 2)).toBe(300)
    expect(book.depthShares('bid', 5)).toBe(300)
    expect(book.depthShares('ask', 2)).toBe(350)
    expect(book.depthShares('bid', 0)).toBe(0)
    // 0.50 × 100 + 0.49 × 200 = 148; 0.52 × 300 + 0.55 × 50 = 183.5
    expect(book.depthUsd('bid', 2)).toBeCloseTo(148, 9)
    expect(book.depthUsd('ask', 2)).toBeCloseTo(183.5, 9)
    expect(book.depthUsd('ask', 1)).toBeCloseTo(156, 9)
    expect(book.depthUsd('ask', 0)).toBe(0)
  })

  test('imbalance over the top n levels', () => {
    // (100 - 300) / 400; (300 - 350) / 650
    expect(book.imbalance(1)).toBeCloseTo(-0.5, 12)
    expect(book.imbalance(2)).toBeCloseTo(-1 / 13, 12)
    expect(book.imbalance(0)).toBeNull()
  })

  test('a one-sided book has depth but no two-sided metrics', () => {
    const bidsOnly = bookWith([lv(3000, shares(2.5))], [])

    expect(bidsOnly.mid()).toBeNull()
    expect(bidsOnly.microprice()).toBeNull()
    expect(bidsOnly.spread()).toBeNull()
    expect(bidsOnly.spreadTicks()).toBeNull()
    expect(bidsOnly.spreadBps()).toBeNull()
    expect(bidsOnly.depthShares('bid', 5)).toBe(2.5)
    expect(bidsOnly.depthUsd('bid', 5)).toBeCloseTo(0.75, 12)
    expect(bidsOnly.imbalance(5)).toBe(1)
    expect(bookWith([], [lv(3000, 1)]).imbalance(5)).toBe(-1)
  })

  test('a balanced book has imbalance 0 and microprice at the mid', () => {
    const balanced = bookWith([lv(4000, 7)], [lv(6000, 7)])

    expect(balanced.imbalance(1)).toBe(0)
    expect(balanced.microprice()).toBe(0.5)
    expect(balanced.mid()).toBe(0.5)
  })

  test('one share micro is 1e-6 shares', () => {
    const tiny = bookWith([lv(10_000, 1)], [])

    expect(tiny.depthShares('bid', 1)).toBe(1e-6)
    expect(tiny.depthUsd('bid', 1)).toBe(1e-6)
  })

  test('a crossed book has a negative spread; a mid of 0 has no bps', () => {
    expect(bookWith([lv(5100, 1)], [lv(5000, 1)]).spreadTicks()).toBe(-100)
    expect(bookWith([lv(5100, 1)], [lv(5000, 1)]).spread()).toBeCloseTo(-0.01, 12)
    const atZero = bookWith([lv(0, 1)], [lv(0, 1)])
    expect(atZero.mid()).toBe(0)
    expect(atZero.spreadBps()).toBeNull()
  })
})

// ---- property tests against the naive model ----

type Op =
  | { kind: 'replace'; bids: Level[]; asks: Level[]; ts: EpochMs }
  | { kind: 'set'; side: Side; price: PriceTicks; size: ShareMicros; ts: EpochMs }
  | { kind: 'tick'; tick: TickSize; ts: EpochMs }
  | { kind: 'stale'; reason: string }

/** Prices biased towards word boundaries, the range ends and a crowded middle. */
const arbPrice = fc
  .oneof(
    fc.integer({ min: 0, max: 10_000 }),
    fc.constantFrom(0, 1, 30, 31, 32, 33, 63, 64, 65, 95, 96, 9983, 9984, 9999, 10_000),
    fc.integer({ min: 4990, max: 5010 }),
  )
  .map(px)
const arbSize = fc
  .oneof(
    { arbitrary: fc.constant(0), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 1_000_000_000_000 }), weight: 3 },
  )
  .map(sz)
const arbTs = fc.integer({ min: 0, max: 2_000_000_000_000 }).map(ts)
const arbSide = fc.constantFrom<Side>('bid', 'ask')
const arbLevel = fc.record({ price: arbPrice, size: arbSize })
const arbLevels = fc.array(arbLevel, { maxLength: 25 })
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      bids: arbLevels,
      asks: arbLevels,
      ts: arbTs,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      side: arbSide,
      price: arbPrice,
      size: arbSize,
      ts: arbTs,
    }),
    weight: 12,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      tick: fc.constantFrom(...TICK_SIZES).map((t) => t as TickSize),
      ts: arbTs,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('stale' as const),
      reason: fc.constantFrom('best_bid_mismatch', 'best_ask_mismatch', 'crossed_book'),
    }),
    weight: 1,
  },
)

function applyOp(target: OrderBook | NaiveBook, op: Op): void {
  switch (op.kind) {
    case 'replace':
      target.replace(op.bids, op.asks, op.ts)
      break
    case 'set':
      target.setLevel(op.side, op.price, op.size, op.ts)
      break
    case 'tick':
      target.changeTickSize(op.tick, op.ts)
      break
    case 'stale':
      target.markStale(op.reason)
      break
  }
}

/** Compares every observable of the book with the model. Float metrics are recomputed here. */
function expectMatchesModel(book: OrderBook, model: NaiveBook, probe: PriceTicks): void {
  const bids = model.levels('bid')
  const asks = model.levels('ask')
  expect(book.levels('bid')).toEqual(bids)
  expect(book.levels('ask')).toEqual(asks)
  expect(book.levels('bid', 3)).toEqual(model.levels('bid', 3))
  expect(book.bestBid()).toBe(model.bestBid())
  expect(book.bestAsk()).toBe(model.bestAsk())
  expect(book.levelCount('bid')).toBe(model.levelCount('bid'))
  expect(book.levelCount('ask')).toBe(model.levelCount('ask'))
  expect(book.sizeAt('bid', probe)).toBe(model.sizeAt('bid', probe))
  expect(book.sizeAt('ask', probe)).toBe(model.sizeAt('ask', probe))
  expect(book.isCrossed()).toBe(model.isCrossed())
  expect(book.stale).toBe(model.stale)
  expect(book.staleReason).toBe(model.staleReason)
  expect(book.synced).toBe(model.synced)
  expect(book.epoch).toBe(model.epoch)
  expect(book.tickSize).toBe(model.tickSize)
  expect(book.lastUpdateTs).toBe(model.lastUpdateTs)

  for (const n of [1, 5]) {
    const bidMicros = model.depthMicros('bid', n)
    const askMicros = model.depthMicros('ask', n)
    expect(book.depthShares('bid', n)).toBe(bidMicros / 1e6)
    expect(book.depthShares('ask', n)).toBe(askMicros / 1e6)
    const usd = (levels: Level[]) =>
      levels.slice(0, n).reduce((sum, l) => sum + (l.price / 1e4) * (l.size / 1e6), 0)
    expect(book.depthUsd('bid', n)).toBeCloseTo(usd(bids), 3)
    expect(book.depthUsd('ask', n)).toBeCloseTo(usd(asks), 3)
    const total = bidMicros + askMicros
    if (total === 0) expect(book.imbalance(n)).toBeNull()
    else expect(book.imbalance(n)).toBeCloseTo((bidMicros - askMicros) / total, 12)
  }

  const bid = bids[0]
  const ask = asks[0]
  if (bid === undefined || ask === undefined) {
    expect(book.mid()).toBeNull()
    expect(book.microprice()).toBeNull()
    expect(book.spread()).toBeNull()
    expect(book.spreadTicks()).toBeNull()
    expect(book.spreadBps()).toBeNull()
  } else {
    const mid = (bid.price / 1e4 + ask.price / 1e4) / 2
    expect(book.mid()).toBeCloseTo(mid, 12)
    expect(book.spreadTicks()).toBe(ask.price - bid.price)
    expect(book.spread()).toBeCloseTo((ask.price - bid.price) / 1e4, 12)
    const weight = bid.size / (bid.size + ask.size)
    expect(book.microprice()).toBeCloseTo(
      (bid.price / 1e4) * (1 - weight) + (ask.price / 1e4) * weight,
      9,
    )
    if (mid === 0) expect(book.spreadBps()).toBeNull()
    else expect(book.spreadBps()).toBeCloseTo(((ask.price - bid.price) / 1e4 / mid) * 1e4, 6)
  }
}

describe('OrderBook against the naive model', () => {
  test('matches after every step of any sequence of replace, setLevel, changeTickSize, markStale', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbOp, arbPrice), { maxLength: 150 }), (steps) => {
        const book = OrderBook.empty(TOKEN, TICK_0_01)
        const model = new NaiveBook(TICK_0_01)
        expectMatchesModel(book, model, px(5000))
        for (const [op, probe] of steps) {
          applyOp(book, op)
          applyOp(model, op)
          expectMatchesModel(book, model, op.kind === 'set' ? op.price : probe)
        }
      }),
      { numRuns: 300 },
    )
  })

  test('levels are strictly ordered best first, sizes positive, counts consistent', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 150 }), (ops) => {
        const book = OrderBook.empty(TOKEN, TICK_0_01)
        for (const op of ops) {
          applyOp(book, op)
          const bids = book.levels('bid')
          const asks = book.levels('ask')
          expect(bids.length).toBe(book.levelCount('bid'))
          expect(asks.length).toBe(book.levelCount('ask'))
          for (let i = 1; i < bids.length; i++) {
            expect(bids[i]!.price).toBeLessThan(bids[i - 1]!.price)
          }
          for (let i = 1; i < asks.length; i++) {
            expect(asks[i]!.price).toBeGreaterThan(asks[i - 1]!.price)
          }
          for (const level of [...bids, ...asks]) expect(level.size).toBeGreaterThan(0)
          expect(book.bestBid()).toBe(bids[0]?.price ?? null)
          expect(book.bestAsk()).toBe(asks[0]?.price ?? null)
        }
      }),
    )
  })

  test('a snapshot erases all earlier state', () => {
    fc.assert(
      fc.property(
        fc.array(arbOp, { maxLength: 100 }),
        arbLevels,
        arbLevels,
        arbTs,
        (history, bids, asks, at) => {
          const book = OrderBook.empty(TOKEN, TICK_0_01)
          for (const op of history) applyOp(book, op)
          book.replace(bids, asks, at)

          const fresh = OrderBook.empty(TOKEN, book.tickSize)
          fresh.replace(bids, asks, at)
          // Only the epoch (and the tick size it carries) survives a snapshot.
          expect({ ...stateOf(book), epoch: 0 }).toEqual(stateOf(fresh))
          expect(book.lastUpdateTs).toBe(at)
          for (const level of [...bids, ...asks]) {
            expect(book.sizeAt('bid', level.price)).toBe(fresh.sizeAt('bid', level.price))
            expect(book.sizeAt('ask', level.price)).toBe(fresh.sizeAt('ask', level.price))
          }
        },
      ),
    )
  })

  test('forEachLevel with an early stop sees the same prefix as levels(side, n)', () => {
    fc.assert(
      fc.property(arbLevels, arbLevels, fc.integer({ min: 1, max: 30 }), (bids, asks, n) => {
        const book = bookWith(bids, asks)
        for (const side of ['bid', 'ask'] as const) {
          const seen: Level[] = []
          book.forEachLevel(side, (price, size) => {
            seen.push({ price, size })
            return seen.length < n
          })
          expect(seen).toEqual(book.levels(side, n))
        }
      }),
    )
  })
})
