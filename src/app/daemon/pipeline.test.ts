import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import type {
  SignalRecord,
  SignalReversionRecord,
  TradeRecord,
} from '../../adapters/storage/records.js'
import type { EpochMs } from '../../domain/units.js'
import { MarketData } from '../../engine/market-data.js'
import { createSnapshotThrottle } from '../../engine/snapshot-throttle.js'
import { DaemonMetrics } from './metrics.js'
import { createPipeline } from './pipeline.js'
import type { EngineSignal, SignalCallbacks, SignalEngineFactory } from './ports.js'
import { WriteQueue } from './write-queue.js'

const MARKET = `0x${'cd'.repeat(32)}`
const YES = '111'
const NO = '222'

function book(asset: string, ts: number, bid: string, ask: string): string {
  return JSON.stringify({
    event_type: 'book',
    asset_id: asset,
    market: MARKET,
    timestamp: String(ts),
    hash: 'h',
    bids: [
      { price: '0.40', size: '10' },
      { price: bid, size: '25.5' },
    ],
    asks: [
      { price: '0.70', size: '5' },
      { price: ask, size: '7' },
    ],
  })
}

function trade(ts: number): string {
  return JSON.stringify({
    event_type: 'last_trade_price',
    asset_id: YES,
    market: MARKET,
    price: '0.55',
    side: 'BUY',
    size: '3',
    fee_rate_bps: '0',
    timestamp: String(ts),
  })
}

function signal(id: number, assetId: string, mirrorOf: number | null): EngineSignal {
  return {
    id,
    type: 'panic_sell',
    assetId,
    market: MARKET,
    ts: 1_000 + id,
    score: 0.8,
    volumeRatio: 3,
    spreadRatio: null,
    depthRatio: 0.5,
    priceChange: -0.05,
    refPrice: 0.5,
    mirrorOf,
    inputs: { window: 5 },
  }
}

function harness(engine?: SignalEngineFactory) {
  const snapshots: unknown[] = []
  const trades: TradeRecord[] = []
  const signals: SignalRecord[] = []
  const reversions: [number, SignalReversionRecord][] = []
  const queue = new WriteQueue({
    sink: {
      insertBookSnapshots: (r) => {
        snapshots.push(...r)
        return Promise.resolve()
      },
      insertTrades: (r) => {
        trades.push(...r)
        return Promise.resolve(r.length)
      },
    },
    log: silentLogger(),
  })
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
      queue: () => ({ depth: queue.depth, ...queue.counters }),
      uptimeSeconds: () => 1,
    },
    { processMetrics: false },
  )
  const pipeline = createPipeline({
    queue,
    throttle: createSnapshotThrottle(500),
    metrics,
    store: {
      insertSignal: (r) => {
        signals.push(r)
        return Promise.resolve(100 + signals.length)
      },
      updateSignalReversion: (id, r) => {
        reversions.push([id, r])
        return Promise.resolve()
      },
    },
    log: silentLogger(),
    signalEngine: engine,
    complementOf: (id) => (id === YES ? NO : id === NO ? YES : undefined),
  })
  const market = new MarketData(pipeline.timedParser(polymarketFrameParser), pipeline.listener)
  const feed = (text: string, tLocal: number): void =>
    market.onFrameText(text, { tLocal, conn: 'c1' })
  return { queue, metrics, pipeline, feed, snapshots, trades, signals, reversions }
}

