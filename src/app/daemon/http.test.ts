import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import type { GameEventFilter, StoredGameEvent } from '../../adapters/storage/records.js'
import { validateGameEvent, type GameEvent } from '../../domain/game-events.js'
import { BODY_LIMIT_BYTES, buildHttpServer } from './http.js'

const MARKET = `0x${'ab'.repeat(32)}`

function server(options: { failInsert?: boolean } = {}) {
  const stored: StoredGameEvent[] = []
  const filters: GameEventFilter[] = []
  const app = buildHttpServer({
    metrics: {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      text: () => Promise.resolve('tiltmeter_frames_total 3\n'),
    },
    health: () => ({ status: 'ok' }),
    validateGameEvent: (input) => validateGameEvent(input),
    store: {
      insertGameEvents(events: readonly GameEvent[]) {
        if (options.failInsert === true) return Promise.reject(new Error('database is locked'))
        const ids = events.map((e) => {
          stored.push({ ...e, id: stored.length + 1 })
          return stored.length
        })
        return Promise.resolve(ids)
      },
      listGameEvents(filter) {
        filters.push(filter)
        return Promise.resolve(stored)
      },
    },
    log: silentLogger(),
  })
  return { app, stored, filters }
}

const EVENT = { ts_ms: 1_800_000_000_000, type: 'round_win', team: 'Fnatic', market: MARKET }

describe('daemon HTTP', () => {
  test('GET /metrics is Prometheus text', async () => {
    const { app } = server()
    const reply = await app.inject({ method: 'GET', url: '/metrics' })
    expect(reply.statusCode).toBe(200)
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(reply.body).toBe('tiltmeter_frames_total 3\n')
  })

  test('GET /api/health is JSON', async () => {
    const { app } = server()
    const reply = await app.inject({ method: 'GET', url: '/api/health' })
    expect(reply.json()).toEqual({ status: 'ok' })
  })

  test('POST /api/events stores a valid event and answers 201 with its id', async () => {
    const { app, stored } = server()
    const reply = await app.inject({ method: 'POST', url: '/api/events', payload: EVENT })
    expect(reply.statusCode).toBe(201)
    expect(reply.json()).toEqual({
      id: 1,
      event: {
        ts_ms: 1_800_000_000_000,
        type: 'round_win',
        market: MARKET,
        asset_id: null,
        team: 'Fnatic',
        player: null,
        score: null,
        map: null,
        note: null,
        ts_video_ms: null,
        source: 'api',
      },
    })
    expect(stored).toHaveLength(1)
  })

  test('an invalid event is 400 with every error, and nothing is stored', async () => {
    const { app, stored } = server()
    const reply = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: { ts_ms: 'soon', type: 'Round Win', score: 'seven' },
    })
    expect(reply.statusCode).toBe(400)
    const body = reply.json<{ error: string; errors: string[] }>()
    expect(body.error).toBe('invalid game event')
    expect(body.errors.length).toBeGreaterThanOrEqual(3)
    expect(stored).toEqual([])
  })

  test.each([
    ['not JSON', { 'content-type': 'application/json' }, '{"ts_ms":', 400, /JSON/],
    ['text/plain', { 'content-type': 'text/plain' }, 'round_win', 415, /send JSON/],
    ['an array', { 'content-type': 'application/json' }, '[1]', 400, /invalid game event/],
  ])('a body that is %s is refused', async (_what, headers, payload, status, message) => {
    const { app, stored } = server()
    const reply = await app.inject({ method: 'POST', url: '/api/events', headers, payload })
    expect(reply.statusCode).toBe(status)
    expect(reply.json<{ error: string }>().error).toMatch(message)
    expect(stored).toEqual([])
  })

  test('a body over the limit is 413', async () => {
    const { app } = server()
    const reply = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: { ...EVENT, note: 'x'.repeat(BODY_LIMIT_BYTES) },
    })
    expect(reply.statusCode).toBe(413)
    expect(reply.json()).toEqual({ error: `body larger than ${BODY_LIMIT_BYTES} bytes` })
  })

  test('a store failure is 500 without internals', async () => {
    const { app } = server({ failInsert: true })
    const reply = await app.inject({ method: 'POST', url: '/api/events', payload: EVENT })
    expect(reply.statusCode).toBe(500)
    expect(reply.json()).toEqual({ error: 'internal error; see the daemon log' })
  })

  test('GET /api/events passes the filter on', async () => {
    const { app, filters } = server()
    await app.inject({ method: 'POST', url: '/api/events', payload: EVENT })
    const reply = await app.inject({
      method: 'GET',
      url: `/api/events?market=${MARKET}&asset=123&from=1&to=2000000000000`,
    })
    expect(reply.statusCode).toBe(200)
    expect(reply.json<{ events: { id: number }[] }>().events.map((e) => e.id)).toEqual([1])
    expect(filters).toEqual([{ market: MARKET, assetId: '123', from: 1, to: 2_000_000_000_000 }])
  })

  test('GET /api/events refuses a bad query, naming each problem', async () => {
    const { app, filters } = server()
    const none = await app.inject({ method: 'GET', url: '/api/events' })
    expect(none.statusCode).toBe(400)
    expect(none.json()).toEqual({
      error: 'bad query',
      errors: ['give market=<condition id> or asset=<token id>'],
    })
    const bad = await app.inject({
      method: 'GET',
      url: '/api/events?market=0x12&asset=abc&from=yesterday&to=1&to=2',
    })
    expect(bad.json<{ errors: string[] }>().errors).toEqual([
      'from "yesterday" is not epoch milliseconds',
      'to given more than once',
      'market "0x12" is not a condition id (0x + 64 hex digits)',
      'asset "abc" is not a CLOB token id (decimal digits)',
    ])
    expect(filters).toEqual([])
  })

  test('an unknown route is 404 with the path', async () => {
    const { app } = server()
    const reply = await app.inject({ method: 'GET', url: '/nope?x=1' })
    expect(reply.statusCode).toBe(404)
    expect(reply.json()).toEqual({ error: 'no route for GET /nope' })
  })
})
