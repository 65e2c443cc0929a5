/**
 * The venue port (src/engine/execution/venue.ts) over {@link PolymarketTrading}: the live
 * Polymarket venue, and the simulator when pointed at it (`--venue sim`).
 *
 * - Client ids: the port speaks client order ids, the venue its order hashes. The hash is known
 *   once the order is signed; it is written to the order store (`VenueJournal.remember`) before
 *   the order leaves, so after a crash every order that may have been sent can be looked up.
 * - Outcomes arrive as events: the order answer (`live`, `matched`, `delayed`, a rejection),
 *   then the user channel's order and trade events. A fill is handed on once per (trade, order)
 *   at its first status (`MATCHED`, or later if that one was missed); a status event never
 *   claims more filled shares than the fills handed on, because the order service adds fills up.
 * - No answer: the order is `unknown` (the port's `submit` throws), then looked up after 1, 2, 4
 *   and 8 s: open or traded settles it; still absent after that, it was not placed (`rejected`,
 *   `NOT_PLACED`). Restarts and reconnects go through {@link PolymarketVenue.reconcile}
 *   (polymarket-reconcile.ts).
 * - Fill statuses: a later MINED or CONFIRMED of a fill handed on as matched is sent as a
 *   `fill_status` `confirmed`; a FAILED trade sends `fill_status` `failed` for each of our fills
 *   handed on (the order service takes them back), or the fill itself as `failed` when it was
 *   never handed on, and is reported with `onTradeFailed` so the daemon can check the positions.
 */
import type { TickSize, TokenId } from '../../../domain/market.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../../../domain/units.js'
import type {
  FillStatus,
  OrderStatus,
  Venue,
  VenueEvent,
  VenueListener,
  VenueOrder,
  VenueOrderState,
} from '../../../engine/execution/venue.js'
import { FINAL_STATUSES } from '../../../engine/execution/venue.js'
import type { HeartbeatHealth, HeartbeatOptions } from './heartbeat.js'
import type { MarketParams } from './order-rules.js'
import type { PlaceResult, PolymarketTrading, VenueTrade } from './polymarket-trading.js'
import {
  lookupOrder,
  reconcileVenue,
  settleOrder,
  type ReconcileHost,
  type ReconcileReport,
} from './polymarket-reconcile.js'
import { applyTrade, type FailedTrade } from './trade-fills.js'
import {
  parseUserEvent,
  type UserChannel,
  type UserChannelEvent,
  type UserOrderEvent,
  type UserTradeEvent,
} from './user-channel.js'
import {
  afterMatch,
  fillIdOf,
  isComplete,
  matchedAmounts,
  placeRequestOf,
  statusOfOrderEvent,
  trackedOf,
  type JournalOrder,
  type TrackedOrder,
} from './venue-orders.js'

export type { JournalOrder } from './venue-orders.js'
export type { ReconcileReport } from './polymarket-reconcile.js'
export type { FailedTrade } from './trade-fills.js'

/** What the venue needs from the order store. */
export type VenueJournal = {
  /** Stores the venue's id of a client order; awaited before the order is sent. */
  remember(clientOrderId: string, orderId: string): Promise<void>
  order(clientOrderId: string): Promise<JournalOrder | null>
  /** Every stored order (newest first, bounded by the store). */
  orders(): Promise<readonly JournalOrder[]>
  /** Every stored fill. */
  fills(): Promise<
    readonly {
      readonly clientOrderId: string
      readonly fillId: string
      readonly size: ShareMicros
      readonly status: FillStatus
      /** When it was booked (a `matched` fill's trade is read back from before then). */
      readonly ts?: EpochMs
    }[]
  >
}

/** The part of {@link PolymarketTrading} the venue drives (a test can stand in for it). */
export type TradingPort = Pick<
  PolymarketTrading,
  | 'placeOrder'
  | 'resolve'
  | 'cancel'
  | 'cancelAll'
  | 'openOrders'
  | 'trades'
  | 'tokenBalance'
  | 'collateralBalance'
  | 'startHeartbeats'
  | 'stopHeartbeats'
  | 'heartbeatHealth'
  | 'userChannel'
  | 'setMarketParams'
  | 'apiKey'
  | 'funder'
