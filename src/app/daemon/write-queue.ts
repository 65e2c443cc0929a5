/**
 * The daemon's store writer: a bounded queue between the feed and the database. The feed only
 * ever pushes (synchronously, never waiting); a single writer drains the queue in batches, one
 * batch in flight at a time, consecutive rows of a kind written with one call. When the queue
 * holds `maxDepth` items, new ones are dropped and counted, and the drop is logged loudly: the
 * feed is never slowed down by the database.
 *
 * Order is kept: an item is written after every item pushed before it (a signal's reversion
 * update after the signal itself).
 */
import { performance } from 'node:perf_hooks'
import type { Logger } from '../../adapters/log.js'
import type { BookSnapshotRecord, TradeRecord } from '../../adapters/storage/records.js'

/** A one-off write (a signal, its reversion) that is not batched. */
export type WriteTask = {
  readonly kind: 'task'
  /** The table it writes, for the counters. */
  readonly table: string
  run(): Promise<void>
}

export type WriteItem =
  | { readonly kind: 'snapshot'; readonly record: BookSnapshotRecord }
  | { readonly kind: 'trade'; readonly record: TradeRecord }
  | WriteTask

/** The store methods the queue batches. */
export type BatchSink = {
  insertBookSnapshots(records: readonly BookSnapshotRecord[]): Promise<void>
  insertTrades(records: readonly TradeRecord[]): Promise<number>
}

export type WriteQueueOptions = {
  readonly sink: BatchSink
  /** Items held at most; default 100 000. */
  readonly maxDepth?: number
  /** Items taken per flush; default 2 000. */
  readonly batchSize?: number
  /** How long the first item of a batch waits for company; default 50 ms. */
  readonly flushDelayMs?: number
  readonly log: Logger
  /** After each successful write: table, rows written (trades: rows added), seconds taken. */
  readonly onWrite?: (table: string, rows: number, seconds: number) => void
}

export type WriteQueueCounters = {
  /** Rows written per table (trades: rows added; repeated trades are skipped by the store). */
  readonly written: Record<string, number>
  /** Items refused because the queue was full, per table. */
  readonly dropped: Record<string, number>
  /** Items lost because their write failed, per table. */
  readonly failed: Record<string, number>
  batches: number
  /** The largest depth seen. */
  maxDepthSeen: number
}

const TABLE: Record<WriteItem['kind'], string> = {
  snapshot: 'book_snapshots',
  trade: 'trades',
  task: 'task',
}
/** Drops are logged at most this often (the count is always exact). */
const DROP_LOG_INTERVAL_MS = 5_000

export class WriteQueue {
  readonly counters: WriteQueueCounters = {
    written: {},
    dropped: {},
    failed: {},
    batches: 0,
    maxDepthSeen: 0,
  }
  private readonly _sink: BatchSink
  private readonly _maxDepth: number
  private readonly _batchSize: number
  private readonly _delayMs: number
  private readonly _log: Logger
  private readonly _onWrite: WriteQueueOptions['onWrite']
  private _items: WriteItem[] = []
  private _head = 0
  private _timer: NodeJS.Timeout | null = null
  private _running: Promise<void> | null = null
  private _closed = false
  private _lastDropLog = -Infinity
  private _dropsSinceLog = 0

