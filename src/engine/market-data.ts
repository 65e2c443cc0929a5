/**
 * Market-data core: turns venue frames into book state. One instance per process (or per
 * replay); the live socket and replay feed it the same way, so both paths share every line of
 * parsing, book maintenance and self-checking.
 *
 * Self-checks, per SPEC 2.1:
 * - every current-shape `price_change` entry carries the venue's best bid/ask after the change;
 *   after applying it we compare with our book. A mismatch marks the book stale and raises a
 *   resync request (the live client resubscribes or fetches REST /book);
 * - a crossed book (best bid >= best ask) is stale and raises a resync request;
 * - `tick_size_change` starts a new book epoch that stays stale until the next snapshot.
 * A malformed frame is counted and reported; it never touches a book.
 */
import type { BookSnapshot, MarketEvent, PriceChange } from '../domain/book/book-events.js'
import { OrderBook } from '../domain/book/order-book.js'
import type { ParseError } from '../domain/errors.js'
import type { TickSize, TokenId } from '../domain/market.js'
import type { EpochMs, PriceTicks } from '../domain/units.js'
import type { ParseResult } from './frame-parser.js'

/** Where a frame came from and when we received it. */
export type FrameMeta = {
  /** Local receive time, epoch ms. */
  readonly tLocal: number
  /** Connection id (or 'import' / 'replay' for recordings without one). */
  readonly conn: string
}

export type ResyncReason =
  'best_bid_mismatch' | 'best_ask_mismatch' | 'crossed_book' | 'tick_size_change'

export type ResyncRequest = {
  readonly assetId: TokenId
  readonly reason: ResyncReason
  /** `key=value` pairs explaining the decision, for logs and captures. */
  readonly detail: string
  readonly tsVenue: EpochMs
}

/** The venue's own statement of the top of an asset's book (price_change legs, best_bid_ask). */
export type VenueTop = {
  bestBid: PriceTicks | null
  bestAsk: PriceTicks | null
  tsVenue: EpochMs
}

/** Per-asset trade statistics since the start (aggressor = the taker's side). */
export type TradeStats = {
  lastPrice: PriceTicks | null
  lastSize: number
  lastTs: EpochMs | null
  /** Shares bought by takers (micros). */
  buyVolume: number
  /** Shares sold by takers (micros). */
  sellVolume: number
  trades: number
}

export type MarketDataCounters = {
  frames: number
  ignoredFrames: number
  events: number
  parseErrors: number
  snapshots: number
  levelChanges: number
  trades: number
  mismatches: number
  crossedBooks: number
  tickSizeChanges: number
  resyncRequests: number
}

/**
 * Callbacks, all optional. They run synchronously inside `onFrame`; they must not throw
 * (an exception propagates to the caller of `onFrame`).
 */
export type MarketDataListener = {
  /** After each event is applied (or recorded, for events that do not touch a book). */
  onEvent?(event: MarketEvent, meta: FrameMeta): void
  /** Once per asset whose book an event changed, after the whole event is applied. */
  onBookChanged?(book: OrderBook, event: MarketEvent, meta: FrameMeta): void
  onResyncRequested?(request: ResyncRequest, meta: FrameMeta): void
  onParseError?(error: ParseError, meta: FrameMeta): void
}

/** Parser port: the venue adapter provides it (engine code never imports adapters). */
export type FrameParser = {
  parseText(text: string): ParseResult
  parseValue(value: unknown, rawText: string): ParseResult
  /**
   * Optional: a frame held as UTF-8 bytes, `bytes[start, end)`; must give what `parseText`
   * gives for the decoded text. Without it, {@link MarketData.onFrameBytes} decodes the bytes
   * and calls `parseText`.
   */
  parseBytes?(bytes: Uint8Array, start: number, end: number): ParseResult
  /**
   * Optional, with `parseBytes`: the frame's one event when the parser reads it on a fast path
   * (exactly the single event, with no errors, that `parseBytes` would give), else null, and
   * {@link MarketData.onFrameBytes} then calls `parseBytes`. Spares the result object per frame.
   */
  scanBytes?(bytes: Uint8Array, start: number, end: number): MarketEvent | null
}

/**
 * Decoder for parsers without `parseBytes`, decoding as `Buffer#toString` does: invalid UTF-8
 * becomes U+FFFD and a leading byte order mark is kept, not dropped.
 */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

const DEFAULT_TICK = 100 as TickSize

