/**
 * The backtest engine: replays recorded frames through the same `MarketData` and
 * `SignalEngine` the daemon runs (src/app/daemon/pipeline.ts wires them the same way: every
 * event to `SignalEngine.onEvent`, every book change to `SignalEngine.onBookChanged`), on a
 * simulated clock, and hands signals and book changes to one or more strategy lanes.
 *
 * Per frame, in this order:
 * 1. the clock advances to the frame's venue time (running maximum, see clock.ts);
 * 2. every lane's venue executes the orders due strictly before that time, against the books
 *    as they stand after every earlier event; positions whose deadline has come may exit;
 * 3. the frame's events are applied to the books; signals raised by them reach the lanes at
 *    once (decision time = the event's time), and each lane's venue and open position on the
 *    changed token see the book change; trades go to the venues' queue models; a
 *    `market_resolved` settles positions.
 * A frame's events share one step (the venue stamps a frame's events alike).
 */
import type { LastTrade, MarketEvent } from '../../domain/book/book-events.js'
import { STALE_NO_SNAPSHOT, type BookView, type OrderBook } from '../../domain/book/order-book.js'
import type { GameEvent } from '../../domain/game-events.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { MarketMeta, StrategyContext, StrategySignal } from '../../domain/strategy/strategy.js'
import type { EpochMs } from '../../domain/units.js'
import type { ParseResult } from '../frame-parser.js'
import { MarketData, type FrameMeta, type FrameParser, type VenueTop } from '../market-data.js'
import {
  SignalEngine,
  type Signal,
  type SignalBookHandle,
  type SignalConfig,
} from '../signals/index.js'
import { LookaheadError, SimClock } from './clock.js'
import { Lane, type LaneConfig, type LaneHost } from './lane.js'
import { UsableView } from './usable-view.js'
import type { PortfolioFactory, VenueFactory } from './ports.js'

/** The placeholder condition id importers write when the data has none. */
const UNKNOWN_MARKET = `0x${'0'.repeat(64)}`

export type MetaDefaults = {
  readonly minSize: MarketMeta['minSize']
  readonly feeRateBps: number
  readonly secondsDelay: number
  /** Where each figure came from: `recorded`, `flag` or `default`. */
  readonly sources: Readonly<Record<'feeRateBps' | 'secondsDelay' | 'minSize', string>>
}

export type BacktestEngineOptions = {
  readonly parser: FrameParser
  readonly signalConfig: SignalConfig
  readonly lanes: readonly LaneConfig[]
  readonly venue: VenueFactory
  readonly portfolio?: PortfolioFactory | undefined
  readonly meta: MetaDefaults
  /** Game events (any order); substrategy = the last one within `eventWindowMs` before a signal. */
  readonly gameEvents?: readonly GameEvent[] | undefined
  readonly eventWindowMs?: number | undefined
  /** Known complement pairs (both directions), on top of the two-token markets seen. */
  readonly complements?: ReadonlyMap<string, string> | undefined
  /** Match key of a market (bootstrap cluster, walk-forward order); default: the market id. */
  readonly matchOf?: ((market: MarketId) => string | undefined) | undefined
  /** Keep (ts, mid) points of these tokens for the report's price chart; all when null. */
  readonly keepPricesOf?: ReadonlySet<string> | null
}

export type BacktestTotals = {
  readonly frames: number
  readonly events: number
  readonly signals: number
  readonly signalsByType: Readonly<Record<string, number>>
  readonly parseErrors: number
  readonly clockRewinds: number
  readonly periodStart: number | null
  readonly periodEnd: number | null
  readonly markets: number
  readonly tokens: number
}

export const DEFAULT_EVENT_WINDOW_MS = 300_000

type MidSeries = { ts: number[]; mid: number[] }

/**
 * What the per-frame path needs about one book, found with one lookup per book change: the
 * book, the venue's stated top (MarketData keeps one object per asset and updates it in
 * place), the view presented when the research switch makes an unsynced book usable, and the
 * token's price series.
 */
type TokenState = {
  readonly book: OrderBook
  top: VenueTop | undefined
  view: UsableView | null
  series: MidSeries | null
  /** Whether the price series of this token is kept (`keepPricesOf`). */
  readonly keep: boolean
  /** The market this token was last noted under (see `_noteToken`); null before any. */
  notedMarket: string | null
  /** The signal engine's handle of the book, once it has seen the book change. */
  signal: SignalBookHandle | null
}

