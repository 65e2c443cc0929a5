/**
 * The live WebSocket between the daemon and the web terminal (`GET /ws`), shared by both sides.
 *
 * One socket per page. The server pushes state; the page never computes risk, fills or PnL.
 * Units on this socket are the integer units of the domain: prices in ticks of 0.0001 USDC
 * (0..10_000), sizes in millionths of a share, money in millionths of a USDC, times in venue
 * epoch milliseconds. (The REST API answers in decimal strings; the socket is the hot path.)
 *
 * Coalescing: book updates are sent at most once per token per flush (about one animation
 * frame), latest state wins; a client that cannot keep up is skipped until its socket drains,
 * it never backs up the engine. Trades, fills, alerts, signals and game events are not
 * coalesced (each is sent once, in order, batched per flush).
 */
import { z } from 'zod'

/** Ticks 0..10_000 (0.0001 USDC per share). */
const Price = z.number().int().min(0).max(10_000)
/** Millionths of a share. */
const Size = z.number().int().min(0)
const Ms = z.number().int()
const Token = z.string().regex(/^\d{1,100}$/)

export const BookLevel = z.tuple([Price, Size])
export type BookLevel = z.infer<typeof BookLevel>

export const BookHealth = z.enum(['live', 'stale', 'resyncing', 'disconnected'])
export type BookHealth = z.infer<typeof BookHealth>

/** One token's book: bids best (highest) first, asks best (lowest) first, at most 50 levels each. */
export const BookMessage = z.object({
  type: z.literal('book'),
  tokenId: Token,
  market: z.string(),
  /** Venue time of the last applied event. */
  ts: Ms,
  /** Daemon time when the book was applied (for the latency figures). */
  appliedAt: Ms,
  bids: z.array(BookLevel).max(50),
  asks: z.array(BookLevel).max(50),
  health: BookHealth,
})
export type BookMessage = z.infer<typeof BookMessage>

/** A trade printed on the venue (the tape), from `last_trade_price`. */
export const TradeMessage = z.object({
  type: z.literal('trade'),
  tokenId: Token,
  market: z.string(),
  ts: Ms,
  price: Price,
  size: Size,
  /** The taker's side. */
  side: z.enum(['buy', 'sell']),
})
export type TradeMessage = z.infer<typeof TradeMessage>

/** Health of every watched book; sent on connect and whenever any book changes state. */
export const HealthMessage = z.object({
  type: z.literal('health'),
  books: z.record(Token, BookHealth),
  /** Venue feed connection as a whole. */
  feed: z.enum(['connected', 'reconnecting', 'disconnected', 'replay']),
  ts: Ms,
})
export type HealthMessage = z.infer<typeof HealthMessage>

/**
 * The account changed: the same JSON bodies as `GET /api/orders`, `GET /api/positions` and
 * `GET /api/risk` (decimal strings, as the REST API answers). Sent on connect and after every
 * order, fill or risk change, at most once per flush.
 */
export const AccountMessage = z.object({
  type: z.literal('account'),
  orders: z.unknown(),
  positions: z.unknown(),
  risk: z.unknown(),
  ts: Ms,
})
export type AccountMessage = z.infer<typeof AccountMessage>

export const AlertMessage = z.object({
  type: z.literal('alert'),
  id: z.string(),
  ts: Ms,
  severity: z.enum(['info', 'warning', 'critical']),
  /** Stable code, e.g. a denial code (`DAILY_LOSS`), `ORDER_FAILED`, `SLIPPAGE`, `BOOK_STALE`. */
  code: z.string(),
  message: z.string(),
  market: z.string().nullable(),
})
export type AlertMessage = z.infer<typeof AlertMessage>

export const SignalMessage = z.object({
  type: z.literal('signal'),
  signalType: z.enum(['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM']),
  tokenId: Token,
  market: z.string(),
  ts: Ms,
  score: z.number(),
  priceChange: z.number(),
})
export type SignalMessage = z.infer<typeof SignalMessage>

export const GameEventMessage = z.object({
  type: z.literal('game_event'),
  id: z.number().int(),
  market: z.string(),
  ts: Ms,
  eventType: z.string(),
  team: z.string().nullable(),
  score: z.string().nullable(),
  map: z.string().nullable(),
})
export type GameEventMessage = z.infer<typeof GameEventMessage>

/** Per-stage latency, milliseconds, over the recent window (null when no sample yet). */
export const LatencyMessage = z.object({
  type: z.literal('latency'),
  ts: Ms,
  stages: z.record(
    z.string(),
    z.object({ p50: z.number().nullable(), p99: z.number().nullable(), count: z.number().int() }),
  ),
})
export type LatencyMessage = z.infer<typeof LatencyMessage>

export const HelloMessage = z.object({
  type: z.literal('hello'),
  /** Daemon wall time, for clock offset estimates. */
  serverTime: Ms,
  /** `paper`, `sim` or `polymarket`. */
  venue: z.string(),
  /** Which market data feed runs (`sim`, `polymarket`, `replay`). */
  feed: z.string(),
  version: z.string(),
})
export type HelloMessage = z.infer<typeof HelloMessage>

export const PongMessage = z.object({ type: z.literal('pong'), t: z.number(), serverTime: Ms })
export type PongMessage = z.infer<typeof PongMessage>

export const ServerMessage = z.discriminatedUnion('type', [
  HelloMessage,
  BookMessage,
  TradeMessage,
  HealthMessage,
  AccountMessage,
  AlertMessage,
  SignalMessage,
  GameEventMessage,
  LatencyMessage,
  PongMessage,
])
export type ServerMessage = z.infer<typeof ServerMessage>

/** The server sends one JSON array of messages per flush. */
export const ServerBatch = z.array(ServerMessage)

/**
 * Page → server. `subscribe` replaces the set of tokens whose books and trades the page wants
 * (the selected market's tokens; at most 20); health, account, alerts, signals and game events
 * always flow.
 */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), tokens: z.array(Token).max(20) }),
  z.object({ type: z.literal('ping'), t: z.number() }),
])
export type ClientMessage = z.infer<typeof ClientMessage>
