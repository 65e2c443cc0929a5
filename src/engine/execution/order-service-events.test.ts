import { describe, expect, test } from 'vitest'
import type { ShareMicros } from '../../domain/units.js'
import { AlertCenter, type Alert } from './alerts.js'
import type { OrderRequest, OrderServiceChange } from './order-service.js'
import { OrderLatencyTracker, type OrderLatencyRecord, type OrderStage } from './order-latency.js'
import { bookOf, MARKET, rig, SHARES, T0, YES } from './test-support.js'
import type { PaperVenue } from './paper-venue.js'
import type { Venue } from './venue.js'

function req(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    tokenId: YES,
    side: 'buy',
    type: 'market',
    size: (20 * SHARES) as ShareMicros,
    price: null,
    postOnly: false,
    timeInForce: null,
    clientOrderId: null,
    ...over,
  }
}

/** The paper venue, with `submit` replaced (the rest delegates). */
function wrap(paper: PaperVenue, submit: Venue['submit']): Venue {
  return {
    name: 'paper',
    events: (l) => paper.events(l),
    submit,
    cancel: (id, now) => paper.cancel(id, now),
    cancelAll: (now) => paper.cancelAll(now),
    openOrders: () => paper.openOrders(),
    lookup: (id) => paper.lookup(id),
  }
}

function describeChange(c: OrderServiceChange): string {
  if (c.kind === 'order') return `order:${c.order.clientOrderId}:${c.order.status}`
  if (c.kind === 'fill') return `fill:${c.fill.clientOrderId}`
  return c.kind
}

describe('subscribe', () => {
  test('hears each order write, each fill once booked, and risk events once stored', async () => {
    const { service, store } = rig()
    const heard: string[] = []
    const held: number[] = []
    service.subscribe((c) => {
      heard.push(describeChange(c))
      // By the time a fill is heard, the portfolio and the position row have it.
      if (c.kind === 'fill') {
        held.push(service.portfolio().positions[0]?.size ?? 0)
        expect(store.positions.get(YES)?.size).toBe(service.portfolio().positions[0]?.size)
      }
    })
    await service.submit(req({ clientOrderId: 'b1' }), 'api')
    expect(heard[0]).toBe('order:b1:pending')
    expect(heard.filter((h) => h === 'fill:b1')).toHaveLength(2)
    expect(heard.at(-1)).toBe('order:b1:filled')
    expect(held).toEqual([10 * SHARES, 20 * SHARES])
    heard.length = 0
    await service.halt('global')
    expect(heard).toEqual(['risk'])
    heard.length = 0
    await service.resume('global')
    expect(heard).toEqual(['risk'])
  })

  test('a denial is heard as a denied order; the unsubscribe stops the calls', async () => {
    const { service } = rig({ limits: { maxOrderUsd: 5 } })
    const heard: string[] = []
    const off = service.subscribe((c) => heard.push(describeChange(c)))
    await service.submit(req({ clientOrderId: 'd1' }), 'api')
    expect(heard).toEqual(['order:d1:denied'])
    off()
    await service.submit(req({ clientOrderId: 'd2' }), 'api')
    expect(heard).toEqual(['order:d1:denied'])
  })

  test('a listener that throws is reported and neither the order nor other listeners suffer', async () => {
    const errors: unknown[] = []
    const { service } = rig({ service: { onError: (e) => errors.push(e) } })
    service.subscribe(() => {
      throw new Error('listener broke')
    })
    const heard: string[] = []
    service.subscribe((c) => heard.push(describeChange(c)))
    const result = await service.submit(req({ clientOrderId: 'b1' }), 'api')
    expect(result).toMatchObject({ ok: true, order: { status: 'filled' } })
    expect(heard.at(-1)).toBe('order:b1:filled')
    expect(errors.length).toBe(heard.length)
    expect((errors[0] as Error).message).toBe('listener broke')
  })
})

