/**
 * The order service: every order path (HTTP API, terminal, automation) goes through it.
 *
 * - Idempotent client ids: a client id seen before answers with the order it named.
 * - Every submit passes `checkSubmit` (src/domain/risk); cancels never do.
 * - The intent is stored (`pending`) before it is handed to the venue; fills are stored before
 *   anyone sees them. On start, stored fills rebuild the portfolio and every order left working
 *   is reconciled with the venue: one the venue does not know becomes `unknown`.
 * - Venue events are applied one at a time, in order, on a promise chain.
 * - Subscribers hear every change once it is applied and stored (`subscribe`): an order written
 *   or updated, a fill booked (portfolio, position row and risk bookkeeping done), a fill's status
 *   changed, the cash set from the wallet, risk events stored. The live socket's account and the stop manager listen there.
 * - Fill statuses (`fill_status` events): `confirmed` is stored on the fill; `failed` takes a
 *   booked fill back (account.ts rebuilds cash, positions and realized profit without it) and
 *   stores it as failed. A status whose fill has not arrived yet is kept until it does. A failed
 *   fill that cannot be taken back yet (a later sale used its shares) waits, and is tried again
 *   after every reversal that succeeds and at every start.
 * - Start rewrites the position rows and the filled size of finished orders with a failed fill
 *   from the stored fills (a stop between the writes of a reversal heals).
 * - Cash: the bankroll, or on a live venue the wallet's balance plus the fills still `matched`
 *   (`cashMark` then `setCash`, at reconciliation).
 * - Alerts (optional sink): every risk breach, every order the venue rejects or whose outcome
 *   becomes unknown, a trade the venue reports failed (critical, with the trade id), and fills
 *   whose average is worse than the preview's by more than `slippageAlertTicks` market ticks.
 * - Latency (optional tracker, order-latency.ts): decision → handed to the venue → first word
 *   from the venue → first fill.
 */
import type { BookView } from '../../domain/book/order-book.js'
import { checkSubmit, isExposureReducing, type OrderOrigin } from '../../domain/risk/checks.js'
import { newRiskContext, type RiskState } from '../../domain/risk/risk-state.js'
import type { RiskScope, TradingStatus } from '../../domain/risk/trading-state.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import {
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import { orderFailureAlert, riskBreachAlert, tradeFailedAlert, type AlertSink } from './alerts.js'
import type { OrderLatencyTracker } from './order-latency.js'
import type { OrderRecord, OrderStore } from './order-store.js'
import { previewOrder, type Preview } from './preview.js'
import { Account, type PortfolioView } from './account.js'
import { SlippageWatch } from './slippage-watch.js'
import {
  FINAL_STATUSES,
  type OrderSide,
  type OrderType,
  type TimeInForce,
  type Venue,
  type VenueEvent,
  type VenueFill,
} from './venue.js'

/** What the service knows about a token's market. */
export type TradableMarket = {
  readonly market: MarketId
  readonly tickSize: TickSize
  readonly minSize: ShareMicros
  readonly feeRateBps: number
  readonly closed: boolean
}

/** An order request in domain units (the HTTP layer parses the body into it). */
export type OrderRequest = {
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly type: OrderType
  readonly size: ShareMicros
  /** Limit price; for a market order the worst price (default: fat-finger distance from touch). */
  readonly price: PriceTicks | null
  readonly postOnly: boolean
  /** Default FAK for market orders, GTC for limit orders. */
  readonly timeInForce: TimeInForce | null
  readonly clientOrderId: string | null
  /** GTD only: when the order stops working (see `VenueOrder.expiresAt`). */
  readonly expiresAt?: EpochMs | null
}

export type Denial = { readonly ok: false; readonly code: string; readonly message: string }

export type SubmitResult =
  | { readonly ok: true; readonly order: OrderRecord; readonly duplicate: boolean }
  | (Denial & { readonly order: OrderRecord | null })

export type PreviewResult =
  | ({ readonly ok: true; readonly price: PriceTicks; readonly feeRateBps: number } & Preview)
  | Denial

