import { describe, expect, test } from 'vitest'
import { InvariantError } from '../errors.js'
import { seededRandom } from '../stats/random.js'
import { DEFAULT_LATENCY_MS, fixedLatency, jitteredLatency } from './latency-model.js'

describe('latency models', () => {
  test('fixed latency gives the same delay for every order', () => {
    const model = fixedLatency(DEFAULT_LATENCY_MS)
    expect(model.entryMs('a')).toBe(250)
    expect(model.entryMs('b')).toBe(250)
    expect(fixedLatency(0).entryMs('a')).toBe(0)
  })

  test('jitter only adds, stays within bounds, and repeats for the same seed', () => {
    const draw = (seed: number): number[] => {
      const model = jitteredLatency(250, 100, seededRandom(seed))
      return Array.from({ length: 200 }, (_, i) => model.entryMs(`o${i}`))
    }
    const first = draw(7)
    expect(first).toEqual(draw(7))
    expect(first).not.toEqual(draw(8))
    for (const ms of first) {
      expect(Number.isInteger(ms)).toBe(true)
      expect(ms).toBeGreaterThanOrEqual(250)
      expect(ms).toBeLessThanOrEqual(350)
    }
    expect(jitteredLatency(10, 5, () => 0.999999999).entryMs('x')).toBe(15)
  })

  test('rejects negative, fractional and non-finite delays', () => {
    expect(() => fixedLatency(-1)).toThrow(InvariantError)
    expect(() => fixedLatency(1.5)).toThrow(/whole number/)
    expect(() => fixedLatency(Number.NaN)).toThrow(/latency NaN/)
    expect(() => jitteredLatency(250, -5, () => 0)).toThrow(/jitter -5/)
    expect(() => jitteredLatency(250.5, 5, () => 0)).toThrow(/whole numbers/)
  })
})
