import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvariantError } from '../errors.js'
import { clusteredBootstrap, type ClusteredValue } from './bootstrap.js'
import { mean, median } from './quantiles.js'
import { randomIndex, seededRandom } from './random.js'

const values = (pairs: [string, number][]): ClusteredValue[] =>
  pairs.map(([cluster, value]) => ({ cluster, value }))

describe('seededRandom', () => {
  test('same seed, same sequence; different seeds differ', () => {
    const a = seededRandom(7)
    const b = seededRandom(7)
    const c = seededRandom(8)
    const xs = [a(), a(), a()]
    expect([b(), b(), b()]).toEqual(xs)
    expect([c(), c(), c()]).not.toEqual(xs)
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true)
  })

  test('randomIndex stays in range even for a source returning 1', () => {
    expect(randomIndex(() => 1, 3)).toBe(2)
    expect(randomIndex(() => 0, 3)).toBe(0)
  })
})

describe('clusteredBootstrap', () => {
  test('no observations: no estimate and a reason', () => {
    const r = clusteredBootstrap([], mean, { random: seededRandom(1) })
    expect(r).toMatchObject({ estimate: null, low: null, high: null, n: 0, clusters: 0 })
    expect(r.reason).toBe('no observations')
  })

  test('one cluster: the estimate but no interval, and says why', () => {
    const r = clusteredBootstrap(
      values([
        ['m1', 0.1],
        ['m1', 0.3],
      ]),
      mean,
      {
        random: seededRandom(1),
      },
    )
    expect(r.estimate).toBeCloseTo(0.2, 12)
    expect(r.low).toBeNull()
    expect(r.high).toBeNull()
    expect(r.reason).toMatch(/only 1 match .*at least 2/)
  })

  test('resamples whole clusters: with two clusters the mean can only take three values', () => {
    // m1 = {0, 0} and m2 = {1}: draws are (m1,m1) -> 0, (m2,m2) -> 1, mixed -> 1/3.
    const r = clusteredBootstrap(
      values([
        ['m1', 0],
        ['m1', 0],
        ['m2', 1],
      ]),
      mean,
      {
        random: seededRandom(3),
        resamples: 400,
      },
    )
    expect(r.estimate).toBeCloseTo(1 / 3, 12)
    expect(r.clusters).toBe(2)
    expect(r.low).toBe(0)
    expect(r.high).toBe(1)
    expect(r.reason).toBeNull()
  })

  test('reproducible for a seed', () => {
    const data = values([
      ['a', 0.01],
      ['b', 0.05],
      ['c', -0.02],
      ['d', 0.04],
      ['a', 0.03],
    ])
    const one = clusteredBootstrap(data, median, { random: seededRandom(42) })
    const two = clusteredBootstrap(data, median, { random: seededRandom(42) })
    expect(two).toEqual(one)
    expect(one.resamples).toBe(2000)
  })

  test('the interval contains the estimate for the mean of many clusters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 30 }),
        fc.integer(),
        (xs, seed) => {
          const data = xs.map((value, i) => ({ cluster: `m${i % 3}`, value }))
          const r = clusteredBootstrap(data, mean, { random: seededRandom(seed), resamples: 200 })
          expect(r.low as number).toBeLessThanOrEqual((r.high as number) + 1e-12)
          expect(r.low as number).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-12)
          expect(r.high as number).toBeLessThanOrEqual(Math.max(...xs) + 1e-12)
        },
      ),
      { numRuns: 50 },
    )
  })

  test('rejects bad options and non-finite observations', () => {
    const random = seededRandom(1)
    expect(() => clusteredBootstrap([], mean, { random, resamples: 0 })).toThrow(InvariantError)
    expect(() => clusteredBootstrap([], mean, { random, resamples: 1.5 })).toThrow(
      /positive integer/,
    )
    expect(() => clusteredBootstrap([], mean, { random, level: 1 })).toThrow(/between 0 and 1/)
    expect(() => clusteredBootstrap(values([['m', Number.NaN]]), mean, { random })).toThrow(
      /not finite/,
    )
  })
})
