import { afterEach, describe, expect, test } from 'vitest'
import { LocalHttpVenue, refusedUrl } from '../../../../test/support/local-http-venue.js'
import { redactUrl, VenueError } from '../errors.js'
import {
  backoffDelayMs,
  buildUrl,
  fetchJson,
  parseRetryAfter,
  type RequestOptions,
  type SleepFunction,
} from './http.js'

const BOOK_404 = { error: 'No orderbook exists for the requested token id' }

let venue: LocalHttpVenue | undefined

afterEach(async () => {
  await venue?.close()
  venue = undefined
})

/** Records requested delays instead of waiting; random 0 makes every backoff its floor. */
function fakeTime(): { sleeps: number[]; options: RequestOptions } {
  const sleeps: number[] = []
  const sleep: SleepFunction = (ms) => {
    sleeps.push(ms)
    return Promise.resolve()
  }
  return { sleeps, options: { sleep, random: () => 0 } }
}

async function failure(promise: Promise<unknown>): Promise<VenueError> {
  const e: unknown = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  )
  if (!(e instanceof VenueError)) throw e
  return e
}

describe('fetchJson', () => {
  test('returns the parsed body and sends Accept: application/json', async () => {
    venue = await LocalHttpVenue.start({ 'GET /ok': { body: { data: 'OK' } } })
    const body = await fetchJson(`${venue.url}/ok`)
    expect(body).toEqual({ data: 'OK' })
    expect(venue.requests).toHaveLength(1)
  })

  test('POSTs a JSON body', async () => {
    venue = await LocalHttpVenue.start({ 'POST /books': { body: [] } })
    const body = await fetchJson(`${venue.url}/books`, {
      method: 'POST',
      body: [{ token_id: '1' }],
    })
    expect(body).toEqual([])
    expect(venue.requests[0]?.body).toBe('[{"token_id":"1"}]')
  })

  test('retries a 429 after the Retry-After delay, then succeeds', async () => {
    venue = await LocalHttpVenue.start({
      'GET /book': [
        { status: 429, headers: { 'retry-after': '2' }, body: 'Too Many Requests' },
        { body: { ok: true } },
      ],
    })
    const { sleeps, options } = fakeTime()
    const retries: string[] = []
    const body = await fetchJson(`${venue.url}/book`, {
      ...options,
      onRetry: (n) => retries.push(`${n.retry}:${n.error.code}:${n.delayMs}`),
    })
    expect(body).toEqual({ ok: true })
    expect(sleeps).toEqual([2000])
    expect(retries).toEqual(['1:RATE_LIMITED:2000'])
    expect(venue.requests).toHaveLength(2)
  })

  test('retries 500, 503 and 425 with growing backoff, then succeeds', async () => {
    venue = await LocalHttpVenue.start({
      'GET /book': [
        { status: 500, body: { error: 'order timed out' } },
        { status: 503, body: { error: 'busy' } },
        { status: 425, body: '' },
        { body: { ok: 1 } },
      ],
    })
    const { sleeps, options } = fakeTime()
    await expect(fetchJson(`${venue.url}/book`, options)).resolves.toEqual({ ok: 1 })
    // Floors of capped exponential backoff (random 0): 500/2, 1000/2, then 425's 1 s base x4 / 2.
    expect(sleeps).toEqual([250, 500, 2000])
    expect(venue.requests).toHaveLength(4)
  })

  test('honours retry_after_seconds from a 503 body when there is no header', async () => {
    venue = await LocalHttpVenue.start({
      'GET /x': [
        {
          status: 503,
          body: {
            error: 'post-only mode: only post-only orders and cancels are allowed',
            code: 'post_only_mode',
            retry_after_seconds: 3,
          },
        },
        { body: {} },
      ],
    })
    const { sleeps, options } = fakeTime()
    await fetchJson(`${venue.url}/x`, options)
    expect(sleeps).toEqual([3000])
  })

  test('caps an excessive Retry-After at maxRetryAfterMs', async () => {
    venue = await LocalHttpVenue.start({
      'GET /x': [{ status: 429, headers: { 'retry-after': '3600' } }, { body: {} }],
    })
    const { sleeps, options } = fakeTime()
    await fetchJson(`${venue.url}/x`, { ...options, maxRetryAfterMs: 5000 })
    expect(sleeps).toEqual([5000])
  })

  test('gives up after the configured retries with the last error', async () => {
    venue = await LocalHttpVenue.start({ 'GET /x': { status: 502, body: 'bad gateway' } })
    const { sleeps, options } = fakeTime()
    const e = await failure(fetchJson(`${venue.url}/x`, { ...options, retries: 3 }))
    expect(e.code).toBe('SERVER_ERROR')
    expect(e.status).toBe(502)
    expect(e.retryable).toBe(true)
    expect(e.attempts).toBe(4)
    expect(e.message).toBe(
      `GET ${venue.url}/x failed: HTTP 502 bad gateway (gave up after 4 attempts)`,
    )
    expect(sleeps).toEqual([250, 500, 1000])
  })

  test('does not retry a 404 and quotes the venue error', async () => {
    venue = await LocalHttpVenue.start({ 'GET /book': { status: 404, body: BOOK_404 } })
    const { sleeps, options } = fakeTime()
    const url = `${venue.url}/book?token_id=123`
    const e = await failure(fetchJson(url, options))
    expect(e.code).toBe('HTTP_ERROR')
    expect(e.status).toBe(404)
    expect(e.retryable).toBe(false)
    expect(e.attempts).toBe(1)
    expect(e.message).toBe(
      `GET ${url} failed: HTTP 404 {"error":"No orderbook exists for the requested token id"}`,
    )
    expect(sleeps).toEqual([])
    expect(venue.requests).toHaveLength(1)
  })

  test('does not retry a 400', async () => {
    venue = await LocalHttpVenue.start({ 'GET /x': { status: 400, body: { error: 'bad' } } })
    const e = await failure(fetchJson(`${venue.url}/x`, fakeTime().options))
    expect(e.code).toBe('HTTP_ERROR')
    expect(venue.requests).toHaveLength(1)
  })

  test('times out when the venue never answers', async () => {
    venue = await LocalHttpVenue.start({ 'GET /slow': { hang: true } })
    const e = await failure(
      fetchJson(`${venue.url}/slow`, { ...fakeTime().options, timeoutMs: 50, retries: 0 }),
    )
    expect(e.code).toBe('TIMEOUT')
    expect(e.retryable).toBe(true)
    expect(e.status).toBeNull()
    expect(e.message).toBe(`GET ${venue.url}/slow failed: no complete answer within 50 ms`)
  })

  test('retries after a timeout', async () => {
    venue = await LocalHttpVenue.start({ 'GET /slow': [{ hang: true }, { body: { late: 1 } }] })
    const { sleeps, options } = fakeTime()
    await expect(
      fetchJson(`${venue.url}/slow`, { ...options, timeoutMs: 50, retries: 1 }),
    ).resolves.toEqual({ late: 1 })
    expect(sleeps).toEqual([250])
    expect(venue.requests).toHaveLength(2)
  })

  test('reports a 2xx body that is not JSON, with an excerpt, without retrying', async () => {
    venue = await LocalHttpVenue.start({
      'GET /x': { body: '<html><body>Service temporarily unavailable</body></html>' },
    })
    const e = await failure(fetchJson(`${venue.url}/x`, fakeTime().options))
    expect(e.code).toBe('NOT_JSON')
    expect(e.retryable).toBe(false)
    expect(e.status).toBe(200)
    expect(e.message).toBe(
      `GET ${venue.url}/x returned a body that is not JSON: <html><body>Service temporarily unavailable</body></html>`,
    )
    expect(venue.requests).toHaveLength(1)
  })

  test('says so when an error answer has an empty body', async () => {
    venue = await LocalHttpVenue.start({ 'GET /x': { status: 403, body: '' } })
    const e = await failure(fetchJson(`${venue.url}/x`, fakeTime().options))
    expect(e.message).toBe(`GET ${venue.url}/x failed: HTTP 403 (empty body)`)
  })

  test('retries a refused connection, then names it', async () => {
    const url = `${await refusedUrl()}/sports`
    const { sleeps, options } = fakeTime()
    const e = await failure(fetchJson(url, { ...options, retries: 2 }))
    expect(e.code).toBe('NETWORK')
    expect(e.retryable).toBe(true)
    expect(e.message).toBe(
      `GET ${url} failed: connection refused (ECONNREFUSED) (gave up after 3 attempts)`,
    )
    expect(sleeps).toHaveLength(2)
  })

  test('stops at once when the caller has already aborted', async () => {
    venue = await LocalHttpVenue.start({ 'GET /x': { body: {} } })
    const controller = new AbortController()
    controller.abort()
    const e = await failure(fetchJson(`${venue.url}/x`, { signal: controller.signal }))
    expect(e.code).toBe('ABORTED')
    expect(venue.requests).toHaveLength(0)
  })

  test('stops when the caller aborts while waiting to retry', async () => {
    venue = await LocalHttpVenue.start({ 'GET /x': { status: 500 } })
    const controller = new AbortController()
    const sleep: SleepFunction = () => {
      controller.abort()
      return Promise.reject(new Error('aborted'))
    }
    const e = await failure(fetchJson(`${venue.url}/x`, { sleep, signal: controller.signal }))
    expect(e.code).toBe('ABORTED')
    expect(e.message).toBe(`GET ${venue.url}/x was cancelled while waiting to retry`)
    expect(venue.requests).toHaveLength(1)
  })

  test('uses an injected fetch', async () => {
    const seen: string[] = []
    const body = await fetchJson('https://clob.example/ok', {
      fetchImpl: (url) => {
        seen.push(url)
        return Promise.resolve(new Response('{"a":1}', { status: 200 }))
      },
    })
    expect(body).toEqual({ a: 1 })
    expect(seen).toEqual(['https://clob.example/ok'])
  })
})

