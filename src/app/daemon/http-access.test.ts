import { afterEach, describe, expect, test } from 'vitest'
import { RateLimited } from '../../contracts/api.js'
import { SESSION_COOKIE, sameSecret, sessionValue } from '../../adapters/web/access.js'
import { LivePage, webServer, type WebServer } from '../../../test/support/web-server.js'

const TOKEN = 'k3y-for-tests-0123456789abcdef'
const EVENT = { ts_ms: 1_800_000_000_000, type: 'round_win', market: `0x${'11'.repeat(32)}` }

let server: WebServer | null = null
const pages: LivePage[] = []

afterEach(async () => {
  for (const page of pages.splice(0)) page.close()
  await server?.close()
  server = null
})

function start(options: Parameters<typeof webServer>[0] = {}): WebServer {
  server = webServer(options)
  return server
}

async function open(url: string, headers?: Record<string, string>): Promise<LivePage> {
  const page = await LivePage.open(url, headers)
  pages.push(page)
  return page
}

describe('access token', () => {
  test('every /api, /metrics and /docs request needs the token: 401 without, 200 with bearer', async () => {
    const s = start({ access: { token: TOKEN } })
    const url = await s.listen()
    for (const path of ['/api/health', '/api/markets', '/metrics', '/docs/json']) {
      const none = await fetch(url + path)
      expect(none.status, path).toBe(401)
      expect(((await none.json()) as { error: string }).error).toMatch(/Bearer/)
      const wrong = await fetch(url + path, { headers: { authorization: 'Bearer nope' } })
      expect(wrong.status, path).toBe(401)
      const right = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(right.status, path).toBe(200)
    }
    // The page itself is not secret: it asks for the token.
    expect((await fetch(url + '/dashboard')).status).toBe(404)
  })

  test('/?token= sets an HttpOnly SameSite=Strict cookie that then opens the API', async () => {
    const s = start({ access: { token: TOKEN } })
    const url = await s.listen()
    const bad = await fetch(`${url}/?token=guess`, { redirect: 'manual' })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('set-cookie')).toBeNull()
    const good = await fetch(`${url}/?token=${TOKEN}`, { redirect: 'manual' })
    expect(good.status).toBe(303)
    expect(good.headers.get('location')).toBe('/')
    const cookie = good.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).not.toContain(TOKEN)
    const pair = cookie.split(';')[0]!
    expect(pair).toBe(`${SESSION_COOKIE}=${sessionValue(TOKEN)}`)
    const withCookie = await fetch(`${url}/api/health`, { headers: { cookie: `a=b; ${pair}` } })
    expect(withCookie.status).toBe(200)
    const forged = await fetch(`${url}/api/health`, {
      headers: { cookie: `${SESSION_COOKIE}=${sessionValue('another-token-0123456789')}` },
    })
    expect(forged.status).toBe(401)
  })

  test('the socket upgrade needs the token too', async () => {
    const s = start({ access: { token: TOKEN } })
    const url = await s.listen()
    await expect(LivePage.open(url)).rejects.toThrow(/HTTP 401/)
    const byBearer = await open(url, { authorization: `Bearer ${TOKEN}` })
    await byBearer.until('hello', () => byBearer.messages.length > 0)
    const byCookie = await open(url, { cookie: `${SESSION_COOKIE}=${sessionValue(TOKEN)}` })
    await byCookie.until('hello', () => byCookie.messages.length > 0)
    expect(byCookie.messages[0]?.type).toBe('hello')
  })

  test('secrets compare in constant time over their hashes', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true)
    expect(sameSecret(TOKEN.slice(1), TOKEN)).toBe(false)
    expect(sameSecret('', TOKEN)).toBe(false)
  })
})

describe('without a token (loopback)', () => {
  test('a Host that is not a loopback name is refused (DNS rebinding)', async () => {
    const s = start()
    const evil = await s.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { host: 'evil.example:7300' },
    })
    expect(evil.statusCode).toBe(403)
    expect(evil.json<{ error: string }>().error).toMatch(/not a loopback address/)
    for (const host of ['127.0.0.1:7300', 'localhost:1', '[::1]:7300', 'LOCALHOST']) {
      const ok = await s.app.inject({ method: 'GET', url: '/api/health', headers: { host } })
      expect(ok.statusCode, host).toBe(200)
    }
  })
})

describe('Origin', () => {
  test('a mutating request from another origin is 403; from this one or none it passes', async () => {
    const s = start()
    const url = await s.listen()
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(EVENT),
      })
    const evil = await post({ origin: 'http://evil.example' })
    expect(evil.status).toBe(403)
    expect(((await evil.json()) as { error: string }).error).toMatch(/cross-origin/)
    const sibling = await post({ origin: url.replace('127.0.0.1', 'localhost') })
    expect(sibling.status).toBe(403)
    expect((await post({ origin: url })).status).toBe(201)
    expect((await post({})).status).toBe(201)
    // Reads are not checked: the browser keeps their answers from other origins.
    const read = await fetch(`${url}/api/health`, { headers: { origin: 'http://evil.example' } })
    expect(read.status).toBe(200)
  })

  test('the socket upgrade from another origin is 403; from this one it opens', async () => {
    const s = start()
    const url = await s.listen()
    await expect(LivePage.open(url, { origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/)
    const page = await open(url, { origin: url })
    await page.until('hello', () => page.messages.length > 0)
  })
})

describe('rate limit', () => {
  test('mutating /api requests beyond the limit get 429 saying when to retry', async () => {
    const s = start({ access: { token: null, mutatingPerSecond: 3 } })
    const statuses: number[] = []
    let limited: unknown = null
    let retryAfter: string | undefined
    for (let i = 0; i < 10; i++) {
      const reply = await s.app.inject({ method: 'POST', url: '/api/events', payload: EVENT })
      statuses.push(reply.statusCode)
      if (reply.statusCode === 429) {
        limited = reply.json()
        const header = reply.headers['retry-after']
        retryAfter = typeof header === 'string' ? header : undefined
      }
    }
    expect(statuses.slice(0, 3)).toEqual([201, 201, 201])
    expect(statuses).toContain(429)
    const body = RateLimited.parse(limited)
    expect(body.error).toMatch(/at most 3 changes per second; retry in \d+ ms/)
    expect(body.retry_after_ms).toBeGreaterThan(0)
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
    // Reads are not limited.
    for (let i = 0; i < 10; i++) {
      const reply = await s.app.inject({ method: 'GET', url: '/api/health' })
      expect(reply.statusCode).toBe(200)
    }
  })
})
