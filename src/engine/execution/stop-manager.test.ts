import { describe, expect, test } from 'vitest'
import type { TokenId } from '../../domain/market.js'
import type { StopOffsets } from '../../domain/orders/stops.js'
import type { PriceTicks, ShareMicros } from '../../domain/units.js'
import type { OrderRequest } from './order-service.js'
import { exitOrderIdOf, StopManager } from './stop-manager.js'
import { MemoryStopStore, NotifyingOrderStore, stopRig, type StopRig } from './stop-test-support.js'
import { bookOf, SHARES, YES, type MemoryOrderStore } from './test-support.js'

const NONE: StopOffsets = { stopLossTicks: null, takeProfitTicks: null, trailingStopTicks: null }

function buy(over: Partial<OrderRequest> = {}): OrderRequest {
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

/** Buys 20 (10 at 0.50, 10 at 0.52: entry 0.51) with the offsets; returns the stop. */
async function enter(r: StopRig, offsets: Partial<StopOffsets>, over: Partial<OrderRequest> = {}) {
  await r.manager.start()
  const { result, stop } = await r.manager.submitWithStops(buy(over), 'api', {
    ...NONE,
    ...offsets,
  })
  await r.manager.settled()
  return { result, stop: stop!, id: stop!.id }
}

const current = (r: StopRig, id: string) => (r.stopStore as MemoryStopStore).stops.get(id)!
const exitOrder = (r: StopRig, id: string) => r.memory.orders.get(exitOrderIdOf(id))

describe('arming', () => {
  test('a filled entry arms a stop with the size-weighted entry and the fills’ size', async () => {
    const r = stopRig()
    const { result, id } = await enter(r, { stopLossTicks: 2 })
    expect(result.ok).toBe(true)
    expect(current(r, id)).toMatchObject({
      state: 'armed',
      size: 20 * SHARES,
      entryPrice: 5100,
      tickSize: 100,
      entryOrderId: `${id}.e`,
      stopLossTicks: 2,
    })
    expect(r.memory.log.indexOf(`stop:${id}:pending`)).toBeLessThan(
      r.memory.log.indexOf(`insert:${id}.e:pending`),
    )
  })

  test('partial fills of a resting entry grow the stop as they come', async () => {
    const r = stopRig()
    const { id } = await enter(
      r,
      { stopLossTicks: 2 },
      { type: 'limit', price: 4900 as PriceTicks, clientOrderId: 'entry-1' },
    )
    expect(current(r, id)).toMatchObject({ state: 'pending', size: 0, entryOrderId: 'entry-1' })
    // Asks come down to 0.49 × 8: the resting buy takes them.
    r.setBook(
      [[4800, 30]],
      [
        [4900, 8],
        [5200, 20],
      ],
    )
    await r.service.settled()
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'armed', size: 8 * SHARES, entryPrice: 4900 })
    r.setBook([[4800, 30]], [[4850, 12]])
    await r.service.settled()
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'armed', size: 20 * SHARES })
  })

  test('a refused entry cancels its stop; so does an entry that ends unfilled', async () => {
    const r = stopRig({ limits: { maxOrderUsd: 5 } })
    const { result, id } = await enter(r, { stopLossTicks: 2 })
    expect(result).toMatchObject({ ok: false, code: 'MAX_ORDER' })
    expect(current(r, id)).toMatchObject({ state: 'cancelled', reasonCode: 'ENTRY_NOT_ACCEPTED' })

    const q = stopRig()
    const rest = await enter(
      q,
      { takeProfitTicks: 2 },
      { type: 'limit', price: 4500 as PriceTicks },
    )
    await q.service.cancel(`${rest.id}.e`)
    await q.manager.settled()
    expect(current(q, rest.id)).toMatchObject({
      state: 'cancelled',
      reasonCode: 'ENTRY_NOT_FILLED',
    })
  })

  test('a repeated client id sends nothing new and answers with the same stop', async () => {
    const r = stopRig()
    const first = await enter(r, { stopLossTicks: 2 }, { clientOrderId: 'same' })
    const again = await r.manager.submitWithStops(buy({ clientOrderId: 'same' }), 'api', {
      ...NONE,
      stopLossTicks: 9,
    })
    expect(again.result).toMatchObject({ ok: true, duplicate: true })
    expect(again.stop?.id).toBe(first.id)
    expect((r.stopStore as MemoryStopStore).stops.size).toBe(1)
  })

  test('bad offsets, a sell, and an unknown token', async () => {
    const r = stopRig()
    await expect(r.manager.submitWithStops(buy(), 'api', NONE)).rejects.toThrow(/at least one/)
    await expect(
      r.manager.submitWithStops(buy({ side: 'sell' }), 'api', { ...NONE, stopLossTicks: 1 }),
    ).rejects.toThrow(/a sell cannot carry them/)
    const unknown = await r.manager.submitWithStops(buy({ tokenId: '999' as TokenId }), 'api', {
      ...NONE,
      stopLossTicks: 1,
    })
    expect(unknown).toMatchObject({ result: { ok: false, code: 'UNKNOWN_TOKEN' }, stop: null })
  })
})