export type { PortfolioView, PositionLine } from './account.js'

export type OrderServiceOptions = {
  readonly venue: Venue
  readonly store: OrderStore
  readonly risk: RiskState
  marketOf(tokenId: TokenId): TradableMarket | undefined
  bookOf(tokenId: TokenId): BookView | undefined
  now(): EpochMs
  /** Starting cash of the paper account, USDC micros. */
  readonly bankroll: UsdcMicros
  /** Client ids for requests without one. */
  newClientId(): string
  /** Problems the event chain met (already recorded nowhere else), and subscribers that threw. */
  onError?(e: unknown): void
  /** Where alerts go; none raised without it. */
  readonly alerts?: AlertSink | undefined
  /** Fills worse than the preview's average by more than this many market ticks alert; default 3. */
  readonly slippageAlertTicks?: number | undefined
  /** Per-order stage latency; none measured without it. */
  readonly latency?: OrderLatencyTracker | undefined
}

/** What subscribers hear, after the change is applied and stored. */
export type OrderServiceChange =
  | { readonly kind: 'order'; readonly order: OrderRecord }
  | { readonly kind: 'fill'; readonly fill: VenueFill }
  /** A stored fill's status changed (`confirmed`, or `failed`: taken back, or never booked). */
  | { readonly kind: 'fill_status'; readonly fill: VenueFill }
  /** The cash was set from the wallet's balance. */
  | { readonly kind: 'cash'; readonly cash: UsdcMicros }
  | { readonly kind: 'risk' }

export const DEFAULT_SLIPPAGE_ALERT_TICKS = 3
/** Fill statuses kept waiting for their fill, at most. */
const MAX_EARLY = 10_000

const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/

export class OrderService {
  private readonly _o: OrderServiceOptions
  private _account: Account
  private readonly _orders = new Map<string, OrderRecord>()
  /** Every stored fill by id, in booking order (failed ones included, never booked). */
  private readonly _fills = new Map<string, VenueFill>()
  /** Fill statuses that came before their fill, applied when it arrives (bounded). */
  private readonly _early = new Map<string, 'confirmed' | 'failed'>()
  /** Fills reported failed but kept booked (taking them back did not add up yet), by id. */
  private readonly _kept = new Set<string>()
  /** Goes up whenever a fill is booked, taken back or settles: what the cash is made of. */
  private _seq = 0
  private _chain: Promise<void> = Promise.resolve()
  private readonly _inFlight = new Map<string, Promise<SubmitResult>>()
  private readonly _ctx
  private readonly _listeners = new Set<(change: OrderServiceChange) => void>()
  /** Marketable orders awaiting their fills' slippage check (only with an alert sink). */
  private readonly _slippage: SlippageWatch

  constructor(options: OrderServiceOptions) {
    this._o = options
    this._slippage = new SlippageWatch(options.slippageAlertTicks ?? DEFAULT_SLIPPAGE_ALERT_TICKS)
    this._account = new Account(options.bankroll)
    this._ctx = newRiskContext(options.risk.limits, {
      stale: false,
      staleReason: null,
      bestBid: null,
      bestAsk: null,
      tickSize: 100 as TickSize,
      minSize: 0 as ShareMicros,
      spreadBaselineTicks: null,
      closed: false,
    })
    options.venue.events((event) => {
      options.latency?.venueEvent(event)
      this._chain = this._chain.then(
        () => this._onVenueEvent(event),
        () => this._onVenueEvent(event),
      )
      this._chain.catch((e: unknown) => this._o.onError?.(e))
    })
  }

