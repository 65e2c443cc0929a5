import { afterEach, describe, expect, test } from 'vitest'
import { LocalWsVenue, waitFor } from '../../../../test/support/local-ws-venue.js'
import {
  backoffDelayMs,
  MarketConnection,
  type CloseInfo,
  type MarketConnectionOptions,
  type OpenInfo,
  type SubscriptionInfo,
} from './connection.js'

const A = '111'
const B = '222'

type Seen = {
  frames: { text: string; tLocal: number; conn: string }[]
  opens: OpenInfo[]
  closes: CloseInfo[]
  subscriptions: SubscriptionInfo[]
}

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setup(
  options: Partial<MarketConnectionOptions> = {},
): Promise<{ venue: LocalWsVenue; conn: MarketConnection; seen: Seen }> {
  const venue = await LocalWsVenue.start()
  venue.books.set(A, { bids: [['0.40', '10']], asks: [['0.45', '5']] })
  venue.books.set(B, { bids: [['0.50', '1']], asks: [['0.55', '2']] })
  const seen: Seen = { frames: [], opens: [], closes: [], subscriptions: [] }
  const conn = new MarketConnection({
    url: venue.url,
    id: 'c7',
    assetIds: [A],
    pingIntervalMs: 50,
    silenceTimeoutMs: 1_000,
    backoff: { initialMs: 20, maxMs: 100 },
    random: () => 0.5,
    now: () => 42,
    listener: {
      onFrame: (text, tLocal, c) => seen.frames.push({ text, tLocal, conn: c }),
      onOpen: (info) => seen.opens.push(info),
      onClose: (info) => seen.closes.push(info),
      onSubscription: (info) => seen.subscriptions.push(info),
    },
    ...options,
  })
  cleanups.push(() => venue.close())
  cleanups.push(() => conn.stop())
  return { venue, conn, seen }
}

describe('backoffDelayMs', () => {
  test('doubles from the initial step up to the cap, jittering the upper half', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, 100, 500, () => 0))).toEqual([
      50, 100, 200, 250, 250,
    ])
    expect(backoffDelayMs(1, 100, 500, () => 0.999999)).toBe(100)
    expect(backoffDelayMs(30, 100, 500, () => 1)).toBe(500)
  })
})

