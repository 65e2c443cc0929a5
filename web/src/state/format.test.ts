import { describe, expect, test } from 'vitest'
import {
  countdownText,
  decimalToMicros,
  decimalToTicks,
  priceDecimal,
  priceText,
  sharesDecimal,
  sharesText,
  tickDecimals,
  usdMicrosText,
  usdText,
} from './format.js'

describe('display conversions', () => {
  test('prices follow the market tick', () => {
    expect(tickDecimals(100)).toBe(2)
    expect(tickDecimals(10)).toBe(3)
    expect(tickDecimals(1)).toBe(4)
    expect(priceText(3400, 100)).toBe('0.34')
    expect(priceText(3450, 10)).toBe('0.345')
    expect(priceText(1, 1)).toBe('0.0001')
    expect(priceDecimal(3450)).toBe('0.345')
  })

  test('decimals parse to integer units and refuse junk', () => {
    expect(decimalToTicks('0.535')).toBe(5350)
    expect(decimalToTicks(' 0.5 ')).toBe(5000)
    expect(decimalToTicks('1.5')).toBeNull()
    expect(decimalToTicks('abc')).toBeNull()
    expect(decimalToTicks(null)).toBeNull()
    expect(decimalToMicros('12.5')).toBe(12_500_000)
    expect(decimalToMicros('-1')).toBeNull()
    expect(decimalToMicros('')).toBeNull()
  })

  test('share sizes read short and write exact', () => {
    expect(sharesText(12_500_000)).toBe('12.5')
    expect(sharesText(1_816_000_000)).toBe('1816')
    expect(sharesText(12_345_000_000)).toBe('12.3k')
    expect(sharesText(2_500_000_000_000)).toBe('2.5M')
    expect(sharesDecimal(12_500_000)).toBe('12.5')
    expect(sharesDecimal(10_000_000)).toBe('10')
    expect(sharesDecimal(1)).toBe('0.000001')
  })

  test('money carries its sign', () => {
    expect(usdMicrosText(-3_250_000)).toBe('-$3.25')
    expect(usdMicrosText(3_250_000, true)).toBe('+$3.25')
    expect(usdText('1234.5')).toBe('$1,234.50')
    expect(usdText('0')).toBe('$0.00')
    expect(usdText(null)).toBe('—')
    expect(usdText('not a number')).toBe('—')
  })

  test('countdowns', () => {
    expect(countdownText(4200)).toBe('4.2s')
    expect(countdownText(65_000)).toBe('1:05')
    expect(countdownText(0)).toBe('0s')
    expect(countdownText(2 * 3_600_000)).toBe('2h00m')
  })
})
