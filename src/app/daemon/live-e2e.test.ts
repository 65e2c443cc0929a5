import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createLogger } from '../../adapters/log.js'
import { openStore } from '../../adapters/storage/store.js'
import { MarketsAnswer } from '../../contracts/api.js'
import { validateGameEvent } from '../../domain/game-events.js'
import { resolveConfig } from '../config.js'
import { LivePage } from '../../../test/support/web-server.js'
import { startDaemon, type DaemonHandle } from './daemon.js'

const TOKEN = 'daemon-test-token-0123456789'

let dir: string
let daemon: DaemonHandle | null = null
let page: LivePage | null = null

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiltmeter-live-e2e-'))
})
afterEach(async () => {
  page?.close()
  page = null
  await daemon?.stop('test end')
  daemon = null
  rmSync(dir, { recursive: true, force: true })
})

test('daemon on --feed sim: the live socket streams books and the account; the API needs the token', async () => {
  const config = resolveConfig(
    dir,
    { TILTMETER_ACCESS_TOKEN: TOKEN },
    { port: '0', 'data-dir': dir, 'no-capture': true, 'log-level': 'silent' },
    null,
  )
  daemon = await startDaemon({
    config,
    feed: { kind: 'sim', matches: 1, seed: 5, speed: 1 },
    selection: { markets: [], assets: [], sports: [] },
    log: createLogger({ level: 'silent' }),
    openStore: (o) => openStore(o),
    validateGameEvent: (input) => validateGameEvent(input),
    processMetrics: false,
    auditIntervalMs: null,
    webRoot: join(dir, 'no-web-build'),
  })
  const url = daemon.url
  expect((await fetch(`${url}/api/markets`)).status).toBe(401)
  const auth = { authorization: `Bearer ${TOKEN}` }
  const listed = MarketsAnswer.parse(
    await (await fetch(`${url}/api/markets`, { headers: auth })).json(),
  )
  expect(listed.markets.length).toBeGreaterThan(0)
  const market = listed.markets[0]!
  expect(market.tokens).toHaveLength(2)
  const tokenId = market.tokens[0]!.token_id

  const live = await LivePage.open(url, auth)
  page = live
  await live.until('the greeting', () => live.messages.some((m) => m.type === 'account'))
  expect(live.messages[0]).toMatchObject({ type: 'hello', venue: 'paper', feed: 'sim' })
  const health = live.messages.find((m) => m.type === 'health')
  expect(health?.books[tokenId]).toMatch(/^(live|stale|resyncing|disconnected)$/)
  live.send(JSON.stringify({ type: 'subscribe', tokens: [tokenId] }))
  await live.until(
    'a book of the subscribed token',
    () => live.messages.some((m) => m.type === 'book' && m.bids.length > 0),
    20_000,
  )
  const books = live.messages.filter((m) => m.type === 'book')
  expect(new Set(books.map((b) => b.tokenId))).toEqual(new Set([tokenId]))
  expect(books[0]).toMatchObject({ market: market.condition_id })
  await live.until('latency figures', () => live.messages.some((m) => m.type === 'latency'), 20_000)
}, 60_000)
