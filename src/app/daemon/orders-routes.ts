/**
 * The trading API, JSON over HTTP on the daemon. Bodies are validated here (400 naming the
 * field); risk denials and venue refusals known before sending answer 422 `{"code","message"}`;
 * everything else goes to the {@link OrderService}, or, for an order carrying stop offsets, to
 * the {@link StopManager} (stops-routes.ts has the stop routes). Sizes are shares and prices
 * venue decimals, as strings or numbers; answers use decimal strings.
 */
import type { FastifyInstance } from 'fastify'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { StopOffsets } from '../../domain/orders/stops.js'
import {
  formatPrice,
  formatSize,
  formatUsdc,
  tryParsePrice,
  tryParseSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import type {
  OrderRequest,
  OrderService,
  PortfolioView,
  SubmitResult,
} from '../../engine/execution/order-service.js'
import type { OrderRecord } from '../../engine/execution/order-store.js'
import type { StopManager } from '../../engine/execution/stop-manager.js'
import type { TimeInForce, VenueFill } from '../../engine/execution/venue.js'
import type { Restriction, TradingStatus } from '../../domain/risk/trading-state.js'
import {
  parseStopOffsets,
  registerStopRoutes,
  STOP_FIELDS,
  stopJson,
  STOPS_UNAVAILABLE,
} from './stops-routes.js'

const TOKEN_ID = /^\d{1,100}$/
const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/
const TRADING_ROUTES = /^\/api\/(orders|fills|positions|risk|cancel-all|panic-close|stops)(\/|\?|$)/
const ORDER_KEYS = new Set([
  'token_id',
  'side',
  'type',
  'size',
  'price',
  'post_only',
  'client_order_id',
  'time_in_force',
  'expires_at',
  ...STOP_FIELDS,
])

/**
 * How far ahead a GTD order's `expires_at` must be. Polymarket refuses an `expiration` less
 * than 3 minutes away and ends the order 60 s before it; `expires_at` is when the order stops
 * working (the venue is sent `expires_at + 60 s`), so it must be at least 2 minutes away.
 */
export const GTD_MIN_LEAD_MS = 120_000

export type ParsedBody =
  { ok: true; request: OrderRequest; offsets: StopOffsets | null } | { ok: false; errors: string[] }

/**
 * Parses an order body; every problem is named with its field. `now` (epoch ms, default the
 * wall clock) is the reference for a GTD order's `expires_at`.
 */
export function parseOrderBody(body: unknown, options: { readonly now?: number } = {}): ParsedBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: ['body: send one order as a JSON object'] }
  }
  const b = body as Record<string, unknown>
  const errors: string[] = []
  for (const key of Object.keys(b)) {
    if (!ORDER_KEYS.has(key))
      errors.push(`${key}: unknown field; known: ${[...ORDER_KEYS].join(', ')}`)
  }
  const tokenId = b.token_id
  if (typeof tokenId !== 'string' || !TOKEN_ID.test(tokenId)) {
    errors.push('token_id: required, a CLOB token id as a string of decimal digits')
  }
  const side = b.side
  if (side !== 'buy' && side !== 'sell') errors.push('side: required, "buy" or "sell"')
  const type = b.type
  if (type !== 'market' && type !== 'limit') errors.push('type: required, "market" or "limit"')
  const size = decimal(b.size, tryParseSize)
  if (b.size === undefined) errors.push('size: required, in shares (e.g. "10" or 10.5)')
  else if (size === null || size <= 0)
    errors.push('size: must be a positive number of shares with at most 6 decimals')
  let price: number | null = null
  if (b.price !== undefined && b.price !== null) {
    price = decimal(b.price, tryParsePrice)
    if (price === null || price <= 0 || price >= 10_000) {
      errors.push('price: must be a price strictly between 0 and 1 with at most 4 decimals')
    }
  } else if (type === 'limit') {
    errors.push('price: required for a limit order')
  }
  const postOnly = b.post_only
  if (postOnly !== undefined && typeof postOnly !== 'boolean') {
    errors.push('post_only: must be true or false')
  }
  if (postOnly === true && type === 'market')
    errors.push('post_only: only limit orders can be post-only')
  const clientOrderId = b.client_order_id
  if (
    clientOrderId !== undefined &&
    (typeof clientOrderId !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(clientOrderId))
  ) {
    errors.push('client_order_id: 1 to 64 letters, digits, or . _ : -')
  }
  const tif = b.time_in_force
  let timeInForce: TimeInForce | null = null
  if (tif !== undefined) {
    if (type === 'market' && (tif === 'FAK' || tif === 'FOK')) timeInForce = tif
    else if (type === 'limit' && (tif === 'GTC' || tif === 'GTD')) timeInForce = tif
    else {
      errors.push(
        'time_in_force: "FAK" or "FOK" for market orders, "GTC" or "GTD" for limit orders',
      )
    }
  }
  const expiresAt = parseExpiry(b.expires_at, tif, options.now ?? Date.now(), errors)
  const offsets = parseStopOffsets(b, side, errors)
  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    request: {
      tokenId: tokenId as TokenId,
      side: side as 'buy' | 'sell',
      type: type as 'market' | 'limit',
      size: size as ShareMicros,
      price: price as PriceTicks | null,
      postOnly: postOnly === true,
      timeInForce,
      clientOrderId: (clientOrderId as string | undefined) ?? null,
      expiresAt,
    },
    offsets,
  }
}

