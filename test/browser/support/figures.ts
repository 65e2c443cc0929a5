/**
 * Figures the browser suite prints and writes (never asserts on): latency percentiles and
 * frame-time summaries, rounded to 0.1 ms.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export type Spread = {
  readonly count: number
  readonly p50: number
  readonly p95: number
  readonly max: number
  readonly mean: number
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}

/** Nearest-rank percentile of sorted values (`q` in 0..1). */
function percentile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN
}

export function spread(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((total, v) => total + v, 0)
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.length === 0 ? Number.NaN : sum / sorted.length),
  }
}

export type FrameFigures = {
  readonly frames: number
  readonly seconds: number
  readonly meanFps: number
  readonly frameMs: Spread
  /** Frames that took longer than 50 ms (a visible hitch). */
  readonly over50ms: number
}

/** Summary of requestAnimationFrame timestamps (ms, ascending). */
export function frameFigures(stamps: readonly number[]): FrameFigures {
  const intervals: number[] = []
  for (let i = 1; i < stamps.length; i++) intervals.push(stamps[i]! - stamps[i - 1]!)
  const seconds = stamps.length < 2 ? 0 : (stamps.at(-1)! - stamps[0]!) / 1000
  return {
    frames: intervals.length,
    seconds: round(seconds),
    meanFps: round(seconds === 0 ? 0 : intervals.length / seconds),
    frameMs: spread(intervals),
    over50ms: intervals.filter((ms) => ms > 50).length,
  }
}

export function writeFigures(path: string, figures: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(figures, null, 2)}\n`)
}
