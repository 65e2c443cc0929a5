/**
 * The daemon's REST API as the web terminal uses it: request bodies and answers, shared by the
 * server (route schemas and the OpenAPI document at `/docs`) and the page (parsing answers).
 *
 * Units: the REST API speaks decimal strings — prices as venue decimals ("0.535"), sizes in
 * shares ("10.5"), money in USDC ("12.340000") — and times as epoch milliseconds (numbers),
 * except `game_start_time` (ISO 8601). Names are snake_case. The live WebSocket
 * (contracts/live.ts) uses integer units instead.
 *
 * Errors: every failed request answers `{"error": "...", "errors"?: [...]}` ({@link ErrorBody});
 * trading denials and venue refusals known before sending answer 422 `{"code", "message"}`
 * ({@link Denial}).
 */
import { z } from 'zod'

/** A decimal number as text, e.g. "0.535", "10", "-3.250000". */
const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/)
const Ms = z.number().int()
const TokenId = z.string().regex(/^\d{1,100}$/)
const ConditionId = z.string().regex(/^0x[0-9a-fA-F]{64}$/)

// ---- errors ------------------------------------------------------------------------------------

export const ErrorBody = z.object({
  error: z.string().describe('what went wrong and what to do'),
  errors: z.array(z.string()).optional().describe('one line per problem, naming the field'),
})
export type ErrorBody = z.infer<typeof ErrorBody>

/** A risk denial or a refusal known before sending (HTTP 422). */
export const Denial = z.object({
  code: z.string().describe('stable code, e.g. MAX_ORDER_NOTIONAL, BOOK_STALE, HALTED'),
  message: z.string().describe('a human sentence'),
})
export type Denial = z.infer<typeof Denial>

/** HTTP 429: too many mutating requests. */
export const RateLimited = z.object({
  error: z.string(),
  retry_after_ms: z.number().int().min(0).describe('wait this long before trying again'),
})
export type RateLimited = z.infer<typeof RateLimited>

// ---- orders ------------------------------------------------------------------------------------

const DecimalInput = z.union([z.string(), z.number()])

/**
 * `POST /api/orders` and `POST /api/orders/preview`. Sizes in shares, prices as venue decimals
 * strictly between 0 and 1 (strings or numbers). Unknown fields are refused.
 */
export const OrderBody = z.strictObject({
  token_id: TokenId,
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit']),
  size: DecimalInput.describe('shares, at most 6 decimals'),
  price: DecimalInput.nullable()
    .optional()
    .describe('limit price; for a market order the worst acceptable price'),
  post_only: z.boolean().optional().describe('limit orders only'),
  client_order_id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
    .optional()
    .describe('idempotency key: the same id answers with the order it named'),
  time_in_force: z
    .enum(['FAK', 'FOK', 'GTC', 'GTD'])
    .optional()
    .describe('FAK or FOK for market orders (default FAK); GTC or GTD for limit orders'),
  expires_at: Ms.optional().describe('GTD only: epoch ms when the order stops working'),
  stop_loss_ticks: z.number().int().min(1).optional().describe('emulated stop, market ticks'),
  take_profit_ticks: z.number().int().min(1).optional().describe('emulated target, market ticks'),
  trailing_stop_ticks: z.number().int().min(1).optional().describe('emulated trailing stop'),
})
export type OrderBody = z.input<typeof OrderBody>

export const OrderStatus = z.enum([
  'pending',
  'delayed',
  'open',
  'filled',
  'cancelled',
  'killed',
  'rejected',
  'denied',
  'unknown',
])
export type OrderStatus = z.infer<typeof OrderStatus>

export const OrderJson = z.object({
  id: z.string().describe('the client order id'),
  client_order_id: z.string(),
  venue_order_id: z.string().nullable(),
  market: z.string(),
  token_id: TokenId,
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit']),
  time_in_force: z.enum(['FAK', 'FOK', 'GTC', 'GTD']),
  post_only: z.boolean(),
  price: Decimal,
  size: Decimal,
  filled: Decimal,
  status: OrderStatus,
  origin: z.string().describe('api, ui, strategy, stop, ...'),
  reason_code: z.string().nullable(),
  reason_message: z.string().nullable(),
  created_ms: Ms,
  updated_ms: Ms,
})
export type OrderJson = z.infer<typeof OrderJson>

/** `POST /api/orders` (201 new, 200 a repeated client id), `DELETE /api/orders/:id`. */
export const OrderAnswer = z.object({ order: OrderJson })
export type OrderAnswer = z.infer<typeof OrderAnswer>

/** `GET /api/orders`, `POST /api/cancel-all`. */
export const OrdersAnswer = z.object({ orders: z.array(OrderJson) })
export type OrdersAnswer = z.infer<typeof OrdersAnswer>