/** `expires_at`: epoch ms, with `time_in_force: "GTD"` only, at least {@link GTD_MIN_LEAD_MS} ahead. */
function parseExpiry(
  value: unknown,
  timeInForce: unknown,
  now: number,
  errors: string[],
): EpochMs | null {
  if (value === undefined || value === null) {
    if (timeInForce === 'GTD') {
      errors.push('expires_at: required with time_in_force "GTD": when the order stops, epoch ms')
    }
    return null
  }
  if (timeInForce !== 'GTD') {
    errors.push('expires_at: only for time_in_force "GTD" (a limit order good till a time)')
    return null
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    errors.push('expires_at: epoch milliseconds as a whole number (e.g. 1800000000000)')
    return null
  }
  if (value < now + GTD_MIN_LEAD_MS) {
    errors.push(
      `expires_at: must be at least ${GTD_MIN_LEAD_MS / 1000} s from now (${now + GTD_MIN_LEAD_MS} or later): ` +
        'the venue refuses GTD expiries under 3 minutes away and ends the order 60 s early',
    )
    return null
  }
  return value as EpochMs
}

function decimal(value: unknown, parse: (text: string) => number): number | null {
  let text: string
  if (typeof value === 'string') text = value.trim()
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
  else return null
  const parsed = parse(text)
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : null
}

export type OrderRouteOptions = {
  /** The stop manager once trading is ready (null before); absent = orders with stops get 503. */
  readonly stops?: () => StopManager | null
  /** Epoch ms for checking `expires_at`; default the wall clock. */
  readonly now?: () => number
}

/**
 * Registers the trading routes. `serviceOf` gives the order service once the daemon has its
 * markets (the server listens before discovery); until then every route answers 503.
 */
