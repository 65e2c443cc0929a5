import { describe, expect, test } from 'vitest'
import type { TokenId } from '../../domain/market.js'
import type { PriceTicks, ShareMicros } from '../../domain/units.js'
import type { OrderRequest } from './order-service.js'
import { bookOf, MemoryOrderStore, MARKET, rig, SHARES, T0, YES } from './test-support.js'

function req(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    tokenId: YES,
    side: 'buy',
    type: 'market',
    size: (20 * SHARES) as ShareMicros,
    price: null,
    postOnly: false,
    timeInForce: null,
    clientOrderId: null,
    ...over,
  }
}

describe('preview', () => {
  test('walks the book: average, worst, fees and slippage computed by hand', () => {
    const { service } = rig()
    const p = service.preview(req())
    // 10 @ 0.50 + 10 @ 0.52; cap = best ask + 5 ticks = 0.55
    expect(p).toMatchObject({
      ok: true,
      price: 5500,
      fillable: 20 * SHARES,
      unfilled: 0,
      avgPrice: 5100,
      worstPrice: 5200,
      touch: 5000,
      mid: 4900,
      notional: 10_200_000,
      // 10 × 0.05 × 0.5 × 0.5 = 0.125; 10 × 0.05 × 0.52 × 0.48 = 0.1248
      fees: 249_800,
      slippageTicks: 100,
      slippageUsdc: 200_000,
    })
  })

  test('stops at the price limit and reports the unfilled rest', () => {
    const { service } = rig()
    const p = service.preview(
      req({ size: (50 * SHARES) as ShareMicros, price: 5200 as PriceTicks }),
    )
    expect(p).toMatchObject({ ok: true, fillable: 30 * SHARES, unfilled: 20 * SHARES })
  })

  test('a sell walks the bids; unknown tokens and empty sides are refused with a code', () => {
    const { service, books } = rig()
    expect(
      service.preview(req({ side: 'sell', size: (40 * SHARES) as ShareMicros })),
    ).toMatchObject({
      ok: true,
      price: 4300,
      avgPrice: 4775,
      worstPrice: 4700,
    })
    expect(service.preview(req({ tokenId: '999' as TokenId }))).toMatchObject({
      ok: false,
      code: 'UNKNOWN_TOKEN',
    })
    books.set(YES, bookOf(YES, [[4800, 30]], [], T0))
    expect(service.preview(req())).toMatchObject({ ok: false, code: 'NO_LIQUIDITY' })
    expect(service.preview(req({ type: 'limit' }))).toMatchObject({
      ok: false,
      code: 'INVALID_ORDER',
    })
  })
})

