/**
 * The simulator's exchange: orders, balances and trades per wallet, matching on the scenario's
 * books (see matching.ts), the in-play delay on marketable orders, GTD expiry, heartbeats as a
 * dead-man switch, and the user-channel events (`order` PLACEMENT/UPDATE/CANCELLATION, `trade`
 * MATCHED → MINED → CONFIRMED, or RETRYING → FAILED). Signatures and HMAC are checked before an
 * order gets here (sim-trading.ts); the order's own checks are in validate-order.ts.
 */
import type { OrderBook } from '../../../domain/book/order-book.js'
import type { Side } from '../../../domain/market.js'
import type { PriceTicks } from '../../../domain/units.js'
import type { SimFrame } from '../scenario.js'
import {
  consumedSide,
  ownPrice,
  planFills,
  restingPlace,
  ScenarioTakings,
  usdFor,
  type Plan,
  type RestingView,
  type TakerSpec,
} from './matching.js'
import {
  FAK_KILLED,
  FOK_KILLED,
  fmtPrice,
  fmtShares,
  hex64,
  NOT_ENOUGH,
  orderEvent,
  orderView,
  POST_ONLY_CROSSES,
  SCENARIO_ADDRESS,
  SCENARIO_OWNER,
  uuidOf,
  type CancelResult,
  type MakerFill,
  type MarketRef,
  type Move,
  type OrderResponse,
  type Rejection,
  type SimOrder,
  type SimOrderView,
  type SimTrade,
  type SubmitInput,
  type Wallet,
} from './orders.js'
import { checkOrder } from './validate-order.js'
import { TradeLog, type TradeFilter } from './trade-log.js'

export type EngineOptions = {
  /** Finds the market of a token (null for an unknown token). */
  readonly market: (tokenId: string) => MarketRef | null
  /** The scenario's YES book of a market. */
  readonly yesBook: (market: MarketRef) => OrderBook | undefined
  /** In-play delay of marketable orders on a market, ms (0 = none). */
  readonly delayMs: (market: MarketRef) => number
  readonly onUserEvent: (
    owner: string,
    conditionId: string,
    payload: Record<string, unknown>,
  ) => void
  readonly onMarketFrame?: (frame: SimFrame) => void
  /** Wall clock, epoch ms. */
  readonly now: () => number
  /** Collateral a wallet starts with, USDC micros. */
  readonly startingCollateral: number
  readonly minedAfterMs: number
  readonly confirmedAfterMs: number
  readonly heartbeatTimeoutMs: number
}

export class TradingEngine {
  private readonly _o: EngineOptions
  private readonly _orders = new Map<string, SimOrder>()
  private readonly _wallets = new Map<string, Wallet>()
  private readonly _takings = new Map<string, ScenarioTakings>()
  private readonly _timers = new Set<NodeJS.Timeout>()
  private readonly _heartbeats = new Map<string, { id: string; timer: NodeJS.Timeout }>()
  private _seq = 0
  private _closed = false
  private readonly _log: TradeLog

  constructor(options: EngineOptions) {
    this._o = options
    this._log = new TradeLog({
      now: options.now,
      minedAfterMs: options.minedAfterMs,
      confirmedAfterMs: options.confirmedAfterMs,
      later: (ms, fn) => this._later(ms, fn),
      undo: (move) => this._move({ ...move, usd: -move.usd, shares: -move.shares }, null),
      onUserEvent: options.onUserEvent,
    })
  }

  // ---- wallets ---------------------------------------------------------------------------

  wallet(address: string): Wallet {
    const key = address.toLowerCase()
    let wallet = this._wallets.get(key)
    if (wallet === undefined) {
      wallet = { usd: this._o.startingCollateral, tokens: new Map(), allowance: true }
      this._wallets.set(key, wallet)
    }
    return wallet
  }

  /** Sets a wallet's collateral (USDC micros), token balances (share micros) and allowance. */
  setWallet(
    address: string,
    patch: { usd?: number; tokens?: Record<string, number>; allowance?: boolean },
  ): void {
    const wallet = this.wallet(address)
    if (patch.usd !== undefined) wallet.usd = patch.usd
    if (patch.allowance !== undefined) wallet.allowance = patch.allowance
    for (const [token, shares] of Object.entries(patch.tokens ?? {}))
      wallet.tokens.set(token, shares)
  }

