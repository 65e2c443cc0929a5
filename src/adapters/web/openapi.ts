/**
 * The OpenAPI document (`/docs/json`) and its browser (`/docs`, Swagger UI, served from the
 * package: no network needed). Schemas come from src/contracts/api.ts through
 * `z.toJSONSchema`; they are attached for the document only, so the routes keep their own
 * validation and error messages.
 */
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import * as api from '../../contracts/api.js'
import * as playback from '../../contracts/playback.js'

type Doc = {
  readonly summary: string
  readonly tags: readonly string[]
  readonly description?: string
  readonly body?: z.ZodType
  readonly querystring?: z.ZodType
  readonly params?: z.ZodType
  readonly response?: Readonly<Record<number, z.ZodType | string>>
}

const IdParam = z.object({ id: z.string() })
const NameParam = z.object({ name: z.string().describe('capture name (URL-encoded)') })
const MarketParam = z.object({ market: z.string().describe('condition id') })
const HealthAnswer = z.record(z.string(), z.unknown())
const Errors = {
  400: api.ErrorBody,
  401: api.ErrorBody,
  403: api.ErrorBody,
} as const
const Trading = { ...Errors, 422: api.Denial, 503: api.ErrorBody } as const
const Mutating = { ...Trading, 429: api.RateLimited } as const
const Capture = { 404: api.ErrorBody, 422: api.ErrorBody, ...Errors }

/** Route docs by `METHOD url` (fastify's url, `:param` style). */
const DOCS: Readonly<Record<string, Doc>> = {
  'GET /api/health': {
    summary: 'Daemon health: feed, books, store queue',
    tags: ['daemon'],
    response: { 200: HealthAnswer },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (text exposition format)',
    tags: ['daemon'],
    response: { 200: 'Prometheus text' },
  },
  'GET /ws': {
    summary: 'Live WebSocket (upgrade)',
    tags: ['live'],
    description:
      'Upgrade to a WebSocket. The server sends one JSON array of messages per flush (hello, ' +
      'health, account, book, trade, alert, signal, game_event, latency, pong); the page sends ' +
      '{"type":"subscribe","tokens":[...]} and {"type":"ping","t":n}. See docs/WEB_API.md and ' +
      'src/contracts/live.ts.',
    response: { 101: 'Switching Protocols', 401: api.ErrorBody, 403: api.ErrorBody },
  },
  'POST /api/orders': {
    summary: 'Submit an order (passes risk first)',
    tags: ['orders'],
    body: api.OrderBody,
    response: { 201: api.OrderAnswer, 200: api.OrderAnswer, ...Mutating },
  },
  'POST /api/orders/preview': {
    summary: 'What an order would do against the book now (nothing is sent)',
    tags: ['orders'],
    body: api.OrderBody,
    response: { 200: api.PreviewAnswer, ...Mutating },
  },
  'DELETE /api/orders/:id': {
    summary: 'Cancel one order by its client order id',
    tags: ['orders'],
    params: IdParam,
    response: { 200: api.OrderAnswer, 404: api.ErrorBody, ...Mutating },
  },
  'POST /api/cancel-all': {
    summary: 'Cancel every working order',
    tags: ['orders'],
    response: { 200: api.OrdersAnswer, ...Mutating },
  },
  'POST /api/panic-close': {
    summary: 'Cancel every working order, then close every position at market',
    tags: ['orders'],
    response: { 200: api.PanicCloseAnswer, ...Mutating },
  },
  'GET /api/orders': {
    summary: 'Recent orders, newest first',
    tags: ['orders'],
    response: { 200: api.OrdersAnswer, ...Trading },
  },
  'GET /api/fills': {
    summary: 'Fills',
    tags: ['orders'],
    response: { 200: api.FillsAnswer, ...Trading },
  },
  'GET /api/positions': {
    summary: 'Positions, PnL and cash (marked at the bid and at the mid)',
    tags: ['account'],
    response: { 200: api.PositionsAnswer, ...Trading },
  },
  'GET /api/risk': {
    summary: 'Trading state, restrictions in force, limits and usage',
    tags: ['account'],
    response: { 200: api.RiskAnswer, ...Trading },
  },
  'POST /api/risk/resume': {
    summary: 'A person lifts the restrictions of a scope (global or one market)',
    tags: ['account'],
    body: api.ResumeBody,
    response: { 200: api.ResumeAnswer, ...Mutating },
  },
  'GET /api/markets': {
    summary: 'Watched markets with top of book, liquidity and health',
    tags: ['markets'],
    querystring: api.MarketsQuery,
    response: { 200: api.MarketsAnswer, ...Errors },
  },
  'GET /api/markets/:id': {
    summary: 'One market by condition id or slug',
    tags: ['markets'],
    params: IdParam,
    response: { 200: api.MarketJson, 404: api.ErrorBody, ...Errors },
  },
  'GET /api/trades': {
    summary: 'Recent venue trades of a token (the tape), newest first',
    tags: ['markets'],
    querystring: api.TradesQuery,
    response: { 200: api.TradesAnswer, ...Errors },
  },
  'GET /api/alerts': {
    summary: 'Recent alerts, newest first',
    tags: ['account'],
    response: { 200: api.AlertsAnswer, ...Errors },
  },
  'GET /api/config/ui': {
    summary: 'What the page needs to know about the daemon',
    tags: ['daemon'],
    response: { 200: api.UiConfigAnswer, ...Errors },
  },
  'POST /api/events': {
    summary: 'Log a game event',
    tags: ['events'],
    body: api.GameEventBody,
    response: { 201: api.GameEventCreated, ...Errors, 429: api.RateLimited },
  },
  'GET /api/events': {
    summary: 'Game events of a market or token',
    tags: ['events'],
    querystring: z.object({
      market: z.string().optional().describe('condition id'),
      asset: z.string().optional().describe('token id'),
      from: z.string().optional().describe('epoch ms'),
      to: z.string().optional().describe('epoch ms'),
    }),
    response: { 200: api.GameEventsAnswer, ...Errors },
  },
  'GET /api/stops': {
    summary: 'Emulated stop-loss, trailing-stop and take-profit orders in force',
    tags: ['orders'],
    response: { 200: 'the stops (docs/TRADING.md)', ...Trading },
  },
  'DELETE /api/stops/:id': {
    summary: 'Remove an emulated stop',
    tags: ['orders'],
    params: IdParam,
    response: { 200: 'the removed stop', 404: api.ErrorBody, ...Mutating },
  },
  'GET /api/captures': {
    summary: 'Recorded captures the dashboard can play, newest first',
    tags: ['playback'],
    response: { 200: playback.CapturesAnswer, ...Errors },
  },
  'GET /api/captures/:name': {
    summary: 'One capture: span, tokens, markets, counts (indexes and scans it first)',
    tags: ['playback'],
    params: NameParam,
    response: { 200: playback.CaptureDetail, ...Capture },
  },
  'GET /api/captures/:name/signals': {
    summary: 'Signals recomputed from a capture by the daemon’s signal engine',
    tags: ['playback'],
    params: NameParam,
    querystring: playback.CaptureSignalsQuery,
    response: { 200: playback.CaptureSignalsAnswer, ...Capture },
  },
  'GET /api/captures/:name/events': {
    summary: 'Game events of a capture’s match (stored, and a CSV beside the capture)',
    tags: ['playback'],
    params: NameParam,
    response: { 200: playback.CaptureEventsAnswer, ...Capture },
  },
  'GET /api/captures/:name/series': {
    summary: 'Chart series of one token: best bid, best ask, mid per step, and trades',
    tags: ['playback'],
    params: NameParam,
    querystring: playback.SeriesQuery,
    response: { 200: playback.SeriesAnswer, ...Capture },
  },
  'GET /ws/playback': {
    summary: 'Playback WebSocket (upgrade): open, seek, play, pause a capture',
    tags: ['playback'],
    description:
      'Upgrade to a WebSocket. The page sends open, select, seek, play, pause and ping; the ' +
      'server answers JSON arrays of progress, opened, state, book, trade, clock, status, error ' +
      'and pong. See docs/DASHBOARD_API.md and src/contracts/playback.ts.',
    response: { 101: 'Switching Protocols', 401: api.ErrorBody, 403: api.ErrorBody },
  },
  'GET /api/matches/:market/offset': {
    summary: 'The stream offset of a match (market time − video time)',
    tags: ['playback'],
    params: MarketParam,
    response: {
      200: playback.MatchOffsetAnswer,
      404: api.ErrorBody,
      503: api.ErrorBody,
      ...Errors,
    },
  },
  'PUT /api/matches/:market/offset': {
    summary: 'Store the stream offset of a match',
    tags: ['playback'],
    params: MarketParam,
    body: playback.MatchOffsetBody,
    response: {
      200: playback.MatchOffsetAnswer,
      503: api.ErrorBody,
      ...Errors,
      429: api.RateLimited,
    },
  },
}

