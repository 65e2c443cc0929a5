/**
 * Connects the daemon to the web terminal's live side: the hub (src/adapters/web/live-hub.ts)
 * learns of book changes, trades and signals from the feed callbacks, of account changes from
 * the order service's `subscribe`, of alerts from the alert center, and reads books, health and
 * latency (the feed's and the order path's stages, latency-window.ts) from the daemon.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../../adapters/log.js'
import type { AssetHealth } from '../../adapters/polymarket/ws/market-feed.js'
import {
  LiveHub,
  type AccountSource,
  type AlertSource,
  type LiveHubOptions,
} from '../../adapters/web/live-hub.js'
import { MarketDirectory } from '../../adapters/web/market-directory.js'
import type { MarketRoutesDeps } from '../../adapters/web/market-routes.js'
import { packageRoot } from '../../adapters/web/static-app.js'
import type { BookHealth, HealthMessage, SignalMessage } from '../../contracts/live.js'
import type { UiConfigAnswer } from '../../contracts/api.js'
import type { MarketInfo } from '../../domain/market-info.js'
import type { OrderService } from '../../engine/execution/order-service.js'
import type { MarketDataListener } from '../../engine/market-data.js'
import type { FeedSource } from './feed-source.js'
import { LatencyWindow } from './latency-window.js'
import type { DaemonMetrics } from './metrics.js'
import { orderJson, portfolioJson, riskJson } from './orders-routes.js'
import type { SignalEngineFactory } from './ports.js'

const SIGNAL_TYPES = new Set<string>(['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM'])

export type LiveWiringOptions = {
  readonly log: Logger
  readonly now: () => number
  readonly metrics: Pick<DaemonMetrics, 'registry'>
  /** The running feed (null before it starts). */
  readonly feed: () => FeedSource | null
  /** Which feed: `sim`, `polymarket` or `replay`. */
  readonly feedKind: string
  readonly orders: () => OrderService | null
  readonly alerts: () => AlertSource | null
  readonly ui: () => UiConfigAnswer
  readonly stopping: () => boolean
  /** The discovered markets (empty before discovery and on replay). */
  readonly markets: () => readonly MarketInfo[]
  readonly hub?: LiveHubOptions
}

export type LiveWiring = {
  readonly hub: LiveHub
  readonly directory: MarketDirectory
  readonly markets: Omit<MarketRoutesDeps, 'tape'>
  /** The daemon's feed listener with the hub told of book changes and trades. */
  listener(inner: MarketDataListener): MarketDataListener
  /** The signal engine factory with the hub told of each signal. */
  signalEngine(factory: SignalEngineFactory | undefined): SignalEngineFactory | undefined
}

let version: string | null = null

/** The package version (read once). */
export function packageVersion(): string {
  if (version === null) {
    try {
      const text = readFileSync(join(packageRoot(), 'package.json'), 'utf8')
      const value = (JSON.parse(text) as { version?: unknown }).version
      version = typeof value === 'string' ? value : '0.0.0'
    } catch {
      version = '0.0.0'
    }
  }
  return version
}

export function createLiveWiring(options: LiveWiringOptions): LiveWiring {
  const directory = new MarketDirectory(options.markets)
  const latency = new LatencyWindow(options.metrics)
  const healthOf = (tokenId: string): BookHealth => {
    const feed = options.feed()
    if (feed === null) return 'disconnected'
    if ('feed' in feed) {
      const live = (feed as { feed: { health(id: string): AssetHealth | undefined } }).feed
      return live.health(tokenId) ?? 'disconnected'
    }
    const book = feed.market.books.get(tokenId)
    if (book === undefined) return 'disconnected'
    return book.synced && !book.stale ? 'live' : 'stale'
  }
  const book = (tokenId: string) => options.feed()?.market.books.get(tokenId)
  const feedState = (): HealthMessage['feed'] => {
    const feed = options.feed()
    if (feed === null || options.stopping()) return 'disconnected'
    if (feed.kind === 'replay') return 'replay'
    const health = feed.stats().health
    const total = health.live + health.stale + health.resyncing + health.disconnected
    if (total > 0 && health.disconnected === total) return 'disconnected'
    return health.disconnected > 0 ? 'reconnecting' : 'connected'
  }
  const account = (): AccountSource | null => {
    const service = options.orders()
    if (service === null) return null
    return {
      build: async () => ({
        orders: { orders: (await service.listOrders()).map(orderJson) },
        positions: portfolioJson(service.portfolio()),
        risk: riskJson(service),
      }),
      // Pushed on change: the hub rebuilds the account at most once per flush after any order,
      // fill or risk change the service reports (no polling).
      subscribe: (listener) => service.subscribe(() => listener()),
    }
  }
  const hub = new LiveHub(
    {
      now: options.now,
      book,
      marketOf: (tokenId) => directory.marketOf(tokenId),
      healthOf,
      tokens: () => directory.tokens(),
      feedState,
      hello: () => ({
        venue: options.ui().venue,
        feed: options.feedKind,
        version: packageVersion(),
      }),
      account,
      alerts: options.alerts,
      latency: () => latency.read(),
      log: options.log.child({ component: 'live' }),
    },
    options.hub,
  )
  return {
    hub,
    directory,
    markets: {
      directory,
      book,
      healthOf,
      now: options.now,
      alerts: options.alerts,
      ui: options.ui,
    },
    listener(inner) {
      return {
        ...inner,
        onEvent(event, meta) {
          inner.onEvent?.(event, meta)
          if (event.type === 'last_trade_price') {
            hub.trade({
              type: 'trade',
              tokenId: event.assetId,
              market: event.market,
              ts: event.tsVenue,
              price: event.price,
              size: event.size,
              side: event.side,
            })
          }
        },
        onBookChanged(changed, event, meta) {
          inner.onBookChanged?.(changed, event, meta)
          if ('market' in event) directory.note(changed.assetId, event.market)
          hub.bookChanged(changed.assetId)
        },
      }
    },
    signalEngine(factory) {
      if (factory === undefined) return undefined
      return (config, callbacks, engineOptions) =>
        factory(
          config,
          {
            onSignal(signal) {
              callbacks.onSignal(signal)
              if (!SIGNAL_TYPES.has(signal.type)) return
              const message: SignalMessage = {
                type: 'signal',
                signalType: signal.type as SignalMessage['signalType'],
                tokenId: signal.assetId,
                market: signal.market ?? directory.marketOf(signal.assetId),
                ts: signal.ts,
                score: signal.score,
                priceChange: signal.priceChange ?? 0,
              }
              hub.signal(message)
            },
            onReversion: (signal, reversion) => callbacks.onReversion(signal, reversion),
          },
          engineOptions,
        )
    },
  }
}
