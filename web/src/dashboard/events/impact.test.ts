import { describe, expect, test } from 'vitest'
import { centsText, impactFigures } from './impact.js'

// Mid 5000 ticks (0.50) until t=10_000, then rising 10 ticks a second.
const midAt = (t: number): number | null =>
  t < 0 ? null : t <= 10_000 ? 5_000 : 5_000 + (t - 10_000) / 100

describe('impactFigures', () => {
  test('mid change in cents at +5/+10/+30/+60 s, known up to knownUntil', () => {
    expect(impactFigures(10_000, midAt, 45_000)).toEqual([
      { horizonS: 5, cents: 0.5 },
      { horizonS: 10, cents: 1 },
      { horizonS: 30, cents: 3 },
      { horizonS: 60, cents: null },
    ])
    expect(impactFigures(10_000, midAt, 70_000).map((f) => f.cents)).toEqual([0.5, 1, 3, 6])
  })

  test('unknown until the time has come, or when a mid is missing', () => {
    expect(impactFigures(10_000, midAt, null).every((f) => f.cents === null)).toBe(true)
    expect(impactFigures(10_000, midAt, 10_000).every((f) => f.cents === null)).toBe(true)
    expect(impactFigures(-1, midAt, 1e9).every((f) => f.cents === null)).toBe(true)
    const holes = (t: number): number | null => (t === 0 ? 5_000 : null)
    expect(impactFigures(0, holes, 1e9).every((f) => f.cents === null)).toBe(true)
  })
})

describe('centsText', () => {
  test.each([
    [null, '…'],
    [0, '0¢'],
    [2.5, '+2.5¢'],
    [-0.25, '−0.25¢'],
    [3, '+3¢'],
    [12.25, '+12.3¢'],
    [-10, '−10¢'],
  ])('centsText(%j)', (cents, text) => {
    expect(centsText(cents)).toBe(text)
  })

  test('a figure that will never be known (after the end of a capture) is a dash', () => {
    expect(centsText(null, true)).toBe('—')
    expect(centsText(1, true)).toBe('+1¢')
  })
})
