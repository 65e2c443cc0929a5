/**
 * Helpers of the live-venue suites: a daemon on `--feed sim --venue sim`, JSON calls to its API,
 * and polling with a deadline (no fixed sleeps).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/adapters/log.js'
import type { TradingOptions } from '../../src/adapters/sim/trading/sim-trading.js'
import { openStore } from '../../src/adapters/storage/store.js'
import { validateGameEvent } from '../../src/domain/game-events.js'
import { resolveConfig } from '../../src/app/config.js'
import { startDaemon, type DaemonHandle } from '../../src/app/daemon/daemon.js'

export type Row = Record<string, unknown>

/** Risk settings that let a test send orders back to back. */
export const TEST_RISK = {
  tradeCooldownMs: 0,
  apiErrorMinSample: 1000,
  maxSpreadMultiple: 1000,
  fatFingerTicks: 1000,
  maxOrderUsd: 100_000,
  maxPositionUsd: 100_000,
}

/** Polls `probe` until it returns a value, or fails after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined> | T | null | undefined,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms
  let last: string | null = null
  for (;;) {
    try {
      const value = await probe()
      if (value !== null && value !== undefined) return value
    } catch (e) {
      last = e instanceof Error ? e.message : String(e)
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last === null ? '' : `: ${last}`}`)
    }
    await new Promise<void>((done) => setTimeout(done, 20))
  }
}

export async function call(
  url: string,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: Row }> {
  const response = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Row }
}

export type SimDaemon = {
  readonly daemon: DaemonHandle
  readonly dir: string
  close(): Promise<void>
}

/** A daemon trading on the in-process simulator through the live adapter. */
export async function simDaemon(simTrading: TradingOptions = {}, seed = 21): Promise<SimDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-live-'))
  const config = resolveConfig(
    dir,
    {},
    { port: '0', 'data-dir': dir, 'no-capture': true, 'log-level': 'silent' },
    { path: join(dir, 'tiltmeter.config.json'), value: { risk: TEST_RISK } },
  )
  const daemon = await startDaemon({
    config,
    feed: { kind: 'sim', matches: 1, seed, speed: 1 },
    selection: { markets: [], assets: [], sports: [] },
    log: createLogger({ level: 'silent' }),
    openStore: (o) => openStore(o),
    validateGameEvent: (input) => validateGameEvent(input),
    processMetrics: false,
    auditIntervalMs: null,
    venue: { kind: 'sim' },
    simTrading: {
      minedAfterMs: 30,
      confirmedAfterMs: 30,
      startingCollateral: 100_000_000_000,
      ...simTrading,
    },
    venueTuning: { retry425BaseMs: 5, resolveDelaysMs: [100, 200, 400, 800], tradeWaitMs: 1000 },
  })
  return {
    daemon,
    dir,
    async close() {
      await daemon.stop('test end')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A token whose book has both sides, fresh. */
export function liveToken(daemon: DaemonHandle): Promise<string> {
  return until('a live book with both sides', () => {
    for (const [id, book] of daemon.feed.market.books) {
      if (!book.stale && book.bestAsk() !== null && book.bestBid() !== null) return id
    }
    return null
  })
}

export async function orderOf(daemon: DaemonHandle, id: string): Promise<Row | undefined> {
  const { body } = await call(`${daemon.url}/api/orders`)
  return (body.orders as Row[]).find((o) => o.id === id)
}

export async function fillsOf(daemon: DaemonHandle, id: string): Promise<Row[]> {
  const { body } = await call(`${daemon.url}/api/fills`)
  return (body.fills as Row[]).filter((f) => f.client_order_id === id)
}

/** Waits until the order reaches one of `statuses`; answers the order row. */
export function orderReaches(
  daemon: DaemonHandle,
  id: string,
  statuses: readonly string[],
  ms?: number,
): Promise<Row> {
  return until(
    `order ${id} to become ${statuses.join(' or ')}`,
    async () => {
      const order = await orderOf(daemon, id)
      return order !== undefined && statuses.includes(String(order.status)) ? order : null
    },
    ms,
  )
}
