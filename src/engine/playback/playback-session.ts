/**
 * Playback of a recorded match: jump to any venue time and get the books exactly as a replay
 * would have them, then move forward by venue time while the frames flow to a listener.
 *
 * Time. The playback clock after a frame is the latest venue timestamp of the frames so far
 * (see {@link advanceClock}). `seek(t)` gives the state after every frame whose clock is at
 * most t, which is a prefix of the recording, read in the replay's order. The session moves
 * only by venue time; pacing (0.5×, 2×, 20×) is the caller's timer calling `advance`.
 *
 * A seek restores the nearest checkpoint at or before t from the index (or, when that is not
 * ahead of where the session is, carries on from there) and replays the frames between it and
 * t without telling the listener. `advance` replays frames up to the new time and tells the
 * listener about each. Calls are queued: each starts when the one before has finished.
 *
 * The session replaces its MarketData (and so its book objects) on a seek that restores a
 * checkpoint: read books through {@link PlaybackSession.market} or the returned view after
 * each seek rather than keeping them.
 */
import type { ParseError } from '../../domain/errors.js'
import type { ParseResult } from '../frame-parser.js'
import {
  MarketData,
  type FrameMeta,
  type FrameParser,
  type MarketDataListener,
} from '../market-data.js'
import {
  advanceClock,
  applyParsedFrame,
  frameVenueTime,
  parseFrameBytes,
  parseFrameText,
} from './frame-step.js'
import { restoreMarketState } from './market-state.js'
import type {
  PlaybackCursor,
  PlaybackMarker,
  PlaybackSource,
  RecordVisitor,
  TimelineItem,
  TimelineSource,
} from './playback-ports.js'
import type { PlaybackTrade } from './trade-log.js'

/** The read-only part of a MarketData that playback hands out. */
export type PlaybackMarket = Pick<
  MarketData,
  'books' | 'book' | 'venueTop' | 'tradeStats' | 'counters'
>

export type PlaybackSessionOptions = {
  /** Receives every event, book change, resync request and parse error of `advance`. */
  readonly listener?: MarketDataListener
  /** Capture markers met by `advance`, with the playback clock at that point. */
  readonly onMarker?: (marker: PlaybackMarker, clock: number) => void
  /** Damage the reader skipped (as the replay reader reports it). */
  readonly onWarning?: (message: string) => void
  /** Sources of signals, game events and the like for {@link PlaybackSession.timeline}. */
  readonly timeline?: readonly TimelineSource[]
  /** Trades returned with a seek; default 50. */
  readonly tradesLimit?: number
}

/** Where a seek landed. */
export type PlaybackView = {
  /** The time asked for, venue ms. */
  readonly tVenueMs: number
  /** Venue time of the latest frame applied (at most `tVenueMs`); null before any. */
  readonly clock: number | null
  readonly market: PlaybackMarket
  /** The last trades with clock at most `tVenueMs`, oldest first. */
  readonly trades: readonly PlaybackTrade[]
  /** True when no frame of the recording is left after this point. */
  readonly atEnd: boolean
}

export type AdvanceResult = {
  readonly tVenueMs: number
  /** Frames applied by this call. */
  readonly frames: number
  readonly markers: number
  readonly atEnd: boolean
}

const DEFAULT_TRADES_LIMIT = 50

/** Forwards MarketData callbacks to the caller's listener unless muted (during a seek). */
class ListenerRelay implements MarketDataListener {
  muted = false

  constructor(private readonly _target: MarketDataListener) {}

  onEvent: MarketDataListener['onEvent'] = (event, meta) => {
    if (!this.muted) this._target.onEvent?.(event, meta)
  }

  onBookChanged: MarketDataListener['onBookChanged'] = (book, event, meta) => {
    if (!this.muted) this._target.onBookChanged?.(book, event, meta)
  }

  onResyncRequested: MarketDataListener['onResyncRequested'] = (request, meta) => {
    if (!this.muted) this._target.onResyncRequested?.(request, meta)
  }

  onParseError = (error: ParseError, meta: FrameMeta): void => {
    if (!this.muted) this._target.onParseError?.(error, meta)
  }
}

