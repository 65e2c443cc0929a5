/**
 * The whole replay state of a {@link MarketData} as one compact array of numbers, and the way
 * back: every book (levels, tick size, epoch, synced and stale state, last update time), the
 * venue's stated tops, trade statistics and counters. Playback checkpoints hold one of these,
 * so a seek restores the state instead of replaying the recording from its start.
 *
 * Layout (`Float64Array`; a null is NaN; strings are indices into a {@link StringTable}):
 * ```
 * [layout version] [counters × COUNTER_KEYS.length]
 * [book count] per book: asset, tick, epoch, synced 0|1, stale reason (-1 none), last update ts,
 *                         bid count, ask count, then (price, size) per bid, then per ask
 * [top count]  per top:  asset, best bid, best ask, ts
 * [trade stats count] per asset: asset, last price, last size, last ts, buy volume,
 *                         sell volume, trades
 * ```
 * Maps are written in insertion order and restored in the same order, so iterating the
 * restored books gives the same order as the replay.
 */
import type { Level, MarketEvent } from '../../domain/book/book-events.js'
import type { OrderBook } from '../../domain/book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import type { MarketData, MarketDataCounters } from '../market-data.js'

/** A {@link MarketData}'s state; see the module comment for the layout. */
export type MarketState = Float64Array

/** Bumped whenever the layout changes; restoring another layout is refused. */
export const MARKET_STATE_LAYOUT = 1

/** The counters in the order they are stored. */
export const COUNTER_KEYS: readonly (keyof MarketDataCounters)[] = [
  'frames',
  'ignoredFrames',
  'events',
  'parseErrors',
  'snapshots',
  'levelChanges',
  'trades',
  'mismatches',
  'crossedBooks',
  'tickSizeChanges',
  'resyncRequests',
]

/** The tick size MarketData gives a book first seen in a price_change (its `DEFAULT_TICK`). */
const DELTA_BOOK_TICK = 100

/** Interns strings (asset ids, stale reasons) as small integers shared by many states. */
export class StringTable {
  private readonly _list: string[]
  private readonly _index = new Map<string, number>()

  constructor(initial: readonly string[] = []) {
    this._list = []
    for (const s of initial) this.intern(s)
  }

  intern(text: string): number {
    let i = this._index.get(text)
    if (i === undefined) {
      i = this._list.length
      this._list.push(text)
      this._index.set(text, i)
    }
    return i
  }

  get strings(): readonly string[] {
    return this._list
  }
}

/** Growable list of numbers, finished into a Float64Array. */
class NumberSink {
  private _data = new Float64Array(4096)
  length = 0

  push(value: number): void {
    if (this.length === this._data.length) {
      const grown = new Float64Array(this._data.length * 2)
      grown.set(this._data)
      this._data = grown
    }
    this._data[this.length++] = value
  }

  finish(): Float64Array {
    return this._data.slice(0, this.length)
  }
}

function orNaN(value: number | null): number {
  return value === null ? Number.NaN : value
}

function pushLevels(out: NumberSink, book: OrderBook, side: 'bid' | 'ask'): void {
  book.forEachLevel(side, (price, size) => {
    out.push(price)
    out.push(size)
  })
}

/**
 * Captures `market`'s whole state; strings go into `strings`. MarketData looks tops and trade
 * statistics up by asset but does not list them, so `otherAssets` names every asset an event
 * mentioned (see {@link collectEventAssets}); those without a top or trades are skipped.
 */
export function captureMarketState(
  market: MarketData,
  strings: StringTable,
  otherAssets: Iterable<string>,
): MarketState {
  const out = new NumberSink()
  out.push(MARKET_STATE_LAYOUT)
  for (const key of COUNTER_KEYS) out.push(market.counters[key])
  out.push(market.books.size)
  for (const book of market.books.values()) {
    out.push(strings.intern(book.assetId))
    out.push(book.tickSize)
    out.push(book.epoch)
    out.push(book.synced ? 1 : 0)
    out.push(book.staleReason === null ? -1 : strings.intern(book.staleReason))
    out.push(book.lastUpdateTs)
    out.push(book.levelCount('bid'))
    out.push(book.levelCount('ask'))
    pushLevels(out, book, 'bid')
    pushLevels(out, book, 'ask')
  }
  const assets = new Set<string>(market.books.keys())
  for (const id of otherAssets) assets.add(id)
  const tops: string[] = []
  const trades: string[] = []
  for (const id of assets) {
    if (market.venueTop(id) !== undefined) tops.push(id)
    if (market.tradeStats(id) !== undefined) trades.push(id)
  }
  return finishState(out, market, strings, tops, trades)
}

