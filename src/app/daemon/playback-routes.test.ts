import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  PANIC_MARKET,
  PANIC_TOKENS,
  panicFrames,
  randomFrames,
  RANDOM_MARKET,
  writeCapture,
} from '../../../test/support/playback-captures.js'
import { silentLogger } from '../../adapters/log.js'
import { openStore, type Store } from '../../adapters/storage/store.js'
import { ErrorBody, GameEventsAnswer } from '../../contracts/api.js'
import {
  CaptureDetail,
  CaptureEventsAnswer,
  CaptureSignalsAnswer,
  CapturesAnswer,
  MatchOffsetAnswer,
  SeriesAnswer,
} from '../../contracts/playback.js'
import { validateGameEvent } from '../../domain/game-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import { buildHttpServer } from './http.js'
import { createDashboardWiring } from './playback-wiring.js'

const NOW = 1_800_000_900_000
const OTHER_MARKET = `0x${'ef'.repeat(32)}`

let root: string
let dirA: string
let dirB: string
let store: Store
let app: FastifyInstance

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiltmeter-dash-'))
  dirA = join(root, 'captures')
  dirB = join(root, 'more')
  await writeCapture(dirA, panicFrames(), {}, 'panic.ndjson.gz')
  await writeCapture(join(dirB, 'random-match'), randomFrames(11, 600), { rotateMs: 30_000 })
  // Same name as in the first directory: the first directory wins.
  await writeCapture(dirB, randomFrames(12, 10), {}, 'panic.ndjson.gz')
  await writeFile(join(dirA, 'broken.ndjson'), 'this is not a capture\n')
  await writeFile(join(dirA, 'notes.txt'), 'ignored')
  store = await openStore({ databaseUrl: ':memory:' })
  await store.upsertMarket(
    {
      conditionId: PANIC_MARKET as MarketId,
      slug: 'val-aaa-bbb',
      question: 'AAA vs BBB',
      sport: 'valorant',
      marketType: 'match',
      tickSize: null,
      minOrderSize: null,
      negRisk: false,
      gameStartTime: null,
      secondsDelay: null,
      raw: {},
    },
    [
      { tokenId: PANIC_TOKENS[0] as TokenId, outcome: 'AAA', outcomeIndex: 0 },
      { tokenId: PANIC_TOKENS[1] as TokenId, outcome: 'BBB', outcomeIndex: 1 },
    ],
  )
  app = buildHttpServer({
    metrics: { contentType: 'text/plain', text: () => Promise.resolve('') },
    health: () => ({}),
    validateGameEvent: (input) => validateGameEvent(input),
    store,
    log: silentLogger(),
    dashboard: createDashboardWiring({
      captureDirs: [dirA, dirB, join(root, 'missing')],
      store,
      log: silentLogger(),
      now: () => NOW,
    }),
  })
  await app.ready()
}, 60_000)

afterAll(async () => {
  await app.close()
  await store.close()
  await rm(root, { recursive: true, force: true })
})

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const reply = await app.inject({ method: 'GET', url })
  return { status: reply.statusCode, body: reply.json() }
}

describe('GET /api/captures', () => {
  test('lists files and directories of every capture directory, with their index state', async () => {
    const { status, body } = await get('/api/captures')
    expect(status).toBe(200)
    const answer = CapturesAnswer.parse(body)
    expect(answer.dirs.map((d) => [d.path, d.error === null])).toEqual([
      [dirA, true],
      [dirB, true],
      [join(root, 'missing'), false],
    ])
    expect(answer.dirs[2]!.error).toMatch(/does not exist/)
    const byName = new Map(answer.captures.map((c) => [c.name, c]))
    expect([...byName.keys()].sort()).toEqual(['broken.ndjson', 'panic.ndjson.gz', 'random-match'])
    expect(byName.get('panic.ndjson.gz')).toMatchObject({
      kind: 'file',
      dir: dirA,
      files: 1,
      started_by: 'test',
      indexed: false,
      index: 'missing',
      first_ms: null,
      error: null,
    })
    expect(byName.get('random-match')).toMatchObject({ kind: 'directory', dir: dirB })
    expect(byName.get('random-match')!.files).toBeGreaterThan(1)
    expect(byName.get('broken.ndjson')).toMatchObject({
      index: 'unreadable',
      indexed: false,
    })
    expect(byName.get('broken.ndjson')!.error).toMatch(/broken\.ndjson: not a capture file/)
  })

  test('after a capture is opened it is listed as indexed, with its span and markets', async () => {
    expect((await get('/api/captures/panic.ndjson.gz')).status).toBe(200)
    const answer = CapturesAnswer.parse((await get('/api/captures')).body)
    const panic = answer.captures.find((c) => c.name === 'panic.ndjson.gz')!
    expect(panic).toMatchObject({ indexed: true, index: 'ready', markets: [PANIC_MARKET] })
    expect(panic.first_ms).toBe(1_800_000_000_000)
    expect(panic.tokens.sort()).toEqual([...PANIC_TOKENS])
  })
})

