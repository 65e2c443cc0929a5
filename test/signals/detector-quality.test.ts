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
 * Held-out seeds: the detectors' additions were developed looking at seeds 1-10 only. Seeds
 * 11-20 were the first held-out set and were run each time the defaults were fixed; after the
 * vacuum's near-mid depth, hold time and one-sided books, seeds 21-30 are the held-out set,
 * run once with the defaults fixed; both run here (docs/DETECTOR_QUALITY.md has the tables).
 */
const HELD_OUT_SEEDS = [21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
const FIRST_HELD_OUT_SEEDS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
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

type Floors = Readonly<Record<SignalType, { readonly recall: number; readonly precision: number }>>

/** Runs `seeds`, prints the table and checks every detector against `floors`. */
function checkHeldOut(seeds: readonly number[], floors: Floors): void {
  const report = measureDetectorQuality(seeds)
  // Printed so the figures in docs/DETECTOR_QUALITY.md can be checked against a run.
  console.log(formatQualityTable(report))
  for (const run of report.runs) {
    expect(run.parseErrors).toBe(0)
    expect(run.mismatches).toBe(0)
    // A Bo3 lasts long enough for a 10-minute warm-up to pass before the first round.
    expect(run.endMs - run.startMs).toBeGreaterThan(90 * 60_000)
  }
  for (const r of report.rows) {
    expect(r.eligible).toBeGreaterThanOrEqual(40)
    expect(r.warmupExcluded).toBe(0)
    expect(r.recall, `${r.type} recall`).toBeGreaterThanOrEqual(floors[r.type].recall)
    expect(r.precision, `${r.type} precision`).toBeGreaterThanOrEqual(floors[r.type].precision)
  }
}

describe('detector quality on the simulated match', () => {
  // The targets are precision >= 0.8 and recall >= 0.8 per detector. They are asserted where
  // met (0.8); elsewhere the measured figures, rounded down, are floors so a regression shows
  // (see docs/DETECTOR_QUALITY.md).
  test('held-out seeds 21-30, default thresholds', () => {
    // PANIC_SELL meets both (recall 0.90, precision 1.00); FOMO_BUY meets precision (1.00) and
    // misses recall (33/43 = 0.77); LIQUIDITY_VACUUM misses both (recall 34/45 = 0.76,
    // precision 34/53 = 0.64).
    checkHeldOut(HELD_OUT_SEEDS, {
      PANIC_SELL: { recall: 0.8, precision: 0.8 },
      FOMO_BUY: { recall: 0.75, precision: 0.8 },
      LIQUIDITY_VACUUM: { recall: 0.75, precision: 0.6 },
    })
  }, 120_000)

  test('first held-out seeds 11-20, default thresholds', () => {
    // PANIC_SELL meets both (0.83, 1.00); FOMO_BUY meets precision (1.00) and misses recall
    // (41/52 = 0.79); LIQUIDITY_VACUUM misses both (recall 32/41 = 0.78, precision 32/45 = 0.71).
    checkHeldOut(FIRST_HELD_OUT_SEEDS, {
      PANIC_SELL: { recall: 0.8, precision: 0.8 },
      FOMO_BUY: { recall: 0.75, precision: 0.8 },
      LIQUIDITY_VACUUM: { recall: 0.75, precision: 0.7 },
    })
  }, 120_000)
})