describe('triggers', () => {
  test('stop-loss: the exit is a protective FAK sell capped 5 ticks under the trigger', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    const heard: string[] = []
    const unsubscribe = r.manager.subscribe((stop) => heard.push(`${stop.id}:${stop.state}`))
    r.setBook([[4950, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(current(r, id).state).toBe('armed')
    r.setBook(
      [
        [4900, 100],
        [4600, 100],
      ],
      [[5000, 10]],
    )
    await r.manager.settled()
    expect(exitOrder(r, id)).toMatchObject({
      side: 'sell',
      type: 'market',
      timeInForce: 'FAK',
      price: 4400,
      size: 20 * SHARES,
      origin: 'automation',
      status: 'filled',
    })
    expect(current(r, id)).toMatchObject({
      state: 'released',
      trigger: 'stop_loss',
      triggerPrice: 4900,
      exitFilled: 20 * SHARES,
    })
    expect(r.held()).toBe(0)
    expect(r.alerts.map((a) => a.code)).toEqual(['STOP_TRIGGERED'])
    expect(heard).toEqual([`${id}:triggered`, `${id}:released`])
    unsubscribe()
    const log = r.memory.log
    expect(log.indexOf(`stop:${id}:triggered`)).toBeLessThan(
      log.indexOf(`insert:${exitOrderIdOf(id)}:pending`),
    )
  })

  test('a gap through the stop triggers once; the exit is priced off the bid when it is sent', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    r.setBook([[3000, 100]], [[5000, 10]])
    r.setBook([[2500, 100]], [[5000, 10]])
    r.setBook([[2000, 100]], [[5000, 10]])
    await r.manager.settled()
    const exits = [...r.memory.orders.values()].filter((o) => o.side === 'sell')
    expect(exits).toHaveLength(1)
    // Triggered at 0.30; by the time the exit goes out the bid is 0.20: 5 ticks under that.
    expect(exits[0]).toMatchObject({ price: 1500, status: 'filled' })
    expect(current(r, id)).toMatchObject({ state: 'released', triggerPrice: 3000 })
  })

  test('trailing stop: follows the best bid up and fires N ticks under its high', async () => {
    const r = stopRig()
    const { id } = await enter(r, { trailingStopTicks: 3 })
    r.setBook([[5500, 100]], [[5600, 10]])
    r.setBook([[6000, 100]], [[6100, 10]])
    r.setBook([[5800, 100]], [[6100, 10]])
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'armed', extreme: 6000 })
    r.setBook([[5700, 100]], [[6100, 10]])
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({
      state: 'released',
      trigger: 'trailing_stop',
      triggerPrice: 5700,
    })
    expect(exitOrder(r, id)).toMatchObject({ price: 5200, status: 'filled' })
  })

  test('take-profit fires at entry + N ticks', async () => {
    const r = stopRig()
    const { id } = await enter(r, { takeProfitTicks: 4, stopLossTicks: 10 })
    r.setBook([[5400, 100]], [[5600, 10]])
    await r.manager.settled()
    expect(current(r, id).state).toBe('armed')
    r.setBook([[5500, 100]], [[5600, 10]])
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'released', trigger: 'take_profit' })
    expect(r.held()).toBe(0)
  })

  test('a stale book never triggers; the next fresh one does', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    const book = bookOf(YES, [[4000, 100]], [[5000, 10]], r.clock.t + 1)
    book.markStale('test')
    r.books.set(YES, book)
    r.manager.onBookChanged(book)
    await r.manager.settled()
    expect(current(r, id).state).toBe('armed')
    r.setBook([[4000, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(current(r, id).state).toBe('released')
  })

  test('halts and reduce-only states let the exit through', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    await r.service.halt('global')
    r.setBook([[4800, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(current(r, id).state).toBe('released')
    expect(r.held()).toBe(0)
  })

  test('a thin book fills part of the exit: critical alert, the rest stays held', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    r.setBook(
      [
        [4800, 6],
        [4000, 100],
      ],
      [[5000, 10]],
    )
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'released', exitFilled: 6 * SHARES })
    expect(r.held()).toBe(14 * SHARES)
    expect(r.alerts.at(-1)).toMatchObject({ severity: 'critical', code: 'STOP_EXIT_SHORT' })
    expect(r.alerts.at(-1)?.message).toMatch(/sold 6 of 20 shares/)
  })

  test('an exit risk refuses fails the stop with a critical alert', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    // Sell 17 by hand: 3 left, under the 5-share minimum.
    await r.service.submit(buy({ side: 'sell', size: (17 * SHARES) as ShareMicros }), 'api')
    await r.manager.settled()
    r.setBook([[4800, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'failed', reasonCode: 'BELOW_MIN_SIZE' })
    expect(r.alerts.at(-1)).toMatchObject({ code: 'STOP_EXIT_REFUSED', severity: 'critical' })
  })

  test('a position sold flat by hand stands its stops down', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    await r.service.submit(buy({ side: 'sell', size: (20 * SHARES) as ShareMicros }), 'api')
    await r.manager.settled()
    expect(current(r, id)).toMatchObject({ state: 'cancelled', reasonCode: 'POSITION_CLOSED' })
    r.setBook([[4000, 100]], [[5000, 10]])
    await r.manager.settled()
    expect([...r.memory.orders.values()].filter((o) => o.side === 'sell')).toHaveLength(1)
  })
})