export class PlaybackSession implements RecordVisitor {
  private readonly _relay: ListenerRelay
  private readonly _timeline: TimelineSource[]
  private _market: MarketData
  private _cursor: PlaybackCursor | null = null
  /** Time the state stands at (the last seek or advance target). */
  private _time = Number.NEGATIVE_INFINITY
  /** Playback clock of the last applied frame. */
  private _clock = Number.NEGATIVE_INFINITY
  private _target = Number.NEGATIVE_INFINITY
  private _atEnd = false
  private _closed = false
  private _frames = 0
  private _markers = 0
  private _queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly _source: PlaybackSource,
    private readonly _parser: FrameParser,
    private readonly _options: PlaybackSessionOptions,
  ) {
    this._relay = new ListenerRelay(_options.listener ?? {})
    this._timeline = [...(_options.timeline ?? [])]
    this._market = new MarketData(_parser, this._relay)
  }

  /** Opens a session at the start of the recording (before its first timed frame). */
  static async open(
    source: PlaybackSource,
    parser: FrameParser,
    options: PlaybackSessionOptions = {},
  ): Promise<PlaybackSession> {
    if (source.checkpointClocks.length === 0) {
      throw new Error('the playback index has no checkpoints; rebuild it')
    }
    const session = new PlaybackSession(source, parser, options)
    await session.seek(Number.NEGATIVE_INFINITY)
    return session
  }

  /** The venue time the state stands at. */
  get time(): number {
    return this._time
  }

  /** The current books, tops, trade statistics and counters. */
  get market(): PlaybackMarket {
    return this._market
  }

  get atEnd(): boolean {
    return this._atEnd
  }

  /**
   * Moves to venue time `tVenueMs` (forward or back): afterwards the state is the replay's
   * after every frame with clock at most `tVenueMs`. The listener hears nothing of it.
   * @throws RangeError for NaN.
   */
  seek(tVenueMs: number): Promise<PlaybackView> {
    if (Number.isNaN(tVenueMs)) throw new RangeError('seek needs a venue time in ms; got NaN')
    return this._enqueue(async () => {
      await this._moveTo(tVenueMs)
      return this.view()
    })
  }

  /**
   * Plays forward to `toTVenueMs`, handing every frame with clock up to it to the listener,
   * in order.
   * @throws RangeError when `toTVenueMs` is NaN or before the current time (seek instead).
   */
  advance(toTVenueMs: number): Promise<AdvanceResult> {
    if (Number.isNaN(toTVenueMs)) throw new RangeError('advance needs a venue time in ms; got NaN')
    return this._enqueue(async () => {
      if (toTVenueMs < this._time) {
        throw new RangeError(
          `advance goes forward only: ${toTVenueMs} is before the current time ${this._time}; use seek`,
        )
      }
      const frames = this._frames
      const markers = this._markers
      this._relay.muted = false
      await this._readTo(toTVenueMs)
      return {
        tVenueMs: toTVenueMs,
        frames: this._frames - frames,
        markers: this._markers - markers,
        atEnd: this._atEnd,
      }
    })
  }

  /** The current state as a view (what the last seek returned, updated by advances). */
  view(): PlaybackView {
    return {
      tVenueMs: this._time,
      clock: this._clock === Number.NEGATIVE_INFINITY ? null : this._clock,
      market: this._market,
      trades: this.trades(),
      atEnd: this._atEnd,
    }
  }

  /** The last `limit` trades up to the current time (one asset's when given), oldest first. */
  trades(
    limit = this._options.tradesLimit ?? DEFAULT_TRADES_LIMIT,
    assetId?: string,
  ): PlaybackTrade[] {
    return this._source.trades.before(this._time, limit, assetId)
  }

  /** Adds a source of timeline items (signals, game events). */
  addTimelineSource(source: TimelineSource): void {
    this._timeline.push(source)
  }

  /** Timeline items of every source between two venue times, in time order. */
  async timeline(fromMs: number, toMs: number): Promise<TimelineItem[]> {
    const items: TimelineItem[] = []
    for (const source of this._timeline) items.push(...(await source.between(fromMs, toMs)))
    return items.sort((a, b) => a.tVenueMs - b.tVenueMs)
  }

  async close(): Promise<void> {
    await this._enqueue(async () => {
      this._closed = true
      const cursor = this._cursor
      this._cursor = null
      await cursor?.close()
    })
  }

  frameBytes(bytes: Uint8Array, start: number, end: number, tLocal: number, conn: string): boolean {
    return this._offer(parseFrameBytes(this._parser, bytes, start, end), tLocal, conn)
  }

  frameText(raw: string, value: unknown, tLocal: number, conn: string): boolean {
    return this._offer(parseFrameText(this._parser, raw, value), tLocal, conn)
  }

  marker(marker: PlaybackMarker): boolean {
    this._markers++
    if (!this._relay.muted) this._options.onMarker?.(marker, this._clock)
    return true
  }

  private _offer(result: ParseResult, tLocal: number, conn: string): boolean {
    const next = advanceClock(this._clock, frameVenueTime(result))
    // The frame stays unread; the next read delivers it again.
    if (next > this._target) return false
    this._clock = next
    applyParsedFrame(this._market, result, { tLocal, conn }, this._relay.onParseError)
    this._frames++
    return true
  }

  private _enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this._queue.then(() => {
      if (this._closed) throw new Error('the playback session is closed')
      return task()
    })
    this._queue = run.catch(() => undefined)
    return run
  }

  private async _moveTo(t: number): Promise<void> {
    const clocks = this._source.checkpointClocks
    const k = lastAtOrBefore(clocks, t)
    const checkpointClock = clocks[k]!
    this._relay.muted = true
    try {
      const canContinue = this._cursor !== null && this._time <= t && checkpointClock <= this._time
      if (!canContinue) await this._restore(k)
      await this._readTo(t)
    } finally {
      this._relay.muted = false
    }
  }

  private async _restore(k: number): Promise<void> {
    const checkpoint = await this._source.loadCheckpoint(k)
    const market = new MarketData(this._parser, this._relay)
    restoreMarketState(market, checkpoint.state, this._source.strings)
    const cursor = await this._source.openCursor(checkpoint.position)
    const previous = this._cursor
    this._cursor = cursor
    this._market = market
    this._clock = checkpoint.clock
    this._time = checkpoint.clock
    this._atEnd = false
    await previous?.close()
  }

  private async _readTo(t: number): Promise<void> {
    const cursor = this._cursor
    if (cursor === null) throw new Error('the playback session has no open recording')
    this._target = t
    if (!this._atEnd) this._atEnd = !(await cursor.read(this))
    this._time = t
    const warnings = cursor.takeWarnings()
    const onWarning = this._options.onWarning
    if (onWarning !== undefined) for (const message of warnings) onWarning(message)
  }
}

/** Index of the last entry at or before `t` in ascending `clocks` (entry 0 is -Infinity). */
function lastAtOrBefore(clocks: Float64Array, t: number): number {
  let lo = 0
  let hi = clocks.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (clocks[mid]! <= t) lo = mid + 1
    else hi = mid
  }
  return Math.max(0, lo - 1)
}