  /** Balance minus what open orders reserve: USDC micros, or share micros of `tokenId`. */
  available(address: string, tokenId?: string): number {
    const wallet = this.wallet(address)
    let reserved = 0
    for (const order of this._orders.values()) {
      if (order.makerAddress !== address.toLowerCase()) continue
      if (order.status !== 'LIVE' && order.status !== 'DELAYED') continue
      const open = order.originalShares - order.matchedShares
      if (tokenId === undefined && order.side === 'BUY') {
        reserved += order.budgetUsd ?? usdFor(order.price, open, 'up')
      } else if (tokenId !== undefined && order.side === 'SELL' && order.assetId === tokenId) {
        reserved += open
      }
    }
    const balance = tokenId === undefined ? wallet.usd : (wallet.tokens.get(tokenId) ?? 0)
    return balance - reserved
  }

  // ---- orders ----------------------------------------------------------------------------

  /** Places an order whose signature and owner were verified; a rejection or the response. */
  submit(
    input: SubmitInput,
    faults: { partial?: boolean; failTrade?: boolean } = {},
  ): Rejection | OrderResponse {
    const { order, id } = input
    const market = this._o.market(order.tokenId)
    if (market === null) {
      return { status: 400, error: `Invalid order payload: unknown token id ${order.tokenId}` }
    }
    if (this._orders.has(id)) return { status: 400, error: `order ${id} is invalid. Duplicated.` }
    const checked = checkOrder(input, market, this._o.now())
    if ('error' in checked) return checked
    const { price, limitNum, limitDen, shares, marketable, expiration } = checked
    const isBuy = order.side === 'BUY'
    const needed = Number(order.makerAmount)
    const wallet = this.wallet(order.maker)
    const have = isBuy ? this.available(order.maker) : this.available(order.maker, order.tokenId)
    if (!wallet.allowance || have < needed) return { status: 400, error: NOT_ENOUGH }
    const nowS = Math.floor(this._o.now() / 1000)

    const isYes = order.tokenId === market.yes
    const place = restingPlace(isYes, order.side, price)
    const simOrder: SimOrder = {
      id,
      owner: input.owner,
      makerAddress: order.maker.toLowerCase(),
      market,
      assetId: order.tokenId,
      isYes,
      side: order.side,
      orderType: input.orderType,
      price,
      limitNum,
      limitDen,
      originalShares: shares,
      budgetUsd: marketable && isBuy ? needed : undefined,
      yesSide: place.yesSide,
      yesPrice: place.yesPrice,
      seq: ++this._seq,
      expiration,
      createdAtS: nowS,
      matchedShares: 0,
      status: 'LIVE',
      tradeIds: [],
    }
    if (faults.failTrade === true) this._log.failing.add(id)
    const plan = this._plan(simOrder, faults.partial === true)
    if (input.postOnly && plan.fills.length > 0) return { status: 400, error: POST_ONLY_CROSSES }
    const delay = this._o.delayMs(market)
    if (delay > 0 && plan.fills.length > 0) {
      simOrder.status = 'DELAYED'
      this._orders.set(id, simOrder)
      this._later(delay, () => this._afterDelay(simOrder))
      return this._response(simOrder, 'delayed', [], 0)
    }
    if (input.orderType === 'FOK' && !plan.complete) return { status: 400, error: FOK_KILLED }
    if (input.orderType === 'FAK' && plan.fills.length === 0)
      return { status: 400, error: FAK_KILLED }
    this._orders.set(id, simOrder)
    const trade = this._execute(simOrder, plan)
    return this._finish(simOrder, trade, plan)
  }

  /** Cancels the owner's orders by id. */
  cancel(owner: string, ids: readonly string[]): CancelResult {
    const result: CancelResult = { canceled: [], not_canceled: {} }
    for (const id of ids) {
      const order = this._orders.get(id)
      if (order === undefined || order.owner !== owner) {
        result.not_canceled[id] = 'Order not found or already canceled'
      } else if (order.status === 'MATCHED') {
        result.not_canceled[id] = 'order already matched'
      } else if (order.status === 'CANCELED') {
        result.not_canceled[id] = 'already canceled or matched'
      } else if (order.status === 'DELAYED') {
        result.not_canceled[id] = 'order is in the in-play delay and cannot be canceled yet'
      } else {
        this._kill(order, 'CANCELED')
        result.canceled.push(id)
      }
    }
    return result
  }

