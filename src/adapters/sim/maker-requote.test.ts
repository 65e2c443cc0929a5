import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { OrderBook } from '../../domain/book/order-book.js'
import { asTokenId, type TickSize } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { othersBest, requoteTargets, type Quote } from './maker-requote.js'

const TICK = 100
const TS = 0 as EpochMs
const SHARE = 1_000_000

/** A book holding the others' quotes plus the maker's own `old` quotes. */
function bookWith(others: readonly Quote[], old: readonly Quote[]): OrderBook {
  const book = OrderBook.empty(asTokenId('1'), TICK as TickSize)
  book.replace([], [], TS)
  for (const q of [...others, ...old]) {
    book.setLevel(q.side, q.price, (book.sizeAt(q.side, q.price) + q.size) as ShareMicros, TS)
  }
  return book
}

/** A maker's ladder around `center` (ticks), capped by the others' best prices. */
function ladder(book: OrderBook, old: readonly Quote[], center: number, levels: number): Quote[] {
  const othersAsk = othersBest(book, old, 'ask')
  const othersBid = othersBest(book, old, 'bid')
  const out: Quote[] = []
  for (let i = 1; i <= levels; i++) {
    let bid = (center - i) * TICK
    if (othersAsk !== null) bid = Math.min(bid, othersAsk - TICK)
    if (bid >= TICK) out.push({ side: 'bid', price: bid as PriceTicks, size: 100 * SHARE })
    let ask = (center + i) * TICK
    if (othersBid !== null) ask = Math.max(ask, othersBid + TICK)
    if (ask <= 9_900) out.push({ side: 'ask', price: ask as PriceTicks, size: 100 * SHARE })
  }
  return out
}

describe('requoteTargets', () => {
  test('moves a ladder without ever crossing the book, and ends on the new ladder', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 90 }),
        fc.integer({ min: -15, max: 15 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        (start, move, levels, othersHalfSpread) => {
          const others: Quote[] = [
            {
              side: 'bid',
              price: ((start - othersHalfSpread) * TICK) as PriceTicks,
              size: 7 * SHARE,
            },
            {
              side: 'ask',
              price: ((start + othersHalfSpread) * TICK) as PriceTicks,
              size: 7 * SHARE,
            },
          ]
          const old = ladder(bookWith(others, []), [], start, levels)
          const book = bookWith(others, old)
          const fresh = ladder(book, old, start + move, levels)
          for (const target of requoteTargets(book, old, fresh)) {
            book.setLevel(target.side, target.price, target.size, TS)
            expect(book.isCrossed()).toBe(false)
          }
          expect(book.levels('bid')).toEqual(bookWith(others, fresh).levels('bid'))
          expect(book.levels('ask')).toEqual(bookWith(others, fresh).levels('ask'))
        },
      ),
    )
  })

  test('a requote in place never removes the top of book on the way', () => {
    const old: Quote[] = [
      { side: 'bid', price: 4_900 as PriceTicks, size: 100 * SHARE },
      { side: 'ask', price: 5_000 as PriceTicks, size: 100 * SHARE },
    ]
    const fresh: Quote[] = [
      { side: 'bid', price: 4_900 as PriceTicks, size: 80 * SHARE },
      { side: 'ask', price: 5_000 as PriceTicks, size: 120 * SHARE },
    ]
    const book = bookWith([], old)
    const targets = requoteTargets(book, old, fresh)
    expect(targets).toEqual([
      { side: 'ask', price: 5_000, size: 120 * SHARE },
      { side: 'bid', price: 4_900, size: 80 * SHARE },
    ])
    // Unchanged levels produce no update; a partly traded old quote leaves nothing behind.
    expect(requoteTargets(book, old, old)).toEqual([])
    book.setLevel('bid', 4_900 as PriceTicks, (30 * SHARE) as ShareMicros, TS)
    expect(requoteTargets(book, old, [])).toEqual([
      { side: 'bid', price: 4_900, size: 0 },
      { side: 'ask', price: 5_000, size: 0 },
    ])
  })
})