>

/** Points of the order path, for tests that stop the process there. */
export type OrderStage = 'submit' | 'signed' | 'answered' | 'applied'

export type VenueProblem = {
  readonly severity: 'warning' | 'critical'
  readonly code: string
  readonly message: string
}

export type PolymarketVenueOptions = {
  readonly name: 'polymarket' | 'sim'
  readonly trading: TradingPort
  readonly journal: VenueJournal
  now(): EpochMs
  /** Called at each stage of a submit; awaited. */
  stage?(stage: OrderStage, clientOrderId: string): Promise<void> | void
  onProblem?(problem: VenueProblem): void
  /** A trade of ours failed on chain; its fills were sent as `failed` just before. */
  onTradeFailed?(trade: FailedTrade): void
  /** The user channel reconnected or dropped (reconcile after a reconnect). */
  onChannel?(state: 'connected' | 'reconnected' | 'disconnected'): void
  /** Delays between the look-ups of an order with no answer, ms (default 1, 2, 4, 8 s). */
  readonly resolveDelaysMs?: readonly number[]
  /** How long `submit` waits for the user channel to bring the trades of a match, ms (1500). */
  readonly tradeWaitMs?: number
  readonly heartbeat?: HeartbeatOptions
  readonly channel?: { readonly pingIntervalMs?: number; readonly backoffMs?: number }
}

const DEFAULT_RESOLVE_DELAYS = [1000, 2000, 4000, 8000]

export class PolymarketVenue implements Venue {
  readonly name: string
  private readonly _o: PolymarketVenueOptions
  private readonly _t: TradingPort
  private _listener: VenueListener = () => {}
  private readonly _byClient = new Map<string, TrackedOrder>()
  private readonly _byOrder = new Map<string, TrackedOrder>()
  /** Fill ids already handed on (or stored before the start), with their last status sent. */
  private readonly _fills = new Map<string, FillStatus>()
  /** Fills handed on (or stored) as `matched` and not settled or failed since, with their time. */
  private readonly _unsettled = new Map<string, EpochMs>()
  private readonly _tradeWaiters = new Map<string, () => void>()
  private _channel: UserChannel | null = null
  private _closed = false
  private readonly _timers = new Set<NodeJS.Timeout>()

  /** What the reads back from the venue (polymarket-reconcile.ts) use of this venue. */
  private readonly _host: ReconcileHost

  constructor(options: PolymarketVenueOptions) {
    this._o = options
    this._t = options.trading
    this.name = options.name
    this._host = {
      trading: this._t,
      now: () => this._o.now(),
      tracked: () => this._byClient.values(),
      byOrderId: (orderId) => this._byOrder.get(orderId),
      onTrade: (trade) => this._onRestTrade(trade),
      parseTrade: (trade) => this._parseTrade(trade),
      fillCount: () => this._fills.size,
      oldestUnsettledMs: () => {
        let oldest: number | null = null
        for (const ts of this._unsettled.values()) oldest = Math.min(oldest ?? ts, ts)
        return oldest as EpochMs | null
      },
      setStatus: (t, status) => this._status(t, status, null, null),
    }
  }

  events(listener: VenueListener): void {
    this._listener = listener
  }

  /**
   * Loads what the store knows (order ids, fills), so events of orders from before a restart
   * find their client ids, and starts the heartbeats (the dead-man switch).
   */
  async start(): Promise<HeartbeatHealth> {
    const fills = await this._o.journal.fills()
    const filled = new Map<string, number>()
    for (const f of fills) {
      this._fills.set(f.fillId, f.status)
      if (f.status === 'matched') this._unsettled.set(f.fillId, f.ts ?? this._o.now())
      if (f.status === 'failed') continue
      filled.set(f.clientOrderId, (filled.get(f.clientOrderId) ?? 0) + f.size)
    }
    for (const order of await this._o.journal.orders()) {
      const t = trackedOf(order, (filled.get(order.clientOrderId) ?? 0) as ShareMicros)
      this._track(t)
    }
    return this._t.startHeartbeats(this._o.heartbeat ?? {})
  }