describe('GET /api/captures/:name', () => {
  test('answers the detail: markets with outcomes from the database, counts', async () => {
    const { status, body } = await get('/api/captures/panic.ndjson.gz')
    expect(status).toBe(200)
    const detail = CaptureDetail.parse(body)
    expect(detail).toMatchObject({ name: 'panic.ndjson.gz', index: 'ready', signals: 1 })
    expect(detail.frames).toBe(171)
    expect(detail.markets_detail).toEqual([
      {
        condition_id: PANIC_MARKET,
        question: 'AAA vs BBB',
        slug: 'val-aaa-bbb',
        tokens: [
          { token_id: '1111', market: PANIC_MARKET, outcome: 'AAA' },
          { token_id: '2222', market: PANIC_MARKET, outcome: 'BBB' },
        ],
      },
    ])
    const random = CaptureDetail.parse((await get('/api/captures/random-match')).body)
    expect(random.markets_detail[0]).toMatchObject({ condition_id: RANDOM_MARKET, question: null })
    expect(random.token_details.every((t) => t.outcome === null)).toBe(true)
  })

  test('an unknown capture is 404 naming the directories; a corrupt one 422 saying why', async () => {
    const missing = await get('/api/captures/nope.ndjson.gz')
    expect(missing.status).toBe(404)
    expect(ErrorBody.parse(missing.body).error).toMatch(
      /no capture named "nope.ndjson.gz" in .*captures.*; GET \/api\/captures lists them/,
    )
    const broken = await get('/api/captures/broken.ndjson')
    expect(broken.status).toBe(422)
    expect(ErrorBody.parse(broken.body).error).toMatch(
      /capture "broken.ndjson" cannot be played: .*broken\.ndjson/,
    )
    for (const route of ['signals', 'events', 'series?token_id=1']) {
      expect((await get(`/api/captures/nope/${route}`)).status).toBe(404)
    }
  })
})

describe('GET /api/captures/:name/signals', () => {
  test('the recomputed signals with their reversion; filters and bad queries', async () => {
    const all = CaptureSignalsAnswer.parse(
      (await get('/api/captures/panic.ndjson.gz/signals')).body,
    )
    expect(all.signals).toHaveLength(1)
    const signal = all.signals[0]!
    expect(signal).toMatchObject({ type: 'PANIC_SELL', asset_id: '1111', market: PANIC_MARKET })
    expect(typeof signal.reverted).toBe('boolean')
    const none = await get(`/api/captures/panic.ndjson.gz/signals?token_id=2222`)
    expect(CaptureSignalsAnswer.parse(none.body).signals).toEqual([])
    const bad = await get('/api/captures/panic.ndjson.gz/signals?from=5&to=1')
    expect(bad.status).toBe(400)
    expect(ErrorBody.parse(bad.body).errors).toEqual(['from 5 is after to 1; swap them'])
    const notToken = await get('/api/captures/panic.ndjson.gz/signals?token_id=abc')
    expect(notToken.status).toBe(400)
    expect(ErrorBody.parse(notToken.body).errors?.[0]).toMatch(/^token_id: /)
  })
})

