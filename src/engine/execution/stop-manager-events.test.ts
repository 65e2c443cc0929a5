/**
 * The stop manager against a scripted order port: event orders a live venue produces (an exit
 * order still working when `submit` returns, entry fills after the stop fired, a fill told
 * twice) and store failures.
 */
import { describe, expect, test } from 'vitest'
import type { OrderBook } from '../../domain/book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import type { OrderRequest, SubmitResult } from './order-service.js'
import type { OrderRecord } from './order-store.js'
import {
  exitOrderIdOf,
  StopManager,
  type StopAlert,
  type StopOrderChange,
  type StopOrderPort,
} from './stop-manager.js'
import { MemoryStopStore } from './stop-test-support.js'
import { bookOf, SHARES } from './test-support.js'
import type { OrderStatus, VenueFill } from './venue.js'

const TOKEN = '555' as TokenId
const MARKET = '0xmarket' as MarketId
const T0 = 1_800_000_000_000

function record(request: OrderRequest, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId: request.clientOrderId ?? 'x',
    venueOrderId: null,
    market: MARKET,
    tokenId: request.tokenId,
    side: request.side,
    type: request.type,
    timeInForce: request.timeInForce ?? 'FAK',
    postOnly: false,
    price: request.price ?? (5000 as PriceTicks),
    size: request.size,
    filled: 0 as ShareMicros,
    status: 'pending',
    origin: 'api',
    reasonCode: null,
    reasonMessage: null,
    createdMs: T0 as EpochMs,
    updatedMs: T0 as EpochMs,
    ...over,
  }
}

function fill(
  clientOrderId: string,
  fillId: string,
  shares: number,
  price: number,
  side: 'buy' | 'sell' = 'buy',
): VenueFill {
  return {
    clientOrderId,
    fillId,
    market: MARKET,
    tokenId: TOKEN,
    side,
    price: price as PriceTicks,
    size: (shares * SHARES) as ShareMicros,
    fee: 0 as UsdcMicros,
    liquidity: 'taker',
    status: 'matched',
    ts: T0 as EpochMs,
  }
}

class ScriptedPort implements StopOrderPort {
  readonly sent: { request: OrderRequest; protective: boolean }[] = []
  readonly orders = new Map<string, OrderRecord>()
  private readonly _listeners = new Set<(c: StopOrderChange) => void>()
  /** Status the next submits end in when sent. */
  status: OrderStatus = 'open'

  submit(
    request: OrderRequest,
    _origin: unknown,
    flags?: { protective?: boolean },
  ): Promise<SubmitResult> {
    this.sent.push({ request, protective: flags?.protective ?? false })
    const order = record(request, { status: this.status })
    this.orders.set(order.clientOrderId, order)
    return Promise.resolve({ ok: true, order, duplicate: false })
  }
  subscribe(listener: (c: StopOrderChange) => void): () => void {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }
  emit(change: StopOrderChange): void {
    if (change.kind === 'order') this.orders.set(change.order.clientOrderId, change.order)
    for (const l of this._listeners) l(change)
  }
  get listeners(): number {
    return this._listeners.size
  }
}

function setup(store = new MemoryStopStore()) {
  const port = new ScriptedPort()
  const books = new Map<string, OrderBook>()
  const alerts: StopAlert[] = []
  const errors: unknown[] = []
  let held = 0
  let seq = 0
  const manager = new StopManager({
    orders: port,
    store,
    orderStore: {
      getOrder: (id) => Promise.resolve(port.orders.get(id) ?? null),
      listFills: () => Promise.resolve([]),
    },
    marketOf: (t) => (t === TOKEN ? { market: MARKET, tickSize: 100 as TickSize } : undefined),
    bookOf: (t) => books.get(t),
    heldOf: () => held as ShareMicros,
    now: () => T0 as EpochMs,
    newId: () => `s${seq++}`,
    onAlert: (a) => alerts.push(a),
    onError: (e) => errors.push(e),
  })
  const setBook = (bid: number) => {
    const book = bookOf(TOKEN, [[bid, 100]], [[9000, 100]], T0)
    books.set(TOKEN, book)
    manager.onBookChanged(book)
  }
  return {
    port,
    store,
    manager,
    alerts,
    errors,
    setBook,
    hold: (shares: number) => {
      held = shares * SHARES
    },
  }
}

const ENTRY: OrderRequest = {
  tokenId: TOKEN,
  side: 'buy',
  type: 'limit',
  size: (20 * SHARES) as ShareMicros,
  price: 5000 as PriceTicks,
  postOnly: false,
  timeInForce: null,
  clientOrderId: 'entry',
}
const OFFSETS = { stopLossTicks: 2, takeProfitTicks: null, trailingStopTicks: null }