describe('cancel and list', () => {
  test('pending and armed stops cancel; triggered ones do not; unknown ids are NOT_FOUND', async () => {
    const r = stopRig()
    const { id } = await enter(r, { stopLossTicks: 2 })
    expect(await r.manager.cancel('nope')).toEqual({ ok: false, code: 'NOT_FOUND' })
    const cancelled = await r.manager.cancel(id)
    expect(cancelled).toMatchObject({
      ok: true,
      stop: { state: 'cancelled', reasonCode: 'CANCELLED' },
    })
    expect(await r.manager.cancel(id)).toMatchObject({ ok: true })
    r.setBook([[4000, 100]], [[5000, 40]])
    await r.manager.settled()
    expect(r.held()).toBe(20 * SHARES)
    const second = await r.manager.submitWithStops(buy(), 'api', { ...NONE, stopLossTicks: 5 })
    await r.manager.settled()
    r.setBook([[1000, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(await r.manager.cancel(second.stop!.id)).toMatchObject({
      ok: false,
      code: 'NOT_CANCELLABLE',
      stop: { state: 'released' },
    })
    expect((await r.manager.list()).map((s) => s.id)).toEqual([second.stop!.id, id])
    expect(r.manager.active()).toEqual([])
  })
})

describe('no double fire', () => {
  test('book updates racing the exit send one order; the derived client id dedupes a resend', async () => {
    let sends = 0
    const r = stopRig({
      port: (port) => ({
        ...port,
        submit: (request, origin, flags) => {
          if (request.side === 'sell') sends++
          return port.submit(request, origin, flags)
        },
      }),
    })
    const { id } = await enter(r, { stopLossTicks: 2 })
    for (let i = 0; i < 5; i++) r.setBook([[4800 - i * 100, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(sends).toBe(1)
    const again = await r.service.submit(
      buy({ side: 'sell', clientOrderId: exitOrderIdOf(id), size: (20 * SHARES) as ShareMicros }),
      'automation',
    )
    expect(again).toMatchObject({ ok: true, duplicate: true })
  })
})

describe('restarts', () => {
  test('an armed stop is loaded and still fires; a stop triggered mid-crash is sent once on restart', async () => {
    const orderStore = new NotifyingOrderStore()
    const stopStore = new MemoryStopStore((orderStore.inner as MemoryOrderStore).log)
    const first = stopRig({
      orderStore,
      stopStore,
      // The process "dies" as it sends the exit: nothing reaches the service.
      port: (port) => ({
        ...port,
        submit: (request, origin, flags) =>
          request.side === 'sell'
            ? Promise.reject(new Error('crash'))
            : port.submit(request, origin, flags),
      }),
    })
    const a = await enter(first, { stopLossTicks: 2 })
    const b = await first.manager.submitWithStops(buy(), 'api', { ...NONE, stopLossTicks: 20 })
    await first.manager.settled()
    first.setBook([[4800, 100]], [[5000, 10]])
    await first.manager.settled()
    expect(current(first, a.id)).toMatchObject({
      state: 'triggered',
      exitOrderId: exitOrderIdOf(a.id),
    })
    expect(first.alerts.at(-1)?.code).toBe('STOP_EXIT_UNKNOWN')
    first.manager.stop()

    const second = stopRig({ orderStore, stopStore })
    await second.service.start()
    // The second entry found only 10 shares within its cap.
    expect(second.held()).toBe(30 * SHARES)
    const summary = await second.manager.start()
    expect(summary).toEqual({ loaded: 2, released: 0, failed: 0, cancelled: 0, awaitingRelease: 1 })
    second.setBook([[4700, 100]], [[5000, 10]])
    await second.manager.settled()
    expect(current(second, a.id)).toMatchObject({ state: 'released', exitFilled: 20 * SHARES })
    // Priced off the lower of the stored trigger (0.48) and the current bid (0.47).
    expect(exitOrder(second, a.id)).toMatchObject({ price: 4200, status: 'filled' })
    expect(current(second, b.stop!.id).state).toBe('armed')
    second.setBook([[2900, 100]], [[5000, 10]])
    await second.manager.settled()
    expect(current(second, b.stop!.id).state).toBe('released')
    expect(second.held()).toBe(0)
  })

  test('a triggered stop whose exit order was stored is resolved from the order, not resent', async () => {
    const orderStore = new NotifyingOrderStore()
    const stopStore = new MemoryStopStore((orderStore.inner as MemoryOrderStore).log)
    const first = stopRig({ orderStore, stopStore })
    const { id } = await enter(first, { stopLossTicks: 2 })
    first.setBook([[4800, 100]], [[5000, 10]])
    await first.manager.settled()
    // Roll the stop back to what a crash right after sending would leave.
    const released = current(first, id)
    stopStore.stops.set(id, { ...released, state: 'triggered', exitFilled: 0 as ShareMicros })
    first.manager.stop()

    const second = stopRig({ orderStore, stopStore })
    await second.service.start()
    expect(await second.manager.start()).toMatchObject({ released: 1, awaitingRelease: 0 })
    expect(current(second, id)).toMatchObject({ state: 'released', exitFilled: 20 * SHARES })
    expect(
      [...(orderStore.inner as MemoryOrderStore).orders.values()].filter((o) => o.side === 'sell'),
    ).toHaveLength(1)
  })

  test('pending stops: never-sent entries cancel, unfilled ones cancel, stored fills catch up', async () => {
    const orderStore = new NotifyingOrderStore()
    const stopStore = new MemoryStopStore((orderStore.inner as MemoryOrderStore).log)
    const first = stopRig({ orderStore, stopStore })
    const filled = await enter(first, { stopLossTicks: 2 })
    // Forget the arming, as a crash between storing the fill and the stop would.
    const unarmed = {
      ...filled.stop,
      state: 'pending' as const,
      size: 0 as ShareMicros,
      entryPrice: 0 as PriceTicks,
      extreme: null,
    }
    stopStore.stops.set(filled.id, unarmed)
    const resting = await first.manager.submitWithStops(
      buy({ type: 'limit', price: 4500 as PriceTicks }),
      'api',
      { ...NONE, stopLossTicks: 2 },
    )
    await first.service.cancel(resting.stop!.entryOrderId)
    await first.manager.settled()
    stopStore.stops.set(resting.stop!.id, { ...resting.stop!, state: 'pending' })
    const ghost = { ...unarmed, id: 'ghost', entryOrderId: 'never-sent' }
    await stopStore.insertStop(ghost)
    first.manager.stop()

    const second = stopRig({ orderStore, stopStore })
    await second.service.start()
    expect(await second.manager.start()).toMatchObject({ loaded: 3, cancelled: 2 })
    expect(current(second, 'ghost')).toMatchObject({
      state: 'cancelled',
      reasonCode: 'ENTRY_NOT_SENT',
    })
    expect(current(second, resting.stop!.id)).toMatchObject({
      state: 'cancelled',
      reasonCode: 'ENTRY_NOT_FILLED',
    })
    expect(current(second, filled.id)).toMatchObject({
      state: 'armed',
      size: 20 * SHARES,
      entryPrice: 5100,
    })
  })
})

describe('the book path', () => {
  test('tokens without stops are a map miss; the manager checks its slippage option', () => {
    const r = stopRig()
    const other = bookOf('222', [[100, 1]], [[200, 1]], 1)
    r.manager.onBookChanged(other)
    expect(r.memory.log).toEqual([])
    expect(
      () =>
        new StopManager({
          orders: r.port,
          store: new MemoryStopStore(),
          orderStore: r.orderStore,
          marketOf: () => undefined,
          bookOf: () => undefined,
          heldOf: () => 0 as ShareMicros,
          now: () => 0 as never,
          slippageTicks: -1,
        }),
    ).toThrow(/slippageTicks/)
  })

  test('a custom slippage moves the exit cap', async () => {
    const r = stopRig({ manager: { slippageTicks: 1 } })
    const { id } = await enter(r, { stopLossTicks: 2 })
    r.setBook([[4900, 100]], [[5000, 10]])
    await r.manager.settled()
    expect(exitOrder(r, id)?.price).toBe(4800)
  })
})
