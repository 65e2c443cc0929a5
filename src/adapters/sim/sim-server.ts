/**
 * The local exchange simulator's market-data side: one HTTP server on 127.0.0.1 serving the
 * market WebSocket (`/ws/market`), the CLOB REST reads (at the root, like the venue's CLOB
 * host) and Gamma (under `/gamma`). A scenario supplies the books and frames; a timer steps it
 * at `speed` × real time, or tests step it by hand (`speed: 0`). `pause` cuts the market data
 * feed (every market socket closed, new ones refused) until `resume`.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { OrderBook } from '../../domain/book/order-book.js'
import { FAULT_NAMES, FaultInjector, type FaultSpec, type FaultStats } from './faults.js'
import { gammaGet } from './gamma-routes.js'
import { readBody, sendJson } from './http-util.js'
import { MarketWs, type MarketWsStats } from './market-ws.js'
import { restGet, restPostBooks } from './rest-routes.js'
import type { Scenario, SimFrame, SimLabel } from './scenario.js'
import { MatchScenario } from './scenario-match.js'
import { SimTrading, type TradingOptions } from './trading/sim-trading.js'
import { ORDER_FAULTS } from './trading/trading-faults.js'

/**
 * Where faults plug in: every frame a step produces passes through it before broadcast, and
 * it returns what to send instead (drop = `[]`, duplicate, reorder across calls, corrupt).
 */
export type FrameFilter = (frame: SimFrame) => readonly SimFrame[]

export type SimOptions = {
  /** 0 (default) picks a free port. */
  readonly port?: number
  /** Only loopback addresses are accepted; default 127.0.0.1. */
  readonly host?: string
  /** `'match'` (default) or a ready scenario (e.g. a capture replay). */
  readonly scenario?: 'match' | Scenario
  readonly seed?: number
  /** Venue time (epoch ms) at which the `match` scenario starts; default a fixed instant. */
  readonly startMs?: number
  /** Simulated time per real time; 0 = never step on a timer (tests call `step`). Default 1. */
  readonly speed?: number
  /** Labels NDJSON file for the `match` scenario (truncated at start). */
  readonly labelsPath?: string
  readonly faults?: FrameFilter
  /** Per-connection WebSocket and per-request HTTP faults, seeded by `seed` (see faults.ts). */
  readonly injectFaults?: InjectFaults
  /** The trading side: API keys, orders, matching, user channel (see trading/sim-trading.ts). */
  readonly trading?: TradingOptions
}

export type InjectFaults = {
  readonly spec: FaultSpec
  /** NDJSON fault log, one `{ts, type, conn, asset_id?, path?}` line per fault. */
  readonly logPath?: string
  readonly silenceMs?: number
  readonly slowMs?: number
  readonly retryAfterS?: number
  /** Wall clock for the log and silence windows; default `Date.now`. */
  readonly now?: () => number
}

