/**
 * What playback needs from the outside: a cursor that reads a recording's records in replay
 * order from a saved position, and a source that holds the recording's checkpoints and trade
 * log. The capture adapter implements both over capture files and their index
 * (`src/adapters/capture/capture-index.ts`); tests implement them in memory.
 */
import type { MarketState } from './market-state.js'
import type { TradeLog } from './trade-log.js'

/**
 * Where a cursor stands in a recording. Opaque to the engine: the source that produced it
 * knows what the numbers mean (for captures, one entry per file).
 */
export type PlaybackPosition = readonly number[]

/** A capture marker as playback sees it (connect, disconnect, resync, ...). */
export type PlaybackMarker = {
  /** The marker kind (`connect`, `disconnect`, `resync`, `subscribe`, `unsubscribe`, `note`). */
  readonly marker: string
  /** Local receive time, epoch ms. */
  readonly tLocal: number
  readonly conn: string
  readonly detail: Readonly<Record<string, unknown>>
}

/**
 * Receives records in replay order. Returning false stops the read *before* that record: it
 * is not consumed and is the first one delivered by the next read.
 */
export interface RecordVisitor {
  /**
   * A frame as the UTF-8 bytes of its text, `bytes[start, end)`, valid during the call only.
   */
  frameBytes(bytes: Uint8Array, start: number, end: number, tLocal: number, conn: string): boolean
  /**
   * A frame as text; `value` is its decoded JSON when the reader already decoded it, else
   * undefined (parse `raw`).
   */
  frameText(raw: string, value: unknown, tLocal: number, conn: string): boolean
  marker(marker: PlaybackMarker): boolean
}

/** Reads a recording forward from a position. */
export interface PlaybackCursor {
  /**
   * Delivers records to `visitor` until it returns false (resolves true: more records remain)
   * or the recording ends (resolves false).
   */
  read(visitor: RecordVisitor): Promise<boolean>
  /**
   * The position to reopen the cursor at so that it delivers the record being visited again
   * (during a visit) or the next record (between reads).
   */
  position(): PlaybackPosition
  /** Warnings met while reading (damage the reader skipped), drained by each call. */
  takeWarnings(): readonly string[]
  close(): Promise<void>
}

/** One checkpoint: the replay state after every frame whose playback clock is at most `clock`. */
export type Checkpoint = {
  /** Playback clock (venue ms) up to which the state holds; -Infinity for the start. */
  readonly clock: number
  readonly state: MarketState
  readonly position: PlaybackPosition
}

/** A recording with its index, as a {@link PlaybackSession} reads it. */
export interface PlaybackSource {
  /**
   * Clock of each checkpoint, ascending; entry 0 is the start of the recording (-Infinity).
   */
  readonly checkpointClocks: Float64Array
  /** Strings the checkpoint states refer to by index (asset ids, stale reasons). */
  readonly strings: readonly string[]
  /** Every trade of the recording, in replay order. */
  readonly trades: TradeLog
  /** Loads checkpoint `i` (0-based, as in {@link checkpointClocks}). */
  loadCheckpoint(i: number): Promise<Checkpoint>
  /** Opens a cursor at a checkpoint's position. */
  openCursor(position: PlaybackPosition): Promise<PlaybackCursor>
}

/** Something to draw on a playback timeline: a signal, a logged game event, a capture marker. */
export type TimelineItem = {
  /** Venue time, epoch ms. */
  readonly tVenueMs: number
  /** What it is, e.g. `signal`, `game_event`, `marker`. */
  readonly kind: string
  /** A short label for a chart marker. */
  readonly label: string
  /** Anything else the item carries, JSON-serialisable. */
  readonly detail?: Readonly<Record<string, unknown>>
}

/**
 * Provides timeline items for a venue-time range (signals recomputed or stored, game events
 * from the event log). Playback merges every registered source.
 */
export interface TimelineSource {
  /** Items with `fromMs <= tVenueMs <= toMs`, in any order. */
  between(fromMs: number, toMs: number): Promise<readonly TimelineItem[]> | readonly TimelineItem[]
}
