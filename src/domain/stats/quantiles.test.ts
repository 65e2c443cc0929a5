import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvariantError } from '../errors.js'
import { mean, median, quantile, quantileSorted, sortedCopy } from './quantiles.js'

describe('quantiles', () => {
  test('mean and median of small samples', () => {
    expect(mean([1, 2, 3, 10])).toBe(4)
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([-0.15, 0.02])).toBeCloseTo(-0.065, 12)
  })

  test('empty input gives null, not NaN', () => {
    expect(mean([])).toBeNull()
    expect(median([])).toBeNull()
    expect(quantile([], 0.3)).toBeNull()
  })

  test('interpolates between closest ranks', () => {
    expect(quantileSorted([10, 20, 30, 40], 0)).toBe(10)
    expect(quantileSorted([10, 20, 30, 40], 1)).toBe(40)
    // h = 3 × 0.25 = 0.75 -> 10 + 0.75 × 10
    expect(quantileSorted([10, 20, 30, 40], 0.25)).toBe(17.5)
  })

  test('sorts numerically, not as strings', () => {
    expect(sortedCopy([10, 9, 100, -1])).toEqual([-1, 9, 10, 100])
  })

  test('rejects p outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(InvariantError)
    expect(() => quantile([1], Number.NaN)).toThrow(/quantile p must be in \[0, 1\]/)
  })

  test('a quantile lies between the minimum and the maximum and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, p1, p2) => {
          const sorted = sortedCopy(values)
          const q1 = quantileSorted(sorted, Math.min(p1, p2)) as number
          const q2 = quantileSorted(sorted, Math.max(p1, p2)) as number
          expect(q1).toBeGreaterThanOrEqual(sorted[0] as number)
          expect(q2).toBeLessThanOrEqual(sorted[sorted.length - 1] as number)
          expect(q1).toBeLessThanOrEqual(q2)
        },
      ),
    )
  })
})