export class BacktestEngine {
  readonly market: MarketData
  readonly signals: SignalEngine
  readonly clock = new SimClock()
  readonly lanes: Lane[]
  private readonly _options: BacktestEngineOptions
  private readonly _tokensOfMarket = new Map<string, string[]>()
  private readonly _marketOfToken = new Map<string, string>()
  private readonly _marketFirstSeen = new Map<string, number>()
  private readonly _feeOfToken = new Map<string, number>()
  private readonly _mids = new Map<string, MidSeries>()
  private readonly _events: readonly GameEvent[]
  private readonly _eventWindowMs: number
  private readonly _signalsByType: Record<string, number> = {}
  private _signals = 0
  private _first: number | null = null
  private _failure: unknown = null
  private readonly _allowUnsynced: boolean
  private readonly _contexts = new Map<Lane, StrategyContext>()
  /** Per-book state, found by the book object (cheaper than by its 77-digit id). */
  private readonly _tokens = new WeakMap<BookView, TokenState>()
  /** The state of the book changed last: consecutive changes often hit the same book. */
  private _lastToken: TokenState | null = null
  /**
   * The books changed by the event being applied, in order (MarketData reports every changed
   * book before the event itself): the tokens a `price_change` names, without a lookup each.
   */
  private readonly _changed: TokenState[] = []
  private _changedCount = 0
  private _changedEvent: MarketEvent | null = null
  /** The last (token, market) pair noted, to skip the lookups when it repeats. */
  private _notedToken: string | null = null
  private _notedMarket: string | null = null
  /**
   * Lower bounds over the lanes of the earliest venue due time and position deadline: while
   * an event's time `t` is ≤ `_wakeDue` and < `_wakeDeadline`, no lane has anything to run
   * before it and the lanes are not visited.
   */
  private _wakeDue = Number.POSITIVE_INFINITY
  private _wakeDeadline = Number.POSITIVE_INFINITY

  constructor(options: BacktestEngineOptions) {
    this._options = options
    this._allowUnsynced = options.signalConfig.allowUnsyncedBooks
    this._events = [...(options.gameEvents ?? [])].sort((a, b) => a.ts - b.ts)
    this._eventWindowMs = options.eventWindowMs ?? DEFAULT_EVENT_WINDOW_MS
    const parser = this._steppingParser(options.parser)
    this.signals = new SignalEngine(
      options.signalConfig,
      { onSignal: (signal) => this._onSignal(signal) },
      { complementOf: (assetId) => options.complements?.get(assetId) },
    )
    this.market = new MarketData(parser, {
      onEvent: (event) => this._onEvent(event),
      onBookChanged: (book, event) => this._onBookChanged(book, event),
    })
    const host: LaneHost = {
      now: () => this.clock.now(),
      usableBook: (tokenId) => this.usableBook(tokenId),
      context: (lane) => this._context(lane),
      matchOf: (market) => this._matchOf(market),
      substrategyOf: (signal, tokenId) => this._substrategyOf(signal, tokenId),
      positionKey: (market, tokenId) => this.positionKey(market, tokenId),
      wake: (due, deadline) => {
        if (due < this._wakeDue) this._wakeDue = due
        if (deadline < this._wakeDeadline) this._wakeDeadline = deadline
      },
    }
    const marketOf = (tokenId: string): MarketMeta => this.metaOf(tokenId as TokenId)
    this.lanes = options.lanes.map(
      (config) =>
        new Lane(
          config,
          host,
          options.venue,
          marketOf,
          options.portfolio === undefined ? null : options.portfolio(config.bankroll),
        ),
    )
    for (const lane of this.lanes) host.wake!(lane.wakeDue, lane.wakeDeadline)
  }

  /** One raw frame as text (tests, the daemon's socket path). */
  onFrameText(text: string, meta: FrameMeta): void {
    this.market.onFrameText(text, meta)
    this._rethrow()
  }

  onFrameValue(value: unknown, raw: string, meta: FrameMeta): void {
    this.market.onFrameValue(value, raw, meta)
    this._rethrow()
  }

  onFrameBytes(bytes: Uint8Array, start: number, end: number, meta: FrameMeta): void {
    this.market.onFrameBytes(bytes, start, end, meta)
    this._rethrow()
  }

