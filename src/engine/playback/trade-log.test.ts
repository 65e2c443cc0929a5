import { describe, expect, test } from 'vitest'
import type { LastTrade } from '../../domain/book/book-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { StringTable } from './market-state.js'
import { TradeLog, TradeLogBuilder } from './trade-log.js'

function trade(assetId: string, tsVenue: number, side: 'buy' | 'sell' = 'buy'): LastTrade {
  return {
    type: 'last_trade_price',
    market: '0xm' as MarketId,
    assetId: assetId as TokenId,
    tsVenue: tsVenue as EpochMs,
    price: 5_000 as PriceTicks,
    size: 1_000_000 as ShareMicros,
    side,
    feeRateBps: null,
    transactionHash: null,
  }
}

function logOf(trades: readonly [string, number, number][]): TradeLog {
  const strings = new StringTable()
  const builder = new TradeLogBuilder((s) => strings.intern(s))
  for (const [asset, ts, clock] of trades)
    builder.add(trade(asset, ts, ts % 2 ? 'sell' : 'buy'), clock)
  return TradeLog.fromPacked(builder.finish(), strings.strings)
}

describe('trade log', () => {
  const log = logOf([
    ['a', 10, 10],
    ['b', 9, 10],
    ['a', 20, 20],
    ['b', 30, 30],
    ['a', 31, 31],
  ])

  test('the last trades up to a clock, oldest first', () => {
    expect(log.before(20, 10).map((t) => t.tsVenue)).toEqual([10, 9, 20])
    expect(log.before(20, 2).map((t) => t.tsVenue)).toEqual([9, 20])
    expect(log.before(9, 10)).toEqual([])
    expect(log.before(1e15, 10)).toHaveLength(5)
  })

  test('one asset only', () => {
    expect(log.before(31, 2, 'a').map((t) => t.tsVenue)).toEqual([20, 31])
    expect(log.before(31, 5, 'unknown')).toEqual([])
    expect(log.before(31, 0)).toEqual([])
  })

  test('a trade carries its fields', () => {
    expect(log.at(1)).toEqual({
      assetId: 'b',
      tsVenue: 9,
      clock: 10,
      price: 5_000,
      size: 1_000_000,
      side: 'sell',
    })
  })

  test('grows past its first allocation', () => {
    const many = logOf(
      Array.from({ length: 3000 }, (_, i) => ['a', i, i] as [string, number, number]),
    )
    expect(many.length).toBe(3000)
    expect(many.countUpTo(1499)).toBe(1500)
  })

  test('rejects a damaged packing', () => {
    expect(() => TradeLog.fromPacked(new Float64Array(7), [])).toThrow(/multiple of 6/)
    const packed = Float64Array.from([5, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0])
    expect(() => TradeLog.fromPacked(packed, ['a'])).toThrow(/decreases/)
    expect(TradeLog.empty().length).toBe(0)
  })
})