  /** Opens the user channel (resolves once connected). */
  async connect(): Promise<void> {
    let first = true
    this._channel = await this._t.userChannel(
      (event) =>
        this._onChannel(event, () => {
          const reconnect = !first
          first = false
          return reconnect
        }),
      this._o.channel ?? {},
    )
  }

  /** The wallet that holds the funds, and the API key (public id) the venue knows us by. */
  get account(): { readonly funder: string; readonly apiKey: string } {
    return { funder: this._t.funder, apiKey: this._t.apiKey }
  }

  heartbeat(): HeartbeatHealth | null {
    return this._t.heartbeatHealth()
  }

  get channelConnected(): boolean {
    return this._channel?.connected ?? false
  }

  /** A token's tick, minimum size and neg-risk flag (from the market data), for the checks. */
  setMarketParams(tokenId: TokenId, params: MarketParams): void {
    this._t.setMarketParams(tokenId, params)
  }

  /** A token's tick changed on the book. */
  setTick(tokenId: TokenId, tick: TickSize, base: Omit<MarketParams, 'tick'>): void {
    this._t.setMarketParams(tokenId, { ...base, tick })
  }

  async submit(order: VenueOrder): Promise<void> {
    const t = trackedOf(order, 0 as ShareMicros)
    this._track(t)
    await this._o.stage?.('submit', t.clientOrderId)
    const result = await this._t.placeOrder(placeRequestOf(order), {
      beforeSend: async (orderId) => {
        t.orderId = orderId
        this._byOrder.set(orderId, t)
        await this._o.journal.remember(t.clientOrderId, orderId)
        // carries the id into the order service before any fill of this order can arrive
        this._status(t, 'pending', null, null)
        await this._o.stage?.('signed', t.clientOrderId)
      },
    })
    await this._o.stage?.('answered', t.clientOrderId)
    await this._apply(t, result)
    await this._o.stage?.('applied', t.clientOrderId)
  }

  private async _apply(t: TrackedOrder, result: PlaceResult): Promise<void> {
    if (result.outcome === 'rejected') {
      if (result.orderId !== null && t.orderId === null) this._link(t, result.orderId)
      this._status(t, 'rejected', result.reason, result.message)
      return
    }
    this._link(t, result.orderId)
    if (result.outcome === 'delayed') {
      this._status(t, 'delayed', null, null)
      return
    }
    if (result.outcome === 'unknown') {
      // the order service marks it unknown when `submit` throws; mirror that here
      if (!FINAL_STATUSES.has(t.status)) t.status = 'unknown'
      this._resolveLater(t, 0)
      throw new Error(result.message)
    }
    if (result.status === 'live' || result.status === 'unmatched') {
      if (t.type === 'market') {
        this._status(t, 'killed', 'FAK_NO_MATCH', 'nothing matched within the worst price')
      } else {
        this._status(t, 'open', null, null)
      }
      return
    }
    // matched: wait briefly for the trades on the user channel, else read them
    const { shares, usd } = matchedAmounts(t.side, result.making, result.taking)
    await this._awaitTrades(t, result.tradeIds)
    const complete = isComplete(t, Math.max(shares, t.filled), Math.max(usd, t.usd))
    const status = afterMatch(t, complete, false)
    if (t.status !== status) {
      this._status(t, status, status === 'killed' ? 'FAK_PARTIAL' : null, null)
    }
  }