  /**
   * Rebuilds the portfolio from stored fills and reconciles every order left working with the
   * venue: what the venue knows is taken over; an order it has no record of becomes `unknown`
   * (it may or may not have reached the venue before the process stopped).
   */
  async start(): Promise<{ readonly unknown: readonly string[] }> {
    this._account = new Account(this._o.bankroll)
    this._fills.clear()
    for (const fill of await this._o.store.listFills()) {
      this._fills.set(fill.fillId, fill)
      if (fill.status !== 'failed') this._account.book(fill)
    }
    for (const order of await this._o.store.listOrders({ limit: 10_000 })) {
      this._orders.set(order.clientOrderId, order)
    }
    await this._healRows()
    await this._retryKept(this._o.now())
    const unknown: string[] = []
    for (const order of await this._o.store.listWorkingOrders()) {
      const known = await this._o.venue.lookup(order.clientOrderId)
      if (known === null) {
        if (order.status !== 'unknown') {
          await this._update(order.clientOrderId, {
            status: 'unknown',
            reasonCode: 'NOT_AT_VENUE',
            reasonMessage:
              'the venue has no record of this order after a restart; it may not have been sent',
          })
        }
        unknown.push(order.clientOrderId)
      } else {
        await this._update(order.clientOrderId, { status: known.status, filled: known.filled })
      }
    }
    return { unknown }
  }

  /**
   * Writes the position rows and the filled size of finished orders that lost a fill again from
   * the stored fills, so a stop between the steps of a booking or a reversal heals at start.
   */
  private async _healRows(): Promise<void> {
    const last = new Map<string, VenueFill>()
    const filled = new Map<string, number>()
    const lost = new Set<string>()
    for (const fill of this._fills.values()) {
      last.set(fill.tokenId, fill)
      if (fill.status === 'failed') lost.add(fill.clientOrderId)
      else filled.set(fill.clientOrderId, (filled.get(fill.clientOrderId) ?? 0) + fill.size)
    }
    for (const fill of last.values()) await this._storePosition(fill, fill.ts)
    for (const id of lost) {
      const order = this._orders.get(id)
      const size = filled.get(id) ?? 0
      if (order === undefined || !FINAL_STATUSES.has(order.status) || order.filled === size)
        continue
      await this._update(id, { filled: size as ShareMicros })
    }
  }

  /**
   * Hears every change once applied and stored: orders written or updated, fills booked, risk
   * events stored. Listeners run synchronously and must be quick; one that throws is reported to
   * `onError` and the others still hear the change. Returns the unsubscribe.
   */
  subscribe(listener: (change: OrderServiceChange) => void): () => void {
    this._listeners.add(listener)
    return () => {
      this._listeners.delete(listener)
    }
  }

  /** Waits until every venue event received so far is applied and stored. */
  settled(): Promise<void> {
    return this._chain.catch(() => undefined)
  }

  preview(request: OrderRequest): PreviewResult {
    const prepared = this._prepare(request)
    if (!prepared.ok) return prepared
    const { market, book, price } = prepared
    return {
      ok: true,
      price,
      feeRateBps: market.feeRateBps,
      ...previewOrder(book, request.side, price, request.size, market.feeRateBps),
    }
  }

  /**
   * Checks, stores and sends one order. A client id seen before (stored, or still on its way
   * in a concurrent call) answers with that order and sends nothing.
   */
  async submit(
    request: OrderRequest,
    origin: OrderOrigin,
    flags: { readonly protective?: boolean; readonly approved?: boolean } = {},
  ): Promise<SubmitResult> {
    const decidedAt = this._o.latency?.mark() ?? 0
    const clientOrderId = request.clientOrderId ?? this._o.newClientId()
    const inFlight = this._inFlight.get(clientOrderId)
    if (inFlight !== undefined) {
      const earlier = await inFlight
      return earlier.ok ? { ...earlier, duplicate: true } : earlier
    }
    const pending = this._submit(clientOrderId, request, origin, flags, decidedAt)
    this._inFlight.set(clientOrderId, pending)
    try {
      return await pending
    } finally {
      this._inFlight.delete(clientOrderId)
    }
  }

