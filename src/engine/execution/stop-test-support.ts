/**
 * Test helpers for emulated stops: an in-memory {@link StopStore} that logs its writes into the
 * order store's log (so a test can check a trigger is stored before its exit order), an order
 * store that tells subscribers about applied orders and fills (standing in for
 * `OrderService.subscribe` where the service does not offer it), and `stopRig()`: the paper
 * order service of test-support.ts with a {@link StopManager} on its YES book. Not part of the
 * daemon.
 */
import type { OrderBook } from '../../domain/book/order-book.js'
import type { TickSize, TokenId } from '../../domain/market.js'
import type { Stop } from '../../domain/orders/stops.js'
import type { EpochMs, ShareMicros } from '../../domain/units.js'
import type {
  OrderRecord,
  OrderStore,
  OrderUpdate,
  PositionRecord,
  RiskEventRecord,
} from './order-store.js'
import {
  StopManager,
  type StopAlert,
  type StopManagerOptions,
  type StopOrderChange,
  type StopOrderPort,
} from './stop-manager.js'
import type { StopFilter, StopStore } from './stop-store.js'
import { bookOf, MARKET, MemoryOrderStore, rig, YES, type Rig } from './test-support.js'
import type { VenueFill } from './venue.js'

export class MemoryStopStore implements StopStore {
  readonly stops = new Map<string, Stop>()
  constructor(readonly log: string[] = []) {}

  insertStop(stop: Stop): Promise<void> {
    if (this.stops.has(stop.id)) return Promise.reject(new Error(`duplicate stop ${stop.id}`))
    this.stops.set(stop.id, stop)
    this.log.push(`stop:${stop.id}:${stop.state}`)
    return Promise.resolve()
  }
  updateStop(stop: Stop): Promise<void> {
    if (!this.stops.has(stop.id)) return Promise.reject(new Error(`no stop ${stop.id}`))
    this.stops.set(stop.id, stop)
    this.log.push(`stop:${stop.id}:${stop.state}`)
    return Promise.resolve()
  }
  getStop(id: string): Promise<Stop | null> {
    return Promise.resolve(this.stops.get(id) ?? null)
  }
  listStops(filter: StopFilter = {}): Promise<Stop[]> {
    const list = [...this.stops.values()]
      .filter((s) => filter.states === undefined || filter.states.includes(s.state))
      .filter((s) => filter.entryOrderId === undefined || s.entryOrderId === filter.entryOrderId)
      .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    return Promise.resolve(list.slice(0, filter.limit ?? 500))
  }
}

/**
 * An order store that announces applied orders and fills, as the order service's subscribers
 * hear them; it wraps another store (in memory by default).
 */
export class NotifyingOrderStore implements OrderStore {
  private readonly _listeners = new Set<(change: StopOrderChange) => void>()
  private _fill: VenueFill | null = null

  constructor(readonly inner: OrderStore = new MemoryOrderStore()) {}

  subscribe(listener: (change: StopOrderChange) => void): () => void {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }

  async insertOrder(order: OrderRecord): Promise<void> {
    await this.inner.insertOrder(order)
    this._emit({ kind: 'order', order })
  }
  async updateOrder(id: string, update: OrderUpdate): Promise<void> {
    await this.inner.updateOrder(id, update)
    const order = await this.inner.getOrder(id)
    if (order !== null) this._emit({ kind: 'order', order })
  }
  getOrder(id: string): Promise<OrderRecord | null> {
    return this.inner.getOrder(id)
  }
  listOrders(options?: { readonly limit?: number }): Promise<OrderRecord[]> {
    return this.inner.listOrders(options)
  }
  listWorkingOrders(): Promise<OrderRecord[]> {
    return this.inner.listWorkingOrders()
  }
  async insertFill(fill: VenueFill): Promise<boolean> {
    const fresh = await this.inner.insertFill(fill)
    if (fresh) this._fill = fill
    return fresh
  }
  updateFillStatus(fillId: string, status: VenueFill['status']): Promise<boolean> {
    return this.inner.updateFillStatus(fillId, status)
  }
  listFills(options?: { readonly limit?: number }): Promise<VenueFill[]> {
    return this.inner.listFills(options)
  }
  // The service writes the position after booking the fill: the fill is applied by then.
  async upsertPosition(position: PositionRecord): Promise<void> {
    await this.inner.upsertPosition(position)
    const fill = this._fill
    this._fill = null
    if (fill !== null) this._emit({ kind: 'fill', fill })
  }
  insertRiskEvent(event: RiskEventRecord): Promise<void> {
    return this.inner.insertRiskEvent(event)
  }

  private _emit(change: StopOrderChange): void {
    for (const listener of this._listeners) listener(change)
  }
}

export type StopRig = Rig & {
  manager: StopManager
  stopStore: StopStore
  orderStore: NotifyingOrderStore
  /** The in-memory store under `orderStore` (an empty stand-in when it wraps another store). */
  memory: MemoryOrderStore
  port: StopOrderPort
  alerts: StopAlert[]
  errors: unknown[]
  /** Replaces the YES book and tells the paper venue, then the stop manager. */
  setBook(bids: [number, number][], asks: [number, number][]): OrderBook
  held(tokenId?: TokenId): ShareMicros
}

export function stopRig(
  options: {
    orderStore?: NotifyingOrderStore
    stopStore?: StopStore
    limits?: Record<string, unknown>
    manager?: Partial<StopManagerOptions>
    /** Wraps the order port (to fail or delay submits). */
    port?: (port: StopOrderPort) => StopOrderPort
  } = {},
): StopRig {
  const orderStore = options.orderStore ?? new NotifyingOrderStore()
  const memory =
    orderStore.inner instanceof MemoryOrderStore ? orderStore.inner : new MemoryOrderStore()
  const stopStore = options.stopStore ?? new MemoryStopStore(memory.log)
  const base = rig({
    // rig() only hands its store to the service, which needs no more than an OrderStore.
    store: orderStore as unknown as MemoryOrderStore,
    ...(options.limits ? { limits: options.limits } : {}),
  })
  const service = base.service
  const real = (service as unknown as Partial<StopOrderPort>).subscribe
  const direct: StopOrderPort = {
    submit: (request, origin, flags) => service.submit(request, origin, flags),
    subscribe:
      typeof real === 'function'
        ? (listener) => real.call(service, listener)
        : (listener) => orderStore.subscribe(listener),
  }
  const port = options.port?.(direct) ?? direct
  const alerts: StopAlert[] = []
  const errors: unknown[] = []
  const held = (tokenId: TokenId = YES): ShareMicros =>
    (service.portfolio().positions.find((p) => p.tokenId === tokenId)?.size ?? 0) as ShareMicros
  let seq = 0
  const manager = new StopManager({
    orders: port,
    store: stopStore,
    orderStore,
    marketOf: (t) => (t === YES ? { market: MARKET, tickSize: 100 as TickSize } : undefined),
    bookOf: (t) => base.books.get(t),
    heldOf: held,
    now: () => base.clock.t as EpochMs,
    newId: () => `st${seq++}`,
    onAlert: (a) => alerts.push(a),
    onError: (e) => errors.push(e),
    ...options.manager,
  })
  const setBook = (bids: [number, number][], asks: [number, number][]): OrderBook => {
    base.clock.t += 1
    const book = bookOf(YES, bids, asks, base.clock.t)
    base.books.set(YES, book)
    base.venue.onBookChanged(book)
    manager.onBookChanged(book)
    return book
  }
  return { ...base, manager, stopStore, orderStore, memory, port, alerts, errors, setBook, held }
}
