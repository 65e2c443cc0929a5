import { expect, test } from 'vitest'
import type { OrderBook } from '../../domain/book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { PaperVenue } from './paper-venue.js'
import { bookOf } from './test-support.js'
import type { VenueEvent, VenueOrder } from './venue.js'

const TOKEN = '7' as TokenId
const T0 = 1_800_000_000_000

function setup(secondsDelay = 0) {
  const clock = { t: T0 }
  const books = new Map<string, OrderBook>([
    [
      TOKEN,
      bookOf(
        TOKEN,
        [[4800, 30]],
        [
          [5000, 10],
          [5200, 20],
        ],
        T0,
      ),
    ],
  ])
  const venue = new PaperVenue({
    bookOf: (t) => books.get(t),
    marketOf: (t) =>
      t === TOKEN
        ? {
            tickSize: 100 as TickSize,
            minSize: 5_000_000 as ShareMicros,
            feeRateBps: 0,
            secondsDelay,
          }
        : undefined,
    now: () => clock.t as EpochMs,
  })
  const events: VenueEvent[] = []
  venue.events((e) => events.push(e))
  return { venue, events, clock, books }
}

function order(over: Partial<VenueOrder> = {}): VenueOrder {
  return {
    clientOrderId: 'o1',
    market: '0xm' as MarketId,
    tokenId: TOKEN,
    side: 'buy',
    type: 'market',
    timeInForce: 'FAK',
    postOnly: false,
    price: 5500 as PriceTicks,
    size: 15_000_000 as ShareMicros,
    decidedAt: T0 as EpochMs,
    expiresAt: null,
    ...over,
  }
}

const statuses = (events: VenueEvent[]) =>
  events.flatMap((e) => (e.kind === 'status' ? [e.status] : []))

test('the in-play delay holds a marketable order as delayed, then it matches', async () => {
  const { venue, events, clock } = setup(2)
  await venue.submit(order())
  expect(statuses(events)).toEqual(['delayed'])
  expect(venue.nextDue()).toBe(T0 + 2000)
  clock.t = T0 + 2000
  venue.poll(clock.t as EpochMs)
  expect(statuses(events)).toEqual(['delayed', 'filled'])
  expect(events.filter((e) => e.kind === 'fill')).toHaveLength(2)
})

test('a resting buy fills as maker once a trade print clears the queue ahead', async () => {
  const { venue, events } = setup()
  await venue.submit(
    order({
      type: 'limit',
      timeInForce: 'GTC',
      price: 4800 as PriceTicks,
      size: 10_000_000 as ShareMicros,
    }),
  )
  expect(statuses(events)).toEqual(['open'])
  venue.onTrade({
    type: 'last_trade_price',
    assetId: TOKEN,
    market: '0xm' as MarketId,
    price: 4800 as PriceTicks,
    size: 35_000_000 as ShareMicros,
    side: 'sell',
    feeRateBps: 0,
    transactionHash: null,
    tsVenue: (T0 + 10) as EpochMs,
  })
  const fills = events.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []))
  expect(fills).toEqual([
    expect.objectContaining({ size: 5_000_000, liquidity: 'maker', price: 4800, fee: 0 }),
  ])
  expect(await venue.openOrders()).toEqual([
    { clientOrderId: 'o1', status: 'open', filled: 5_000_000 },
  ])
  await venue.cancelAll(T0 as EpochMs)
  expect(statuses(events).at(-1)).toBe('cancelled')
  expect(await venue.lookup('o1')).toMatchObject({ status: 'cancelled', filled: 5_000_000 })
  expect(await venue.lookup('other')).toBeNull()
})

test('a repeated client id is ignored; an unknown token is rejected as a value', async () => {
  const { venue, events } = setup()
  await venue.submit(order())
  await venue.submit(order())
  expect(statuses(events)).toEqual(['filled'])
  await venue.submit(order({ clientOrderId: 'o2', tokenId: '8' as TokenId }))
  expect(events.at(-1)).toMatchObject({ kind: 'status', status: 'rejected', code: 'UNKNOWN_TOKEN' })
})
