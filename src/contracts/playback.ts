/**
 * The match dashboard's server side, shared by the daemon and the web app: recorded captures
 * (`GET /api/captures…`), playback over the socket `/ws/playback`, and the stream offset of a
 * match (`GET`/`PUT /api/matches/:market/offset`). docs/DASHBOARD_API.md explains the flows.
 *
 * Units. Times are epoch milliseconds; "venue time" is the clock of the venue's own timestamps
 * (the market's clock), "video time" is a position in a video, ms from its start. Prices in
 * capture series, books and trades are the live socket's integer units (src/contracts/live.ts):
 * ticks of 0.0001 USDC (0..10_000) and millionths of a share. Signal ratios and price moves are
 * floats (research metrics, price units 0..1).
 *
 * Errors answer `{"error", "errors"?}` as everywhere in the REST API (contracts/api.ts).
 */
import { z } from 'zod'
import { BookMessage, TradeMessage } from './live.js'

const Ms = z.number().int()
/** Ticks 0..10_000. */
const Price = z.number().int().min(0).max(10_000)
/** Millionths of a share. */
const Size = z.number().int().min(0)
const TokenId = z.string().regex(/^\d{1,100}$/)
const ConditionId = z.string().regex(/^0x[0-9a-fA-F]{64}$/)

// ---- captures ----------------------------------------------------------------------------------

/**
 * Whether playback can seek in the capture at once: `ready` (its index is up to date),
 * `missing` (never indexed), `stale` (the capture changed since; rebuilt on open), `corrupt`
 * (the index is damaged; rebuilt on open), `unreadable` (the capture itself cannot be read:
 * see `error`).
 */
export const IndexState = z.enum(['ready', 'missing', 'stale', 'corrupt', 'unreadable'])
export type IndexState = z.infer<typeof IndexState>

/** One recording: a capture file, or a directory of rotated capture files played as one. */
export const CaptureSummary = z.object({
  name: z.string().describe('unique among the listed captures; use it in the other routes'),
  kind: z.enum(['file', 'directory']),
  /** The directory it was found in. */
  dir: z.string(),
  files: z.number().int().min(1),
  size_bytes: z.number().int().min(0).describe('on disk (compressed for gzip files)'),
  modified_at: Ms.describe('latest modification of its files'),
  /** Wall time the recording started (its first header); null when unreadable. */
  started_at: Ms.nullable(),
  /** What wrote it (`start`, `record`, `import`, ...); null when unreadable. */
  started_by: z.string().nullable(),
  /** Venue time of the first and last timed frame; null until indexed. */
  first_ms: Ms.nullable(),
  last_ms: Ms.nullable(),
  /** Token ids in the capture: from the index once indexed, else from its header. */
  tokens: z.array(TokenId),
  /** Condition ids known for those tokens (the database, the scan, the header). */
  markets: z.array(z.string()),
  indexed: z.boolean().describe('index === "ready"'),
  index: IndexState,
  /** Why the capture cannot be read (index "unreadable"), else null. */
  error: z.string().nullable(),
})
export type CaptureSummary = z.infer<typeof CaptureSummary>

export const CaptureDir = z.object({
  path: z.string(),
  /** Null when listed; else why not (missing directory, no permission). */
  error: z.string().nullable(),
})
export type CaptureDir = z.infer<typeof CaptureDir>

/** `GET /api/captures`: every capture in the daemon's capture directories, newest first. */
export const CapturesAnswer = z.object({
  captures: z.array(CaptureSummary),
  dirs: z.array(CaptureDir),
})
export type CapturesAnswer = z.infer<typeof CapturesAnswer>

/** A token of a capture with what is known about it. */
export const CaptureToken = z.object({
  token_id: TokenId,
  /** Condition id from the frames or the database; null when neither says. */
  market: z.string().nullable(),
  /** Outcome name from the database (`Fnatic`); null when the market is not stored. */
  outcome: z.string().nullable(),
})
export type CaptureToken = z.infer<typeof CaptureToken>