  /** Cancels every open order of the owner (optionally of one market or token). */
  cancelWhere(owner: string, filter: { market?: string; assetId?: string } = {}): CancelResult {
    const ids = this.openOrders(owner, filter).map((o) => o.id)
    return this.cancel(owner, ids)
  }

  openOrders(
    owner: string,
    filter: { id?: string; market?: string; assetId?: string } = {},
  ): SimOrderView[] {
    const out: SimOrderView[] = []
    for (const order of this._orders.values()) {
      if (order.owner !== owner || order.status !== 'LIVE') continue
      if (filter.id !== undefined && order.id !== filter.id) continue
      if (filter.market !== undefined && order.market.conditionId !== filter.market) continue
      if (filter.assetId !== undefined && order.assetId !== filter.assetId) continue
      out.push(orderView(order))
    }
    return out
  }

  /** One order of the owner while it is open (the venue forgets closed ones here). */
  openOrder(owner: string, id: string): SimOrderView | null {
    return this.openOrders(owner, { id })[0] ?? null
  }

  /** Whether an order with this id exists in any state (for tests of unknown outcomes). */
  knows(id: string): boolean {
    return this._orders.has(id)
  }

  /** The owner's trades, each from the owner's side (`GET /data/trades`). */
  trades(owner: string, filter: TradeFilter = {}): Record<string, unknown>[] {
    return this._log.list(owner, filter)
  }

  // ---- heartbeats --------------------------------------------------------------------------

  /**
   * One heartbeat of `owner`: the first takes `""`, each later one the id the previous answer
   * returned. Missing the window cancels every open order of the owner.
   */
  heartbeat(
    owner: string,
    heartbeatId: string,
  ): { ok: true; id: string } | { ok: false; expected: string } {
    const state = this._heartbeats.get(owner)
    if (state !== undefined && heartbeatId !== state.id) return { ok: false, expected: state.id }
    if (state !== undefined) {
      clearTimeout(state.timer)
      this._timers.delete(state.timer)
    }
    const id = uuidOf(`heartbeat|${owner}|${++this._seq}`)
    const timer = this._later(this._o.heartbeatTimeoutMs, () => {
      this._heartbeats.delete(owner)
      this.cancelWhere(owner)
    })
    this._heartbeats.set(owner, { id, timer })
    return { ok: true, id }
  }

  // ---- scenario hook -----------------------------------------------------------------------

  /**
   * After each scenario step: the scenario's liquidity that now crosses a resting API order
   * trades against it (the API order is the maker, at its own price).
   */
  sweep(): void {
    const live = [...this._orders.values()]
      .filter((o) => o.status === 'LIVE')
      .sort((a, b) => a.seq - b.seq)
    for (const order of live) {
      const book = this._o.yesBook(order.market)
      if (book === undefined || order.status !== 'LIVE') continue
      const takings = this._takingsOf(order.market)
      const against: Side = order.yesSide === 'bid' ? 'ask' : 'bid'
      const fills: MakerFill[] = []
      let takenShares = 0
      for (const level of book.levels(against)) {
        const crosses =
          against === 'ask' ? level.price <= order.yesPrice : level.price >= order.yesPrice
        if (!crosses) break
        const open = order.originalShares - order.matchedShares - takenShares
        if (open <= 0) break
        const take = Math.min(open, takings.available(against, level.price, level.size))
        if (take <= 0) continue
        takings.take(against, level.price, level.size, take)
        takenShares += take
      }
      if (takenShares === 0) continue
      const ledger: Move[] = []
      this._settle(order, takenShares, order.price, ledger)
      order.matchedShares += takenShares
      fills.push(this._makerFill(order, takenShares))
      const scenarioYes = order.yesSide === 'bid' ? 'SELL' : 'BUY'
      const trade = this._log.record({
        takerOrderId: hex64(`scenario-taker|${++this._seq}`),
        takerOwner: SCENARIO_OWNER,
        takerAddress: SCENARIO_ADDRESS,
        market: order.market.conditionId,
        assetId: order.market.yes,
        side: scenarioYes,
        shares: takenShares,
        price: order.yesPrice,
        outcome: order.market.outcomes[0],
        makers: fills,
        ledger,
      })
      order.tradeIds.push(trade.id)
      if (order.matchedShares >= order.originalShares) order.status = 'MATCHED'
      this._emitOrder(order, 'UPDATE')
      this._log.emit(trade)
    }
  }

