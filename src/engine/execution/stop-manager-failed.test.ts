/**
 * Stops and trades that fail on chain: the order service takes a failed fill back and tells its
 * subscribers (`fill_status` `failed`); a stop guards only shares that are really held.
 */
import { describe, expect, test } from 'vitest'
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
import type { VenueFill } from './venue.js'

const TOKEN = '555' as TokenId
const MARKET = '0xmarket' as MarketId
const T0 = 1_800_000_000_000

function setup() {
  const sent: OrderRequest[] = []
  const listeners = new Set<(c: StopOrderChange) => void>()
  const orders = new Map<string, OrderRecord>()
  const port: StopOrderPort = {
    submit(request: OrderRequest): Promise<SubmitResult> {
      sent.push(request)
      const order: OrderRecord = {
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
        status: 'open',
        origin: 'api',
        reasonCode: null,
        reasonMessage: null,
        createdMs: T0 as EpochMs,
        updatedMs: T0 as EpochMs,
      }
      orders.set(order.clientOrderId, order)
      return Promise.resolve({ ok: true, order, duplicate: false })
    },
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
  const emit = (c: StopOrderChange) => {
    if (c.kind === 'order') orders.set(c.order.clientOrderId, c.order)
    for (const l of listeners) l(c)
  }
  const store = new MemoryStopStore()
  const alerts: StopAlert[] = []
  const held = { shares: 0 }
  let seq = 0
  const manager = new StopManager({
    orders: port,
    store,
    orderStore: {
      getOrder: (id) => Promise.resolve(orders.get(id) ?? null),
      listFills: () => Promise.resolve([]),
    },
    marketOf: (t) => (t === TOKEN ? { market: MARKET, tickSize: 100 as TickSize } : undefined),
    bookOf: () => undefined,
    heldOf: () => (held.shares * SHARES) as ShareMicros,
    now: () => T0 as EpochMs,
    newId: () => `s${seq++}`,
    onAlert: (a) => alerts.push(a),
    onError: () => {},
  })
  const enter = (shares: number) =>
    manager.submitWithStops(
      {
        tokenId: TOKEN,
        side: 'buy',
        type: 'limit',
        size: (shares * SHARES) as ShareMicros,
        price: 5000 as PriceTicks,
        postOnly: false,
        timeInForce: null,
        clientOrderId: 'entry',
      },
      'ui',
      { stopLossTicks: 2, takeProfitTicks: null, trailingStopTicks: null },
    )
  return { manager, store, sent, emit, alerts, held, enter, orders }
}

function fill(id: string, shares: number, price: number, over: Partial<VenueFill> = {}): VenueFill {
  return {
    clientOrderId: 'entry',
    fillId: id,
    market: MARKET,
    tokenId: TOKEN,
    side: 'buy',
    price: price as PriceTicks,
    size: (shares * SHARES) as ShareMicros,
    fee: 0 as UsdcMicros,
    liquidity: 'taker',
    status: 'matched',
    ts: T0 as EpochMs,
    ...over,
  }
}

describe('stops and failed trades', () => {
  test('an entry whose only fill failed is cancelled and never sells shares it did not buy', async () => {
    const { manager, sent, emit, held, enter } = setup()
    await manager.start()
    held.shares = 30 // bought earlier by hand, no stop on them
    const { stop } = await enter(20)
    const f = fill('t1:0xo', 20, 5000)
    emit({ kind: 'fill', fill: f })
    held.shares = 50
    await manager.settled()
    expect(manager.active().find((s) => s.id === stop?.id)?.state).toBe('armed')
    emit({ kind: 'fill_status', fill: { ...f, status: 'failed' } })
    held.shares = 30
    await manager.settled()
    expect(manager.active().find((s) => s.id === stop?.id)).toBeUndefined()
    const stored = (await manager.list()).find((s) => s.id === stop?.id)
    expect(stored).toMatchObject({ state: 'cancelled', reasonCode: 'ENTRY_FAILED' })
    manager.onBookChanged(bookOf(TOKEN, [[4700, 100]], [[9000, 100]], T0))
    await manager.settled()
    expect(sent.filter((r) => r.side === 'sell')).toEqual([])
  })

  test('one failed fill of two shrinks the stop to the other, at its price', async () => {
    const { manager, sent, emit, held, enter } = setup()
    await manager.start()
    const { stop } = await enter(20)
    const a = fill('t1:0xo', 10, 5000)
    const b = fill('t2:0xo', 10, 4000)
    emit({ kind: 'fill', fill: a })
    emit({ kind: 'fill', fill: b })
    held.shares = 20
    await manager.settled()
    expect(manager.active()[0]).toMatchObject({ size: 20 * SHARES, entryPrice: 4500 })
    emit({ kind: 'fill_status', fill: { ...b, status: 'failed' } })
    held.shares = 10
    await manager.settled()
    const after = manager.active().find((s) => s.id === stop?.id)
    expect(after).toMatchObject({ state: 'armed', size: 10 * SHARES, entryPrice: 5000 })
    // the level follows the remaining entry: 0.50 − 2 ticks
    manager.onBookChanged(bookOf(TOKEN, [[4800, 100]], [[9000, 100]], T0))
    await manager.settled()
    expect(sent.filter((r) => r.side === 'sell').map((r) => r.size)).toEqual([10 * SHARES])
  })

  test('a failure of a fill the stop never counted changes nothing', async () => {
    const { manager, emit, enter } = setup()
    await manager.start()
    await enter(20)
    emit({ kind: 'fill_status', fill: fill('t9:0xo', 20, 5000, { status: 'failed' }) })
    await manager.settled()
    expect(manager.active()[0]).toMatchObject({ state: 'pending', size: 0 })
  })

  test('a failed sale of the exit order is taken off exit_filled and alerts', async () => {
    const { manager, sent, emit, held, enter, alerts } = setup()
    await manager.start()
    const { stop } = await enter(20)
    emit({ kind: 'fill', fill: fill('t1:0xo', 20, 5000) })
    held.shares = 20
    await manager.settled()
    manager.onBookChanged(bookOf(TOKEN, [[4800, 100]], [[9000, 100]], T0))
    await manager.settled()
    const exitId = exitOrderIdOf(stop?.id ?? '')
    expect(sent.at(-1)).toMatchObject({ side: 'sell', clientOrderId: exitId })
    const sale = fill('t3:0xo', 20, 4800, { clientOrderId: exitId, side: 'sell' })
    emit({ kind: 'fill', fill: sale })
    expect((await manager.list()).find((s) => s.id === stop?.id)?.state).toBe('released')
    emit({
      kind: 'order',
      order: {
        clientOrderId: exitId,
        venueOrderId: null,
        market: MARKET,
        tokenId: TOKEN,
        side: 'sell',
        type: 'market',
        timeInForce: 'FAK',
        postOnly: false,
        price: 4300 as PriceTicks,
        size: (20 * SHARES) as ShareMicros,
        filled: (20 * SHARES) as ShareMicros,
        status: 'filled',
        origin: 'automation',
        reasonCode: null,
        reasonMessage: null,
        createdMs: T0 as EpochMs,
        updatedMs: T0 as EpochMs,
      },
    })
    await manager.settled()
    expect((await manager.list()).find((s) => s.id === stop?.id)?.exitFilled).toBe(20 * SHARES)
    emit({ kind: 'fill_status', fill: { ...sale, status: 'failed' } })
    await manager.settled()
    expect((await manager.list()).find((s) => s.id === stop?.id)?.exitFilled).toBe(0)
    expect(alerts.map((a) => a.code)).toContain('STOP_EXIT_FAILED')
  })
})