  private async _submit(
    clientOrderId: string,
    request: OrderRequest,
    origin: OrderOrigin,
    flags: { readonly protective?: boolean; readonly approved?: boolean },
    decidedAt: number,
  ): Promise<SubmitResult> {
    const seen = this._orders.get(clientOrderId) ?? (await this._o.store.getOrder(clientOrderId))
    if (seen !== null && seen !== undefined) {
      this._orders.set(clientOrderId, seen)
      if (seen.status === 'denied') {
        return {
          ok: false,
          code: seen.reasonCode ?? 'DENIED',
          message: seen.reasonMessage ?? '',
          order: seen,
        }
      }
      return { ok: true, order: seen, duplicate: true }
    }
    if (!CLIENT_ID.test(clientOrderId)) {
      return {
        ok: false,
        code: 'INVALID_ORDER',
        message: 'client_order_id must be 1 to 64 letters, digits, or . _ : -',
        order: null,
      }
    }
    const prepared = this._prepare(request)
    if (!prepared.ok) return { ...prepared, order: null }
    const { market, book, price } = prepared
    const now = this._o.now()
    const held = (this._account.position(request.tokenId)?.size ?? 0) as ShareMicros
    if (request.side === 'sell' && request.size > held) {
      return {
        ok: false,
        code: 'INSUFFICIENT_POSITION',
        message: `Selling ${request.size / 1e6} shares but ${held / 1e6} are held; outcome tokens cannot be sold short.`,
        order: null,
      }
    }
    const ctx = this._ctx
    const risk = this._o.risk
    risk.fillContext(ctx, market.market, now)
    ctx.book = {
      stale: book.stale,
      staleReason: book.staleReason,
      bestBid: book.bestBid(),
      bestAsk: book.bestAsk(),
      tickSize: book.tickSize,
      minSize: market.minSize,
      spreadBaselineTicks: null,
      closed: market.closed,
    }
    ctx.heldShares = held
    ctx.marketExposure = this._account.exposure(market.market)
    ctx.origin = origin
    ctx.approved = flags.approved ?? false
    ctx.protective = flags.protective ?? false
    const order = {
      market: market.market,
      tokenId: request.tokenId,
      side: request.side,
      kind: request.type,
      price,
      size: request.size,
    }
    const decision = checkSubmit(order, ctx)
    const timeInForce = request.timeInForce ?? (request.type === 'market' ? 'FAK' : 'GTC')
    const record: OrderRecord = {
      clientOrderId,
      venueOrderId: null,
      market: market.market,
      tokenId: request.tokenId,
      side: request.side,
      type: request.type,
      timeInForce,
      postOnly: request.postOnly,
      price,
      size: request.size,
      filled: 0 as ShareMicros,
      status: decision.ok ? 'pending' : 'denied',
      origin,
      reasonCode: decision.ok ? null : decision.reason,
      reasonMessage: decision.ok ? null : decision.message,
      createdMs: now,
      updatedMs: now,
    }
    // Stored before it is sent: a crash after this line leaves a `pending` row to reconcile.
    await this._o.store.insertOrder(record)
    this._orders.set(clientOrderId, record)
    this._emit({ kind: 'order', order: record })
    if (!decision.ok) {
      await this._storeRiskEvents()
      return { ok: false, code: decision.reason, message: decision.message, order: record }
    }
    if (!isExposureReducing(order, held)) risk.recordEntrySent(market.market, now)
    if (this._o.alerts !== undefined)
      this._slippage.expect(clientOrderId, book, request.side, price, request.size)
    this._o.latency?.sent({
      clientOrderId,
      market: market.market,
      tokenId: request.tokenId,
      decidedAt,
    })
    try {
      await this._o.venue.submit({
        clientOrderId,
        market: market.market,
        tokenId: request.tokenId,
        side: request.side,
        type: request.type,
        timeInForce,
        postOnly: request.postOnly,
        price,
        size: request.size,
        decidedAt: now,
        expiresAt: timeInForce === 'GTD' ? (request.expiresAt ?? null) : null,
      })
      risk.recordApiResult(true, this._o.now())
    } catch (e) {
      risk.recordApiResult(false, this._o.now())
      this._o.latency?.forget(clientOrderId)
      await this.settled()
      await this._update(clientOrderId, {
        status: 'unknown',
        reasonCode: 'VENUE_ERROR',
        reasonMessage: `the venue did not confirm the order: ${e instanceof Error ? e.message : String(e)}`,
      })
    }
    await this.settled()
    await this._storeRiskEvents()
    return { ok: true, order: this._orders.get(clientOrderId) ?? record, duplicate: false }
  }

