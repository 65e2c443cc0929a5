import { describe, expect, test } from 'vitest'
import { ApiError } from '../../api/http.js'
import { VideoBridge, pageBridge } from '../video/video-bridge.js'
import {
  deleteGameEvent,
  errorText,
  getMatchOffset,
  postGameEvent,
  putMatchOffset,
  type Fetch,
} from './dashboard-rest.js'

const MARKET = `0x${'ab'.repeat(32)}`
const EVENT_JSON = {
  ts_ms: 1_780_795_900_000,
  type: 'round_win',
  market: MARKET,
  asset_id: null,
  team: 'SEN',
  player: null,
  score: '7-5',
  map: 1,
  note: null,
  ts_video_ms: 754_500,
  source: 'hotkey',
}

interface Call {
  url: string
  method: string | undefined
  body: unknown
}

function fake(status: number, body: unknown, calls: Call[] = []): Fetch {
  return (url, init) => {
    calls.push({
      url,
      method: init.method,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
    })
    const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body)
    return Promise.resolve(
      new Response(text, { status, headers: { 'content-type': 'application/json' } }),
    )
  }
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof ApiError) return e
    throw e
  }
  throw new Error('expected a failure')
}

describe('POST /api/events', () => {
  test('sends the body and answers the stored event', async () => {
    const calls: Call[] = []
    const created = await postGameEvent(
      { ts_ms: 1, type: 'round_win', market: MARKET, source: 'hotkey' },
      fake(201, { id: 12, event: EVENT_JSON }, calls),
    )
    expect(created.id).toBe(12)
    expect(calls).toEqual([
      {
        url: '/api/events',
        method: 'POST',
        body: { ts_ms: 1, type: 'round_win', market: MARKET, source: 'hotkey' },
      },
    ])
  })

  test('a refusal keeps the field problems; a broken answer or network says so', async () => {
    const refused = await failure(
      postGameEvent(
        { ts_ms: 1, type: 'x' },
        fake(400, { error: 'invalid game event', errors: ['type "x" is not one of …'] }),
      ),
    )
    expect(refused.status).toBe(400)
    expect(errorText(refused)).toBe('invalid game event (type "x" is not one of …)')
    const odd = await failure(postGameEvent({ ts_ms: 1, type: 'ace' }, fake(201, { id: 'x' })))
    expect(odd.message).toBe('Unexpected answer from POST /api/events.')
    const html = await failure(postGameEvent({ ts_ms: 1, type: 'ace' }, fake(502, '<html>')))
    expect(html.message).toMatch(/^HTTP 502/)
    const down = await failure(
      postGameEvent({ ts_ms: 1, type: 'ace' }, () => Promise.reject(new Error('ECONNREFUSED'))),
    )
    expect(down.status).toBe(0)
    expect(down.message).toMatch(/did not answer \(ECONNREFUSED\)/)
  })
})

describe('DELETE /api/events/:id', () => {
  test('204 and 404 (already gone) both count as deleted', async () => {
    const calls: Call[] = []
    await deleteGameEvent(12, fake(204, undefined, calls))
    expect(calls[0]).toMatchObject({ url: '/api/events/12', method: 'DELETE' })
    await expect(
      deleteGameEvent(12, fake(404, { error: 'no game event with id 12' })),
    ).resolves.toBeUndefined()
  })

  test('other failures are thrown', async () => {
    const e = await failure(
      deleteGameEvent(12, fake(500, { error: 'internal error; see the daemon log' })),
    )
    expect(e.describe()).toBe('internal error; see the daemon log')
  })
})

describe('PUT /api/matches/:market/offset', () => {
  const answer = {
    market: MARKET,
    offset_ms: 1_780_795_145_500,
    calibrated_at: 1_780_797_000_000,
    video_url: 'https://youtu.be/dQw4w9WgXcQ',
    updated_at: 1_780_797_000_512,
  }

  test('sends the body to the market path and answers the stored value', async () => {
    const calls: Call[] = []
    const stored = await putMatchOffset(
      MARKET,
      { offset_ms: answer.offset_ms, video_url: answer.video_url },
      fake(200, answer, calls),
    )
    expect(stored).toEqual(answer)
    expect(calls[0]).toMatchObject({ url: `/api/matches/${MARKET}/offset`, method: 'PUT' })
  })

  test('503 (no database) and 404 (no such route) say the offset holds for this page only', async () => {
    const none = await failure(
      putMatchOffset(MARKET, { offset_ms: 1 }, fake(503, { error: 'no database' })),
    )
    expect(none.message).toMatch(/without a database.*this page only/)
    const old = await failure(
      putMatchOffset(MARKET, { offset_ms: 1 }, fake(404, { error: 'no route' })),
    )
    expect(old.message).toMatch(/no stream-offset route.*this page only/)
    const bad = await failure(
      putMatchOffset(
        MARKET,
        { offset_ms: 1 },
        fake(400, { error: 'bad body', errors: ['offset_ms: x'] }),
      ),
    )
    expect(errorText(bad)).toBe('bad body (offset_ms: x)')
    expect(errorText(new Error('plain'))).toBe('plain')
    expect(errorText('text')).toBe('text')
  })
})

describe('GET /api/matches/:market/offset', () => {
  const answer = {
    market: MARKET,
    offset_ms: -2_500,
    calibrated_at: 1,
    video_url: null,
    updated_at: 2,
  }

  test('stored, none (404) or unavailable (503, no route)', async () => {
    expect(await getMatchOffset(MARKET, fake(200, answer))).toEqual({ kind: 'stored', answer })
    expect(
      await getMatchOffset(MARKET, fake(404, { error: 'no offset stored; calibrate' })),
    ).toEqual({
      kind: 'none',
    })
    expect(await getMatchOffset(MARKET, fake(503, { error: 'no database' }))).toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/without a database/) as unknown,
    })
    expect(
      await getMatchOffset(MARKET, fake(404, { error: 'no route for GET /api/matches/x/offset' })),
    ).toMatchObject({ kind: 'unavailable' })
  })

  test('other failures are thrown with the server message', async () => {
    const bad = await failure(
      getMatchOffset('x', fake(400, { error: 'market "x" is not a condition id' })),
    )
    expect(bad.message).toBe('market "x" is not a condition id')
    const odd = await failure(getMatchOffset(MARKET, fake(200, { nope: 1 })))
    expect(odd.message).toMatch(/Unexpected answer/)
    const down = await failure(getMatchOffset(MARKET, () => Promise.reject(new Error('reset'))))
    expect(down.status).toBe(0)
  })
})

describe('VideoBridge', () => {
  test('reads the registered video and tells listeners about the picked event', () => {
    const bridge = new VideoBridge()
    expect(bridge.readVideo()).toBeNull()
    bridge.setReader(() => ({ ms: 5, playing: true }))
    expect(bridge.readVideo()).toEqual({ ms: 5, playing: true })
    let told = 0
    const stop = bridge.subscribe(() => told++)
    bridge.selectEvent(10)
    bridge.selectEvent(10)
    expect(bridge.selectedEventMs()).toBe(10)
    stop()
    bridge.selectEvent(null)
    expect(told).toBe(1)
    expect(pageBridge()).toBe(pageBridge())
  })
})