export class MarketData {
  private readonly _books = new Map<string, OrderBook>()
  private readonly _venueTop = new Map<string, VenueTop>()
  private readonly _trades = new Map<string, TradeStats>()
  /** Books touched by the event being applied; reused so applying allocates nothing. */
  private readonly _touched: OrderBook[] = []
  private _touchedCount = 0
  private readonly _listener: MarketDataListener
  private readonly _parser: FrameParser
  readonly counters: MarketDataCounters = {
    frames: 0,
    ignoredFrames: 0,
    events: 0,
    parseErrors: 0,
    snapshots: 0,
    levelChanges: 0,
    trades: 0,
    mismatches: 0,
    crossedBooks: 0,
    tickSizeChanges: 0,
    resyncRequests: 0,
  }

  constructor(parser: FrameParser, listener: MarketDataListener = {}) {
    this._parser = parser
    this._listener = listener
  }

  /** Books in order of first appearance. */
  get books(): ReadonlyMap<string, OrderBook> {
    return this._books
  }

  book(assetId: string): OrderBook | undefined {
    return this._books.get(assetId)
  }

  venueTop(assetId: string): VenueTop | undefined {
    return this._venueTop.get(assetId)
  }

  tradeStats(assetId: string): TradeStats | undefined {
    return this._trades.get(assetId)
  }

  /** A raw text frame from the socket. */
  onFrameText(text: string, meta: FrameMeta): void {
    this._onParsed(this._parser.parseText(text), meta)
  }

  /** A frame already decoded from JSON (capture replay decodes each line once). */
  onFrameValue(value: unknown, rawText: string, meta: FrameMeta): void {
    this._onParsed(this._parser.parseValue(value, rawText), meta)
  }

  /**
   * A frame held as UTF-8 bytes, `bytes[start, end)` (capture replay hands over the
   * decompressed data without decoding each line). Same result as `onFrameText` on the decoded
   * text; the bytes are read during the call only.
   */
  onFrameBytes(bytes: Uint8Array, start: number, end: number, meta: FrameMeta): void {
    const parser = this._parser
    if (parser.scanBytes !== undefined) {
      const event = parser.scanBytes(bytes, start, end)
      if (event !== null) {
        this.counters.frames++
        this.apply(event, meta)
        return
      }
    }
    this._onParsed(
      parser.parseBytes === undefined
        ? parser.parseText(UTF8.decode(bytes.subarray(start, end)))
        : parser.parseBytes(bytes, start, end),
      meta,
    )
  }

  /** Applies one parsed event. Public so tests and simulators can feed events directly. */
  apply(event: MarketEvent, meta: FrameMeta): void {
    this.counters.events++
    switch (event.type) {
      case 'book':
        this._applySnapshot(event, meta)
        break
      case 'price_change':
        this._applyPriceChange(event, meta)
        break
      case 'tick_size_change': {
        this.counters.tickSizeChanges++
        const book = this._bookFor(event.assetId, event.newTickSize)
        book.changeTickSize(event.newTickSize, event.tsVenue)
        this._requestResync(
          event.assetId,
          'tick_size_change',
          `old=${event.oldTickSize} new=${event.newTickSize}`,
          event.tsVenue,
          meta,
        )
        this._listener.onBookChanged?.(book, event, meta)
        break
      }
      case 'last_trade_price': {
        this.counters.trades++
        let stats = this._trades.get(event.assetId)
        if (stats === undefined) {
          stats = {
            lastPrice: null,
            lastSize: 0,
            lastTs: null,
            buyVolume: 0,
            sellVolume: 0,
            trades: 0,
          }
          this._trades.set(event.assetId, stats)
        }
        stats.lastPrice = event.price
        stats.lastSize = event.size
        stats.lastTs = event.tsVenue
        stats.trades++
        if (event.side === 'buy') stats.buyVolume += event.size
        else stats.sellVolume += event.size
        break
      }
      case 'best_bid_ask':
        this._setVenueTop(event.assetId, event.bestBid, event.bestAsk, event.tsVenue)
        break
      case 'new_market':
      case 'market_resolved':
        break
    }
    this._listener.onEvent?.(event, meta)
  }

  private _onParsed(result: ParseResult, meta: FrameMeta): void {
    this.counters.frames++
    if (result.ignored) {
      this.counters.ignoredFrames++
      return
    }
    for (const error of result.errors) {
      this.counters.parseErrors++
      this._listener.onParseError?.(error, meta)
    }
    for (const event of result.events) this.apply(event, meta)
  }

