/**
 * Per-stage latency over a recent window, for the live socket's `latency` message, read from
 * the daemon's stage histogram (metrics.ts): each read keeps the cumulative bucket counts, and
 * the figures are the bucket deltas between now and a few reads ago, with quantiles
 * interpolated inside their bucket. Precision is the bucket layout's; good enough to see which
 * stage is slow.
 */
import type { Histogram } from 'prom-client'
import { METRIC_PREFIX, STAGES, type DaemonMetrics } from './metrics.js'

export type StageFigures = { p50: number | null; p99: number | null; count: number }

type Snapshot = Map<string, { readonly bounds: number[]; readonly counts: number[] }>

/** Reads kept: with one read a second, figures cover the last 10 seconds. */
const DEFAULT_WINDOW = 10

export class LatencyWindow {
  private readonly _metrics: Pick<DaemonMetrics, 'registry'>
  private readonly _window: number
  private readonly _history: Snapshot[] = []

  constructor(metrics: Pick<DaemonMetrics, 'registry'>, window = DEFAULT_WINDOW) {
    this._metrics = metrics
    this._window = window
  }

  /** Figures per stage in milliseconds since the oldest kept read (null without samples). */
  async read(): Promise<Record<string, StageFigures>> {
    const now = await this._snapshot()
    const oldest = this._history[0]
    this._history.push(now)
    if (this._history.length > this._window) this._history.shift()
    const out: Record<string, StageFigures> = {}
    for (const stage of STAGES) {
      const current = now.get(stage)
      if (current === undefined) {
        out[stage] = { p50: null, p99: null, count: 0 }
        continue
      }
      const before = oldest?.get(stage)
      const counts = current.counts.map((c, i) => c - (before?.counts[i] ?? 0))
      out[stage] = figures(current.bounds, counts)
    }
    return out
  }

  private async _snapshot(): Promise<Snapshot> {
    const metric = this._metrics.registry.getSingleMetric(
      `${METRIC_PREFIX}stage_latency_seconds`,
    ) as Histogram<'stage'> | undefined
    const snapshot: Snapshot = new Map()
    if (metric === undefined) return snapshot
    const data = await metric.get()
    for (const value of data.values) {
      if (value.metricName !== `${METRIC_PREFIX}stage_latency_seconds_bucket`) continue
      const stage = String(value.labels.stage)
      const le = (value.labels as Record<string, string | number | undefined>).le
      const bound = le === '+Inf' ? Infinity : Number(le)
      let entry = snapshot.get(stage)
      if (entry === undefined) {
        entry = { bounds: [], counts: [] }
        snapshot.set(stage, entry)
      }
      entry.bounds.push(bound)
      entry.counts.push(value.value)
    }
    return snapshot
  }
}

/** Quantiles (ms) from cumulative bucket counts with upper bounds in seconds. */
export function figures(bounds: readonly number[], cumulative: readonly number[]): StageFigures {
  const total = cumulative[cumulative.length - 1] ?? 0
  if (total <= 0) return { p50: null, p99: null, count: 0 }
  const quantile = (q: number): number => {
    const rank = q * total
    for (let i = 0; i < bounds.length; i++) {
      const count = cumulative[i]!
      if (count < rank) continue
      const upper = bounds[i]!
      const lower = i === 0 ? 0 : bounds[i - 1]!
      if (!Number.isFinite(upper)) return lower * 1000
      const below = i === 0 ? 0 : cumulative[i - 1]!
      const inside = count - below
      const fraction = inside <= 0 ? 1 : (rank - below) / inside
      return (lower + (upper - lower) * fraction) * 1000
    }
    return (bounds[bounds.length - 2] ?? 0) * 1000
  }
  const round = (ms: number): number => Math.round(ms * 1000) / 1000
  return { p50: round(quantile(0.5)), p99: round(quantile(0.99)), count: total }
}
