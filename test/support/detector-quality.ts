/**
 * Detector quality on the simulator's ground truth: runs the `match` scenario's frames through
 * the venue parser, MarketData and the SignalEngine exactly as live data flows, then matches the
 * signals with the scenario's labelled crowd episodes and reports precision and recall per
 * detector. Pure computation on a seeded simulation, so a bench or CLI can reuse it.
 *
 * Matching (see docs/DETECTOR_QUALITY.md for the reasoning):
 * - a label and a signal match when the signal's ts lies in [label.ts - before, label.ts + after]
 *   and the signal is either of the label's type on the labelled token, or of the mirror type on
 *   the complement token (a panic sell of one team is a FOMO buy of the other: the same trades
 *   seen from the other book). Liquidity vacuums mirror themselves;
 * - recall of a detector = its eligible labels with at least one matching signal (mirror or
 *   not) / its eligible labels. A label inside the token's warm-up is not eligible;
 * - precision of a detector = its non-mirror signals that match some label / its non-mirror
 *   signals. A mirror signal (`mirrorOf` set) repeats a move already reported on the complement
 *   token, so it is neither a true nor a false positive.
 * The strict columns count only same-type, same-token matches.
 */
import type { SimLabel } from '../../src/adapters/sim/scenario.js'
import { MatchScenario } from '../../src/adapters/sim/scenario-match.js'
import { polymarketFrameParser } from '../../src/adapters/polymarket/ws/market-frame-parser.js'
import { MarketData } from '../../src/engine/market-data.js'
import {
  DEFAULT_SIGNAL_CONFIG,
  SIGNAL_TYPES,
  SignalEngine,
  type Signal,
  type SignalConfig,
  type SignalType,
} from '../../src/engine/signals/index.js'

export const LABEL_TYPES: Readonly<Record<SimLabel['type'], SignalType>> = {
  panic_sell: 'PANIC_SELL',
  fomo_buy: 'FOMO_BUY',
  liquidity_vacuum: 'LIQUIDITY_VACUUM',
}

/** The type the complement token shows for the same crowd move. */
export const MIRROR_TYPES: Readonly<Record<SignalType, SignalType>> = {
  PANIC_SELL: 'FOMO_BUY',
  FOMO_BUY: 'PANIC_SELL',
  LIQUIDITY_VACUUM: 'LIQUIDITY_VACUUM',
}

export type MatchWindow = {
  /** A signal may precede its label by this much (ms). */
  readonly beforeMs: number
  /** A signal may follow its label by this much (ms). */
  readonly afterMs: number
}

export const DEFAULT_WINDOW: MatchWindow = { beforeMs: 5_000, afterMs: 60_000 }

export type SeedRun = {
  readonly seed: number
  readonly signals: readonly Signal[]
  readonly labels: readonly SimLabel[]
  /** Token -> its complement, from the scenario's markets. */
  readonly complement: ReadonlyMap<string, string>
  /** First venue time (the initial snapshots) and the end of the match, epoch ms. */
  readonly startMs: number
  readonly endMs: number
  readonly frames: number
  readonly parseErrors: number
  readonly mismatches: number
}

/** Plays one seeded match to its end and collects every signal. */
export function runMatchSeed(
  seed: number,
  config: SignalConfig = DEFAULT_SIGNAL_CONFIG,
  maxSteps = 100_000,
): SeedRun {
  const scenario = new MatchScenario({ seed })
  const complement = new Map<string, string>()
  for (const market of scenario.events()[0]?.markets ?? []) {
    complement.set(market.tokens[0], market.tokens[1])
    complement.set(market.tokens[1], market.tokens[0])
  }
  const signals: Signal[] = []
  const engine = new SignalEngine(
    config,
    { onSignal: (signal) => signals.push(signal) },
    { complementOf: (assetId) => complement.get(assetId) ?? null },
  )
  const md = new MarketData(polymarketFrameParser, {
    onEvent: (event) => engine.onEvent(event),
    onBookChanged: (book, event) => engine.onBookChanged(book, event),
  })
  const meta = { tLocal: 0, conn: 'sim' }
  const startMs = scenario.now()
  // The initial dump, as a subscriber receives it: one array of book snapshots.
  md.onFrameText(JSON.stringify(scenario.assetIds().map((id) => scenario.snapshot(id))), meta)
  let frames = 1
  for (let step = 0; step < maxSteps && !scenario.done; step++) {
    for (const frame of scenario.step()) {
      // Frames are venue-shaped objects; the parser reads them as it reads decoded JSON.
      md.onFrameValue(frame.payload, frame.raw ?? '', meta)
      frames++
    }
  }
  engine.finish(scenario.now())
  return {
    seed,
    signals,
    labels: [...scenario.labels],
    complement,
    startMs,
    endMs: scenario.now(),
    frames,
    parseErrors: md.counters.parseErrors,
    mismatches: md.counters.mismatches,
  }
}