  close(): void {
    this._closed = true
    for (const timer of this._timers) clearTimeout(timer)
    this._timers.clear()
    this._heartbeats.clear()
  }

  // ---- internals ---------------------------------------------------------------------------

  private _takingsOf(market: MarketRef): ScenarioTakings {
    let takings = this._takings.get(market.conditionId)
    if (takings === undefined) {
      takings = new ScenarioTakings()
      this._takings.set(market.conditionId, takings)
    }
    return takings
  }

  private _resting(market: MarketRef): RestingView[] {
    const out: RestingView[] = []
    for (const order of this._orders.values()) {
      if (order.status !== 'LIVE' || order.market.conditionId !== market.conditionId) continue
      out.push({
        id: order.id,
        seq: order.seq,
        yesSide: order.yesSide,
        yesPrice: order.yesPrice,
        openShares: order.originalShares - order.matchedShares,
      })
    }
    return out
  }

  private _plan(order: SimOrder, partial: boolean): Plan {
    const spec: TakerSpec = {
      isYes: order.isYes,
      side: order.side,
      limitNum: order.limitNum,
      limitDen: order.limitDen,
      shares: order.originalShares - order.matchedShares,
      ...(order.budgetUsd === undefined ? {} : { budgetUsd: order.budgetUsd }),
      ...(partial ? { scenarioShare: 0.5 } : {}),
    }
    return planFills(
      spec,
      this._o.yesBook(order.market),
      this._takingsOf(order.market),
      this._resting(order.market),
      order.id,
    )
  }

  private _afterDelay(order: SimOrder): void {
    if (order.status !== 'DELAYED') return
    order.status = 'LIVE'
    const plan = this._plan(order, false)
    if (order.orderType === 'FOK' && !plan.complete) {
      this._kill(order, `CANCELED_${FOK_KILLED}`)
      return
    }
    if (order.orderType === 'FAK' && plan.fills.length === 0) {
      this._kill(order, `CANCELED_${FAK_KILLED}`)
      return
    }
    const trade = this._execute(order, plan)
    this._finish(order, trade, plan)
  }

  /** Applies a plan: balances, maker orders, scenario takings; returns the trade (or null). */
  private _execute(order: SimOrder, plan: Plan): SimTrade | null {
    if (plan.fills.length === 0) return null
    const takings = this._takingsOf(order.market)
    const book = this._o.yesBook(order.market)
    const side = consumedSide(order.isYes, order.side)
    const makers: MakerFill[] = []
    const touched: SimOrder[] = []
    const ledger: Move[] = []
    let takerUsd = 0
    for (const fill of plan.fills) {
      const takerPrice = ownPrice(order.isYes, fill.yesPrice)
      takerUsd += usdFor(takerPrice, fill.shares, order.side === 'BUY' ? 'up' : 'down')
      if (fill.makerId === null) {
        const size = book?.sizeAt(side, fill.yesPrice as PriceTicks) ?? 0
        takings.take(side, fill.yesPrice, size, fill.shares)
        makers.push(this._scenarioFill(order, side, fill.yesPrice, fill.shares))
      } else {
        const maker = this._orders.get(fill.makerId)
        if (maker === undefined) continue
        this._settle(maker, fill.shares, maker.price, ledger)
        maker.matchedShares += fill.shares
        if (maker.matchedShares >= maker.originalShares) maker.status = 'MATCHED'
        makers.push(this._makerFill(maker, fill.shares))
        touched.push(maker)
      }
    }
    const sign = order.side === 'BUY' ? 1 : -1
    this._move(
      {
        address: order.makerAddress,
        usd: -sign * takerUsd,
        token: order.assetId,
        shares: sign * plan.shares,
      },
      ledger,
    )
    order.matchedShares += plan.shares
    const first = plan.fills[0]
    const trade = this._log.record({
      takerOrderId: order.id,
      takerOwner: order.owner,
      takerAddress: order.makerAddress,
      market: order.market.conditionId,
      assetId: order.assetId,
      side: order.side,
      shares: plan.shares,
      price: first === undefined ? order.price : ownPrice(order.isYes, first.yesPrice),
      outcome: order.market.outcomes[order.isYes ? 0 : 1],
      makers,
      ledger,
    })
    order.tradeIds.push(trade.id)
    for (const maker of touched) {
      maker.tradeIds.push(trade.id)
      this._emitOrder(maker, 'UPDATE')
    }
    this._log.emit(trade)
    this._o.onMarketFrame?.({
      assetIds: [order.assetId],
      payload: {
        event_type: 'last_trade_price',
        asset_id: order.assetId,
        market: order.market.conditionId,
        price: fmtPrice(trade.price),
        side: order.side,
        size: fmtShares(plan.shares),
        fee_rate_bps: '0',
        timestamp: String(this._o.now()),
      },
    })
    return trade
  }

