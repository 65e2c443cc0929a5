/**
 * Emulated stops across a restart on a real SQLite file: the daemon's order service and stop
 * manager write through the repositories, the process "stops", and a fresh pair on the same
 * file picks the stops up where they were.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import type { ShareMicros } from '../../domain/units.js'
import type { OrderRequest } from '../../engine/execution/order-service.js'
import { exitOrderIdOf } from '../../engine/execution/stop-manager.js'
import { NotifyingOrderStore, stopRig } from '../../engine/execution/stop-test-support.js'
import { SHARES, YES } from '../../engine/execution/test-support.js'
import { createOrdersRepo } from './orders-repo.js'
import { createStopsRepo } from './stops-repo.js'
import { openStore, type Store } from './store.js'

const dirs: string[] = []
const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function open(file: string) {
  const store = await openStore({ databaseUrl: `sqlite:${file}` })
  stores.push(store)
  const orderStore = new NotifyingOrderStore(createOrdersRepo(store))
  return stopRig({ orderStore, stopStore: createStopsRepo(store) })
}

const BUY: OrderRequest = {
  tokenId: YES,
  side: 'buy',
  type: 'market',
  size: (20 * SHARES) as ShareMicros,
  price: null,
  postOnly: false,
  timeInForce: null,
  clientOrderId: 'entry-1',
}

test('an armed trailing stop keeps its level across a restart and fires once after it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-stops-'))
  dirs.push(dir)
  const file = join(dir, 'stops.sqlite')

  const first = await open(file)
  await first.service.start()
  await first.manager.start()
  const { stop } = await first.manager.submitWithStops(BUY, 'api', {
    stopLossTicks: null,
    takeProfitTicks: null,
    trailingStopTicks: 3,
  })
  await first.manager.settled()
  first.setBook([[6000, 100]], [[6100, 10]])
  await first.manager.settled()
  first.manager.stop()
  await first.service.settled()
  await stores.pop()!.close()

  const second = await open(file)
  await second.service.start()
  expect(second.held()).toBe(20 * SHARES)
  expect(await second.manager.start()).toEqual({
    loaded: 1,
    released: 0,
    failed: 0,
    cancelled: 0,
    awaitingRelease: 0,
  })
  const [loaded] = await second.manager.list()
  expect(loaded).toMatchObject({ id: stop!.id, state: 'armed', extreme: 6000, entryPrice: 5100 })
  second.setBook([[5800, 100]], [[6100, 10]])
  await second.manager.settled()
  expect((await second.manager.list())[0]?.state).toBe('armed')
  second.setBook([[5700, 100]], [[6100, 10]])
  second.setBook([[5600, 100]], [[6100, 10]])
  await second.manager.settled()
  const [fired] = await second.manager.list()
  expect(fired).toMatchObject({
    state: 'released',
    trigger: 'trailing_stop',
    triggerPrice: 5700,
    exitOrderId: exitOrderIdOf(stop!.id),
    exitFilled: 20 * SHARES,
  })
  const sells = (await second.orderStore.listOrders()).filter((o) => o.side === 'sell')
  expect(sells).toHaveLength(1)
  expect(second.held()).toBe(0)
  second.manager.stop()
  await second.service.settled()
})
