import { describe, expect, it } from 'vitest'
import { elapsedText, marketClock, offsetText, videoClock } from './time-text.js'

describe('time texts', () => {
  it('shows market time in UTC with tenths', () => {
    const ms = Date.UTC(2026, 5, 7, 1, 47, 3, 250)
    expect(marketClock(ms)).toBe('01:47:03.2')
    expect(marketClock(ms, false)).toBe('01:47:03')
  })

  it('shows video positions', () => {
    expect(videoClock(0)).toBe('0:00')
    expect(videoClock(123_900)).toBe('2:03')
    expect(videoClock(3_723_000)).toBe('1:02:03')
    expect(videoClock(-5_000)).toBe('−0:05')
  })

  it('shows spans and offsets', () => {
    expect(elapsedText(12_340)).toBe('+12.3 s')
    expect(elapsedText(-2_500)).toBe('−2.5 s')
    expect(elapsedText(125_000)).toBe('+2:05')
    expect(offsetText(null)).toBe('uncalibrated')
    expect(offsetText(-90_000)).toBe('−1:30')
    expect(offsetText(Date.UTC(2026, 10, 25, 11, 36, 37, 800))).toBe('0:00 = 11:36:37.8 UTC')
  })
})
