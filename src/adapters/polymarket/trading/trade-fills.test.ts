import { describe, expect, it } from 'vitest'
import type { MarketId, TokenId } from '../../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../domain/units.js'
import type { FillStatus } from '../../../engine/execution/venue.js'
import { applyTrade } from './trade-fills.js'
import type { TradeStatus, UserTradeEvent } from './user-channel.js'
import { trackedOf, type TrackedOrder } from './venue-orders.js'

function tracked(): TrackedOrder {
  const t = trackedOf(
    {
      clientOrderId: 'c1',
      market: '0xm' as MarketId,
      tokenId: '11' as TokenId,
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      postOnly: false,
      price: 5000 as PriceTicks,
      size: 10_000_000 as ShareMicros,
      decidedAt: 1000 as EpochMs,
      expiresAt: null,
    },
    0 as ShareMicros,
  )
  t.orderId = '0xo'
  t.status = 'open'
  return t
}

function trade(status: TradeStatus, id = 'tr1'): UserTradeEvent {
  return {
    type: 'trade',
    tradeId: id,
    status,
    market: '0xm',
    takerOrderId: '0xother',
    liquidity: 'maker',
    fills: [
      {
        orderId: '0xo',
        tokenId: '11',
        side: 'buy',
        price: 5000 as PriceTicks,
        size: 4_000_000 as ShareMicros,
        feeRateBps: 0,
      },
      // someone else's order in the same trade
      {
        orderId: '0xnot-ours',
        tokenId: '11',
        side: 'buy',
        price: 5000 as PriceTicks,
        size: 1_000_000 as ShareMicros,
        feeRateBps: 0,
      },
    ],
    transactionHash: null,
    ts: 2000,
  }
}

function setup() {
  const t = tracked()
  const byOrder = new Map([['0xo', t]])
  const sent = new Map<string, FillStatus>()
  const apply = (status: TradeStatus, id?: string) =>
    applyTrade(trade(status, id), byOrder, sent, 9 as EpochMs)
  return { t, sent, apply }
}

describe('applyTrade', () => {
  it('hands a fill on at MATCHED, then confirms it once at MINED; CONFIRMED adds nothing', () => {
    const { t, sent, apply } = setup()
    const matched = apply('MATCHED')
    expect(matched.events).toMatchObject([
      { kind: 'fill', fill: { fillId: 'tr1:0xo', status: 'matched', size: 4_000_000, ts: 2000 } },
    ])
    expect([...matched.touched]).toEqual([t])
    expect(t.filled).toBe(4_000_000)
    expect(apply('MINED').events).toEqual([
      {
        kind: 'fill_status',
        fillId: 'tr1:0xo',
        clientOrderId: 'c1',
        status: 'confirmed',
        ts: 2000,
      },
    ])
    expect(apply('CONFIRMED').events).toEqual([])
    expect(apply('MATCHED').events).toEqual([])
    expect(sent.get('tr1:0xo')).toBe('confirmed')
    expect(t.filled).toBe(4_000_000)
  })

  it('a fill first seen CONFIRMED is handed on confirmed; RETRYING carries nothing', () => {
    const { apply } = setup()
    expect(apply('RETRYING').events).toEqual([])
    expect(apply('CONFIRMED').events).toMatchObject([
      { kind: 'fill', fill: { status: 'confirmed' } },
    ])
  })

  it('FAILED takes a handed-on fill back once and reports the trade', () => {
    const { t, sent, apply } = setup()
    apply('MATCHED')
    const failed = apply('FAILED')
    expect(failed.events).toEqual([
      { kind: 'fill_status', fillId: 'tr1:0xo', clientOrderId: 'c1', status: 'failed', ts: 2000 },
    ])
    expect(failed.failed).toEqual({
      tradeId: 'tr1',
      fills: [{ fillId: 'tr1:0xo', clientOrderId: 'c1', tokenId: '11' }],
    })
    expect(failed.touched.size).toBe(0)
    expect(t.filled).toBe(0)
    expect(t.usd).toBe(0)
    // seen again (a REST read at reconciliation): the status is told again, nothing counted
    // twice and no second report (the order service retries a failure it had to keep booked)
    expect(apply('FAILED')).toEqual({
      events: [
        { kind: 'fill_status', fillId: 'tr1:0xo', clientOrderId: 'c1', status: 'failed', ts: 2000 },
      ],
      touched: new Set(),
      failed: null,
    })
    expect(t.filled).toBe(0)
    expect(apply('CONFIRMED').events).toEqual([])
    expect(sent.get('tr1:0xo')).toBe('failed')
  })

  it('a trade first seen FAILED hands its fill on as failed, not counted as filled', () => {
    const { t, apply } = setup()
    const failed = apply('FAILED', 'tr2')
    expect(failed.events).toMatchObject([
      { kind: 'fill', fill: { fillId: 'tr2:0xo', status: 'failed' } },
    ])
    expect(failed.failed?.fills).toHaveLength(1)
    expect(t.filled).toBe(0)
  })
})