describe('MarketConnection', () => {
  test('subscribes right after open and delivers frames with receive time and id', async () => {
    const { venue, conn, seen } = await setup()
    conn.start()
    await waitFor('snapshot', () => seen.frames.some((f) => f.text.includes('"book"')))
    expect(venue.subscriptions()[0]).toEqual({
      assets_ids: [A],
      type: 'market',
      initial_dump: true,
      custom_feature_enabled: true,
    })
    expect(seen.opens).toEqual([{ conn: 'c7', url: venue.url, attempt: 1 }])
    expect(seen.subscriptions[0]).toEqual({
      conn: 'c7',
      operation: 'subscribe',
      assetIds: [A],
      initial: true,
    })
    expect(seen.frames[0]).toMatchObject({ tLocal: 42, conn: 'c7' })
    expect(conn.state).toBe('open')
  })

  test('sends PING on the interval and counts PONG as inbound traffic', async () => {
    const { venue, conn, seen } = await setup({ silenceTimeoutMs: 5_000 })
    conn.start()
    await waitFor('two pongs', () => seen.frames.filter((f) => f.text === 'PONG').length >= 2)
    expect(venue.pings()).toBeGreaterThanOrEqual(2)
    expect(conn.counters.pings).toBeGreaterThanOrEqual(2)
    expect(seen.closes).toEqual([])
  })

  test('subscribes, unsubscribes and resubscribes on the open socket', async () => {
    const { venue, conn, seen } = await setup()
    expect(conn.resubscribe([A])).toBe(false)
    conn.start()
    await waitFor('open', () => conn.isOpen)
    conn.subscribe([A, B])
    conn.unsubscribe([A])
    conn.unsubscribe([A])
    expect(conn.resubscribe([B])).toBe(true)
    expect(conn.resubscribe([A])).toBe(false)
    await waitFor('four frames', () => venue.subscriptions().length >= 4)
    expect(venue.subscriptions()).toEqual([
      { assets_ids: [A], type: 'market', initial_dump: true, custom_feature_enabled: true },
      { operation: 'subscribe', assets_ids: [B], custom_feature_enabled: true },
      { operation: 'unsubscribe', assets_ids: [A] },
      { operation: 'unsubscribe', assets_ids: [B] },
      { operation: 'subscribe', assets_ids: [B], custom_feature_enabled: true },
    ])
    expect(conn.assetIds).toEqual([B])
    expect(seen.subscriptions.map((s) => s.operation)).toEqual([
      'subscribe',
      'subscribe',
      'unsubscribe',
      'unsubscribe',
      'subscribe',
    ])
  })

  test('reconnects after the venue drops it and resubscribes every asset', async () => {
    const { venue, conn, seen } = await setup({ assetIds: [A, B] })
    conn.start()
    await waitFor('open', () => conn.isOpen)
    venue.dropAll()
    await waitFor('second open', () => seen.opens.length === 2)
    expect(seen.closes[0]).toMatchObject({ conn: 'c7', code: 1006, reconnectInMs: 15 })
    expect(seen.opens[1]?.attempt).toBe(2)
    // The subscribe frame is sent right after open; wait until the venue has read it.
    await waitFor(
      'second subscribe',
      () => venue.subscriptions().filter((s) => s.type === 'market').length === 2,
    )
    const initial = venue.subscriptions().filter((s) => s.type === 'market')
    expect(initial).toHaveLength(2)
    expect(venue.received.filter((f) => f.client === 2)[0]?.text).toContain(`"${A}","${B}"`)
    await waitFor(
      'fresh snapshots',
      () => seen.frames.filter((f) => f.text.includes('"book"')).length === 2,
    )
    expect(conn.counters.disconnects).toBe(1)
  })

  test('kills a silent socket and reconnects', async () => {
    const { venue, conn, seen } = await setup({ silenceTimeoutMs: 150 })
    venue.silent = true
    conn.start()
    await waitFor('a close', () => seen.closes.length >= 1)
    expect(seen.closes[0]).toMatchObject({ reason: 'silence', code: 1006 })
    expect(conn.counters.silenceKills).toBe(1)
    venue.silent = false
    await waitFor('reopened', () => seen.opens.length >= 2 && conn.isOpen)
  })

  test('replaces a socket that only answers PONG once data stops', async () => {
    const { conn, seen } = await setup({ dataSilenceMs: 150 })
    conn.start()
    await waitFor('a close', () => seen.closes.length >= 1)
    expect(seen.closes[0]).toMatchObject({ reason: 'no data', code: 1006 })
    expect(conn.counters.dataSilenceKills).toBe(1)
    expect(conn.counters.silenceKills).toBe(0)
    expect(seen.frames.filter((f) => f.text === 'PONG').length).toBeGreaterThanOrEqual(1)
  })

  test('backs off further after each failed attempt and stops while waiting', async () => {
    const venue = await LocalWsVenue.start()
    const url = venue.url
    await venue.close()
    const closes: CloseInfo[] = []
    const conn = new MarketConnection({
      url,
      id: 'c1',
      assetIds: [A],
      backoff: { initialMs: 10, maxMs: 40 },
      random: () => 0,
      listener: { onClose: (info) => closes.push(info) },
    })
    conn.start()
    await waitFor('four failures', () => closes.length >= 4)
    expect(closes.slice(0, 4).map((c) => c.reconnectInMs)).toEqual([5, 10, 20, 20])
    expect(closes[0]?.reason).toMatch(/ECONNREFUSED/)
    await conn.stop()
    expect(conn.state).toBe('stopped')
  })

  test('stop closes the socket once and reports no reconnect', async () => {
    const { conn, seen } = await setup()
    conn.start()
    await waitFor('open', () => conn.isOpen)
    await Promise.all([conn.stop(), conn.stop()])
    expect(seen.closes).toEqual([
      { conn: 'c7', code: 1000, reason: 'stopped', reconnectInMs: null },
    ])
    conn.start()
    expect(conn.state).toBe('stopped')
  })

  test('stop while connecting resolves once the attempt is abandoned', async () => {
    const { conn, seen } = await setup()
    conn.start()
    expect(conn.state).toBe('connecting')
    await conn.stop()
    expect(conn.state).toBe('stopped')
    expect(seen.opens).toEqual([])
    expect(seen.closes.map((c) => c.reconnectInMs)).toEqual([null])
  })

  test('stop before start resolves at once', async () => {
    const conn = new MarketConnection({ url: 'ws://127.0.0.1:1/x', id: 'c1' })
    await conn.stop()
    expect(conn.state).toBe('stopped')
  })

  test('rejects a non-positive interval', () => {
    expect(() => new MarketConnection({ url: 'ws://x', id: 'c1', pingIntervalMs: 0 })).toThrow(
      /pingIntervalMs must be a positive number/,
    )
  })
})
