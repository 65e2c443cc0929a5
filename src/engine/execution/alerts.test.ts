import { describe, expect, test } from 'vitest'
import type { MarketId } from '../../domain/market.js'
import type { RiskEvent } from '../../domain/risk/risk-state.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import {
  AlertCenter,
  orderFailureAlert,
  riskBreachAlert,
  slippageAlert,
  type AlertInput,
} from './alerts.js'
import type { OrderRecord } from './order-store.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const T0 = 1_800_000_000_000

function input(n: number, over: Partial<AlertInput> = {}): AlertInput {
  return {
    ts: (T0 + n) as EpochMs,
    severity: 'warning',
    code: `CODE_${n}`,
    message: `alert ${n}`,
    market: null,
    ...over,
  }
}

describe('AlertCenter', () => {
  test('gives ids, keeps the newest in a ring buffer and lists them newest first', () => {
    const center = new AlertCenter({ capacity: 3 })
    const first = center.raise(input(1))
    expect(first.id).toMatch(/^al-[0-9a-z]+-0$/)
    for (let i = 2; i <= 5; i++) center.raise(input(i))
    expect(center.recent().map((a) => a.code)).toEqual(['CODE_5', 'CODE_4', 'CODE_3'])
    expect(center.recent(2).map((a) => a.code)).toEqual(['CODE_5', 'CODE_4'])
    expect(center.recent(0)).toEqual([])
    expect(center.recent(99)).toHaveLength(3)
    expect(center.raised).toBe(5)
    expect(new Set(center.recent().map((a) => a.id)).size).toBe(3)
  })

  test('tells every subscriber; one that throws is reported and the rest still hear it', () => {
    const errors: unknown[] = []
    const center = new AlertCenter({ onError: (e) => errors.push(e), newId: (ts) => `x${ts}` })
    center.subscribe(() => {
      throw new Error('broken outlet')
    })
    const heard: string[] = []
    const off = center.subscribe((a) => heard.push(a.id))
    center.raise(input(1))
    off()
    center.raise(input(2))
    expect(heard).toEqual([`x${T0 + 1}`])
    expect(errors).toHaveLength(2)
  })

  test('restore fills the buffer from stored alerts without telling anyone', () => {
    const center = new AlertCenter({ capacity: 2 })
    const heard: unknown[] = []
    center.subscribe((a) => heard.push(a))
    center.restore([
      { id: 'b', ...input(2) },
      { id: 'a', ...input(1) },
      { id: 'c', ...input(3) },
    ])
    expect(center.recent().map((a) => a.id)).toEqual(['c', 'b'])
    expect(heard).toEqual([])
  })

  test('restored alerts older than those raised since start stay behind them', () => {
    const center = new AlertCenter()
    const raised = center.raise(input(2000))
    center.restore([{ id: 'old', ...input(1000) }])
    expect(center.recent().map((a) => a.id)).toEqual([raised.id, 'old'])
    expect(center.raised).toBe(2)
  })

  test('malformed alerts and capacities are refused with what was wrong', () => {
    const center = new AlertCenter()
    expect(() => center.raise(input(1, { severity: 'loud' as never }))).toThrow(/severity/)
    expect(() => center.raise(input(1, { code: ' ' }))).toThrow(/code and a message/)
    expect(() => new AlertCenter({ capacity: 0 })).toThrow(/capacity/)
    expect(center.recent()).toEqual([])
  })
})

describe('alert builders', () => {
  const breach = (code: RiskEvent['code'], scope: RiskEvent['scope']): RiskEvent => ({
    kind: 'breach',
    code,
    scope,
    ts: T0 as EpochMs,
    detail: 'x=1',
    message: `sentence for ${code}`,
    by: null,
  })

  test('halting breaches are critical, reducing ones warnings; market scope carries over', () => {
    expect(riskBreachAlert(breach('DRAWDOWN_HALT', 'global'))).toEqual({
      ts: T0,
      severity: 'critical',
      code: 'DRAWDOWN_HALT',
      message: 'sentence for DRAWDOWN_HALT',
      market: null,
    })
    expect(riskBreachAlert(breach('API_ERROR_RATE', 'global')).severity).toBe('critical')
    expect(riskBreachAlert(breach('DAILY_LOSS', MARKET))).toMatchObject({
      severity: 'warning',
      market: MARKET,
    })
  })

  const order = (over: Partial<OrderRecord>): OrderRecord => ({
    clientOrderId: 'o-1',
    venueOrderId: null,
    market: MARKET,
    tokenId: '1' as never,
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    postOnly: false,
    price: 5000 as PriceTicks,
    size: 20_000_000 as ShareMicros,
    filled: 0 as ShareMicros,
    status: 'rejected',
    origin: 'api',
    reasonCode: 'BELOW_MIN_SIZE',
    reasonMessage: 'size below the minimum',
    createdMs: T0 as EpochMs,
    updatedMs: T0 as EpochMs,
    ...over,
  })

  test('rejected and unknown orders alert with their reason; other statuses do not', () => {
    const rejected = orderFailureAlert(order({}), T0 as EpochMs)!
    expect(rejected).toMatchObject({ severity: 'warning', code: 'ORDER_REJECTED', market: MARKET })
    expect(rejected.message).toBe(
      'The venue rejected the buy 20 shares at 0.5 (o-1): BELOW_MIN_SIZE (size below the minimum).',
    )
    const unknown = orderFailureAlert(
      order({ status: 'unknown', reasonCode: null, reasonMessage: null }),
      T0 as EpochMs,
    )!
    expect(unknown).toMatchObject({ severity: 'critical', code: 'ORDER_UNKNOWN' })
    expect(unknown.message).toContain('may be working at the venue')
    expect(orderFailureAlert(order({ status: 'filled' }), T0 as EpochMs)).toBeNull()
    expect(orderFailureAlert(order({ status: 'denied' }), T0 as EpochMs)).toBeNull()
  })

  test('slippage names both averages and the ticks, for buys and sells', () => {
    const base = {
      clientOrderId: 'o',
      market: MARKET,
      tickSize: 100,
      thresholdTicks: 3,
      ts: T0 as EpochMs,
    }
    expect(
      slippageAlert({ ...base, side: 'buy', expectedAvg: 5100, actualAvg: 5550 }).message,
    ).toBe(
      "Order o (buy) filled at an average of 0.555, 4.5 ticks worse than the preview's 0.51 (alert beyond 3 ticks).",
    )
    expect(
      slippageAlert({ ...base, side: 'sell', expectedAvg: 4800, actualAvg: 4400 }).message,
    ).toContain('4 ticks worse')
  })
})
