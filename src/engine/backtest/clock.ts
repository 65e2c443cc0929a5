/**
 * The backtest's simulated clock and its no-lookahead guard.
 *
 * Time is the venue time of the event being replayed. Recordings are not always in venue-time
 * order (the NHL ticks step backwards in places, captures interleave connections), so the clock
 * is the running maximum: an event stamped earlier than one already seen is processed at the
 * held time, and the clock never goes backwards. `rewinds` counts those events.
 */
import type { EpochMs } from '../../domain/units.js'

/** A read of data stamped after the current event: a bug in a strategy, never a data issue. */
export class LookaheadError extends Error {
  readonly code = 'LOOKAHEAD'
  constructor(
    readonly what: string,
    readonly requestedTs: number,
    readonly now: number,
  ) {
    super(
      `lookahead: ${what} asked for data at ${requestedTs}, ${requestedTs - now} ms after the current event (${now}); a strategy may only read data stamped at or before ctx.now()`,
    )
    this.name = 'LookaheadError'
  }
}

export class SimClock {
  private _now = Number.NEGATIVE_INFINITY
  /** Events whose stamp was earlier than the clock when they arrived. */
  rewinds = 0

  /** The current venue time; −Infinity before the first event. */
  now(): EpochMs {
    return this._now as EpochMs
  }

  /** True once an event was seen. */
  get started(): boolean {
    return this._now > Number.NEGATIVE_INFINITY
  }

  /** Moves to an event stamped `ts`; returns the (possibly held) time it is processed at. */
  advance(ts: number): EpochMs {
    if (ts > this._now) this._now = ts
    else if (ts < this._now) this.rewinds++
    return this._now as EpochMs
  }

  /** Throws a {@link LookaheadError} when `ts` is after now. */
  guard(what: string, ts: number): void {
    if (ts > this._now) throw new LookaheadError(what, ts, this._now)
  }
}