describe('orders', () => {
  test('a market buy fills, is stored before it is sent, and shows in the portfolio', async () => {
    const { service, store } = rig()
    const result = await service.submit(req({ clientOrderId: 'b1' }), 'api')
    expect(result).toMatchObject({ ok: true, order: { status: 'filled', filled: 20 * SHARES } })
    expect(store.log[0]).toBe('insert:b1:pending')
    expect(store.log.indexOf('fill:b1')).toBeGreaterThan(0)
    expect(store.fills.map((f) => [f.price, f.size, f.fee])).toEqual([
      [5000, 10 * SHARES, 125_000],
      [5200, 10 * SHARES, 124_800],
    ])
    const view = service.portfolio()
    expect(view.positions).toEqual([
      expect.objectContaining({
        tokenId: YES,
        size: 20 * SHARES,
        cost: 10_200_000,
        bestBid: 4800,
        mid: 4900,
        valueAtBid: 9_600_000,
        unrealizedAtBid: -600_000,
        valueAtMid: 9_800_000,
        unrealizedAtMid: -400_000,
      }),
    ])
    expect(view.markets).toEqual([
      expect.objectContaining({ market: MARKET, cost: 10_200_000, unrealizedAtBid: -600_000 }),
    ])
    expect(view.cash).toBe(1_000_000_000 - 10_200_000 - 249_800)
    expect(store.positions.get(YES)).toMatchObject({ size: 20 * SHARES, cost: 10_200_000 })
  })

  test('a client id seen before answers with the same order and sends nothing', async () => {
    const { service, store } = rig()
    const first = await service.submit(req({ clientOrderId: 'same' }), 'api')
    const again = await service.submit(req({ clientOrderId: 'same' }), 'api')
    expect(again).toEqual({ ok: true, order: first.order, duplicate: true })
    expect(store.fills).toHaveLength(2)
  })

  test('two concurrent submits with one client id send once', async () => {
    const { service, store } = rig()
    const [a, b] = await Promise.all([
      service.submit(req({ clientOrderId: 'twin' }), 'api'),
      service.submit(req({ clientOrderId: 'twin' }), 'api'),
    ])
    expect(a).toMatchObject({ ok: true, duplicate: false })
    expect(b).toMatchObject({ ok: true, duplicate: true, order: { clientOrderId: 'twin' } })
    expect(store.fills).toHaveLength(2)
  })

  test('a limit order rests, then a cancel ends it', async () => {
    const { service } = rig()
    const placed = await service.submit(
      req({ type: 'limit', price: 4500 as PriceTicks, clientOrderId: 'l1' }),
      'api',
    )
    expect(placed).toMatchObject({ ok: true, order: { status: 'open', filled: 0 } })
    expect(await service.cancel('l1')).toMatchObject({ status: 'cancelled' })
    expect(await service.cancel('missing')).toBeNull()
  })

  test('post-only that would cross is rejected; FOK that cannot fill whole is killed', async () => {
    const { service, store } = rig()
    const post = await service.submit(
      req({ type: 'limit', price: 5000 as PriceTicks, postOnly: true, clientOrderId: 'p1' }),
      'api',
    )
    expect(post).toMatchObject({
      ok: true,
      order: { status: 'rejected', reasonCode: 'POST_ONLY_WOULD_CROSS' },
    })
    const fok = await service.submit(
      req({ size: (40 * SHARES) as ShareMicros, price: 5200 as PriceTicks, timeInForce: 'FOK' }),
      'api',
    )
    expect(fok).toMatchObject({ ok: true, order: { status: 'killed', filled: 0 } })
    expect(store.fills).toHaveLength(0)
  })

  test('selling more than is held is refused before risk', async () => {
    const { service } = rig()
    expect(await service.submit(req({ side: 'sell' }), 'api')).toMatchObject({
      ok: false,
      code: 'INSUFFICIENT_POSITION',
    })
  })
})

describe('risk', () => {
  test('a denial surfaces with its code and sentence and is stored with the order', async () => {
    const { service, store } = rig({ limits: { maxOrderUsd: 5 } })
    const result = await service.submit(req({ clientOrderId: 'big' }), 'api')
    expect(result).toMatchObject({ ok: false, code: 'MAX_ORDER' })
    expect(!result.ok && result.message).toMatch(/above the maximum order size of 5 USDC/)
    expect(store.orders.get('big')).toMatchObject({ status: 'denied', reasonCode: 'MAX_ORDER' })
    // The same client id again gives the same denial, still without sending.
    expect(await service.submit(req({ clientOrderId: 'big' }), 'api')).toMatchObject({
      ok: false,
      code: 'MAX_ORDER',
    })
  })

  test('off-tick, below minimum and fat-finger prices are denied with their codes', async () => {
    const { service } = rig()
    const off = await service.submit(req({ type: 'limit', price: 4550 as PriceTicks }), 'api')
    expect(off).toMatchObject({ ok: false, code: 'OFF_TICK' })
    const small = await service.submit(req({ size: (4 * SHARES) as ShareMicros }), 'api')
    expect(small).toMatchObject({ ok: false, code: 'BELOW_MIN_SIZE' })
    const fat = await service.submit(req({ price: 5600 as PriceTicks }), 'api')
    expect(fat).toMatchObject({ ok: false, code: 'FAT_FINGER' })
  })

  test('while halted, entries are denied but cancels pass; resume lifts the halt', async () => {
    const { service, store } = rig()
    await service.submit(
      req({ type: 'limit', price: 4500 as PriceTicks, clientOrderId: 'r' }),
      'api',
    )
    await service.halt('global')
    expect(await service.submit(req(), 'api')).toMatchObject({ ok: false, code: 'HALTED' })
    expect(service.riskStatus().global.mode).toBe('halted')
    expect(await service.cancel('r')).toMatchObject({ status: 'cancelled' })
    expect(await service.resume('global')).toEqual(['HALTED'])
    expect(await service.submit(req(), 'api')).toMatchObject({ ok: true })
    expect(store.riskEvents.map((e) => e.kind)).toEqual(['restricted', 'lifted'])
  })

  test('panic close cancels resting orders and flattens every position, even while halted', async () => {
    const { service } = rig()
    await service.submit(req({ size: (10 * SHARES) as ShareMicros }), 'api')
    await service.submit(
      req({ type: 'limit', price: 4000 as PriceTicks, clientOrderId: 'rest' }),
      'api',
    )
    await service.halt('global')
    const result = await service.panicClose()
    expect(result.cancelled).toEqual([
      expect.objectContaining({ clientOrderId: 'rest', status: 'cancelled' }),
    ])
    expect(result.closes).toMatchObject([{ ok: true, order: { side: 'sell', status: 'filled' } }])
    const view = service.portfolio()
    expect(view.positions).toEqual([])
    // Bought 10 @ 0.50 (5 USDC), sold 10 @ 0.48 (4.80): realized −0.20 before fees.
    expect(view.realized).toBe(-200_000)
  })
})