  /** Ends the run: venues execute what is due, open positions are marked, signals settle. */
  finish(): BacktestTotals {
    const now = this.clock.started ? this.clock.now() : (0 as EpochMs)
    for (const lane of this.lanes) lane.finish(now)
    this.signals.finish(now)
    this._rethrow()
    const c = this.market.counters
    return {
      frames: c.frames,
      events: c.events,
      signals: this._signals,
      signalsByType: { ...this._signalsByType },
      parseErrors: c.parseErrors,
      clockRewinds: this.clock.rewinds,
      periodStart: this._first,
      periodEnd: this.clock.started ? now : null,
      markets: this._tokensOfMarket.size,
      tokens: this.market.books.size,
    }
  }

  /** Recorded (ts, mid) points per token, for charts. */
  prices(): { tokenId: string; points: [number, number][] }[] {
    const out: { tokenId: string; points: [number, number][] }[] = []
    for (const [tokenId, series] of this._mids) {
      const points: [number, number][] = series.ts.map((t, i) => [t, series.mid[i]!])
      out.push({ tokenId, points })
    }
    return out
  }

  /** Trading facts of a token's market: recorded where possible, else flags, else defaults. */
  metaOf(tokenId: TokenId): MarketMeta {
    const defaults = this._options.meta
    const book = this.market.book(tokenId)
    // A fee rate recorded on the token's trades beats a flag, which beats the default.
    const fee = this._feeOfToken.get(tokenId)
    return {
      tickSize: book?.tickSize ?? (100 as TickSize),
      minSize: defaults.minSize,
      feeRateBps: fee ?? defaults.feeRateBps,
      secondsDelay: defaults.secondsDelay,
    }
  }

  /** Venue time each market was first seen, in order of appearance. */
  get marketsFirstSeen(): ReadonlyMap<string, number> {
    return this._marketFirstSeen
  }

  /** True when some trade recorded a fee rate (then that rate is used for its token). */
  get feesRecorded(): boolean {
    return this._feeOfToken.size > 0
  }

  /**
   * The book a decision may use: a fresh book; with `allowUnsyncedBooks`, also a book stale
   * only for lack of a snapshot whose top equals the venue's stated best bid and ask (then it
   * is presented as fresh, for the strategy and the venue alike). Otherwise the stale book.
   */
  usableBook(tokenId: TokenId): BookView | undefined {
    const book = this.market.book(tokenId)
    if (book === undefined || !book.stale) return book
    return this._usable(this._stateOf(book))
  }

  /** {@link usableBook} for a book whose state is at hand. */
  private _usable(state: TokenState): BookView {
    const book = state.book
    if (!book.stale || !this._unsyncedUsable(state)) return book
    // One view per book, made once: it reads through to the live book.
    return (state.view ??= new UsableView(book))
  }

  /** A stale book the research switch lets us use: never snapshotted, top equal to the venue's. */
  private _unsyncedUsable(state: TokenState): boolean {
    const book = state.book
    if (!this._allowUnsynced || book.staleReason !== STALE_NO_SNAPSHOT) return false
    const top = (state.top ??= this.market.venueTop(book.assetId))
    return top !== undefined && top.bestBid === book.bestBid() && top.bestAsk === book.bestAsk()
  }

  /** The per-book state, made on the book's first change (or first use). */
  private _stateOf(book: OrderBook): TokenState {
    const last = this._lastToken
    if (last !== null && last.book === book) return last
    let state = this._tokens.get(book)
    if (state === undefined) {
      const keep = this._options.keepPricesOf
      state = {
        book,
        top: undefined,
        view: null,
        series: null,
        keep: keep === undefined || keep === null || keep.has(book.assetId),
        notedMarket: null,
        signal: null,
      }
      this._tokens.set(book, state)
    }
    this._lastToken = state
    return state
  }

  /** See {@link LaneHost.positionKey}. */
  positionKey(market: MarketId, tokenId: TokenId): string {
    if (market !== UNKNOWN_MARKET) return market
    const other = this.complementOf(tokenId)
    return other === null || tokenId < other ? `token:${tokenId}` : `token:${other}`
  }

  complementOf(tokenId: TokenId): TokenId | null {
    const known = this._options.complements?.get(tokenId)
    if (known !== undefined) return known as TokenId
    const market = this._marketOfToken.get(tokenId)
    if (market === undefined || market === UNKNOWN_MARKET) return null
    const tokens = this._tokensOfMarket.get(market)
    if (tokens === undefined || tokens.length !== 2) return null
    return (tokens[0] === tokenId ? tokens[1] : tokens[0]) as TokenId
  }

