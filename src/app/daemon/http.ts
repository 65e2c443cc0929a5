/**
 * The daemon's HTTP surface (fastify), built without listening: `/metrics` (Prometheus text),
 * `/api/health`, game events (`POST /api/events`, `GET /api/events`, `DELETE /api/events/:id`), when an order service
 * is given the trading routes (orders-routes.ts), and when a live hub is given the web
 * terminal's surface: the live socket `/ws`, markets, tape, alerts, the page itself and the API
 * docs at `/docs` (docs/WEB_API.md). Access control (token, Origin, rate limits) is in
 * src/adapters/web/access.ts.
 *
 * JSON bodies only, at most {@link BODY_LIMIT_BYTES}; every error answer is
 * `{"error": "...", "errors"?: [...]}`, except trading denials (422 `{"code", "message"}`).
 */
import websocket from '@fastify/websocket'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import type { GameEventMessage } from '../../contracts/live.js'
import type { Logger } from '../../adapters/log.js'
import type { StoredGameEvent } from '../../adapters/storage/records.js'
import { registerAccess, type AccessOptions } from '../../adapters/web/access.js'
import type { LiveHub } from '../../adapters/web/live-hub.js'
import { MAX_CLIENT_FRAME_BYTES, registerLiveSocket } from '../../adapters/web/live-socket.js'
import { registerMarketRoutes, type MarketRoutesDeps } from '../../adapters/web/market-routes.js'
import { registerDocs } from '../../adapters/web/openapi.js'
import { registerPlaybackRoutes } from '../../adapters/web/playback-routes.js'
import { registerPlaybackSocket } from '../../adapters/web/playback-socket.js'
import type { DashboardDeps } from '../../adapters/web/playback-types.js'
import { registerWebApp } from '../../adapters/web/static-app.js'
import type { EpochMs } from '../../domain/units.js'
import type { GameEvent, GameEventValidation } from '../../domain/game-events.js'
import type { OrderService } from '../../engine/execution/order-service.js'
import { registerOrderRoutes } from './orders-routes.js'
import type { DaemonStore } from './ports.js'

export const BODY_LIMIT_BYTES = 64 * 1024
const TOKEN_ID = /^\d{1,100}$/
const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/

export type HttpDeps = {
  readonly metrics: { readonly contentType: string; text(): Promise<string> }
  health(): Record<string, unknown>
  readonly validateGameEvent: (input: unknown) => GameEventValidation
  /** Without `deleteGameEvent`, `DELETE /api/events/:id` answers 501. */
  readonly store: Pick<DaemonStore, 'insertGameEvents' | 'listGameEvents'> &
    Partial<Pick<DaemonStore, 'deleteGameEvent'>>
  readonly log: Logger
  /** The order service once trading is ready (null before); absent = no trading routes. */
  readonly orders?: () => OrderService | null
  /** More settings of the trading routes (stops, clock). */
  readonly orderRoutes?: Parameters<typeof registerOrderRoutes>[2]
  /** Access token and rate limits; default no token (the daemon then serves loopback only). */
  readonly access?: AccessOptions
  /** The web terminal's live side; absent = no `/ws`, markets, tape or alert routes. */
  readonly live?: {
    readonly hub: LiveHub
    readonly markets: Omit<MarketRoutesDeps, 'tape'>
  }
  /** The match dashboard's captures, playback socket and offsets; absent = none of them. */
  readonly dashboard?: DashboardDeps
  /** The built web app (`web/dist`); absent = no page routes. */
  readonly webRoot?: string
  /** The API version shown in `/docs`; default 0.0.0. */
  readonly version?: string
}

/** Headers never logged. */
const REDACT = [
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
]

export function buildHttpServer(deps: HttpDeps): FastifyInstance {
  const log = deps.log.child({ component: 'http' }, { redact: REDACT })
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES })
  // JSON only: fastify's built-in text/plain parser would hand strings to the routes.
  app.removeContentTypeParser('text/plain')
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 500) {
      log.error({ err: error.message, method: request.method, url: request.url }, 'request failed')
      return reply.code(status).send({ error: 'internal error; see the daemon log' })
    }
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `body larger than ${BODY_LIMIT_BYTES} bytes`
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'send JSON with content-type: application/json'
          : error.message
    return reply.code(status).send({ error: message })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  )

  registerAccess(app, deps.access ?? { token: null })
  void app.register(websocket, { options: { maxPayload: MAX_CLIENT_FRAME_BYTES } })
  registerDocs(app, deps.version ?? '0.0.0')
  // Routes go in a child context registered after the plugins, so the docs see every route.
  void app.register((routes, _options, done) => {
    registerRoutes(routes, deps, log)
    done()
  })
  return app
}