describe('daemon pipeline', () => {
  test('throttled snapshots in base units and trades reach the store queue', async () => {
    const h = harness()
    h.feed(book(YES, 1_000, '0.50', '0.60'), 1_010)
    h.feed(book(YES, 1_200, '0.51', '0.60'), 1_210) // within 500 ms: not stored
    h.feed(book(YES, 1_600, '0.52', '0.58'), 1_610)
    h.feed(trade(1_700), 1_705)
    h.feed(trade(1_700), 1_706)
    await h.queue.drain()
    expect(h.snapshots).toHaveLength(2)
    expect(h.snapshots[0]).toEqual({
      tokenId: YES,
      tsVenue: 1_000,
      tsLocal: 1_010,
      bestBid: 5000,
      bestAsk: 6000,
      mid: 5500,
      spread: 1000,
      depth5BidShares: 35_500_000,
      depth5AskShares: 12_000_000,
      depth5BidUsdc: 16_750_000,
      depth5AskUsdc: 7_700_000,
      imbalance: (35.5 - 12) / (35.5 + 12),
      stale: false,
      bids: [
        [5000, 25_500_000],
        [4000, 10_000_000],
      ],
      asks: [
        [6000, 7_000_000],
        [7000, 5_000_000],
      ],
    })
    // Two identical trades in one millisecond are two rows.
    expect(h.trades.map((t) => t.dedupeKey)).toEqual([
      `${YES}:1700:5500:3000000:buy:0`,
      `${YES}:1700:5500:3000000:buy:1`,
    ])
    expect(h.trades[0]).toMatchObject({ takerSide: 'buy', feeBps: 0, price: 5500, ts: 1_700 })
    const text = await h.metrics.text()
    expect(text).toMatch(/tiltmeter_stage_latency_seconds_count\{stage="receive_to_book"\} 3/)
    expect(text).toMatch(/tiltmeter_stage_latency_seconds_count\{stage="venue_to_receive"\} 5/)
  })

  test('signals are stored with mirrors and reversions mapped to store ids', async () => {
    let callbacks: SignalCallbacks | null = null
    let finishedAt: number | null = null
    const books: string[] = []
    const h = harness((_config, cb, options) => {
      callbacks = cb
      expect(options.complementOf(YES)).toBe(NO)
      return {
        onEvent: () => undefined,
        onBookChanged: (b) => {
          books.push(b.assetId)
          if (books.length === 1) {
            cb.onSignal(signal(1, YES, null))
            cb.onSignal(signal(2, NO, 1))
          }
        },
        finish: (ts) => {
          finishedAt = ts
        },
      }
    })
    h.feed(book(YES, 1_000, '0.50', '0.60'), 1_010)
    const reversion: SignalReversionRecord = {
      reverted: true,
      reversionMs: 4_000,
      retrace: 0.6,
      mfe: 0.03,
      mae: 0.01,
      resolvedTs: 5_000 as EpochMs,
    }
    callbacks!.onReversion(signal(2, NO, 1), reversion)
    callbacks!.onReversion(signal(9, NO, null), reversion) // unknown: ignored
    h.pipeline.finish()
    await h.queue.drain()
    expect(finishedAt).toBe(1_000)
    expect(h.signals.map((s) => [s.tokenId, s.mirrorOf])).toEqual([
      [YES, null],
      [NO, 101],
    ])
    expect(h.signals[0]).toMatchObject({ type: 'panic_sell', market: MARKET, volumeRatio: 3 })
    expect(h.reversions).toEqual([[102, reversion]])
    expect(h.pipeline.counters).toMatchObject({ signals: 2, reversions: 2 })
    expect(await h.metrics.text()).toMatch(/tiltmeter_signals_total\{type="panic_sell"\} 2/)
  })

  test('an engine that throws is counted; the feed goes on', async () => {
    const h = harness(() => ({
      onEvent: () => {
        throw new Error('bug')
      },
      onBookChanged: () => {
        throw new Error('bug')
      },
      finish: () => {
        throw new Error('bug')
      },
    }))
    h.feed(book(YES, 1_000, '0.50', '0.60'), 1_010)
    h.pipeline.finish()
    await h.queue.drain()
    expect(h.pipeline.counters.engineErrors).toBe(2)
    expect(h.snapshots).toHaveLength(1)
  })

  test('a book found out of sync is stored at once, stale, whatever the interval', async () => {
    const h = harness()
    h.feed(book(YES, 1_000, '0.50', '0.60'), 1_010)
    // A crossed book asks for a resync, which resets the token's throttle.
    h.feed(book(YES, 1_100, '0.65', '0.60'), 1_110)
    await h.queue.drain()
    expect(h.snapshots).toHaveLength(2)
    expect(h.snapshots[1]).toMatchObject({ stale: true, spread: null, bestBid: 6500 })
    expect(await h.metrics.text()).toMatch(
      /tiltmeter_resync_requests_total\{reason="crossed_book"\} 1/,
    )
  })
})
