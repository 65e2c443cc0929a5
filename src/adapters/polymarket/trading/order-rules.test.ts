import { OrderBuilder, Side } from '@polymarket/clob-client-v2'
import fc from 'fast-check'
import { createWalletClient, custom } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { TICK_SIZE_TEXT, type TickSize } from '../../../domain/market.js'
import type { PriceTicks, ShareMicros, UsdcMicros } from '../../../domain/units.js'
import {
  checkLimit,
  checkMarketSell,
  checkPrice,
  marketableBuyAmountsOk,
  marketBuySpend,
  type MarketParams,
} from './order-rules.js'
import { orderIdOf } from './polymarket-trading.js'

// Public Hardhat/Anvil test key #0.
const wallet = createWalletClient({
  account: privateKeyToAccount(
    '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  ),
  transport: custom({ request: () => Promise.reject(new Error('no RPC in tests')) }),
})
const builder = new OrderBuilder(wallet, 137, 0)

function params(tick: number, minShares = 5): MarketParams {
  return { tick: tick as TickSize, minSize: (minShares * 1e6) as ShareMicros, negRisk: false }
}

describe('price, size and minimum checks', () => {
  it('accepts prices on the tick inside [tick, 1 - tick] and names what is wrong otherwise', () => {
    expect(checkPrice(5200 as PriceTicks, 100 as TickSize)).toBeNull()
    expect(checkPrice(100 as PriceTicks, 100 as TickSize)).toBeNull()
    expect(checkPrice(9900 as PriceTicks, 100 as TickSize)).toBeNull()
    const offTick = checkPrice(5205 as PriceTicks, 100 as TickSize)
    expect(offTick?.reason).toBe('OFF_TICK')
    expect(offTick?.message).toMatch(/0\.5205 is not on the market's tick 0\.01/)
    expect(checkPrice(0 as PriceTicks, 100 as TickSize)).toMatchObject({
      reason: 'PRICE_OUT_OF_RANGE',
    })
    expect(checkPrice(9950 as PriceTicks, 50 as TickSize)).toBeNull()
    expect(checkPrice(10_000 as PriceTicks, 50 as TickSize)).toMatchObject({
      reason: 'PRICE_OUT_OF_RANGE',
    })
    expect(checkPrice(25 as PriceTicks, 25 as TickSize)).toBeNull()
  })

  it('limit orders: 0.01-share steps and the market minimum', () => {
    const p = params(100)
    expect(checkLimit(5000 as PriceTicks, 5_000_000 as ShareMicros, p)).toBeNull()
    const small = checkLimit(5000 as PriceTicks, 4_990_000 as ShareMicros, p)
    expect(small?.reason).toBe('BELOW_MIN_SIZE')
    expect(small?.message).toContain("below the market's minimum of 5 shares")
    expect(checkLimit(5000 as PriceTicks, 5_001_000 as ShareMicros, p)).toMatchObject({
      reason: 'BAD_AMOUNT',
    })
    expect(checkLimit(5000 as PriceTicks, 0 as ShareMicros, p)).toMatchObject({
      reason: 'BELOW_MIN_SIZE',
    })
    expect(checkMarketSell(100 as PriceTicks, 1_000_000 as ShareMicros, p)).toBeNull()
    expect(checkMarketSell(150 as PriceTicks, 1_000_000 as ShareMicros, p)).toMatchObject({
      reason: 'OFF_TICK',
    })
  })

  it('marketable buys need 1 USDC', () => {
    expect(marketBuySpend(999_999 as UsdcMicros, 5000 as PriceTicks, params(100))).toMatchObject({
      reason: 'BELOW_MIN_NOTIONAL',
    })
    expect(marketBuySpend(10_000_000 as UsdcMicros, 5000 as PriceTicks, params(100))).toEqual({
      cents: 1000,
    })
  })

  it('on a 0.001 tick, 9.98 USDC at 0.985 is lowered until the taker amount has 4 decimals', async () => {
    // the client alone signs taker 10131970 (5 decimals) here, which the venue refuses
    const raw = (await builder.buildMarketOrder(
      { tokenID: '1', amount: 9.98, price: 0.985, side: Side.BUY },
      { tickSize: '0.001', negRisk: false },
      2,
    )) as { makerAmount: string; takerAmount: string }
    expect(marketableBuyAmountsOk(raw.makerAmount, raw.takerAmount)).toBe(false)
    const spend = marketBuySpend(9_980_000 as UsdcMicros, 9850 as PriceTicks, params(10))
    if ('reason' in spend) throw new Error(spend.message)
    expect(spend.cents).toBeLessThan(998)
    const fixed = (await builder.buildMarketOrder(
      { tokenID: '1', amount: spend.cents / 100, price: 0.985, side: Side.BUY },
      { tickSize: '0.001', negRisk: false },
      2,
    )) as { makerAmount: string; takerAmount: string }
    expect(marketableBuyAmountsOk(fixed.makerAmount, fixed.takerAmount)).toBe(true)
  })

  it('property: the chosen spend always signs to maker ≤ 2 and taker ≤ 4 decimals', async () => {
    const ticks = [100, 50, 25, 10, 1] as const
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ticks),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1_000_000, max: 500_000_000 }),
        async (tick, rawPrice, spend) => {
          const price = Math.min(10_000 - tick, Math.max(tick, rawPrice - (rawPrice % tick)))
          const chosen = marketBuySpend(spend as UsdcMicros, price as PriceTicks, params(tick))
          if ('reason' in chosen) {
            expect(chosen.reason).toBe('BAD_AMOUNT')
            return
          }
          expect(chosen.cents * 10_000).toBeLessThanOrEqual(spend)
          const order = (await builder.buildMarketOrder(
            { tokenID: '1', amount: chosen.cents / 100, price: price / 10_000, side: Side.BUY },
            { tickSize: TICK_SIZE_TEXT[tick] as '0.01', negRisk: false },
            2,
          )) as { makerAmount: string; takerAmount: string }
          expect(marketableBuyAmountsOk(order.makerAmount, order.takerAmount)).toBe(true)
        },
      ),
      { numRuns: 60, seed: 7 },
    )
  })

  it('marketableBuyAmountsOk refuses what is not an integer string', () => {
    expect(marketableBuyAmountsOk('x', '1')).toBe(false)
    expect(marketableBuyAmountsOk('10000', '100')).toBe(true)
    expect(marketableBuyAmountsOk('10001', '100')).toBe(false)
    expect(marketableBuyAmountsOk('10000', '101')).toBe(false)
  })
})

describe('order id', () => {
  it('is the EIP-712 V2 digest (reference vector)', () => {
    const id = orderIdOf(
      {
        salt: '890000000000',
        maker: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        signer: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        tokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
        makerAmount: '5200000',
        takerAmount: '10000000',
        side: Side.BUY,
        signatureType: 0,
        timestamp: '1780000000000',
        metadata: `0x${'0'.repeat(64)}`,
        builder: `0x${'0'.repeat(64)}`,
        expiration: '0',
        signature: '0x',
      },
      137,
      false,
    )
    expect(id).toBe('0x67fa40796da0d0aa8dc36760f0d2a3239713084d7af6b5bc7510e5063b82adab')
  })
})
