/**
 * Event study figures: per event type and horizon, how far the mid of the event's asset moved
 * relative to the offset-0 mid (the last price before the event was logged).
 *
 * - move at horizon k = mid(k) − mid(0), in price units (0..1), for every offset k ≠ 0. For a
 *   negative k it is negative when the price rose before the event was seen.
 * - hit: the move went the event's way between the two sample times: mid(k) > mid(0) for k > 0,
 *   mid(0) > mid(k) for k < 0 (the price had already moved towards the event). The event's asset
 *   is the token the event favours (for a goal, the scoring team's win token), so "its way" is
 *   always up. A zero move is not a hit. Hit rate = hits / events with both mids.
 * - Confidence intervals: clustered percentile bootstrap of the mean and of the median (see
 *   `bootstrap.ts`); the cluster is the event's match.
 * An event contributes to a horizon only when both its mid(k) and mid(0) are known.
 */
import { clusteredBootstrap, type BootstrapInterval } from './bootstrap.js'
import { mean, median } from './quantiles.js'
import type { RandomSource } from './random.js'

export type StudyObservation = {
  readonly type: string
  /** Match (cluster) key. */
  readonly cluster: string
  /** Mid at each offset of the study, in the same order; null when not measured. */
  readonly mids: readonly (number | null)[]
}

export type HorizonSummary = {
  readonly offsetS: number
  /** Events with both mids. */
  readonly n: number
  readonly clusters: number
  readonly meanMove: number | null
  readonly medianMove: number | null
  readonly meanCi: BootstrapInterval
  readonly medianCi: BootstrapInterval
  readonly hits: number
  /** hits / n; null when n = 0. */
  readonly hitRate: number | null
}

export type TypeSummary = {
  readonly type: string
  /** Events of this type given to the study (measured or not). */
  readonly count: number
  /** Events with a mid at offset 0. */
  readonly measured: number
  readonly clusters: number
  /** One per offset other than 0, in offset order. */
  readonly horizons: readonly HorizonSummary[]
}

export type StudyOptions = {
  readonly random: RandomSource
  readonly resamples?: number
  readonly level?: number
}

/**
 * Summarises observations by type (types in order of first appearance). `offsetsS` must hold 0
 * and match the length of every `mids` array.
 * @throws RangeError when it does not.
 */
export function summariseEventStudy(
  observations: readonly StudyObservation[],
  offsetsS: readonly number[],
  options: StudyOptions,
): TypeSummary[] {
  const zero = offsetsS.indexOf(0)
  if (zero < 0) throw new RangeError('the offsets must include 0: moves are measured from it')
  for (const o of observations) {
    if (o.mids.length !== offsetsS.length)
      throw new RangeError(
        `an observation has ${o.mids.length} mids for ${offsetsS.length} offsets`,
      )
  }
  const types: string[] = []
  for (const o of observations) if (!types.includes(o.type)) types.push(o.type)
  return types.map((type) => {
    const ofType = observations.filter((o) => o.type === type)
    const measured = ofType.filter((o) => o.mids[zero] !== null)
    const horizons: HorizonSummary[] = []
    offsetsS.forEach((offsetS, i) => {
      if (i === zero) return
      const moves: { cluster: string; value: number }[] = []
      let hits = 0
      for (const o of measured) {
        const at = o.mids[i]
        const base = o.mids[zero]
        if (at === null || at === undefined || base === null || base === undefined) continue
        const move = at - base
        moves.push({ cluster: o.cluster, value: move })
        if (Math.sign(offsetS) * move > 0) hits++
      }
      const values = moves.map((m) => m.value)
      const meanCi = clusteredBootstrap(moves, mean, options)
      const medianCi = clusteredBootstrap(moves, median, options)
      horizons.push({
        offsetS,
        n: moves.length,
        clusters: meanCi.clusters,
        meanMove: mean(values),
        medianMove: median(values),
        meanCi,
        medianCi,
        hits,
        hitRate: moves.length === 0 ? null : hits / moves.length,
      })
    })
    return {
      type,
      count: ofType.length,
      measured: measured.length,
      clusters: new Set(measured.map((o) => o.cluster)).size,
      horizons,
    }
  })
}
