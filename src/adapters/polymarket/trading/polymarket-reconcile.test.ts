import { describe, expect, it } from 'vitest'
import type { MarketId, TokenId } from '../../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../domain/units.js'
import { reconcileVenue, TRADE_LOOKBACK_MS, type ReconcileHost } from './polymarket-reconcile.js'
import { trackedOf, type TrackedOrder } from './venue-orders.js'

const NOW = 1_800_000_000_000
const HOUR = 3600_000

function order(id: string, createdMs: number, status: TrackedOrder['status']): TrackedOrder {
  const t = trackedOf(
    {
      clientOrderId: id,
      orderId: `0x${id}`,
      market: '0xm' as MarketId,
      tokenId: '11' as TokenId,
      side: 'buy',
      type: 'limit',
      size: 10_000_000 as ShareMicros,
      price: 5000 as PriceTicks,
      status,
      createdMs: createdMs as EpochMs,
    },
    0 as ShareMicros,
  )
  return t
}

function host(tracked: TrackedOrder[], unsettled: number | null) {
  const asked: { afterS?: number }[] = []
  const h: ReconcileHost = {
    trading: {
      openOrders: () => Promise.resolve([]),
      trades: (filter = {}) => {
        asked.push(filter)
        return Promise.resolve([])
      },
      resolve: () => Promise.resolve({ state: 'absent' }),
    },
    now: () => NOW as EpochMs,
    tracked: () => tracked,
    byOrderId: (id) => tracked.find((t) => t.orderId === id),
    onTrade: () => {},
    parseTrade: () => null,
    fillCount: () => 0,
    oldestUnsettledMs: () => unsettled as EpochMs | null,
    setStatus: (t, status) => {
      t.status = status
    },
  }
  return { h, asked }
}

const afterOf = (ms: number) => Math.floor((ms - TRADE_LOOKBACK_MS) / 1000)

describe('reconcileVenue: how far back trades are read', () => {
  it('from a day before the oldest working order', async () => {
    const { h, asked } = host([order('a', NOW - 2 * HOUR, 'open')], null)
    await reconcileVenue(h)
    expect(asked).toEqual([{ afterS: afterOf(NOW - 2 * HOUR) }])
  })

  it('from a day before the oldest fill still matched, when that is older', async () => {
    const { h, asked } = host(
      [order('a', NOW - 2 * HOUR, 'open'), order('b', NOW - 90 * HOUR, 'filled')],
      NOW - 40 * HOUR,
    )
    await reconcileVenue(h)
    expect(asked).toEqual([{ afterS: afterOf(NOW - 40 * HOUR) }])
  })

  it('from a day before now when nothing is working or in flight', async () => {
    const { h, asked } = host([order('b', NOW - 90 * HOUR, 'filled')], null)
    const report = await reconcileVenue(h)
    expect(asked).toEqual([{ afterS: afterOf(NOW) }])
    expect(report).toEqual({ foreignOrders: [], fillsAdded: 0, updated: 0 })
  })
})
