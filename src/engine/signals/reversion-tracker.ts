/**
 * Follows one signal's price after the fact, in event time, for a fade entered at the signal's
 * mid: after a fall (PANIC_SELL) the fade buys, after a rise (FOMO_BUY) it sells.
 *
 * The move is `refPrice − price one short window before` (the signal's `priceChange`). At a
 * later mid `p` the fade's profit is `−sign(move) × (p − refPrice)` and the retraced fraction
 * is `(refPrice − p) / move`. The signal reverted when that fraction reaches the configured
 * level (default 0.5) within the horizon (default 180 s); the outcome is settled then, when the
 * horizon passes, or at the end of the data. A zero move has no direction to fade: it never
 * reverts and its excursions stay 0.
 */
import type { EpochMs } from '../../domain/units.js'
import type { Reversion, Signal } from './types.js'

/** Float tolerance on fractions: mids are tick sums over 20_000 and carry rounding. */
export const RATIO_EPSILON = 1e-9

export class ReversionTracker {
  readonly signal: Signal
  /** Engine time of the signal (venue time, held monotone). */
  readonly startTs: number
  readonly deadline: number
  private readonly _ref: number
  private readonly _move: number
  private readonly _threshold: number
  private _retrace = 0
  private _mfe = 0
  private _mae = 0
  resolved = false

  constructor(signal: Signal, startTs: number, horizonMs: number, threshold: number) {
    this.signal = signal
    this.startTs = startTs
    this.deadline = startTs + horizonMs
    this._ref = signal.refPrice
    this._move = signal.priceChange
    this._threshold = threshold
  }

  /**
   * A new mid at `now` (within the horizon). Returns the settled outcome when this mid
   * completes the reversion, else null.
   */
  onMid(now: number, mid: number): Reversion | null {
    if (this.resolved || this._move === 0) return null
    const profit = this._move > 0 ? this._ref - mid : mid - this._ref
    if (profit > this._mfe) this._mfe = profit
    if (-profit > this._mae) this._mae = -profit
    const retrace = profit / Math.abs(this._move)
    if (retrace > this._retrace) this._retrace = retrace
    if (retrace < this._threshold - RATIO_EPSILON) return null
    return this._settle(true, now - this.startTs, now)
  }

  /** Settles without a reversion (horizon passed or data ended) at `ts`. */
  expire(ts: number): Reversion {
    return this._settle(false, null, ts)
  }

  private _settle(reverted: boolean, reversionMs: number | null, ts: number): Reversion {
    this.resolved = true
    return {
      reverted,
      reversionMs,
      retrace: this._retrace,
      mfe: this._mfe,
      mae: this._mae,
      resolvedTs: ts as EpochMs,
    }
  }
}
