/**
 * The match dashboard's REST routes (docs/DASHBOARD_API.md, answers in contracts/playback.ts):
 * recorded captures with their signals, game events and chart series, and the stream offset
 * of a match. Playback itself runs over the socket `/ws/playback` (playback-socket.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import {
  CaptureSignalsQuery,
  MatchOffsetBody,
  SeriesQuery,
  type CaptureSignalsAnswer,
} from '../../contracts/playback.js'
import { queryProblems } from './market-routes.js'
import { PlaybackQueryError, type DashboardDeps } from './playback-types.js'

const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/

export function registerPlaybackRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  const captures = deps.captures

  app.get('/api/captures', async (_request, reply) => reply.send(await captures.list()))

  app.get('/api/captures/:name', async (request, reply) => {
    const { name } = request.params as { name: string }
    return answer(reply, async () => (await captures.open(name)).detail)
  })

  app.get('/api/captures/:name/signals', async (request, reply) => {
    const { name } = request.params as { name: string }
    const parsed = CaptureSignalsQuery.safeParse(single(request.query))
    if (!parsed.success) return badQuery(reply, queryProblems(parsed.error))
    const { from, to } = parsed.data
    if (from !== undefined && to !== undefined && from > to) {
      return badQuery(reply, [`from ${from} is after to ${to}; swap them`])
    }
    return answer(reply, async () => {
      const opened = await captures.open(name)
      const body: CaptureSignalsAnswer = { signals: opened.signals(parsed.data) }
      return body
    })
  })

  app.get('/api/captures/:name/events', async (request, reply) => {
    const { name } = request.params as { name: string }
    return answer(reply, () => captures.events(name))
  })

  app.get('/api/captures/:name/series', async (request, reply) => {
    const { name } = request.params as { name: string }
    const parsed = SeriesQuery.safeParse(single(request.query))
    if (!parsed.success) return badQuery(reply, queryProblems(parsed.error))
    return answer(reply, async () => (await captures.open(name)).series(parsed.data))
  })

  app.get('/api/matches/:market/offset', async (request, reply) => {
    const { market } = request.params as { market: string }
    const bad = checkMarket(reply, market)
    if (bad !== null) return bad
    const offsets = deps.offsets
    if (offsets === null) return noDatabase(reply)
    const stored = await offsets.get(market)
    if (stored === null) {
      return reply.code(404).send({
        error: `no stream offset stored for ${market}; calibrate one with PUT /api/matches/${market}/offset`,
      })
    }
    return reply.send(stored)
  })

  app.put('/api/matches/:market/offset', async (request, reply) => {
    const { market } = request.params as { market: string }
    const bad = checkMarket(reply, market)
    if (bad !== null) return bad
    const offsets = deps.offsets
    if (offsets === null) return noDatabase(reply)
    if (request.body === undefined || request.body === null) {
      return reply.code(400).send({
        error: 'send {"offset_ms": <market time − video time>, "calibrated_at"?, "video_url"?}',
        errors: [],
      })
    }
    const parsed = MatchOffsetBody.safeParse(request.body)
    if (!parsed.success) {
      return reply.code(400).send({
        error: 'invalid stream offset',
        errors: queryProblems(parsed.error).map((line) => line.replace(/^query: /, 'body: ')),
      })
    }
    const stored = await offsets.put(market, parsed.data)
    deps.log.info({ market, offsetMs: stored.offset_ms }, 'stream offset stored')
    return reply.send(stored)
  })
}

/** Runs `build` and sends its answer, or the status its error calls for. */
async function answer(reply: FastifyReply, build: () => Promise<unknown>): Promise<FastifyReply> {
  try {
    return reply.send(await build())
  } catch (e) {
    if (e instanceof PlaybackQueryError) {
      return reply.code(e.status).send({ error: e.message, errors: [...e.errors] })
    }
    const code = (e as { code?: unknown }).code
    if (code === 'CAPTURE_NOT_FOUND') return reply.code(404).send({ error: (e as Error).message })
    if (code === 'CAPTURE_UNREADABLE') return reply.code(422).send({ error: (e as Error).message })
    throw e
  }
}

function badQuery(reply: FastifyReply, errors: string[]): FastifyReply {
  return reply.code(400).send({ error: 'bad query', errors })
}

function checkMarket(reply: FastifyReply, market: string): FastifyReply | null {
  if (CONDITION_ID.test(market)) return null
  return reply.code(400).send({
    error: `"${market.slice(0, 100)}" is not a condition id; use the market's 0x + 64 hex digits id`,
  })
}

function noDatabase(reply: FastifyReply): FastifyReply {
  return reply.code(503).send({
    error: 'stream offsets need the database, which this daemon runs without',
  })
}

/** A repeated query parameter is an error the schema reports (an array is not a string). */
function single(query: unknown): Record<string, unknown> {
  return typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {}
}