describe('GET /api/captures/:name/series', () => {
  test('mid, bid and ask per step plus trades; refusals say what to change', async () => {
    const detail = CaptureDetail.parse((await get('/api/captures/panic.ndjson.gz')).body)
    const from = detail.first_ms!
    const to = from + 60_000
    const { status, body } = await get(
      `/api/captures/panic.ndjson.gz/series?token_id=1111&from=${from}&to=${to}&step_ms=1000`,
    )
    expect(status).toBe(200)
    const series = SeriesAnswer.parse(body)
    expect(series.points).toHaveLength(61)
    expect(series.points[0]).toEqual({ t: from, best_bid: 4_900, best_ask: 5_100, mid: 5_000 })
    expect(series.downsampled).toBe(false)

    const cases: [string, RegExp][] = [
      [`token_id=1111&from=${to}&to=${from}`, /swap them/],
      ['token_id=1111&from=1&to=2', /lies outside the capture/],
      ['token_id=9999', /token_id 9999 is not in this capture/],
      ['token_id=1111&step_ms=0', /^step_ms: /],
      ['from=1', /^token_id: /],
    ]
    for (const [query, message] of cases) {
      const reply = await get(`/api/captures/panic.ndjson.gz/series?${query}`)
      expect(reply.status).toBe(400)
      expect(ErrorBody.parse(reply.body).errors?.join(' ')).toMatch(message)
    }
  })
})

describe('GET /api/captures/:name/events', () => {
  test('stored events of its markets plus an events CSV beside it; a bad CSV is 422', async () => {
    await store.insertGameEvents([
      {
        market: PANIC_MARKET as MarketId,
        assetId: null,
        type: 'round_win',
        team: 'AAA',
        player: null,
        score: '1-0',
        mapNumber: 1,
        note: null,
        ts: 1_800_000_100_000 as EpochMs,
        tsVideo: 65_000,
        source: 'hotkey',
      },
      {
        market: OTHER_MARKET as MarketId,
        assetId: null,
        type: 'round_win',
        team: null,
        player: null,
        score: null,
        mapNumber: null,
        note: null,
        ts: 1_800_000_100_000 as EpochMs,
        tsVideo: null,
        source: 'api',
      },
    ])
    const before = CaptureEventsAnswer.parse(
      (await get('/api/captures/panic.ndjson.gz/events')).body,
    )
    expect(before.csv).toBeNull()
    expect(before.events).toEqual([
      expect.objectContaining({ type: 'round_win', ts_video_ms: 65_000, market: PANIC_MARKET }),
    ])
    const csv = join(dirA, 'panic.events.csv')
    await writeFile(csv, 'ts_ms,type,team,note\n1800000660000,round_loss,BBB,"before the panic"\n')
    const after = CaptureEventsAnswer.parse(
      (await get('/api/captures/panic.ndjson.gz/events')).body,
    )
    expect(after.csv).toBe(csv)
    expect(after.events.map((e) => [e.id === null, e.type, e.source, e.market])).toEqual([
      [false, 'round_win', 'hotkey', PANIC_MARKET],
      [true, 'round_loss', 'csv', PANIC_MARKET],
    ])
    await writeFile(csv, 'ts_ms,type\n1800000660000,rnd_win\n')
    const bad = await get('/api/captures/panic.ndjson.gz/events')
    expect(bad.status).toBe(422)
    const error = ErrorBody.parse(bad.body)
    expect(error.error).toMatch(/events file .*panic\.events\.csv .* is invalid; fix or remove it/)
    expect(error.errors?.[0]).toMatch(/^line 2: type "rnd_win"/)
    await rm(csv)
  })

  test('game events keep their video time beside their market time (POST/GET /api/events)', async () => {
    const posted = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: {
        ts_ms: 1_800_000_200_000,
        type: 'clutch',
        market: PANIC_MARKET,
        ts_video_ms: 90_500,
      },
    })
    expect(posted.statusCode).toBe(201)
    const listed = GameEventsAnswer.parse(
      (await get(`/api/events?market=${PANIC_MARKET}&from=1800000200000`)).body,
    )
    expect(listed.events).toEqual([
      expect.objectContaining({ type: 'clutch', ts_ms: 1_800_000_200_000, ts_video_ms: 90_500 }),
    ])
  })
})

