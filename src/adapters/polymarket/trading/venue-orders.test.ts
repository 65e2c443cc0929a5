import { describe, expect, it } from 'vitest'
import type { MarketId, TokenId } from '../../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../domain/units.js'
import type { VenueOrder } from '../../../engine/execution/venue.js'
import type { UserOrderEvent } from './user-channel.js'
import {
  afterMatch,
  isComplete,
  marketBuySpendOf,
  matchedAmounts,
  placeRequestOf,
  statusOfOrderEvent,
  trackedOf,
  venueFillOf,
} from './venue-orders.js'

const base: VenueOrder = {
  clientOrderId: 'c1',
  market: '0xm' as MarketId,
  tokenId: '11' as TokenId,
  side: 'buy',
  type: 'market',
  timeInForce: 'FAK',
  postOnly: false,
  price: 5250 as PriceTicks,
  size: 7_330_000 as ShareMicros,
  decidedAt: 1000 as EpochMs,
  expiresAt: null,
}

function orderEvent(patch: Partial<UserOrderEvent>): UserOrderEvent {
  return {
    type: 'order',
    kind: 'UPDATE',
    orderId: '0xo',
    market: '0xm',
    tokenId: '11',
    side: 'buy',
    price: 5000 as PriceTicks,
    originalSize: 10_000_000 as ShareMicros,
    sizeMatched: 0 as ShareMicros,
    status: 'LIVE',
    orderType: 'GTC',
    tradeIds: [],
    ts: 1,
    ...patch,
  }
}

describe('port orders as venue requests', () => {
  it('a market BUY spends size × worst price, rounded down to a cent', () => {
    // 7.33 × 0.525 = 3.84825 USDC → 3.84
    expect(marketBuySpendOf(base)).toBe(3_840_000)
    expect(placeRequestOf(base)).toEqual({
      kind: 'market',
      tokenId: '11',
      side: 'buy',
      spend: 3_840_000,
      worstPrice: 5250,
      timeInForce: 'FAK',
    })
  })

  it('a market SELL sells shares; FOK is kept', () => {
    expect(placeRequestOf({ ...base, side: 'sell', timeInForce: 'FOK' })).toEqual({
      kind: 'market',
      tokenId: '11',
      side: 'sell',
      size: 7_330_000,
      worstPrice: 5250,
      timeInForce: 'FOK',
    })
  })

  it('a limit GTD carries its expiry and post-only flag', () => {
    const request = placeRequestOf({
      ...base,
      type: 'limit',
      timeInForce: 'GTD',
      postOnly: true,
      expiresAt: 9_000_000 as EpochMs,
    })
    expect(request).toEqual({
      kind: 'limit',
      tokenId: '11',
      side: 'buy',
      price: 5250,
      size: 7_330_000,
      timeInForce: 'GTD',
      expiresAt: 9_000_000,
      postOnly: true,
    })
  })
})

describe('venue answers and events as port statuses', () => {
  it('order answers: BUY gives USDC and takes shares, SELL the reverse', () => {
    expect(matchedAmounts('buy', '2.5', '5')).toEqual({ shares: 5_000_000, usd: 2_500_000 })
    expect(matchedAmounts('sell', '5', '2.5')).toEqual({ shares: 5_000_000, usd: 2_500_000 })
    expect(matchedAmounts('buy', '', '')).toEqual({ shares: 0, usd: 0 })
  })

  it('a market BUY is complete once it spent its budget within a cent; else the rest is killed', () => {
    const t = trackedOf(base, 0 as ShareMicros)
    expect(isComplete(t, 7_000_000, 3_835_000)).toBe(true)
    expect(isComplete(t, 3_000_000, 1_500_000)).toBe(false)
    expect(afterMatch(t, false, false)).toBe('killed')
    const limit = trackedOf({ ...base, type: 'limit', timeInForce: 'GTC' }, 0 as ShareMicros)
    expect(afterMatch(limit, false, false)).toBe('open')
    expect(afterMatch(limit, false, true)).toBe('cancelled')
    expect(afterMatch(limit, true, true)).toBe('filled')
  })

  it('order events: placement rests, a full match fills, a kill keeps its reason', () => {
    const limit = trackedOf({ ...base, type: 'limit', timeInForce: 'GTC' }, 0 as ShareMicros)
    expect(statusOfOrderEvent(limit, orderEvent({ kind: 'PLACEMENT' }))).toEqual({
      status: 'open',
      reason: null,
    })
    expect(
      statusOfOrderEvent(limit, orderEvent({ sizeMatched: 10_000_000 as ShareMicros })),
    ).toEqual({ status: 'filled', reason: null })
    expect(
      statusOfOrderEvent(limit, orderEvent({ kind: 'CANCELLATION', status: 'CANCELED' })),
    ).toEqual({ status: 'cancelled', reason: null })
    const market = trackedOf({ ...base, timeInForce: 'FOK' }, 0 as ShareMicros)
    expect(
      statusOfOrderEvent(
        market,
        orderEvent({
          kind: 'CANCELLATION',
          status: "CANCELED_order couldn't be fully filled. FOK orders are fully filled or killed.",
        }),
      ),
    ).toEqual({
      status: 'killed',
      reason: "order couldn't be fully filled. FOK orders are fully filled or killed.",
    })
    expect(statusOfOrderEvent(limit, orderEvent({ status: 'INVALID' }))?.status).toBe('rejected')
  })

  it('fills: the taker pays the fee, the maker none; MATCHED books as matched, MINED and CONFIRMED as confirmed, FAILED as failed', () => {
    const t = trackedOf(base, 0 as ShareMicros)
    const own = {
      orderId: '0xo',
      tokenId: '22',
      side: 'buy' as const,
      price: 4500 as PriceTicks,
      size: 2_000_000 as ShareMicros,
      feeRateBps: 1000,
    }
    const taker = venueFillOf(t, 'tr1', 'MATCHED', 'taker', own, 5 as EpochMs)
    expect(taker).toMatchObject({
      clientOrderId: 'c1',
      fillId: 'tr1:0xo',
      tokenId: '22',
      status: 'matched',
      liquidity: 'taker',
    })
    expect(taker!.fee).toBeGreaterThan(0)
    const maker = venueFillOf(t, 'tr1', 'CONFIRMED', 'maker', own, 5 as EpochMs)
    expect(maker).toMatchObject({ status: 'confirmed', fee: 0, liquidity: 'maker' })
    expect(venueFillOf(t, 'tr1', 'MINED', 'taker', own, 5 as EpochMs)?.status).toBe('confirmed')
    expect(venueFillOf(t, 'tr1', 'FAILED', 'taker', own, 5 as EpochMs)?.status).toBe('failed')
    expect(venueFillOf(t, 'tr1', 'RETRYING', 'taker', own, 5 as EpochMs)).toBeNull()
  })
})
