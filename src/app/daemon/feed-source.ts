/**
 * Where the daemon's market data comes from, behind one shape: the live market WebSocket
 * (`MarketFeed`, against the venue or the in-process simulator: the same code path) or a
 * recording replayed through the same `MarketData`.
 */
import type { Logger } from '../../adapters/log.js'
import type { MarketConnectionOptions } from '../../adapters/polymarket/ws/connection.js'
import {
  MarketFeed,
  type AssetHealth,
  type CaptureSink,
  type RestBookSource,
} from '../../adapters/polymarket/ws/market-feed.js'
import { readRecordings } from '../../adapters/replay/recorded-feed.js'
import { MarketData, type FrameParser, type MarketDataListener } from '../../engine/market-data.js'
import type { FeedStats } from './metrics.js'

export type FeedSource = {
  readonly kind: 'live' | 'replay'
  readonly market: MarketData
  start(): void
  /** Stops receiving; resolves once sockets are closed (or the replay has stopped). */
  stop(): Promise<void>
  stats(): FeedStats
  /** Replay only: resolves when the recording has been read to its end (or failed). */
  readonly finished: Promise<void> | null
}

export type LiveFeedOptions = {
  readonly url: string
  readonly assetIds: readonly string[]
  readonly listener: MarketDataListener
  readonly parser: FrameParser
  readonly log: Logger
  readonly capture?: CaptureSink | undefined
  readonly onCaptureError?: (e: unknown) => void
  readonly rest?: RestBookSource | undefined
  readonly auditIntervalMs?: number | undefined
  readonly connection?: Pick<
    MarketConnectionOptions,
    'pingIntervalMs' | 'silenceTimeoutMs' | 'dataSilenceMs' | 'backoff' | 'random'
  >
  readonly now?: () => number
}

export function liveFeed(options: LiveFeedOptions): FeedSource & { readonly feed: MarketFeed } {
  const feed = new MarketFeed({
    url: options.url,
    assetIds: options.assetIds,
    listener: options.listener,
    parser: options.parser,
    log: options.log,
    ...(options.capture === undefined ? {} : { capture: options.capture }),
    ...(options.onCaptureError === undefined ? {} : { onCaptureError: options.onCaptureError }),
    ...(options.rest === undefined ? {} : { rest: options.rest }),
    ...(options.auditIntervalMs === undefined || options.rest === undefined
      ? {}
      : { auditIntervalMs: options.auditIntervalMs }),
    ...(options.connection === undefined ? {} : { connection: options.connection }),
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  return {
    kind: 'live',
    feed,
    market: feed.market,
    finished: null,
    start: () => feed.start(),
    stop: () => feed.stop(),
    stats() {
      const c = feed.market.counters
      return {
        frames: c.frames,
        events: c.events,
        parseErrors: c.parseErrors,
        reconnects: feed.connections.reduce(
          (sum, conn) => sum + Math.max(0, conn.counters.connects - 1),
          0,
        ),
        resyncs: feed.counters.resyncs,
        health: feed.healthCounts(),
      }
    },
  }
}

/** Thrown from the replay visitor to stop reading early. */
class ReplayStopped extends Error {}

export function replayFeed(options: {
  readonly path: string
  readonly listener: MarketDataListener
  readonly parser: FrameParser
  readonly log: Logger
}): FeedSource {
  const market = new MarketData(options.parser, options.listener)
  const log = options.log.child({ component: 'replay' })
  let stopped = false
  let running: Promise<void> | null = null
  let settle: () => void = () => {}
  const finished = new Promise<void>((done) => (settle = done))
  return {
    kind: 'replay',
    market,
    finished,
    start() {
      if (running !== null) return
      running = readRecordings([options.path], {
        onFrame(frame) {
          if (stopped) throw new ReplayStopped()
          const meta = { tLocal: frame.tLocal, conn: frame.conn }
          if (frame.value === undefined) market.onFrameText(frame.raw, meta)
          else market.onFrameValue(frame.value, frame.raw, meta)
        },
        onWarning: (message) =>
          log.warn({ path: options.path, warning: message }, 'replay warning'),
      })
        .then(
          (summary) => {
            log.info({ path: options.path, frames: summary.frames }, 'replay finished')
          },
          (e: unknown) => {
            if (e instanceof ReplayStopped) return
            log.error(
              { path: options.path, err: e instanceof Error ? e.message : String(e) },
              'replay failed',
            )
          },
        )
        .finally(settle)
    },
    async stop() {
      stopped = true
      if (running !== null) await running
    },
    stats() {
      const c = market.counters
      const health: Record<AssetHealth, number> = {
        live: 0,
        stale: 0,
        resyncing: 0,
        disconnected: 0,
      }
      for (const book of market.books.values())
        health[book.synced && !book.stale ? 'live' : 'stale']++
      return {
        frames: c.frames,
        events: c.events,
        parseErrors: c.parseErrors,
        reconnects: 0,
        resyncs: 0,
        health,
      }
    },
  }
}
