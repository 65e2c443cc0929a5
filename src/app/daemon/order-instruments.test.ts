import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { createLogger } from '../../adapters/log.js'
import { createAlertsRepo } from '../../adapters/storage/alerts-repo.js'
import { openStore, type Store } from '../../adapters/storage/store.js'
import type { EpochMs, ShareMicros } from '../../domain/units.js'
import { AlertCenter } from '../../engine/execution/alerts.js'
import { rig, SHARES, T0, YES } from '../../engine/execution/test-support.js'
import { createOrderInstruments } from './order-instruments.js'

let store: Store | null = null
let server: Server | null = null
afterEach(async () => {
  await store?.close()
  store = null
  if (server !== null) {
    const s = server
    server = null
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
})

test('alerts are restored, stored, logged and posted; order stages reach metrics and the store', async () => {
  const posted: unknown[] = []
  server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => (text += c.toString()))
    req.on('end', () => {
      posted.push(JSON.parse(text))
      res.end()
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  store = await openStore({ databaseUrl: ':memory:' })
  const repo = createAlertsRepo(store)
  await repo.insertAlert({
    id: 'old',
    ts: (T0 - 1000) as EpochMs,
    severity: 'info',
    code: 'BEFORE',
    message: 'from before the restart',
    market: null,
  })
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
  })
  const stages: string[] = []
  const instruments = createOrderInstruments({
    log,
    now: () => T0,
    metrics: { observeOrderStage: (stage) => stages.push(stage) },
    repo,
    webhookUrl: `http://127.0.0.1:${port}/hook`,
  })
  const center = new AlertCenter()
  await instruments.attach(center)
  expect(center.recent().map((a) => a.id)).toEqual(['old'])

  const { service } = rig({ service: { alerts: center, latency: instruments.latency } })
  await service.submit(
    {
      tokenId: YES,
      side: 'buy',
      type: 'limit',
      size: (10 * SHARES) as ShareMicros,
      price: 5000 as never,
      postOnly: true,
      timeInForce: null,
      clientOrderId: 'po',
    },
    'api',
  )
  await instruments.close()
  expect(stages).toEqual(['decision_to_send', 'send_to_ack'])
  expect(await repo.getOrderLatency('po')).toMatchObject({ clientOrderId: 'po', ackToFillMs: null })
  const stored = await repo.listAlerts()
  expect(stored.map((a) => a.code)).toEqual(['ORDER_REJECTED', 'BEFORE'])
  expect(posted).toEqual([expect.objectContaining({ code: 'ORDER_REJECTED', source: 'tiltmeter' })])
  expect(lines.find((l) => l.msg === 'alert')).toMatchObject({ code: 'ORDER_REJECTED', level: 40 })
})

test('without a store or webhook it still measures; a failing alert read starts empty', async () => {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
  })
  const bare = createOrderInstruments({
    log,
    now: () => T0,
    metrics: { observeOrderStage: () => {} },
    repo: null,
  })
  expect(bare.webhook).toBeNull()
  await bare.attach(new AlertCenter())
  await bare.close()
  store = await openStore({ databaseUrl: ':memory:' })
  const repo = createAlertsRepo(store)
  const broken = createOrderInstruments({
    log,
    now: () => T0,
    metrics: { observeOrderStage: () => {} },
    repo: { ...repo, listAlerts: () => Promise.reject(new Error('no table')) },
  })
  const center = new AlertCenter()
  await broken.attach(center)
  expect(center.recent()).toEqual([])
  expect(
    lines.find((l) => l.msg === 'cannot read stored alerts; starting with none'),
  ).toMatchObject({ err: 'no table' })
  expect(() =>
    createOrderInstruments({
      log,
      now: () => T0,
      metrics: { observeOrderStage: () => {} },
      repo: null,
      webhookUrl: 'nope',
    }),
  ).toThrow(/not a URL/)
})
