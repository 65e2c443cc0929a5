import { describe, expect, test } from 'vitest'
import {
  calibrate,
  describeOffset,
  formatMarketMs,
  formatVideoMs,
  marketAt,
  parseMarketMoment,
  parseOffsetInput,
  parseVideoPosition,
  videoAt,
} from './video-time.js'

describe('offset arithmetic', () => {
  test('marking a known moment: offset = market − video, and back', () => {
    // A round win at market 1_780_795_900_000 is seen at video 12:34.5.
    const offset = calibrate(1_780_795_900_000, 754_500)
    expect(offset).toBe(1_780_795_145_500)
    expect(videoAt(1_780_795_900_000, offset)).toBe(754_500)
    expect(marketAt(754_500, offset)).toBe(1_780_795_900_000)
  })

  test('unknown inputs give null', () => {
    expect(videoAt(null, 5)).toBeNull()
    expect(videoAt(5, null)).toBeNull()
    expect(marketAt(null, 5)).toBeNull()
    expect(marketAt(5, null)).toBeNull()
  })
})

describe('formatting', () => {
  test.each([
    [0, '0:00.0'],
    [754_500, '12:34.5'],
    [59_999, '0:59.9'],
    [3_723_400, '1:02:03.4'],
    [-5_000, '-0:05.0'],
  ])('formatVideoMs(%d)', (ms, text) => {
    expect(formatVideoMs(ms)).toBe(text)
  })

  test('formatMarketMs is UTC wall time with tenths', () => {
    expect(formatMarketMs(Date.UTC(2026, 5, 7, 14, 3, 7, 480))).toBe('14:03:07.4')
  })

  test('describeOffset names a lag, or where video 0:00 falls for an epoch offset', () => {
    expect(describeOffset(null)).toBe('not calibrated')
    expect(describeOffset(0)).toBe('video time = market time')
    expect(describeOffset(2_500)).toBe('market time = video time + 2.5 s')
    expect(describeOffset(-800)).toBe('market time = video time − 0.8 s')
    expect(describeOffset(1_780_795_145_500)).toBe(
      'video 0:00 = market 2026-06-07 01:19:05.500 UTC',
    )
  })
})

describe('parsing what the user types', () => {
  test.each([
    ['12:34', 754_000],
    ['12:34.5', 754_500],
    [' 1:02:03 ', 3_723_000],
    ['754.5', 754_500],
    ['0', 0],
    ['90:00', 5_400_000],
  ])('video position %j', (text, ms) => {
    expect(parseVideoPosition(text)).toEqual({ ok: true, value: ms })
  })

  test.each(['', '12:61', '1:60:00', 'abc', '-1:00', '1:2:3:4', '12:34.5678'])(
    'video position %j is refused with an example',
    (text) => {
      const result = parseVideoPosition(text)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error).toMatch(/12:34\.5/)
    },
  )

  test.each([
    ['1780795830000', 1_780_795_830_000],
    ['-2500', -2_500],
    ['+1_000', 1_000],
    ['1,780,795,830,000', 1_780_795_830_000],
  ])('offset %j', (text, ms) => {
    expect(parseOffsetInput(text)).toEqual({ ok: true, value: ms })
  })

  test.each(['', '1.5', '12 s', 'abc', '1'.repeat(17)])('offset %j is refused', (text) => {
    const result = parseOffsetInput(text)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(/whole milliseconds/)
  })

  test('a market moment is epoch ms or a wall time on the reference day', () => {
    const reference = Date.UTC(2026, 5, 7, 12, 0, 0, 0)
    expect(parseMarketMoment('1780795851472', reference)).toEqual({
      ok: true,
      value: 1_780_795_851_472,
    })
    expect(parseMarketMoment('14:03:07.4', reference)).toEqual({
      ok: true,
      value: Date.UTC(2026, 5, 7, 14, 3, 7, 400),
    })
  })

  test.each([
    ['14:03:07', null, /epoch milliseconds/],
    ['25:00:00', 1_780_795_851_472, /UTC time like 14:03:07\.4/],
    ['yesterday', 1_780_795_851_472, /is not a market time/],
    ['12345', 1_780_795_851_472, /is not a market time/],
  ])('market moment %j (reference %j) is refused', (text, reference, message) => {
    const result = parseMarketMoment(text, reference)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(message)
  })
})