describe('alerts', () => {
  function alerting(options: Parameters<typeof rig>[0] = {}) {
    const alerts = new AlertCenter()
    const raised: Alert[] = []
    alerts.subscribe((a) => raised.push(a))
    const r = rig({ ...options, service: { alerts, ...options.service } })
    return { ...r, alerts, raised }
  }

  test('a risk breach raises a critical alert with the engine sentence; denials alone do not', async () => {
    let calls = 0
    const { service, raised, store } = alerting({
      limits: { apiErrorMinSample: 1, maxOrderUsd: 5 },
      venue: (paper) => wrap(paper, () => Promise.reject(new Error(`timeout ${++calls}`))),
    })
    // A denial of one order is not a breach.
    await service.submit(req({ clientOrderId: 'big' }), 'api')
    expect(raised).toEqual([])
    await service.submit(req({ clientOrderId: 'x', size: (5 * SHARES) as ShareMicros }), 'api')
    const codes = raised.map((a) => `${a.severity}:${a.code}`)
    expect(codes).toContain('critical:API_ERROR_RATE')
    expect(codes).toContain('critical:ORDER_UNKNOWN')
    const breach = raised.find((a) => a.code === 'API_ERROR_RATE')!
    expect(breach.market).toBeNull()
    expect(breach.message).toBe(store.riskEvents.find((e) => e.kind === 'breach')!.message)
  })

  test('a venue rejection raises ORDER_REJECTED with the order and the reason', async () => {
    const { service, raised } = alerting()
    await service.submit(
      req({ clientOrderId: 'po', type: 'limit', price: 5000 as never, postOnly: true }),
      'api',
    )
    expect(raised).toHaveLength(1)
    expect(raised[0]).toMatchObject({ severity: 'warning', code: 'ORDER_REJECTED', market: MARKET })
    expect(raised[0]!.message).toContain('POST_ONLY_WOULD_CROSS')
    expect(raised[0]!.message).toContain('po')
  })

  test('an order left unknown at a restart raises ORDER_UNKNOWN once', async () => {
    const first = rig({
      venue: (paper) => wrap(paper, () => new Promise(() => {})),
    })
    void first.service.submit(req({ clientOrderId: 'lost' }), 'api')
    await new Promise((r) => setImmediate(r))
    const again = alerting({ store: first.store })
    await again.service.start()
    expect(again.raised.map((a) => a.code)).toEqual(['ORDER_UNKNOWN'])
    expect(again.raised[0]!.message).toContain('NOT_AT_VENUE')
    await again.service.start()
    expect(again.raised).toHaveLength(1)
  })

  test('a trade the venue reports failed alerts, is stored as failed and is not booked', async () => {
    const { service, raised, venue, store } = alerting()
    // Reach the service's venue listener through the paper venue's registered listener.
    const listener = (venue as unknown as { _listener: (e: unknown) => void })._listener
    listener({
      kind: 'fill',
      fill: {
        clientOrderId: 'z',
        fillId: 'f-1',
        market: MARKET,
        tokenId: YES,
        side: 'buy',
        price: 5000,
        size: 10 * SHARES,
        fee: 0,
        liquidity: 'taker',
        status: 'failed',
        ts: T0,
      },
    })
    await service.settled()
    expect(raised.map((a) => `${a.severity}:${a.code}`)).toEqual(['critical:TRADE_FAILED'])
    expect(store.fills.map((f) => [f.fillId, f.status])).toEqual([['f-1', 'failed']])
    expect(service.portfolio().positions).toEqual([])
  })

  /** Replaces the book as the order goes out, so fills differ from the preview. */
  function movingBook(asks: [number, number][], slippageAlertTicks?: number) {
    const holder: { books?: Map<string, ReturnType<typeof bookOf>> } = {}
    const r = alerting({
      limits: { fatFingerTicks: 20 },
      ...(slippageAlertTicks === undefined ? {} : { service: { slippageAlertTicks } }),
      venue: (paper) =>
        wrap(paper, (order) => {
          holder.books!.set(YES, bookOf(YES, [[4800, 30]], asks, T0 + 1))
          return paper.submit(order)
        }),
    })
    holder.books = r.books
    return r
  }

  test('fills more than 3 ticks worse than the preview average alert once', async () => {
    // Preview: 10 @ 0.50 + 10 @ 0.52 = 0.51; the book moves to 0.56: 5 ticks worse.
    const { service, raised } = movingBook([[5600, 100]])
    await service.submit(req({ clientOrderId: 's1' }), 'api')
    expect(raised).toHaveLength(1)
    expect(raised[0]).toMatchObject({ severity: 'warning', code: 'SLIPPAGE', market: MARKET })
    expect(raised[0]!.message).toContain('0.56')
    expect(raised[0]!.message).toContain('5 ticks worse')
    expect(raised[0]!.message).toContain('0.51')
  })

  test('exactly 3 ticks worse does not alert; a lower threshold does', async () => {
    const atLimit = movingBook([[5400, 100]])
    await atLimit.service.submit(req({ clientOrderId: 's2' }), 'api')
    expect(atLimit.raised).toEqual([])
    const strict = movingBook([[5400, 100]], 2)
    await strict.service.submit(req({ clientOrderId: 's3' }), 'api')
    expect(strict.raised.map((a) => a.code)).toEqual(['SLIPPAGE'])
  })

  test('a sell measures slippage downwards; fills as previewed never alert', async () => {
    const { service, raised } = alerting()
    await service.submit(req({ clientOrderId: 'b' }), 'api')
    await service.submit(req({ clientOrderId: 's', side: 'sell' }), 'api')
    expect(raised).toEqual([])
  })

  test('a bad threshold is refused; an alert sink that throws never breaks an order', async () => {
    expect(() => rig({ service: { slippageAlertTicks: -1 } })).toThrow(/slippageAlertTicks/)
    const errors: unknown[] = []
    const { service } = rig({
      service: {
        alerts: {
          raise: () => {
            throw new Error('sink down')
          },
        },
        onError: (e) => errors.push(e),
      },
    })
    const result = await service.submit(
      req({ clientOrderId: 'po', type: 'limit', price: 5000 as never, postOnly: true }),
      'api',
    )
    expect(result).toMatchObject({ ok: true, order: { status: 'rejected' } })
    expect(errors.map((e) => (e as Error).message)).toEqual(['sink down'])
  })
})

