import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import type { GameEventFilter, StoredGameEvent } from '../../adapters/storage/records.js'
import { validateGameEvent, type GameEvent } from '../../domain/game-events.js'
import { BODY_LIMIT_BYTES, buildHttpServer } from './http.js'

const MARKET = `0x${'ab'.repeat(32)}`

function server(options: { failInsert?: boolean; failDelete?: boolean; noDelete?: boolean } = {}) {
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
      ...(options.noDelete === true
        ? {}
        : {
            deleteGameEvent(id: number) {
              if (options.failDelete === true) return Promise.reject(new Error('disk I/O error'))
              const at = stored.findIndex((e) => e.id === id)
              if (at >= 0) stored.splice(at, 1)
              return Promise.resolve(at >= 0)
            },
          }),
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

  test('DELETE /api/events/:id removes a stored event: 204, then 404', async () => {
    const { app, stored } = server()
    await app.inject({ method: 'POST', url: '/api/events', payload: EVENT })
    await app.inject({ method: 'POST', url: '/api/events', payload: { ...EVENT, type: 'ace' } })
    const first = await app.inject({ method: 'DELETE', url: '/api/events/2' })
    expect(first.statusCode).toBe(204)
    expect(first.body).toBe('')
    expect(stored.map((e) => e.type)).toEqual(['round_win'])
    const again = await app.inject({ method: 'DELETE', url: '/api/events/2' })
    expect(again.statusCode).toBe(404)
    expect(again.json()).toEqual({ error: 'no game event with id 2 (already deleted?)' })
  })

  test.each(['abc', '1.5', '-3', '0', '1e3', '9'.repeat(16)])(
    'DELETE /api/events/%s is 400 and deletes nothing',
    async (id) => {
      const { app, stored } = server()
      await app.inject({ method: 'POST', url: '/api/events', payload: EVENT })
      const reply = await app.inject({ method: 'DELETE', url: `/api/events/${id}` })
      expect(reply.statusCode).toBe(400)
      expect(reply.json<{ error: string }>().error).toMatch(/is not a positive whole number/)
      expect(stored).toHaveLength(1)
    },
  )

  test('DELETE /api/events/:id is 501 without a store that deletes, 500 when it fails', async () => {
    const bare = await server({ noDelete: true }).app.inject({
      method: 'DELETE',
      url: '/api/events/1',
    })
    expect(bare.statusCode).toBe(501)
    expect(bare.json()).toEqual({ error: 'this daemon cannot delete game events' })
    const failing = await server({ failDelete: true }).app.inject({
      method: 'DELETE',
      url: '/api/events/1',
    })
    expect(failing.statusCode).toBe(500)
    expect(failing.json()).toEqual({ error: 'internal error; see the daemon log' })
  })

  test('an unknown route is 404 with the path', async () => {
    const { app } = server()
    const reply = await app.inject({ method: 'GET', url: '/nope?x=1' })
    expect(reply.statusCode).toBe(404)
    expect(reply.json()).toEqual({ error: 'no route for GET /nope' })
  })
})
