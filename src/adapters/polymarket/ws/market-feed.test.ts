import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import {
  LocalWsVenue,
  priceChangeFrame,
  TEST_MARKET,
  waitFor,
} from '../../../../test/support/local-ws-venue.js'
import { MarketData } from '../../../engine/market-data.js'
import type { MarkerKind } from '../../capture/capture-format.js'
import { ClobRestClient } from '../rest/clob-rest.js'
import { polymarketFrameParser } from './market-frame-parser.js'
import {
  MarketFeed,
  REST_CONN,
  type CaptureSink,
  type HealthChange,
  type MarketFeedOptions,
} from './market-feed.js'

const A = '1001'
const B = '1002'

type Line =
  | { kind: 'frame'; conn: string; raw: string }
  | { kind: MarkerKind; conn: string; detail: Readonly<Record<string, unknown>> }

class MemoryCapture implements CaptureSink {
  readonly lines: Line[] = []
  failing = false
  writeFrame(conn: string, raw: string): void {
    if (this.failing) throw new Error('disk full')
    this.lines.push({ kind: 'frame', conn, raw })
  }
  writeMarker(kind: MarkerKind, conn: string, detail?: Readonly<Record<string, unknown>>): void {
    if (this.failing) throw new Error('disk full')
    this.lines.push({ kind, conn, detail: detail ?? {} })
  }
  markers(kind: MarkerKind): Readonly<Record<string, unknown>>[] {
    return this.lines.flatMap((l) => (l.kind === kind && 'detail' in l ? [l.detail] : []))
  }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startVenue(): Promise<LocalWsVenue> {
  const venue = await LocalWsVenue.start()
  venue.books.set(A, { bids: [['0.40', '10']], asks: [['0.45', '5']] })
  venue.books.set(B, { bids: [['0.50', '1']], asks: [['0.55', '2']] })
  cleanups.push(() => venue.close())
  return venue
}

function startFeed(
  venue: LocalWsVenue,
  options: Partial<MarketFeedOptions> = {},
): { feed: MarketFeed; capture: MemoryCapture; changes: HealthChange[] } {
  const capture = new MemoryCapture()
  const changes: HealthChange[] = []
  const feed = new MarketFeed({
    url: venue.url,
    assetIds: [A, B],
    connection: {
      pingIntervalMs: 50,
      silenceTimeoutMs: 2_000,
      backoff: { initialMs: 10, maxMs: 50 },
    },
    capture,
    onHealthChange: (change) => changes.push(change),
    ...options,
  })
  cleanups.push(() => feed.stop())
  feed.start()
  return { feed, capture, changes }
}

function levels(feed: MarketFeed | MarketData, assetId: string): unknown {
  const market = feed instanceof MarketFeed ? feed.market : feed
  const book = market.book(assetId)
  return { bids: book?.levels('bid'), asks: book?.levels('ask') }
}

/** Replays the captured frames through a fresh MarketData, as `replay` would. */
function replayCapture(capture: MemoryCapture): MarketData {
  const market = new MarketData(polymarketFrameParser)
  for (const line of capture.lines) {
    if (line.kind === 'frame') market.onFrameText(line.raw, { tLocal: 0, conn: line.conn })
  }
  return market
}

describe('MarketFeed', () => {
  test('shards assets over sockets and goes live from the snapshots', async () => {
    const venue = await startVenue()
    const ids = ['1', '2', '3', '4', '5']
    for (const id of ids) venue.books.set(id, { bids: [['0.10', '1']], asks: [['0.90', '1']] })
    const { feed, capture } = startFeed(venue, { assetIds: ids, maxAssetsPerConnection: 2 })
    await waitFor('all live', () => feed.healthCounts().live === 5)
    expect(feed.connections.map((c) => [c.id, c.assetIds])).toEqual([
      ['c1', ['1', '2']],
      ['c2', ['3', '4']],
      ['c3', ['5']],
    ])
    const initial = venue.subscriptions().map((s) => s.assets_ids)
    expect(initial).toHaveLength(3)
    expect(initial).toEqual(expect.arrayContaining([['1', '2'], ['3', '4'], ['5']]))
    expect(capture.markers('connect')).toHaveLength(3)
    expect(capture.markers('subscribe')).toHaveLength(3)
    // disconnected -> resyncing -> live, per asset
    expect(feed.counters.transitionsTo).toEqual({
      live: 5,
      stale: 0,
      resyncing: 5,
      disconnected: 0,
    })
    expect(capture.markers('note')).toContainEqual({
      note: 'health',
      asset_id: '5',
      from: 'resyncing',
      to: 'live',
      reason: 'snapshot',
    })
  })

  test('resubscribes an asset whose best bid does not match and goes live again', async () => {
    const venue = await startVenue()
    const { feed, capture, changes } = startFeed(venue)
    await waitFor('live', () => feed.health(A) === 'live' && feed.health(B) === 'live')
    venue.books.set(A, {
      bids: [
        ['0.42', '4'],
        ['0.40', '10'],
      ],
      asks: [['0.45', '5']],
    })
    venue.broadcast(
      priceChangeFrame(
        A,
        { side: 'BUY', price: '0.41', size: '3', bestBid: '0.42', bestAsk: '0.45' },
        venue.nextTs(),
      ),
    )
    await waitFor('resynced', () => feed.counters.resyncs === 1 && feed.health(A) === 'live')
    expect(changes.filter((c) => c.assetId === A).map((c) => c.to)).toEqual([
      'resyncing',
      'live',
      'resyncing',
      'live',
    ])
    expect(venue.subscriptions().slice(-2)).toEqual([
      { operation: 'unsubscribe', assets_ids: [A] },
      { operation: 'subscribe', assets_ids: [A], custom_feature_enabled: true },
    ])
    expect(capture.markers('resync')).toEqual([
      {
        asset_id: A,
        reason: 'best_bid_mismatch',
        detail: 'venue=4200 ours=4100',
        method: 'resubscribe',
      },
    ])
    expect(levels(feed, A)).toEqual({
      bids: [
        { price: 4200, size: 4_000_000 },
        { price: 4000, size: 10_000_000 },
      ],
      asks: [{ price: 4500, size: 5_000_000 }],
    })
    expect(feed.health(B)).toBe('live')
    expect(levels(replayCapture(capture), A)).toEqual(levels(feed, A))
  })

  test('marks assets disconnected when the socket drops and resubscribes on reconnect', async () => {
    const venue = await startVenue()
    const { feed, capture, changes } = startFeed(venue)
    await waitFor('live', () => feed.healthCounts().live === 2)
    venue.dropAll()
    await waitFor('disconnected', () => changes.some((c) => c.to === 'disconnected'))
    await waitFor('live again', () => venue.connections === 2 && feed.healthCounts().live === 2)
    expect(changes.filter((c) => c.assetId === B).map((c) => c.to)).toEqual([
      'resyncing',
      'live',
      'disconnected',
      'resyncing',
      'live',
    ])
    expect(capture.markers('disconnect')[0]).toMatchObject({ code: 1006 })
    expect(capture.markers('connect')).toHaveLength(2)
  })

  test('a resync without a snapshot times out to stale and is tried again', async () => {
    const venue = await startVenue()
    const { feed, changes } = startFeed(venue, { resyncTimeoutMs: 100, assetIds: [A] })
    await waitFor('live', () => feed.health(A) === 'live')
    venue.silent = true
    venue.broadcast(
      priceChangeFrame(
        A,
        { side: 'SELL', price: '0.45', size: '0', bestBid: '0.40', bestAsk: '0.50' },
        venue.nextTs(),
      ),
    )
    await waitFor('stale', () => feed.health(A) === 'stale' || feed.counters.resyncTimeouts > 0)
    venue.silent = false
    await waitFor('live again', () => feed.health(A) === 'live')
    expect(changes.map((c) => c.to)).toContain('stale')
    expect(feed.counters.resyncTimeouts).toBeGreaterThanOrEqual(1)
    expect(feed.counters.resyncs).toBeGreaterThanOrEqual(2)
  })

  test('an asset whose snapshot never comes goes stale and is resubscribed', async () => {
    const venue = await startVenue()
    const missing = '1003'
    const { feed, changes } = startFeed(venue, { resyncTimeoutMs: 50, assetIds: [A, missing] })
    await waitFor('stale', () => changes.some((c) => c.assetId === missing && c.to === 'stale'))
    expect(feed.health(A)).toBe('live')
    venue.books.set(missing, { bids: [['0.20', '1']], asks: [['0.30', '1']] })
    await waitFor('live', () => feed.health(missing) === 'live')
    expect(
      changes
        .filter((c) => c.assetId === missing)
        .map((c) => c.to)
        .slice(0, 3),
    ).toEqual(['resyncing', 'stale', 'resyncing'])
    expect(venue.subscriptions()).toContainEqual({
      operation: 'subscribe',
      assets_ids: [missing],
      custom_feature_enabled: true,
    })
  })

  test('rest resync applies the REST book and re-applies only the newer buffered deltas', async () => {
    const venue = await startVenue()
    const pending: ServerResponse[] = []
    const server = createServer((req, res) => {
      req.resume()
      pending.push(res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    )
    const { port } = server.address() as AddressInfo
    const rest = new ClobRestClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0 })
    const { feed, capture } = startFeed(venue, { resyncMethod: 'rest', rest, assetIds: [A] })
    await waitFor('live', () => feed.health(A) === 'live')

    const t1 = venue.nextTs()
    venue.broadcast(
      priceChangeFrame(
        A,
        { side: 'BUY', price: '0.41', size: '3', bestBid: '0.42', bestAsk: '0.45' },
        t1,
      ),
    )
    await waitFor('rest request', () => pending.length === 1)
    expect(feed.health(A)).toBe('resyncing')
    const older = venue.nextTs()
    const snapshotTs = venue.nextTs()
    const newer = venue.nextTs()
    venue.broadcast(
      priceChangeFrame(
        A,
        { side: 'SELL', price: '0.46', size: '1', bestBid: '0.42', bestAsk: '0.45' },
        older,
      ),
    )
    venue.broadcast(
      priceChangeFrame(
        A,
        { side: 'BUY', price: '0.43', size: '7', bestBid: '0.43', bestAsk: '0.45' },
        newer,
      ),
    )
    await waitFor('deltas applied', () => feed.market.counters.levelChanges === 3)
    pending[0]?.end(
      JSON.stringify({
        market: TEST_MARKET,
        asset_id: A,
        timestamp: String(snapshotTs),
        hash: 'r1',
        bids: [
          { price: '0.40', size: '10' },
          { price: '0.41', size: '3' },
          { price: '0.42', size: '4' },
        ],
        asks: [
          { price: '0.46', size: '2' },
          { price: '0.45', size: '5' },
        ],
        tick_size: '0.01',
      }),
    )
    await waitFor('live again', () => feed.health(A) === 'live')
    expect(feed.counters.restResyncs).toBe(1)
    expect(feed.counters.reappliedChanges).toBe(1)
    expect(levels(feed, A)).toEqual({
      bids: [
        { price: 4300, size: 7_000_000 },
        { price: 4200, size: 4_000_000 },
        { price: 4100, size: 3_000_000 },
        { price: 4000, size: 10_000_000 },
      ],
      asks: [
        { price: 4500, size: 5_000_000 },
        { price: 4600, size: 2_000_000 },
      ],
    })
    expect(capture.lines.filter((l) => l.conn === REST_CONN && l.kind === 'frame')).toHaveLength(2)
    expect(levels(replayCapture(capture), A)).toEqual(levels(feed, A))
  })

  test('a failed REST book falls back to resubscribing', async () => {
    const venue = await startVenue()
    const server = createServer((req, res) => {
      req.resume()
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"error":"boom"}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    const rest = new ClobRestClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0 })
    const { feed } = startFeed(venue, { resyncMethod: 'rest', rest, assetIds: [A] })
    await waitFor('live', () => feed.health(A) === 'live')
    venue.books.set(A, { bids: [['0.42', '4']], asks: [['0.45', '5']] })
    venue.broadcast(
      priceChangeFrame(
        A,
        { side: 'BUY', price: '0.41', size: '3', bestBid: '0.42', bestAsk: '0.45' },
        venue.nextTs(),
      ),
    )
    await waitFor('failure', () => feed.counters.restFailures === 1)
    await waitFor('live again', () => feed.health(A) === 'live')
    expect(levels(feed, A)).toEqual({
      bids: [{ price: 4200, size: 4_000_000 }],
      asks: [{ price: 4500, size: 5_000_000 }],
    })
  })

  test('a capture failure is reported once and the feed keeps running', async () => {
    const venue = await startVenue()
    const errors: unknown[] = []
    const { feed, capture } = startFeed(venue, { onCaptureError: (e) => errors.push(e) })
    capture.failing = true
    await waitFor('live', () => feed.healthCounts().live === 2)
    expect(errors).toHaveLength(1)
    expect(feed.counters.captureErrors).toBe(1)
  })

  test('adds and removes assets on a running feed', async () => {
    const venue = await startVenue()
    const { feed } = startFeed(venue, { assetIds: [A] })
    await waitFor('live', () => feed.health(A) === 'live')
    feed.addAssets([B, A])
    await waitFor('B live', () => feed.health(B) === 'live')
    feed.removeAssets([A, '999'])
    expect(feed.health(A)).toBeUndefined()
    expect(feed.assetIds).toEqual([B])
    await waitFor('unsubscribe', () => venue.subscriptions().length === 3)
    expect(venue.subscriptions().slice(1)).toEqual([
      { operation: 'subscribe', assets_ids: [B], custom_feature_enabled: true },
      { operation: 'unsubscribe', assets_ids: [A] },
    ])
    expect(feed.connections).toHaveLength(1)
  })

  test('rejects bad options', () => {
    expect(
      () => new MarketFeed({ url: 'ws://x', assetIds: [], maxAssetsPerConnection: 0 }),
    ).toThrow(/maxAssetsPerConnection/)
    expect(() => new MarketFeed({ url: 'ws://x', assetIds: [], resyncMethod: 'rest' })).toThrow(
      /REST book source/,
    )
  })
})
