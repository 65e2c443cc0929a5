/**
 * What happens to each market event inside the daemon, synchronously on the feed's callback:
 * latency is observed, book changes pass the snapshot throttle into the store queue, trades go
 * to the store queue, and the signal engine sees every event and book change. Nothing here
 * waits on the database: writes are queued (see write-queue.ts).
 */
import { performance } from 'node:perf_hooks'
import type { Logger } from '../../adapters/log.js'
import {
  SNAPSHOT_LEVELS,
  type BookSnapshotRecord,
  type StoredLevel,
  type TradeRecord,
} from '../../adapters/storage/records.js'
import type { Level, MarketEvent } from '../../domain/book/book-events.js'
import type { OrderBook } from '../../domain/book/order-book.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import {
  notional,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import type { FrameParser, MarketDataListener } from '../../engine/market-data.js'
import type { SnapshotThrottle } from '../../engine/snapshot-throttle.js'
import type { DaemonMetrics } from './metrics.js'
import type { DaemonStore, EngineSignal, SignalEngineFactory, SignalEngineLike } from './ports.js'
import type { WriteQueue } from './write-queue.js'

const DEPTH_LEVELS = 5

export type PipelineOptions = {
  readonly queue: WriteQueue
  readonly throttle: SnapshotThrottle
  readonly metrics: DaemonMetrics
  readonly store: Pick<DaemonStore, 'insertSignal' | 'updateSignalReversion'>
  readonly log: Logger
  /** Builds the signal engine; absent = no signals. */
  readonly signalEngine?: SignalEngineFactory | undefined
  readonly signalConfig?: unknown
  readonly complementOf?: (assetId: string) => string | undefined
}

export type Pipeline = {
  readonly listener: MarketDataListener
  /** Wraps the venue parser to time each frame from its arrival to its book being applied. */
  timedParser(inner: FrameParser): FrameParser
  /** Settles the signal engine at the end (event time of the last event seen). */
  finish(): void
  readonly counters: {
    signals: number
    reversions: number
    snapshotsQueued: number
    tradesQueued: number
    engineErrors: number
  }
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { queue, throttle, metrics, log } = options
  const receiveToBook = metrics.stage.receive_to_book
  const venueToReceive = metrics.stage.venue_to_receive
  const bookToSignal = metrics.stage.book_to_signal
  const counters = {
    signals: 0,
    reversions: 0,
    snapshotsQueued: 0,
    tradesQueued: 0,
    engineErrors: 0,
  }
  let frameStart = 0
  let bookChangeStart = 0
  let lastTs = 0
  const tradeSeq = new Map<string, { ts: number; n: number }>()

  // Engine ids → store ids, so reversions and mirrors refer to stored rows.
  const storedIds = new Map<string | number, Promise<number | null>>()
  let engine: SignalEngineLike | null = null
  if (options.signalEngine !== undefined) {
    const store = options.store
    engine = options.signalEngine(
      options.signalConfig,
      {
        onSignal(signal) {
          counters.signals++
          metrics.signal(signal.type)
          if (bookChangeStart > 0)
            bookToSignal.observe((performance.now() - bookChangeStart) / 1000)
          let settle: (id: number | null) => void = () => {}
          storedIds.set(signal.id, new Promise((done) => (settle = done)))
          const pushed = queue.push({
            kind: 'task',
            table: 'signals',
            run: async () => {
              try {
                const mirror =
                  signal.mirrorOf === null ? null : ((await storedIds.get(signal.mirrorOf)) ?? null)
                settle(await store.insertSignal(signalRecord(signal, mirror)))
              } catch (e) {
                settle(null)
                throw e
              }
            },
          })
          if (!pushed) settle(null)
        },
        onReversion(signal, reversion) {
          counters.reversions++
          const id = storedIds.get(signal.id)
          storedIds.delete(signal.id)
          if (id === undefined) return
          queue.push({
            kind: 'task',
            table: 'signal_reversions',
            run: async () => {
              const stored = await id
              if (stored !== null) await store.updateSignalReversion(stored, reversion)
            },
          })
        },
      },
      { complementOf: options.complementOf ?? (() => undefined) },
    )
  }

  // A detector bug must not take the feed down: count it, log the first few.
  const engineFailed = (e: unknown): void => {
    counters.engineErrors++
    if (counters.engineErrors <= 10) {
      log.error(
        { err: e instanceof Error ? e.message : String(e) },
        'signal engine failed on an event',
      )
    }
  }

  const listener: MarketDataListener = {
    onEvent(event, meta) {
      venueToReceive.observe(Math.max(0, meta.tLocal - event.tsVenue) / 1000)
      if (event.tsVenue > lastTs) lastTs = event.tsVenue
      if (event.type === 'last_trade_price') {
        counters.tradesQueued++
        queue.push({ kind: 'trade', record: tradeRecord(event, tradeSeq) })
      }
      if (engine !== null) {
        try {
          engine.onEvent(event)
        } catch (e) {
          engineFailed(e)
        }
      }
    },
    onBookChanged(book, event, meta) {
      if (frameStart > 0) receiveToBook.observe((performance.now() - frameStart) / 1000)
      if (throttle.admit(book.assetId, event.tsVenue)) {
        counters.snapshotsQueued++
        queue.push({ kind: 'snapshot', record: snapshotRecord(book, meta.tLocal) })
      }
      if (engine !== null) {
        bookChangeStart = performance.now()
        try {
          engine.onBookChanged(book, event)
        } catch (e) {
          engineFailed(e)
        }
        bookChangeStart = 0
      }
    },
    onResyncRequested(request) {
      metrics.resyncRequest(request.reason)
      // The repaired book is stored as soon as it arrives, not up to an interval later.
      throttle.reset(request.assetId)
    },
  }

  return {
    listener,
    counters,
    timedParser(inner) {
      return {
        parseText(text) {
          frameStart = performance.now()
          return inner.parseText(text)
        },
        parseValue(value, raw) {
          frameStart = performance.now()
          return inner.parseValue(value, raw)
        },
      }
    },
    finish() {
      if (engine === null) return
      try {
        engine.finish(lastTs)
      } catch (e) {
        log.error(
          { err: e instanceof Error ? e.message : String(e) },
          'signal engine failed to finish',
        )
      }
    },
  }
}

