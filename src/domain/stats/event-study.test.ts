import { describe, expect, test } from 'vitest'
import { summariseEventStudy, type StudyObservation } from './event-study.js'
import { seededRandom } from './random.js'

const OFFSETS = [-10, 0, 5]

describe('summariseEventStudy', () => {
  const obs: StudyObservation[] = [
    { type: 'goal', cluster: 'm1', mids: [0.5, 0.6, 0.65] },
    { type: 'goal', cluster: 'm2', mids: [0.4, 0.4, 0.38] },
    { type: 'goal', cluster: 'm2', mids: [null, 0.3, 0.33] },
    { type: 'goal', cluster: 'm3', mids: [0.2, null, 0.9] },
    { type: 'timeout', cluster: 'm1', mids: [0.5, 0.5, 0.5] },
  ]
  const [goal, timeout] = summariseEventStudy(obs, OFFSETS, { random: seededRandom(1) })

  test('moves are mid(k) − mid(0), only for events with both mids', () => {
    expect(goal).toMatchObject({ type: 'goal', count: 4, measured: 3, clusters: 2 })
    const [before, after] = goal!.horizons
    expect(before!.offsetS).toBe(-10)
    expect(before!.n).toBe(2)
    // moves −0.1 and 0
    expect(before!.meanMove).toBeCloseTo(-0.05, 12)
    expect(after!.n).toBe(3)
    // moves 0.05, −0.02, 0.03
    expect(after!.meanMove).toBeCloseTo(0.02, 12)
    expect(after!.medianMove).toBeCloseTo(0.03, 12)
  })

  test('a hit is a move in the event direction for the window: up after, already up before', () => {
    const [before, after] = goal!.horizons
    expect(before).toMatchObject({ hits: 1, hitRate: 0.5 })
    expect(after!.hits).toBe(2)
    expect(after!.hitRate).toBeCloseTo(2 / 3, 12)
    expect(timeout!.horizons[1]).toMatchObject({ hits: 0, hitRate: 0 })
  })

  test('intervals with two clusters, none with one', () => {
    expect(goal!.horizons[1]!.meanCi.low).not.toBeNull()
    expect(goal!.horizons[1]!.meanCi.low!).toBeLessThanOrEqual(goal!.horizons[1]!.meanCi.high!)
    expect(timeout!.horizons[1]!.meanCi).toMatchObject({ low: null, high: null })
    expect(timeout!.horizons[1]!.meanCi.reason).toMatch(/only 1 match/)
  })

  test('offsets without 0 or mismatched mids are rejected', () => {
    const random = seededRandom(1)
    expect(() => summariseEventStudy([], [5, 10], { random })).toThrow(/must include 0/)
    expect(() =>
      summariseEventStudy([{ type: 'goal', cluster: 'm', mids: [0.1] }], OFFSETS, { random }),
    ).toThrow(/1 mids for 3 offsets/)
  })
})
