import { describe, expect, test } from 'vitest'
import type { PriceTicks, ShareMicros, UsdcMicros, EpochMs } from '../../domain/units.js'
import { Account } from './account.js'
import type { OrderRecord } from './order-store.js'
import { eventRig, MARKET, MemoryOrderStore, SHARES, T0, venueFill, YES } from './test-support.js'
import type { VenueEvent, VenueFill } from './venue.js'

const live = eventRig

const fill = venueFill

const fillEvent = (f: VenueFill): VenueEvent => ({ kind: 'fill', fill: f })
const statusEvent = (f: VenueFill, status: 'confirmed' | 'failed', ts = T0 + 5): VenueEvent => ({
  kind: 'fill_status',
  fillId: f.fillId,
  clientOrderId: f.clientOrderId,
  status,
  ts: ts as EpochMs,
})

function order(id: string, filled: number): OrderRecord {
  return {
    clientOrderId: id,
    venueOrderId: '0xorder',
    market: MARKET,
    tokenId: YES,
    side: 'buy',
    type: 'market',
    timeInForce: 'FAK',
    postOnly: false,
    price: 5500 as PriceTicks,
    size: (20 * SHARES) as ShareMicros,
    filled: filled as ShareMicros,
    status: 'filled',
    origin: 'api',
    reasonCode: null,
    reasonMessage: null,
    createdMs: T0 as EpochMs,
    updatedMs: T0 as EpochMs,
  }
}

describe('fill status', () => {
  test('a matched fill becomes confirmed in the store, once; subscribers hear it', async () => {
    const { service, store, emit, heard } = await live()
    const a = fill('t1')
    await emit(fillEvent(a))
    expect(store.fills[0]?.status).toBe('matched')
    await emit(statusEvent(a, 'confirmed'), statusEvent(a, 'confirmed'))
    expect(store.fills).toEqual([{ ...a, status: 'confirmed' }])
    expect(store.log.filter((l) => l.startsWith('fill_status:'))).toEqual([
      `fill_status:${a.fillId}:confirmed`,
    ])
    expect(heard.filter((c) => c.kind === 'fill_status')).toEqual([
      { kind: 'fill_status', fill: { ...a, status: 'confirmed' } },
    ])
    expect(service.fill(a.fillId)?.status).toBe('confirmed')
    // the same fill again (a replayed trade) changes nothing
    await emit(fillEvent(a))
    expect(store.fills).toHaveLength(1)
    expect(service.portfolio().positions[0]?.size).toBe(10 * SHARES)
  })

  test('a status that comes before its fill waits for it', async () => {
    const { store, emit, service, raised } = await live()
    const a = fill('t1')
    const b = fill('t2', { price: 5200 as PriceTicks })
    await emit(statusEvent(a, 'confirmed'), statusEvent(b, 'failed'))
    expect(store.fills).toEqual([])
    await emit(fillEvent(a), fillEvent(b))
    expect(store.fills.map((f) => f.status)).toEqual(['confirmed', 'failed'])
    // the failed one was never booked
    expect(service.portfolio().positions[0]?.size).toBe(10 * SHARES)
    expect(raised.map((x) => `${x.severity}:${x.code}`)).toEqual(['critical:TRADE_FAILED'])
    expect(raised[0]!.message).toContain('Trade t2')
    expect(raised[0]!.message).toContain('had not been booked')
  })

  test('a fill that arrives already failed is stored for the record, never booked', async () => {
    const { store, emit, service, heard, raised } = await live()
    const a = fill('t9', { status: 'failed' })
    await emit(fillEvent(a))
    expect(store.fills).toEqual([a])
    expect(service.portfolio().positions).toEqual([])
    expect(heard.map((c) => c.kind)).toEqual(['fill_status'])
    expect(raised.map((x) => x.code)).toEqual(['TRADE_FAILED'])
  })
})

