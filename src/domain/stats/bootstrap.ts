/**
 * Percentile bootstrap confidence intervals clustered by match.
 *
 * Observations from one match are not independent (two goals of one game share the game's
 * mood, liquidity and score-feed lag), so resampling single observations understates the
 * uncertainty. A clustered bootstrap draws whole clusters with replacement: each resample takes
 * as many clusters as there are, uniformly with replacement, pools every observation of the
 * drawn clusters, and computes the statistic on the pool. The interval is the (1 - level) / 2
 * and (1 + level) / 2 quantiles of the resampled statistics.
 *
 * With fewer than two clusters every resample is the data itself, so no interval is given:
 * the result says why instead of showing a zero-width "interval".
 */
import { InvariantError } from '../errors.js'
import { randomIndex, type RandomSource } from './random.js'
import { quantileSorted } from './quantiles.js'

export type ClusteredValue = {
  /** Match (cluster) the observation belongs to. */
  readonly cluster: string
  readonly value: number
}

export type BootstrapOptions = {
  /** Uniform [0, 1) source; pass a seeded one for reproducible intervals. */
  readonly random: RandomSource
  /** Number of resamples; default 2,000. */
  readonly resamples?: number
  /** Confidence level in (0, 1); default 0.95. */
  readonly level?: number
}

export type BootstrapInterval = {
  /** The statistic on the data as observed; null when there are no observations. */
  readonly estimate: number | null
  /** Interval bounds; null when no interval can be given (see `reason`). */
  readonly low: number | null
  readonly high: number | null
  readonly level: number
  /** Observations and distinct clusters in the data. */
  readonly n: number
  readonly clusters: number
  readonly resamples: number
  /** Why there is no interval; null when there is one. */
  readonly reason: string | null
}

export const DEFAULT_RESAMPLES = 2_000
export const DEFAULT_LEVEL = 0.95

/** Observations grouped by cluster, clusters in order of first appearance. */
function groupByCluster(values: readonly ClusteredValue[]): number[][] {
  const groups = new Map<string, number[]>()
  for (const { cluster, value } of values) {
    let group = groups.get(cluster)
    if (group === undefined) {
      group = []
      groups.set(cluster, group)
    }
    group.push(value)
  }
  return [...groups.values()]
}

/**
 * Clustered percentile bootstrap of `statistic` (for example `mean` or `median` from
 * `quantiles.ts`; it receives a non-empty array and must return a finite number).
 * @throws InvariantError for a non-positive or non-integer resample count, a level outside
 * (0, 1), or a non-finite observation.
 */
export function clusteredBootstrap(
  values: readonly ClusteredValue[],
  statistic: (sample: readonly number[]) => number | null,
  options: BootstrapOptions,
): BootstrapInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES
  const level = options.level ?? DEFAULT_LEVEL
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new InvariantError(`bootstrap resamples must be a positive integer; got ${resamples}`)
  if (!(level > 0 && level < 1))
    throw new InvariantError(`bootstrap level must be between 0 and 1; got ${level}`)
  for (const { cluster, value } of values) {
    if (!Number.isFinite(value))
      throw new InvariantError(`bootstrap observation ${value} in cluster ${cluster} is not finite`)
  }
  const groups = groupByCluster(values)
  const n = values.length
  const base = { level, n, clusters: groups.length, resamples }
  if (n === 0) {
    return { ...base, estimate: null, low: null, high: null, reason: 'no observations' }
  }
  const estimate = statistic(values.map((v) => v.value))
  if (groups.length < 2) {
    return {
      ...base,
      estimate,
      low: null,
      high: null,
      reason: `only ${groups.length} match (cluster); a clustered bootstrap needs at least 2`,
    }
  }
  const stats: number[] = []
  const pool: number[] = []
  for (let r = 0; r < resamples; r++) {
    pool.length = 0
    for (let c = 0; c < groups.length; c++) {
      const group = groups[randomIndex(options.random, groups.length)] as number[]
      for (const v of group) pool.push(v)
    }
    const s = statistic(pool)
    if (s !== null && Number.isFinite(s)) stats.push(s)
  }
  stats.sort((a, b) => a - b)
  const alpha = (1 - level) / 2
  return {
    ...base,
    estimate,
    low: quantileSorted(stats, alpha),
    high: quantileSorted(stats, 1 - alpha),
    reason: stats.length === 0 ? 'the statistic was undefined on every resample' : null,
  }
}
