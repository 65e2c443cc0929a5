/**
 * What the dashboard's routes and playback socket need from the daemon, as small types: the
 * daemon (src/app/daemon/playback-wiring.ts) provides them, tests may pass fakes.
 */
import type {
  CaptureDetail,
  CaptureEventsAnswer,
  CaptureSignal,
  CaptureSignalsQuery,
  CapturesAnswer,
  MatchOffsetAnswer,
  MatchOffsetBody,
  SeriesAnswer,
  SeriesQuery,
} from '../../contracts/playback.js'
import type { FrameParser } from '../../engine/market-data.js'
import type { PlaybackSource } from '../../engine/playback/playback-ports.js'
import type { Logger } from '../log.js'

/**
 * A request the dashboard cannot serve as asked: `status` 400 (bad query: `errors` say what
 * to change) or 422 (a file beside the capture is invalid).
 */
export class PlaybackQueryError extends Error {
  readonly code = 'PLAYBACK_BAD_REQUEST'
  constructor(
    readonly status: 400 | 422,
    message: string,
    readonly errors: readonly string[] = [],
  ) {
    super(message)
    this.name = 'PlaybackQueryError'
  }
}

/** Which stage of opening a capture is running, and how far (see `PlaybackProgress`). */
export type OpenProgress = (
  stage: 'index' | 'scan',
  fraction: number | null,
  frames: number,
) => void

/** A capture indexed and scanned, ready for playback, series and signals. */
export type OpenedCapture = {
  readonly detail: CaptureDetail
  /** Its playback index: one `PlaybackSession` per page seeks in it. */
  readonly source: PlaybackSource
  readonly parser: FrameParser
  /** The token's condition id; empty when unknown. */
  marketOf(tokenId: string): string
  signals(query: CaptureSignalsQuery): CaptureSignal[]
  /** @throws PlaybackQueryError (400) for a range or token the capture does not have. */
  series(query: SeriesQuery): SeriesAnswer
}

export type DashboardDeps = {
  readonly captures: {
    list(): Promise<CapturesAnswer>
    /**
     * Indexes and scans the capture when needed.
     * @throws errors with `code` `CAPTURE_NOT_FOUND` (404) or `CAPTURE_UNREADABLE` (422).
     */
    open(name: string, onProgress?: OpenProgress): Promise<OpenedCapture>
    /** @throws as `open`, and PlaybackQueryError (422) for an invalid events CSV. */
    events(name: string): Promise<CaptureEventsAnswer>
  }
  /** Stream offsets per match; null when the daemon has no database for them. */
  readonly offsets: {
    get(market: string): Promise<MatchOffsetAnswer | null>
    put(market: string, body: MatchOffsetBody): Promise<MatchOffsetAnswer>
  } | null
  /** Daemon wall clock, epoch ms. */
  now(): number
  readonly log: Logger
}