function json(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' })
}

function docSchema(doc: Doc): Record<string, unknown> {
  const out: Record<string, unknown> = { summary: doc.summary, tags: [...doc.tags] }
  if (doc.description !== undefined) out.description = doc.description
  if (doc.body !== undefined) out.body = json(doc.body, 'input')
  if (doc.querystring !== undefined) out.querystring = json(doc.querystring, 'input')
  if (doc.params !== undefined) out.params = json(doc.params, 'input')
  if (doc.response !== undefined) {
    const response: Record<string, unknown> = {}
    for (const [status, schema] of Object.entries(doc.response)) {
      response[status] =
        typeof schema === 'string'
          ? { description: schema, type: 'string' }
          : { description: `HTTP ${status}`, ...json(schema, 'output') }
    }
    out.response = response
  }
  return out
}

/** Registers `/docs` and `/docs/json`. Call before the routes are declared. */
export function registerDocs(app: FastifyInstance, version: string): void {
  const cache = new Map<string, Record<string, unknown>>()
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'tiltmeter daemon',
        version,
        description:
          'REST API of the tiltmeter daemon. Bodies and answers use decimal strings for prices, ' +
          'sizes and money; errors are {"error","errors"?}; trading denials are 422 ' +
          '{"code","message"}. See docs/WEB_API.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'tiltmeter_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: ({ schema, url, route }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      const key = `${methods.filter((m) => m !== 'HEAD').join(',')} ${url}`
      const doc = DOCS[key]
      if (doc === undefined) {
        // Pages and static files are not API; other API routes are listed without schemas.
        const hide = !url.startsWith('/api/')
        return { schema: { ...schema, hide, tags: ['api'] }, url }
      }
      let built = cache.get(key)
      if (built === undefined) {
        built = docSchema(doc)
        cache.set(key, built)
      }
      return { schema: built, url }
    },
  })
  void app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
    staticCSP: true,
  })
}
