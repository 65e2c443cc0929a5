import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Fill } from '../backtest/types.js'
import { InvariantError } from '../errors.js'
import { asMarketId, asTokenId, type TokenId } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../units.js'
import { Portfolio } from './portfolio.js'

const MARKET = asMarketId('0xm1')
const OTHER_MARKET = asMarketId('0xm2')
const YES = asTokenId('1')
const NO = asTokenId('2')
const ELSEWHERE = asTokenId('3')
const usdc = (n: number): UsdcMicros => Math.round(n * 1_000_000) as UsdcMicros
const sh = (n: number): ShareMicros => Math.round(n * 1_000_000) as ShareMicros
const at = (ms: number): EpochMs => ms as EpochMs

function fill(
  side: 'buy' | 'sell',
  tokenId: TokenId,
  price: number,
  size: number,
  fee = 0,
  market = MARKET,
): Fill {
  return {
    clientId: 'c',
    market,
    tokenId,
    side,
    price: price as PriceTicks,
    size: size as ShareMicros,
    fee: fee as UsdcMicros,
    liquidity: fee > 0 ? 'taker' : 'maker',
    ts: at(1),
  }
}

describe('Portfolio', () => {
  test('a round trip, computed by hand', () => {
    const p = new Portfolio(usdc(1000))
    p.applyFill(fill('buy', YES, 4000, sh(100), 120_000)) // 40 USDC + 0.12 fee
    p.applyFill(fill('buy', YES, 5000, sh(50), 62_500)) // 25 USDC + 0.0625 fee
    expect(p.cash()).toBe(usdc(1000 - 40 - 0.12 - 25 - 0.0625))
    expect(p.position(YES)).toEqual({
      size: sh(150),
      cost: usdc(65),
      avgPrice: (65 / 150) * 10_000,
    })
    p.applyFill(fill('sell', YES, 6000, sh(75), 90_000)) // 45 USDC - 0.09 fee, releases 32.5
    expect(p.position(YES)).toEqual({
      size: sh(75),
      cost: usdc(32.5),
      avgPrice: (65 / 150) * 10_000,
    })
    expect(p.realized()).toBe(usdc(12.5))
    expect(p.fees()).toBe(usdc(0.12 + 0.0625 + 0.09))
    expect(p.cash()).toBe(usdc(1000 - 65.1825 + 44.91))
    p.applyFill(fill('sell', YES, 3000, sh(75))) // 22.5, releases the last 32.5
    expect(p.position(YES)).toBeUndefined()
    expect(p.realized()).toBe(usdc(2.5))
    expect(p.cash()).toBe(usdc(1000 + 2.5 - 0.2725))
  })

  test('cost rounds up and proceeds round down to the micro', () => {
    const p = new Portfolio(usdc(10))
    p.applyFill(fill('buy', YES, 3333, 3)) // 0.9999 micros -> 1
    expect(p.cash()).toBe(usdc(10) - 1)
    p.applyFill(fill('buy', YES, 3333, 3))
    p.applyFill(fill('sell', YES, 3333, 3)) // 0.9999 micros -> 0
    expect(p.cash()).toBe(usdc(10) - 2)
  })

  test('released cost is rounded up so realized profit is never flattered', () => {
    const p = new Portfolio(usdc(10))
    p.applyFill(fill('buy', YES, 5000, 3)) // cost 2 micros (1.5 rounded up)
    p.applyFill(fill('sell', YES, 5000, 1)) // releases ceil(2/3) = 1, proceeds 0
    expect(p.position(YES)?.cost).toBe(1)
    expect(p.realized()).toBe(-1)
  })

  test('settlement pays 1 per winning share and 0 per losing share', () => {
    const p = new Portfolio(usdc(100))
    p.applyFill(fill('buy', YES, 4000, sh(10)))
    p.applyFill(fill('buy', NO, 5500, sh(4)))
    p.applyFill(fill('buy', ELSEWHERE, 2000, sh(5), 0, OTHER_MARKET))
    const settled = p.settle(MARKET, YES, at(99))
    expect(settled).toEqual([
      { market: MARKET, tokenId: YES, size: sh(10), payout: usdc(10), realized: usdc(6), ts: 99 },
      { market: MARKET, tokenId: NO, size: sh(4), payout: 0, realized: usdc(-2.2), ts: 99 },
    ])
    expect(p.position(YES)).toBeUndefined()
    expect(p.position(NO)).toBeUndefined()
    expect(p.position(ELSEWHERE)?.size).toBe(sh(5))
    expect(p.cash()).toBe(usdc(100 - 4 - 2.2 - 1 + 10))
    expect(p.realized()).toBe(usdc(3.8))
    expect(p.settle(MARKET, YES, at(100))).toEqual([])
  })

  test('a 50-50 resolution pays half on both sides', () => {
    const p = new Portfolio(usdc(100))
    p.applyFill(fill('buy', YES, 4000, sh(10)))
    p.settleAt(MARKET, () => 5000 as PriceTicks, at(5))
    expect(p.realized()).toBe(usdc(1))
    expect(() => p.settleAt(MARKET, () => 5000 as PriceTicks, at(6))).not.toThrow()
    p.applyFill(fill('buy', YES, 4000, sh(10)))
    expect(() => p.settleAt(MARKET, () => 10_001 as PriceTicks, at(7))).toThrow(/settlement price/)
  })

  test('equity marks positions at the given mid, or at cost without one', () => {
    const p = new Portfolio(usdc(100))
    p.applyFill(fill('buy', YES, 4000, sh(10)))
    p.applyFill(fill('buy', NO, 5000, sh(10)))
    const marks: Record<string, number | null> = { [YES]: 0.45, [NO]: null }
    expect(p.equity((id) => marks[id] ?? null)).toBeCloseTo(usdc(91 + 4.5 + 5), 6)
    expect(p.positions().map((x) => x.tokenId)).toEqual([YES, NO])
    expect(p.bankroll()).toBe(usdc(100))
  })

  test('never creates a negative position or books a malformed fill', () => {
    const p = new Portfolio(usdc(100))
    expect(() => p.applyFill(fill('sell', YES, 5000, sh(1)))).toThrow(InvariantError)
    p.applyFill(fill('buy', YES, 5000, sh(1)))
    expect(() => p.applyFill(fill('sell', YES, 5000, sh(1) + 1))).toThrow(
      /selling 1000001 share micros of token 1 but only 1000000 are held/,
    )
    expect(() => p.applyFill(fill('buy', YES, 5000, 0))).toThrow(/size 0/)
    expect(() => p.applyFill(fill('buy', YES, 10_001, 1))).toThrow(/price 10001/)
    expect(() => p.applyFill(fill('buy', YES, 5000, 1, -1))).toThrow(/fee -1/)
    expect(() => new Portfolio(-1 as UsdcMicros)).toThrow(/bankroll -1/)
    expect(p.position(YES)?.size).toBe(sh(1)) // unchanged by the refused fills
  })

  test('cash + cost of positions = bankroll + realized − fees after any fill sequence', () => {
    const token = fc.constantFrom(YES, NO, ELSEWHERE)
    const op = fc.record({
      buy: fc.boolean(),
      token,
      price: fc.integer({ min: 0, max: 10_000 }),
      size: fc.integer({ min: 1, max: 5_000_000_000 }),
      fee: fc.integer({ min: 0, max: 1_000_000 }),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, settle) => {
        const p = new Portfolio(usdc(10_000))
        for (const o of ops) {
          const market = o.token === ELSEWHERE ? OTHER_MARKET : MARKET
          if (o.buy) {
            p.applyFill(fill('buy', o.token, o.price, o.size, o.fee, market))
          } else {
            const held = p.position(o.token)?.size ?? 0
            const size = Math.floor(held * o.fraction)
            if (size > 0) p.applyFill(fill('sell', o.token, o.price, size, o.fee, market))
          }
          let costs = 0
          for (const position of p.positions()) {
            expect(position.size).toBeGreaterThan(0)
            expect(position.cost).toBeGreaterThanOrEqual(0)
            costs += position.cost
          }
          expect(p.cash() + costs).toBe(10_000_000_000 + p.realized() - p.fees())
        }
        if (settle) {
          p.settle(MARKET, YES, at(1))
          p.settle(OTHER_MARKET, NO, at(1))
          expect(p.positions()).toEqual([])
          expect(p.cash()).toBe(10_000_000_000 + p.realized() - p.fees())
        }
      }),
    )
  })
})
