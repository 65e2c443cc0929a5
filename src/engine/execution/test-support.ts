/**
 * Test helpers for the order path: an in-memory {@link OrderStore} and a book builder. Used by
 * the service and route tests; not part of the daemon. `rig()` builds a paper order service on
 * one hand-built book: bids 0.48 × 30, 0.47 × 50; asks 0.50 × 10, 0.52 × 20, 0.60 × 100.
 */
import { OrderBook } from '../../domain/book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import { makeRiskLimits } from '../../domain/risk/limits.js'
import { RiskState } from '../../domain/risk/risk-state.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import { AlertCenter, type Alert } from './alerts.js'
import {
  OrderService,
  type OrderServiceChange,
  type OrderServiceOptions,
  type TradableMarket,
} from './order-service.js'
import { PaperVenue } from './paper-venue.js'
import type { Venue, VenueEvent, VenueListener } from './venue.js'
import type { OrderRecord, OrderStore, PositionRecord, RiskEventRecord } from './order-store.js'
import type { VenueFill } from './venue.js'

export class MemoryOrderStore implements OrderStore {
  readonly orders = new Map<string, OrderRecord>()
  readonly fills: VenueFill[] = []
  readonly positions = new Map<string, PositionRecord>()
  readonly riskEvents: RiskEventRecord[] = []
  /** Every write, in order, as `kind:id` (to check what was stored before what). */
  readonly log: string[] = []

  insertOrder(order: OrderRecord): Promise<void> {
    if (this.orders.has(order.clientOrderId)) throw new Error(`duplicate ${order.clientOrderId}`)
    this.orders.set(order.clientOrderId, order)
    this.log.push(`insert:${order.clientOrderId}:${order.status}`)
    return Promise.resolve()
  }
  updateOrder(id: string, update: Parameters<OrderStore['updateOrder']>[1]): Promise<void> {
    const order = this.orders.get(id)
    if (order !== undefined) this.orders.set(id, { ...order, ...update })
    this.log.push(`update:${id}:${update.status}`)
    return Promise.resolve()
  }
  getOrder(id: string): Promise<OrderRecord | null> {
    return Promise.resolve(this.orders.get(id) ?? null)
  }
  listOrders(): Promise<OrderRecord[]> {
    return Promise.resolve([...this.orders.values()].reverse())
  }
  listWorkingOrders(): Promise<OrderRecord[]> {
    const working = ['pending', 'delayed', 'open', 'unknown']
    return Promise.resolve([...this.orders.values()].filter((o) => working.includes(o.status)))
  }
  insertFill(fill: VenueFill): Promise<boolean> {
    if (this.fills.some((f) => f.fillId === fill.fillId)) return Promise.resolve(false)
    this.fills.push(fill)
    this.log.push(`fill:${fill.clientOrderId}`)
    return Promise.resolve(true)
  }
  updateFillStatus(fillId: string, status: VenueFill['status']): Promise<boolean> {
    const at = this.fills.findIndex((f) => f.fillId === fillId)
    if (at < 0) return Promise.resolve(false)
    this.fills[at] = { ...this.fills[at]!, status }
    this.log.push(`fill_status:${fillId}:${status}`)
    return Promise.resolve(true)
  }
  listFills(): Promise<VenueFill[]> {
    return Promise.resolve([...this.fills])
  }
  upsertPosition(position: PositionRecord): Promise<void> {
    this.positions.set(position.tokenId, position)
    return Promise.resolve()
  }
  insertRiskEvent(event: RiskEventRecord): Promise<void> {
    this.riskEvents.push(event)
    return Promise.resolve()
  }
}

/** A synced book from `[price, shares]` pairs (prices in ticks). */
export function bookOf(
  tokenId: string,
  bids: readonly (readonly [number, number])[],
  asks: readonly (readonly [number, number])[],
  ts: number,
  tick = 100,
): OrderBook {
  const book = OrderBook.empty(tokenId as TokenId, tick as TickSize)
  const level = ([price, shares]: readonly [number, number]) => ({
    price: price as PriceTicks,
    size: (shares * 1_000_000) as ShareMicros,
  })
  book.replace(bids.map(level), asks.map(level), ts as EpochMs)
  return book
}