export function registerOrderRoutes(
  app: FastifyInstance,
  serviceOf: () => OrderService | null,
  options: OrderRouteOptions = {},
): void {
  const stopsOf = options.stops ?? (() => null)
  const now = options.now ?? Date.now
  app.addHook('preHandler', async (request, reply) => {
    if (!TRADING_ROUTES.test(request.url)) return
    if (serviceOf() === null) {
      await reply.code(503).send({ error: 'trading is not ready yet: markets are still loading' })
    }
  })
  const need = (): OrderService => serviceOf()!
  app.post('/api/orders', async (request, reply) => {
    const parsed = parseOrderBody(request.body, { now: now() })
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid order', errors: parsed.errors })
    if (parsed.offsets === null)
      return sendSubmit(reply, await need().submit(parsed.request, 'api'))
    const stops = stopsOf()
    if (stops === null) return reply.code(503).send({ error: STOPS_UNAVAILABLE })
    const { result, stop } = await stops.submitWithStops(parsed.request, 'api', parsed.offsets)
    return sendSubmit(reply, result, stop === null ? {} : { stop: stopJson(stop) })
  })

  registerStopRoutes(app, stopsOf)

  app.post('/api/orders/preview', (request, reply) => {
    const parsed = parseOrderBody(request.body, { now: now() })
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid order', errors: parsed.errors })
    const p = need().preview(parsed.request)
    if (!p.ok) return reply.code(422).send({ code: p.code, message: p.message })
    return reply.send({
      price: formatPrice(p.price),
      fillable: formatSize(p.fillable),
      unfilled: formatSize(p.unfilled),
      avg_price: p.avgPrice === null ? null : round(p.avgPrice / 10_000, 6),
      worst_price: p.worstPrice === null ? null : formatPrice(p.worstPrice),
      touch: p.touch === null ? null : formatPrice(p.touch),
      mid: p.mid === null ? null : round(p.mid / 10_000, 6),
      notional_usdc: formatUsdc(p.notional),
      fees_usdc: formatUsdc(p.fees),
      fee_rate_bps: p.feeRateBps,
      slippage_ticks: p.slippageTicks === null ? null : round(p.slippageTicks, 4),
      slippage_usdc: p.slippageUsdc === null ? null : round(p.slippageUsdc / 1e6, 6),
      levels: p.levels.map((l) => ({ price: formatPrice(l.price), size: formatSize(l.size) })),
    })
  })

  app.delete('/api/orders/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id
    const order = await need().cancel(id)
    if (order === null) return reply.code(404).send({ error: `no order with id ${id}` })
    return reply.send({ order: orderJson(order) })
  })

  app.post('/api/cancel-all', async (_request, reply) => {
    const orders = await need().cancelAll()
    return reply.send({ orders: orders.map(orderJson) })
  })

  app.post('/api/panic-close', async (_request, reply) => {
    const result = await need().panicClose()
    return reply.send({
      cancelled: result.cancelled.map(orderJson),
      closes: result.closes.map((c) =>
        c.ok
          ? { ok: true, order: orderJson(c.order) }
          : { ok: false, code: c.code, message: c.message },
      ),
      positions: portfolioJson(need().portfolio()).positions,
    })
  })

  app.get('/api/orders', async () => ({ orders: (await need().listOrders()).map(orderJson) }))
  app.get('/api/fills', async () => ({ fills: (await need().listFills()).map(fillJson) }))
  app.get('/api/positions', () => portfolioJson(need().portfolio()))

  app.get('/api/risk', () => riskJson(need()))

  app.post('/api/risk/resume', async (request, reply) => {
    const body = (request.body ?? {}) as unknown
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.code(400).send({ error: 'invalid body', errors: ['body: a JSON object'] })
    }
    const scope = (body as Record<string, unknown>).scope ?? 'global'
    if (scope !== 'global' && (typeof scope !== 'string' || !CONDITION_ID.test(scope))) {
      return reply.code(400).send({
        error: 'invalid body',
        errors: ['scope: "global" or a market condition id (0x + 64 hex digits)'],
      })
    }
    const lifted = await need().resume(scope as 'global' | MarketId)
    return reply.send({ scope, lifted })
  })
}

function sendSubmit(
  reply: { code(n: number): { send(body: unknown): unknown } },
  result: SubmitResult,
  extra: Record<string, unknown> = {},
): unknown {
  if (!result.ok) return reply.code(422).send({ code: result.code, message: result.message })
  return reply.code(result.duplicate ? 200 : 201).send({ order: orderJson(result.order), ...extra })
}

function round(value: number, places: number): number {
  const scale = 10 ** places
  return Math.round(value * scale) / scale
}