describe('stream offset per match', () => {
  const url = `/api/matches/${PANIC_MARKET}/offset`

  test('404 until calibrated; PUT stores it, GET reads it back, PUT replaces it', async () => {
    const none = await get(url)
    expect(none.status).toBe(404)
    expect(ErrorBody.parse(none.body).error).toMatch(/calibrate one with PUT/)
    const put = await app.inject({
      method: 'PUT',
      url,
      payload: { offset_ms: 1_799_999_000_000, video_url: 'https://www.twitch.tv/videos/1' },
    })
    expect(put.statusCode).toBe(200)
    expect(MatchOffsetAnswer.parse(put.json())).toEqual({
      market: PANIC_MARKET,
      offset_ms: 1_799_999_000_000,
      calibrated_at: NOW,
      video_url: 'https://www.twitch.tv/videos/1',
      updated_at: NOW,
    })
    expect((await get(url)).body).toEqual(put.json())
    const again = await app.inject({
      method: 'PUT',
      url,
      payload: { offset_ms: -25_000, calibrated_at: 1_800_000_000_000 },
    })
    expect(MatchOffsetAnswer.parse(again.json())).toMatchObject({
      offset_ms: -25_000,
      calibrated_at: 1_800_000_000_000,
      video_url: null,
    })
    expect(MatchOffsetAnswer.parse((await get(url)).body).offset_ms).toBe(-25_000)
  })

  test('bad markets and bodies are 400 saying what is wrong', async () => {
    const notMarket = await get('/api/matches/val-aaa-bbb/offset')
    expect(notMarket.status).toBe(400)
    expect(ErrorBody.parse(notMarket.body).error).toMatch(/is not a condition id/)
    const bodies: [unknown, RegExp][] = [
      [{ offset_ms: 1.5 }, /offset_ms/],
      [{ offset_ms: 1, extra: true }, /extra/],
      [{ video_url: 'x' }, /offset_ms/],
      [{ offset_ms: 1, video_url: '' }, /video_url/],
    ]
    for (const [payload, message] of bodies) {
      const reply = await app.inject({ method: 'PUT', url, payload: payload as object })
      expect(reply.statusCode).toBe(400)
      const error = ErrorBody.parse(reply.json())
      expect(error.error).toBe('invalid stream offset')
      expect(error.errors?.join(' ')).toMatch(message)
    }
    const empty = await app.inject({ method: 'PUT', url })
    expect(empty.statusCode).toBe(400)
    expect(ErrorBody.parse(empty.json()).error).toMatch(/send \{"offset_ms"/)
  })

  test('a daemon without a database answers 503', async () => {
    const bare = buildHttpServer({
      metrics: { contentType: 'text/plain', text: () => Promise.resolve('') },
      health: () => ({}),
      validateGameEvent: (input) => validateGameEvent(input),
      store: {
        insertGameEvents: () => Promise.resolve([]),
        listGameEvents: () => Promise.resolve([]),
      },
      log: silentLogger(),
      dashboard: createDashboardWiring({
        captureDirs: [],
        store: {},
        log: silentLogger(),
        now: () => NOW,
      }),
    })
    try {
      const reply = await bare.inject({ method: 'GET', url })
      expect(reply.statusCode).toBe(503)
      expect(CapturesAnswer.parse((await bare.inject({ url: '/api/captures' })).json())).toEqual({
        captures: [],
        dirs: [],
      })
    } finally {
      await bare.close()
    }
  })
})

describe('API docs', () => {
  test('/docs/json documents the playback routes with their parameters and answers', async () => {
    const { status, body } = await get('/docs/json')
    expect(status).toBe(200)
    type Operation = { parameters?: { name: string; in: string }[]; responses: object }
    const paths = (body as { paths: Record<string, Record<string, Operation>> }).paths
    for (const path of [
      '/api/captures',
      '/api/captures/{name}',
      '/api/captures/{name}/signals',
      '/api/captures/{name}/events',
      '/api/captures/{name}/series',
      '/api/matches/{market}/offset',
    ]) {
      expect(Object.keys(paths)).toContain(path)
    }
    const series = paths['/api/captures/{name}/series']!.get!
    expect(series.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:name',
      'query:from',
      'query:step_ms',
      'query:to',
      'query:token_id',
    ])
    expect(Object.keys(series.responses)).toEqual(expect.arrayContaining(['200', '400', '404']))
    expect(Object.keys(paths['/api/matches/{market}/offset']!).sort()).toEqual(['get', 'put'])
  })
})