describe('crash between storing and sending', () => {
  test('the stored intent is marked unknown at restart when the venue never saw it', async () => {
    const store = new MemoryOrderStore()
    // The process dies inside the venue call: the send never completes.
    const crashing = rig({
      store,
      venue: (paper) => ({
        name: 'paper',
        events: (l) => paper.events(l),
        submit: () => new Promise<void>(() => {}),
        cancel: (id, now) => paper.cancel(id, now),
        cancelAll: (now) => paper.cancelAll(now),
        openOrders: () => paper.openOrders(),
        lookup: (id) => paper.lookup(id),
      }),
    })
    void crashing.service.submit(req({ clientOrderId: 'lost' }), 'api')
    await new Promise<void>((done) => setImmediate(done))
    expect(store.orders.get('lost')?.status).toBe('pending')

    const restarted = rig({ store })
    expect(await restarted.service.start()).toEqual({ unknown: ['lost'] })
    expect(store.orders.get('lost')).toMatchObject({
      status: 'unknown',
      reasonCode: 'NOT_AT_VENUE',
    })
    // Nothing is sent twice: resubmitting the same client id answers with the stored order.
    expect(await restarted.service.submit(req({ clientOrderId: 'lost' }), 'api')).toMatchObject({
      ok: true,
      duplicate: true,
      order: { status: 'unknown' },
    })
  })

  test('an order the venue knows is resolved from the venue at restart; fills rebuild positions', async () => {
    const store = new MemoryOrderStore()
    const first = rig({ store })
    await first.service.submit(
      req({ size: (10 * SHARES) as ShareMicros, clientOrderId: 'done' }),
      'api',
    )
    // The row is left pending as if the status update was lost, but the venue knows the order.
    await store.updateOrder('done', { ...store.orders.get('done')!, status: 'pending' })
    const restarted = rig({ store, venue: () => first.venue })
    expect(await restarted.service.start()).toEqual({ unknown: [] })
    expect(store.orders.get('done')?.status).toBe('filled')
    expect(restarted.service.portfolio().positions).toEqual([
      expect.objectContaining({ size: 10 * SHARES, cost: 5_000_000 }),
    ])
  })

  test('a venue fault while sending leaves the order unknown and counts an API error', async () => {
    const { service, risk } = rig({
      venue: (paper) => ({
        name: 'paper',
        events: (l) => paper.events(l),
        submit: () => Promise.reject(new Error('timeout')),
        cancel: (id, now) => paper.cancel(id, now),
        cancelAll: (now) => paper.cancelAll(now),
        openOrders: () => paper.openOrders(),
        lookup: (id) => paper.lookup(id),
      }),
    })
    expect(await service.submit(req({ clientOrderId: 'to' }), 'api')).toMatchObject({
      ok: true,
      order: { status: 'unknown', reasonCode: 'VENUE_ERROR' },
    })
    expect(risk.summary()).toMatchObject({ apiRequests: 1, apiErrors: 1 })
  })
})