describe('backoff and Retry-After', () => {
  test('backoff doubles from the base, is capped, and keeps half of it fixed', () => {
    expect(backoffDelayMs(0, 500, 8000, () => 0)).toBe(250)
    expect(backoffDelayMs(0, 500, 8000, () => 0.999999)).toBe(500)
    expect(backoffDelayMs(3, 500, 8000, () => 0)).toBe(2000)
    expect(backoffDelayMs(10, 500, 8000, () => 0)).toBe(4000)
    expect(backoffDelayMs(10, 500, 8000, () => 0.5)).toBe(6000)
  })

  test('Retry-After in seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 3, 5, 15, 0, 0)
    expect(parseRetryAfter('2', now)).toBe(2000)
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500)
    expect(parseRetryAfter('Sun, 05 Apr 2026 15:00:07 GMT', now)).toBe(7000)
    expect(parseRetryAfter('Sun, 05 Apr 2026 14:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeNull()
    expect(parseRetryAfter(null, now)).toBeNull()
  })
})

describe('URLs', () => {
  test('buildUrl keeps a base path, drops undefined values and repeats arrays', () => {
    expect(buildUrl('http://127.0.0.1:9/venue/', '/book', { token_id: '12', x: undefined })).toBe(
      'http://127.0.0.1:9/venue/book?token_id=12',
    )
    expect(
      buildUrl('https://gamma-api.polymarket.com', 'events', {
        series_id: '10310',
        closed: false,
        limit: 100,
        id: ['1', '2'],
      }),
    ).toBe(
      'https://gamma-api.polymarket.com/events?series_id=10310&closed=false&limit=100&id=1&id=2',
    )
  })

  test('error URLs lose user info and credential parameters', () => {
    expect(redactUrl('https://user:pw@clob.example/book?token_id=1&api_key=abc')).toBe(
      'https://clob.example/book?token_id=1&api_key=REDACTED',
    )
    expect(redactUrl('http://127.0.0.1:1/book?token_id=1')).toBe(
      'http://127.0.0.1:1/book?token_id=1',
    )
    expect(redactUrl('not a url')).toBe('not a url')
    const e = new VenueError(
      'HTTP_ERROR',
      { method: 'GET', url: 'https://a:b@h/x?secret=s' },
      'failed',
    )
    expect(e.message).toBe('GET https://h/x?secret=REDACTED failed')
  })
})