describe('latency', () => {
  function timed(venue?: (paper: PaperVenue) => Venue) {
    const mono = { ms: 100 }
    const observed: [OrderStage, number][] = []
    const rows: OrderLatencyRecord[] = []
    const tracker = new OrderLatencyTracker({
      clock: () => (mono.ms += 0.5),
      now: () => T0 as never,
      observe: (stage, s) => observed.push([stage, s]),
      store: {
        upsertOrderLatency: (r) => {
          rows.push(r)
          return Promise.resolve()
        },
      },
    })
    const r = rig({ service: { latency: tracker }, ...(venue ? { venue } : {}) })
    return { ...r, observed, rows, tracker }
  }

  test('a filled order records each stage once and stores its row', async () => {
    const { service, observed, rows, tracker } = timed()
    await service.submit(req({ clientOrderId: 'b1' }), 'api')
    expect(observed.map(([s]) => s)).toEqual(['decision_to_send', 'send_to_ack', 'ack_to_fill'])
    // Each clock read advances 0.5 ms: decision, hand-off, first event.
    expect(observed[0]![1]).toBeCloseTo(0.0005)
    expect(observed[1]![1]).toBeCloseTo(0.0005)
    // The paper venue's first word is the fill itself.
    expect(observed[2]![1]).toBe(0)
    expect(rows).toEqual([
      expect.objectContaining({
        clientOrderId: 'b1',
        market: MARKET,
        decisionToSendMs: 0.5,
        sendToAckMs: 0.5,
        ackToFillMs: 0,
      }),
    ])
    expect(tracker.tracking).toBe(0)
  })

  test('a denied order is never sent and records nothing; a venue fault is stored without an ack', async () => {
    const denied = timed()
    await denied.service.submit(req({ clientOrderId: 'd', size: 1 as ShareMicros }), 'api')
    expect(denied.observed).toEqual([])
    const faulty = timed((paper) => wrap(paper, () => Promise.reject(new Error('down'))))
    await faulty.service.submit(req({ clientOrderId: 'f' }), 'api')
    expect(faulty.observed.map(([s]) => s)).toEqual(['decision_to_send'])
    expect(faulty.rows).toEqual([
      expect.objectContaining({ clientOrderId: 'f', sendToAckMs: null, ackToFillMs: null }),
    ])
    expect(faulty.tracker.tracking).toBe(0)
  })

  test('a resting order is stored at its acknowledgement and again at its first fill', async () => {
    const { service, observed, rows, books, venue, tracker, clock } = timed()
    await service.submit(req({ clientOrderId: 'r', type: 'limit', price: 4900 as never }), 'api')
    expect(observed.map(([s]) => s)).toEqual(['decision_to_send', 'send_to_ack'])
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ clientOrderId: 'r', ackToFillMs: null })
    expect(tracker.tracking).toBe(1)
    // The ask comes down through the resting bid: it fills.
    clock.t += 5
    const book = bookOf(YES, [[4800, 30]], [[4900, 100]], clock.t)
    books.set(YES, book)
    venue.onBookChanged(book)
    await service.settled()
    expect(observed.map(([s]) => s)).toContain('ack_to_fill')
    expect(rows).toHaveLength(2)
    expect(rows[1]!.ackToFillMs).toBeGreaterThan(0)
    expect(tracker.tracking).toBe(0)
  })
})