  /** Never blocked by risk. Unknown or finished orders answer null. */
  async cancel(clientOrderId: string): Promise<OrderRecord | null> {
    const order = this._orders.get(clientOrderId) ?? (await this._o.store.getOrder(clientOrderId))
    if (order === null || order === undefined) return null
    if (!FINAL_STATUSES.has(order.status)) {
      await this._o.venue.cancel(clientOrderId, this._o.now())
      await this.settled()
    }
    return this._orders.get(clientOrderId) ?? order
  }

  async cancelAll(): Promise<readonly OrderRecord[]> {
    const before = [...this._orders.values()].filter((o) => !FINAL_STATUSES.has(o.status))
    await this._o.venue.cancelAll(this._o.now())
    await this.settled()
    return before.map((o) => this._orders.get(o.clientOrderId) ?? o)
  }

  /**
   * Cancels everything, then sells every position with a marketable order down to the lowest
   * price on the tick (protective: it passes halts, the fat-finger and max-order rules).
   */
  async panicClose(): Promise<{
    readonly cancelled: readonly OrderRecord[]
    readonly closes: readonly SubmitResult[]
  }> {
    const cancelled = await this.cancelAll()
    const closes: SubmitResult[] = []
    for (const position of this._account.positions()) {
      const market = this._o.marketOf(position.tokenId)
      const tick = market?.tickSize ?? (100 as TickSize)
      closes.push(
        await this.submit(
          {
            tokenId: position.tokenId,
            side: 'sell',
            type: 'market',
            size: position.size,
            price: tick as number as PriceTicks,
            postOnly: false,
            timeInForce: 'FAK',
            clientOrderId: null,
          },
          'ui',
          { protective: true },
        ),
      )
    }
    return { cancelled, closes }
  }

  async listOrders(limit = 500): Promise<OrderRecord[]> {
    await this.settled()
    return this._o.store.listOrders({ limit })
  }

  async listFills(): Promise<VenueFill[]> {
    await this.settled()
    return this._o.store.listFills()
  }

  portfolio(): PortfolioView {
    return this._account.view((tokenId) => this._o.bookOf(tokenId))
  }

  /** A stored fill by id (after the venue events received so far are applied). */
  fill(fillId: string): VenueFill | undefined {
    return this._fills.get(fillId)
  }

  /**
   * A mark of what the cash is made of: take it just before reading the wallet's balance and
   * pass it to {@link setCash}, which then refuses the balance if a fill was booked, taken back
   * or settled in between (read it again).
   */
  cashMark(): number {
    return this._seq
  }

  /**
   * Live venues: the cash becomes the wallet's collateral balance (read at each reconciliation)
   * plus the effect of the fills still `matched`: the balance follows the chain, which a matched
   * trade has not reached yet (so a matched fill that then fails leaves the wallet's figure).
   * With `mark` (from {@link cashMark}) nothing is set, and false is answered, when the fills
   * changed since. The difference is no gain or loss: the risk engine's equity samples move with it.
   */
  async setCash(cash: UsdcMicros, mark?: number): Promise<boolean> {
    await this.settled()
    if (mark !== undefined && mark !== this._seq) return false
    let unsettled = 0
    for (const fill of this._fills.values()) {
      if (fill.status === 'matched') unsettled += Account.cashEffect(fill)
    }
    const delta = this._account.setCash(cash, unsettled)
    if (delta === 0) return true
    this._o.risk.shiftEquity(delta as UsdcMicros)
    this._emit({ kind: 'cash', cash: this._account.cash() })
    return true
  }

  /** Tokens with a booked fill not yet settled on chain (the venue's balance may not show it). */
  unsettledTokens(): ReadonlySet<TokenId> {
    const tokens = new Set<TokenId>()
    for (const fill of this._fills.values()) if (fill.status === 'matched') tokens.add(fill.tokenId)
    return tokens
  }

  /** Where the account's cash comes from: the configured bankroll or the wallet's balance. */
  get cashSource(): 'bankroll' | 'wallet' {
    return this._account.cashSource
  }