  private _steppingParser(inner: FrameParser): FrameParser {
    const step = (result: ParseResult): ParseResult => {
      const first = result.events[0]
      if (first !== undefined) this._step(first.tsVenue)
      return result
    }
    const parser: FrameParser = {
      parseText: (text) => step(inner.parseText(text)),
      parseValue: (value, raw) => step(inner.parseValue(value, raw)),
    }
    if (inner.parseBytes !== undefined) {
      parser.parseBytes = (b, start, end) => step(inner.parseBytes!(b, start, end))
      // The fast path spares the result object per frame, as it does for a bare replay.
      if (inner.scanBytes !== undefined) {
        parser.scanBytes = (b, start, end) => {
          const event = inner.scanBytes!(b, start, end)
          if (event !== null) this._step(event.tsVenue)
          return event
        }
      }
    }
    return parser
  }

  private _step(ts: number): void {
    if (this._failure !== null) return
    if (this._first === null) this._first = ts
    const now = this.clock.advance(ts)
    // Lanes have work only once `now` passes a due time or reaches a deadline.
    if (now <= this._wakeDue && now < this._wakeDeadline) return
    const lanes = this.lanes
    try {
      for (let i = 0; i < lanes.length; i++) lanes[i]!.beforeEvent(now)
    } catch (e) {
      this._fail(e)
    }
    let due = Number.POSITIVE_INFINITY
    let deadline = Number.POSITIVE_INFINITY
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[i]!
      if (lane.wakeDue < due) due = lane.wakeDue
      if (lane.wakeDeadline < deadline) deadline = lane.wakeDeadline
    }
    this._wakeDue = due
    this._wakeDeadline = deadline
  }

  private _onSignal(signal: Signal): void {
    this._signals++
    this._signalsByType[signal.type] = (this._signalsByType[signal.type] ?? 0) + 1
    if (this._failure !== null) return
    try {
      for (const lane of this.lanes) lane.onSignal(signal)
    } catch (e) {
      this._fail(e)
    }
  }

  private _onEvent(event: MarketEvent): void {
    this.signals.onEvent(event)
    // The books this event changed, taken now; the list is empty again for the next event.
    const changed = this._changedEvent === event ? this._changedCount : -1
    this._changedCount = 0
    this._changedEvent = null
    if (event.type !== 'book' && event.type !== 'price_change') this._noteMarket(event)
    if (this._failure !== null) return
    try {
      if (event.type === 'price_change') {
        const market = event.market
        if (changed >= 0) {
          // Every token the changes name, in order of first appearance, as the loop below.
          const states = this._changed
          for (let i = 0; i < changed; i++) {
            const state = states[i]!
            if (state.notedMarket === market) continue
            this._noteToken(state.book.assetId, market)
            state.notedMarket = market
          }
        } else {
          const changes = event.changes
          for (let i = 0; i < changes.length; i++) this._noteToken(changes[i]!.assetId, market)
        }
      } else if (event.type === 'last_trade_price') {
        this._noteFee(event)
        for (const lane of this.lanes) lane.onTrade(event)
      } else if (event.type === 'market_resolved') {
        const now = this.clock.now()
        for (const lane of this.lanes) lane.onResolved(event.market, event.winningAssetId, now)
      } else if (event.type === 'book') {
        this._noteToken(event.assetId, event.market)
      }
    } catch (e) {
      this._fail(e)
    }
  }

  private _onBookChanged(book: OrderBook, event: MarketEvent): void {
    const state = this._stateOf(book)
    if (this._changedEvent !== event) {
      this._changedEvent = event
      this._changedCount = 0
    }
    this._changed[this._changedCount++] = state
    // Whether the book is usable, decided once: nothing changes books or venue tops until
    // the next event is applied.
    const stale = book.stale
    const unsynced = stale && this._unsyncedUsable(state)
    // The price history includes this change before any decision reads it.
    if (state.keep && (!stale || unsynced)) this._noteMid(state)
    const handle = state.signal
    if (handle !== null) this.signals.onHandleBookChanged(handle, book, event)
    else {
      this.signals.onBookChanged(book, event)
      state.signal = this.signals.handleOf(book)
    }
    if (this._failure !== null) return
    const view = unsynced ? (state.view ??= new UsableView(book)) : book
    try {
      const lanes = this.lanes
      for (let i = 0; i < lanes.length; i++) lanes[i]!.onBookChanged(view)
    } catch (e) {
      this._fail(e)
    }
  }

  private _noteMarket(event: MarketEvent): void {
    if ('assetId' in event && 'market' in event) this._noteToken(event.assetId, event.market)
  }

  private _noteToken(tokenId: string, market: string): void {
    if (tokenId === this._notedToken && market === this._notedMarket) return
    this._notedToken = tokenId
    this._notedMarket = market
    // Noted before under this market: the market was noted then too.
    if (this._marketOfToken.get(tokenId) === market) return
    if (!this._marketFirstSeen.has(market)) this._marketFirstSeen.set(market, this.clock.now())
    if (this._marketOfToken.has(tokenId)) return
    this._marketOfToken.set(tokenId, market)
    const tokens = this._tokensOfMarket.get(market)
    if (tokens === undefined) this._tokensOfMarket.set(market, [tokenId])
    else tokens.push(tokenId)
  }

  private _noteFee(event: LastTrade): void {
    const fee = event.feeRateBps
    if (fee === null || !Number.isInteger(fee) || fee < 0 || fee > 10_000) return
    const known = this._feeOfToken.get(event.assetId)
    if (known === undefined || fee > known) this._feeOfToken.set(event.assetId, fee)
  }

  /** Records the book's mid; the caller checked that the book is usable. */
  private _noteMid(state: TokenState): void {
    const book = state.book
    const mid = book.mid()
    if (mid === null) return
    let series = state.series
    if (series === null) {
      series = this._mids.get(book.assetId) ?? { ts: [], mid: [] }
      this._mids.set(book.assetId, series)
      state.series = series
    }
    const n = series.ts.length
    const now = this.clock.now()
    if (n > 0 && series.mid[n - 1] === mid) return
    if (n > 0 && series.ts[n - 1] === now) series.mid[n - 1] = mid
    else {
      series.ts.push(now)
      series.mid.push(mid)
    }
  }

  private _midAt(tokenId: TokenId, ts: EpochMs): number | null {
    this.clock.guard('midAt', ts)
    const series = this._mids.get(tokenId)
    if (series === undefined) return null
    let lo = 0
    let hi = series.ts.length - 1
    let found = -1
    while (lo <= hi) {
      const m = (lo + hi) >> 1
      if (series.ts[m]! <= ts) {
        found = m
        lo = m + 1
      } else hi = m - 1
    }
    return found < 0 ? null : series.mid[found]!
  }

  private _lastGameEvent(
    market: MarketId,
    tokenId: TokenId,
    from: EpochMs,
    until: EpochMs,
  ): GameEvent | null {
    this.clock.guard('lastGameEvent', until)
    const complement = this.complementOf(tokenId)
    for (let i = this._events.length - 1; i >= 0; i--) {
      const event = this._events[i]!
      if (event.ts > until) continue
      if (event.ts < from) break
      if (
        event.market === market ||
        (event.assetId !== null && (event.assetId === tokenId || event.assetId === complement))
      )
        return event
    }
    return null
  }

  private _substrategyOf(signal: StrategySignal, tokenId: TokenId): string | null {
    const until = signal.ts
    const from = (until - this._eventWindowMs) as EpochMs
    const event =
      this._lastGameEvent(signal.market, signal.assetId, from, until) ??
      this._lastGameEvent(signal.market, tokenId, from, until)
    return event === null ? null : event.type
  }

  private _matchOf(market: MarketId): string {
    return this._options.matchOf?.(market) ?? market
  }

  private _context(lane: Lane): StrategyContext {
    let ctx = this._contexts.get(lane)
    if (ctx !== undefined) return ctx
    const clock = this.clock
    ctx = {
      now: () => clock.now(),
      book: (tokenId) => {
        const book = this.usableBook(tokenId)
        if (book !== undefined) clock.guard('book', book.lastUpdateTs)
        return book
      },
      midAt: (tokenId, ts) => this._midAt(tokenId, ts),
      complementOf: (tokenId) => this.complementOf(tokenId),
      meta: (tokenId) => this.metaOf(tokenId),
      equity: () => lane.equity(),
      lastGameEvent: (market, tokenId, from, until) =>
        this._lastGameEvent(market, tokenId, from, until),
      sizing: lane.config.sizing,
    }
    this._contexts.set(lane, ctx)
    return ctx
  }

  private _fail(e: unknown): void {
    this._failure ??= e
  }

  private _rethrow(): void {
    const e = this._failure
    if (e === null) return
    if (e instanceof LookaheadError) throw e
    throw new BacktestError(
      `strategy or venue failed at venue time ${this.clock.now()}: ${e instanceof Error ? e.message : typeof e === 'string' ? e : 'a non-error value was thrown'}`,
      { cause: e },
    )
  }
}

/** A run that cannot continue (a fault in a strategy, the venue or the data). */
export class BacktestError extends Error {
  readonly code = 'BACKTEST'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BacktestError'
  }
}
