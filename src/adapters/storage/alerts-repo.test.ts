import { sql } from 'kysely'
import { afterEach, expect, test } from 'vitest'
import { onEveryBackend } from '../../../test/support/store-backends.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import type { Alert } from '../../engine/execution/alerts.js'
import type { OrderLatencyRecord } from '../../engine/execution/order-latency.js'
import { createAlertsRepo } from './alerts-repo.js'
import { type Store } from './store.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const T0 = 1_800_000_000_000

function alert(id: string, ts: number, over: Partial<Alert> = {}): Alert {
  return {
    id,
    ts: ts as EpochMs,
    severity: 'warning',
    code: 'SLIPPAGE',
    message: `alert ${id}`,
    market: MARKET,
    ...over,
  }
}

function contract(open: () => Promise<Store>) {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  test('alerts round-trip newest first, once per id; the limit applies', async () => {
    store = await open()
    const repo = createAlertsRepo(store)
    await repo.insertAlert(alert('a', T0))
    await repo.insertAlert(alert('b', T0 + 10, { severity: 'critical', market: null }))
    await repo.insertAlert(alert('c', T0 + 5, { severity: 'info', code: 'X' }))
    await repo.insertAlert(alert('a', T0 + 99, { message: 'again' }))
    expect(await repo.listAlerts()).toEqual([
      alert('b', T0 + 10, { severity: 'critical', market: null }),
      alert('c', T0 + 5, { severity: 'info', code: 'X' }),
      alert('a', T0),
    ])
    expect((await repo.listAlerts({ limit: 1 })).map((a) => a.id)).toEqual(['b'])
  })

  test('rows from before 0005 are skipped; a damaged severity fails loudly', async () => {
    store = await open()
    const repo = createAlertsRepo(store)
    await sql`insert into alerts (ts, level, kind, message) values (1, 'warning', 'OLD', 'old row')`.execute(
      store.kysely,
    )
    expect(await repo.listAlerts()).toEqual([])
    await repo.insertAlert(alert('a', T0))
    await sql`update alerts set level = 'loud' where alert_id = 'a'`.execute(store.kysely)
    await expect(repo.listAlerts()).rejects.toMatchObject({
      code: 'STORE_BAD_ROW',
      message: 'alert a: severity "loud" is not info, warning or critical',
    })
  })

  test('order latency is written at the ack and replaced at the first fill', async () => {
    store = await open()
    const repo = createAlertsRepo(store)
    const acked: OrderLatencyRecord = {
      clientOrderId: 'o1',
      market: MARKET,
      tokenId: '123' as TokenId,
      decidedMs: T0 as EpochMs,
      decisionToSendMs: 0.125,
      sendToAckMs: 3.5,
      ackToFillMs: null,
      updatedMs: T0 as EpochMs,
    }
    await repo.upsertOrderLatency(acked)
    expect(await repo.getOrderLatency('o1')).toEqual(acked)
    const filled = { ...acked, ackToFillMs: 250.25, updatedMs: (T0 + 300) as EpochMs }
    await repo.upsertOrderLatency(filled)
    expect(await repo.getOrderLatency('o1')).toEqual(filled)
    expect(await repo.getOrderLatency('nope')).toBeNull()
  })
}

onEveryBackend('alerts repository', contract)
