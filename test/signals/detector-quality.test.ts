import { describe, expect, test } from 'vitest'
import type { SimLabel } from '../../src/adapters/sim/scenario.js'
import type { Signal, SignalType } from '../../src/engine/signals/index.js'
import {
  DEFAULT_WINDOW,
  emptyTally,
  formatQualityTable,
  matches,
  measureDetectorQuality,
  tallyRun,
  type SeedRun,
} from '../support/detector-quality.js'

/**
 * Held-out seeds: the detectors' additions were developed looking at seeds 1-10 only; these
 * seeds were run once each time the defaults were fixed (docs/DETECTOR_QUALITY.md has the
 * tables).
 */
const HELD_OUT_SEEDS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
const YES = 'yes-token'
const NO = 'no-token'
const complement = new Map([
  [YES, NO],
  [NO, YES],
])

function label(type: SimLabel['type'], assetId: string, ts: number): SimLabel {
  return { type, asset_id: assetId, ts, round: 1, score: '0-0 (1-0)' }
}

function signal(
  id: number,
  type: SignalType,
  assetId: string,
  ts: number,
  mirrorOf: number | null = null,
): Signal {
  return {
    id,
    type,
    assetId,
    market: 'm',
    ts,
    score: 1,
    volumeRatio: null,
    spreadRatio: null,
    depthRatio: null,
    priceChange: 0,
    refPrice: 0.5,
    mirrorOf,
    inputs: {},
  } as unknown as Signal
}

describe('matching signals with labels', () => {
  test('same type on the labelled token, or the mirror type on its complement, in the window', () => {
    const panic = label('panic_sell', YES, 100_000)
    expect(matches(panic, signal(1, 'PANIC_SELL', YES, 100_000), complement, DEFAULT_WINDOW)).toBe(
      true,
    )
    expect(matches(panic, signal(1, 'FOMO_BUY', NO, 130_000), complement, DEFAULT_WINDOW)).toBe(
      true,
    )
    expect(
      matches(panic, signal(1, 'FOMO_BUY', NO, 130_000), complement, DEFAULT_WINDOW, true),
    ).toBe(false)
    expect(matches(panic, signal(1, 'PANIC_SELL', NO, 100_000), complement, DEFAULT_WINDOW)).toBe(
      false,
    )
    expect(matches(panic, signal(1, 'FOMO_BUY', YES, 100_000), complement, DEFAULT_WINDOW)).toBe(
      false,
    )
    expect(matches(panic, signal(1, 'PANIC_SELL', YES, 95_000), complement, DEFAULT_WINDOW)).toBe(
      true,
    )
    expect(matches(panic, signal(1, 'PANIC_SELL', YES, 94_999), complement, DEFAULT_WINDOW)).toBe(
      false,
    )
    expect(matches(panic, signal(1, 'PANIC_SELL', YES, 160_000), complement, DEFAULT_WINDOW)).toBe(
      true,
    )
    expect(matches(panic, signal(1, 'PANIC_SELL', YES, 160_001), complement, DEFAULT_WINDOW)).toBe(
      false,
    )
    const vacuum = label('liquidity_vacuum', YES, 0)
    expect(matches(vacuum, signal(1, 'LIQUIDITY_VACUUM', NO, 0), complement, DEFAULT_WINDOW)).toBe(
      true,
    )
  })

  test('warm-up labels are not eligible and mirror signals are neither true nor false positives', () => {
    const run: SeedRun = {
      seed: 0,
      startMs: 0,
      endMs: 3_600_000,
      frames: 0,
      parseErrors: 0,
      mismatches: 0,
      complement,
      labels: [
        label('panic_sell', YES, 60_000), // in the warm-up
        label('panic_sell', YES, 1_000_000), // found by its mirror only
        label('fomo_buy', NO, 2_000_000), // missed
      ],
      signals: [
        signal(1, 'FOMO_BUY', NO, 1_010_000),
        signal(2, 'PANIC_SELL', YES, 1_011_000, 1),
        signal(3, 'PANIC_SELL', YES, 3_000_000), // false positive
      ],
    }
    const tallies = new Map(
      (['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM'] as const).map((t) => [t, emptyTally()]),
    )
    tallyRun(run, tallies, 600_000)
    expect(tallies.get('PANIC_SELL')).toEqual({
      labels: 2,
      warmupExcluded: 1,
      eligible: 1,
      matchedLabels: 1,
      strictMatchedLabels: 1,
      signals: 2,
      mirrorSignals: 1,
      scoredSignals: 1,
      matchedSignals: 0,
    })
    expect(tallies.get('FOMO_BUY')).toMatchObject({
      labels: 1,
      eligible: 1,
      matchedLabels: 0,
      signals: 1,
      scoredSignals: 1,
      matchedSignals: 1,
    })
  })
})

describe('detector quality on the simulated match', () => {
  test('precision and recall per detector over ten held-out seeds, default thresholds', () => {
    const report = measureDetectorQuality(HELD_OUT_SEEDS)
    // Printed so the figures in docs/DETECTOR_QUALITY.md can be checked against a run.
    console.log(formatQualityTable(report))
    for (const run of report.runs) {
      expect(run.parseErrors).toBe(0)
      expect(run.mismatches).toBe(0)
      // A Bo3 lasts long enough for a 10-minute warm-up to pass before the first round.
      expect(run.endMs - run.startMs).toBeGreaterThan(90 * 60_000)
    }
    const row = (type: SignalType) => report.rows.find((r) => r.type === type)!
    for (const r of report.rows) {
      expect(r.eligible).toBeGreaterThanOrEqual(40)
      expect(r.warmupExcluded).toBe(0)
    }
    // The targets are precision >= 0.8 and recall >= 0.8 per detector. On the held-out seeds
    // PANIC_SELL meets both (recall 0.83, precision 1.00), FOMO_BUY meets precision (1.00) and
    // misses recall by one label (41/52 = 0.79), LIQUIDITY_VACUUM misses both (recall 0.78,
    // precision 0.71; see docs/DETECTOR_QUALITY.md). The targets are asserted where met;
    // elsewhere the measured figures, rounded down, are floors so a regression shows.
    expect(row('PANIC_SELL').precision).toBeGreaterThanOrEqual(0.8)
    expect(row('PANIC_SELL').recall).toBeGreaterThanOrEqual(0.8)
    expect(row('FOMO_BUY').precision).toBeGreaterThanOrEqual(0.8)
    expect(row('FOMO_BUY').recall).toBeGreaterThanOrEqual(0.75)
    expect(row('LIQUIDITY_VACUUM').recall).toBeGreaterThanOrEqual(0.75)
    expect(row('LIQUIDITY_VACUUM').precision).toBeGreaterThanOrEqual(0.7)
  }, 120_000)
})