  constructor(options: WriteQueueOptions) {
    this._sink = options.sink
    this._maxDepth = options.maxDepth ?? 100_000
    this._batchSize = options.batchSize ?? 2_000
    this._delayMs = options.flushDelayMs ?? 50
    for (const [name, value] of [
      ['maxDepth', this._maxDepth],
      ['batchSize', this._batchSize],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`write queue ${name} must be a whole number >= 1, got ${value}`)
      }
    }
    this._log = options.log.child({ component: 'store-writer' })
    this._onWrite = options.onWrite
  }

  /** Items waiting (not counting a batch being written). */
  get depth(): number {
    return this._items.length - this._head
  }

  /**
   * Queues an item; false when it was dropped (queue full, or closed). Never throws, never
   * waits.
   */
  push(item: WriteItem): boolean {
    const table = item.kind === 'task' ? item.table : TABLE[item.kind]
    if (this._closed || this.depth >= this._maxDepth) {
      this._drop(table)
      return false
    }
    this._items.push(item)
    const depth = this.depth
    if (depth > this.counters.maxDepthSeen) this.counters.maxDepthSeen = depth
    this._schedule()
    return true
  }

  /** Resolves once everything queued so far is written (or failed). */
  async drain(): Promise<void> {
    if (this._timer !== null) {
      clearTimeout(this._timer)
      this._timer = null
    }
    while (this.depth > 0 || this._running !== null) {
      if (this._running === null) this._running = this._run()
      await this._running
    }
  }

  /** Refuses new items and drains the rest. */
  async close(): Promise<void> {
    this._closed = true
    await this.drain()
  }

  private _drop(table: string): void {
    this.counters.dropped[table] = (this.counters.dropped[table] ?? 0) + 1
    this._dropsSinceLog++
    const now = performance.now()
    if (now - this._lastDropLog >= DROP_LOG_INTERVAL_MS) {
      this._log.error(
        {
          table,
          dropped: this._dropsSinceLog,
          depth: this.depth,
          maxDepth: this._maxDepth,
          closed: this._closed,
        },
        'store queue full, dropping rows: the database is not keeping up',
      )
      this._lastDropLog = now
      this._dropsSinceLog = 0
    }
  }

  private _schedule(): void {
    if (this._timer !== null || this._running !== null) return
    this._timer = setTimeout(() => {
      this._timer = null
      if (this._running === null) this._running = this._run()
    }, this._delayMs)
  }

  /** Writes batches until the queue is empty; exactly one runs at a time. */
  private async _run(): Promise<void> {
    try {
      while (this.depth > 0) {
        const end = Math.min(this._items.length, this._head + this._batchSize)
        const batch = this._items.slice(this._head, end)
        this._head = end
        this._compact()
        this.counters.batches++
        await this._write(batch)
      }
    } finally {
      this._running = null
      if (this.depth > 0 && !this._closed) this._schedule()
    }
  }

  private _compact(): void {
    if (this._head === this._items.length) {
      this._items = []
      this._head = 0
    } else if (this._head > 4_096 && this._head * 2 > this._items.length) {
      this._items = this._items.slice(this._head)
      this._head = 0
    }
  }

  private async _write(batch: readonly WriteItem[]): Promise<void> {
    let i = 0
    while (i < batch.length) {
      const first = batch[i]!
      if (first.kind === 'task') {
        await this._attempt(first.table, 1, async () => {
          await first.run()
          return 1
        })
        i++
        continue
      }
      let j = i
      while (j < batch.length && batch[j]!.kind === first.kind) j++
      if (first.kind === 'snapshot') {
        const records = batch
          .slice(i, j)
          .map((item) => (item as { record: BookSnapshotRecord }).record)
        await this._attempt(TABLE.snapshot, records.length, async () => {
          await this._sink.insertBookSnapshots(records)
          return records.length
        })
      } else {
        const records = batch.slice(i, j).map((item) => (item as { record: TradeRecord }).record)
        await this._attempt(TABLE.trade, records.length, () => this._sink.insertTrades(records))
      }
      i = j
    }
  }

  private async _attempt(table: string, rows: number, write: () => Promise<number>): Promise<void> {
    const started = performance.now()
    try {
      const written = await write()
      const seconds = (performance.now() - started) / 1000
      this.counters.written[table] = (this.counters.written[table] ?? 0) + written
      this._onWrite?.(table, written, seconds)
    } catch (e) {
      this.counters.failed[table] = (this.counters.failed[table] ?? 0) + rows
      this._log.error(
        { table, rows, err: e instanceof Error ? e.message : String(e) },
        'store write failed, rows lost',
      )
    }
  }
}
