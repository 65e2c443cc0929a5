/**
 * Timing and reporting helpers shared by the benchmarks: timed runs after a forced garbage
 * collection, calibrated samples with medians, and plain-text tables.
 */
import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

type GcFunction = () => void

/** Idle time after a forced collection, before a timed run starts. */
const SETTLE_MS = 30

/**
 * Runs a full garbage collection when node was started with `--expose-gc` (the npm scripts
 * pass it), so one run's garbage is not collected during the next run's timing.
 */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: GcFunction }).gc
  if (gc !== undefined) gc()
}

/** True when a garbage collection can be forced; reported so unfair runs are visible. */
export function canCollectGarbage(): boolean {
  return typeof (globalThis as { gc?: GcFunction }).gc === 'function'
}

/**
 * Forces a collection, then idles briefly: V8 finishes sweeping on a helper thread after `gc()`
 * returns, and on a 2-core machine that work would otherwise share the timed run's time.
 */
export async function settle(): Promise<void> {
  collectGarbage()
  await sleep(SETTLE_MS)
}

/** Milliseconds `fn` takes, after {@link settle}. The result of `fn` is returned too. */
export async function timed<T>(fn: () => T): Promise<{ ms: number; result: T }> {
  await settle()
  const start = performance.now()
  const result = fn()
  return { ms: performance.now() - start, result }
}

/** Async version of {@link timed}. */
export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  await settle()
  const start = performance.now()
  const result = await fn()
  return { ms: performance.now() - start, result }
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Smallest and largest of a non-empty list. */
export function range(values: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) }
}

/** Items per second from a count and a duration in ms. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.POSITIVE_INFINITY
}

/** 1234567.8 -> '1,234,568'. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

/** A ratio with two decimals and a trailing ×. */
export function formatRatio(value: number): string {
  return `${value.toFixed(2)}×`
}

/**
 * Renders rows as a fixed-width text table. The first column is left-aligned, the others
 * right-aligned (they hold numbers).
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/** Reads `--name N` from argv as a positive integer, or returns the default. */
export function intOption(argv: readonly string[], name: string, fallback: number): number {
  const index = argv.indexOf(name)
  if (index < 0) return fallback
  const text = argv[index + 1]
  const value = Number(text)
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} needs a positive integer, got ${text ?? 'nothing'}`)
  }
  return value
}

/** One line describing where the numbers were measured. */
export function machineLine(): string {
  const cores = cpus()
  const model = cores[0]?.model.trim() ?? 'unknown cpu'
  const gc = canCollectGarbage() ? 'forced between runs' : 'NOT exposed (run node with --expose-gc)'
  return `node ${process.version} ${process.platform}/${process.arch}, ${cores.length} cores (${model}), gc ${gc}`
}

/** Something to time: `prepare` builds fresh state off the clock and returns one timed run. */
export type Contender = {
  readonly name: string
  /** Items (deltas, frames) one run processes. */
  readonly units: number
  /** Returns the run; the run returns a checksum that must be the same on every run. */
  prepare(): () => number
}

export type ContenderResult = {
  readonly name: string
  /** Runs per timed sample. */
  readonly runsPerSample: number
  /** Items per second, one entry per sample. */
  readonly rates: readonly number[]
  readonly median: number
  readonly min: number
  readonly max: number
}

/** Aimed-for duration of one timed sample. */
export const SAMPLE_TARGET_MS = 200
const MAX_RUNS_PER_SAMPLE = 64

/**
 * Warms each contender up with `warmup` single runs, then takes `samples` timed samples of
 * each. A sample is as many back-to-back runs (each prepared before the clock starts) as fill
 * about {@link SAMPLE_TARGET_MS}, since one run of a fast contender is too short to time well.
 * Contenders take turns in a rotating order so slow drift does not favour one of them. Throws
 * when a contender's checksum changes between runs.
 */
export async function measureContenders(
  contenders: readonly Contender[],
  warmup: number,
  samples: number,
): Promise<ContenderResult[]> {
  const checksums = new Map<string, number>()
  const sample = async (contender: Contender, runs: number): Promise<number> => {
    const prepared = Array.from({ length: runs }, () => contender.prepare())
    const { ms, result } = await timed(() => {
      let last = 0
      for (const run of prepared) last = run()
      return last
    })
    const previous = checksums.get(contender.name)
    if (previous !== undefined && previous !== result) {
      throw new Error(
        `${contender.name}: checksum changed between runs (${previous} then ${result})`,
      )
    }
    checksums.set(contender.name, result)
    return ms
  }

  const runsPerSample = new Map<string, number>()
  for (const contender of contenders) {
    let ms = 0
    for (let w = 0; w < Math.max(1, warmup); w++) ms = await sample(contender, 1)
    const runs = Math.min(MAX_RUNS_PER_SAMPLE, Math.max(1, Math.ceil(SAMPLE_TARGET_MS / ms)))
    runsPerSample.set(contender.name, runs)
  }
  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(s + k) % contenders.length]!
      const runs = runsPerSample.get(contender.name)!
      const ms = await sample(contender, runs)
      rates.get(contender.name)!.push(perSecond(runs * contender.units, ms))
    }
  }
  return contenders.map((contender) => {
    const values = rates.get(contender.name)!
    const { min, max } = range(values)
    return {
      name: contender.name,
      runsPerSample: runsPerSample.get(contender.name)!,
      rates: values,
      median: median(values),
      min,
      max,
    }
  })
}
