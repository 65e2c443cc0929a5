/**
 * How the market moved after a game event: the charted token's mid at +5, +10, +30 and +60 s
 * minus its mid at the event, in price cents (100 ticks). A figure is known once the market
 * time has passed the horizon (live) or the series covers it (playback: at once).
 */

export const IMPACT_HORIZONS_S = [5, 10, 30, 60] as const
export type ImpactHorizon = (typeof IMPACT_HORIZONS_S)[number]

/** Ticks of 0.0001 per price cent. */
const TICKS_PER_CENT = 100

export interface ImpactFigure {
  readonly horizonS: ImpactHorizon
  /** Signed mid change in cents; null until known (or when a mid is missing). */
  readonly cents: number | null
}

/**
 * @param midAt mid in ticks at a market time, null when unknown.
 * @param knownUntil market time up to which the series is known (live: the latest venue
 *   time; playback: the end of the capture).
 */
export function impactFigures(
  tsMs: number,
  midAt: (t: number) => number | null,
  knownUntil: number | null,
): ImpactFigure[] {
  const base = midAt(tsMs)
  return IMPACT_HORIZONS_S.map((horizonS) => {
    const at = tsMs + horizonS * 1000
    if (base === null || knownUntil === null || at > knownUntil) return { horizonS, cents: null }
    const after = midAt(at)
    return { horizonS, cents: after === null ? null : (after - base) / TICKS_PER_CENT }
  })
}

/**
 * 2.5 → "+2.5¢", -0.25 → "−0.25¢", 0 → "0¢", null → "…" (not known yet), or "—" when it
 * never will be (`final`: the horizon is past the end of a played-back capture).
 */
export function centsText(cents: number | null, final = false): string {
  if (cents === null) return final ? '—' : '…'
  if (cents === 0) return '0¢'
  const abs = Math.abs(cents)
  const body = abs.toFixed(abs >= 10 ? 1 : 2).replace(/\.?0+$/, '')
  return `${cents > 0 ? '+' : '−'}${body}¢`
}
