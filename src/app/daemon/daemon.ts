/**
 * The daemon: one process wiring feed → books → signals → store, with tick capture and an
 * HTTP server on loopback (`/metrics`, `/api/health`, `/api/events`).
 *
 * Startup order, each step undone if a later one fails: store (migrations), HTTP listen (a
 * taken port fails before anything connects), the simulator (for `--feed sim`), discovery
 * and market upserts, the capture, the feed. Shutdown: feed, HTTP, signal engine, capture
 * (flushed), store queue (drained), store, simulator.
 */
import { performance } from 'node:perf_hooks'
import { CaptureWriter } from '../../adapters/capture/capture-writer.js'
import type { Logger } from '../../adapters/log.js'
import { ClobRestClient } from '../../adapters/polymarket/rest/clob-rest.js'
import { VenueError } from '../../adapters/polymarket/errors.js'
import type { HttpOptions } from '../../adapters/polymarket/rest/http.js'
import type { MarketConnectionOptions } from '../../adapters/polymarket/ws/connection.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { MultiMatchScenario } from '../../adapters/sim/scenario-multi.js'
import { startSim, type SimHandle } from '../../adapters/sim/sim-server.js'
import { createAlertsRepo } from '../../adapters/storage/alerts-repo.js'
import { createOrdersRepo } from '../../adapters/storage/orders-repo.js'
import { createStopsRepo } from '../../adapters/storage/stops-repo.js'
import type { TradingOptions } from '../../adapters/sim/trading/sim-trading.js'
import type { MarketRecord, TokenRecord } from '../../adapters/storage/records.js'
import type { Store } from '../../adapters/storage/store.js'
import type { UsdcMicros } from '../../domain/units.js'
import type { OrderService } from '../../engine/execution/order-service.js'
import type { OrderStore } from '../../engine/execution/order-store.js'
import type { MarketDataListener } from '../../engine/market-data.js'
import type { GameEventValidation } from '../../domain/game-events.js'
import type { MarketInfo } from '../../domain/market-info.js'
import { createSnapshotThrottle } from '../../engine/snapshot-throttle.js'
import type { Config } from '../config.js'
import { discoverMarkets, explainGammaError, type MarketSelection } from './discovery.js'
import { liveFeed, replayFeed, type FeedSource } from './feed-source.js'
import { resolveAccessToken, type AccessToken } from './access-token.js'
import { buildHttpServer } from './http.js'
import { createLiveWiring, packageVersion } from './live-wiring.js'
import type { LiveHub } from '../../adapters/web/live-hub.js'
import { defaultWebRoot } from '../../adapters/web/static-app.js'
import { AlertCenter } from '../../engine/execution/alerts.js'
import { DaemonMetrics } from './metrics.js'
import { createOrderInstruments, type OrderInstruments } from './order-instruments.js'
import { createPipeline } from './pipeline.js'
import { createDashboardWiring } from './playback-wiring.js'
import type { DaemonStore, SignalEngineFactory } from './ports.js'
import {
  startTrading,
  TradingSetupError,
  type TradingSetup,
  type TradingSetupOptions,
  type VenueChoice,
  type VenueTuning,
} from './trading-setup.js'
import { userWsUrlOf } from './trading-text.js'
import { WriteQueue } from './write-queue.js'

export type FeedChoice =
  | { readonly kind: 'polymarket' }
  | {
      readonly kind: 'sim'
      /** Matches in the simulated venue (8 tokens each). */
      readonly matches: number
      readonly seed: number
      /** Simulated time per real time. */
      readonly speed: number
    }
  | { readonly kind: 'replay'; readonly path: string }

