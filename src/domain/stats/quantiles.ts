/**
 * Summary statistics over plain float samples (research figures, not money). All functions
 * return null for an empty input instead of NaN, so callers must decide what "no data" shows.
 */
import { InvariantError } from '../errors.js'

/** Arithmetic mean; null when empty. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

/**
 * The `p` quantile (0 <= p <= 1) of values already sorted ascending, by linear interpolation
 * between closest ranks (the common "type 7" definition: p = 0 is the minimum, 1 the maximum).
 * Null when empty.
 * @throws InvariantError when `p` is outside [0, 1].
 */
export function quantileSorted(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new InvariantError(`quantile p must be in [0, 1]; got ${p}`)
  const n = sorted.length
  if (n === 0) return null
  const h = (n - 1) * p
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (h - lo) * (b - a)
}

/** The `p` quantile of unsorted values (copies and sorts). Null when empty. */
export function quantile(values: readonly number[], p: number): number | null {
  return quantileSorted(sortedCopy(values), p)
}

/** Median (the 0.5 quantile: the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5)
}

/** An ascending copy (numeric order, not the default string order of `Array.prototype.sort`). */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b)
}