function registerRoutes(app: FastifyInstance, deps: HttpDeps, log: Logger): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.text()
    return reply.header('content-type', deps.metrics.contentType).send(text)
  })

  app.get('/api/health', () => deps.health())

  if (deps.orders !== undefined) registerOrderRoutes(app, deps.orders, deps.orderRoutes)
  const live = deps.live
  if (live !== undefined) {
    registerLiveSocket(app, live.hub, log)
    registerMarketRoutes(app, { ...live.markets, tape: live.hub.tape })
  }
  if (deps.dashboard !== undefined) {
    registerPlaybackRoutes(app, deps.dashboard)
    registerPlaybackSocket(app, deps.dashboard, log)
  }
  if (deps.webRoot !== undefined) registerWebApp(app, deps.webRoot)

  app.post('/api/events', async (request, reply) => {
    if (request.body === undefined || request.body === null) {
      return reply.code(400).send({ error: 'send one game event as a JSON object', errors: [] })
    }
    const result = deps.validateGameEvent(request.body)
    if (!result.ok) {
      return reply.code(400).send({ error: 'invalid game event', errors: result.errors })
    }
    const [id] = await deps.store.insertGameEvents([result.event])
    log.info({ id, type: result.event.type, market: result.event.market }, 'game event stored')
    if (live !== undefined && id !== undefined) {
      live.hub.gameEvent(
        gameEventMessage(id, result.event, (token) => live.markets.directory.marketOf(token)),
      )
    }
    return reply.code(201).send({ id, event: eventJson(result.event) })
  })

  app.get('/api/events', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const problems: string[] = []
    const market = textParam(query, 'market', problems)
    const asset = textParam(query, 'asset', problems)
    const from = msParam(query, 'from', problems)
    const to = msParam(query, 'to', problems)
    if (market !== undefined && !CONDITION_ID.test(market)) {
      problems.push(`market "${market}" is not a condition id (0x + 64 hex digits)`)
    }
    if (asset !== undefined && !TOKEN_ID.test(asset)) {
      problems.push(`asset "${asset}" is not a CLOB token id (decimal digits)`)
    }
    if (market === undefined && asset === undefined && problems.length === 0) {
      problems.push('give market=<condition id> or asset=<token id>')
    }
    if (problems.length > 0) {
      return reply.code(400).send({ error: 'bad query', errors: problems })
    }
    const events = await deps.store.listGameEvents({ market, assetId: asset, from, to })
    return { events: events.map((e) => ({ id: e.id, ...eventJson(e) })) }
  })

  // Undo of a logged event. Nothing is broadcast: pages that showed it drop it on their next
  // load (the live socket has no removal message).
  app.delete('/api/events/:id', async (request, reply) => {
    const text = (request.params as { id: string }).id
    if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
      return reply.code(400).send({
        error: `event id "${text}" is not a positive whole number; use the id POST /api/events answered`,
      })
    }
    if (deps.store.deleteGameEvent === undefined) {
      return reply.code(501).send({ error: 'this daemon cannot delete game events' })
    }
    const id = Number(text)
    if (!(await deps.store.deleteGameEvent(id))) {
      return reply.code(404).send({ error: `no game event with id ${id} (already deleted?)` })
    }
    log.info({ id }, 'game event deleted')
    return reply.code(204).send()
  })
}

function textParam(
  query: Record<string, unknown>,
  name: string,
  problems: string[],
): string | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') {
    problems.push(`${name} given more than once`)
    return undefined
  }
  return value
}

function msParam(
  query: Record<string, unknown>,
  name: string,
  problems: string[],
): EpochMs | undefined {
  const text = textParam(query, name, problems)
  if (text === undefined) return undefined
  if (!/^\d{1,16}$/.test(text)) {
    problems.push(`${name} "${text}" is not epoch milliseconds`)
    return undefined
  }
  return Number(text) as EpochMs
}

/** The API's snake_case shape, as the POST body takes it. */
function eventJson(event: GameEvent | StoredGameEvent): Record<string, unknown> {
  return {
    ts_ms: event.ts,
    type: event.type,
    market: event.market,
    asset_id: event.assetId,
    team: event.team,
    player: event.player,
    score: event.score,
    map: event.mapNumber,
    note: event.note,
    ts_video_ms: event.tsVideo,
    source: event.source,
  }
}

/** A stored game event as the live socket's message. */
function gameEventMessage(
  id: number,
  event: GameEvent,
  marketOf: (tokenId: string) => string,
): GameEventMessage {
  return {
    type: 'game_event',
    id,
    market: event.market ?? (event.assetId === null ? '' : marketOf(event.assetId)),
    ts: event.ts,
    eventType: event.type,
    team: event.team,
    score: event.score,
    map: event.mapNumber === null ? null : String(event.mapNumber),
  }
}
