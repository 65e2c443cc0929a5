/**
 * One strategy run inside a backtest: a strategy instance with its parameters, its own
 * simulated venue (latency, fills) and its own positions and trades. Several lanes share one
 * replay (books, signals, clock), which is how a latency table or a parameter sweep costs one
 * pass over the data: the recorded market does not depend on our orders (the venue models our
 * own consumption of liquidity itself).
 *
 * Rules the engine enforces for every strategy: one open position per market, mirror signals
 * never open a position, no entry on a stale book, every order goes through the venue.
 */
import type {
  ClosedTrade,
  ExitReason,
  Fill,
  OrderIntent,
  OrderRejectReason,
} from '../../domain/backtest/types.js'
import type { LastTrade } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { Sizing } from '../../domain/strategy/sizing.js'
import type {
  ExitPlan,
  ParamValue,
  PositionView,
  Strategy,
  StrategyContext,
  StrategyInstance,
  StrategySignal,
} from '../../domain/strategy/strategy.js'
import {
  notional,
  PRICE_SCALE,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import type { PortfolioPort, VenueFactory, VenuePort } from './ports.js'

export type LaneConfig = {
  /** Short label: `threshold=0.7 latency=250ms`. */
  readonly label: string
  readonly strategy: Strategy
  readonly params: Readonly<Record<string, ParamValue>>
  readonly sizing: Sizing
  readonly latencyMs: number
  /** USDC micros. */
  readonly bankroll: UsdcMicros
}

/** What a lane needs from the engine that runs it. */
export type LaneHost = {
  now(): EpochMs
  /** The book as the strategy and venue may use it (undefined when unusable or unknown). */
  usableBook(tokenId: TokenId): BookView | undefined
  context(lane: Lane): StrategyContext
  matchOf(market: MarketId): string
  substrategyOf(signal: StrategySignal, tokenId: TokenId): string | null
  /**
   * The key of "one position per market": the market id, or, for tokens under the placeholder
   * id of recordings without market ids, the token's outcome pair (or the token alone).
   */
  positionKey(market: MarketId, tokenId: TokenId): string
  /**
   * Optional: called when the lane's wake times may have moved earlier (an order submitted or
   * cancelled, a position opened): the lane has work before an event stamped after `due` or at
   * or after `deadline`. Lets the engine skip lanes with nothing to do (see {@link Lane.wakeDue}).
   */
  wake?(due: number, deadline: number): void
}

type Position = {
  readonly key: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly signal: StrategySignal
  readonly substrategy: string | null
  readonly exit: ExitPlan
  state: 'entering' | 'open' | 'exiting'
  /** Shares held now. */
  size: ShareMicros
  entryShares: number
  entryPxQty: number
  entryCost: number
  entryTs: number
  exitShares: number
  exitPxQty: number
  exitProceeds: number
  exitTs: number
  fees: number
  pendingId: string | null
  exitReason: ExitReason | null
  revertedTs: number | null
  entryPrice: number
}

export type LaneCounters = {
  signals: number
  entries: number
  orders: number
  fills: number
  skips: Record<string, number>
  rejects: Record<string, number>
}

const NO_DEADLINE = Number.POSITIVE_INFINITY

export class Lane {
  readonly config: LaneConfig
  readonly trades: ClosedTrade[] = []
  readonly counters: LaneCounters = {
    signals: 0,
    entries: 0,
    orders: 0,
    fills: 0,
    skips: {},
    rejects: {},
  }
  private readonly _host: LaneHost
  private readonly _instance: StrategyInstance
  private readonly _venue: VenuePort
  private readonly _portfolio: PortfolioPort | null
  private readonly _byMarket = new Map<string, Position>()
  private readonly _byToken = new Map<string, Position>()
  private readonly _byOrder = new Map<string, { position: Position; role: 'entry' | 'exit' }>()
  private _orderSeq = 0
  private _realized = 0
  private _nextDeadline = NO_DEADLINE
  /**
   * A lower bound of the venue's next due time (+Infinity when nothing is due). The venue's
   * queue only gets earlier entries through submit, cancel and executeDue (see
   * {@link VenuePort.nextDue}), so it is refreshed after those and otherwise never asked.
   */
  private _due = NO_DEADLINE
  private readonly _bookOf: (tokenId: string) => BookView | undefined

  constructor(
    config: LaneConfig,
    host: LaneHost,
    venueFactory: VenueFactory,
    marketOf: Parameters<VenueFactory>[0]['marketOf'],
    portfolio: PortfolioPort | null,
  ) {
    this.config = config
    this._host = host
    this._instance = config.strategy.create(config.params)
    this._portfolio = portfolio
    this._bookOf = (tokenId) => host.usableBook(tokenId as TokenId)
    this._venue = venueFactory(
      { latencyMs: config.latencyMs, marketOf },
      {
        onFill: (fill) => this._onFill(fill),
        onReject: (intent, reason, detail) => this._onReject(intent, reason, detail),
        onDone: (intent, filled) => this._onDone(intent, filled),
      },
    )
    const due = this._venue.nextDue()
    if (due !== null) this._due = due
  }

  /**
   * The equity strategies size against, USDC micros: with a portfolio, its cash plus positions
   * marked at the best bid (what they could be sold for); without, bankroll plus realised profit.
   */
  equity(): UsdcMicros {
    const portfolio = this._portfolio
    if (portfolio === null) return (this.config.bankroll + this._realized) as UsdcMicros
    const equity = portfolio.equity((tokenId) => {
      const bid = this._host.usableBook(tokenId as TokenId)?.bestBid() ?? null
      return bid === null ? null : bid / PRICE_SCALE
    })
    return Math.floor(equity) as UsdcMicros
  }

  /** The lane's portfolio, when the engine was given one. */
  get portfolio(): PortfolioPort | null {
    return this._portfolio
  }

  /** Open positions (entering, open or exiting). */
  get openPositions(): number {
    return this._byMarket.size
  }

  /**
   * Runs what is due before an event stamped `now` is applied: orders due before `now` execute
   * against the books as they stand (after every event up to their due time), then positions
   * whose deadline has come are offered to the strategy.
   */
  beforeEvent(now: EpochMs): void {
    if (this._due < now) {
      // The bound says something may be due: ask the venue, as the loop always did.
      const venue = this._venue
      const due = venue.nextDue()
      if (due !== null && due < now) venue.executeDue((now - 1) as EpochMs, this._bookOf)
      this._refreshDue()
    }
    if (now >= this._nextDeadline) {
      for (const position of this._byMarket.values()) this._tick(position)
    }
  }

  /**
   * The lane has nothing to do before an event stamped `now` while `now <= wakeDue` and
   * `now < wakeDeadline`: {@link beforeEvent} would not call the venue or the strategy.
   */
  get wakeDue(): number {
    return this._due
  }

  get wakeDeadline(): number {
    return this._nextDeadline
  }

  onSignal(signal: StrategySignal): void {
    this.counters.signals++
    if (signal.mirrorOf !== null) return this._skip('mirror')
    if (this._byMarket.has(this._host.positionKey(signal.market, signal.assetId)))
      return this._skip('position_open')
    const ctx = this._host.context(this)
    const decision = this._instance.onSignal(signal, ctx)
    if (decision.kind === 'skip') return this._skip(decision.reason)
    const book = this._host.usableBook(decision.tokenId)
    if (book === undefined || book.stale) return this._skip('stale_book')
    const key = this._host.positionKey(signal.market, decision.tokenId)
    if (this._byToken.has(decision.tokenId) || this._byMarket.has(key))
      return this._skip('position_open')
    const position: Position = {
      key,
      market: signal.market,
      tokenId: decision.tokenId,
      signal,
      substrategy: this._host.substrategyOf(signal, decision.tokenId),
      exit: decision.exit,
      state: 'entering',
      size: 0 as ShareMicros,
      entryShares: 0,
      entryPxQty: 0,
      entryCost: 0,
      entryTs: 0,
      exitShares: 0,
      exitPxQty: 0,
      exitProceeds: 0,
      exitTs: 0,
      fees: 0,
      pendingId: null,
      exitReason: null,
      revertedTs: null,
      entryPrice: 0,
    }
    this._byMarket.set(key, position)
    this._byToken.set(position.tokenId, position)
    this.counters.entries++
    this._submit(position, 'entry', 'buy', decision.maxPrice, decision.size)
  }

  onBookChanged(book: BookView): void {
    this._venue.onBookChanged(book)
    if (this._byToken.size === 0) return
    const position = this._byToken.get(book.assetId)
    if (position !== undefined) this._tick(position)
  }

  onTrade(trade: LastTrade): void {
    this._venue.onTrade(trade)
  }

  /** Settles every position of a resolved market at 1 (winning token) or 0. */
  onResolved(market: MarketId, winner: TokenId, ts: EpochMs): void {
    // The venue cancels the market's open orders at once (finishing entries without fills).
    this._venue.closeMarket?.(market)
    this._portfolio?.settle(market, winner, ts)
    for (const position of [...this._byMarket.values()]) {
      if (position.market !== market) continue
      this._cancelPending(position, ts)
      if (position.size <= 0) {
        this._drop(position)
        continue
      }
      const price = (position.tokenId === winner ? PRICE_SCALE : 0) as PriceTicks
      this._closeAtPrice(position, price, ts, 'resolution')
    }
  }

  /**
   * End of data: orders due by `now` execute, the rest are cancelled, and open positions are
   * valued at the best bid (the price one could sell at), as `end_of_data` trades.
   */
  finish(now: EpochMs): void {
    const due = this._venue.nextDue()
    if (due !== null && due <= now) this._venue.executeDue(now, this._bookOf)
    for (const position of [...this._byMarket.values()]) {
      this._cancelPending(position, now)
      if (position.size <= 0) {
        this._drop(position)
        continue
      }
      const bid = this._host.usableBook(position.tokenId)?.bestBid() ?? null
      const mark = bid ?? Math.round(position.entryPrice)
      this._closeAtPrice(position, mark as PriceTicks, now, 'end_of_data')
    }
  }

  private _skip(reason: string): void {
    this.counters.skips[reason] = (this.counters.skips[reason] ?? 0) + 1
  }

  private _tick(position: Position): void {
    const now = this._host.now()
    if (position.revertedTs === null && position.state !== 'entering') {
      const mid = this._host.usableBook(position.tokenId)?.mid() ?? null
      if (mid !== null && mid >= position.exit.targetMid) position.revertedTs = now
    }
    if (position.state !== 'open') return
    const decision = this._instance.onTick(this._view(position), this._host.context(this))
    if (decision === null) return
    const book = this._host.usableBook(position.tokenId)
    // Without a usable book an exit cannot be priced; a deadline exit waits for the next one.
    if (book === undefined) return
    position.exitReason = decision
    this._submit(position, 'exit', 'sell', book.tickSize as number as PriceTicks, position.size)
  }

  private _view(position: Position): PositionView {
    return {
      market: position.market,
      tokenId: position.tokenId,
      size: position.size,
      signal: position.signal,
      entryPrice: position.entryPrice,
      exit: position.exit,
    }
  }

  private _submit(
    position: Position,
    role: 'entry' | 'exit',
    side: 'buy' | 'sell',
    price: PriceTicks,
    size: ShareMicros,
  ): void {
    const clientId = `${this.config.label}#${++this._orderSeq}`
    const intent: OrderIntent = {
      clientId,
      market: position.market,
      tokenId: position.tokenId,
      side,
      kind: 'market',
      price,
      size,
      decidedAt: this._host.now(),
    }
    position.pendingId = clientId
    position.state = role === 'entry' ? 'entering' : 'exiting'
    this._byOrder.set(clientId, { position, role })
    this.counters.orders++
    this._recomputeDeadline()
    this._venue.submit(intent)
    this._refreshDue()
  }

  private _onFill(fill: Fill): void {
    const entry = this._byOrder.get(fill.clientId)
    if (entry === undefined) return
    this.counters.fills++
    this._portfolio?.applyFill(fill)
    const p = entry.position
    p.fees += fill.fee
    if (fill.side === 'buy') {
      if (p.entryShares === 0) p.entryTs = fill.ts
      p.entryShares += fill.size
      p.entryPxQty += fill.price * fill.size
      p.entryCost += notional(fill.price, fill.size, 'up')
      p.size = (p.size + fill.size) as ShareMicros
      p.entryPrice = p.entryPxQty / p.entryShares
    } else {
      p.exitShares += fill.size
      p.exitPxQty += fill.price * fill.size
      p.exitProceeds += notional(fill.price, fill.size, 'down')
      p.exitTs = fill.ts
      p.size = (p.size - fill.size) as ShareMicros
    }
  }

  private _onReject(intent: OrderIntent, reason: OrderRejectReason, _detail: string): void {
    this.counters.rejects[reason] = (this.counters.rejects[reason] ?? 0) + 1
    this._finishOrder(intent.clientId)
  }

  private _onDone(intent: OrderIntent, _filled: ShareMicros): void {
    this._finishOrder(intent.clientId)
  }

  private _finishOrder(clientId: string): void {
    const entry = this._byOrder.get(clientId)
    if (entry === undefined) return
    this._byOrder.delete(clientId)
    const p = entry.position
    if (p.pendingId === clientId) p.pendingId = null
    if (entry.role === 'entry') {
      if (p.size <= 0) {
        this._skip('entry_unfilled')
        this._drop(p)
        return
      }
      p.state = 'open'
    } else if (p.size <= 0) {
      this._close(p, p.exitTs, p.exitReason ?? 'timeout')
      return
    } else {
      // Partly filled or rejected exit: stay open; the next book change retries.
      p.state = 'open'
    }
    this._recomputeDeadline()
  }

  private _cancelPending(position: Position, now: EpochMs): void {
    if (position.pendingId === null) return
    const id = position.pendingId
    this._byOrder.delete(id)
    position.pendingId = null
    this._venue.cancel(id, now)
    this._refreshDue()
  }

  private _closeAtPrice(position: Position, price: PriceTicks, ts: EpochMs, reason: ExitReason) {
    const shares = position.size
    position.exitShares += shares
    position.exitPxQty += price * shares
    position.exitProceeds += notional(price, shares, 'down')
    position.size = 0 as ShareMicros
    this._close(position, ts, reason)
  }

  private _close(p: Position, exitTs: number, reason: ExitReason): void {
    const profit = p.exitProceeds - p.entryCost - p.fees
    this._realized += profit
    this.trades.push({
      id: this.trades.length + 1,
      market: p.market,
      tokenId: p.tokenId,
      match: this._host.matchOf(p.market),
      strategy: this.config.strategy.name,
      substrategy: p.substrategy,
      signalId: p.signal.id,
      signalType: p.signal.type,
      score: p.signal.score,
      entryTs: p.entryTs as EpochMs,
      exitTs: exitTs as EpochMs,
      entryPrice: p.entryShares > 0 ? p.entryPxQty / p.entryShares : 0,
      exitPrice: p.exitShares > 0 ? p.exitPxQty / p.exitShares : 0,
      size: p.entryShares as ShareMicros,
      fees: p.fees as UsdcMicros,
      profit: profit as UsdcMicros,
      exitReason: reason,
      reversionS: p.revertedTs === null ? null : (p.revertedTs - p.signal.ts) / 1000,
    })
    this._drop(p)
  }

  private _drop(p: Position): void {
    this._byMarket.delete(p.key)
    this._byToken.delete(p.tokenId)
    this._recomputeDeadline()
  }

  private _recomputeDeadline(): void {
    let next = NO_DEADLINE
    for (const p of this._byMarket.values()) {
      if (p.state === 'open' && p.exit.deadline < next) next = p.exit.deadline
    }
    this._nextDeadline = next
    this._host.wake?.(this._due, next)
  }

  private _refreshDue(): void {
    const due = this._venue.nextDue()
    this._due = due === null ? NO_DEADLINE : due
    this._host.wake?.(this._due, this._nextDeadline)
  }
}