export const FillJson = z.object({
  id: z.string(),
  client_order_id: z.string(),
  market: z.string(),
  token_id: TokenId,
  side: z.enum(['buy', 'sell']),
  price: Decimal,
  size: Decimal,
  fee_usdc: Decimal,
  liquidity: z.enum(['taker', 'maker']),
  /** `failed`: the trade did not settle on chain; the fill is not in the positions. */
  status: z.enum(['matched', 'confirmed', 'failed']),
  ts_ms: Ms,
})
export type FillJson = z.infer<typeof FillJson>

export const FillsAnswer = z.object({ fills: z.array(FillJson) })
export type FillsAnswer = z.infer<typeof FillsAnswer>

/** `POST /api/orders/preview`: what the order would do against the book now. */
export const PreviewAnswer = z.object({
  price: Decimal,
  fillable: Decimal,
  unfilled: Decimal,
  avg_price: z.number().nullable(),
  worst_price: Decimal.nullable(),
  touch: Decimal.nullable(),
  mid: z.number().nullable(),
  notional_usdc: Decimal,
  fees_usdc: Decimal,
  fee_rate_bps: z.number(),
  slippage_ticks: z.number().nullable(),
  slippage_usdc: z.number().nullable(),
  levels: z.array(z.object({ price: Decimal, size: Decimal })),
})
export type PreviewAnswer = z.infer<typeof PreviewAnswer>

// ---- positions and risk ------------------------------------------------------------------------

export const PositionJson = z.object({
  market: z.string(),
  token_id: TokenId,
  size: Decimal,
  cost_usdc: Decimal,
  avg_price: z.number(),
  best_bid: Decimal.nullable(),
  mid: z.number().nullable(),
  value_at_bid_usdc: Decimal.nullable(),
  value_at_mid_usdc: Decimal.nullable(),
  unrealized_at_bid_usdc: Decimal.nullable(),
  unrealized_at_mid_usdc: Decimal.nullable(),
  realized_usdc: Decimal,
})
export type PositionJson = z.infer<typeof PositionJson>

export const MarketPnlJson = z.object({
  market: z.string(),
  cost_usdc: Decimal.nullable(),
  value_at_bid_usdc: Decimal.nullable(),
  value_at_mid_usdc: Decimal.nullable(),
  unrealized_at_bid_usdc: Decimal.nullable(),
  unrealized_at_mid_usdc: Decimal.nullable(),
  realized_usdc: Decimal.nullable(),
})
export type MarketPnlJson = z.infer<typeof MarketPnlJson>

/** `GET /api/positions` (also the `positions` field of the socket's account message). */
export const PositionsAnswer = z.object({
  positions: z.array(PositionJson),
  markets: z.array(MarketPnlJson),
  cash_usdc: Decimal,
  realized_usdc: Decimal,
  fees_usdc: Decimal,
  equity_at_bid_usdc: Decimal.nullable(),
})
export type PositionsAnswer = z.infer<typeof PositionsAnswer>

export const RestrictionJson = z.object({
  mode: z.enum(['reducing', 'halted']),
  code: z.string(),
  cause: z.string(),
  since_ms: Ms,
  until_ms: Ms.nullable(),
  manual_resume_only: z.boolean(),
  message: z.string(),
})
export type RestrictionJson = z.infer<typeof RestrictionJson>

export const TradingStatusJson = z.object({
  scope: z.string().describe('"global" or a market condition id'),
  mode: z.enum(['active', 'reducing', 'halted']),
  since_ms: Ms.nullable(),
  restrictions: z.array(RestrictionJson),
})
export type TradingStatusJson = z.infer<typeof TradingStatusJson>

/** `GET /api/risk` (also the `risk` field of the socket's account message). */
export const RiskAnswer = z.object({
  global: TradingStatusJson,
  markets: z.array(TradingStatusJson),
  day_realized_usdc: Decimal,
  consecutive_losses: z.number().int(),
  api_requests: z.number().int(),
  api_errors: z.number().int(),
  equity_usdc: Decimal,
  equity_high_usdc: Decimal,
  limits: z.object({
    max_position_usdc: Decimal,
    max_order_usdc: Decimal,
    max_daily_loss_usdc: Decimal,
    max_consecutive_losses: z.number().int(),
    trade_cooldown_ms: z.number().int(),
    fat_finger_ticks: z.number().int(),
  }),
})
export type RiskAnswer = z.infer<typeof RiskAnswer>

/** `POST /api/risk/resume`. */
export const ResumeBody = z.object({
  scope: z
    .union([z.literal('global'), ConditionId])
    .optional()
    .describe('default "global"'),
})
export type ResumeBody = z.infer<typeof ResumeBody>

export const ResumeAnswer = z.object({
  scope: z.string(),
  lifted: z.array(z.string()).describe('codes of the restrictions lifted'),
})
export type ResumeAnswer = z.infer<typeof ResumeAnswer>

/** `POST /api/panic-close`: cancels every working order, then closes every position. */
export const PanicCloseAnswer = z.object({
  cancelled: z.array(OrderJson),
  closes: z.array(
    z.union([
      z.object({ ok: z.literal(true), order: OrderJson }),
      z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
    ]),
  ),
  positions: z.array(PositionJson),
})
export type PanicCloseAnswer = z.infer<typeof PanicCloseAnswer>