describe('stop manager against a scripted order service', () => {
  test('an exit still working when sent is followed to its end; a short fill alerts', async () => {
    const t = setup()
    await t.manager.start()
    expect(t.port.listeners).toBe(1)
    const { stop } = await t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f1', 20, 5000) })
    t.hold(20)
    await t.manager.settled()
    t.port.status = 'delayed'
    t.setBook(4800)
    await t.manager.settled()
    const exitId = exitOrderIdOf(stop!.id)
    expect(t.port.sent.at(-1)).toMatchObject({
      request: { side: 'sell', clientOrderId: exitId, price: 4300, timeInForce: 'FAK' },
      protective: true,
    })
    expect(t.store.stops.get(stop!.id)).toMatchObject({ state: 'released', exitFilled: 0 })
    const exit = t.port.orders.get(exitId)!
    t.port.emit({
      kind: 'order',
      order: { ...exit, status: 'delayed', filled: (5 * SHARES) as ShareMicros },
    })
    await t.manager.settled()
    expect(t.store.stops.get(stop!.id)?.exitFilled).toBe(5 * SHARES)
    t.port.emit({
      kind: 'order',
      order: { ...exit, status: 'killed', filled: (12 * SHARES) as ShareMicros },
    })
    await t.manager.settled()
    expect(t.store.stops.get(stop!.id)?.exitFilled).toBe(12 * SHARES)
    expect(t.alerts.map((a) => a.code)).toEqual(['STOP_TRIGGERED', 'STOP_EXIT_SHORT'])
    // Finished: later events about it change nothing.
    t.port.emit({
      kind: 'order',
      order: { ...exit, status: 'killed', filled: (19 * SHARES) as ShareMicros },
    })
    await t.manager.settled()
    expect(t.store.stops.get(stop!.id)?.exitFilled).toBe(12 * SHARES)
    t.manager.stop()
    expect(t.port.listeners).toBe(0)
  })

  test('entry fills after the stop fired get a stop of their own; a fill told twice counts once', async () => {
    const t = setup()
    await t.manager.start()
    const { stop } = await t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f1', 8, 5000) })
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f1', 8, 5000) })
    t.hold(8)
    await t.manager.settled()
    expect(t.store.stops.get(stop!.id)).toMatchObject({ state: 'armed', size: 8 * SHARES })
    t.port.status = 'filled'
    t.setBook(4800)
    await t.manager.settled()
    expect(t.store.stops.get(stop!.id)?.state).toBe('released')
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f2', 12, 4900) })
    await t.manager.settled()
    const follow = [...t.store.stops.values()].find((s) => s.id !== stop!.id)
    expect(follow).toMatchObject({
      state: 'armed',
      entryOrderId: 'entry',
      size: 12 * SHARES,
      entryPrice: 4900,
      stopLossTicks: 2,
    })
    expect(t.manager.active().map((s) => s.id)).toEqual([follow!.id])
  })

  test('fills of an entry whose stop a person cancelled stay without a stop', async () => {
    const t = setup()
    await t.manager.start()
    const { stop } = await t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f1', 5, 5000) })
    await t.manager.settled()
    expect(await t.manager.cancel(stop!.id)).toMatchObject({ ok: true })
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f2', 5, 5000) })
    await t.manager.settled()
    expect(t.store.stops.size).toBe(1)
    expect(t.manager.active()).toEqual([])
  })

  test('an entry whose order status ends before its fills arrive still arms', async () => {
    const t = setup()
    await t.manager.start()
    const { stop } = await t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)
    const entry = t.port.orders.get('entry')!
    t.port.emit({
      kind: 'order',
      order: { ...entry, status: 'filled', filled: (20 * SHARES) as ShareMicros },
    })
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f1', 20, 5000) })
    await t.manager.settled()
    expect(t.store.stops.get(stop!.id)).toMatchObject({ state: 'armed', size: 20 * SHARES })
  })

  test('a listener that throws is reported and does not stop the others', async () => {
    const t = setup()
    await t.manager.start()
    const heard: string[] = []
    t.manager.subscribe(() => {
      throw new Error('listener broke')
    })
    t.manager.subscribe((stop) => heard.push(stop.state))
    await t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)
    expect(heard).toEqual(['pending'])
    expect(t.errors).toEqual([new Error('listener broke')])
  })

  test('a stop that cannot be stored sends no entry', async () => {
    const store = new MemoryStopStore()
    store.insertStop = () => Promise.reject(new Error('disk full'))
    const t = setup(store)
    await t.manager.start()
    await expect(t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)).rejects.toThrow('disk full')
    expect(t.port.sent).toEqual([])
    expect(t.manager.active()).toEqual([])
    expect(t.errors).toHaveLength(1)
  })

  test('a trigger that cannot be stored is not sent', async () => {
    const t = setup()
    await t.manager.start()
    await t.manager.submitWithStops(ENTRY, 'ui', OFFSETS)
    t.port.emit({ kind: 'fill', fill: fill('entry', 'f1', 20, 5000) })
    t.hold(20)
    await t.manager.settled()
    t.store.updateStop = () => Promise.reject(new Error('disk full'))
    t.setBook(4500)
    await t.manager.settled()
    expect(t.port.sent.filter((s) => s.request.side === 'sell')).toEqual([])
    expect(t.errors).toEqual([new Error('disk full')])
  })
})
