import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import {
  AlertsAnswer,
  MarketJson,
  MarketsAnswer,
  TradesAnswer,
  UiConfigAnswer,
} from '../../contracts/api.js'
import {
  DONE_ID,
  LIVE_ID,
  LivePage,
  NOW,
  SOON_ID,
  webServer,
  type WebServer,
} from '../../../test/support/web-server.js'

let server: WebServer | null = null
let dir: string | null = null
const pages: LivePage[] = []

afterEach(async () => {
  for (const page of pages.splice(0)) page.close()
  await server?.close()
  server = null
  if (dir !== null) rmSync(dir, { recursive: true, force: true })
  dir = null
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

describe('live socket over a real WebSocket', () => {
  test('hello, health and account on connect; subscribed books after', async () => {
    const s = start()
    const url = await s.listen()
    const page = await open(url)
    await page.until('the greeting', () => page.messages.length >= 3)
    expect(page.messages.map((m) => m.type)).toEqual(['hello', 'health', 'account'])
    expect(page.messages[0]).toMatchObject({ venue: 'paper', feed: 'sim', serverTime: NOW })
    expect(page.messages[1]).toMatchObject({ books: { '101': 'live', '102': 'stale' } })
    expect(page.messages[2]).toMatchObject({ positions: { cash_usdc: '10000' } })

    page.send(JSON.stringify({ type: 'subscribe', tokens: ['101'] }))
    await page.until('the book', () => flushOnce(s) && page.messages.some((m) => m.type === 'book'))
    const book = page.messages.find((m) => m.type === 'book')!
    expect(book).toMatchObject({
      tokenId: '101',
      market: LIVE_ID,
      bids: [[5300, 100_000_000]],
      asks: [[5400, 50_000_000]],
    })
  })

  test('a bad client message closes the socket with 1008 and a reason', async () => {
    const s = start()
    const page = await open(await s.listen())
    await page.until('the greeting', () => page.messages.length >= 3)
    page.send('{"type":"subscribe","tokens":"all"}')
    await page.until('the close', () => page.closed !== null)
    expect(page.closed?.code).toBe(1008)
    expect(page.closed?.reason).toMatch(/invalid message at tokens/)
  })
})

/** Flushes the hub and says yes: used inside `until` to flush while waiting. */
function flushOnce(s: WebServer): boolean {
  s.hub.flush()
  return true
}

describe('market, tape, alert and ui routes', () => {
  test('GET /api/markets lists every market with top of book; filters narrow it', async () => {
    const s = start()
    const all = await s.app.inject({ method: 'GET', url: '/api/markets' })
    expect(all.statusCode).toBe(200)
    const body = MarketsAnswer.parse(all.json())
    expect(body.markets.map((m) => [m.condition_id, m.status])).toEqual([
      [LIVE_ID, 'live'],
      [SOON_ID, 'upcoming'],
      [DONE_ID, 'closed'],
    ])
    expect(body.markets[0]).toMatchObject({
      slug: 'val-fnc-sen',
      best_bid: '0.53',
      best_ask: '0.54',
      spread: '0.01',
      // 100 shares × 0.53 + 50 × 0.54
      liquidity_usd: '80',
      tick_size: '0.01',
      min_size: '5',
      seconds_delay: 3,
      health: 'stale',
      tokens: [
        { token_id: '101', outcome: 'Fnatic' },
        { token_id: '102', outcome: 'Sentinels' },
      ],
    })
    const names = async (query: string): Promise<string[]> => {
      const reply = await s.app.inject({ method: 'GET', url: `/api/markets?${query}` })
      return MarketsAnswer.parse(reply.json()).markets.map((m) => m.slug)
    }
    expect(await names('q=navi')).toEqual(['cs2-navi-g2'])
    expect(await names('q=SENTINELS%20fnatic')).toEqual(['val-fnc-sen'])
    expect(await names('sport=lol')).toEqual(['lol-t1-geng'])
    expect(await names('status=upcoming')).toEqual(['cs2-navi-g2'])
    expect(await names('status=live&sport=cs2')).toEqual([])
  })

  test('GET /api/markets refuses a bad filter, naming it', async () => {
    const s = start()
    const reply = await s.app.inject({ method: 'GET', url: '/api/markets?status=soon' })
    expect(reply.statusCode).toBe(400)
    expect(reply.json<{ errors: string[] }>().errors[0]).toMatch(/^status: /)
  })

  test('GET /api/markets/:id finds by condition id or slug, else 404', async () => {
    const s = start()
    const byId = await s.app.inject({ method: 'GET', url: `/api/markets/${SOON_ID}` })
    expect(MarketJson.parse(byId.json()).slug).toBe('cs2-navi-g2')
    const bySlug = await s.app.inject({ method: 'GET', url: '/api/markets/lol-t1-geng' })
    expect(MarketJson.parse(bySlug.json()).condition_id).toBe(DONE_ID)
    const missing = await s.app.inject({ method: 'GET', url: '/api/markets/nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json<{ error: string }>().error).toMatch(/no market .*"nope"/)
  })

  test('GET /api/trades answers the recent tape in decimals, newest first', async () => {
    const s = start()
    for (let i = 0; i < 3; i++) {
      s.hub.trade({
        type: 'trade',
        tokenId: '101',
        market: LIVE_ID,
        ts: NOW + i,
        price: 5300 + i * 100,
        size: 2_500_000,
        side: i === 1 ? 'sell' : 'buy',
      })
    }
    const reply = await s.app.inject({ method: 'GET', url: '/api/trades?token_id=101&limit=2' })
    expect(TradesAnswer.parse(reply.json())).toEqual({
      trades: [
        { ts: NOW + 2, price: '0.55', size: '2.5', side: 'buy' },
        { ts: NOW + 1, price: '0.54', size: '2.5', side: 'sell' },
      ],
    })
    const none = await s.app.inject({ method: 'GET', url: '/api/trades?token_id=999' })
    expect(none.json()).toEqual({ trades: [] })
    const bad = await s.app.inject({ method: 'GET', url: '/api/trades?limit=0' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json<{ errors: string[] }>().errors.join('\n')).toMatch(/token_id/)
    expect(bad.json<{ errors: string[] }>().errors.join('\n')).toMatch(/limit/)
  })

  test('GET /api/alerts lists recent alerts newest first; /api/config/ui the settings', async () => {
    const s = start()
    s.alerts.push(
      { id: 'a', ts: 1, severity: 'info', code: 'X', message: 'first', market: null },
      { id: 'b', ts: 2, severity: 'critical', code: 'DAILY_LOSS', message: 'x', market: LIVE_ID },
    )
    const alerts = await s.app.inject({ method: 'GET', url: '/api/alerts' })
    expect(AlertsAnswer.parse(alerts.json()).alerts.map((a) => a.id)).toEqual(['b', 'a'])
    const ui = await s.app.inject({ method: 'GET', url: '/api/config/ui' })
    expect(UiConfigAnswer.parse(ui.json())).toEqual({
      venue: 'paper',
      feed: 'sim',
      live: false,
      no_chase_ms: 0,
    })
  })
})

describe('API docs', () => {
  test('/docs serves Swagger UI from the package and /docs/json is OpenAPI of the routes', async () => {
    const s = start()
    const page = await s.app.inject({ method: 'GET', url: '/docs' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    // Every asset the page loads is served by the daemon itself (works offline).
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBeGreaterThanOrEqual(4)
    for (const asset of assets) {
      expect(asset.startsWith('/docs/static/'), asset).toBe(true)
      const reply = await s.app.inject({ method: 'GET', url: asset })
      expect(reply.statusCode, asset).toBe(200)
    }
    const reply = await s.app.inject({ method: 'GET', url: '/docs/json' })
    expect(reply.statusCode).toBe(200)
    const doc = reply.json<{
      openapi: string
      info: { version: string }
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
    }>()
    expect(doc.openapi).toMatch(/^3\.0\./)
    expect(doc.info.version).toBe('9.9.9')
    for (const path of [
      '/api/health',
      '/api/markets',
      '/api/markets/{id}',
      '/api/trades',
      '/api/alerts',
      '/api/config/ui',
      '/api/events',
      '/metrics',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path)
    }
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses), `${method} ${path}`).not.toEqual([])
      }
    }
    expect(Object.keys(doc.paths)).not.toContain('/')
    const markets = doc.paths['/api/markets']!.get as unknown as {
      parameters: { name: string; in: string }[]
    }
    expect(markets.parameters.map((p) => p.name).sort()).toEqual(['q', 'sport', 'status'])
  })
})

describe('the web app', () => {
  test('serves web/dist with the page routes falling back to index.html', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiltmeter-web-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>terminal</title>')
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)')
    const s = start({ webRoot: dir })
    for (const url of ['/', '/dashboard', '/dashboard/replay']) {
      const reply = await s.app.inject({ method: 'GET', url })
      expect(reply.statusCode, url).toBe(200)
      expect(reply.body).toContain('<title>terminal</title>')
      expect(reply.headers['cache-control']).toBe('no-cache')
    }
    const asset = await s.app.inject({ method: 'GET', url: '/assets/app-1234.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toMatch(/immutable/)
    for (const url of ['/api/nope', '/metrics/x', '/nope']) {
      const reply = await s.app.inject({ method: 'GET', url })
      expect(reply.statusCode, url).toBe(404)
      expect(reply.json<{ error: string }>().error).toMatch(/^no route for GET/)
    }
  })

  test('without a build, the page routes say to run npm run build', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiltmeter-web-'))
    const s = start({ webRoot: join(dir, 'missing') })
    const reply = await s.app.inject({ method: 'GET', url: '/' })
    expect(reply.statusCode).toBe(200)
    expect(reply.headers['content-type']).toMatch(/text\/html/)
    expect(reply.body).toContain('npm run build')
    const api = await s.app.inject({ method: 'GET', url: '/api/health' })
    expect(api.json()).toEqual({ status: 'ok' })
  })
})