  private async _awaitTrades(t: TrackedOrder, tradeIds: readonly string[]): Promise<void> {
    const missing = (): string[] =>
      tradeIds.filter((id) => t.orderId !== null && !this._fills.has(fillIdOf(id, t.orderId)))
    if (missing().length === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this._o.tradeWaitMs ?? 1500)
      const check = (): void => {
        if (missing().length === 0) done()
      }
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this._tradeWaiters.set(t.clientOrderId, check)
    })
    this._tradeWaiters.delete(t.clientOrderId)
    for (const id of missing()) {
      try {
        for (const trade of await this._t.trades({ id })) this._onRestTrade(trade)
      } catch (e) {
        this._problem('warning', 'TRADE_READ_FAILED', `reading trade ${id} failed: ${messageOf(e)}`)
      }
    }
  }

  /** Looks an order with no answer up until it is found or the delays run out. */
  private _resolveLater(t: TrackedOrder, attempt: number): void {
    const delays = this._o.resolveDelaysMs ?? DEFAULT_RESOLVE_DELAYS
    const delay = delays[attempt]
    if (delay === undefined || this._closed) {
      if (!this._closed && (t.status === 'pending' || t.status === 'unknown')) {
        this._status(
          t,
          'rejected',
          'NOT_PLACED',
          `no answer to the order, and the venue had no record of it ${Math.round(delays.reduce((a, b) => a + b, 0) / 1000)} s later: it was not placed`,
        )
      }
      return
    }
    const timer = setTimeout(() => {
      this._timers.delete(timer)
      void this._settleOne(t).then(
        (found) => {
          if (!found) this._resolveLater(t, attempt + 1)
        },
        (e: unknown) => {
          this._problem(
            'warning',
            'LOOKUP_FAILED',
            `looking up order ${t.clientOrderId} failed: ${messageOf(e)}`,
          )
          this._resolveLater(t, attempt + 1)
        },
      )
    }, delay)
    this._timers.add(timer)
  }

  /** Reads one order's state at the venue and hands on what changed; false when absent. */
  private _settleOne(t: TrackedOrder): Promise<boolean> {
    return settleOrder(this._host, t)
  }

  async cancel(clientOrderId: string): Promise<void> {
    const t = await this._find(clientOrderId)
    if (t?.orderId === null || t === undefined) return
    const result = await this._t.cancel(t.orderId)
    if (result.canceled.includes(t.orderId) && !FINAL_STATUSES.has(t.status)) {
      this._status(t, t.type === 'market' ? 'killed' : 'cancelled', 'CANCELLED', null)
    }
  }

  async cancelAll(): Promise<void> {
    const result = await this._t.cancelAll()
    for (const id of result.canceled) {
      const t = this._byOrder.get(id)
      if (t !== undefined && !FINAL_STATUSES.has(t.status)) {
        this._status(t, t.type === 'market' ? 'killed' : 'cancelled', 'CANCELLED', null)
      }
    }
  }

  async openOrders(): Promise<readonly VenueOrderState[]> {
    const rows = await this._t.openOrders()
    const out: VenueOrderState[] = []
    for (const row of rows) {
      const t = this._byOrder.get(row.orderId)
      if (t === undefined) continue
      out.push({ clientOrderId: t.clientOrderId, status: 'open', filled: t.filled })
    }
    return out
  }

  /**
   * What the venue knows of an order (the order service asks at start). `filled` is what the
   * stored fills say; fills missing from the store come with {@link reconcile}.
   */
  async lookup(clientOrderId: string): Promise<VenueOrderState | null> {
    const t = await this._find(clientOrderId)
    return t === undefined ? null : lookupOrder(this._host, t)
  }

  /**
   * Brings the order service up to the venue (polymarket-reconcile.ts): trades since the oldest
   * working order or unsettled fill (fills and fill statuses not stored yet are handed on), open
   * orders, and orders that ended while nobody listened. The collateral balance is read apart
   * ({@link collateralBalance}). Throws when the venue cannot be read (the picture would be
   * partial).
   */
  reconcile(): Promise<ReconcileReport> {
    return reconcileVenue(this._host)
  }

  /** Shares of a token the venue says the funder holds. */
  tokenBalance(tokenId: TokenId): Promise<ShareMicros> {
    return this._t.tokenBalance(tokenId)
  }

  /** The funder's collateral (pUSD) balance at the venue. */
  collateralBalance(): Promise<UsdcMicros> {
    return this._t.collateralBalance()
  }

  /** Stops the heartbeats (the venue cancels our resting orders after its window) and the channel. */
  async close(): Promise<void> {
    this._closed = true
    for (const timer of this._timers) clearTimeout(timer)
    this._timers.clear()
    this._t.stopHeartbeats()
    await this._channel?.close()
  }

  // ---- events ------------------------------------------------------------------------------

  private _onChannel(event: UserChannelEvent, reconnect: () => boolean): void {
    switch (event.type) {
      case 'order':
        this._onOrderEvent(event)
        return
      case 'trade':
        this._onTrade(event)
        return
      case 'connected':
        this._o.onChannel?.(reconnect() ? 'reconnected' : 'connected')
        return
      case 'disconnected':
        this._o.onChannel?.('disconnected')
        return
      case 'parse_error':
        this._problem('warning', 'USER_CHANNEL_PARSE', `${event.message}: ${event.excerpt}`)
    }
  }

  private _onOrderEvent(event: UserOrderEvent): void {
    const t = this._byOrder.get(event.orderId)
    if (t === undefined) return
    const next = statusOfOrderEvent(t, event)
    if (next === null) return
    if (next.status === t.status && next.reason === null) return
    if (FINAL_STATUSES.has(t.status) && next.status !== 'filled') return
    this._status(t, next.status, next.reason === null ? null : codeOf(next.reason), next.reason)
  }

  private _onTrade(event: UserTradeEvent): void {
    if (event.status === 'RETRYING') {
      this._problem(
        'warning',
        'TRADE_RETRYING',
        `trade ${event.tradeId} is being resubmitted on chain`,
      )
      return
    }
    const out = applyTrade(event, this._byOrder, this._fills, this._o.now())
    for (const e of out.events) this._emit(e)
    if (out.failed !== null && !this._closed) this._o.onTradeFailed?.(out.failed)
    for (const t of out.touched) {
      this._tradeWaiters.get(t.clientOrderId)?.()
      // a delayed or resting order that this trade completed, or a delayed market order's end
      if (isComplete(t) && t.status !== 'filled') this._status(t, 'filled', null, null)
      else if (t.status === 'delayed' && t.type === 'market')
        this._status(t, 'killed', 'FAK_PARTIAL', null)
    }
  }

  private _onRestTrade(trade: VenueTrade): void {
    const parsed = this._parseTrade(trade)
    if (parsed !== null) this._onTrade(parsed)
  }

  private _parseTrade(trade: VenueTrade): UserTradeEvent | null {
    const parsed = parseUserEvent(
      { ...trade.raw, event_type: 'trade' },
      this._t.apiKey,
      this._t.funder,
    )
    if (parsed === null || typeof parsed === 'string' || parsed.type !== 'trade') return null
    return parsed
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private _track(t: TrackedOrder): void {
    this._byClient.set(t.clientOrderId, t)
    if (t.orderId !== null) this._byOrder.set(t.orderId, t)
  }

  private _link(t: TrackedOrder, orderId: string): void {
    if (t.orderId === orderId) return
    t.orderId = orderId
    this._byOrder.set(orderId, t)
  }

  private async _find(clientOrderId: string): Promise<TrackedOrder | undefined> {
    const known = this._byClient.get(clientOrderId)
    if (known !== undefined) return known
    const stored = await this._o.journal.order(clientOrderId)
    if (stored === null) return undefined
    const t = trackedOf(stored, 0 as ShareMicros)
    this._track(t)
    return t
  }

  private _status(
    t: TrackedOrder,
    status: OrderStatus,
    code: string | null,
    message: string | null,
  ): void {
    t.status = status
    this._emit({
      kind: 'status',
      clientOrderId: t.clientOrderId,
      status,
      venueOrderId: t.orderId,
      filled: t.filled,
      code,
      message,
      ts: this._o.now(),
    })
  }

  private _emit(event: VenueEvent): void {
    if (event.kind === 'fill') {
      if (event.fill.status === 'matched') this._unsettled.set(event.fill.fillId, event.fill.ts)
    } else if (event.kind === 'fill_status') {
      this._unsettled.delete(event.fillId)
    }
    if (this._closed) return
    this._listener(event)
  }

  private _problem(severity: VenueProblem['severity'], code: string, message: string): void {
    this._o.onProblem?.({ severity, code, message })
  }
}

/** A stable code for the venue's kill reason text. */
function codeOf(reason: string): string {
  const text = reason.toLowerCase()
  if (text.includes('fok')) return 'FOK_NOT_FILLED'
  if (text.includes('fak') || text.includes('no orders found to match')) return 'FAK_NO_MATCH'
  return 'VENUE_CANCELLED'
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