export const CaptureMarket = z.object({
  condition_id: z.string(),
  /** From the database; null when the market is not stored. */
  question: z.string().nullable(),
  slug: z.string().nullable(),
  tokens: z.array(CaptureToken),
})
export type CaptureMarket = z.infer<typeof CaptureMarket>

/**
 * `GET /api/captures/:name`: the summary (indexed now) plus what one replay of the capture
 * found. The first call on a capture indexes and scans it (about a second per 300,000 frames);
 * later calls answer from memory until the capture's files change.
 */
export const CaptureDetail = CaptureSummary.extend({
  frames: z.number().int(),
  trades: z.number().int(),
  signals: z.number().int(),
  /** Damage met while reading (torn last line, cut gzip): the capture is read up to it. */
  warnings: z.array(z.string()),
  markets_detail: z.array(CaptureMarket),
  token_details: z.array(CaptureToken),
})
export type CaptureDetail = z.infer<typeof CaptureDetail>

/**
 * A signal recomputed by replaying the capture through the daemon's signal engine (same
 * configuration as live). `reverted` and `reversion_s` are null only when the engine could
 * not settle the signal (it always settles at the end of the capture).
 */
export const CaptureSignal = z.object({
  id: z.number().int().describe('1, 2, ... in signal order, per capture'),
  type: z.enum(['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM']),
  ts: Ms.describe('venue time of the triggering event'),
  asset_id: TokenId,
  market: z.string().nullable(),
  score: z.number().describe('0..1'),
  volume_ratio: z.number().nullable(),
  spread_ratio: z.number().nullable(),
  depth_ratio: z.number().nullable(),
  price_change: z.number().nullable().describe('signed mid move over the short window, 0..1 units'),
  ref_price: z.number().nullable().describe('mid at the signal, 0..1 units'),
  mirror_of: z.number().int().nullable().describe('id of the complement signal it mirrors'),
  reverted: z.boolean().nullable(),
  reversion_s: z.number().nullable().describe('seconds to the reversion; null if none'),
  retrace: z.number().nullable(),
  mfe: z.number().nullable(),
  mae: z.number().nullable(),
})
export type CaptureSignal = z.infer<typeof CaptureSignal>

/** `GET /api/captures/:name/signals?token_id=&from=&to=`: oldest first. */
export const CaptureSignalsQuery = z.object({
  token_id: TokenId.optional(),
  from: z.coerce.number().int().optional().describe('venue ms, inclusive'),
  to: z.coerce.number().int().optional().describe('venue ms, inclusive'),
})
export type CaptureSignalsQuery = z.infer<typeof CaptureSignalsQuery>

export const CaptureSignalsAnswer = z.object({ signals: z.array(CaptureSignal) })
export type CaptureSignalsAnswer = z.infer<typeof CaptureSignalsAnswer>

/** A game event of a capture's match: stored ones carry their id, ones from a CSV file null. */
export const CaptureEvent = z.object({
  id: z.number().int().nullable(),
  ts_ms: Ms.describe('market (venue) time'),
  type: z.string(),
  market: z.string().nullable(),
  asset_id: z.string().nullable(),
  team: z.string().nullable(),
  player: z.string().nullable(),
  score: z.string().nullable(),
  map: z.number().int().nullable(),
  note: z.string().nullable(),
  ts_video_ms: Ms.nullable().describe('video time it was logged at, when logged from a video'),
  source: z.string(),
})
export type CaptureEvent = z.infer<typeof CaptureEvent>

/**
 * `GET /api/captures/:name/events`: the game events of the capture's markets and tokens from
 * the database, plus those of an events CSV beside the capture (`<capture>.events.csv`, or
 * `events.csv` inside a capture directory), oldest first.
 */
export const CaptureEventsAnswer = z.object({
  events: z.array(CaptureEvent),
  /** The CSV file read, or null when there is none. */
  csv: z.string().nullable(),
})
export type CaptureEventsAnswer = z.infer<typeof CaptureEventsAnswer>

/** `GET /api/captures/:name/series?token_id=&from=&to=&step_ms=`. */
export const SeriesQuery = z.object({
  token_id: TokenId,
  from: z.coerce.number().int().optional().describe('venue ms; default the first frame'),
  to: z.coerce.number().int().optional().describe('venue ms; default the last frame'),
  step_ms: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('default: the range over 1,000 points; raised when it would give more than 5,000'),
})
export type SeriesQuery = z.infer<typeof SeriesQuery>

