/**
 * Position sizing: a fixed number of shares, or a fraction of the Kelly stake. Pure arithmetic
 * in base units; the result is rounded down to whole hundredths of a share so the venue's size
 * precision is never exceeded.
 */
import {
  PRICE_SCALE,
  SHARE_SCALE,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../units.js'

export type Sizing =
  | { readonly kind: 'fixed'; readonly shares: ShareMicros }
  | { readonly kind: 'kelly'; readonly fraction: number }

/** Sizes are multiples of this (0.01 share). */
export const SIZE_STEP = (SHARE_SCALE / 100) as ShareMicros

export type KellyInputs = {
  /** Probability the trade reaches its target (the built-in fades use the signal's score). */
  readonly winProbability: number
  /** Price units gained per share at the target (> 0). */
  readonly winPerShare: number
  /** Price units lost per share at the stop (> 0). */
  readonly lossPerShare: number
}

/**
 * Kelly fraction of the bankroll for a bet that wins `b = win/loss` times what it risks with
 * probability p: f* = p − (1 − p) / b. May be ≤ 0 (no edge).
 */
export function kellyFraction(k: KellyInputs): number {
  if (!(k.winPerShare > 0) || !(k.lossPerShare > 0)) return 0
  const b = k.winPerShare / k.lossPerShare
  const p = Math.min(Math.max(k.winProbability, 0), 1)
  return p - (1 - p) / b
}

/**
 * Shares to buy at `price`: fixed sizing ignores the rest; Kelly risks
 * `fraction × f* × equity` at the stop, i.e. buys `stake / lossPerShare` shares, capped by
 * what the equity can pay for. Returns 0 when there is no edge.
 */
export function sharesFor(
  sizing: Sizing,
  price: PriceTicks,
  equity: UsdcMicros,
  kelly: KellyInputs,
): ShareMicros {
  if (sizing.kind === 'fixed') return roundDown(sizing.shares)
  const f = kellyFraction(kelly) * sizing.fraction
  if (!(f > 0) || !(equity > 0) || !(price > 0)) return 0 as ShareMicros
  const riskUsdc = (f * equity) / SHARE_SCALE
  const byRisk = riskUsdc / kelly.lossPerShare
  const byCash = equity / SHARE_SCALE / (price / PRICE_SCALE)
  return roundDown(Math.min(byRisk, byCash) * SHARE_SCALE)
}

/** Rounds down to {@link SIZE_STEP}; a float a hair under a step (0.19999…) counts as on it. */
function roundDown(micros: number): ShareMicros {
  return (Math.floor(micros / SIZE_STEP + 1e-9) * SIZE_STEP) as ShareMicros
}
