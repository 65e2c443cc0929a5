import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import type { LiveSocket } from '../../adapters/web/live-hub.js'
import { ServerBatch, type ServerMessage } from '../../contracts/live.js'
import type { ShareMicros } from '../../domain/units.js'
import { AlertCenter } from '../../engine/execution/alerts.js'
import { rig, SHARES, T0, YES } from '../../engine/execution/test-support.js'
import { createLiveWiring } from './live-wiring.js'
import { DaemonMetrics } from './metrics.js'

class FakeSocket implements LiveSocket {
  bufferedAmount = 0
  readyState = 1
  readonly sent: string[] = []
  send(data: string): void {
    this.sent.push(data)
  }
  close(): void {
    this.readyState = 3
  }
  take(): ServerMessage[] {
    const out = this.sent.flatMap((text) => ServerBatch.parse(JSON.parse(text)))
    this.sent.length = 0
    return out
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((done) => setImmediate(done))
}

function setup() {
  const trading = rig()
  const alerts = new AlertCenter()
  const metrics = new DaemonMetrics(
    {
      feed: () => ({
        frames: 0,
        events: 0,
        parseErrors: 0,
        reconnects: 0,
        resyncs: 0,
        health: { live: 0, stale: 0, resyncing: 0, disconnected: 0 },
      }),
      queue: () => ({ depth: 0, written: {}, dropped: {}, failed: {} }),
      uptimeSeconds: () => 1,
    },
    { processMetrics: false },
  )
  const wiring = createLiveWiring({
    log: silentLogger(),
    now: () => T0,
    metrics,
    feed: () => null,
    feedKind: 'sim',
    orders: () => trading.service,
    alerts: () => alerts,
    ui: () => ({ venue: 'paper', feed: 'sim', live: false, no_chase_ms: 0 }),
    stopping: () => false,
    markets: () => [],
  })
  return { ...trading, alerts, metrics, hub: wiring.hub }
}

describe('live wiring', () => {
  test('the account is pushed when the order service reports a change, without polling', async () => {
    const { hub, service } = setup()
    const socket = new FakeSocket()
    hub.connect(socket)
    await settle()
    expect(socket.take().map((m) => m.type)).toEqual(['hello', 'health', 'account'])
    // The hub refreshes once after attaching the source; after that, nothing changed: no account.
    hub.flush()
    await settle()
    hub.flush()
    socket.take()
    hub.tick()
    hub.flush()
    await settle()
    hub.flush()
    expect(socket.take()).toEqual([])
    await service.submit(
      {
        tokenId: YES,
        side: 'buy',
        type: 'market',
        size: (20 * SHARES) as ShareMicros,
        price: null,
        postOnly: false,
        timeInForce: null,
        clientOrderId: 'w1',
      },
      'api',
    )
    hub.flush()
    await settle()
    hub.flush()
    const account = socket.take().find((m) => m.type === 'account')
    expect(account).toBeDefined()
    const body = account as unknown as {
      orders: { orders: { client_order_id: string; status: string }[] }
      positions: { positions: unknown[] }
    }
    expect(body.orders.orders[0]).toMatchObject({ client_order_id: 'w1', status: 'filled' })
    expect(body.positions.positions).toHaveLength(1)
    hub.stop()
  })

  test('alerts reach the page; the order stages appear in the latency message', async () => {
    const { hub, alerts, metrics } = setup()
    const socket = new FakeSocket()
    hub.connect(socket)
    await settle()
    socket.take()
    alerts.raise({
      ts: T0 as never,
      severity: 'critical',
      code: 'DRAWDOWN_HALT',
      message: 'halted',
      market: null,
    })
    metrics.observeOrderStage('decision_to_send', 0.0002)
    metrics.observeOrderStage('send_to_ack', 0.004)
    metrics.observeOrderStage('ack_to_fill', 0)
    await hub.sendLatency()
    hub.flush()
    const messages = socket.take()
    expect(messages.find((m) => m.type === 'alert')).toMatchObject({
      code: 'DRAWDOWN_HALT',
      severity: 'critical',
    })
    const latency = messages.find((m) => m.type === 'latency')
    expect(latency?.type).toBe('latency')
    if (latency?.type !== 'latency') return
    for (const stage of ['decision_to_send', 'send_to_ack', 'ack_to_fill']) {
      expect(latency.stages[stage]?.count).toBe(1)
    }
    expect(latency.stages.receive_to_book?.count).toBe(0)
    hub.stop()
  })
})
