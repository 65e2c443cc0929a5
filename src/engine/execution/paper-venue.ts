/**
 * The `paper` venue: the backtest's {@link SimVenue} run against the daemon's live books, so
 * paper fills follow the same fill model as a backtest (docs/FILL_MODEL.md). Time is the
 * caller's clock; the daemon forwards every book change and trade print (`onBookChanged`,
 * `onTrade`) and calls `poll(now)` for orders that wait on latency or the in-play delay
 * (`nextDue()` says when).
 *
 * Beyond the backtest vocabulary it adds FOK (all or nothing, checked against the book at the
 * moment the order is matched) and post-only (a limit order that would take liquidity is
 * rejected with `POST_ONLY_WOULD_CROSS`) and GTD (a limit order cancelled with code `EXPIRED` by
 * the first `poll` at or after its `expiresAt`).
 */
import type { LastTrade } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import { filledSize, isMarketable, walkBook } from '../../domain/backtest/fill-model.js'
import type { LatencyModel } from '../../domain/backtest/latency-model.js'
import { fixedLatency } from '../../domain/backtest/latency-model.js'
import {
  SimVenue,
  type OrderStatus as SimStatus,
  type SimVenueMarket,
} from '../../domain/backtest/sim-venue.js'
import type { Fill, OrderIntent } from '../../domain/backtest/types.js'
import type { TokenId } from '../../domain/market.js'
import type { EpochMs, ShareMicros } from '../../domain/units.js'
import {
  FINAL_STATUSES,
  type OrderStatus,
  type Venue,
  type VenueEvent,
  type VenueListener,
  type VenueOrder,
  type VenueOrderState,
} from './venue.js'

export type PaperVenueOptions = {
  bookOf(tokenId: TokenId): BookView | undefined
  marketOf(tokenId: TokenId): SimVenueMarket | undefined
  now(): EpochMs
  /** Default: 0 ms (the order reaches the simulated venue at its decision time). */
  readonly latency?: LatencyModel
}

const SIM_STATUS: Record<SimStatus, OrderStatus> = {
  filled: 'filled',
  partially_filled: 'killed',
  cancelled: 'cancelled',
  killed: 'killed',
  rejected: 'rejected',
}

export class PaperVenue implements Venue {
  readonly name = 'paper'
  private readonly _options: PaperVenueOptions
  private readonly _sim: SimVenue
  private _listener: VenueListener = () => {}
  private readonly _orders = new Map<string, { order: VenueOrder; state: VenueOrderState }>()
  private _fillSeq = 0
  /** Working GTD orders and when they expire. */
  private readonly _expiries = new Map<string, EpochMs>()
  /** GTD orders being cancelled because they expired. */
  private readonly _expiring = new Set<string>()

  constructor(options: PaperVenueOptions) {
    this._options = options
    this._sim = new SimVenue(
      { latency: options.latency ?? fixedLatency(0), marketOf: (t) => options.marketOf(t) },
      {
        onFill: (fill) => this._onFill(fill),
        onReject: (intent, reason, detail) =>
          this._end(intent.clientId, 'rejected', reason, detail),
        onDone: (intent, _filled, status) => {
          if (status === 'rejected') return
          const expired = this._expiring.delete(intent.clientId)
          this._expiries.delete(intent.clientId)
          if (expired && status === 'cancelled') {
            this._end(
              intent.clientId,
              'cancelled',
              'EXPIRED',
              'the GTD order reached its expiry time',
            )
          } else {
            this._end(intent.clientId, SIM_STATUS[status], null, null)
          }
        },
      },
    )
  }

  events(listener: VenueListener): void {
    this._listener = listener
  }

  submit(order: VenueOrder): Promise<void> {
    if (this._orders.has(order.clientOrderId)) {
      // The venue treats a repeated client id as the same order: nothing new happens.
      return Promise.resolve()
    }
    const state: VenueOrderState = {
      clientOrderId: order.clientOrderId,
      status: 'pending',
      filled: 0 as ShareMicros,
    }
    this._orders.set(order.clientOrderId, { order, state })
    if (order.timeInForce === 'GTD') {
      const now = this._options.now()
      if (order.expiresAt === null || order.expiresAt <= now) {
        this._end(
          order.clientOrderId,
          'rejected',
          'INVALID_EXPIRATION',
          'a GTD order needs an expiry time in the future',
        )
        return Promise.resolve()
      }
      this._expiries.set(order.clientOrderId, order.expiresAt)
    }
    const book = this._options.bookOf(order.tokenId)
    if (order.postOnly && book !== undefined && isMarketable(book, order.side, order.price)) {
      this._end(
        order.clientOrderId,
        'rejected',
        'POST_ONLY_WOULD_CROSS',
        'a post-only order would take liquidity at its price',
      )
      return Promise.resolve()
    }
    if (order.timeInForce === 'FOK' && book !== undefined) {
      const available = filledSize(walkBook(book, order.side, order.price, order.size))
      if (available < order.size) {
        this._end(
          order.clientOrderId,
          'killed',
          'FOK_NOT_FILLABLE',
          'the book cannot fill the whole order within its worst price',
        )
        return Promise.resolve()
      }
    }
    const intent: OrderIntent = {
      clientId: order.clientOrderId,
      market: order.market,
      tokenId: order.tokenId,
      side: order.side,
      kind: order.type,
      price: order.price,
      size: order.size,
      decidedAt: order.decidedAt,
    }
    this._sim.submit(intent)
    this.poll(this._options.now())
    this._announceOpen(order.clientOrderId)
    return Promise.resolve()
  }