/** Does `signal` show the crowd move of `label`, within the window? */
export function matches(
  label: SimLabel,
  signal: Signal,
  complement: ReadonlyMap<string, string>,
  window: MatchWindow,
  strict = false,
): boolean {
  if (signal.ts < label.ts - window.beforeMs || signal.ts > label.ts + window.afterMs) return false
  const type = LABEL_TYPES[label.type]
  if (signal.type === type && signal.assetId === label.asset_id) return true
  if (strict) return false
  return signal.type === MIRROR_TYPES[type] && signal.assetId === complement.get(label.asset_id)
}

export type DetectorRow = {
  readonly type: SignalType
  readonly labels: number
  /** Labels inside the warm-up (not eligible). */
  readonly warmupExcluded: number
  readonly eligible: number
  readonly matchedLabels: number
  readonly strictMatchedLabels: number
  readonly signals: number
  readonly mirrorSignals: number
  /** Non-mirror signals. */
  readonly scoredSignals: number
  readonly matchedSignals: number
  /** Null when there is nothing to divide by. */
  readonly precision: number | null
  readonly recall: number | null
  readonly strictRecall: number | null
}

/** Per-detector counts, summed over runs. */
export type Tally = {
  labels: number
  warmupExcluded: number
  eligible: number
  matchedLabels: number
  strictMatchedLabels: number
  signals: number
  mirrorSignals: number
  scoredSignals: number
  matchedSignals: number
}

export function emptyTally(): Tally {
  return {
    labels: 0,
    warmupExcluded: 0,
    eligible: 0,
    matchedLabels: 0,
    strictMatchedLabels: 0,
    signals: 0,
    mirrorSignals: 0,
    scoredSignals: 0,
    matchedSignals: 0,
  }
}

/** Adds one run's counts to `tallies` (per signal type). */
export function tallyRun(
  run: SeedRun,
  tallies: Map<SignalType, Tally>,
  warmupMs: number,
  window: MatchWindow = DEFAULT_WINDOW,
): void {
  for (const label of run.labels) {
    const t = tallies.get(LABEL_TYPES[label.type])!
    t.labels++
    // Every token's first event is the initial snapshot at the start of the run.
    if (label.ts - run.startMs < warmupMs) {
      t.warmupExcluded++
      continue
    }
    t.eligible++
    if (run.signals.some((s) => matches(label, s, run.complement, window))) t.matchedLabels++
    if (run.signals.some((s) => matches(label, s, run.complement, window, true))) {
      t.strictMatchedLabels++
    }
  }
  for (const signal of run.signals) {
    const t = tallies.get(signal.type)!
    t.signals++
    if (signal.mirrorOf !== null) {
      t.mirrorSignals++
      continue
    }
    t.scoredSignals++
    if (run.labels.some((l) => matches(l, signal, run.complement, window))) t.matchedSignals++
  }
}

function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den
}

export type QualityReport = {
  readonly rows: readonly DetectorRow[]
  readonly runs: readonly SeedRun[]
  readonly window: MatchWindow
  readonly warmupMs: number
}

/** Runs every seed and scores the detectors over all of them together. */
export function measureDetectorQuality(
  seeds: readonly number[],
  config: SignalConfig = DEFAULT_SIGNAL_CONFIG,
  window: MatchWindow = DEFAULT_WINDOW,
): QualityReport {
  const warmupMs = config.default.warmupMs
  const tallies = new Map<SignalType, Tally>(SIGNAL_TYPES.map((t) => [t, emptyTally()]))
  const runs = seeds.map((seed) => runMatchSeed(seed, config))
  for (const run of runs) tallyRun(run, tallies, warmupMs, window)
  const rows = SIGNAL_TYPES.map((type): DetectorRow => {
    const t = tallies.get(type)!
    return {
      type,
      ...t,
      precision: ratio(t.matchedSignals, t.scoredSignals),
      recall: ratio(t.matchedLabels, t.eligible),
      strictRecall: ratio(t.strictMatchedLabels, t.eligible),
    }
  })
  return { rows, runs, window, warmupMs }
}

function pct(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2)
}

/** The report as a Markdown table, one row per detector. */
export function formatQualityTable(report: QualityReport): string {
  const lines = [
    '| detector | labels | in warm-up | eligible | recalled | recall | strict recall | signals | mirrors | true pos. | precision |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of report.rows) {
    lines.push(
      `| ${r.type} | ${r.labels} | ${r.warmupExcluded} | ${r.eligible} | ${r.matchedLabels} | ` +
        `${pct(r.recall)} | ${pct(r.strictRecall)} | ${r.signals} | ${r.mirrorSignals} | ` +
        `${r.matchedSignals} | ${pct(r.precision)} |`,
    )
  }
  return lines.join('\n')
}

/** Match length per seed in minutes of venue time, for the report. */
export function matchMinutes(run: SeedRun): number {
  return (run.endMs - run.startMs) / 60_000
}
