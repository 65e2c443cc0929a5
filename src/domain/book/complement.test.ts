import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { asTokenId, TICK_SIZES, type Side, type TickSize } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'
import type { Level } from './book-events.js'
import { complementLevels, complementView } from './complement.js'
import { OrderBook, type BookView } from './order-book.js'

const YES = asTokenId('1111')
const NO = asTokenId('2222')
const TICK_0_01 = 100 as TickSize

const px = (ticks: number): PriceTicks => ticks as PriceTicks
const sz = (micros: number): ShareMicros => micros as ShareMicros
const ts = (ms: number): EpochMs => ms as EpochMs
const lv = (price: number, size: number): Level => ({ price: px(price), size: sz(size) })

function bookWith(bids: readonly Level[], asks: readonly Level[]): OrderBook {
  const book = OrderBook.empty(YES, TICK_0_01)
  book.replace(bids, asks, ts(1000))
  return book
}

/** The NO book a venue would publish for this YES book: each side flipped onto the other. */
function flippedBook(yes: OrderBook): OrderBook {
  const no = OrderBook.empty(NO, yes.tickSize)
  no.replace(complementLevels(yes.levels('ask')), complementLevels(yes.levels('bid')), ts(0))
  return no
}

/** Every query of a view; two views with equal observations are indistinguishable to callers. */
function observe(view: BookView, probes: readonly PriceTicks[]) {
  const sides: Side[] = ['bid', 'ask']
  const perSide = (side: Side) => {
    const visited: Level[] = []
    view.forEachLevel(side, (price, size) => {
      visited.push({ price, size })
    })
    return {
      levels: view.levels(side),
      top2: view.levels(side, 2),
      visited,
      count: view.levelCount(side),
      sizes: probes.map((p) => view.sizeAt(side, p)),
      depthShares: [1, 3, 5].map((n) => view.depthShares(side, n)),
      depthUsd: [1, 3, 5].map((n) => view.depthUsd(side, n)),
    }
  }
  return {
    bestBid: view.bestBid(),
    bestAsk: view.bestAsk(),
    crossed: view.isCrossed(),
    mid: view.mid(),
    microprice: view.microprice(),
    spread: view.spread(),
    spreadTicks: view.spreadTicks(),
    spreadBps: view.spreadBps(),
    imbalance: [1, 3, 5].map((n) => view.imbalance(n)),
    sides: sides.map(perSide),
  }
}

const arbPrice = fc
  .oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 4990, max: 5010 }))
  .map(px)
const arbSize = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000_000_000 })).map(sz)
const arbLevel = fc.record({ price: arbPrice, size: arbSize })
const arbLevels = fc.array(arbLevel, { maxLength: 25 })
const arbDelta = fc.record({
  side: fc.constantFrom<Side>('bid', 'ask'),
  price: arbPrice,
  size: arbSize,
})
/** A YES book after a snapshot and some deltas (possibly crossed, possibly one-sided). */
const arbYesBook = fc
  .tuple(arbLevels, arbLevels, fc.array(arbDelta, { maxLength: 40 }))
  .map(([bids, asks, deltas]) => {
    const book = bookWith(bids, asks)
    for (const d of deltas) book.setLevel(d.side, d.price, d.size, ts(2000))
    return book
  })
const arbProbes = fc.array(arbPrice, { minLength: 1, maxLength: 5 })

describe('complementLevels', () => {
  test('maps each price p to 10000 - p, keeping sizes and order', () => {
    expect(complementLevels([lv(6000, 5), lv(5900, 7), lv(0, 1), lv(10_000, 2)])).toEqual([
      lv(4000, 5),
      lv(4100, 7),
      lv(10_000, 1),
      lv(0, 2),
    ])
    expect(complementLevels([])).toEqual([])
  })

  test('is an involution and does not modify its input', () => {
    fc.assert(
      fc.property(arbLevels, (levels) => {
        const copy = levels.map((l) => ({ ...l }))
        expect(complementLevels(complementLevels(levels))).toEqual(levels)
        expect(levels).toEqual(copy)
      }),
    )
  })

  test('turns best-first bids into best-first asks', () => {
    fc.assert(
      fc.property(arbLevels, (bids) => {
        const asks = complementLevels(bookWith(bids, []).levels('bid'))
        expect(asks).toEqual(bookWith([], asks).levels('ask'))
      }),
    )
  })
})

