import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvariantError } from '../../errors.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../units.js'
import { detectMoves } from './detector.js'
import { runCoarseFade } from './fade.js'
import {
  DEFAULT_COARSE_PARAMS,
  type CoarseContract,
  type CoarseParams,
  type QuotePoll,
  type SettlementLabel,
} from './types.js'

const T0 = 1_784_000_000_000
const STEP = 120_000

const PARAMS: CoarseParams = {
  ...DEFAULT_COARSE_PARAMS,
  size: 10_000_000 as ShareMicros,
  feeRateBps: 500,
  direction: 'both',
}

/** Polls every two minutes from `[bid, ask]` pairs (null for an empty side). */
function polls(quotes: readonly (readonly [number | null, number | null])[], t0 = T0): QuotePoll[] {
  return quotes.map(([bid, ask], i) => ({
    ts: (t0 + i * STEP) as EpochMs,
    bid: bid as PriceTicks | null,
    ask: ask as PriceTicks | null,
    segment: 1,
  }))
}

function contract(
  series: QuotePoll[],
  label: SettlementLabel | null = { y: 1, source: 'api' },
  slug = 'aec-cs2-aaa-bbb-2026-07-15',
): CoarseContract {
  return { slug, match: 'cs2-aaa-bbb-2026-07-15', game: 'cs2', kind: 'match', polls: series, label }
}

// Three polls that change the mid, so the contract is in play from poll 3 on.
const WARM_UP: [number, number][] = [
  [5000, 5100],
  [5100, 5200],
  [5000, 5100],
  [5100, 5200],
]

describe('coarse fade on a hand-computed series', () => {
  // i4 drops 1200 ticks (signal) -> entry at i5's ask 4100 -> target 4550 reached at i7 (bid 4600);
  // i10 drops 1300 (signal) -> entry at i11's ask 3600 -> stop at i12 (bid 2500 <= 2600);
  // i12 itself drops 1000 (signal) -> entry at i13's ask 2700 -> series ends -> settles at 1.
  const series = polls([
    ...WARM_UP,
    [3900, 4000],
    [4000, 4100],
    [4300, 4400],
    [4600, 4700],
    [4600, 4700],
    [4700, 4800],
    [3400, 3500],
    [3500, 3600],
    [2500, 2600],
    [2600, 2700],
    [2650, 2750],
  ])
  const at = (i: number) => T0 + i * STEP
  const result = runCoarseFade([contract(series)], PARAMS)

  test('the detector flags the three drops and nothing else', () => {
    expect(detectMoves(series, PARAMS).map((s) => [s.index, s.type, s.moveTicks])).toEqual([
      [4, 'drop', 1200],
      [10, 'drop', 1300],
      [12, 'drop', 1000],
    ])
  })

  test('entries at the next poll ask, exits by target, stop and settlement, with taker fees', () => {
    const trades = result.trades.map((t) => t.trade)
    expect(
      trades.map((t) => [t.entryTs, t.entryPrice, t.exitTs, t.exitPrice, t.exitReason]),
    ).toEqual([
      [at(5), 4100, at(7), 4600, 'target'],
      [at(11), 3600, at(12), 2500, 'stop'],
      [at(13), 2700, at(14), 10_000, 'resolution'],
    ])
    // Fees: 10 × 0.05 × p × (1 − p) per fill, none on settlement.
    expect(trades.map((t) => t.fees)).toEqual([120_950 + 124_200, 115_200 + 93_750, 98_550])
    expect(trades.map((t) => t.profit)).toEqual([
      4_600_000 - 4_100_000 - 245_150,
      2_500_000 - 3_600_000 - 208_950,
      10_000_000 - 2_700_000 - 98_550,
    ])
    expect(trades.map((t) => t.reversionS)).toEqual([360, null, null])
    expect(trades.map((t) => t.score)).toEqual([0.6, 0.65, 0.5])
    expect(trades.map((t) => t.id)).toEqual([1, 2, 3])
    expect(trades.every((t) => t.match === 'cs2-aaa-bbb-2026-07-15')).toBe(true)
    expect(result.trades.map((t) => t.labelSource)).toEqual(['api', 'api', 'api'])
    expect(result.counts.signals).toEqual({ drop: 3, rise: 0 })
    expect(result.counts.entries).toBe(3)
  })

  test('a convergence label settles the same way and is reported as such', () => {
    const r = runCoarseFade([contract(series, { y: 0, source: 'convergence' })], PARAMS)
    const last = r.trades[2]
    expect(last?.trade.exitPrice).toBe(0)
    expect(last?.trade.profit).toBe(-2_700_000 - 98_550)
    expect(last?.labelSource).toBe('convergence')
  })

  test('without a label the open position is sold at the last bid (end_of_data)', () => {
    const r = runCoarseFade([contract(series, null)], PARAMS)
    const last = r.trades[2]?.trade
    expect([last?.exitPrice, last?.exitReason, last?.exitTs]).toEqual([2650, 'end_of_data', at(14)])
    expect(r.trades[2]?.labelSource).toBe('none')
  })

  test('deterministic: the same input gives the same trades', () => {
    expect(runCoarseFade([contract(series)], PARAMS)).toEqual(result)
  })
})

