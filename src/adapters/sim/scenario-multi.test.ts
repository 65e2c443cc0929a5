import { describe, expect, test } from 'vitest'
import { MatchScenario } from './scenario-match.js'
import { MultiMatchScenario, TOKENS_PER_MATCH } from './scenario-multi.js'

describe('MultiMatchScenario', () => {
  test('25 matches serve 200 distinct tokens in 25 distinct events', () => {
    const multi = new MultiMatchScenario({ matches: 25, seed: 1 })
    const tokens = multi.assetIds()
    expect(tokens).toHaveLength(25 * TOKENS_PER_MATCH)
    expect(new Set(tokens).size).toBe(200)
    const events = multi.events()
    expect(new Set(events.map((e) => e.slug)).size).toBe(25)
    expect(new Set(events.flatMap((e) => e.markets.map((m) => m.conditionId))).size).toBe(100)
  })

  test('match i produces the frames of a lone match seeded seed + i, on one clock', () => {
    const multi = new MultiMatchScenario({ matches: 3, seed: 40, startMs: 1_000 })
    const lone = [40, 41, 42].map((seed) => new MatchScenario({ seed, startMs: 1_000 }))
    for (let i = 0; i < 200; i++) {
      const expected = lone.flatMap((m) => m.step())
      expect(multi.step()).toEqual(expected)
      expect(multi.now()).toBe(lone[0]!.now())
    }
    const token = lone[2]!.assetIds()[3]!
    expect(multi.snapshot(token)).toEqual(lone[2]!.snapshot(token))
    expect(multi.trueBook(token)?.bestBid()).toBe(lone[2]!.trueBook(token)?.bestBid())
    expect(multi.snapshot('unknown')).toBeUndefined()
    expect(multi.trueBook('unknown')).toBeUndefined()
    expect(multi.labels).toHaveLength(lone.reduce((n, m) => n + m.labels.length, 0))
  })

  test('labels reach the callback and the scenario is done when every match is', () => {
    const seen: string[] = []
    const multi = new MultiMatchScenario({
      matches: 2,
      seed: 7,
      stepMs: 5_000,
      onLabel: (l) => seen.push(l.asset_id),
    })
    let steps = 0
    while (!multi.done && steps < 100_000) {
      multi.step()
      steps++
    }
    expect(multi.done).toBe(true)
    expect(multi.matches.every((m) => m.done)).toBe(true)
    expect(seen.length).toBe(multi.labels.length)
  })

  test('bad options are refused with what is expected', () => {
    expect(() => new MultiMatchScenario({ matches: 0, seed: 1 })).toThrow(
      'matches must be a whole number 1..1000, got 0',
    )
    expect(() => new MultiMatchScenario({ matches: 1.5, seed: 1 })).toThrow(RangeError)
    expect(() => new MultiMatchScenario({ matches: 1, seed: 0.5 })).toThrow(
      'seed must be an integer, got 0.5',
    )
  })
})