/** Adds the assets `event` mentions to `into` (for {@link captureMarketState}). */
export function collectEventAssets(event: MarketEvent, into: Set<string>): void {
  switch (event.type) {
    case 'price_change':
      for (const change of event.changes) into.add(change.assetId)
      return
    case 'book':
    case 'tick_size_change':
    case 'last_trade_price':
    case 'best_bid_ask':
      into.add(event.assetId)
      return
    case 'new_market':
    case 'market_resolved':
      return
  }
}

function finishState(
  out: NumberSink,
  market: MarketData,
  strings: StringTable,
  tops: readonly string[],
  trades: readonly string[],
): MarketState {
  out.push(tops.length)
  for (const id of tops) {
    const top = market.venueTop(id)!
    out.push(strings.intern(id))
    out.push(orNaN(top.bestBid))
    out.push(orNaN(top.bestAsk))
    out.push(top.tsVenue)
  }
  out.push(trades.length)
  for (const id of trades) {
    const stats = market.tradeStats(id)!
    out.push(strings.intern(id))
    out.push(orNaN(stats.lastPrice))
    out.push(stats.lastSize)
    out.push(orNaN(stats.lastTs))
    out.push(stats.buyVolume)
    out.push(stats.sellVolume)
    out.push(stats.trades)
  }
  return out.finish()
}

/** A state array that does not decode (damaged index, or another layout). */
export class MarketStateError extends Error {
  readonly code = 'MARKET_STATE_INVALID'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MarketStateError'
  }
}

class StateReader {
  private _pos = 0

  constructor(
    private readonly _state: MarketState,
    private readonly _strings: readonly string[],
  ) {}

  number(): number {
    if (this._pos >= this._state.length) {
      throw new MarketStateError(`market state ends early at entry ${this._pos}`)
    }
    return this._state[this._pos++]!
  }

  count(): number {
    const n = this.number()
    if (!Number.isSafeInteger(n) || n < 0 || n > this._state.length) {
      throw new MarketStateError(`market state count ${n} at entry ${this._pos - 1} is invalid`)
    }
    return n
  }

  string(): string {
    return this.lookup(this.number())
  }

  /** The string at index `i` of the table. */
  lookup(i: number): string {
    const text = Number.isInteger(i) ? this._strings[i] : undefined
    if (text === undefined) {
      throw new MarketStateError(
        `market state string index ${i} near entry ${this._pos - 1} is unknown`,
      )
    }
    return text
  }

  nullable(): number | null {
    const n = this.number()
    return Number.isNaN(n) ? null : n
  }

  levels(count: number): Level[] {
    const out: Level[] = []
    for (let i = 0; i < count; i++) {
      const price = this.number() as PriceTicks
      out.push({ price, size: this.number() as ShareMicros })
    }
    return out
  }

  get done(): boolean {
    return this._pos === this._state.length
  }
}

const RESTORE_META = { tLocal: 0, conn: 'restore' }
const NO_MARKET = '' as MarketId

/**
 * Puts `state` into `market`, which must be fresh (no frame or event applied yet), so that it
 * is indistinguishable through its public API from the MarketData the state was captured
 * from. Works by applying synthetic events and book calls: the caller must keep `market`'s
 * listener quiet meanwhile.
 * @throws MarketStateError when the state does not decode or `market` is not fresh.
 */
export function restoreMarketState(
  market: MarketData,
  state: MarketState,
  strings: readonly string[],
): void {
  if (market.books.size !== 0 || market.counters.events !== 0 || market.counters.frames !== 0) {
    throw new MarketStateError('a market state can only be restored into a fresh MarketData')
  }
  try {
    restoreInto(market, new StateReader(state, strings))
  } catch (e) {
    if (e instanceof MarketStateError) throw e
    throw new MarketStateError(`market state does not restore: ${(e as Error).message}`, {
      cause: e,
    })
  }
}