describe('coarse fade rules', () => {
  test('a rise buys the complement at 1 − bid and exits at 1 − ask', () => {
    // Long mid 5150 -> 6350 (rise 1200); complement mid 4850 -> 3650, target 4250.
    const series = polls([...WARM_UP, [6300, 6400], [6200, 6300], [5500, 5600]])
    const r = runCoarseFade([contract(series)], PARAMS)
    const t = r.trades[0]?.trade
    expect([t?.tokenId, t?.signalType, t?.entryPrice, t?.exitPrice, t?.exitReason]).toEqual([
      'aec-cs2-aaa-bbb-2026-07-15:no',
      'coarse_rise',
      3800,
      4400,
      'target',
    ])
    // Settled against a long-side win, the complement is worth 0.
    const held = runCoarseFade([contract(series.slice(0, 6))], PARAMS).trades[0]?.trade
    expect([held?.exitPrice, held?.exitReason]).toEqual([0, 'resolution'])
  })

  test('direction panic ignores rises; fomo ignores drops', () => {
    const series = polls([...WARM_UP, [6300, 6400], [6200, 6300], [5800, 5900]])
    expect(runCoarseFade([contract(series)], { ...PARAMS, direction: 'panic' }).trades).toEqual([])
    const drop = polls([...WARM_UP, [3900, 4000], [4000, 4100]])
    expect(runCoarseFade([contract(drop)], { ...PARAMS, direction: 'fomo' }).trades).toEqual([])
  })

  test('timeout after the given number of polls, at that poll bid', () => {
    const series = polls([...WARM_UP, [3900, 4000], [4000, 4100], [4000, 4100], [4050, 4150]])
    const r = runCoarseFade([contract(series)], { ...PARAMS, timeoutPolls: 2 })
    const t = r.trades[0]?.trade
    expect([t?.entryTs, t?.exitTs, t?.exitPrice, t?.exitReason]).toEqual([
      T0 + 5 * STEP,
      T0 + 7 * STEP,
      4050,
      'timeout',
    ])
  })

  test('a poll without a bid cannot be sold into; the exit waits for the next bid', () => {
    const series = polls([...WARM_UP, [3900, 4000], [4000, 4100], [null, null], [4700, 4800]])
    const t = runCoarseFade([contract(series)], { ...PARAMS, timeoutPolls: 1 }).trades[0]?.trade
    expect([t?.exitTs, t?.exitPrice, t?.exitReason]).toEqual([T0 + 7 * STEP, 4700, 'target'])
  })

  test('one jump out of a flat market is not a signal (not in play)', () => {
    const flat = polls([
      [5000, 5100],
      [5000, 5100],
      [5000, 5100],
      [5000, 5100],
      [3000, 3100],
      [3100, 3200],
    ])
    expect(detectMoves(flat, PARAMS)).toEqual([])
    expect(runCoarseFade([contract(flat)], PARAMS).counts.comparablePairs).toBe(5)
  })

  test('a move across a gap longer than maxGapMs is not a signal', () => {
    const series = polls([...WARM_UP, [3900, 4000]])
    const gapped = series.map((p, i) => (i === 4 ? { ...p, ts: (p.ts + 600_000) as EpochMs } : p))
    expect(detectMoves(gapped, PARAMS)).toEqual([])
  })

  const cases: [string, [number | null, number | null], Partial<CoarseParams>][] = [
    ['next_poll_unquoted', [null, 4100], {}],
    ['next_poll_wide_spread', [3000, 4100], {}],
    ['already_reverted', [4600, 4700], {}],
    ['entry_price_out_of_range', [4000, 4100], { maxEntryTicks: 4000 }],
  ]
  test.each(cases)('entry skipped: %s', (reason, next, extra) => {
    const series = polls([...WARM_UP, [3900, 4000], next])
    const r = runCoarseFade([contract(series)], { ...PARAMS, ...extra })
    expect(r.trades).toEqual([])
    expect(r.counts.entriesSkipped[reason as 'already_reverted']).toBe(1)
  })

  test('entry skipped when the next poll comes after a gap, or never comes', () => {
    const series = polls([...WARM_UP, [3900, 4000], [4000, 4100]])
    const gapped = series.map((p, i) => (i === 5 ? { ...p, ts: (p.ts + 600_000) as EpochMs } : p))
    expect(runCoarseFade([contract(gapped)], PARAMS).counts.entriesSkipped.next_poll_gap).toBe(1)
    const cut = runCoarseFade([contract(series.slice(0, 5))], PARAMS)
    expect(cut.counts.entriesSkipped.no_next_poll).toBe(1)
  })

  test('a position held across a gap is flagged', () => {
    const series = polls([...WARM_UP, [3900, 4000], [4000, 4100], [4700, 4800]])
    const gapped = series.map((p, i) => (i === 6 ? { ...p, ts: (p.ts + 600_000) as EpochMs } : p))
    const r = runCoarseFade([contract(gapped)], PARAMS)
    expect(r.trades[0]?.acrossGap).toBe(true)
    expect(r.counts.tradesAcrossGap).toBe(1)
  })

  test('signals while a position is open are counted and dropped', () => {
    const series = polls([...WARM_UP, [3900, 4000], [4000, 4100], [2800, 2900], [2800, 2900]])
    const r = runCoarseFade([contract(series)], { ...PARAMS, stopTicks: 2000 })
    expect(r.counts.signalsWhileBusy).toBe(1)
    expect(r.trades).toHaveLength(1)
  })

  test('bad parameters and unordered series are invariant errors', () => {
    expect(() => runCoarseFade([], { ...PARAMS, retraceFraction: 0 })).toThrow(InvariantError)
    expect(() => runCoarseFade([], { ...PARAMS, inPlayMinMoves: 9 })).toThrow(InvariantError)
    const back = polls([
      [5000, 5100],
      [5000, 5100],
    ]).reverse()
    expect(() => runCoarseFade([contract(back)], PARAMS)).toThrow(/strictly increasing/)
  })
})