// ---- markets, trades, alerts -------------------------------------------------------------------

export const MarketStatus = z.enum(['live', 'upcoming', 'closed'])
export type MarketStatus = z.infer<typeof MarketStatus>

export const BookHealth = z.enum(['live', 'stale', 'resyncing', 'disconnected'])
export type BookHealth = z.infer<typeof BookHealth>

export const MarketJson = z.object({
  condition_id: z.string(),
  slug: z.string(),
  question: z.string(),
  sport: z.string().nullable(),
  status: MarketStatus,
  game_start_time: z.string().nullable().describe('ISO 8601'),
  tick_size: Decimal,
  min_size: Decimal,
  seconds_delay: z.number().int().min(0).describe('the venue in-play matching delay'),
  tokens: z.array(z.object({ token_id: TokenId, outcome: z.string() })),
  best_bid: Decimal.nullable().describe('of the first token'),
  best_ask: Decimal.nullable(),
  spread: Decimal.nullable(),
  liquidity_usd: Decimal.describe('notional of the top 5 levels, both sides, first token'),
  health: BookHealth.describe('worst health among the market tokens'),
})
export type MarketJson = z.infer<typeof MarketJson>

/** `GET /api/markets?q=&sport=&status=`. */
export const MarketsQuery = z.object({
  q: z.string().max(200).optional().describe('words matched in the question, slug or outcomes'),
  sport: z.string().max(40).optional(),
  status: MarketStatus.optional(),
})
export type MarketsQuery = z.infer<typeof MarketsQuery>

export const MarketsAnswer = z.object({ markets: z.array(MarketJson) })
export type MarketsAnswer = z.infer<typeof MarketsAnswer>

/** `GET /api/trades?token_id=&limit=`: recent venue trades, newest first. */
export const TradesQuery = z.object({
  token_id: TokenId,
  limit: z.coerce.number().int().min(1).max(500).optional().describe('default 100'),
})
export type TradesQuery = z.infer<typeof TradesQuery>

export const TradeJson = z.object({
  ts: Ms,
  price: Decimal,
  size: Decimal,
  side: z.enum(['buy', 'sell']).describe("the taker's side"),
})
export type TradeJson = z.infer<typeof TradeJson>

export const TradesAnswer = z.object({ trades: z.array(TradeJson) })
export type TradesAnswer = z.infer<typeof TradesAnswer>

export const AlertJson = z.object({
  id: z.string(),
  ts: Ms,
  severity: z.enum(['info', 'warning', 'critical']),
  code: z.string(),
  message: z.string(),
  market: z.string().nullable(),
})
export type AlertJson = z.infer<typeof AlertJson>

/** `GET /api/alerts`: recent alerts, newest first. */
export const AlertsAnswer = z.object({ alerts: z.array(AlertJson) })
export type AlertsAnswer = z.infer<typeof AlertsAnswer>

/** `GET /api/config/ui`: what the page needs to know about the daemon. */
export const UiConfigAnswer = z.object({
  venue: z.string().describe('paper, sim or polymarket'),
  feed: z.string().describe('sim, polymarket or replay'),
  live: z.boolean().describe('true when orders reach the real venue'),
  no_chase_ms: z.number().int().min(0).describe('pause after a logged game event; 0 = off'),
})
export type UiConfigAnswer = z.infer<typeof UiConfigAnswer>

// ---- game events -------------------------------------------------------------------------------

/** `POST /api/events` (validated by the daemon; see docs/GAME_EVENTS.md). */
export const GameEventBody = z.object({
  ts_ms: Ms,
  type: z.string(),
  market: ConditionId.optional(),
  asset_id: TokenId.optional(),
  team: z.string().nullable().optional(),
  player: z.string().nullable().optional(),
  score: z.string().nullable().optional().describe('e.g. "7-5"'),
  map: z.union([z.number().int(), z.string()]).nullable().optional(),
  note: z.string().nullable().optional(),
  ts_video_ms: Ms.nullable().optional(),
  source: z.string().optional(),
})
export type GameEventBody = z.infer<typeof GameEventBody>

export const GameEventJson = z.object({
  ts_ms: Ms,
  type: z.string(),
  market: z.string().nullable(),
  asset_id: z.string().nullable(),
  team: z.string().nullable(),
  player: z.string().nullable(),
  score: z.string().nullable(),
  map: z.number().int().nullable(),
  note: z.string().nullable(),
  ts_video_ms: Ms.nullable(),
  source: z.string(),
})
export type GameEventJson = z.infer<typeof GameEventJson>

export const GameEventCreated = z.object({ id: z.number().int(), event: GameEventJson })
export type GameEventCreated = z.infer<typeof GameEventCreated>

export const GameEventsAnswer = z.object({
  events: z.array(GameEventJson.extend({ id: z.number().int() })),
})
export type GameEventsAnswer = z.infer<typeof GameEventsAnswer>