export type SimHandle = {
  readonly wsUrl: string
  readonly restUrl: string
  readonly gammaUrl: string
  /** The user channel (`/ws/user`). */
  readonly userWsUrl: string
  readonly scenario: Scenario
  /** The exchange side: keys, engine (wallets, orders, trades), order faults, user channel. */
  readonly trading: SimTrading
  readonly stats: MarketWsStats
  /** Faults injected so far per type (all zero without `injectFaults`). */
  faultStats(): FaultStats
  /** The scenario's authoritative book of a token. */
  trueBook(assetId: string): OrderBook | undefined
  /** Steps the scenario `n` times (default 1) and broadcasts the frames; returns them. */
  step(n?: number): SimFrame[]
  /**
   * Drops the market data feed: closes every `/ws/market` connection and answers new ones 503
   * until {@link resume}. The scenario keeps stepping and REST, Gamma and the user channel keep
   * answering, as when only the venue's market socket goes away. Idempotent.
   */
  pause(): void
  /** Accepts market sockets again (clients reconnect and get fresh books). Idempotent. */
  resume(): void
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
const GAMMA_PREFIX = '/gamma'

export class SimOptionError extends Error {
  readonly code = 'SIM_OPTION_INVALID'
}

function checkTradingOptions(trading: TradingOptions): void {
  if (trading.chainId !== undefined && trading.chainId !== 137 && trading.chainId !== 80002) {
    throw new SimOptionError(
      `chainId ${trading.chainId} is invalid: use 137 (Polygon) or 80002 (Amoy)`,
    )
  }
  const delays = trading.inPlayDelayMs
  const numbers: [string, number | undefined][] = [
    ['startingCollateral', trading.startingCollateral],
    ['minedAfterMs', trading.minedAfterMs],
    ['confirmedAfterMs', trading.confirmedAfterMs],
    ['heartbeatTimeoutMs', trading.heartbeatTimeoutMs],
    ['maxClockSkewS', trading.maxClockSkewS],
    ['postOnlyRetryAfterS', trading.postOnlyRetryAfterS],
    ...(typeof delays === 'number'
      ? [['inPlayDelayMs', delays] as [string, number]]
      : Object.entries(delays ?? {}).map(
          ([id, ms]) => [`inPlayDelayMs of ${id}`, ms] as [string, number],
        )),
  ]
  for (const [name, value] of numbers) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new SimOptionError(`${name} ${value} is invalid: use a whole number >= 0`)
    }
  }
  for (const [name, rate] of Object.entries(trading.faults ?? {})) {
    if (!(ORDER_FAULTS as readonly string[]).includes(name)) {
      throw new SimOptionError(
        `unknown order fault "${name}": known order faults are ${ORDER_FAULTS.join(', ')}`,
      )
    }
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new SimOptionError(`rate of order fault "${name}" is ${rate}: use a probability 0..1`)
    }
  }
}

function checkOptions(options: SimOptions): void {
  if (options.trading !== undefined) checkTradingOptions(options.trading)
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) {
    throw new SimOptionError(
      `host ${host} is not a loopback address: the simulator binds 127.0.0.1 only`,
    )
  }
  const speed = options.speed ?? 1
  if (!Number.isFinite(speed) || speed < 0) {
    throw new SimOptionError(`speed ${speed} is invalid: use a number >= 0 (0 = step by hand)`)
  }
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SimOptionError(`port ${port} is invalid: use an integer 0..65535 (0 = any free port)`)
  }
  const seed = options.seed ?? 1
  if (!Number.isInteger(seed)) {
    throw new SimOptionError(`seed ${seed} is invalid: use an integer`)
  }
  const inject = options.injectFaults
  if (inject !== undefined) {
    for (const [name, rate] of Object.entries(inject.spec)) {
      if (!(FAULT_NAMES as readonly string[]).includes(name)) {
        throw new SimOptionError(
          `unknown fault "${name}": known faults are ${FAULT_NAMES.join(', ')}`,
        )
      }
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
        throw new SimOptionError(`rate of fault "${name}" is ${rate}: use a probability 0..1`)
      }
    }
    for (const key of ['silenceMs', 'slowMs', 'retryAfterS'] as const) {
      const value = inject[key]
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        throw new SimOptionError(`${key} ${value} is invalid: use a whole number >= 0`)
      }
    }
  }
}

