import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import type { BookSnapshotRecord, TradeRecord } from '../../adapters/storage/records.js'
import type { TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import { WriteQueue, type BatchSink } from './write-queue.js'

function snapshot(n: number): BookSnapshotRecord {
  return {
    tokenId: `${n}` as TokenId,
    tsVenue: n as EpochMs,
    tsLocal: n as EpochMs,
    bestBid: null,
    bestAsk: null,
    mid: null,
    spread: null,
    depth5BidShares: 0 as ShareMicros,
    depth5AskShares: 0 as ShareMicros,
    depth5BidUsdc: 0 as UsdcMicros,
    depth5AskUsdc: 0 as UsdcMicros,
    imbalance: null,
    stale: false,
    bids: [],
    asks: [],
  }
}

function trade(n: number): TradeRecord {
  return {
    tokenId: '1' as TokenId,
    ts: n as EpochMs,
    price: 5000 as PriceTicks,
    size: 1 as ShareMicros,
    takerSide: 'buy',
    feeBps: null,
    dedupeKey: `k${n}`,
  }
}

/** A sink that records calls in order; `gate` holds writes until released. */
function recordingSink(options: { fail?: (what: string) => boolean } = {}) {
  const calls: string[] = []
  let release: () => void = () => {}
  let gate: Promise<void> | null = null
  const sink: BatchSink = {
    async insertBookSnapshots(records) {
      if (gate !== null) await gate
      const what = `snapshots:${records.map((r) => r.tokenId).join(',')}`
      if (options.fail?.(what) === true) throw new Error('disk full')
      calls.push(what)
    },
    async insertTrades(records) {
      if (gate !== null) await gate
      const what = `trades:${records.map((r) => r.dedupeKey).join(',')}`
      if (options.fail?.(what) === true) throw new Error('disk full')
      calls.push(what)
      return records.length
    },
  }
  return {
    sink,
    calls,
    hold: () => {
      gate = new Promise((done) => (release = done))
    },
    release: () => {
      gate = null
      release()
    },
  }
}

describe('WriteQueue', () => {
  test('batches consecutive rows of a kind and keeps the push order', async () => {
    const { sink, calls } = recordingSink()
    const seen: string[] = []
    const queue = new WriteQueue({
      sink,
      log: silentLogger(),
      onWrite: (table, rows) => seen.push(`${table}=${rows}`),
    })
    queue.push({ kind: 'snapshot', record: snapshot(1) })
    queue.push({ kind: 'snapshot', record: snapshot(2) })
    queue.push({ kind: 'trade', record: trade(3) })
    queue.push({
      kind: 'task',
      table: 'signals',
      run: () => {
        calls.push('task')
        return Promise.resolve()
      },
    })
    queue.push({ kind: 'snapshot', record: snapshot(4) })
    expect(queue.depth).toBe(5)
    await queue.drain()
    expect(calls).toEqual(['snapshots:1,2', 'trades:k3', 'task', 'snapshots:4'])
    expect(queue.depth).toBe(0)
    expect(queue.counters.written).toEqual({ book_snapshots: 3, trades: 1, signals: 1 })
    expect(seen).toEqual(['book_snapshots=2', 'trades=1', 'signals=1', 'book_snapshots=1'])
  })

  test('one batch in flight at a time, at most batchSize items each', async () => {
    const { sink, calls, hold, release } = recordingSink()
    const queue = new WriteQueue({ sink, log: silentLogger(), batchSize: 2, flushDelayMs: 0 })
    hold()
    for (let i = 1; i <= 5; i++) queue.push({ kind: 'snapshot', record: snapshot(i) })
    const drained = queue.drain()
    release()
    await drained
    expect(calls).toEqual(['snapshots:1,2', 'snapshots:3,4', 'snapshots:5'])
    expect(queue.counters.batches).toBe(3)
  })

  test('a full queue drops and counts instead of blocking', async () => {
    const { sink, calls, hold, release } = recordingSink()
    const queue = new WriteQueue({ sink, log: silentLogger(), maxDepth: 3 })
    hold()
    const accepted = [1, 2, 3, 4, 5].map((i) => queue.push({ kind: 'trade', record: trade(i) }))
    expect(accepted).toEqual([true, true, true, false, false])
    expect(queue.counters.dropped).toEqual({ trades: 2 })
    expect(queue.counters.maxDepthSeen).toBe(3)
    const drained = queue.drain()
    release()
    await drained
    expect(calls).toEqual(['trades:k1,k2,k3'])
  })

  test('a failed write is counted and logged; later writes go on', async () => {
    const { sink, calls } = recordingSink({ fail: (what) => what.includes('k1') })
    const queue = new WriteQueue({ sink, log: silentLogger() })
    queue.push({ kind: 'trade', record: trade(1) })
    queue.push({ kind: 'snapshot', record: snapshot(2) })
    queue.push({
      kind: 'task',
      table: 'signals',
      run: () => Promise.reject(new Error('constraint')),
    })
    await queue.drain()
    expect(calls).toEqual(['snapshots:2'])
    expect(queue.counters.failed).toEqual({ trades: 1, signals: 1 })
    expect(queue.counters.written).toEqual({ book_snapshots: 1 })
  })

  test('writes on its own timer, and refuses items after close', async () => {
    const { sink, calls } = recordingSink()
    const queue = new WriteQueue({ sink, log: silentLogger(), flushDelayMs: 1 })
    let written: () => void = () => {}
    const done = new Promise<void>((resolve) => (written = resolve))
    queue.push({
      kind: 'task',
      table: 'signals',
      run: () => {
        written()
        return Promise.resolve()
      },
    })
    await done
    await queue.close()
    expect(queue.push({ kind: 'snapshot', record: snapshot(1) })).toBe(false)
    expect(queue.counters.dropped).toEqual({ book_snapshots: 1 })
    expect(calls).toEqual([])
  })

  test('bad sizes are refused', () => {
    const { sink } = recordingSink()
    expect(() => new WriteQueue({ sink, log: silentLogger(), maxDepth: 0 })).toThrow(
      'write queue maxDepth must be a whole number >= 1, got 0',
    )
    expect(() => new WriteQueue({ sink, log: silentLogger(), batchSize: 1.5 })).toThrow(RangeError)
  })
})