function restoreInto(market: MarketData, r: StateReader): void {
  const layout = r.number()
  if (layout !== MARKET_STATE_LAYOUT) {
    throw new MarketStateError(
      `market state layout ${layout} is not ${MARKET_STATE_LAYOUT}; rebuild the index`,
    )
  }
  const counters: number[] = COUNTER_KEYS.map(() => r.number())
  const books = r.count()
  for (let b = 0; b < books; b++) restoreBook(market, r)
  const tops = r.count()
  for (let i = 0; i < tops; i++) {
    const assetId = r.string() as TokenId
    const bestBid = r.nullable() as PriceTicks | null
    const bestAsk = r.nullable() as PriceTicks | null
    const tsVenue = r.number() as EpochMs
    market.apply(
      { type: 'best_bid_ask', market: NO_MARKET, assetId, tsVenue, bestBid, bestAsk },
      RESTORE_META,
    )
  }
  const trades = r.count()
  for (let i = 0; i < trades; i++) {
    const assetId = r.string() as TokenId
    market.apply(
      {
        type: 'last_trade_price',
        market: NO_MARKET,
        assetId,
        tsVenue: 0 as EpochMs,
        price: 0 as PriceTicks,
        size: 0 as ShareMicros,
        side: 'buy',
        feeRateBps: null,
        transactionHash: null,
      },
      RESTORE_META,
    )
    const stats = market.tradeStats(assetId)!
    stats.lastPrice = r.nullable() as PriceTicks | null
    stats.lastSize = r.number()
    stats.lastTs = r.nullable() as EpochMs | null
    stats.buyVolume = r.number()
    stats.sellVolume = r.number()
    stats.trades = r.number()
  }
  if (!r.done) throw new MarketStateError('market state has entries after its end')
  COUNTER_KEYS.forEach((key, i) => {
    market.counters[key] = counters[i]!
  })
}

function restoreBook(market: MarketData, r: StateReader): void {
  const assetId = r.string() as TokenId
  const tick = r.number() as TickSize
  const epoch = r.count()
  const synced = r.number() === 1
  const staleIndex = r.number()
  const reason = staleIndex === -1 ? null : r.lookup(staleIndex)
  const ts = r.number() as EpochMs
  const bidCount = r.count()
  const askCount = r.count()
  const bids = r.levels(bidCount)
  const asks = r.levels(askCount)
  if (market.book(assetId) !== undefined) {
    throw new MarketStateError(`market state lists book ${assetId} twice`)
  }
  if (epoch === 0 && !synced) {
    // Only a price_change creates a book without a snapshot in epoch 0, at the default tick.
    if (tick !== DELTA_BOOK_TICK) {
      throw new MarketStateError(
        `market state: unsynced epoch-0 book ${assetId} has tick ${tick}, expected ${DELTA_BOOK_TICK}`,
      )
    }
    market.apply(
      {
        type: 'price_change',
        market: NO_MARKET,
        tsVenue: ts,
        shape: 'batched',
        changes: [
          {
            assetId,
            side: 'bid',
            price: 0 as PriceTicks,
            size: 0 as ShareMicros,
            bestBid: undefined,
            bestAsk: undefined,
          },
        ],
      },
      RESTORE_META,
    )
  } else {
    market.apply(
      {
        type: 'book',
        market: NO_MARKET,
        assetId,
        tsVenue: ts,
        hash: '',
        bids: [],
        asks: [],
        tickSize: tick,
      },
      RESTORE_META,
    )
  }
  const book = market.book(assetId)!
  for (let e = 0; e < epoch; e++) book.changeTickSize(tick, ts)
  if (synced) {
    book.replace(bids, asks, ts)
  } else {
    for (const level of bids) book.setLevel('bid', level.price, level.size, ts)
    for (const level of asks) book.setLevel('ask', level.price, level.size, ts)
    // Sets the last update time on an empty book without adding a level.
    if (bidCount + askCount === 0) book.setLevel('bid', 0 as PriceTicks, 0 as ShareMicros, ts)
  }
  if (reason !== null) {
    if (book.staleReason !== reason) book.markStale(reason)
  } else if (book.stale) {
    throw new MarketStateError(`market state: book ${assetId} is fresh but was never synced`)
  }
}