/**
 * The book's top at `t`: the state after every frame whose playback clock is at most `t`,
 * exactly what a seek to `t` shows. Null sides are empty; `mid` is in ticks and may end in .5.
 */
export const SeriesPoint = z.object({
  t: Ms,
  best_bid: Price.nullable(),
  best_ask: Price.nullable(),
  mid: z.number().nullable(),
})
export type SeriesPoint = z.infer<typeof SeriesPoint>

/**
 * A trade, or (when the range holds more than 2,000 trades) the trades of one step merged:
 * `count` trades, total `size`, last `price`, `side` of the larger taker volume.
 */
export const SeriesTrade = z.object({
  t: Ms.describe('playback clock of the frame that carried it (where it sits on the chart)'),
  ts: Ms.describe("the trade's own venue timestamp (the last one when merged)"),
  price: Price,
  size: Size,
  side: z.enum(['buy', 'sell']).describe("the taker's side"),
  count: z.number().int().min(1),
})
export type SeriesTrade = z.infer<typeof SeriesTrade>

export const SeriesAnswer = z.object({
  token_id: TokenId,
  from: Ms,
  to: Ms,
  /** The step used (larger than asked when the range needed more than 5,000 points). */
  step_ms: z.number().int().min(1),
  /** True when `step_ms` was raised or trades were merged per step. */
  downsampled: z.boolean(),
  points: z.array(SeriesPoint),
  trades: z.array(SeriesTrade),
  trades_merged: z.boolean(),
})
export type SeriesAnswer = z.infer<typeof SeriesAnswer>

// ---- stream offset per match -------------------------------------------------------------------

/**
 * `PUT /api/matches/:market/offset`. The stream lags the market: `offset_ms` is market time
 * minus video time, so market time = video time + `offset_ms`. Calibrate by marking a known
 * moment: `offset_ms = ts of the event on the market's clock − video position where it was
 * seen`. Any whole number of ms (a VOD gives about the epoch of its start; a live stream a
 * small negative lag when video time is the wall clock).
 */
export const MatchOffsetBody = z.strictObject({
  offset_ms: z
    .number()
    .int()
    .min(-10_000_000_000_000)
    .max(10_000_000_000_000)
    .describe('market time − video time'),
  calibrated_at: Ms.min(0).optional().describe('when it was calibrated; default now'),
  video_url: z
    .string()
    .min(1)
    .max(2_048)
    .nullable()
    .optional()
    .describe('YouTube/Twitch URL, HLS or local file the offset belongs to'),
})
export type MatchOffsetBody = z.infer<typeof MatchOffsetBody>

/** `GET`/`PUT /api/matches/:market/offset`; GET answers 404 when none is stored. */
export const MatchOffsetAnswer = z.object({
  market: ConditionId,
  offset_ms: Ms,
  calibrated_at: Ms,
  video_url: z.string().nullable(),
  updated_at: Ms,
})
export type MatchOffsetAnswer = z.infer<typeof MatchOffsetAnswer>

// ---- playback socket `/ws/playback` ------------------------------------------------------------

export const MIN_PLAYBACK_SPEED = 0.5
export const MAX_PLAYBACK_SPEED = 20
/** Tokens one playback socket follows at most. */
export const MAX_PLAYBACK_TOKENS = 20

const Speed = z.number().min(MIN_PLAYBACK_SPEED).max(MAX_PLAYBACK_SPEED)
const Tokens = z.array(TokenId).max(MAX_PLAYBACK_TOKENS)

/**
 * Page → server, one JSON object per frame. One capture per socket; `open` again to switch.
 * - `open`: opens the capture (indexing and scanning it first when needed, with `progress`
 *   meanwhile), then answers `opened` and a `state` at the capture's first frame.
 * - `select`: the tokens whose books and trades the page wants (replaces the set) → `state`.
 * - `seek`: moves to venue time `t` (clamped to the capture) → `state` with the same `seq`.
 *   While scrubbing send as many as you like: only the latest pending one is served.
 * - `play`: plays from the current time at `speed` × venue time (also changes the speed while
 *   playing) → `status`, then `book`, `trade` and `clock` messages as the time moves.
 * - `pause` → `status`.
 */