export const MARKET = `0x${'cd'.repeat(32)}` as MarketId
export const YES = '111' as TokenId
export const T0 = 1_800_000_000_000

export const SHARES = 1_000_000

export type Rig = {
  service: OrderService
  store: MemoryOrderStore
  venue: PaperVenue
  risk: RiskState
  books: Map<string, OrderBook>
  clock: { t: number }
}

export function rig(
  options: {
    store?: MemoryOrderStore
    limits?: Record<string, unknown>
    venue?: (paper: PaperVenue) => Venue
    /** Extra service options (alerts, latency, …). */
    service?: Partial<OrderServiceOptions>
  } = {},
): Rig {
  const clock = { t: T0 }
  const books = new Map<string, OrderBook>([
    // bids 0.48 × 30, 0.47 × 50; asks 0.50 × 10, 0.52 × 20, 0.60 × 100
    [
      YES,
      bookOf(
        YES,
        [
          [4800, 30],
          [4700, 50],
        ],
        [
          [5000, 10],
          [5200, 20],
          [6000, 100],
        ],
        T0,
      ),
    ],
  ])
  const market: TradableMarket & { secondsDelay: number } = {
    market: MARKET,
    tickSize: 100 as TickSize,
    minSize: 5_000_000 as ShareMicros,
    feeRateBps: 500,
    closed: false,
    secondsDelay: 0,
  }
  const marketOf = (t: TokenId) => (t === YES ? market : undefined)
  const now = () => clock.t as EpochMs
  const venue = new PaperVenue({ bookOf: (t) => books.get(t), marketOf, now })
  const store = options.store ?? new MemoryOrderStore()
  const risk = new RiskState(makeRiskLimits({ tradeCooldownMs: 0, ...options.limits }), now())
  let seq = 0
  const service = new OrderService({
    venue: options.venue?.(venue) ?? venue,
    store,
    risk,
    marketOf,
    bookOf: (t) => books.get(t),
    now,
    bankroll: 1_000_000_000 as UsdcMicros,
    newClientId: () => `gen-${seq++}`,
    ...options.service,
  })
  return { service, store, venue, risk, books, clock }
}

/**
 * A paper rig whose venue events the test sends itself (`emit`, which waits until the service
 * has applied them), started, with every alert raised and every change heard collected.
 */
export async function eventRig(store = new MemoryOrderStore(), onError?: (e: unknown) => void) {
  let send: VenueListener = () => {}
  const alerts = new AlertCenter()
  const raised: Alert[] = []
  alerts.subscribe((a) => raised.push(a))
  const r = rig({
    store,
    service: { alerts, ...(onError === undefined ? {} : { onError }) },
    venue: (paper) => ({
      name: 'sim',
      events: (l) => {
        send = l
      },
      submit: (o) => paper.submit(o),
      cancel: (id, now) => paper.cancel(id, now),
      cancelAll: (now) => paper.cancelAll(now),
      openOrders: () => Promise.resolve([]),
      lookup: () => Promise.resolve(null),
    }),
  })
  await r.service.start()
  const heard: OrderServiceChange[] = []
  r.service.subscribe((c) => heard.push(c))
  const emit = async (...events: VenueEvent[]): Promise<void> => {
    for (const e of events) send(e)
    await r.service.settled()
  }
  return { ...r, raised, heard, emit }
}

/** A live venue's fill of order `o1`: 10 YES bought at 0.50, fee 0.125, still `matched`. */
export function venueFill(id: string, over: Partial<VenueFill> = {}): VenueFill {
  return {
    clientOrderId: 'o1',
    fillId: `${id}:0xorder`,
    market: MARKET,
    tokenId: YES,
    side: 'buy',
    price: 5000 as PriceTicks,
    size: (10 * SHARES) as ShareMicros,
    fee: 125_000 as UsdcMicros,
    liquidity: 'taker',
    status: 'matched',
    ts: T0 as EpochMs,
    ...over,
  }
}