  riskStatus(): {
    readonly global: TradingStatus
    readonly markets: readonly TradingStatus[]
    readonly summary: ReturnType<RiskState['summary']>
    readonly limits: RiskState['limits']
  } {
    const risk = this._o.risk
    const now = this._o.now()
    risk.advance(now)
    const markets = risk.states
      .scopes()
      .filter((s): s is MarketId => s !== 'global')
      .map((s) => risk.states.status(s, now))
    return {
      global: risk.states.status('global', now),
      markets,
      summary: risk.summary(),
      limits: risk.limits,
    }
  }

  /** A person resumes trading in `scope`; returns the codes lifted. */
  async resume(scope: RiskScope): Promise<readonly string[]> {
    const lifted = this._o.risk.resume(scope, this._o.now())
    await this._storeRiskEvents()
    return lifted.map((r) => r.code)
  }

  /** A person halts `scope` until resumed. */
  async halt(scope: RiskScope): Promise<void> {
    this._o.risk.restrict(scope, 'halted', 'MANUAL', this._o.now())
    await this._storeRiskEvents()
  }

  private _prepare(
    request: OrderRequest,
  ): { ok: true; market: TradableMarket; book: BookView; price: PriceTicks } | Denial {
    const market = this._o.marketOf(request.tokenId)
    if (market === undefined) {
      return {
        ok: false,
        code: 'UNKNOWN_TOKEN',
        message: `Token ${request.tokenId} is not in a market the daemon watches.`,
      }
    }
    const book = this._o.bookOf(request.tokenId)
    if (book === undefined) {
      return {
        ok: false,
        code: 'BOOK_STALE',
        message: `The order book for token ${request.tokenId} has not arrived yet; try again shortly.`,
      }
    }
    if (request.price !== null) return { ok: true, market, book, price: request.price }
    if (request.type === 'limit') {
      return { ok: false, code: 'INVALID_ORDER', message: 'A limit order needs a price.' }
    }
    const tick = book.tickSize
    const reach = this._o.risk.limits.fatFingerTicks * tick
    const touch = request.side === 'buy' ? book.bestAsk() : book.bestBid()
    if (touch === null) {
      return {
        ok: false,
        code: 'NO_LIQUIDITY',
        message: `There is nothing to ${request.side === 'buy' ? 'buy' : 'sell into'} on token ${request.tokenId}; give a price or wait.`,
      }
    }
    const price =
      request.side === 'buy'
        ? Math.min(touch + reach, 10_000 - tick)
        : Math.max(touch - reach, tick)
    return { ok: true, market, book, price: price as PriceTicks }
  }

  private async _onVenueEvent(event: VenueEvent): Promise<void> {
    if (event.kind === 'fill') return this._onFill(event.fill)
    if (event.kind === 'fill_status')
      return this._onFillStatus(event.fillId, event.status, event.ts)
    const order = this._orders.get(event.clientOrderId)
    await this._update(event.clientOrderId, {
      status: event.status,
      venueOrderId: event.venueOrderId,
      filled: Math.max(event.filled, order?.filled ?? 0) as ShareMicros,
      ...(event.code === null ? {} : { reasonCode: event.code, reasonMessage: event.message }),
    })
  }