export const PlaybackClientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('open'),
    capture: z.string().min(1).max(300),
    tokens: Tokens.optional(),
  }),
  z.strictObject({ type: z.literal('select'), tokens: Tokens }),
  z.strictObject({ type: z.literal('seek'), t: Ms, seq: z.number().int().optional() }),
  z.strictObject({ type: z.literal('play'), speed: Speed }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('ping'), t: z.number() }),
])
export type PlaybackClientMessage = z.infer<typeof PlaybackClientMessage>

/** Opening a capture: `index` builds its playback index, `scan` replays it for signals. */
export const PlaybackProgress = z.object({
  type: z.literal('progress'),
  capture: z.string(),
  stage: z.enum(['index', 'scan']),
  /** 0..1, approximate (from bytes read); null when it cannot be estimated. */
  fraction: z.number().min(0).max(1).nullable(),
  frames: z.number().int(),
})
export type PlaybackProgress = z.infer<typeof PlaybackProgress>

export const PlaybackOpened = z.object({
  type: z.literal('opened'),
  capture: CaptureDetail,
  /** The tokens followed (those asked for in `open`, else the capture's first two). */
  tokens: z.array(TokenId),
})
export type PlaybackOpened = z.infer<typeof PlaybackOpened>

/**
 * The whole picture at `t`: the book of every followed token (top 50 levels a side; tokens
 * without a book yet are left out) and the last trades (at most 50) with clock at most `t`.
 * Sent after `open`, `select` and `seek`; replace everything the page shows with it.
 */
export const PlaybackState = z.object({
  type: z.literal('state'),
  t: Ms,
  /** Venue time of the latest frame applied (at most `t`); null before the first. */
  clock: Ms.nullable(),
  /** The `seq` of the seek answered; null for other causes. */
  seq: z.number().int().nullable(),
  playing: z.boolean(),
  speed: z.number(),
  at_end: z.boolean(),
  books: z.array(BookMessage),
  trades: z.array(TradeMessage),
})
export type PlaybackState = z.infer<typeof PlaybackState>

/** Playback time after each flush while playing (about every 16 ms). */
export const PlaybackClock = z.object({ type: z.literal('clock'), t: Ms })
export type PlaybackClock = z.infer<typeof PlaybackClock>

/** Play state changed: `play`, `pause`, or the end of the capture (`reason: "end"`). */
export const PlaybackStatus = z.object({
  type: z.literal('status'),
  t: Ms,
  playing: z.boolean(),
  speed: z.number(),
  at_end: z.boolean(),
  reason: z.enum(['play', 'pause', 'end']),
})
export type PlaybackStatus = z.infer<typeof PlaybackStatus>

/**
 * A request could not be served; the socket stays open. Codes: `NOT_OPEN` (open a capture
 * first), `CAPTURE_NOT_FOUND`, `CAPTURE_UNREADABLE`, `UNKNOWN_TOKEN`, `INTERNAL`.
 */
export const PlaybackError = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
})
export type PlaybackError = z.infer<typeof PlaybackError>

export const PlaybackPong = z.object({ type: z.literal('pong'), t: z.number(), serverTime: Ms })

/**
 * Server → page. Like the live socket, the server sends one JSON array of messages per flush.
 * While playing, `book` (the live socket's message: at most one per token per flush, latest
 * state; `ts` is the book's venue time, `appliedAt` the daemon's wall time), `trade` (every
 * trade of a followed token, in order) and `clock` flow.
 */
export const PlaybackServerMessage = z.discriminatedUnion('type', [
  PlaybackProgress,
  PlaybackOpened,
  PlaybackState,
  PlaybackClock,
  PlaybackStatus,
  PlaybackError,
  PlaybackPong,
  BookMessage,
  TradeMessage,
])
export type PlaybackServerMessage = z.infer<typeof PlaybackServerMessage>

export const PlaybackServerBatch = z.array(PlaybackServerMessage)
