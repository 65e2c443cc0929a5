/**
 * Builds a recording's playback index in one pass: replays every record, keeps the playback
 * clock (see {@link advanceClock}), and takes a checkpoint (whole market state plus reader
 * position) whenever the clock passes the next multiple of the interval, or after
 * `maxFrames` frames without one, so that a seek never replays more than one interval (or
 * that many frames). Also collects every trade into a {@link TradeLog}.
 *
 * A checkpoint is taken just before a frame and holds the state after the frames before it,
 * stamped with the clock before that frame. That is a valid place to resume for any time t
 * at or after the stamp: every frame in the state has a clock at most the stamp, and reading
 * on from the position applies the following frames whose clock is at most t. So a checkpoint
 * may even fall between frames of equal clock (a burst longer than `maxFrames`).
 */
import type { FrameMeta, FrameParser } from '../market-data.js'
import { MarketData } from '../market-data.js'
import type { ParseResult } from '../frame-parser.js'
import {
  advanceClock,
  applyParsedFrame,
  frameVenueTime,
  parseFrameBytes,
  parseFrameText,
} from './frame-step.js'
import { captureMarketState, collectEventAssets, StringTable } from './market-state.js'
import type {
  Checkpoint,
  PlaybackMarker,
  PlaybackPosition,
  RecordVisitor,
} from './playback-ports.js'
import { TradeLogBuilder } from './trade-log.js'

export type IndexBuilderOptions = {
  /** Venue-time spacing of checkpoints, ms; default 10 s. */
  readonly intervalMs?: number
  /** Take a checkpoint after this many frames without one (busy recordings); default 25,000. */
  readonly maxFrames?: number
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000
export const DEFAULT_CHECKPOINT_MAX_FRAMES = 25_000

export type IndexBuildSummary = {
  readonly frames: number
  readonly markers: number
  readonly trades: number
  readonly checkpoints: number
  /** First and last playback clock (venue ms); null without any timed frame. */
  readonly firstClock: number | null
  readonly lastClock: number | null
}

export class IndexBuilder implements RecordVisitor {
  readonly strings = new StringTable()
  readonly trades: TradeLogBuilder
  private readonly _market: MarketData
  private readonly _assets = new Set<string>()
  private readonly _intervalMs: number
  private readonly _maxFrames: number
  private _clock = Number.NEGATIVE_INFINITY
  private _firstClock = Number.NaN
  private _nextBoundary = Number.NEGATIVE_INFINITY
  private _framesSince = 0
  private _frames = 0
  private _markers = 0
  private _checkpoints = 0

  constructor(
    private readonly _parser: FrameParser,
    /** The reader's position (called during a visit: the position of the visited record). */
    private readonly _position: () => PlaybackPosition,
    private readonly _onCheckpoint: (checkpoint: Checkpoint) => void,
    options: IndexBuilderOptions = {},
  ) {
    this._intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS
    this._maxFrames = options.maxFrames ?? DEFAULT_CHECKPOINT_MAX_FRAMES
    if (!(this._intervalMs >= 1) || !Number.isSafeInteger(this._intervalMs)) {
      throw new RangeError(
        `checkpoint interval must be a whole number of ms ≥ 1; got ${this._intervalMs}`,
      )
    }
    if (!(this._maxFrames >= 1) || !Number.isSafeInteger(this._maxFrames)) {
      throw new RangeError(
        `checkpoint frame limit must be a whole number ≥ 1; got ${this._maxFrames}`,
      )
    }
    this.trades = new TradeLogBuilder((text) => this.strings.intern(text))
    this._market = new MarketData(_parser, {
      onEvent: (event) => {
        collectEventAssets(event, this._assets)
        if (event.type === 'last_trade_price') this.trades.add(event, this._clock)
      },
    })
  }

  /** Takes the checkpoint of the start (empty state); call before reading. */
  begin(): void {
    this._take()
  }

  frameBytes(bytes: Uint8Array, start: number, end: number, tLocal: number, conn: string): boolean {
    this._frame(parseFrameBytes(this._parser, bytes, start, end), { tLocal, conn })
    return true
  }

  frameText(raw: string, value: unknown, tLocal: number, conn: string): boolean {
    this._frame(parseFrameText(this._parser, raw, value), { tLocal, conn })
    return true
  }

  marker(_marker: PlaybackMarker): boolean {
    this._markers++
    return true
  }

  summary(): IndexBuildSummary {
    const timed = !Number.isNaN(this._firstClock)
    return {
      frames: this._frames,
      markers: this._markers,
      trades: this.trades.length,
      checkpoints: this._checkpoints,
      firstClock: timed ? this._firstClock : null,
      lastClock: timed ? this._clock : null,
    }
  }

  private _frame(result: ParseResult, meta: FrameMeta): void {
    const next = advanceClock(this._clock, frameVenueTime(result))
    if (
      this._framesSince >= this._maxFrames ||
      (next >= this._nextBoundary && next > this._clock)
    ) {
      if (this._clock !== Number.NEGATIVE_INFINITY || this._framesSince >= this._maxFrames) {
        this._take()
      }
      this._nextBoundary = (Math.floor(next / this._intervalMs) + 1) * this._intervalMs
    }
    if (Number.isNaN(this._firstClock) && next !== Number.NEGATIVE_INFINITY) this._firstClock = next
    this._clock = next
    applyParsedFrame(this._market, result, meta, undefined)
    this._frames++
    this._framesSince++
  }

  private _take(): void {
    this._onCheckpoint({
      clock: this._clock,
      state: captureMarketState(this._market, this.strings, this._assets),
      position: this._position(),
    })
    this._checkpoints++
    this._framesSince = 0
  }
}
