import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ParseError } from './errors.js'
import {
  formatPrice,
  formatSize,
  formatUsdc,
  MAX_PRICE,
  notional,
  parseEpochMs,
  parsePrice,
  parseSize,
  priceFromNumber,
  priceToNumber,
  sizeFromNumber,
  sizeToNumber,
  tryParsePrice,
  tryParseSize,
  usdcToNumber,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from './units.js'

const px = (ticks: number): PriceTicks => ticks as PriceTicks
const sz = (micros: number): ShareMicros => micros as ShareMicros

/** Exact reference for notional: price × size / 10^4 with the named rounding, in BigInt. */
function notionalReference(price: number, size: number, round: 'up' | 'down'): number {
  const product = BigInt(price) * BigInt(size)
  const down = product / 10_000n
  const up = product % 10_000n === 0n ? down : down + 1n
  return Number(round === 'up' ? up : down)
}

describe('parsePrice', () => {
  test.each([
    ['0', 0],
    ['1', 10_000],
    ['0.0001', 1],
    ['0.535', 5350],
    ['0.5', 5000],
    ['0.9999', 9999],
    ['1.0', 10_000],
    ['1.0000', 10_000],
    ['0.12340', 1234],
    ['0.500000000', 5000],
    ['.5', 5000],
    ['1.', 10_000],
    ['00.01', 100],
  ])('parses %j as %i ticks', (text, ticks) => {
    expect(parsePrice(text)).toBe(ticks)
    expect(tryParsePrice(text)).toBe(ticks)
  })

  test.each([
    ['more than 1', '1.0001'],
    ['far more than 1', '2'],
    ['negative', '-0.1'],
    ['a fifth non-zero decimal', '0.12345'],
    ['letters', 'abc'],
    ['empty', ''],
    ['only a dot', '.'],
    ['two dots', '0.5.1'],
    ['a leading plus', '+0.5'],
    ['exponent notation', '1e-4'],
    ['surrounding spaces', ' 0.5'],
    ['a trailing space', '0.5 '],
    ['a comma decimal', '0,5'],
    ['hex', '0x10'],
    ['NaN', 'NaN'],
    ['many digits', '9'.repeat(400)],
  ])('rejects %s (%j) with a ParseError naming the input', (_label, text) => {
    expect(() => parsePrice(text)).toThrow(ParseError)
    expect(() => parsePrice(text)).toThrow(
      `price "${text}" is not a decimal between 0 and 1 with at most 4 places`,
    )
    expect(tryParsePrice(text)).toBe(-1)
  })

  test('the error carries the code and a short one-line excerpt', () => {
    let caught: unknown
    try {
      parsePrice(`${'x'.repeat(300)}\n`)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(ParseError)
    const error = caught as ParseError
    expect(error.code).toBe('PARSE_ERROR')
    expect(error.excerpt.length).toBeLessThanOrEqual(161)
    expect(error.excerpt).not.toContain('\n')
  })
})

describe('formatPrice', () => {
  test.each([
    [0, '0'],
    [1, '0.0001'],
    [10, '0.001'],
    [5350, '0.535'],
    [5000, '0.5'],
    [9999, '0.9999'],
    [10_000, '1'],
  ])('formats %i ticks as %j', (ticks, text) => {
    expect(formatPrice(px(ticks))).toBe(text)
  })

  test('parsePrice(formatPrice(p)) === p for every price in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PRICE }), (p) => {
        expect(parsePrice(formatPrice(px(p)))).toBe(p)
      }),
    )
    // The range is small enough to check exhaustively as well.
    for (let p = 0; p <= MAX_PRICE; p++) {
      if (parsePrice(formatPrice(px(p))) !== p) expect(parsePrice(formatPrice(px(p)))).toBe(p)
    }
  })

  test('formatting a parsed price gives the canonical text (no trailing zeros)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_PRICE }),
        fc.integer({ min: 0, max: 5 }),
        (p, zeros) => {
          const canonical = formatPrice(px(p))
          const padded = canonical.includes('.')
            ? canonical + '0'.repeat(zeros)
            : `${canonical}.${'0'.repeat(zeros)}`
          expect(formatPrice(parsePrice(padded))).toBe(canonical)
        },
      ),
    )
  })
})

describe('parseSize', () => {
  test.each([
    ['0', 0],
    ['35.106382', 35_106_382],
    ['0.000001', 1],
    ['5', 5_000_000],
    ['5.10', 5_100_000],
    ['5.100000000', 5_100_000],
    ['1000000', 1_000_000_000_000],
    ['.25', 250_000],
    ['9007199254.740991', Number.MAX_SAFE_INTEGER],
  ])('parses %j as %i micros', (text, micros) => {
    expect(parseSize(text)).toBe(micros)
    expect(tryParseSize(text)).toBe(micros)
  })

  test.each([
    ['a seventh non-zero decimal', '1.1234567'],
    ['negative', '-5'],
    ['one micro beyond 2^53 - 1', '9007199254.740992'],
    ['huge', '1' + '0'.repeat(30)],
    ['exponent notation', '1e6'],
    ['empty', ''],
    ['only a dot', '.'],
    ['letters', 'ten'],
  ])('rejects %s (%j) with a ParseError', (_label, text) => {
    expect(() => parseSize(text)).toThrow(ParseError)
    expect(() => parseSize(text)).toThrow(
      `size "${text}" is not a non-negative decimal with at most 6 places`,
    )
    expect(tryParseSize(text)).toBe(-1)
  })

  test('parseSize(formatSize(s)) === s for any safe size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (s) => {
        expect(parseSize(formatSize(sz(s)))).toBe(s)
      }),
    )
  })

  test('formatSize drops trailing zeros', () => {
    expect(formatSize(sz(35_106_382))).toBe('35.106382')
    expect(formatSize(sz(5_100_000))).toBe('5.1')
    expect(formatSize(sz(5_000_000))).toBe('5')
    expect(formatSize(sz(1))).toBe('0.000001')
    expect(formatSize(sz(0))).toBe('0')
  })
})

