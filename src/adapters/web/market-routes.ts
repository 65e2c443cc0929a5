/**
 * What the page reads besides the account: the markets (`GET /api/markets`, `/api/markets/:id`),
 * the recent tape (`GET /api/trades`), recent alerts (`GET /api/alerts`) and the daemon's
 * settings the page needs (`GET /api/config/ui`). Answers follow src/contracts/api.ts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { z } from 'zod'
import {
  MarketsQuery,
  TradesQuery,
  type AlertJson,
  type BookHealth,
  type MarketJson,
  type MarketStatus,
  type UiConfigAnswer,
} from '../../contracts/api.js'
import type { BookView } from '../../domain/book/order-book.js'
import {
  formatPrice,
  formatSize,
  formatUsdc,
  notional,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import type { AlertSource } from './live-hub.js'
import type { MarketDirectory, MarketEntry } from './market-directory.js'
import type { TradeTape } from './trade-tape.js'

export type MarketRoutesDeps = {
  readonly directory: MarketDirectory
  book(tokenId: string): BookView | undefined
  healthOf(tokenId: string): BookHealth
  /** Wall clock, epoch ms. */
  now(): number
  readonly tape: TradeTape
  alerts(): AlertSource | null
  ui(): UiConfigAnswer
}

const DEFAULT_TICK = 100
const DEFAULT_MIN_SIZE = 5_000_000
const LIQUIDITY_LEVELS = 5
const DEFAULT_TRADES = 100
const DEFAULT_ALERTS = 100
const HEALTH_RANK: Record<BookHealth, number> = { live: 0, stale: 1, resyncing: 2, disconnected: 3 }
const STATUS_RANK: Record<MarketStatus, number> = { live: 0, upcoming: 1, closed: 2 }

/** The problems of a failed query parse, one line each, naming the parameter. */
export function queryProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length === 0 ? 'query' : issue.path.join('.')
    return `${where}: ${issue.message}`
  })
}

function badQuery(reply: FastifyReply, errors: string[]): FastifyReply {
  return reply.code(400).send({ error: 'bad query', errors })
}

export function registerMarketRoutes(app: FastifyInstance, deps: MarketRoutesDeps): void {
  app.get('/api/markets', (request, reply) => {
    const parsed = MarketsQuery.safeParse(single(request.query))
    if (!parsed.success) return badQuery(reply, queryProblems(parsed.error))
    const { q, sport, status } = parsed.data
    const words = (q ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '')
    const now = deps.now()
    const markets = deps.directory
      .list()
      .filter((m) => sport === undefined || (m.sport ?? '') === sport.toLowerCase())
      .filter((m) => words.length === 0 || matches(m, words))
      .map((m) => marketJson(m, deps, now))
      .filter((m) => status === undefined || m.status === status)
      .sort(
        (a, b) =>
          STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
          (a.game_start_time ?? '').localeCompare(b.game_start_time ?? '') ||
          a.question.localeCompare(b.question),
      )
    return reply.send({ markets })
  })

  app.get('/api/markets/:id', (request, reply) => {
    const id = (request.params as { id: string }).id
    const market = deps.directory.find(id)
    if (market === undefined) {
      return reply.code(404).send({
        error: `no market with condition id or slug "${id.slice(0, 100)}"; GET /api/markets lists them`,
      })
    }
    return reply.send(marketJson(market, deps, deps.now()))
  })

  app.get('/api/trades', (request, reply) => {
    const parsed = TradesQuery.safeParse(single(request.query))
    if (!parsed.success) return badQuery(reply, queryProblems(parsed.error))
    const trades = deps.tape.recent(parsed.data.token_id, parsed.data.limit ?? DEFAULT_TRADES)
    return reply.send({
      trades: trades.map((t) => ({
        ts: t.ts,
        price: formatPrice(t.price as PriceTicks),
        size: formatSize(t.size as ShareMicros),
        side: t.side,
      })),
    })
  })

  app.get('/api/alerts', (_request, reply) => {
    const source = deps.alerts()
    const alerts: AlertJson[] = source === null ? [] : [...source.recent(DEFAULT_ALERTS)]
    alerts.sort((a, b) => b.ts - a.ts)
    return reply.send({
      alerts: alerts.map((a) => ({
        id: a.id,
        ts: a.ts,
        severity: a.severity,
        code: a.code,
        message: a.message,
        market: a.market,
      })),
    })
  })

  app.get('/api/config/ui', (_request, reply) => reply.send(deps.ui()))
}

/** A repeated query parameter is an error the schema reports (an array is not a string). */
function single(query: unknown): Record<string, unknown> {
  return typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {}
}

function matches(m: MarketEntry, words: readonly string[]): boolean {
  const text = [m.question, m.slug, m.eventTitle ?? '', ...m.tokens.map((t) => t.outcome)]
    .join(' ')
    .toLowerCase()
  return words.every((w) => text.includes(w))
}

export function statusOf(m: MarketEntry, now: number): MarketStatus {
  if (m.closed || m.eventEnded === true) return 'closed'
  if (m.eventLive === true || (m.gameStartTime !== null && m.gameStartTime <= now)) return 'live'
  return 'upcoming'
}

export function marketJson(
  m: MarketEntry,
  deps: Pick<MarketRoutesDeps, 'book' | 'healthOf'>,
  now: number,
): MarketJson {
  const first = m.tokens[0]
  const book = first === undefined ? undefined : deps.book(first.tokenId)
  const bid = book?.bestBid() ?? null
  const ask = book?.bestAsk() ?? null
  let health: BookHealth = 'live'
  for (const t of m.tokens) {
    const h = deps.healthOf(t.tokenId)
    if (HEALTH_RANK[h] > HEALTH_RANK[health]) health = h
  }
  const delay = m.secondsDelay
  return {
    condition_id: m.conditionId,
    slug: m.slug,
    question: m.question,
    sport: m.sport,
    status: statusOf(m, now),
    game_start_time: m.gameStartTime === null ? null : new Date(m.gameStartTime).toISOString(),
    tick_size: formatPrice((m.tickSize ?? DEFAULT_TICK) as PriceTicks),
    min_size: formatSize((m.minOrderSize ?? DEFAULT_MIN_SIZE) as ShareMicros),
    seconds_delay: delay !== null && Number.isInteger(delay) && delay > 0 ? delay : 0,
    tokens: m.tokens.map((t) => ({ token_id: t.tokenId, outcome: t.outcome })),
    best_bid: bid === null ? null : formatPrice(bid),
    best_ask: ask === null ? null : formatPrice(ask),
    spread:
      bid !== null && ask !== null && ask >= bid ? formatPrice((ask - bid) as PriceTicks) : null,
    liquidity_usd: formatUsdc(book === undefined ? (0 as UsdcMicros) : liquidity(book)),
    health,
  }
}

/** Notional of the top levels of both sides, rounded down. */
function liquidity(book: BookView): UsdcMicros {
  let total = 0
  for (const side of ['bid', 'ask'] as const) {
    let n = 0
    book.forEachLevel(side, (price, size) => {
      total += notional(price, size, 'down')
      return ++n < LIQUIDITY_LEVELS
    })
  }
  return total as UsdcMicros
}