  private async _onFill(incoming: VenueFill): Promise<void> {
    const known = this._fills.get(incoming.fillId)
    if (known !== undefined) {
      // seen before: only a later status matters
      if (incoming.status !== 'matched' && incoming.status !== known.status) {
        await this._onFillStatus(incoming.fillId, incoming.status, incoming.ts)
      }
      return
    }
    const early = this._early.get(incoming.fillId)
    this._early.delete(incoming.fillId)
    const fill: VenueFill =
      early === undefined || incoming.status === 'failed'
        ? incoming
        : { ...incoming, status: early }
    // Stored first; a fill seen twice is booked once.
    if (!(await this._o.store.insertFill(fill))) return
    this._fills.set(fill.fillId, fill)
    if (fill.status === 'failed') {
      // The trade failed before its fill was booked: stored for the record, never booked.
      this._alert(tradeFailedAlert(fill, 'not_booked'))
      this._emit({ kind: 'fill_status', fill })
      return
    }
    const profit = this._account.book(fill)
    this._seq++
    const order = this._orders.get(fill.clientOrderId)
    if (order !== undefined) {
      await this._update(fill.clientOrderId, {
        filled: (order.filled + fill.size) as ShareMicros,
      })
    }
    await this._storePosition(fill, fill.ts)
    if (profit !== null) this._o.risk.recordClosedTrade(profit as UsdcMicros, fill.ts)
    this._o.risk.recordEquity(Math.round(this.portfolio().equityAtBid) as UsdcMicros, fill.ts)
    this._emit({ kind: 'fill', fill })
    const slipped = this._slippage.onFill(fill)
    if (slipped !== null) this._alert(slipped)
    await this._storeRiskEvents()
  }

  /**
   * A booked fill settled (`confirmed`) or its trade failed (`failed`: taken back). Idempotent;
   * a failed fill stays failed. A status whose fill has not arrived yet waits for it.
   */
  private async _onFillStatus(
    fillId: string,
    status: 'confirmed' | 'failed',
    ts: EpochMs,
  ): Promise<void> {
    const fill = this._fills.get(fillId)
    if (fill === undefined) {
      if (this._early.get(fillId) === 'failed') return
      if (this._early.size >= MAX_EARLY) {
        const oldest = this._early.keys().next().value
        if (oldest !== undefined) this._early.delete(oldest)
      }
      this._early.set(fillId, status)
      return
    }
    if (fill.status === status || fill.status === 'failed') return
    if (status === 'confirmed') {
      await this._o.store.updateFillStatus(fillId, 'confirmed')
      const next: VenueFill = { ...fill, status }
      this._fills.set(fillId, next)
      this._seq++
      this._emit({ kind: 'fill_status', fill: next })
      return
    }
    await this._reverse(fill, ts)
  }

  /**
   * Takes a booked fill back: the account is rebuilt from the other fills (cash, position,
   * realized profit and fees as if it never happened), then the fill's status, the position row
   * and the order's filled size are stored. When the rebuild does not add up (a later sell of
   * the same shares), the fill stays booked, the alert says so, and it is kept waiting: every
   * reversal that succeeds (and every start) tries the waiting ones again, in booking order.
   */
  private async _reverse(fill: VenueFill, ts: EpochMs): Promise<void> {
    const waiting = this._kept.has(fill.fillId)
    let problem: string | null = null
    try {
      this._rebuildWithout([fill])
    } catch (e) {
      problem = messageOf(e)
    }
    if (problem !== null) {
      if (!waiting) {
        this._kept.add(fill.fillId)
        this._alert(tradeFailedAlert({ ...fill, ts }, 'kept', problem))
      }
      return
    }
    await this._commitReversal(fill, ts)
    await this._retryKept(ts)
    await this._storeRiskEvents()
  }

  /** Rebuilds the account with `fills` taken back; on a throw nothing has changed. */
  private _rebuildWithout(fills: readonly VenueFill[]): void {
    for (const f of fills) this._fills.set(f.fillId, { ...f, status: 'failed' })
    try {
      this._account.rebuild(this._fills.values())
    } catch (e) {
      for (const f of fills) this._fills.set(f.fillId, f)
      throw e
    }
  }

  /** Stores a reversal the account already reflects (see {@link _reverse}). */
  private async _commitReversal(fill: VenueFill, ts: EpochMs): Promise<void> {
    const failed: VenueFill = { ...fill, status: 'failed' }
    try {
      await this._o.store.updateFillStatus(fill.fillId, 'failed')
    } catch (e) {
      this._fills.set(fill.fillId, fill)
      this._account.rebuild(this._fills.values())
      throw e
    }
    this._kept.delete(fill.fillId)
    this._seq++
    await this._storePosition(fill, ts)
    const order = this._orders.get(fill.clientOrderId)
    if (order !== undefined) {
      await this._update(fill.clientOrderId, {
        filled: Math.max(0, order.filled - fill.size) as ShareMicros,
        reasonCode: 'TRADE_FAILED',
        reasonMessage: `a trade of ${fill.size / 1e6} shares failed to settle on chain and was taken back`,
      })
    }
    this._o.risk.recordEquity(Math.round(this.portfolio().equityAtBid) as UsdcMicros, ts)
    this._alert(tradeFailedAlert({ ...fill, ts }, 'reversed'))
    this._emit({ kind: 'fill_status', fill: failed })
  }

