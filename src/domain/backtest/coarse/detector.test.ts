import { describe, expect, test } from 'vitest'
import type { EpochMs, PriceTicks } from '../../units.js'
import { detectMoves, detectStep, initialDetectorState, isQuoted, usableQuote } from './detector.js'
import { DEFAULT_COARSE_PARAMS, type QuotePoll } from './types.js'

const poll = (ts: number, bid: number | null, ask: number | null): QuotePoll => ({
  ts: ts as EpochMs,
  bid: bid as PriceTicks | null,
  ask: ask as PriceTicks | null,
  segment: 1,
})

describe('quotes', () => {
  test('a poll is quoted with both sides and ask ≥ bid', () => {
    expect(isQuoted(poll(0, 4000, 4100))).toBe(true)
    expect(isQuoted(poll(0, 4000, 4000))).toBe(true)
    expect(isQuoted(poll(0, 4100, 4000))).toBe(false)
    expect(isQuoted(poll(0, null, 4000))).toBe(false)
    expect(isQuoted(poll(0, 4000, null))).toBe(false)
  })

  test('usable quotes have a spread within the limit; mids are doubled to stay whole', () => {
    expect(usableQuote(poll(0, 4000, 4100), 500)).toEqual({ midX2: 8100, spread: 100 })
    expect(usableQuote(poll(0, 4000, 4600), 500)).toBeNull()
    expect(usableQuote(poll(0, 4100, 4000), 500)).toBeNull()
  })
})

describe('in play and signals', () => {
  const params = { ...DEFAULT_COARSE_PARAMS, inPlayWindow: 3, inPlayMinMoves: 2 }

  test('in play needs enough mid changes among the previous pairs, not counting this one', () => {
    const state = initialDetectorState()
    const steps = [
      poll(0, 5000, 5100),
      poll(120_000, 5100, 5200),
      poll(240_000, 5100, 5200),
      poll(360_000, 5200, 5300),
      poll(480_000, 5200, 5300),
    ].map((p, i) => detectStep(state, p, i, params))
    expect(steps.map((s) => [s.comparable, s.inPlay])).toEqual([
      [false, false],
      [true, false],
      [true, false],
      [true, false],
      [true, true],
    ])
  })

  test('an unusable poll breaks the chain and clears the activity window', () => {
    const series = [
      poll(0, 5000, 5100),
      poll(120_000, 5100, 5200),
      poll(240_000, 5000, 5100),
      poll(360_000, null, null),
      poll(480_000, 5000, 5100),
      poll(600_000, 3500, 3600),
    ]
    expect(detectMoves(series, params)).toEqual([])
    const withoutBreak = series.filter((_, i) => i !== 3)
    expect(detectMoves(withoutBreak, params)).toEqual([
      {
        index: 4,
        ts: 600_000,
        type: 'drop',
        moveTicks: 1500,
        midBefore: 5050,
        midAfter: 3550,
      },
    ])
  })

  test('a move just below the threshold is not a signal; at the threshold it is', () => {
    const base = [poll(0, 5000, 5100), poll(120_000, 5100, 5200), poll(240_000, 5000, 5100)]
    const below = [...base, poll(360_000, 5999, 6099)]
    const at = [...base, poll(360_000, 6000, 6100)]
    expect(detectMoves(below, params)).toEqual([])
    expect(detectMoves(at, params).map((s) => [s.type, s.moveTicks])).toEqual([['rise', 1000]])
  })
})