describe('a failed trade is taken back', () => {
  test('cash, position, realized profit and fees are as if it never happened', async () => {
    const store = new MemoryOrderStore()
    store.orders.set('o1', order('o1', 0))
    store.orders.set('o2', { ...order('o2', 0), side: 'sell', size: (5 * SHARES) as ShareMicros })
    const { service, emit, raised, heard, risk } = await live(store)
    const a = fill('t1')
    const b = fill('t2', {
      price: 5200 as PriceTicks,
      fee: 124_800 as UsdcMicros,
      ts: 7 as EpochMs,
    })
    const c = fill('t3', {
      clientOrderId: 'o2',
      side: 'sell',
      price: 6000 as PriceTicks,
      size: (5 * SHARES) as ShareMicros,
      fee: 60_000 as UsdcMicros,
    })
    await emit(fillEvent(a), fillEvent(b), fillEvent(c))
    expect(store.orders.get('o1')?.filled).toBe(20 * SHARES)
    heard.length = 0

    await emit(statusEvent(b, 'failed'))

    const expected = new Account(1_000_000_000 as UsdcMicros)
    expected.book(a)
    expected.book(c)
    const view = service.portfolio()
    const want = expected.view(() => undefined)
    expect(view.cash).toBe(want.cash)
    expect(view.realized).toBe(want.realized)
    expect(view.fees).toBe(want.fees)
    expect(view.fees).toBe(125_000 + 60_000)
    expect(view.positions.map((p) => [p.size, p.cost, p.realized])).toEqual(
      want.positions.map((p) => [p.size, p.cost, p.realized]),
    )
    // 10 @ 0.50 = 5.00 cost; sold 5 @ 0.60 = 3.00 for 2.50 of cost
    expect(view.positions[0]).toMatchObject({ size: 5 * SHARES, cost: 2_500_000 })
    expect(view.realized).toBe(500_000)
    expect(view.cash).toBe(1_000_000_000 - 5_000_000 - 125_000 + 3_000_000 - 60_000)

    expect(store.fills.map((f) => f.status)).toEqual(['matched', 'failed', 'matched'])
    expect(store.positions.get(YES)).toMatchObject({
      size: 5 * SHARES,
      cost: 2_500_000,
      realized: 500_000,
    })
    expect(store.orders.get('o1')).toMatchObject({
      filled: 10 * SHARES,
      reasonCode: 'TRADE_FAILED',
    })
    expect(raised.map((x) => `${x.severity}:${x.code}`)).toEqual(['critical:TRADE_FAILED'])
    expect(raised[0]!.message).toContain('Trade t2')
    expect(raised[0]!.message).toContain('taken back')
    expect(raised[0]!.ts).toBe(T0 + 5)
    expect(heard.map((h) => h.kind)).toContain('fill_status')
    expect(risk.states.status('global', T0 as EpochMs).mode).toBe('active')

    // seen again (the reconciliation reads the trade once more): nothing changes
    await emit(statusEvent(b, 'failed'), statusEvent(b, 'confirmed'), fillEvent(b))
    expect(raised).toHaveLength(1)
    expect(service.portfolio().cash).toBe(view.cash)
    expect(service.fill(b.fillId)?.status).toBe('failed')
  })

  test('a confirmed fill whose trade fails later is taken back too', async () => {
    const { service, emit } = await live()
    const a = fill('t1')
    await emit(fillEvent(a), statusEvent(a, 'confirmed'), statusEvent(a, 'failed'))
    expect(service.portfolio()).toMatchObject({ positions: [], cash: 1_000_000_000, fees: 0 })
  })

  test('when the rest does not add up (the shares were sold since), the fill stays booked', async () => {
    const { service, store, emit, raised } = await live()
    const a = fill('t1')
    const s = fill('t2', { side: 'sell', price: 5500 as PriceTicks, fee: 0 as UsdcMicros })
    await emit(fillEvent(a), fillEvent(s))
    const before = service.portfolio()
    await emit(statusEvent(a, 'failed'))
    expect(service.fill(a.fillId)?.status).toBe('matched')
    expect(store.fills.map((f) => f.status)).toEqual(['matched', 'matched'])
    expect(service.portfolio()).toEqual(before)
    expect(raised.map((x) => x.code)).toEqual(['TRADE_FAILED'])
    expect(raised[0]!.message).toContain('does not add up')
  })

  test('a store that fails leaves the fill booked and reports the error', async () => {
    const store = new MemoryOrderStore()
    store.updateFillStatus = () => Promise.reject(new Error('disk full'))
    const errors: unknown[] = []
    const { service, emit } = await live(store, (e) => errors.push(e))
    const a = fill('t1')
    await emit(fillEvent(a), statusEvent(a, 'failed'))
    expect(service.fill(a.fillId)?.status).toBe('matched')
    expect(service.portfolio().positions[0]?.size).toBe(10 * SHARES)
    expect(String(errors[0])).toContain('disk full')
  })

  test('after a restart, a failed fill is not booked', async () => {
    const store = new MemoryOrderStore()
    store.fills.push(fill('t1', { status: 'failed' }), fill('t2'))
    const { service } = await live(store)
    expect(service.portfolio().positions[0]?.size).toBe(10 * SHARES)
    expect(service.fill(fill('t1').fillId)?.status).toBe('failed')
  })
})

describe('cash from the wallet', () => {
  test('replaces the bankroll, moves with later fills, and is no drawdown', async () => {
    const { service, emit, heard, risk } = await live()
    expect(service.cashSource).toBe('bankroll')
    await emit(fillEvent(fill('t1', { status: 'confirmed' })))
    await service.setCash(20_000_000 as UsdcMicros)
    expect(service.cashSource).toBe('wallet')
    expect(service.portfolio().cash).toBe(20_000_000)
    expect(heard.at(-1)).toEqual({ kind: 'cash', cash: 20_000_000 })
    await emit(
      fillEvent(
        fill('t2', { price: 5200 as PriceTicks, fee: 0 as UsdcMicros, status: 'confirmed' }),
      ),
    )
    expect(service.portfolio().cash).toBe(20_000_000 - 5_200_000)
    // a 98 % lower cash than the bankroll is not a drawdown
    expect(risk.states.status('global', T0 as EpochMs).mode).toBe('active')
    // the same balance again changes nothing and says nothing
    heard.length = 0
    await service.setCash(14_800_000 as UsdcMicros)
    expect(heard).toEqual([])
  })
})