describe('notional', () => {
  test('rounds up for cost and down for proceeds', () => {
    // 0.535 × 1 share = 0.535 USDC exactly.
    expect(notional(px(5350), sz(1_000_000), 'up')).toBe(535_000)
    expect(notional(px(5350), sz(1_000_000), 'down')).toBe(535_000)
    // 1 tick × 1 micro = 1e-10 USDC: nothing when receiving, one micro when paying.
    expect(notional(px(1), sz(1), 'down')).toBe(0)
    expect(notional(px(1), sz(1), 'up')).toBe(1)
    // 0.3333 × 1.5 shares = 0.49995 USDC.
    expect(notional(px(3333), sz(1_500_000), 'down')).toBe(499_950)
    // 0.3333 × 0.000007 shares = 0.0000023331 USDC.
    expect(notional(px(3333), sz(7), 'down')).toBe(2)
    expect(notional(px(3333), sz(7), 'up')).toBe(3)
    expect(notional(px(0), sz(123), 'up')).toBe(0)
    expect(notional(px(10_000), sz(123), 'down')).toBe(123)
  })

  test('stays exact past 2^53 through the BigInt branch', () => {
    // 9999 × (2^53 - 1) is far beyond 2^53, so the float product is inexact.
    const size = Number.MAX_SAFE_INTEGER
    expect(Number.isSafeInteger(9999 * size)).toBe(false)
    expect(notional(px(9999), sz(size), 'down')).toBe(notionalReference(9999, size, 'down'))
    expect(notional(px(9999), sz(size), 'up')).toBe(notionalReference(9999, size, 'up'))
    expect(notional(px(9999), sz(size), 'up')).toBe(notional(px(9999), sz(size), 'down') + 1)
    // An exact product in the BigInt branch is not rounded up.
    expect(notional(px(10_000), sz(size), 'up')).toBe(size)
    expect(notional(px(5000), sz(2 ** 52), 'up')).toBe(2 ** 51)
  })

  test('matches an exact BigInt reference for any price and size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_PRICE }),
        fc.oneof(
          fc.integer({ min: 0, max: 10_000_000_000 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        ),
        (p, s) => {
          const down = notional(px(p), sz(s), 'down')
          const up = notional(px(p), sz(s), 'up')
          expect(down).toBe(notionalReference(p, s, 'down'))
          expect(up).toBe(notionalReference(p, s, 'up'))
          expect(up - down).toBeGreaterThanOrEqual(0)
          expect(up - down).toBeLessThanOrEqual(1)
        },
      ),
    )
  })
})

describe('float conversions', () => {
  test('priceFromNumber rounds to the nearest tick and rejects values outside [0, 1]', () => {
    expect(priceFromNumber(0.535)).toBe(5350)
    expect(priceFromNumber(0.53504)).toBe(5350)
    expect(priceFromNumber(0.53506)).toBe(5351)
    expect(priceFromNumber(0)).toBe(0)
    expect(priceFromNumber(1)).toBe(10_000)
    expect(priceFromNumber(-0.0001)).toBe(-1)
    expect(priceFromNumber(1.0001)).toBe(-1)
    expect(priceFromNumber(Number.NaN)).toBe(-1)
    expect(priceFromNumber(Number.POSITIVE_INFINITY)).toBe(-1)
  })

  test('sizeFromNumber rounds to the nearest micro and rejects invalid values', () => {
    expect(sizeFromNumber(35.106382)).toBe(35_106_382)
    expect(sizeFromNumber(0.0000004)).toBe(0)
    expect(sizeFromNumber(0)).toBe(0)
    expect(sizeFromNumber(-1)).toBe(-1)
    expect(sizeFromNumber(Number.NaN)).toBe(-1)
    expect(sizeFromNumber(Number.POSITIVE_INFINITY)).toBe(-1)
    expect(sizeFromNumber(1e12)).toBe(-1)
  })

  test('priceFromNumber inverts priceToNumber on every tick', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PRICE }), (p) => {
        expect(priceFromNumber(priceToNumber(px(p)))).toBe(p)
      }),
    )
  })

  test('to-number conversions scale by the unit', () => {
    expect(priceToNumber(px(5350))).toBe(0.535)
    expect(sizeToNumber(sz(2_500_000))).toBe(2.5)
    expect(usdcToNumber(1_500_000 as UsdcMicros)).toBe(1.5)
    expect(formatUsdc(1_500_000 as UsdcMicros)).toBe('1.5')
    expect(formatUsdc(-1_500_000 as UsdcMicros)).toBe('-1.5')
  })
})

describe('parseEpochMs', () => {
  test('parses integer milliseconds', () => {
    expect(parseEpochMs('1790658661234')).toBe(1_790_658_661_234)
    expect(parseEpochMs('0')).toBe(0)
  })

  test.each(['', '-1', 'abc', '1790658661234.5', '1e12', '9'.repeat(20)])(
    'rejects %j with a ParseError',
    (text) => {
      expect(() => parseEpochMs(text)).toThrow(ParseError)
      expect(() => parseEpochMs(text)).toThrow(`timestamp "${text}" is not epoch milliseconds`)
    },
  )
})
