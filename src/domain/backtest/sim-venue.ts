/**
 * The simulated venue: accepts {@link OrderIntent}s, delays them by a latency model and the
 * market's in-play delay, and fills them against the recorded books with the fill model
 * (fill-model.ts). It backs the backtest and, fed from the live books, paper trading.
 *
 * Timing: every submit and cancel is due at `decidedAt` (or the cancel's time) plus a latency
 * drawn from the {@link LatencyModel}. When an order arrives and would take liquidity, the
 * market's `secondsDelay` holds it that much longer before it is matched (the venue's in-play
 * delay; it cannot be cancelled meanwhile), so the fill uses the book as it stands then. The
 * caller drives the clock: it calls {@link SimVenue.executeDue} with `now` before applying any
 * event later than `now`, and reports book changes and trades as they are applied.
 *
 * Outcomes are values: rejections, kills and cancellations go to the listener; nothing here
 * throws for an order the venue would refuse. Sizes are rounded down to 0.01 shares as the
 * venue's client does (protocol reference 5.5). Same inputs in the same order, same fills.
 */
import type { LastTrade } from '../book/book-events.js'
import type { BookView } from '../book/order-book.js'
import { invariant } from '../errors.js'
import { isOnTick, type MarketId, type Side, type TickSize, type TokenId } from '../market.js'
import {
  formatPrice,
  formatSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../units.js'
import { takerFee } from './fees.js'
import {
  isMarketable,
  isWithinLimit,
  newQueue,
  queueOnLevel,
  queueOnTrade,
  restingSide,
  takenSide,
  walkBook,
  type ConsumedAt,
  type LevelFill,
  type QueueState,
} from './fill-model.js'
import type { LatencyModel } from './latency-model.js'
import type { Fill, OrderIntent, OrderRejectReason } from './types.js'

/** What the venue needs to know about the market of a token. */
export type SimVenueMarket = {
  readonly tickSize: TickSize
  /** Smallest order size (the venue's `min_order_size`, usually 5 shares). */
  readonly minSize: ShareMicros
  /** Taker fee rate in basis points (rate 0.05 = 500); see fees.ts. */
  readonly feeRateBps: number
  /** In-play hold on marketable orders, in seconds (0 when none). */
  readonly secondsDelay: number
}

export type OrderStatus = 'filled' | 'partially_filled' | 'cancelled' | 'killed' | 'rejected'

export type SimVenueListener = {
  onFill?(fill: Fill): void
  onReject?(intent: OrderIntent, reason: OrderRejectReason, detail: string): void
  /**
   * The order is finished: fully `filled`; a market order `partially_filled` (remainder
   * killed) or `killed` (nothing inside its limit); a resting order `cancelled` (possibly after
   * partial fills; `filled` says how much); or `rejected`. Called exactly once per order.
   */
  onDone?(intent: OrderIntent, filled: ShareMicros, status: OrderStatus): void
}

export type SimVenueOptions = {
  readonly latency: LatencyModel
  marketOf(tokenId: TokenId): SimVenueMarket | undefined
}

/** Sizes go to the venue with at most 2 decimals: a multiple of 10_000 share micros. */
export const SIZE_QUANTUM_MICROS = 10_000

type Phase = 'in_flight' | 'delayed' | 'resting' | 'done'

type OrderState = {
  readonly intent: OrderIntent
  /** The order size after rounding to the venue's precision. */
  readonly size: number
  readonly seq: number
  filled: number
  phase: Phase
  cancelRequested: boolean
  queue: QueueState | null
}

type ActionKind = 'arrive' | 'match' | 'cancel'

type Action = {
  readonly due: number
  readonly seq: number
  readonly kind: ActionKind
  readonly order: OrderState
}

function levelKey(side: Side, price: number): number {
  return side === 'bid' ? price + 100_000 : price
}

function keySide(key: number): Side {
  return key >= 100_000 ? 'bid' : 'ask'
}

function keyPrice(key: number): PriceTicks {
  return (key >= 100_000 ? key - 100_000 : key) as PriceTicks
}

/** Resting orders of one token: buys then sells, each best price first, then arrival order. */
function priorityOrder(a: OrderState, b: OrderState): number {
  if (a.intent.side !== b.intent.side) return a.intent.side === 'buy' ? -1 : 1
  if (a.intent.price !== b.intent.price) {
    return a.intent.side === 'buy'
      ? b.intent.price - a.intent.price
      : a.intent.price - b.intent.price
  }
  return a.seq - b.seq
}

/**
 * One simulated venue for any number of tokens. Not thread-safe by design: the engine loop owns
 * it. See the module comment for the timing contract.
 */
export class SimVenue {
  private readonly _latency: LatencyModel
  private readonly _marketOf: (tokenId: TokenId) => SimVenueMarket | undefined
  private readonly _listener: SimVenueListener
  /** Pending actions sorted by (due, seq). */
  private readonly _actions: Action[] = []
  private readonly _orders = new Map<string, OrderState>()
  /** Resting orders per token. */
  private readonly _resting = new Map<string, OrderState[]>()
  /** Per token: size our taker fills took from recorded levels, not visible in the recording. */
  private readonly _consumed = new Map<string, Map<number, number>>()
  private readonly _closed = new Set<string>()
  private _seq = 0

  constructor(options: SimVenueOptions, listener: SimVenueListener) {
    this._latency = options.latency
    this._marketOf = (tokenId) => options.marketOf(tokenId)
    this._listener = listener
  }

  /**
   * Validates the order now (known token, market open, price on the tick, size at least the
   * market minimum after rounding down to 0.01 shares) and rejects it as a value, or schedules
   * its arrival at `decidedAt + latency`.
   * @throws InvariantError when `clientId` was already used, or the price or size is not an
   *   integer in its unit's range (a caller bug, not a venue refusal).
   */
  submit(intent: OrderIntent): void {
    invariant(
      !this._orders.has(intent.clientId),
      `order ${intent.clientId} was already submitted; client ids must be unique per venue`,
    )
    invariant(
      Number.isSafeInteger(intent.size) && intent.size > 0,
      `order ${intent.clientId}: size ${intent.size} is not a positive integer of share micros`,
    )
    invariant(
      Number.isInteger(intent.price) && intent.price >= 0 && intent.price <= 10_000,
      `order ${intent.clientId}: price ${intent.price} is not an integer tick in 0..10000`,
    )
    const size = Math.floor(intent.size / SIZE_QUANTUM_MICROS) * SIZE_QUANTUM_MICROS
    const order: OrderState = {
      intent,
      size,
      seq: this._seq++,
      filled: 0,
      phase: 'in_flight',
      cancelRequested: false,
      queue: null,
    }
    this._orders.set(intent.clientId, order)
    const market = this._marketOf(intent.tokenId)
    if (market === undefined) {
      this._reject(order, 'UNKNOWN_TOKEN', `token=${intent.tokenId} is not a known market token`)
      return
    }
    if (this._closed.has(intent.market)) {
      this._reject(order, 'MARKET_CLOSED', `market=${intent.market} is resolved or closed`)
      return
    }
    if (!isOnTick(intent.price, market.tickSize)) {
      this._reject(
        order,
        'PRICE_OFF_TICK',
        `price=${formatPrice(intent.price)} tick=${formatPrice(market.tickSize)}`,
      )
      return
    }
    if (size <= 0 || size < market.minSize) {
      this._reject(
        order,
        'BELOW_MIN_SIZE',
        `size=${formatSize(size as ShareMicros)} min=${formatSize(market.minSize)}`,
      )
      return
    }
    this._schedule('arrive', order, intent.decidedAt + this._latency.entryMs(intent.clientId))
  }

  /**
   * Asks to cancel an order; it takes effect at `now + latency`. An order still on its way is
   * cancelled when it arrives; one held by the in-play delay is matched first (the venue does not
   * cancel during the hold) and its remainder cancelled; a finished or unknown order is left
   * alone.
   */
  cancel(clientId: string, now: EpochMs): void {
    const order = this._orders.get(clientId)
    if (order === undefined || order.phase === 'done') return
    this._schedule('cancel', order, now + this._latency.entryMs(clientId))
  }

  /**
   * Marks a market resolved or closed: its open orders are cancelled now, and later submits and
   * arrivals are rejected with `MARKET_CLOSED`.
   */
  closeMarket(market: MarketId): void {
    this._closed.add(market)
    for (const order of [...this._orders.values()].sort((a, b) => a.seq - b.seq)) {
      if (order.phase !== 'done' && order.intent.market === market) this._finish(order, 'cancelled')
    }
  }

  /** Earliest time something is due, or null. */
  nextDue(): EpochMs | null {
    for (const action of this._actions) {
      if (action.order.phase !== 'done') return action.due as EpochMs
    }
    return null
  }

  /**
   * Executes everything due at or before `now`, in due-time order (ties in submission order),
   * against the books as they stand. A market order walks the book up to its limit and the rest
   * is killed; a limit order crosses what it can, then rests behind the size recorded at its
   * price. A missing book rejects with `NO_LIQUIDITY`, a stale one with `BOOK_STALE`: nothing
   * ever fills against a book we do not trust. Fills carry the action's due time.
   */
  executeDue(now: EpochMs, bookOf: (tokenId: TokenId) => BookView | undefined): void {
    while (this._actions.length > 0 && this._actions[0]!.due <= now) {
      const action = this._actions.shift()!
      const order = action.order
      if (order.phase === 'done') continue
      const due = action.due as EpochMs
      if (action.kind === 'cancel') {
        if (order.phase === 'resting') this._finish(order, 'cancelled')
        else order.cancelRequested = true
        continue
      }
      this._execute(order, action.kind, due, bookOf)
    }
  }

  /**
   * A trade printed on the venue. Resting orders on the side it hit move up their queue and fill
   * once queue-ahead is gone (at their own price, as makers); a trade beyond our price (below our
   * bid, above our ask) means the taker went through our level, so it fills us first. One print's
   * volume is shared among our orders in price-time priority, never counted twice.
   */
  onTrade(trade: LastTrade): void {
    // Nothing rests (the usual case): no lookup by the token's id.
    if (this._resting.size === 0) return
    const resting = this._resting.get(trade.assetId)
    if (resting === undefined || resting.length === 0) return
    let volume: number = trade.size
    for (const order of [...resting]) {
      if (volume <= 0) break
      const intent = order.intent
      // A taker sell hits bids (our buys); a taker buy lifts asks (our sells).
      if (trade.side === intent.side) continue
      // Relevant at our price or beyond it (below our bid, above our ask).
      if (!isWithinLimit(intent.side, trade.price, intent.price)) continue
      const queue = order.queue!
      const remaining = order.size - order.filled
      const atOurPrice = trade.price === intent.price
      const fill = queueOnTrade(queue, volume, atOurPrice, remaining, trade.tsVenue)
      if (fill > 0) {
        volume -= fill
        this._makerFill(order, fill, trade.tsVenue)
      }
    }
  }

  /**
   * A book changed (call after applying each event to it). Updates the queue of our resting
   * orders on it, fills resting orders that a newly arrived opposite order would have crossed,
   * and forgets our own past consumption where the recorded level has since shrunk below it.
   * Ignored while the book is stale: its sizes say nothing then.
   */
  onBookChanged(book: BookView): void {
    // Nothing rests and nothing taken is remembered (the usual case): nothing to update.
    if (this._resting.size === 0 && this._consumed.size === 0) return
    if (book.stale) return
    const tokenId = book.assetId
    const now = book.lastUpdateTs
    const resting = this._resting.get(tokenId)
    if (resting !== undefined && resting.length > 0) {
      for (const order of [...resting]) {
        const side = restingSide(order.intent.side)
        queueOnLevel(order.queue!, book.sizeAt(side, order.intent.price), now)
      }
      if (!book.isCrossed()) this._fillCrossedResting(book, resting, now)
    }
    const consumed = this._consumed.get(tokenId)
    if (consumed !== undefined) {
      for (const [key, taken] of consumed) {
        const recorded = book.sizeAt(keySide(key), keyPrice(key))
        if (recorded <= 0) consumed.delete(key)
        else if (recorded < taken) consumed.set(key, recorded)
      }
      if (consumed.size === 0) this._consumed.delete(tokenId)
    }
  }

  /** Orders not finished yet: on their way, held by the in-play delay, or resting. */
  openOrders(): readonly OrderIntent[] {
    const open: OrderIntent[] = []
    for (const order of this._orders.values()) if (order.phase !== 'done') open.push(order.intent)
    return open
  }

  /** Share micros filled so far for `clientId`; 0 when unknown. */
  filledOf(clientId: string): ShareMicros {
    return (this._orders.get(clientId)?.filled ?? 0) as ShareMicros
  }

  private _schedule(kind: ActionKind, order: OrderState, due: number): void {
    const action: Action = { due, seq: this._seq++, kind, order }
    const actions = this._actions
    // Binary search for the first action due strictly later (ties keep submission order).
    let lo = 0
    let hi = actions.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (actions[mid]!.due <= due) lo = mid + 1
      else hi = mid
    }
    actions.splice(lo, 0, action)
  }

  private _execute(
    order: OrderState,
    kind: 'arrive' | 'match',
    due: EpochMs,
    bookOf: (tokenId: TokenId) => BookView | undefined,
  ): void {
    const intent = order.intent
    if (order.cancelRequested && kind === 'arrive') {
      this._finish(order, 'cancelled')
      return
    }
    if (this._closed.has(intent.market)) {
      this._reject(order, 'MARKET_CLOSED', `market=${intent.market} is resolved or closed`)
      return
    }
    const market = this._marketOf(intent.tokenId)
    if (market === undefined) {
      this._reject(order, 'UNKNOWN_TOKEN', `token=${intent.tokenId} is not a known market token`)
      return
    }
    const book = bookOf(intent.tokenId)
    if (book === undefined) {
      this._reject(order, 'NO_LIQUIDITY', `token=${intent.tokenId} has no book`)
      return
    }
    if (book.stale) {
      this._reject(
        order,
        'BOOK_STALE',
        `token=${intent.tokenId} reason=${book.staleReason ?? 'stale'}`,
      )
      return
    }
    if (!isOnTick(intent.price, book.tickSize)) {
      this._reject(
        order,
        'PRICE_OFF_TICK',
        `price=${formatPrice(intent.price)} tick=${formatPrice(book.tickSize)}`,
      )
      return
    }
    const consumed = this._consumedAt(intent.tokenId, takenSide(intent.side))
    const marketable = isMarketable(book, intent.side, intent.price, consumed)
    if (kind === 'arrive' && marketable && market.secondsDelay > 0) {
      order.phase = 'delayed'
      this._schedule('match', order, due + market.secondsDelay * 1000)
      return
    }
    if (marketable) {
      const fills = walkBook(
        book,
        intent.side,
        intent.price,
        (order.size - order.filled) as ShareMicros,
        consumed,
      )
      this._takerFills(order, fills, market.feeRateBps, due)
    }
    if (order.filled >= order.size) {
      this._finish(order, 'filled')
    } else if (intent.kind === 'market') {
      this._finish(order, order.filled > 0 ? 'partially_filled' : 'killed')
    } else if (order.cancelRequested) {
      this._finish(order, 'cancelled')
    } else {
      this._rest(order, book)
    }
  }

  private _rest(order: OrderState, book: BookView): void {
    const side = restingSide(order.intent.side)
    order.phase = 'resting'
    order.queue = newQueue(book.sizeAt(side, order.intent.price))
    const tokenId = order.intent.tokenId
    let resting = this._resting.get(tokenId)
    if (resting === undefined) {
      resting = []
      this._resting.set(tokenId, resting)
    }
    resting.push(order)
    resting.sort(priorityOrder)
  }

  /**
   * An opposite order recorded at or through a resting order's price (and not matched in the
   * recording, where we were absent) would have matched us: fill as maker at our price.
   */
  private _fillCrossedResting(book: BookView, resting: readonly OrderState[], now: EpochMs): void {
    for (const order of [...resting]) {
      const intent = order.intent
      const consumed = this._consumedAt(intent.tokenId, takenSide(intent.side))
      if (!isMarketable(book, intent.side, intent.price, consumed)) continue
      const fills = walkBook(
        book,
        intent.side,
        intent.price,
        (order.size - order.filled) as ShareMicros,
        consumed,
      )
      for (const fill of fills) this._addConsumed(intent.tokenId, takenSide(intent.side), fill)
      let total = 0
      for (const fill of fills) total += fill.size
      if (total > 0) {
        order.queue!.ahead = 0
        this._makerFill(order, total, now)
      }
    }
  }

  private _takerFills(
    order: OrderState,
    fills: readonly LevelFill[],
    feeRateBps: number,
    ts: EpochMs,
  ): void {
    const intent = order.intent
    for (const level of fills) {
      this._addConsumed(intent.tokenId, takenSide(intent.side), level)
      order.filled += level.size
      this._listener.onFill?.({
        clientId: intent.clientId,
        market: intent.market,
        tokenId: intent.tokenId,
        side: intent.side,
        price: level.price,
        size: level.size,
        fee: takerFee(level.size, level.price, feeRateBps),
        liquidity: 'taker',
        ts,
      })
    }
  }

  private _makerFill(order: OrderState, size: number, ts: EpochMs): void {
    const intent = order.intent
    order.filled += size
    this._listener.onFill?.({
      clientId: intent.clientId,
      market: intent.market,
      tokenId: intent.tokenId,
      side: intent.side,
      price: intent.price,
      size: size as ShareMicros,
      fee: 0 as Fill['fee'],
      liquidity: 'maker',
      ts,
    })
    if (order.filled >= order.size) this._finish(order, 'filled')
  }

  private _consumedAt(tokenId: string, side: Side): ConsumedAt {
    const consumed = this._consumed.get(tokenId)
    if (consumed === undefined) return () => 0
    return (price) => consumed.get(levelKey(side, price)) ?? 0
  }

  private _addConsumed(tokenId: string, side: Side, fill: LevelFill): void {
    let consumed = this._consumed.get(tokenId)
    if (consumed === undefined) {
      consumed = new Map()
      this._consumed.set(tokenId, consumed)
    }
    const key = levelKey(side, fill.price)
    consumed.set(key, (consumed.get(key) ?? 0) + fill.size)
  }

  private _reject(order: OrderState, reason: OrderRejectReason, detail: string): void {
    this._listener.onReject?.(order.intent, reason, detail)
    this._finish(order, 'rejected')
  }

  private _finish(order: OrderState, status: OrderStatus): void {
    if (order.phase === 'resting') {
      const resting = this._resting.get(order.intent.tokenId)
      if (resting !== undefined) {
        const index = resting.indexOf(order)
        if (index >= 0) resting.splice(index, 1)
        if (resting.length === 0) this._resting.delete(order.intent.tokenId)
      }
    }
    order.phase = 'done'
    this._listener.onDone?.(order.intent, order.filled as ShareMicros, status)
  }
}