export type DaemonOptions = {
  readonly config: Config
  readonly feed: FeedChoice
  /** What to watch on the venue; for `sim`, empty means every simulated market. */
  readonly selection: MarketSelection
  readonly log: Logger
  readonly openStore: (options: {
    databaseUrl: string | undefined
    dataDir: string
  }) => Promise<DaemonStore>
  readonly validateGameEvent: (input: unknown) => GameEventValidation
  readonly signalEngine?: SignalEngineFactory | undefined
  /** Gamma and REST request settings. */
  readonly http?: HttpOptions
  readonly connection?: Pick<
    MarketConnectionOptions,
    'pingIntervalMs' | 'silenceTimeoutMs' | 'dataSilenceMs' | 'backoff' | 'random'
  >
  /** Compare one live book with REST `/book` this often; default 5 s; null = off. */
  readonly auditIntervalMs?: number | null
  /** Export process metrics (RSS, CPU, event loop); default true. */
  readonly processMetrics?: boolean
  /** Capture flush interval; default 1 s. */
  readonly captureFlushMs?: number
  readonly now?: () => number
  /**
   * The order path's storage; default: the store's own connection when it has one (the real
   * store), else no trading routes.
   */
  readonly orderStore?: (store: DaemonStore) => OrderStore | null
  /** Starting cash of the paper account, USDC micros; default 10,000 USDC. */
  readonly paperBankrollUsdc?: number
  /** Where orders go; default paper. */
  readonly venue?: VenueChoice
  /** The simulator's exchange settings (in-play delay, faults) for `--feed sim`. */
  readonly simTrading?: TradingOptions
  /** Test hook: each stage of a live venue's submit (see trading-setup.ts). */
  readonly tradingStage?: TradingSetupOptions['stage']
  /** Live venue timings tests shorten. */
  readonly venueTuning?: VenueTuning
  /** The built web terminal; default `web/dist` in the package. */
  readonly webRoot?: string
  /** Where a newly generated access token is shown once; default stderr. */
  readonly announce?: (text: string) => void
  /** More directories of recorded captures for the dashboard, after `config.captureDir`. */
  readonly captureDirs?: readonly string[]
}

export type StopSummary = {
  readonly reason: string
  readonly uptimeSeconds: number
  readonly frames: number
  readonly rowsWritten: Readonly<Record<string, number>>
  readonly rowsDropped: Readonly<Record<string, number>>
  readonly captureLines: number
  readonly captureFiles: readonly string[]
  /** Problems met while stopping (each already logged); empty on a clean stop. */
  readonly problems: readonly string[]
}

export type DaemonHandle = {
  /** `http://host:port`. */
  readonly url: string
  readonly port: number
  readonly sim: SimHandle | null
  readonly assetIds: readonly string[]
  readonly markets: readonly MarketInfo[]
  readonly metrics: DaemonMetrics
  readonly queue: WriteQueue
  readonly feed: FeedSource
  readonly capture: CaptureWriter | null
  readonly storeLocation: string
  /** The order service; null when the store has no order tables. */
  readonly orders: OrderService | null
  /** The trading side (venue, stops, alerts); null when the store has no order tables. */
  readonly trading: TradingSetup | null
  /** The web terminal's live socket hub. */
  readonly live: LiveHub
  /** Idempotent. */
  stop(reason: string): Promise<StopSummary>
}

/** Startup failed; the message says what and what to do. Everything started is stopped. */
export class DaemonStartError extends Error {
  readonly code = 'DAEMON_START_FAILED'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DaemonStartError'
  }
}

const DEFAULT_AUDIT_MS = 5_000
const DEFAULT_BANKROLL_USDC = 10_000_000_000
/** How often the paper venue runs orders waiting on latency or the in-play delay. */

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Starts the daemon; rejects with {@link DaemonStartError} (nothing left running). */
export async function startDaemon(options: DaemonOptions): Promise<DaemonHandle> {
  const { config, log } = options
  const now = options.now ?? Date.now
  const startedAt = performance.now()
  // Beyond loopback an access token is required (generated at first start when none is set).
  let access: AccessToken
  try {
    access = await resolveAccessToken({
      host: config.host,
      configured: config.accessToken,
      dataDir: config.dataDir,
    })
  } catch (e) {
    throw new DaemonStartError(messageOf(e), { cause: e })
  }
  const undo: (() => Promise<void>)[] = []
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      try {
        await step()
      } catch (e) {
        log.error({ err: messageOf(e) }, 'cleanup after a failed start failed')
      }
    }
  }
  try {
    return await start(options, now, startedAt, undo, access)
  } catch (e) {
    await unwind()
    if (e instanceof DaemonStartError) throw e
    throw new DaemonStartError(messageOf(e), { cause: e })
  }
}

