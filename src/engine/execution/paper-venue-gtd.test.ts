import { expect, test } from 'vitest'
import type { OrderBook } from '../../domain/book/order-book.js'
import { fixedLatency } from '../../domain/backtest/latency-model.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { PaperVenue } from './paper-venue.js'
import { bookOf } from './test-support.js'
import type { VenueEvent, VenueOrder } from './venue.js'

const TOKEN = '7' as TokenId
const T0 = 1_800_000_000_000
const MINUTE = 60_000

function setup(latencyMs = 0) {
  const clock = { t: T0 }
  const books = new Map<string, OrderBook>([[TOKEN, bookOf(TOKEN, [[4800, 30]], [[5000, 10]], T0)]])
  const venue = new PaperVenue({
    bookOf: (t) => books.get(t),
    marketOf: (t) =>
      t === TOKEN
        ? {
            tickSize: 100 as TickSize,
            minSize: 5_000_000 as ShareMicros,
            feeRateBps: 0,
            secondsDelay: 0,
          }
        : undefined,
    now: () => clock.t as EpochMs,
    latency: fixedLatency(latencyMs),
  })
  const events: VenueEvent[] = []
  venue.events((e) => events.push(e))
  return { venue, events, clock, books }
}

function gtd(over: Partial<VenueOrder> = {}): VenueOrder {
  return {
    clientOrderId: 'g1',
    market: '0xm' as MarketId,
    tokenId: TOKEN,
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTD',
    postOnly: false,
    price: 4500 as PriceTicks,
    size: 10_000_000 as ShareMicros,
    decidedAt: T0 as EpochMs,
    expiresAt: (T0 + 3 * MINUTE) as EpochMs,
    ...over,
  }
}

const statusEvents = (events: VenueEvent[]) =>
  events.flatMap((e) => (e.kind === 'status' ? [e] : []))

test('a resting GTD order is cancelled with EXPIRED by the first poll at its expiry', async () => {
  const { venue, events, clock } = setup()
  await venue.submit(gtd())
  expect(statusEvents(events).map((e) => e.status)).toEqual(['open'])
  expect(venue.nextDue()).toBe(T0 + 3 * MINUTE)
  clock.t = T0 + 3 * MINUTE - 1
  venue.poll(clock.t as EpochMs)
  expect(statusEvents(events)).toHaveLength(1)
  clock.t = T0 + 3 * MINUTE
  venue.poll(clock.t as EpochMs)
  expect(statusEvents(events).at(-1)).toMatchObject({
    status: 'cancelled',
    code: 'EXPIRED',
    message: 'the GTD order reached its expiry time',
  })
  expect(await venue.lookup('g1')).toMatchObject({ status: 'cancelled' })
  expect(await venue.openOrders()).toEqual([])
  expect(venue.nextDue()).toBeNull()
  venue.poll((clock.t + MINUTE) as EpochMs)
  expect(statusEvents(events)).toHaveLength(2)
})

test('with latency the expiry cancel lands one latency later; nextDue says when', async () => {
  const { venue, events, clock } = setup(100)
  await venue.submit(gtd())
  clock.t = T0 + 100
  venue.poll(clock.t as EpochMs)
  expect(statusEvents(events).map((e) => e.status)).toEqual(['open'])
  venue.poll((T0 + 3 * MINUTE) as EpochMs)
  expect(statusEvents(events)).toHaveLength(1)
  expect(venue.nextDue()).toBe(T0 + 3 * MINUTE + 100)
  venue.poll((T0 + 3 * MINUTE + 100) as EpochMs)
  expect(statusEvents(events).at(-1)).toMatchObject({ status: 'cancelled', code: 'EXPIRED' })
})

test('a GTD order that fills before its expiry is not touched afterwards', async () => {
  const { venue, events, clock } = setup()
  await venue.submit(gtd({ price: 5000 as PriceTicks }))
  expect(statusEvents(events).map((e) => e.status)).toEqual(['filled'])
  clock.t = T0 + 10 * MINUTE
  venue.poll(clock.t as EpochMs)
  expect(statusEvents(events).map((e) => e.status)).toEqual(['filled'])
  expect(venue.nextDue()).toBeNull()
})

test('a GTD order cancelled by hand ends cancelled without a code', async () => {
  const { venue, events } = setup()
  await venue.submit(gtd())
  await venue.cancel('g1', (T0 + 1) as EpochMs)
  expect(statusEvents(events).at(-1)).toMatchObject({ status: 'cancelled', code: null })
  venue.poll((T0 + 3 * MINUTE) as EpochMs)
  expect(statusEvents(events)).toHaveLength(2)
})

test('a GTD order without an expiry, or with one in the past, is rejected', async () => {
  const { venue, events } = setup()
  await venue.submit(gtd({ expiresAt: null }))
  await venue.submit(gtd({ clientOrderId: 'g2', expiresAt: T0 as EpochMs }))
  expect(statusEvents(events)).toEqual([
    expect.objectContaining({
      clientOrderId: 'g1',
      status: 'rejected',
      code: 'INVALID_EXPIRATION',
    }),
    expect.objectContaining({
      clientOrderId: 'g2',
      status: 'rejected',
      code: 'INVALID_EXPIRATION',
    }),
  ])
})
