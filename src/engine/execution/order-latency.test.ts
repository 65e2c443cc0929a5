import { describe, expect, test } from 'vitest'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, ShareMicros } from '../../domain/units.js'
import {
  OrderLatencyTracker,
  type OrderLatencyOptions,
  type OrderLatencyRecord,
} from './order-latency.js'
import type { VenueEvent } from './venue.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const TOKEN = '7' as TokenId
const T0 = 1_800_000_000_000

function setup(over: Partial<OrderLatencyOptions> = {}) {
  const mono = { ms: 0 }
  const observed: string[] = []
  const rows: OrderLatencyRecord[] = []
  const errors: unknown[] = []
  const tracker = new OrderLatencyTracker({
    clock: () => mono.ms,
    now: () => T0 as EpochMs,
    observe: (stage, seconds) => observed.push(`${stage}=${seconds}`),
    store: {
      upsertOrderLatency: (r) => {
        rows.push(r)
        return Promise.resolve()
      },
    },
    onError: (e) => errors.push(e),
    ...over,
  })
  const send = (id: string, decidedAt: number): void =>
    tracker.sent({ clientOrderId: id, market: MARKET, tokenId: TOKEN, decidedAt })
  return { tracker, mono, observed, rows, errors, send }
}

const status = (id: string, s: 'pending' | 'open' | 'filled' | 'cancelled'): VenueEvent => ({
  kind: 'status',
  clientOrderId: id,
  status: s,
  venueOrderId: null,
  filled: 0 as ShareMicros,
  code: null,
  message: null,
  ts: T0 as EpochMs,
})
const fill = (id: string): VenueEvent => ({
  kind: 'fill',
  fill: {
    clientOrderId: id,
    fillId: `${id}-f`,
    market: MARKET,
    tokenId: TOKEN,
    side: 'buy',
    price: 5000 as never,
    size: 1 as ShareMicros,
    fee: 0 as never,
    liquidity: 'taker',
    status: 'confirmed',
    ts: T0 as EpochMs,
  },
})

describe('OrderLatencyTracker', () => {
  test('decision → send → ack → fill, each observed in seconds and stored in ms', () => {
    const { tracker, mono, observed, rows, send } = setup()
    mono.ms = 2
    send('a', 0)
    mono.ms = 12
    tracker.venueEvent(status('a', 'open'))
    mono.ms = 112
    tracker.venueEvent(fill('a'))
    // A second fill changes nothing.
    tracker.venueEvent(fill('a'))
    expect(observed).toEqual(['decision_to_send=0.002', 'send_to_ack=0.01', 'ack_to_fill=0.1'])
    expect(rows.map((r) => [r.decisionToSendMs, r.sendToAckMs, r.ackToFillMs])).toEqual([
      [2, 10, null],
      [2, 10, 100],
    ])
    expect(rows[0]).toMatchObject({
      clientOrderId: 'a',
      market: MARKET,
      tokenId: TOKEN,
      decidedMs: T0,
    })
    expect(tracker.tracking).toBe(0)
  })

  test('a filled status before its fill keeps waiting; a cancel without fills ends it', () => {
    const { tracker, mono, observed, send } = setup()
    send('a', 0)
    send('b', 0)
    mono.ms = 1
    tracker.venueEvent(status('a', 'filled'))
    expect(tracker.tracking).toBe(2)
    tracker.venueEvent(fill('a'))
    tracker.venueEvent(status('b', 'cancelled'))
    expect(tracker.tracking).toBe(0)
    expect(observed.filter((o) => o.startsWith('ack_to_fill'))).toEqual(['ack_to_fill=0'])
    // Orders it never saw sent are ignored.
    tracker.venueEvent(fill('zzz'))
    expect(observed).toHaveLength(5)
  })

  test('is bounded: the oldest order is dropped past maxTracked; forget stores what is known', () => {
    const { tracker, rows, send } = setup({ maxTracked: 2 })
    send('a', 0)
    send('b', 0)
    send('c', 0)
    expect(tracker.tracking).toBe(2)
    tracker.venueEvent(status('a', 'open'))
    expect(rows).toEqual([])
    tracker.forget('b')
    expect(rows.map((r) => [r.clientOrderId, r.sendToAckMs])).toEqual([['b', null]])
    tracker.forget('b')
    expect(rows).toHaveLength(1)
    expect(() => new OrderLatencyTracker({ now: () => 0 as EpochMs, maxTracked: 0 })).toThrow(
      /maxTracked/,
    )
  })

  test('a failing store write goes to onError and never throws into the caller', async () => {
    const { tracker, errors, send } = setup({
      store: {
        upsertOrderLatency: () => Promise.reject(new Error('disk full')),
      },
    })
    send('a', 0)
    tracker.venueEvent(fill('a'))
    const sync = setup({
      store: {
        upsertOrderLatency: () => {
          throw new Error('closed')
        },
      },
    })
    sync.send('b', 0)
    sync.tracker.venueEvent(fill('b'))
    await Promise.resolve()
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full'])
    expect(sync.errors.map((e) => (e as Error).message)).toEqual(['closed'])
  })

  test('without a clock it reads the monotonic clock', () => {
    const tracker = new OrderLatencyTracker({ now: () => T0 as EpochMs })
    const a = tracker.mark()
    expect(tracker.mark()).toBeGreaterThanOrEqual(a)
  })
})

describe('what the venue adapter says of itself, and shutdown', () => {
  test("the adapter's own `pending` is not the venue's answer: the ack waits for the venue", () => {
    const { tracker, mono, observed, send } = setup()
    send('o1', 0)
    mono.ms = 2
    tracker.venueEvent(status('o1', 'pending'))
    mono.ms = 250
    tracker.venueEvent(status('o1', 'open'))
    expect(observed).toEqual(['decision_to_send=0', 'send_to_ack=0.25'])
  })

  test('flush waits for the rows still being written', async () => {
    let release: () => void = () => {}
    const written: string[] = []
    const { tracker, send } = setup({
      store: {
        upsertOrderLatency: (r) =>
          new Promise<void>((done) => {
            release = () => {
              written.push(r.clientOrderId)
              done()
            }
          }),
      },
    })
    send('o1', 0)
    tracker.forget('o1')
    let flushed = false
    const flushing = tracker.flush().then(() => (flushed = true))
    await Promise.resolve()
    expect(flushed).toBe(false)
    release()
    await flushing
    expect(written).toEqual(['o1'])
  })
})