describe('complementView', () => {
  test('a YES bid at 0.60 is a NO ask at 0.40 with the same size', () => {
    const yes = bookWith([lv(6000, 10), lv(5900, 20)], [lv(6200, 30)])
    const no = complementView(yes, NO)

    expect(no.assetId).toBe(NO)
    expect(no.bestAsk()).toBe(4000)
    expect(no.bestBid()).toBe(3800)
    expect(no.levels('ask')).toEqual([lv(4000, 10), lv(4100, 20)])
    expect(no.levels('bid')).toEqual([lv(3800, 30)])
    expect(no.sizeAt('ask', px(4100))).toBe(20)
    expect(no.sizeAt('bid', px(4100))).toBe(0)
    expect(no.levelCount('ask')).toBe(2)
    expect(no.mid()).toBeCloseTo(0.39, 12)
    expect(no.spreadTicks()).toBe(200)
  })

  test('the YES view equals the flipped NO book in every query, exactly', () => {
    fc.assert(
      fc.property(arbYesBook, arbProbes, (yes, probes) => {
        expect(observe(complementView(yes, NO), probes)).toEqual(observe(flippedBook(yes), probes))
      }),
      { numRuns: 300 },
    )
  })

  test('viewing a view gives back the original book', () => {
    fc.assert(
      fc.property(arbYesBook, arbProbes, (yes, probes) => {
        const twice = complementView(complementView(yes, NO), YES)
        expect(twice.assetId).toBe(YES)
        expect(observe(twice, probes)).toEqual(observe(yes, probes))
      }),
    )
  })

  test('metrics relate to the source: prices mirror, sizes and spread stay, imbalance flips', () => {
    fc.assert(
      fc.property(arbYesBook, (yes) => {
        const no = complementView(yes)
        const yesMid = yes.mid()
        const yesMicro = yes.microprice()
        if (yesMid === null || yesMicro === null) {
          expect(no.mid()).toBeNull()
          expect(no.microprice()).toBeNull()
        } else {
          expect(no.mid()).toBeCloseTo(1 - yesMid, 12)
          expect(no.microprice()).toBeCloseTo(1 - yesMicro, 9)
        }
        expect(no.spread()).toBe(yes.spread())
        expect(no.spreadTicks()).toBe(yes.spreadTicks())
        expect(no.isCrossed()).toBe(yes.isCrossed())
        expect(no.depthShares('bid', 5)).toBe(yes.depthShares('ask', 5))
        expect(no.depthShares('ask', 5)).toBe(yes.depthShares('bid', 5))
        const imbalance = yes.imbalance(5)
        expect(no.imbalance(5)).toBe(imbalance === null ? null : 0 - imbalance)
      }),
    )
  })

  test('is live: it reflects later changes, staleness, epoch and tick size of the source', () => {
    const yes = OrderBook.empty(YES, TICK_0_01)
    const no = complementView(yes, NO)
    expect(no.stale).toBe(true)
    expect(no.staleReason).toBe('no_snapshot')
    expect(no.synced).toBe(false)
    expect(no.bestBid()).toBeNull()
    expect(no.mid()).toBeNull()
    expect(no.imbalance(5)).toBeNull()
    expect(no.depthUsd('bid', 5)).toBe(0)

    yes.replace([lv(5000, 1)], [lv(5200, 3)], ts(10))
    yes.setLevel('ask', px(5100), sz(4), ts(11))
    expect(no.bestBid()).toBe(4900)
    expect(no.bestAsk()).toBe(5000)
    expect(no.synced).toBe(true)
    expect(no.stale).toBe(false)
    expect(no.lastUpdateTs).toBe(11)

    yes.markStale('best_bid_mismatch')
    expect(no.staleReason).toBe('best_bid_mismatch')

    yes.changeTickSize(TICK_SIZES[4] as TickSize, ts(12))
    expect(no.epoch).toBe(1)
    expect(no.tickSize).toBe(10)
    expect(no.staleReason).toBe('tick_size_change')
    expect(no.levels('bid')).toEqual([])
  })

  test('without an asset id the view names the book it reads from', () => {
    expect(complementView(bookWith([], [])).assetId).toBe(YES)
  })

  test('forEachLevel stops when the callback returns false', () => {
    const no = complementView(bookWith([], [lv(5100, 1), lv(5200, 2), lv(5300, 3)]))
    const seen: number[] = []

    no.forEachLevel('bid', (price) => {
      seen.push(price)
      return seen.length < 2
    })

    expect(seen).toEqual([4900, 4800])
    expect(no.levels('bid', 0)).toEqual([])
    expect(no.depthUsd('bid', 0)).toBe(0)
  })

  test('hand-computed metrics on the NO side', () => {
    // YES: bid 0.50 × 100, ask 0.52 × 300 (shares). NO: bid 0.48 × 300, ask 0.50 × 100.
    const no = complementView(bookWith([lv(5000, 100e6)], [lv(5200, 300e6)]))

    expect(no.mid()).toBeCloseTo(0.49, 12)
    // (0.48 × 100 + 0.50 × 300) / 400
    expect(no.microprice()).toBeCloseTo(0.495, 12)
    expect(no.spread()).toBeCloseTo(0.02, 12)
    expect(no.spreadBps()).toBeCloseTo((0.02 / 0.49) * 10_000, 9)
    expect(no.depthUsd('bid', 1)).toBeCloseTo(144, 9)
    expect(no.depthUsd('ask', 1)).toBeCloseTo(50, 9)
    expect(no.imbalance(1)).toBeCloseTo(0.5, 12)
  })
})
