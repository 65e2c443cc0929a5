import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createLogger } from '../../adapters/log.js'
import { openStore } from '../../adapters/storage/store.js'
import { validateGameEvent } from '../../domain/game-events.js'
import type { EpochMs } from '../../domain/units.js'
import { resolveConfig } from '../config.js'
import { startDaemon, type DaemonHandle } from './daemon.js'

let dir: string
let daemon: DaemonHandle | null = null

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiltmeter-orders-e2e-'))
})
afterEach(async () => {
  await daemon?.stop('test end')
  daemon = null
  rmSync(dir, { recursive: true, force: true })
})

/** Polls `probe` until it returns a value, or fails after `ms` (no fixed sleeps). */
async function until<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise<void>((done) => setImmediate(done))
  }
}

type Row = Record<string, unknown>
/** The answer fields the tests read. */
type Answer = {
  order: Row
  orders: Row[]
  fills: Row[]
  positions: Row[]
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Answer }> {
  const response = await fetch(url, init)
  return { status: response.status, body: (await response.json()) as Answer }
}

test('paper market buy on --feed sim: fill and position over the API, stored in SQLite', async () => {
  const config = resolveConfig(
    dir,
    {},
    { port: '0', 'data-dir': dir, 'no-capture': true, 'log-level': 'silent' },
    null,
  )
  daemon = await startDaemon({
    config,
    feed: { kind: 'sim', matches: 1, seed: 11, speed: 1 },
    selection: { markets: [], assets: [], sports: [] },
    log: createLogger({ level: 'silent' }),
    openStore: (o) => openStore(o),
    validateGameEvent: (input) => validateGameEvent(input),
    processMetrics: false,
    auditIntervalMs: null,
  })
  const running = daemon
  expect(running.orders).not.toBeNull()
  const tokenId = await until('a live book with asks', () => {
    for (const [id, book] of running.feed.market.books) {
      if (!book.stale && book.bestAsk() !== null && book.bestBid() !== null) return id
    }
    return null
  })

  const order = await json(`${running.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token_id: tokenId,
      side: 'buy',
      type: 'market',
      size: '5',
      client_order_id: 'e2e-1',
    }),
  })
  expect(order.status).toBe(201)
  expect(order.body.order).toMatchObject({ id: 'e2e-1', side: 'buy', size: '5', origin: 'api' })

  const fills = await until('the fill', async () => {
    const { body } = await json(`${running.url}/api/fills`)
    const mine = (body.fills as { client_order_id: string; size: string }[]).filter(
      (f) => f.client_order_id === 'e2e-1',
    )
    const total = mine.reduce((sum, f) => sum + Number(f.size), 0)
    return total === 5 ? mine : null
  })
  expect(fills[0]).toMatchObject({ token_id: tokenId, side: 'buy', liquidity: 'taker' })

  const positions = await json(`${running.url}/api/positions`)
  expect(positions.status).toBe(200)
  expect(positions.body.positions).toEqual([
    expect.objectContaining({ token_id: tokenId, size: '5' }),
  ])
  const orders = await json(`${running.url}/api/orders`)
  expect(orders.body.orders[0]).toMatchObject({ id: 'e2e-1', status: 'filled', filled: '5' })

  // The order path's latency reaches the Prometheus histograms.
  const metrics = await (await fetch(`${running.url}/metrics`)).text()
  const sent = /tiltmeter_stage_latency_seconds_count\{stage="decision_to_send"\} (\d+)/.exec(
    metrics,
  )
  expect(Number(sent?.[1])).toBeGreaterThanOrEqual(1)

  // Alerts raised on the trading side reach the alert outlets, which store them.
  running.trading?.alerts.raise({
    ts: Date.now() as EpochMs,
    severity: 'warning',
    code: 'E2E_CHECK',
    message: 'stored by the outlets',
    market: null,
  })

  await running.stop('checked')
  daemon = null
  const store = await openStore({ dataDir: dir })
  try {
    const stored = await store.kysely.selectFrom('fills').selectAll().execute()
    expect(stored.map((r) => [r.client_order_id, r.token_id])).toEqual(
      fills.map(() => ['e2e-1', tokenId]),
    )
    const position = await store.kysely
      .selectFrom('positions')
      .selectAll()
      .where('token_id', '=', tokenId)
      .executeTakeFirst()
    expect(Number(position?.size)).toBe(5_000_000)
    const row = await store.kysely
      .selectFrom('orders')
      .selectAll()
      .where('client_order_id', '=', 'e2e-1')
      .executeTakeFirst()
    expect(row?.status).toBe('filled')
    const latency = await store.kysely
      .selectFrom('order_latency')
      .selectAll()
      .where('client_order_id', '=', 'e2e-1')
      .executeTakeFirst()
    expect(Number(latency?.decision_to_send_ms)).toBeGreaterThanOrEqual(0)
    const alerts = await store.kysely.selectFrom('alerts').selectAll().execute()
    expect(alerts.map((a) => a.kind)).toContain('E2E_CHECK')
  } finally {
    await store.close()
  }
}, 60_000)

test('an order left working by a crash is unknown after the restart, and its alert is stored', async () => {
  const config = resolveConfig(
    dir,
    {},
    { port: '0', 'data-dir': dir, 'no-capture': true, 'log-level': 'silent' },
    null,
  )
  const start = (): Promise<DaemonHandle> =>
    startDaemon({
      config,
      feed: { kind: 'sim', matches: 1, seed: 11, speed: 1 },
      selection: { markets: [], assets: [], sports: [] },
      log: createLogger({ level: 'silent' }),
      openStore: (o) => openStore(o),
      validateGameEvent: (input) => validateGameEvent(input),
      processMetrics: false,
      auditIntervalMs: null,
    })
  daemon = await start()
  const first = daemon
  const tokenId = await until('a live book with a bid', () => {
    for (const [id, book] of first.feed.market.books) {
      const bid = book.bestBid()
      if (!book.stale && bid !== null && bid > 500) return id
    }
    return null
  })
  // A resting buy at 0.01: the paper venue keeps it in memory only, as a venue that lost it.
  const order = await json(`${first.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token_id: tokenId,
      side: 'buy',
      type: 'limit',
      price: '0.01',
      size: '5',
      client_order_id: 'left-working',
    }),
  })
  expect(order.status).toBe(201)
  await first.stop('crash stand-in')

  // The alert is raised while trading starts, before the daemon answers: it must be stored.
  daemon = await start()
  const orders = await json(`${daemon.url}/api/orders`)
  expect(orders.body.orders.find((o) => o['id'] === 'left-working')).toMatchObject({
    status: 'unknown',
  })
  await daemon.stop('checked')
  daemon = null
  const store = await openStore({ dataDir: dir })
  try {
    const alerts = await store.kysely.selectFrom('alerts').selectAll().execute()
    expect(alerts.map((a) => a.kind)).toContain('ORDER_UNKNOWN')
  } finally {
    await store.close()
  }
}, 60_000)
