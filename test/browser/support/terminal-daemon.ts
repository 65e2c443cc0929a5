/**
 * The daemon the browser suite drives: `--feed sim` with the paper venue on 127.0.0.1, a random
 * port, SQLite in a temporary data directory, serving the built page from `web/dist`. Risk
 * limits are the defaults except where the journeys need room: no per-market cooldown (the
 * keypress measurement sends orders back to back), a low maximum order value (the MAX_ORDER
 * journey) and loss limits far away (panic close realizes small losses).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger } from '../../../src/adapters/log.js'
import { openStore } from '../../../src/adapters/storage/store.js'
import { validateGameEvent } from '../../../src/domain/game-events.js'
import { resolveConfig } from '../../../src/app/config.js'
import { startDaemon, type DaemonHandle } from '../../../src/app/daemon/daemon.js'

/** The built terminal the daemon serves. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url))

/** Largest single order the suite's daemon accepts, USD (the MAX_ORDER journey goes above). */
export const MAX_ORDER_USD = 50

export const BROWSER_RISK = {
  tradeCooldownMs: 0,
  maxOrderUsd: MAX_ORDER_USD,
  maxPositionUsd: 100_000,
  maxDailyLossUsd: 100_000,
  maxConsecutiveLosses: 1000,
  maxDrawdownPct: 100,
  maxSpreadMultiple: 1000,
  apiErrorMinSample: 1000,
}

export type Row = Record<string, unknown>

export type TerminalDaemon = {
  readonly daemon: DaemonHandle
  readonly url: string
  close(): Promise<void>
}

/** Fails with what to run when the page was never built. */
export function checkWebBuild(dist = WEB_DIST): void {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(
      `the web terminal is not built (${dist}/index.html is missing): run \`npm run build:web\` ` +
        '(or `npm run build`) before the browser tests',
    )
  }
}

export async function startTerminalDaemon(): Promise<TerminalDaemon> {
  checkWebBuild()
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-browser-'))
  try {
    const config = resolveConfig(
      dir,
      {},
      { port: '0', 'data-dir': dir, 'no-capture': true, 'log-level': 'silent' },
      { path: join(dir, 'tiltmeter.config.json'), value: { risk: BROWSER_RISK } },
    )
    const daemon = await startDaemon({
      config,
      feed: { kind: 'sim', matches: 2, seed: 7, speed: 1 },
      selection: { markets: [], assets: [], sports: [] },
      log: createLogger({ level: 'silent' }),
      openStore: (o) => openStore(o),
      validateGameEvent: (input) => validateGameEvent(input),
      processMetrics: false,
      auditIntervalMs: null,
      venue: { kind: 'paper' },
      webRoot: WEB_DIST,
      // A dropped feed comes back within about a second of the simulator accepting it again.
      connection: { backoff: { initialMs: 200, maxMs: 1000 } },
    })
    return {
      daemon,
      url: daemon.url,
      async close() {
        try {
          await daemon.stop('browser tests done')
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}

/** Polls `probe` until it returns a value, or fails after `ms` naming what it waited for. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms
  let last: string | null = null
  for (;;) {
    try {
      const value = await probe()
      if (value !== null && value !== undefined && value !== false) return value
    } catch (e) {
      last = e instanceof Error ? e.message : String(e)
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last === null ? '' : `: ${last}`}`,
      )
    }
    await new Promise<void>((done) => setTimeout(done, 50))
  }
}

/** One JSON call to the daemon's REST API. */
export async function api(
  url: string,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: Row }> {
  const response = await fetch(url, {
    method,
    signal: AbortSignal.timeout(10_000),
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Row }
}

/** Open positions (size above zero) as the daemon reports them. */
export async function openPositions(url: string): Promise<Row[]> {
  const { body } = await api(`${url}/api/positions`)
  return (body['positions'] as Row[]).filter((p) => Number(p['size']) > 0)
}

/** Working orders as the daemon reports them. */
export async function workingOrders(url: string): Promise<Row[]> {
  const { body } = await api(`${url}/api/orders`)
  const working = new Set(['pending', 'delayed', 'open', 'unknown'])
  return (body['orders'] as Row[]).filter((o) => working.has(String(o['status'])))
}