describe('no lookahead', () => {
  const quote = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 98 }), fc.constantFrom(0, 1, 2, 7)),
    },
    { weight: 1, arbitrary: fc.constant(null) },
  )
  const arbSeries = fc.array(fc.tuple(quote, fc.constantFrom(120_000, 123_000, 400_000)), {
    minLength: 2,
    maxLength: 60,
  })
  const build = (raw: [[number, number] | null, number][]): QuotePoll[] => {
    let ts = T0
    return raw.map(([q, dt]) => {
      ts += dt
      const bid = q === null ? null : q[0] * 100
      const ask = q === null ? null : Math.min(9999, q[0] * 100 + q[1] * 100)
      return {
        ts: ts as EpochMs,
        bid: bid as PriceTicks | null,
        ask: ask as PriceTicks | null,
        segment: 1,
      }
    })
  }

  test('changing polls after k never changes signals, entries or exits at or before k', () => {
    fc.assert(
      fc.property(arbSeries, arbSeries, fc.nat(), (a, b, cut) => {
        const original = build(a)
        const k = cut % original.length
        const tsK = (original[k] as QuotePoll).ts
        const tail = build(b).map((p) => ({ ...p, ts: (p.ts - T0 + tsK) as EpochMs }))
        const changed = [...original.slice(0, k + 1), ...tail]
        const params = { ...PARAMS, minMoveTicks: 500, inPlayMinMoves: 1 }
        const early = (s: ReturnType<typeof detectMoves>) => s.filter((x) => x.index <= k)
        expect(early(detectMoves(changed, params))).toEqual(early(detectMoves(original, params)))
        const r1 = runCoarseFade([contract(original)], params).trades.map((t) => t.trade)
        const r2 = runCoarseFade([contract(changed)], params).trades.map((t) => t.trade)
        const entries = (ts: typeof r1) =>
          ts.filter((t) => t.entryTs <= tsK).map((t) => [t.signalId, t.entryTs, t.entryPrice])
        expect(entries(r2)).toEqual(entries(r1))
        const closed = (ts: typeof r1) =>
          ts.filter(
            (t) =>
              t.exitTs <= tsK && t.exitReason !== 'resolution' && t.exitReason !== 'end_of_data',
          )
        expect(closed(r2)).toEqual(closed(r1))
      }),
      { numRuns: 300 },
    )
  })
})