  private _bookFor(assetId: TokenId, tick: TickSize | undefined): OrderBook {
    let book = this._books.get(assetId)
    if (book === undefined) {
      book = OrderBook.empty(assetId, tick ?? DEFAULT_TICK)
      this._books.set(assetId, book)
    }
    return book
  }

  private _applySnapshot(event: BookSnapshot, meta: FrameMeta): void {
    this.counters.snapshots++
    const book = this._bookFor(event.assetId, event.tickSize)
    if (event.tickSize !== undefined && event.tickSize !== book.tickSize) {
      book.changeTickSize(event.tickSize, event.tsVenue)
    }
    book.replace(event.bids, event.asks, event.tsVenue)
    this._checkCrossed(book, event.tsVenue, meta)
    this._listener.onBookChanged?.(book, event, meta)
  }

  private _applyPriceChange(event: PriceChange, meta: FrameMeta): void {
    const touched = this._touched
    this._touchedCount = 0
    for (const change of event.changes) {
      this.counters.levelChanges++
      const book = this._bookFor(change.assetId, undefined)
      book.setLevel(change.side, change.price, change.size, event.tsVenue)
      this._markTouched(book)
      if (change.bestBid !== undefined || change.bestAsk !== undefined) {
        this._setVenueTop(
          change.assetId,
          change.bestBid === undefined ? null : change.bestBid,
          change.bestAsk === undefined ? null : change.bestAsk,
          event.tsVenue,
        )
        // A book that never had a snapshot is already stale and cannot be compared.
        if (book.synced && !book.stale) {
          this._checkAgainstVenue(book, change.bestBid, change.bestAsk, event.tsVenue, meta)
        }
      }
      if (book.synced && !book.stale) this._checkCrossed(book, event.tsVenue, meta)
    }
    const count = this._touchedCount
    const listener = this._listener
    if (listener.onBookChanged !== undefined) {
      for (let i = 0; i < count; i++) listener.onBookChanged(touched[i]!, event, meta)
    }
    this._touchedCount = 0
  }

  private _markTouched(book: OrderBook): void {
    const touched = this._touched
    const count = this._touchedCount
    for (let i = 0; i < count; i++) if (touched[i] === book) return
    touched[count] = book
    this._touchedCount = count + 1
  }

  private _checkAgainstVenue(
    book: OrderBook,
    venueBid: PriceTicks | null | undefined,
    venueAsk: PriceTicks | null | undefined,
    ts: EpochMs,
    meta: FrameMeta,
  ): void {
    const ourBid = book.bestBid()
    const ourAsk = book.bestAsk()
    if (venueBid !== undefined && venueBid !== ourBid) {
      this.counters.mismatches++
      book.markStale('best_bid_mismatch')
      this._requestResync(
        book.assetId,
        'best_bid_mismatch',
        `venue=${venueBid ?? 'none'} ours=${ourBid ?? 'none'}`,
        ts,
        meta,
      )
    } else if (venueAsk !== undefined && venueAsk !== ourAsk) {
      this.counters.mismatches++
      book.markStale('best_ask_mismatch')
      this._requestResync(
        book.assetId,
        'best_ask_mismatch',
        `venue=${venueAsk ?? 'none'} ours=${ourAsk ?? 'none'}`,
        ts,
        meta,
      )
    }
  }

  private _checkCrossed(book: OrderBook, ts: EpochMs, meta: FrameMeta): void {
    if (book.stale || !book.isCrossed()) return
    this.counters.crossedBooks++
    book.markStale('crossed_book')
    this._requestResync(
      book.assetId,
      'crossed_book',
      `best_bid=${book.bestBid() ?? 'none'} best_ask=${book.bestAsk() ?? 'none'}`,
      ts,
      meta,
    )
  }

  private _setVenueTop(
    assetId: string,
    bid: PriceTicks | null,
    ask: PriceTicks | null,
    ts: EpochMs,
  ): void {
    const top = this._venueTop.get(assetId)
    if (top === undefined) this._venueTop.set(assetId, { bestBid: bid, bestAsk: ask, tsVenue: ts })
    else {
      top.bestBid = bid
      top.bestAsk = ask
      top.tsVenue = ts
    }
  }

  private _requestResync(
    assetId: TokenId,
    reason: ResyncReason,
    detail: string,
    tsVenue: EpochMs,
    meta: FrameMeta,
  ): void {
    this.counters.resyncRequests++
    this._listener.onResyncRequested?.({ assetId, reason, detail, tsVenue }, meta)
  }
}