  /**
   * Tries again the failed fills kept booked: all at once first (one rebuild), else one at a time
   * in booking order until none more can be taken back.
   */
  private async _retryKept(ts: EpochMs): Promise<void> {
    const waiting = (): VenueFill[] =>
      [...this._fills.values()].filter((f) => this._kept.has(f.fillId) && f.status !== 'failed')
    for (const id of this._kept) if (!this._fills.has(id)) this._kept.delete(id)
    let candidates = waiting()
    if (candidates.length === 0) return
    let together = true
    try {
      this._rebuildWithout(candidates)
    } catch {
      together = false // some still do not add up: one at a time below
    }
    if (together) {
      for (const f of candidates) await this._commitReversal(f, ts)
      return
    }
    let progress = true
    while (progress) {
      progress = false
      for (const f of candidates) {
        try {
          this._rebuildWithout([f])
        } catch {
          continue
        }
        await this._commitReversal(f, ts)
        progress = true
      }
      candidates = waiting()
    }
  }

  private async _storePosition(fill: VenueFill, ts: EpochMs): Promise<void> {
    const position = this._account.position(fill.tokenId)
    await this._o.store.upsertPosition({
      market: fill.market,
      tokenId: fill.tokenId,
      size: (position?.size ?? 0) as ShareMicros,
      cost: (position?.cost ?? 0) as UsdcMicros,
      realized: this._account.realizedOf(fill.tokenId),
      updatedMs: ts,
    })
  }

  private async _update(
    clientOrderId: string,
    change: Partial<
      Pick<OrderRecord, 'status' | 'filled' | 'venueOrderId' | 'reasonCode' | 'reasonMessage'>
    >,
  ): Promise<void> {
    const order = this._orders.get(clientOrderId) ?? (await this._o.store.getOrder(clientOrderId))
    if (order === null || order === undefined) return
    const next: OrderRecord = {
      ...order,
      ...change,
      venueOrderId: change.venueOrderId ?? order.venueOrderId,
      updatedMs: this._o.now(),
    }
    this._orders.set(clientOrderId, next)
    await this._o.store.updateOrder(clientOrderId, next)
    if (next.status === 'rejected') this._slippage.forget(clientOrderId)
    this._emit({ kind: 'order', order: next })
    if (next.status !== order.status) {
      const alert = orderFailureAlert(next, next.updatedMs)
      if (alert !== null) this._alert(alert)
    }
  }

  private _emit(change: OrderServiceChange): void {
    for (const listener of this._listeners) {
      try {
        listener(change)
      } catch (e) {
        this._o.onError?.(e)
      }
    }
  }

  /** Raises an alert; a failing sink never breaks the order path. */
  private _alert(alert: Parameters<AlertSink['raise']>[0]): void {
    const sink = this._o.alerts
    if (sink === undefined) return
    try {
      sink.raise(alert)
    } catch (e) {
      this._o.onError?.(e)
    }
  }

  /** Stores the risk events queued so far (breaches alert first), then tells subscribers. */
  private async _storeRiskEvents(): Promise<void> {
    const events = this._o.risk.takeEvents()
    if (events.length === 0) return
    for (const e of events) if (e.kind === 'breach') this._alert(riskBreachAlert(e))
    for (const e of events) {
      await this._o.store.insertRiskEvent({
        ts: e.ts,
        kind: e.kind,
        code: e.code,
        scope: e.scope,
        detail: e.detail,
        message: e.message,
        liftedBy: e.by,
      })
    }
    this._emit({ kind: 'risk' })
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