function signalRecord(signal: EngineSignal, mirrorOf: number | null) {
  return {
    type: signal.type,
    tokenId: signal.assetId as TokenId,
    market: signal.market as MarketId | null,
    ts: signal.ts as EpochMs,
    score: signal.score,
    volumeRatio: signal.volumeRatio,
    spreadRatio: signal.spreadRatio,
    depthRatio: signal.depthRatio,
    priceChange: signal.priceChange,
    refPrice: signal.refPrice,
    mirrorOf,
    inputs: signal.inputs,
  }
}

/**
 * A trade's dedupe key: the transaction hash and token when the venue gives one; otherwise the
 * trade's own fields plus a counter of identical trades in the same millisecond.
 */
function tradeRecord(
  event: Extract<MarketEvent, { type: 'last_trade_price' }>,
  seq: Map<string, { ts: number; n: number }>,
): TradeRecord {
  let key: string
  if (event.transactionHash !== null && event.transactionHash !== '') {
    key = `${event.transactionHash}:${event.assetId}`
  } else {
    const base = `${event.assetId}:${event.tsVenue}:${event.price}:${event.size}:${event.side}`
    const last = seq.get(event.assetId)
    const n = last !== undefined && last.ts === event.tsVenue ? last.n + 1 : 0
    seq.set(event.assetId, { ts: event.tsVenue, n })
    key = `${base}:${n}`
  }
  const fee = event.feeRateBps
  return {
    tokenId: event.assetId,
    ts: event.tsVenue,
    price: event.price,
    size: event.size,
    takerSide: event.side,
    feeBps: fee !== null && Number.isInteger(fee) && fee >= 0 && fee <= 10_000 ? fee : null,
    dedupeKey: key,
  }
}

function stored(levels: readonly Level[]): StoredLevel[] {
  return levels.map((l) => [l.price, l.size] as const)
}

function depth(levels: readonly Level[]): { shares: ShareMicros; usdc: UsdcMicros } {
  let shares = 0
  let usdc = 0
  for (let i = 0; i < levels.length && i < DEPTH_LEVELS; i++) {
    const level = levels[i]!
    shares += level.size
    usdc += notional(level.price, level.size, 'down')
  }
  return { shares: shares as ShareMicros, usdc: usdc as UsdcMicros }
}

/** The book now, as a stored snapshot (top levels, top-5 depth, in base units). */
export function snapshotRecord(book: OrderBook, tsLocal: number): BookSnapshotRecord {
  const bids = book.levels('bid', SNAPSHOT_LEVELS)
  const asks = book.levels('ask', SNAPSHOT_LEVELS)
  const bestBid = book.bestBid()
  const bestAsk = book.bestAsk()
  const both = bestBid !== null && bestAsk !== null
  const bid = depth(bids)
  const ask = depth(asks)
  return {
    tokenId: book.assetId,
    tsVenue: book.lastUpdateTs > 0 ? book.lastUpdateTs : null,
    tsLocal: Math.round(tsLocal) as EpochMs,
    bestBid,
    bestAsk,
    mid: both ? (bestBid + bestAsk) / 2 : null,
    // A crossed book (stale, awaiting resync) has no meaningful spread.
    spread: both && bestAsk >= bestBid ? ((bestAsk - bestBid) as PriceTicks) : null,
    depth5BidShares: bid.shares,
    depth5AskShares: ask.shares,
    depth5BidUsdc: bid.usdc,
    depth5AskUsdc: ask.usdc,
    imbalance: book.imbalance(DEPTH_LEVELS),
    stale: book.stale,
    bids: stored(bids),
    asks: stored(asks),
  }
}