async function start(
  options: DaemonOptions,
  now: () => number,
  startedAt: number,
  undo: (() => Promise<void>)[],
  access: AccessToken,
): Promise<DaemonHandle> {
  const { config, log } = options
  let store: DaemonStore
  try {
    store = await options.openStore({
      databaseUrl: config.databaseUrl ?? undefined,
      dataDir: config.dataDir,
    })
  } catch (e) {
    throw new DaemonStartError(`cannot open the store: ${messageOf(e)}`, { cause: e })
  }
  undo.push(() => store.close())

  let feed: FeedSource | null = null
  let stopping = false
  const metrics: DaemonMetrics = new DaemonMetrics(
    {
      feed: () =>
        feed?.stats() ?? {
          frames: 0,
          events: 0,
          parseErrors: 0,
          reconnects: 0,
          resyncs: 0,
          health: { live: 0, stale: 0, resyncing: 0, disconnected: 0 },
        },
      queue: () => ({ depth: queue.depth, ...queue.counters }),
      uptimeSeconds: () => (performance.now() - startedAt) / 1000,
    },
    { processMetrics: options.processMetrics ?? true },
  )
  const storeWrite = metrics.stage.store_write
  const queue = new WriteQueue({
    sink: store,
    maxDepth: config.storeQueueMax,
    log,
    onWrite: (_table, _rows, seconds) => storeWrite.observe(seconds),
  })
  const complements = new Map<string, string>()
  const live = createLiveWiring({
    log,
    now,
    metrics,
    feed: () => feed,
    feedKind: options.feed.kind,
    orders: () => orders,
    alerts: () => trading?.alerts ?? null,
    ui: () => ({
      venue: trading?.venueName ?? options.venue?.kind ?? 'paper',
      feed: options.feed.kind,
      live: options.venue?.kind === 'polymarket',
      no_chase_ms: 0,
    }),
    stopping: () => stopping,
    markets: () => markets,
  })
  const pipeline = createPipeline({
    queue,
    throttle: createSnapshotThrottle(config.snapshotIntervalMs),
    metrics,
    store,
    log,
    signalEngine: live.signalEngine(options.signalEngine),
    signalConfig: config.signals,
    complementOf: (assetId) => complements.get(assetId),
  })

  let trading: TradingSetup | null = null
  let orders: OrderService | null = null
  const listener: MarketDataListener = live.listener({
    ...pipeline.listener,
    onEvent: (event, meta) => {
      pipeline.listener.onEvent?.(event, meta)
      if (event.type === 'last_trade_price') trading?.onTrade(event)
    },
    onBookChanged: (book, event, meta) => {
      pipeline.listener.onBookChanged?.(book, event, meta)
      trading?.onBookChanged(book)
    },
  })

  let sim: SimHandle | null = null
  let assetIds: readonly string[] = []
  let markets: readonly MarketInfo[] = []
  const app = buildHttpServer({
    metrics,
    health: () => ({
      status: stopping ? 'stopping' : 'ok',
      feed: options.feed.kind,
      uptimeSeconds: Math.round((performance.now() - startedAt) / 100) / 10,
      assets: assetIds.length,
      markets: markets.length,
      ...(feed === null ? {} : feedHealth(feed)),
      store: {
        location: store.location,
        queueDepth: queue.depth,
        written: queue.counters.written,
        dropped: queue.counters.dropped,
        failed: queue.counters.failed,
      },
      ...(sim === null
        ? {}
        : { sim: { wsUrl: sim.wsUrl, restUrl: sim.restUrl, gammaUrl: sim.gammaUrl } }),
    }),
    validateGameEvent: options.validateGameEvent,
    store,
    log,
    orders: () => orders,
    orderRoutes: { stops: () => trading?.stops ?? null },
    access: { token: access.kind === 'none' ? null : access.token },
    live: { hub: live.hub, markets: live.markets },
    dashboard: createDashboardWiring({
      captureDirs: [config.captureDir, ...(options.captureDirs ?? [])],
      store,
      signalEngine: options.signalEngine,
      signalConfig: config.signals,
      log,
      now,
    }),
    webRoot: options.webRoot ?? defaultWebRoot(),
    version: packageVersion(),
  })
  let address: string
  try {
    address = await app.listen({ host: config.host, port: config.port })
  } catch (e) {
    await app.close()
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new DaemonStartError(
        `port ${config.port} on ${config.host} is in use: stop what holds it, or choose another ` +
          'with --port (or "port" in the config file; 0 picks any free port)',
        { cause: e },
      )
    }
    throw new DaemonStartError(`cannot listen on ${config.host}:${config.port}: ${messageOf(e)}`, {
      cause: e,
    })
  }
  undo.push(() => app.close())
  const port =
    app.server.address() !== null && typeof app.server.address() === 'object'
      ? (app.server.address() as { port: number }).port
      : config.port
  log.info({ address, accessToken: access.kind }, 'http listening')
  live.hub.start()
  undo.push(() => Promise.resolve(live.hub.stop()))
  if (access.kind === 'file' && access.generated) {
    // Shown once, to the person starting the daemon; never logged.
    log.warn({ file: access.file }, 'access token generated; shown once on stderr, kept in file')
    const announce = options.announce ?? ((text: string) => void process.stderr.write(text))
    announce(
      `tiltmeter: access token (kept in ${access.file}): ${access.token}\n` +
        `tiltmeter: open ${address}/?token=${access.token} once in the browser to sign in\n`,
    )
  }

  let venue = config.venue
  const choice = options.feed
  if (choice.kind === 'sim') {
    const scenario = new MultiMatchScenario({
      matches: choice.matches,
      seed: choice.seed,
      // The matches start now, so discovery shows them live and venue time follows the wall.
      startMs: now(),
    })
    const handle = await startSim({
      scenario,
      speed: choice.speed,
      seed: choice.seed,
      ...(options.simTrading === undefined ? {} : { trading: options.simTrading }),
    })
    sim = handle
    undo.push(() => handle.close())
    venue = { wsUrl: handle.wsUrl, restUrl: handle.restUrl, gammaUrl: handle.gammaUrl }
    log.info(
      { matches: choice.matches, tokens: scenario.assetIds().length, wsUrl: handle.wsUrl },
      'simulator started',
    )
  }

  let capture: CaptureWriter | null = null
  let captureError: unknown = null
  if (choice.kind === 'replay') {
    feed = replayFeed({
      path: choice.path,
      listener,
      parser: pipeline.timedParser(polymarketFrameParser),
      log,
    })
  } else {
    const selection =
      choice.kind === 'sim' &&
      options.selection.markets.length === 0 &&
      options.selection.assets.length === 0 &&
      options.selection.sports.length === 0
        ? { markets: [], assets: [], sports: ['valorant' as const] }
        : options.selection
    let found
    try {
      found = await discoverMarkets(selection, {
        gammaUrl: venue.gammaUrl,
        http: options.http,
        nowMs: now(),
        what: 'watch',
      })
    } catch (e) {
      if (e instanceof VenueError) {
        throw new DaemonStartError(explainGammaError(e, venue.gammaUrl), { cause: e })
      }
      throw e
    }
    for (const note of found.notes) log.warn({ note }, 'discovery note')
    assetIds = found.assetIds
    markets = found.markets
    for (const market of found.markets) {
      const [a, b] = market.outcomes
      if (a !== undefined && b !== undefined && market.outcomes.length === 2) {
        complements.set(a.tokenId, b.tokenId)
        complements.set(b.tokenId, a.tokenId)
      }
      await store.upsertMarket(marketRecord(market), tokenRecords(market))
    }
    log.info({ markets: found.markets.length, assets: assetIds.length }, 'markets discovered')
    if (config.capture) {
      try {
        capture = await CaptureWriter.open({
          dir: config.captureDir,
          startedBy: 'start',
          source: {
            venue: choice.kind === 'sim' ? 'sim' : 'polymarket',
            ws_url: venue.wsUrl,
            markets: found.labels,
            assets: assetIds,
          },
          onError: (e) => {
            captureError ??= e
            log.error({ err: e.message }, 'capture failed; recording stopped')
          },
          ...(options.captureFlushMs === undefined ? {} : { flushMs: options.captureFlushMs }),
        })
      } catch (e) {
        throw new DaemonStartError(
          `cannot open the capture in ${config.captureDir}: ${messageOf(e)}`,
          {
            cause: e,
          },
        )
      }
      const opened = capture
      undo.push(() => opened.close())
    }
    const audit = options.auditIntervalMs === undefined ? DEFAULT_AUDIT_MS : options.auditIntervalMs
    feed = liveFeed({
      url: venue.wsUrl,
      assetIds,
      listener,
      parser: pipeline.timedParser(polymarketFrameParser),
      log,
      capture: capture ?? undefined,
      onCaptureError: (e) => {
        captureError ??= e
      },
      rest: new ClobRestClient({ ...options.http, baseUrl: venue.restUrl }),
      auditIntervalMs: audit ?? undefined,
      connection: options.connection,
      now,
    })
  }
  const running = feed
  const orderStore =
    options.orderStore !== undefined
      ? options.orderStore(store)
      : 'kysely' in store
        ? createOrdersRepo(store as unknown as Store)
        : null
  let instruments: OrderInstruments | null = null
  if (orderStore !== null) {
    const venueChoice = options.venue ?? { kind: 'paper' }
    const tools = createOrderInstruments({
      log,
      now,
      metrics,
      repo: 'kysely' in store ? createAlertsRepo(store as unknown as Store) : null,
      webhookUrl: config.alertWebhookUrl,
    })
    instruments = tools
    undo.push(() => tools.close())
    // Outlets first: the alerts raised while trading starts (orders left unknown by a crash,
    // the first reconciliation) are the ones a person most needs to see.
    const alerts = new AlertCenter({
      onError: (e) => log.error({ err: messageOf(e) }, 'alert subscriber failed'),
    })
    await tools.attach(alerts)
    try {
      trading = await startTrading({
        venue: venueChoice,
        log,
        now,
        orderStore,
        stopStore: 'kysely' in store ? createStopsRepo(store as unknown as Store) : null,
        markets,
        bookOf: (tokenId) => running.market.books.get(tokenId),
        risk: config.risk,
        bankroll: (options.paperBankrollUsdc ?? DEFAULT_BANKROLL_USDC) as UsdcMicros,
        urls:
          sim !== null
            ? { restUrl: sim.restUrl, userWsUrl: sim.userWsUrl }
            : { restUrl: venue.restUrl, userWsUrl: userWsUrlOf(venue.wsUrl) },
        ...(options.tradingStage === undefined ? {} : { stage: options.tradingStage }),
        ...(options.venueTuning === undefined ? {} : { tuning: options.venueTuning }),
        latency: tools.latency,
        slippageAlertTicks: config.slippageAlertTicks,
        alerts,
      })
    } catch (e) {
      if (e instanceof TradingSetupError) throw new DaemonStartError(e.message, { cause: e })
      throw e
    }
    const started = trading
    undo.push(() => started.stop())
    orders = trading.orders
  }
  running.start()

  let stopped: Promise<StopSummary> | null = null
  const stop = (reason: string): Promise<StopSummary> => {
    stopped ??= (async () => {
      stopping = true
      const problems: string[] = []
      const attempt = async (what: string, step: () => Promise<void>): Promise<void> => {
        try {
          await step()
        } catch (e) {
          problems.push(`${what}: ${messageOf(e)}`)
          log.error({ err: messageOf(e) }, `${what} failed during shutdown`)
        }
      }
      log.info({ reason }, 'stopping')
      await attempt('stopping the feed', () => running.stop())
      // No new orders once the trading side stops: the pages and the API go first.
      live.hub.stop()
      await attempt('closing the http server', () => app.close())
      if (trading !== null) {
        const side = trading
        await attempt('settling the order path', () => side.stop())
      }
      pipeline.finish()
      if (capture !== null) await attempt('closing the capture', () => capture.close())
      if (captureError !== null) problems.push(`capture incomplete: ${messageOf(captureError)}`)
      if (instruments !== null) {
        const tools = instruments
        await attempt('flushing alerts', () => tools.close())
      }
      await attempt('draining the store queue', () => queue.close())
      await attempt('closing the store', () => store.close())
      if (sim !== null) await attempt('stopping the simulator', () => sim.close())
      const stats = running.stats()
      const summary: StopSummary = {
        reason,
        uptimeSeconds: (performance.now() - startedAt) / 1000,
        frames: stats.frames,
        rowsWritten: { ...queue.counters.written },
        rowsDropped: { ...queue.counters.dropped },
        captureLines: capture?.linesWritten ?? 0,
        captureFiles: capture === null ? [] : [...capture.files],
        problems,
      }
      log.info({ ...summary }, 'stopped')
      return summary
    })()
    return stopped
  }

  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    sim,
    assetIds,
    markets,
    metrics,
    queue,
    feed: running,
    capture,
    storeLocation: store.location,
    orders,
    trading,
    live: live.hub,
    stop,
  }
}

function feedHealth(feed: FeedSource): Record<string, unknown> {
  const stats = feed.stats()
  return {
    books: stats.health,
    frames: stats.frames,
    parseErrors: stats.parseErrors,
    reconnects: stats.reconnects,
    resyncs: stats.resyncs,
  }
}

function marketRecord(market: MarketInfo): MarketRecord {
  return {
    conditionId: market.conditionId,
    slug: market.slug === '' ? market.conditionId : market.slug,
    question: market.question,
    sport: market.sport,
    marketType: market.marketType,
    tickSize: market.tickSize,
    minOrderSize: market.minOrderSize,
    negRisk: market.negRisk,
    gameStartTime: market.gameStartTime,
    secondsDelay:
      market.secondsDelay !== null &&
      Number.isInteger(market.secondsDelay) &&
      market.secondsDelay >= 0
        ? market.secondsDelay
        : null,
    raw: market,
  }
}

function tokenRecords(market: MarketInfo): TokenRecord[] {
  return market.outcomes.map((outcome, index) => ({
    tokenId: outcome.tokenId,
    outcome: outcome.name,
    outcomeIndex: index,
  }))
}
