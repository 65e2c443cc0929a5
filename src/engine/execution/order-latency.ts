/**
 * Latency of the order path, per order, in three stages on a monotonic clock (ms):
 *
 * - `decision_to_send`: from the order service taking the request (the decision; for
 *   automation, the signal handing over) to the order being handed to the venue port: the
 *   idempotency lookup, the risk check and the write of the `pending` row;
 * - `send_to_ack`: from the hand-off to the venue's first word about the order (a status or a
 *   fill, whichever comes first);
 * - `ack_to_fill`: from that first word to the first fill (0 when the first word is a fill).
 *
 * The feed's stages before it (venue time → receive → book → signal) are measured by the
 * market-data pipeline (src/app/daemon/metrics.ts). Each stage goes to an observer (the
 * daemon's Prometheus histograms) as it completes, and each order's figures to a store, written
 * at the acknowledgement and again at the first fill, off the order path (writes are not
 * awaited; a failed one goes to `onError`).
 */
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import type { VenueEvent } from './venue.js'

export const ORDER_STAGES = ['decision_to_send', 'send_to_ack', 'ack_to_fill'] as const
export type OrderStage = (typeof ORDER_STAGES)[number]

/** One order's figures in ms (null while the stage has not happened). */
export type OrderLatencyRecord = {
  readonly clientOrderId: string
  readonly market: MarketId
  readonly tokenId: TokenId
  /** Wall-clock time of the decision, epoch ms. */
  readonly decidedMs: EpochMs
  readonly decisionToSendMs: number
  readonly sendToAckMs: number | null
  readonly ackToFillMs: number | null
  readonly updatedMs: EpochMs
}

export type OrderLatencyStore = {
  /** Inserts the order's row, or replaces it when one exists. */
  upsertOrderLatency(record: OrderLatencyRecord): Promise<void>
}

export type OrderLatencyOptions = {
  /** Monotonic clock in ms (fractional); default `performance.now()`. */
  readonly clock?: () => number
  /** Wall clock, epoch ms. */
  now(): EpochMs
  /** Each completed stage, in seconds (Prometheus convention). */
  observe?(stage: OrderStage, seconds: number): void
  readonly store?: OrderLatencyStore
  /** Orders followed at once; the oldest is dropped beyond it (default 10,000). */
  readonly maxTracked?: number
  onError?(e: unknown): void
}

type Tracked = {
  readonly clientOrderId: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly decidedMs: EpochMs
  readonly decisionToSendMs: number
  readonly sentAt: number
  ackAt: number | null
  sendToAckMs: number | null
  ackToFillMs: number | null
}

const DEFAULT_MAX_TRACKED = 10_000

export class OrderLatencyTracker {
  private readonly _o: OrderLatencyOptions
  private readonly _clock: () => number
  private readonly _max: number
  /** Orders handed to the venue whose first fill has not come yet (insertion order = age). */
  private readonly _open = new Map<string, Tracked>()
  /** Store writes not settled yet. */
  private readonly _writes = new Set<Promise<void>>()

  constructor(options: OrderLatencyOptions) {
    this._o = options
    const clock = options.clock
    this._clock = clock === undefined ? () => performance.now() : () => clock()
    this._max = options.maxTracked ?? DEFAULT_MAX_TRACKED
    if (!Number.isSafeInteger(this._max) || this._max < 1) {
      throw new RangeError(`maxTracked must be a whole number ≥ 1, got ${this._max}`)
    }
  }

  /** The monotonic time now (the service marks its decision with it). */
  mark(): number {
    return this._clock()
  }

  /** Orders still waiting for their first fill. */
  get tracking(): number {
    return this._open.size
  }

  /** The order is being handed to the venue now; `decidedAt` is its {@link mark}. */
  sent(order: {
    readonly clientOrderId: string
    readonly market: MarketId
    readonly tokenId: TokenId
    readonly decidedAt: number
  }): void {
    const sentAt = this._clock()
    const decisionToSendMs = Math.max(0, sentAt - order.decidedAt)
    this._o.observe?.('decision_to_send', decisionToSendMs / 1000)
    if (this._open.size >= this._max) {
      const oldest = this._open.keys().next().value
      if (oldest !== undefined) this._open.delete(oldest)
    }
    this._open.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId,
      market: order.market,
      tokenId: order.tokenId,
      decidedMs: this._o.now(),
      decisionToSendMs,
      sentAt,
      ackAt: null,
      sendToAckMs: null,
      ackToFillMs: null,
    })
  }

  /** A venue event as it arrives (before it is applied). Unknown orders are ignored. */
  venueEvent(event: VenueEvent): void {
    // a fill's later status, or a fill whose trade failed, is no step of the order's latency
    if (event.kind === 'fill_status' || (event.kind === 'fill' && event.fill.status === 'failed'))
      return
    // `pending` is the venue adapter's own word (signed, about to leave), not the venue's answer
    if (event.kind === 'status' && event.status === 'pending') return
    const id = event.kind === 'fill' ? event.fill.clientOrderId : event.clientOrderId
    const t = this._open.get(id)
    if (t === undefined) return
    const at = this._clock()
    let changed = false
    if (t.ackAt === null) {
      t.ackAt = at
      t.sendToAckMs = Math.max(0, at - t.sentAt)
      this._o.observe?.('send_to_ack', t.sendToAckMs / 1000)
      changed = true
    }
    if (event.kind === 'fill') {
      t.ackToFillMs = Math.max(0, at - t.ackAt)
      this._o.observe?.('ack_to_fill', t.ackToFillMs / 1000)
      this._open.delete(id)
      this._write(t)
      return
    }
    if (FINAL.has(event.status)) this._open.delete(id)
    if (changed) this._write(t)
  }

  /** Resolves once every store write started so far has settled (failures go to `onError`). */
  async flush(): Promise<void> {
    while (this._writes.size > 0) await Promise.all([...this._writes])
  }

  /** The hand-off failed (the venue threw): nothing more will come for the order. */
  forget(clientOrderId: string): void {
    const t = this._open.get(clientOrderId)
    if (t === undefined) return
    this._open.delete(clientOrderId)
    this._write(t)
  }

  private _write(t: Tracked): void {
    const store = this._o.store
    if (store === undefined) return
    const record: OrderLatencyRecord = {
      clientOrderId: t.clientOrderId,
      market: t.market,
      tokenId: t.tokenId,
      decidedMs: t.decidedMs,
      decisionToSendMs: t.decisionToSendMs,
      sendToAckMs: t.sendToAckMs,
      ackToFillMs: t.ackToFillMs,
      updatedMs: this._o.now(),
    }
    try {
      const write = store
        .upsertOrderLatency(record)
        .catch((e: unknown) => this._o.onError?.(e))
        .finally(() => this._writes.delete(write))
      this._writes.add(write)
    } catch (e) {
      this._o.onError?.(e)
    }
  }
}

/**
 * Statuses after which no fill is expected (a `filled` status waits for its fill, which a live
 * venue may send after it).
 */
const FINAL: ReadonlySet<string> = new Set(['cancelled', 'killed', 'rejected', 'denied'])