  /** After matching: rest the remainder (GTC/GTD), or end the order; the REST answer. */
  private _finish(order: SimOrder, trade: SimTrade | null, plan: Plan): OrderResponse {
    const marketable = order.orderType === 'FOK' || order.orderType === 'FAK'
    const filledAll =
      order.budgetUsd !== undefined ? plan.complete : order.matchedShares >= order.originalShares
    if (filledAll || marketable) {
      order.status = filledAll ? 'MATCHED' : 'CANCELED'
    } else {
      order.status = 'LIVE'
      this._emitOrder(order, 'PLACEMENT')
      this._scheduleExpiry(order)
    }
    const status = trade === null ? 'live' : 'matched'
    return this._response(order, status, trade === null ? [] : [trade.id], plan.usd, plan.shares)
  }

  private _response(
    order: SimOrder,
    status: OrderResponse['status'],
    tradeIds: string[],
    usd: number,
    shares = 0,
  ): OrderResponse {
    const matched = status === 'matched'
    const making = order.side === 'BUY' ? usd : shares
    const taking = order.side === 'BUY' ? shares : usd
    return {
      success: true,
      errorMsg: '',
      orderID: order.id,
      status,
      makingAmount: matched ? fmtShares(making) : '',
      takingAmount: matched ? fmtShares(taking) : '',
      transactionsHashes: [],
      tradeIDs: tradeIds,
    }
  }

  private _settle(order: SimOrder, shares: number, price: number, ledger: Move[]): void {
    const buy = order.side === 'BUY'
    this._move(
      {
        address: order.makerAddress,
        usd: buy ? -usdFor(price, shares, 'up') : usdFor(price, shares, 'down'),
        token: order.assetId,
        shares: buy ? shares : -shares,
      },
      ledger,
    )
  }

  private _move(move: Move, ledger: Move[] | null): void {
    const wallet = this.wallet(move.address)
    wallet.usd += move.usd
    wallet.tokens.set(move.token, (wallet.tokens.get(move.token) ?? 0) + move.shares)
    ledger?.push(move)
  }

  private _makerFill(order: SimOrder, shares: number): MakerFill {
    return {
      orderId: order.id,
      owner: order.owner,
      makerAddress: order.makerAddress,
      shares,
      price: order.price,
      assetId: order.assetId,
      outcome: order.market.outcomes[order.isYes ? 0 : 1],
      side: order.side,
    }
  }

  private _scenarioFill(order: SimOrder, side: Side, yesPrice: number, shares: number): MakerFill {
    return {
      orderId: hex64(`scenario-maker|${order.market.conditionId}|${side}|${yesPrice}`),
      owner: SCENARIO_OWNER,
      makerAddress: SCENARIO_ADDRESS,
      shares,
      price: yesPrice,
      assetId: order.market.yes,
      outcome: order.market.outcomes[0],
      side: side === 'ask' ? 'SELL' : 'BUY',
    }
  }

  private _kill(order: SimOrder, status: string): void {
    order.status = 'CANCELED'
    this._emitOrder(order, 'CANCELLATION', status)
  }

  private _scheduleExpiry(order: SimOrder): void {
    if (order.orderType !== 'GTD') return
    const dueMs = (order.expiration - 60) * 1000 - this._o.now()
    if (dueMs > 2 ** 31 - 1) return
    this._later(Math.max(0, dueMs), () => {
      if (order.status === 'LIVE') this._kill(order, 'CANCELED')
    })
  }

  private _later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this._timers.delete(timer)
      if (!this._closed) fn()
    }, ms)
    this._timers.add(timer)
    return timer
  }

  private _emitOrder(
    order: SimOrder,
    type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION',
    status?: string,
  ): void {
    const event = orderEvent(order, type, status, this._o.now())
    this._o.onUserEvent(order.owner, order.market.conditionId, event)
  }
}