  cancel(clientOrderId: string, now: EpochMs): Promise<void> {
    this._sim.cancel(clientOrderId, now)
    this.poll(now)
    return Promise.resolve()
  }

  async cancelAll(now: EpochMs): Promise<void> {
    for (const intent of this._sim.openOrders()) await this.cancel(intent.clientId, now)
  }

  openOrders(): Promise<readonly VenueOrderState[]> {
    const open = this._sim.openOrders().map((i) => this._orders.get(i.clientId)?.state)
    return Promise.resolve(open.filter((s): s is VenueOrderState => s !== undefined))
  }

  lookup(clientOrderId: string): Promise<VenueOrderState | null> {
    return Promise.resolve(this._orders.get(clientOrderId)?.state ?? null)
  }

  /** Runs whatever is due at `now` (latency, in-play delay, cancels, GTD expiries). */
  poll(now: EpochMs): void {
    const bookOf = (t: TokenId) => this._options.bookOf(t)
    this._sim.executeDue(now, bookOf)
    if (this._expiries.size === 0) return
    let expired = false
    for (const [clientOrderId, expiresAt] of this._expiries) {
      if (expiresAt > now || this._expiring.has(clientOrderId)) continue
      const status = this._orders.get(clientOrderId)?.state.status
      if (status === undefined || FINAL_STATUSES.has(status)) {
        this._expiries.delete(clientOrderId)
        continue
      }
      this._expiring.add(clientOrderId)
      this._sim.cancel(clientOrderId, expiresAt)
      expired = true
    }
    if (expired) this._sim.executeDue(now, bookOf)
  }

  /** Earliest time something waits for (GTD expiries included); null when nothing does. */
  nextDue(): EpochMs | null {
    let due = this._sim.nextDue()
    for (const [clientOrderId, expiresAt] of this._expiries) {
      if (this._expiring.has(clientOrderId)) continue
      if (due === null || expiresAt < due) due = expiresAt
    }
    return due
  }

  /** Call after each change of a live book: queue position and crossing fills of resting orders. */
  onBookChanged(book: BookView): void {
    this.poll(book.lastUpdateTs)
    this._sim.onBookChanged(book)
  }

  /** Call for each trade print: resting orders at or beyond its price fill as makers. */
  onTrade(trade: LastTrade): void {
    this._sim.onTrade(trade)
  }

  private _announceOpen(clientOrderId: string): void {
    const entry = this._orders.get(clientOrderId)
    if (entry === undefined || entry.state.status !== 'pending') return
    // Still working after the immediate match: a limit order rests; a market order can only be
    // waiting for its latency or the in-play delay.
    const status: OrderStatus = entry.order.type === 'limit' ? 'open' : 'delayed'
    this._emitStatus(clientOrderId, status, null, null)
  }

  private _onFill(fill: Fill): void {
    const entry = this._orders.get(fill.clientId)
    if (entry !== undefined) {
      entry.state = {
        ...entry.state,
        filled: (entry.state.filled + fill.size) as ShareMicros,
      }
    }
    this._fillSeq++
    const event: VenueEvent = {
      kind: 'fill',
      fill: {
        clientOrderId: fill.clientId,
        fillId: `paper-${fill.clientId}-${this._fillSeq}`,
        market: fill.market,
        tokenId: fill.tokenId,
        side: fill.side,
        price: fill.price,
        size: fill.size,
        fee: fill.fee,
        liquidity: fill.liquidity,
        status: 'confirmed',
        ts: fill.ts,
      },
    }
    this._listener(event)
  }

  private _end(
    clientOrderId: string,
    status: OrderStatus,
    code: string | null,
    message: string | null,
  ): void {
    this._emitStatus(clientOrderId, status, code, message)
  }

  private _emitStatus(
    clientOrderId: string,
    status: OrderStatus,
    code: string | null,
    message: string | null,
  ): void {
    const entry = this._orders.get(clientOrderId)
    const filled = entry?.state.filled ?? (0 as ShareMicros)
    if (entry !== undefined) entry.state = { ...entry.state, status }
    this._listener({
      kind: 'status',
      clientOrderId,
      status,
      venueOrderId: `paper-${clientOrderId}`,
      filled,
      code,
      message,
      ts: this._options.now(),
    })
  }
}
