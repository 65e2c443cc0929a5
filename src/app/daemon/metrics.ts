/**
 * The daemon's Prometheus metrics (prom-client), one registry per daemon. Totals the feed
 * already counts (frames, parse errors, reconnects) are read at scrape time from their
 * sources rather than counted twice; per-stage latencies are histograms fed on the hot path
 * through pre-bound children (no label lookup per observation).
 *
 * Stages (seconds):
 * - `venue_to_receive`: local receive time − the event's venue timestamp (clock skew included);
 * - `receive_to_book`: from the frame entering the market-data core to its book being applied;
 * - `book_to_signal`: from a book change reaching the signal engine to a signal being raised;
 * - `store_write`: one batched write to the database;
 * - the order path's (src/engine/execution/order-latency.ts): `decision_to_send` (the order
 *   service taking a request → the order handed to the venue port: risk check and the `pending`
 *   row written), `send_to_ack` (→ the venue's first word about it), `ack_to_fill` (→ its first
 *   fill). Fed through {@link DaemonMetrics.observeOrderStage}.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { AssetHealth } from '../../adapters/polymarket/ws/market-feed.js'
import { ORDER_STAGES, type OrderStage } from '../../engine/execution/order-latency.js'

export const METRIC_PREFIX = 'tiltmeter_'

/** What the feed reports at scrape time. */
export type FeedStats = {
  readonly frames: number
  readonly parseErrors: number
  readonly events: number
  readonly reconnects: number
  readonly resyncs: number
  readonly health: Readonly<Record<AssetHealth, number>>
}

/** What the store writer reports at scrape time. */
export type QueueStats = {
  readonly depth: number
  readonly written: Readonly<Record<string, number>>
  readonly dropped: Readonly<Record<string, number>>
  readonly failed: Readonly<Record<string, number>>
}

export type MetricsSources = {
  feed(): FeedStats
  queue(): QueueStats
  /** Seconds since start. */
  uptimeSeconds(): number
}

/** Wide enough for µs-level in-process stages and second-level network stages. */
const LATENCY_BUCKETS = [
  0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
]

export const STAGES = [
  'venue_to_receive',
  'receive_to_book',
  'book_to_signal',
  'store_write',
  ...ORDER_STAGES,
] as const
export type Stage = (typeof STAGES)[number]

type Observer = { observe(value: number): void }

export class DaemonMetrics {
  readonly registry = new Registry()
  readonly stage: Readonly<Record<Stage, Observer>>
  private readonly _signals: Counter<'type'>
  private readonly _resyncRequests: Counter<'reason'>

  constructor(sources: MetricsSources, options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry]
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX })
    }
    const polledCounter = (name: string, help: string, read: () => number): Counter =>
      new Counter({
        name: METRIC_PREFIX + name,
        help,
        registers,
        collect() {
          this.reset()
          this.inc(read())
        },
      })
    polledCounter('frames_total', 'Market-data frames received', () => sources.feed().frames)
    polledCounter('events_total', 'Market events parsed from frames', () => sources.feed().events)
    polledCounter(
      'parse_errors_total',
      'Malformed events in frames (counted, never applied)',
      () => sources.feed().parseErrors,
    )
    polledCounter(
      'reconnects_total',
      'Market WebSocket reconnects',
      () => sources.feed().reconnects,
    )
    polledCounter(
      'resyncs_total',
      'Resyncs started (resubscribe or REST snapshot)',
      () => sources.feed().resyncs,
    )
    this._resyncRequests = new Counter({
      name: `${METRIC_PREFIX}resync_requests_total`,
      help: 'Books found out of sync, by reason',
      labelNames: ['reason'],
      registers,
    })
    new Gauge({
      name: `${METRIC_PREFIX}books`,
      help: 'Books by health state',
      labelNames: ['health'],
      registers,
      collect() {
        const health = sources.feed().health
        for (const [state, count] of Object.entries(health)) this.set({ health: state }, count)
      },
    })
    this._signals = new Counter({
      name: `${METRIC_PREFIX}signals_total`,
      help: 'Signals raised, by type',
      labelNames: ['type'],
      registers,
    })
    new Gauge({
      name: `${METRIC_PREFIX}store_queue_depth`,
      help: 'Rows waiting to be written to the store',
      registers,
      collect() {
        this.set(sources.queue().depth)
      },
    })
    const perTable = (
      name: string,
      help: string,
      pick: (q: QueueStats) => Readonly<Record<string, number>>,
    ): void => {
      new Counter({
        name: METRIC_PREFIX + name,
        help,
        labelNames: ['table'],
        registers,
        collect() {
          this.reset()
          for (const [table, rows] of Object.entries(pick(sources.queue()))) {
            this.inc({ table }, rows)
          }
        },
      })
    }
    perTable('store_rows_written_total', 'Rows written to the store, by table', (q) => q.written)
    perTable(
      'store_rows_dropped_total',
      'Rows dropped because the store queue was full, by table',
      (q) => q.dropped,
    )
    perTable(
      'store_rows_failed_total',
      'Rows lost to failed store writes, by table',
      (q) => q.failed,
    )
    new Gauge({
      name: `${METRIC_PREFIX}uptime_seconds`,
      help: 'Seconds since the daemon started',
      registers,
      collect() {
        this.set(sources.uptimeSeconds())
      },
    })
    const latency = new Histogram({
      name: `${METRIC_PREFIX}stage_latency_seconds`,
      help: 'Latency per pipeline stage',
      labelNames: ['stage'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    const stage = {} as Record<Stage, Observer>
    for (const name of STAGES) stage[name] = latency.labels({ stage: name })
    this.stage = stage
  }

  /** One order-path stage, seconds (the order latency tracker's `observe`). */
  observeOrderStage(stage: OrderStage, seconds: number): void {
    this.stage[stage].observe(seconds)
  }

  signal(type: string): void {
    this._signals.inc({ type })
  }

  resyncRequest(reason: string): void {
    this._resyncRequests.inc({ reason })
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The exposition text. */
  text(): Promise<string> {
    return this.registry.metrics()
  }
}