export function orderJson(o: OrderRecord): Record<string, unknown> {
  return {
    id: o.clientOrderId,
    client_order_id: o.clientOrderId,
    venue_order_id: o.venueOrderId,
    market: o.market,
    token_id: o.tokenId,
    side: o.side,
    type: o.type,
    time_in_force: o.timeInForce,
    post_only: o.postOnly,
    price: formatPrice(o.price),
    size: formatSize(o.size),
    filled: formatSize(o.filled),
    status: o.status,
    origin: o.origin,
    reason_code: o.reasonCode,
    reason_message: o.reasonMessage,
    created_ms: o.createdMs,
    updated_ms: o.updatedMs,
  }
}

function fillJson(f: VenueFill): Record<string, unknown> {
  return {
    id: f.fillId,
    client_order_id: f.clientOrderId,
    market: f.market,
    token_id: f.tokenId,
    side: f.side,
    price: formatPrice(f.price),
    size: formatSize(f.size),
    fee_usdc: formatUsdc(f.fee),
    liquidity: f.liquidity,
    status: f.status,
    ts_ms: f.ts,
  }
}

function usd(micros: number | null): string | null {
  return micros === null ? null : formatUsdc(Math.round(micros) as UsdcMicros)
}

/** The `GET /api/positions` body. */
export function portfolioJson(p: PortfolioView): {
  positions: Record<string, unknown>[]
  [key: string]: unknown
} {
  return {
    positions: p.positions.map((l) => ({
      market: l.market,
      token_id: l.tokenId,
      size: formatSize(l.size),
      cost_usdc: formatUsdc(l.cost),
      avg_price: round(l.avgPrice / 10_000, 6),
      best_bid: l.bestBid === null ? null : formatPrice(l.bestBid),
      mid: l.mid === null ? null : round(l.mid / 10_000, 6),
      value_at_bid_usdc: usd(l.valueAtBid),
      value_at_mid_usdc: usd(l.valueAtMid),
      unrealized_at_bid_usdc: usd(l.unrealizedAtBid),
      unrealized_at_mid_usdc: usd(l.unrealizedAtMid),
      realized_usdc: formatUsdc(l.realized),
    })),
    markets: p.markets.map((m) => ({
      market: m.market,
      cost_usdc: usd(m.cost),
      value_at_bid_usdc: usd(m.valueAtBid),
      value_at_mid_usdc: usd(m.valueAtMid),
      unrealized_at_bid_usdc: usd(m.unrealizedAtBid),
      unrealized_at_mid_usdc: usd(m.unrealizedAtMid),
      realized_usdc: usd(m.realized),
    })),
    cash_usdc: formatUsdc(p.cash),
    realized_usdc: formatUsdc(p.realized),
    fees_usdc: formatUsdc(p.fees),
    equity_at_bid_usdc: usd(p.equityAtBid),
  }
}

function statusJson(s: TradingStatus): Record<string, unknown> {
  return {
    scope: s.scope,
    mode: s.mode,
    since_ms: s.since,
    restrictions: s.restrictions.map((r: Restriction) => ({
      mode: r.mode,
      code: r.code,
      cause: r.cause,
      since_ms: r.since,
      until_ms: r.until,
      manual_resume_only: r.manualResumeOnly,
      message: r.message,
    })),
  }
}

/** The `GET /api/risk` body. */
export function riskJson(service: OrderService): Record<string, unknown> {
  const status = service.riskStatus()
  return {
    global: statusJson(status.global),
    markets: status.markets.map(statusJson),
    day_realized_usdc: formatUsdc(status.summary.dayRealizedPnl),
    consecutive_losses: status.summary.consecutiveLosses,
    api_requests: status.summary.apiRequests,
    api_errors: status.summary.apiErrors,
    equity_usdc: formatUsdc(status.summary.equity),
    equity_high_usdc: formatUsdc(status.summary.equityHigh),
    limits: {
      max_position_usdc: formatUsdc(status.limits.maxPositionUsdc),
      max_order_usdc: formatUsdc(status.limits.maxOrderUsdc),
      max_daily_loss_usdc: formatUsdc(status.limits.maxDailyLossUsdc),
      max_consecutive_losses: status.limits.maxConsecutiveLosses,
      trade_cooldown_ms: status.limits.tradeCooldownMs,
      fat_finger_ticks: status.limits.fatFingerTicks,
    },
  }
}
