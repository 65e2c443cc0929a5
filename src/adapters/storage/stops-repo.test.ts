import { sql } from 'kysely'
import { afterEach, expect, test } from 'vitest'
import { onEveryBackend } from '../../../test/support/store-backends.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import {
  addEntryFill,
  evaluateStop,
  newStop,
  releaseStop,
  type Stop,
} from '../../domain/orders/stops.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { createStopsRepo } from './stops-repo.js'
import { type Store } from './store.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const TOKEN = '1234567890' as TokenId
const T0 = 1_800_000_000_000

function pending(id: string, entryOrderId = `e-${id}`, createdMs = T0): Stop {
  return newStop({
    id,
    market: MARKET,
    tokenId: TOKEN,
    side: 'long',
    entryOrderId,
    tickSize: 100 as TickSize,
    offsets: { stopLossTicks: 3, takeProfitTicks: null, trailingStopTicks: 2 },
    now: createdMs as EpochMs,
  })
}

function contract(open: () => Promise<Store>) {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  test('a stop round-trips through every state it can be stored in', async () => {
    store = await open()
    const repo = createStopsRepo(store)
    const a = pending('a')
    await repo.insertStop(a)
    expect(await repo.getStop('a')).toEqual(a)
    const arm = addEntryFill(
      a,
      { price: 5000 as PriceTicks, size: 10_000_000 as ShareMicros },
      (T0 + 1) as EpochMs,
    )
    await repo.updateStop(arm)
    expect(await repo.getStop('a')).toEqual(arm)
    const fired = {
      ...evaluateStop(arm, { bestBid: 4700 as PriceTicks, bestAsk: null }, (T0 + 2) as EpochMs),
      exitOrderId: 'a.x',
    }
    await repo.updateStop(fired)
    expect(await repo.getStop('a')).toEqual(fired)
    const released = {
      ...releaseStop(fired, 'a.x', (T0 + 3) as EpochMs),
      exitFilled: 4_000_000 as ShareMicros,
      reasonCode: 'X',
      reasonMessage: 'why',
    }
    await repo.updateStop(released)
    expect(await repo.getStop('a')).toEqual(released)
    expect(await repo.getStop('nope')).toBeNull()
  })

  test('lists newest first, by state and by entry order; limit applies', async () => {
    store = await open()
    const repo = createStopsRepo(store)
    await repo.insertStop(pending('a', 'e1', T0))
    await repo.insertStop(pending('b', 'e1', T0 + 5))
    await repo.insertStop(pending('c', 'e2', T0 + 5))
    const armed = addEntryFill(
      pending('c', 'e2', T0 + 5),
      { price: 5000 as PriceTicks, size: 1 as ShareMicros },
      T0 as EpochMs,
    )
    await repo.updateStop(armed)
    const ids = (list: Stop[]) => list.map((s) => s.id)
    expect(ids(await repo.listStops())).toEqual(['c', 'b', 'a'])
    expect(ids(await repo.listStops({ limit: 1 }))).toEqual(['c'])
    expect(ids(await repo.listStops({ states: ['pending'] }))).toEqual(['b', 'a'])
    expect(ids(await repo.listStops({ states: ['armed', 'triggered'] }))).toEqual(['c'])
    expect(await repo.listStops({ states: [] })).toEqual([])
    expect(ids(await repo.listStops({ entryOrderId: 'e1' }))).toEqual(['b', 'a'])
  })

  test('updating an unknown stop, a duplicate id and a damaged row fail loudly', async () => {
    store = await open()
    const repo = createStopsRepo(store)
    await expect(repo.updateStop(pending('ghost'))).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    })
    await repo.insertStop(pending('a'))
    await expect(repo.insertStop(pending('a'))).rejects.toThrow()
    await sql`update stops set state = 'lost' where id = 'a'`.execute(store.kysely)
    await expect(repo.getStop('a')).rejects.toMatchObject({
      code: 'STORE_BAD_ROW',
      message: 'stop a: state "lost" is not a known value',
    })
    await sql`update stops set state = 'armed', side = 'sideways' where id = 'a'`.execute(
      store.kysely,
    )
    await expect(repo.getStop('a')).rejects.toMatchObject({ code: 'STORE_BAD_ROW' })
    await sql`update stops set side = 'long', trigger_kind = 'moon' where id = 'a'`.execute(
      store.kysely,
    )
    await expect(repo.listStops()).rejects.toMatchObject({ code: 'STORE_BAD_ROW' })
  })
}

onEveryBackend('stops repository', contract)
