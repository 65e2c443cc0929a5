/**
 * Taking failed trades back when the order of events makes it hard: a failed buy whose shares a
 * later sell used (kept, then retried), the wallet's balance read while trades are in flight,
 * and a stop between the steps of a reversal (healed at start).
 */
import { describe, expect, test } from 'vitest'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import type { OrderRecord } from './order-store.js'
import { eventRig, MARKET, MemoryOrderStore, SHARES, T0, venueFill, YES } from './test-support.js'
import type { VenueEvent, VenueFill } from './venue.js'

const live = eventRig

const fill = venueFill

function order(id: string, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId: id,
    venueOrderId: null,
    market: MARKET,
    tokenId: YES,
    side: 'buy',
    type: 'market',
    timeInForce: 'FAK',
    postOnly: false,
    price: 5000 as PriceTicks,
    size: (10 * SHARES) as ShareMicros,
    filled: (10 * SHARES) as ShareMicros,
    status: 'filled',
    origin: 'api',
    reasonCode: null,
    reasonMessage: null,
    createdMs: T0 as EpochMs,
    updatedMs: T0 as EpochMs,
    ...over,
  }
}

const fillEvent = (f: VenueFill): VenueEvent => ({ kind: 'fill', fill: f })
const failed = (f: VenueFill): VenueEvent => ({
  kind: 'fill_status',
  fillId: f.fillId,
  clientOrderId: f.clientOrderId,
  status: 'failed',
  ts: (T0 + 5) as EpochMs,
})

const buy = fill('t1')
const sell = fill('t2', {
  clientOrderId: 'o2',
  side: 'sell',
  price: 5500 as PriceTicks,
  fee: 0 as UsdcMicros,
})

describe('a failed buy kept because a later sell used its shares', () => {
  test('is taken back once that sell fails too (each failure told once)', async () => {
    const { service, emit, raised, store } = await live()
    await emit(fillEvent(buy), fillEvent(sell))
    await emit(failed(buy))
    expect(service.fill(buy.fillId)?.status).toBe('matched')
    expect(raised.filter((a) => a.code === 'TRADE_FAILED')).toHaveLength(1)
    await emit(failed(sell))
    expect(service.fill(sell.fillId)?.status).toBe('failed')
    expect(service.fill(buy.fillId)?.status).toBe('failed')
    expect(service.portfolio().positions).toEqual([])
    expect(service.portfolio().cash).toBe(1_000_000_000)
    expect(store.fills.map((f) => f.status)).toEqual(['failed', 'failed'])
    expect(store.positions.get(YES)?.size).toBe(0)
  })

  test('a failure told again while it is kept raises no second alert', async () => {
    const { service, emit, raised } = await live()
    await emit(fillEvent(buy), fillEvent(sell), failed(buy), failed(buy))
    expect(service.fill(buy.fillId)?.status).toBe('matched')
    expect(raised.filter((a) => a.code === 'TRADE_FAILED')).toHaveLength(1)
  })

  test('a start takes back what a failure told again now allows', async () => {
    const store = new MemoryOrderStore()
    const { service, emit } = await live(store)
    await emit(fillEvent(buy), fillEvent(sell), failed(buy))
    // the sell failed while the process was down: stored failed by a later run, say
    store.fills[1] = { ...store.fills[1]!, status: 'failed' }
    await service.start()
    expect(service.fill(buy.fillId)?.status).toBe('failed')
    expect(service.portfolio().positions).toEqual([])
  })
})

describe('cash from the wallet while trades are in flight', () => {
  test('a balance read between MATCHED and FAILED does not count the failed buy twice', async () => {
    const { service, emit } = await live()
    const wallet = 100_000_000
    await service.setCash(wallet as UsdcMicros)
    await emit(fillEvent(buy)) // 10 at 0.50 + 0.125 fee
    expect(service.portfolio().cash).toBe(wallet - 5_125_000)
    // the balance follows the chain: the matched trade is not in it
    await service.setCash(wallet as UsdcMicros)
    expect(service.portfolio().cash).toBe(wallet - 5_125_000)
    expect([...service.unsettledTokens()]).toEqual([YES])
    await emit(failed(buy))
    expect(service.portfolio().cash).toBe(wallet)
    expect([...service.unsettledTokens()]).toEqual([])
  })

  test('a balance read before a fill was booked is refused with the mark', async () => {
    const { service, emit } = await live()
    await service.setCash(100_000_000 as UsdcMicros)
    const mark = service.cashMark()
    const read = 100_000_000 // read before the confirmed buy below
    await emit(fillEvent({ ...buy, status: 'confirmed' }))
    expect(await service.setCash(read as UsdcMicros, mark)).toBe(false)
    expect(service.portfolio().cash).toBe(100_000_000 - 5_125_000)
    const again = service.cashMark()
    expect(await service.setCash((100_000_000 - 5_125_000) as UsdcMicros, again)).toBe(true)
  })
})

describe('a stop between the steps of a reversal', () => {
  test('start rewrites the position row and the finished order from the stored fills', async () => {
    const store = new MemoryOrderStore()
    store.orders.set('o1', order('o1'))
    store.orders.set('o3', order('o3', { status: 'open', filled: 0 as ShareMicros }))
    store.fills.push({ ...buy, status: 'failed' })
    // the fill was stored failed, then the process stopped: the rows still show it
    store.positions.set(YES, {
      market: MARKET,
      tokenId: YES,
      size: (10 * SHARES) as ShareMicros,
      cost: 5_000_000 as UsdcMicros,
      realized: 0 as UsdcMicros,
      updatedMs: T0 as EpochMs,
    })
    const { service } = await live(store)
    expect(service.portfolio().positions).toEqual([])
    expect(store.positions.get(YES)).toMatchObject({ size: 0, cost: 0 })
    expect(store.orders.get('o1')?.filled).toBe(0)
  })
})