export async function startSim(options: SimOptions = {}): Promise<SimHandle> {
  checkOptions(options)
  const host = options.host ?? '127.0.0.1'
  const speed = options.speed ?? 1
  const labelsPath = options.labelsPath
  if (labelsPath !== undefined) writeFileSync(labelsPath, '')
  const onLabel =
    labelsPath === undefined
      ? undefined
      : (label: SimLabel) => appendFileSync(labelsPath, `${JSON.stringify(label)}\n`)
  const scenario: Scenario =
    options.scenario === undefined || options.scenario === 'match'
      ? new MatchScenario({
          seed: options.seed ?? 1,
          ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
          ...(onLabel === undefined ? {} : { onLabel }),
        })
      : options.scenario
  const inject = options.injectFaults
  const injector = new FaultInjector({
    spec: inject?.spec ?? {},
    seed: options.seed ?? 1,
    ...(inject?.logPath === undefined ? {} : { logPath: inject.logPath }),
    ...(inject?.silenceMs === undefined ? {} : { silenceMs: inject.silenceMs }),
    ...(inject?.slowMs === undefined ? {} : { slowMs: inject.slowMs }),
    ...(inject?.retryAfterS === undefined ? {} : { retryAfterS: inject.retryAfterS }),
    ...(inject?.now === undefined ? {} : { now: inject.now }),
  })
  const ws = new MarketWs(scenario, inject === undefined ? undefined : injector)
  const trading = new SimTrading(scenario, options.seed ?? 1, options.trading, (frame) =>
    ws.broadcast(frame),
  )
  const faults = options.faults
  const slowTimers = new Set<NodeJS.Timeout>()
  const marketSockets = new Set<Duplex>()
  let paused = false

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    handleHttp(scenario, trading, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error)
      if (!res.headersSent) sendJson(res, { status: 400, body: { error: message } })
      else res.destroy()
    })
  }
  const server = createServer((req, res) => {
    const fault =
      inject === undefined ? null : injector.http(new URL(req.url ?? '/', 'http://sim').pathname)
    if (fault === null) {
      answer(req, res)
    } else if (fault.kind === 'status') {
      const text = JSON.stringify({ error: `simulated fault: HTTP ${fault.status}` })
      res.writeHead(fault.status, {
        ...fault.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      })
      res.end(text)
    } else {
      const timer = setTimeout(() => {
        slowTimers.delete(timer)
        answer(req, res)
      }, fault.delayMs)
      slowTimers.add(timer)
    }
  })
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname
    if (path === '/ws/user') {
      trading.userWs.handleUpgrade(req, socket, head)
      return
    }
    if (path !== '/ws/market') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      return
    }
    if (paused) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
      )
      return
    }
    marketSockets.add(socket)
    socket.once('close', () => marketSockets.delete(socket))
    ws.handleUpgrade(req, socket, head)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port, address } = server.address() as AddressInfo
  const hostText = address.includes(':') ? `[${address}]` : address

  const step = (n = 1): SimFrame[] => {
    const all: SimFrame[] = []
    for (let i = 0; i < n; i++) {
      for (const frame of scenario.step()) {
        for (const out of faults === undefined ? [frame] : faults(frame)) {
          all.push(out)
          ws.broadcast(out)
        }
      }
      trading.afterStep()
    }
    return all
  }

  let timer: NodeJS.Timeout | undefined
  if (speed > 0) {
    const intervalMs = Math.max(5, scenario.stepMs / speed)
    const perTick = Math.max(1, Math.round((intervalMs * speed) / scenario.stepMs))
    timer = setInterval(() => {
      if (!scenario.done) step(perTick)
    }, intervalMs)
  }

  let closed: Promise<void> | null = null
  return {
    wsUrl: `ws://${hostText}:${port}/ws/market`,
    restUrl: `http://${hostText}:${port}`,
    gammaUrl: `http://${hostText}:${port}${GAMMA_PREFIX}`,
    userWsUrl: `ws://${hostText}:${port}/ws/user`,
    scenario,
    trading,
    stats: ws.stats,
    faultStats: () => injector.stats(),
    trueBook: (assetId) => scenario.trueBook(assetId),
    step,
    pause() {
      paused = true
      for (const socket of marketSockets) socket.destroy()
      marketSockets.clear()
    },
    resume() {
      paused = false
    },
    close() {
      closed ??= (async () => {
        if (timer !== undefined) clearInterval(timer)
        for (const slow of slowTimers) clearTimeout(slow)
        slowTimers.clear()
        await trading.close()
        await ws.close()
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      })()
      return closed
    },
  }
}

async function handleHttp(
  scenario: Scenario,
  trading: SimTrading,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim')
  const path = url.pathname
  if (await trading.handle(req, res, url)) return
  if (req.method === 'POST' && path === '/books') {
    sendJson(res, restPostBooks(scenario, await readBody(req)))
    return
  }
  if (req.method === 'GET') {
    const reply = path.startsWith(`${GAMMA_PREFIX}/`)
      ? gammaGet(scenario, path.slice(GAMMA_PREFIX.length), url.searchParams)
      : restGet(scenario, path, url.searchParams)
    if (reply !== null) {
      sendJson(res, reply)
      return
    }
  }
  sendJson(res, { status: 404, body: { error: `no route for ${req.method ?? '?'} ${path}` } })
}
