import { afterEach, expect, test } from 'vitest'
import { onEveryBackend } from '../../../test/support/store-backends.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import type { OrderRecord } from '../../engine/execution/order-store.js'
import type { VenueFill } from '../../engine/execution/venue.js'
import { createOrdersRepo } from './orders-repo.js'
import { type Store } from './store.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const TOKEN = '1234567890' as TokenId

function order(id: string, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId: id,
    venueOrderId: null,
    market: MARKET,
    tokenId: TOKEN,
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    postOnly: true,
    price: 4500 as PriceTicks,
    size: 10_000_000 as ShareMicros,
    filled: 0 as ShareMicros,
    status: 'pending',
    origin: 'api',
    reasonCode: null,
    reasonMessage: null,
    createdMs: 1_800_000_000_000 as EpochMs,
    updatedMs: 1_800_000_000_000 as EpochMs,
    ...over,
  }
}

const FILL: VenueFill = {
  clientOrderId: 'a',
  fillId: 'paper-a-1',
  market: MARKET,
  tokenId: TOKEN,
  side: 'buy',
  price: 4500 as PriceTicks,
  size: 10_000_000 as ShareMicros,
  fee: 12_380 as UsdcMicros,
  liquidity: 'taker',
  status: 'confirmed',
  ts: 1_800_000_000_500 as EpochMs,
}

function contract(open: () => Promise<Store>) {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  test('orders round-trip, update in place and list newest first; working ones separately', async () => {
    store = await open()
    const repo = createOrdersRepo(store)
    await repo.insertOrder(order('a'))
    await repo.insertOrder(
      order('b', {
        createdMs: 1_800_000_000_100 as EpochMs,
        type: 'market',
        timeInForce: 'FOK',
        postOnly: false,
      }),
    )
    await repo.updateOrder('a', {
      status: 'filled',
      filled: 10_000_000 as ShareMicros,
      venueOrderId: 'v-1',
      reasonCode: null,
      reasonMessage: null,
      updatedMs: 1_800_000_000_900 as EpochMs,
    })
    expect(await repo.getOrder('a')).toEqual(
      order('a', {
        status: 'filled',
        filled: 10_000_000 as ShareMicros,
        venueOrderId: 'v-1',
        updatedMs: 1_800_000_000_900 as EpochMs,
      }),
    )
    expect(await repo.getOrder('nope')).toBeNull()
    expect((await repo.listOrders()).map((o) => o.clientOrderId)).toEqual(['b', 'a'])
    expect((await repo.listWorkingOrders()).map((o) => o.clientOrderId)).toEqual(['b'])
    expect((await repo.getOrder('b'))?.timeInForce).toBe('FOK')
  })

  test('a fill is stored once; positions upsert; risk events are kept', async () => {
    store = await open()
    const repo = createOrdersRepo(store)
    expect(await repo.insertFill(FILL)).toBe(true)
    expect(await repo.insertFill(FILL)).toBe(false)
    expect(await repo.listFills()).toEqual([FILL])
    // a live fill's status is written back: matched, then confirmed, or failed
    const live = { ...FILL, fillId: 'trade-1:0xabc', status: 'matched' as const }
    expect(await repo.insertFill(live)).toBe(true)
    expect(await repo.updateFillStatus(live.fillId, 'confirmed')).toBe(true)
    expect((await repo.listFills())[1]?.status).toBe('confirmed')
    expect(await repo.updateFillStatus(live.fillId, 'failed')).toBe(true)
    expect((await repo.listFills())[1]).toEqual({ ...live, status: 'failed' })
    expect(await repo.updateFillStatus('no-such-fill', 'confirmed')).toBe(false)
    const position = {
      market: MARKET,
      tokenId: TOKEN,
      size: 10_000_000 as ShareMicros,
      cost: 4_500_000 as UsdcMicros,
      realized: 0 as UsdcMicros,
      updatedMs: 1 as EpochMs,
    }
    await repo.upsertPosition(position)
    await repo.upsertPosition({ ...position, size: 0 as ShareMicros, realized: -1 as UsdcMicros })
    const rows = await store.kysely.selectFrom('positions').selectAll().execute()
    expect(rows.map((r) => [r.token_id, Number(r.size), Number(r.realized_usdc)])).toEqual([
      [TOKEN, 0, -1],
    ])
    await repo.insertRiskEvent({
      ts: 5 as EpochMs,
      kind: 'breach',
      code: 'DAILY_LOSS',
      scope: 'global',
      detail: 'loss_usd=500',
      message: 'Today...',
      liftedBy: null,
    })
    const events = await store.kysely.selectFrom('risk_events').selectAll().execute()
    expect(events.map((e) => [e.code, Number(e.ts)])).toEqual([['DAILY_LOSS', 5]])
  })
}

onEveryBackend('orders repository', contract)
