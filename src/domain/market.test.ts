import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ParseError } from './errors.js'
import {
  asMarketId,
  asTokenId,
  complementPrice,
  isOnTick,
  isTickSize,
  oppositeSide,
  parseTickSize,
  TICK_SIZE_TEXT,
  TICK_SIZES,
  type TickSize,
} from './market.js'
import { MAX_PRICE, type PriceTicks } from './units.js'

const px = (ticks: number): PriceTicks => ticks as PriceTicks

describe('parseTickSize', () => {
  test.each([
    ['0.1', 1000],
    ['0.01', 100],
    ['0.005', 50],
    ['0.0025', 25],
    ['0.001', 10],
    ['0.0001', 1],
  ])('parses %j as %i ticks', (text, ticks) => {
    expect(parseTickSize(text)).toBe(ticks)
  })

  test('accepts trailing zeros', () => {
    expect(parseTickSize('0.010')).toBe(100)
    expect(parseTickSize('0.1000')).toBe(1000)
  })

  test.each(['0.02', '0.05', '0', '1', '0.5', '0.00001', '0.00010001', '', 'abc', '-0.01', '1e-2'])(
    'rejects %j with a ParseError listing the valid values',
    (text) => {
      expect(() => parseTickSize(text)).toThrow(ParseError)
      expect(() => parseTickSize(text)).toThrow(
        `tick size "${text}" is not one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001`,
      )
    },
  )

  test('every tick size has venue text that parses back to it', () => {
    for (const tick of TICK_SIZES) {
      const text = TICK_SIZE_TEXT[tick]
      expect(text).toBeDefined()
      expect(parseTickSize(text!)).toBe(tick)
    }
    expect(Object.keys(TICK_SIZE_TEXT)).toHaveLength(TICK_SIZES.length)
  })
})

describe('isTickSize', () => {
  test('accepts exactly the six venue tick sizes', () => {
    const valid = []
    for (let v = 0; v <= MAX_PRICE; v++) if (isTickSize(v)) valid.push(v)
    expect(valid).toEqual([1, 10, 25, 50, 100, 1000])
    expect(isTickSize(Number.NaN)).toBe(false)
    expect(isTickSize(100.5)).toBe(false)
  })
})

describe('isOnTick', () => {
  test.each([
    [5000, 100, true],
    [5050, 100, false],
    [5050, 50, true],
    [5025, 25, true],
    [5025, 50, false],
    [1, 1, true],
    [9999, 1, true],
    [0, 1, false],
    [10_000, 1, false],
    [0, 100, false],
    [10_000, 1000, false],
  ])('price %i on tick %i: %s', (price, tick, expected) => {
    expect(isOnTick(px(price), tick as TickSize)).toBe(expected)
  })
})

describe('complementPrice', () => {
  test('maps p to 10000 - p', () => {
    expect(complementPrice(px(6000))).toBe(4000)
    expect(complementPrice(px(0))).toBe(10_000)
    expect(complementPrice(px(10_000))).toBe(0)
    expect(complementPrice(px(5000))).toBe(5000)
  })

  test('is an involution that stays in range and keeps prices on their tick', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_PRICE }),
        fc.constantFrom(...TICK_SIZES),
        (p, tick) => {
          const q = complementPrice(px(p))
          expect(complementPrice(q)).toBe(p)
          expect(q).toBeGreaterThanOrEqual(0)
          expect(q).toBeLessThanOrEqual(MAX_PRICE)
          expect(isOnTick(q, tick as TickSize)).toBe(isOnTick(px(p), tick as TickSize))
        },
      ),
    )
  })
})

describe('ids and sides', () => {
  test('token and market ids keep the exact text, however many digits', () => {
    const token = '71321045679252212594626385532706912750332728571942532289631379312455583992563'
    const market = '0x' + 'ab'.repeat(32)
    expect(asTokenId(token)).toBe(token)
    expect(asMarketId(market)).toBe(market)
  })

  test('oppositeSide swaps bid and ask', () => {
    expect(oppositeSide('bid')).toBe('ask')
    expect(oppositeSide('ask')).toBe('bid')
  })
})
