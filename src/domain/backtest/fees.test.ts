import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvariantError } from '../errors.js'
import type { PriceTicks, ShareMicros } from '../units.js'
import { FEE_QUANTUM_MICROS, feeRateBpsOf, takerFee } from './fees.js'

const shares = (n: number): ShareMicros => Math.round(n * 1_000_000) as ShareMicros
const px = (ticks: number): PriceTicks => ticks as PriceTicks

describe('takerFee', () => {
  test('matches hand computation: shares × rate × p × (1 − p)', () => {
    // 100 × 0.05 × 0.5 × 0.5 = 1.25 USDC
    expect(takerFee(shares(100), px(5000), 500)).toBe(1_250_000)
    // 10 × 0.03 × 0.47 × 0.53 = 0.07473 USDC, already on 5 decimals
    expect(takerFee(shares(10), px(4700), 300)).toBe(74_730)
    // 15 × 0.05 × 0.51 × 0.49 = 0.187425 -> rounded up to 0.18743
    expect(takerFee(shares(15), px(5100), 500)).toBe(187_430)
    // 1 × 0.05 × 0.01 × 0.99 = 0.000495 -> 0.0005
    expect(takerFee(shares(1), px(100), 500)).toBe(500)
  })

  test('any positive fee is at least the venue minimum of 0.00001', () => {
    expect(takerFee(1 as ShareMicros, px(5000), 500)).toBe(FEE_QUANTUM_MICROS)
  })

  test('is zero at a zero rate, a zero size, and at prices 0 and 1', () => {
    expect(takerFee(shares(100), px(5000), 0)).toBe(0)
    expect(takerFee(0 as ShareMicros, px(5000), 500)).toBe(0)
    expect(takerFee(shares(100), px(0), 500)).toBe(0)
    expect(takerFee(shares(100), px(10_000), 500)).toBe(0)
  })

  test('p × (1 − p) shape: symmetric around 0.5, largest there, growing towards it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (size, price, rate) => {
          const fee = takerFee(size as ShareMicros, px(price), rate)
          expect(fee).toBe(takerFee(size as ShareMicros, px(10_000 - price), rate))
          expect(fee).toBeLessThanOrEqual(takerFee(size as ShareMicros, px(5000), rate))
          if (price < 5000) {
            expect(fee).toBeLessThanOrEqual(takerFee(size as ShareMicros, px(price + 1), rate))
          }
          expect(fee % FEE_QUANTUM_MICROS).toBe(0)
        },
      ),
    )
  })

  test('never undercharges: within one quantum above the exact fee', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (size, price, rate) => {
          const exact = (size * rate * price * (10_000 - price)) / 1e12
          const fee = takerFee(size as ShareMicros, px(price), rate)
          expect(fee).toBeGreaterThanOrEqual(exact - 1e-6)
          expect(fee).toBeLessThan(exact + FEE_QUANTUM_MICROS + 1e-6)
        },
      ),
    )
  })

  test('rejects rates, prices and sizes outside their units', () => {
    expect(() => takerFee(shares(1), px(5000), 1.5)).toThrow(InvariantError)
    expect(() => takerFee(shares(1), px(5000), -1)).toThrow(/fee rate -1 bps/)
    expect(() => takerFee(shares(1), px(5000), 10_001)).toThrow(InvariantError)
    expect(() => takerFee(shares(1), px(10_001), 500)).toThrow(/fee price/)
    expect(() => takerFee(-1 as ShareMicros, px(5000), 500)).toThrow(/fee size/)
  })
})

describe('feeRateBpsOf', () => {
  test('converts venue rates to whole basis points', () => {
    expect(feeRateBpsOf(0.05)).toBe(500)
    expect(feeRateBpsOf(0.03)).toBe(300)
    expect(feeRateBpsOf(0.07)).toBe(700)
    expect(feeRateBpsOf(0)).toBe(0)
  })

  test('returns -1 for rates that are not in [0, 1]', () => {
    expect(feeRateBpsOf(Number.NaN)).toBe(-1)
    expect(feeRateBpsOf(-0.01)).toBe(-1)
    expect(feeRateBpsOf(1.5)).toBe(-1)
  })
})
