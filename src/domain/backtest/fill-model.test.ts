import { describe, expect, test } from 'vitest'
import { OrderBook } from '../book/order-book.js'
import { asTokenId, type TickSize } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'
import {
  filledSize,
  isMarketable,
  newQueue,
  queueExpire,
  queueOnLevel,
  queueOnTrade,
  TRADE_MATCH_WINDOW_MS,
  walkBook,
} from './fill-model.js'

const TOKEN = asTokenId('1234')
const px = (ticks: number): PriceTicks => ticks as PriceTicks
const sh = (n: number): ShareMicros => Math.round(n * 1_000_000) as ShareMicros
const at = (ms: number): EpochMs => ms as EpochMs

function book(bids: [number, number][], asks: [number, number][]): OrderBook {
  const b = OrderBook.empty(TOKEN, 100 as TickSize)
  const level = ([p, s]: [number, number]) => ({ price: px(p), size: sh(s) })
  b.replace(bids.map(level), asks.map(level), at(1))
  return b
}

describe('walkBook', () => {
  const b = book(
    [
      [4900, 10],
      [4800, 20],
    ],
    [
      [5000, 10],
      [5100, 20],
      [5300, 50],
    ],
  )

  test('a buy lifts asks best first and stops at its size', () => {
    expect(walkBook(b, 'buy', px(5300), sh(25))).toEqual([
      { price: 5000, size: sh(10) },
      { price: 5100, size: sh(15) },
    ])
  })

  test('the cap stops the walk before a worse level', () => {
    const fills = walkBook(b, 'buy', px(5200), sh(100))
    expect(fills.map((f) => f.price)).toEqual([5000, 5100])
    expect(filledSize(fills)).toBe(sh(30))
  })

  test('a sell hits bids best first down to its floor', () => {
    expect(walkBook(b, 'sell', px(4800), sh(12))).toEqual([
      { price: 4900, size: sh(10) },
      { price: 4800, size: sh(2) },
    ])
    expect(walkBook(b, 'sell', px(5000), sh(12))).toEqual([])
  })

  test('size our earlier orders took is not offered again', () => {
    const consumed = (p: PriceTicks): number => (p === 5000 ? sh(10) : p === 5100 ? sh(5) : 0)
    expect(walkBook(b, 'buy', px(5300), sh(20), consumed)).toEqual([
      { price: 5100, size: sh(15) },
      { price: 5300, size: sh(5) },
    ])
    expect(isMarketable(b, 'buy', px(5000), consumed)).toBe(false)
    expect(isMarketable(b, 'buy', px(5100), consumed)).toBe(true)
  })

  test('nothing to fill for a zero size or an empty side', () => {
    expect(walkBook(b, 'buy', px(5300), sh(0))).toEqual([])
    expect(walkBook(book([], []), 'buy', px(9900), sh(5))).toEqual([])
    expect(isMarketable(book([], []), 'sell', px(100))).toBe(false)
  })
})

describe('queue position', () => {
  test('trades at our price consume queue-ahead first, then fill us', () => {
    const q = newQueue(sh(30))
    expect(queueOnTrade(q, sh(20), true, sh(10), at(100))).toBe(0)
    expect(q.ahead).toBe(sh(10))
    expect(queueOnTrade(q, sh(15), true, sh(10), at(200))).toBe(sh(5))
    expect(q.ahead).toBe(0)
  })

  test('a trade through our price fills us first, up to its size', () => {
    const q = newQueue(sh(30))
    expect(queueOnTrade(q, sh(8), false, sh(10), at(100))).toBe(sh(8))
    expect(q.ahead).toBe(0)
  })

  test('a level decrease explained by an earlier trade is not counted twice', () => {
    const q = newQueue(sh(30))
    queueOnTrade(q, sh(10), true, sh(10), at(100))
    queueOnLevel(q, sh(20), at(100))
    expect(q.ahead).toBe(sh(20))
    expect(q.pendingDecrease).toBe(0)
    queueExpire(q, at(100 + TRADE_MATCH_WINDOW_MS))
    expect(q.ahead).toBe(sh(20))
  })

  test('a level decrease seen before its trade is not counted twice either', () => {
    const q = newQueue(sh(30))
    queueOnLevel(q, sh(20), at(100))
    expect(q.ahead).toBe(sh(30)) // held back, waiting for the print
    expect(queueOnTrade(q, sh(10), true, sh(10), at(100))).toBe(0)
    expect(q.ahead).toBe(sh(20))
    expect(queueOnTrade(q, sh(25), true, sh(10), at(150))).toBe(sh(5))
  })

  test('cancellations leave from behind us first (conservative attribution)', () => {
    const q = newQueue(sh(30))
    queueOnLevel(q, sh(70), at(100)) // 40 joined behind us
    queueOnLevel(q, sh(35), at(200)) // 35 cancelled: all of it could be behind us
    queueExpire(q, at(200 + TRADE_MATCH_WINDOW_MS))
    expect(q.ahead).toBe(sh(30))
    queueOnLevel(q, sh(12), at(2000)) // the level is now smaller than what was ahead
    expect(q.ahead).toBe(sh(30)) // still waiting for a trade that might explain it
    queueExpire(q, at(2000 + TRADE_MATCH_WINDOW_MS))
    expect(q.ahead).toBe(sh(12))
  })

  test('trade credit that no level decrease claims expires', () => {
    const q = newQueue(sh(30))
    queueOnTrade(q, sh(5), true, sh(10), at(100))
    expect(q.tradeCredit).toBe(sh(5))
    queueExpire(q, at(100 + TRADE_MATCH_WINDOW_MS))
    expect(q.tradeCredit).toBe(0)
    queueOnLevel(q, sh(20), at(5000)) // now a cancellation, not the old trade
    queueExpire(q, at(6000))
    expect(q.ahead).toBe(sh(20))
  })
})
