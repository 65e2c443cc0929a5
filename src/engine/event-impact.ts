/**
 * Price impact of game events, measured in event (venue) time so replay and live agree.
 *
 * For each game event and each offset k (seconds, default −30, −10, 0, +5, +10, +30, +60) the
 * tracker samples the event's asset: mid, spread, top-5 depth on each side and the taker flow.
 *
 * Sampling rule. The boundary of offset k is `B = ts + k × 1000` ms, except offset 0, whose
 * boundary is `ts − 1` (frames strictly before the event). The sample is the state after every
 * market event with venue time <= B, taken when the first market event with venue time > B
 * arrives. Recordings are not always in venue-time order (the NHL ticks step backwards in
 * places), so "first to arrive beyond B" is what decides: a late straggler with a time <= B that
 * arrives after that is not included. Formally, with M the running maximum of venue times in
 * arrival order, the sample is the state after the last market event whose M <= B. A boundary
 * beyond the last venue time of the data is `after_data`, not the last state: the data does not
 * say what happened then.
 *
 * Trade flow at offset k (taker buy minus taker sell shares, and gross shares, on the event's
 * asset only; trades of the complement token are not folded in) is the difference of the
 * cumulative flow between the offset-0 sample and the offset-k sample: for k > 0 the trades in
 * [ts, ts + k s], for k < 0 those in (ts + k s, ts), each side under the sampling rule above.
 * Offset 0 has flow 0 by definition.
 *
 * Book quality. A book that had a snapshot and is fresh gives everything. A book that never had
 * a snapshot (a recording that starts mid-stream, like the NHL ticks) holds only the levels that
 * changed since, so its depth is unknown; its best bid and ask come from the venue's own
 * statement on every `price_change` entry (or `best_bid_ask`), so mid and spread are exact while
 * depth is null (`source: 'venue_top'`). A book marked stale after a snapshot (best bid/ask
 * mismatch, crossed) gives nothing: status `stale` with the reason, never a number.
 *
 * Live use. Events may be added while data flows, up to `lateToleranceMs` (default 60 s) after
 * the data has passed their time: the tracker keeps a bounded per-asset history of states
 * (only changes are stored) covering that tolerance plus the most negative offset, so a late
 * event still gets its negative offsets. Older boundaries are reported `history_expired`.
 *
 * Wire it as a {@link MarketDataListener} (or call `onBookChanged` and `onEvent` from one):
 * `onBookChanged` for every book change and `onEvent` after every event, in that order, as
 * `MarketData` does. Call `finish()` at the end of a recording.
 */
import type { MarketEvent } from '../domain/book/book-events.js'
import type { BookView } from '../domain/book/order-book.js'
import type { GameEvent } from '../domain/game-events.js'
import { PRICE_SCALE, SHARE_SCALE } from '../domain/units.js'
import type { MarketDataListener } from './market-data.js'

/** Default offsets in seconds (SPEC 2.3). */
export const DEFAULT_IMPACT_OFFSETS_S: readonly number[] = [-30, -10, 0, 5, 10, 30, 60]
/** Default: events may be added up to 60 s of venue time after their timestamp. */
export const DEFAULT_LATE_TOLERANCE_MS = 60_000
/** Levels per side counted in the depth figures. */
export const IMPACT_DEPTH_LEVELS = 5
/** Largest accepted |offset|: one hour. */
export const MAX_IMPACT_OFFSET_S = 3_600

/**
 * - `ok`: measured; `mid` is null only when one side of the book is empty (`one_sided`: no).
 * - `one_sided`: the book had only bids or only asks; mid and spread null.
 * - `stale`: the book was stale at the boundary (`staleReason` says why); book figures null.
 * - `no_data`: the data had started but nothing about this asset's book yet.
 * - `before_data` / `after_data`: the boundary is outside the data.
 * - `history_expired`: the event was added too late for this boundary (live only).
 * - `pending`: the data has not reached the boundary yet.
 */
export type ImpactSampleStatus =
  | 'ok'
  | 'one_sided'
  | 'stale'
  | 'no_data'
  | 'before_data'
  | 'after_data'
  | 'history_expired'
  | 'pending'

export type ImpactSample = {
  readonly offsetS: number
  /** The last venue time (ms) the sample includes. */
  readonly boundaryTs: number
  readonly status: ImpactSampleStatus
  /** Where the top of book came from; null when there is no book figure. */
  readonly source: 'book' | 'venue_top' | null
  /** Price units (0..1). */
  readonly bestBid: number | null
  readonly bestAsk: number | null
  readonly mid: number | null
  readonly spread: number | null
  /** Shares on the best five levels of each side and both together; null unless `source: 'book'`. */
  readonly bidDepth: number | null
  readonly askDepth: number | null
  readonly depth: number | null
  readonly staleReason: string | null
  /** Taker buy minus sell shares between the offset-0 sample and this one (see module doc). */
  readonly tradeNetShares: number | null
  /** Taker shares traded in the same window. */
  readonly tradeShares: number | null
  readonly trades: number | null
}

/** `no_asset`: the event names no token, so nothing can be measured. */
export type EventImpactStatus = 'measured' | 'pending' | 'no_asset' | 'untracked_asset'

export type EventImpact = {
  /** Order in which the event was added, from 0. */
  readonly index: number
  readonly event: GameEvent
  readonly status: EventImpactStatus
  /**
   * Cluster (match) key for statistics: the event's market when it names one, else the market
   * id seen on the asset's data, else the asset id; null when the event has no asset.
   */
  readonly cluster: string | null
  /** One per offset, in offset order; empty for `no_asset` and `untracked_asset`. */
  readonly samples: readonly ImpactSample[]
}

export type ImpactTrackerOptions = {
  /** Offsets in whole or fractional seconds; default {@link DEFAULT_IMPACT_OFFSETS_S}. */
  readonly offsetsS?: readonly number[]
  /** How late (venue ms after the event time) events may be added; default 60 s. */
  readonly lateToleranceMs?: number
  /** Only these assets are followed (saves memory in replay); default every asset. */
  readonly assets?: ReadonlySet<string> | null
  /** Called once per event when its last sample is resolved. */
  readonly onComplete?: (impact: EventImpact) => void
}

/** Book source codes in history entries. */
const SRC_NONE = 0
const SRC_BOOK = 1
const SRC_TOP = 2
const SRC_STALE = 3

/** The state of one asset after a market event; stored only when something changed. */
type Entry = {
  /** Running maximum venue time at the market event that produced this state. */
  readonly m: number
  readonly source: number
  readonly bid: number
  readonly ask: number
  readonly bidDepth: number
  readonly askDepth: number
  readonly staleReason: string | null
  /** Cumulative taker buy and sell share micros, and trade count. */
  readonly buy: number
  readonly sell: number
  readonly trades: number
}

type AssetTrack = {
  book: BookView | null
  hasTop: boolean
  topBid: number
  topAsk: number
  buy: number
  sell: number
  trades: number
  market: string | null
  history: Entry[]
  /** Index of the oldest kept entry. */
  head: number
}

/** A sample before trade flow is computed against offset 0. */
type RawSample = {
  status: ImpactSampleStatus
  entry: Entry | null
  /** True when cumulative trade figures are known (the data had started). */
  tradesKnown: boolean
}

type Tracked = {
  readonly index: number
  readonly event: GameEvent
  status: EventImpactStatus
  readonly boundaries: readonly number[]
  readonly raw: RawSample[]
  pending: number
}

type PendingSample = {
  readonly tracked: Tracked
  readonly offset: number
  readonly boundary: number
}

const NONE = -1

/** Validates offsets: finite, within an hour, no duplicates; returned sorted ascending. */
export function normaliseOffsets(offsetsS: readonly number[]): number[] {
  if (offsetsS.length === 0) throw new RangeError('at least one offset is needed')
  const seen = new Set<number>()
  for (const k of offsetsS) {
    if (!Number.isFinite(k) || Math.abs(k) > MAX_IMPACT_OFFSET_S) {
      throw new RangeError(
        `offset ${k} s is not a number of seconds within ±${MAX_IMPACT_OFFSET_S}`,
      )
    }
    if (Math.round(k * 1000) !== k * 1000)
      throw new RangeError(`offset ${k} s is finer than a millisecond`)
    if (seen.has(k)) throw new RangeError(`offset ${k} s is given twice`)
    seen.add(k)
  }
  return [...offsetsS].sort((a, b) => a - b)
}

/** The last venue time included in the sample at `offsetS` for an event at `ts`. */
export function sampleBoundary(ts: number, offsetS: number): number {
  return offsetS === 0 ? ts - 1 : ts + Math.round(offsetS * 1000)
}

export class ImpactTracker implements MarketDataListener {
  readonly offsetsS: readonly number[]
  private readonly _late: number
  private readonly _retainMs: number
  private readonly _assets: ReadonlySet<string> | null
  private readonly _onComplete: ((impact: EventImpact) => void) | undefined
  private readonly _tracks = new Map<string, AssetTrack>()
  private readonly _events: Tracked[] = []
  /** Unresolved samples, sorted by boundary ascending. */
  private _pending: PendingSample[] = []
  private _pendingHead = 0
  /** Running maximum venue time; NONE before any market event. */
  private _m = NONE
  private _first = NONE
  /** Boundaries below this can no longer be answered from history. */
  private _floor = NONE
  private _lastPruneM = NONE
  private _finished = false

  constructor(options: ImpactTrackerOptions = {}) {
    this.offsetsS = normaliseOffsets(options.offsetsS ?? DEFAULT_IMPACT_OFFSETS_S)
    this._late = options.lateToleranceMs ?? DEFAULT_LATE_TOLERANCE_MS
    if (!(this._late >= 0) || !Number.isFinite(this._late))
      throw new RangeError(`lateToleranceMs must be a non-negative number; got ${this._late}`)
    const earliest = Math.min(0, this.offsetsS[0] as number)
    // One extra millisecond covers the offset-0 boundary at ts − 1.
    this._retainMs = this._late - earliest * 1000 + 1
    this._assets = options.assets ?? null
    this._onComplete = options.onComplete
  }

  /** The running maximum venue time seen (ms), or null before any data. */
  get watermarkTs(): number | null {
    return this._m === NONE ? null : this._m
  }

  /** The first venue time seen (ms), or null before any data. */
  get firstTs(): number | null {
    return this._first === NONE ? null : this._first
  }

  /** Events added so far. */
  get eventCount(): number {
    return this._events.length
  }

  /** History entries held across assets (for tests and memory checks). */
  get historySize(): number {
    let n = 0
    for (const track of this._tracks.values()) n += track.history.length - track.head
    return n
  }

  /**
   * Adds a game event; returns its index. Samples whose boundary the data has already passed
   * are answered from history at once (`history_expired` when too old).
   */
  addEvent(event: GameEvent): number {
    const index = this._events.length
    const boundaries = this.offsetsS.map((k) => sampleBoundary(event.ts, k))
    const tracked: Tracked = {
      index,
      event,
      status: 'pending',
      boundaries,
      raw: [],
      pending: 0,
    }
    this._events.push(tracked)
    const assetId = event.assetId
    if (assetId === null || (this._assets !== null && !this._assets.has(assetId))) {
      tracked.status = assetId === null ? 'no_asset' : 'untracked_asset'
      this._onComplete?.(this._impactOf(tracked))
      return index
    }
    for (let i = 0; i < boundaries.length; i++) {
      const boundary = boundaries[i] as number
      const passed =
        this._m !== NONE && (boundary < this._m || (this._finished && boundary === this._m))
      if (passed) {
        tracked.raw.push(this._resolve(assetId, boundary))
      } else if (this._finished) {
        tracked.raw.push({ status: 'after_data', entry: null, tradesKnown: false })
      } else {
        tracked.raw.push({ status: 'pending', entry: null, tradesKnown: false })
        tracked.pending++
        this._insertPending({ tracked, offset: i, boundary })
      }
    }
    if (tracked.pending === 0) this._complete(tracked)
    return index
  }

  /** MarketData calls this once per asset whose book an event changed. */
  onBookChanged(book: BookView, event: MarketEvent): void {
    this._advance(event.tsVenue)
    const track = this._track(book.assetId)
    if (track === null) return
    track.book = book
    if (event.type === 'price_change') {
      if (track.market === null) track.market = event.market
      // The venue's best bid/ask after this asset's last change that carried them.
      for (let i = event.changes.length - 1; i >= 0; i--) {
        const change = event.changes[i]!
        if (change.assetId !== book.assetId) continue
        if (change.bestBid === undefined && change.bestAsk === undefined) continue
        track.hasTop = true
        track.topBid = change.bestBid ?? NONE
        track.topAsk = change.bestAsk ?? NONE
        break
      }
    } else if (event.type === 'book' && track.market === null) {
      track.market = event.market
    }
    this._record(track)
  }

  /** MarketData calls this after every event (book-changing or not). */
  onEvent(event: MarketEvent): void {
    this._advance(event.tsVenue)
    if (event.type === 'last_trade_price') {
      const track = this._track(event.assetId)
      if (track !== null) {
        if (track.market === null) track.market = event.market
        if (event.side === 'buy') track.buy += event.size
        else track.sell += event.size
        track.trades++
        this._record(track)
      }
    } else if (event.type === 'best_bid_ask') {
      const track = this._track(event.assetId)
      if (track !== null) {
        track.hasTop = true
        track.topBid = event.bestBid ?? NONE
        track.topAsk = event.bestAsk ?? NONE
        this._record(track)
      }
    }
    this._resolveDue()
    if (this._m - this._lastPruneM >= 1_000) this._prune()
  }

  /** End of data: boundaries at or below the last venue time resolve, later ones are `after_data`. */
  finish(): void {
    if (this._finished) return
    this._finished = true
    for (let i = this._pendingHead; i < this._pending.length; i++) {
      const p = this._pending[i]!
      const assetId = p.tracked.event.assetId as string
      p.tracked.raw[p.offset] =
        this._m !== NONE && p.boundary <= this._m
          ? this._resolve(assetId, p.boundary)
          : { status: 'after_data', entry: null, tradesKnown: false }
      this._settle(p.tracked)
    }
    this._pending = []
    this._pendingHead = 0
  }

  /** Every event added, in order, with its samples so far. */
  results(): EventImpact[] {
    return this._events.map((t) => this._impactOf(t))
  }

  private _track(assetId: string): AssetTrack | null {
    let track = this._tracks.get(assetId)
    if (track === undefined) {
      if (this._assets !== null && !this._assets.has(assetId)) return null
      track = {
        book: null,
        hasTop: false,
        topBid: NONE,
        topAsk: NONE,
        buy: 0,
        sell: 0,
        trades: 0,
        market: null,
        history: [],
        head: 0,
      }
      this._tracks.set(assetId, track)
    }
    return track
  }

  private _advance(ts: number): void {
    if (this._first === NONE) {
      this._first = ts
      this._floor = ts
    }
    if (ts > this._m) this._m = ts
  }

  /** Appends the asset's current state to its history when it differs from the last one. */
  private _record(track: AssetTrack): void {
    const book = track.book
    let source = SRC_NONE
    let bid = NONE
    let ask = NONE
    let bidDepth = NONE
    let askDepth = NONE
    let staleReason: string | null = null
    if (book !== null && book.synced && !book.stale) {
      source = SRC_BOOK
      bid = book.bestBid() ?? NONE
      ask = book.bestAsk() ?? NONE
      bidDepth = book.depthShares('bid', IMPACT_DEPTH_LEVELS)
      askDepth = book.depthShares('ask', IMPACT_DEPTH_LEVELS)
    } else if (book !== null && book.synced) {
      source = SRC_STALE
      staleReason = book.staleReason
    } else if (track.hasTop) {
      source = SRC_TOP
      bid = track.topBid
      ask = track.topAsk
    } else if (book !== null) {
      source = SRC_STALE
      staleReason = book.staleReason
    }
    const history = track.history
    const last = history.length > track.head ? history[history.length - 1] : undefined
    if (
      last !== undefined &&
      last.source === source &&
      last.bid === bid &&
      last.ask === ask &&
      last.bidDepth === bidDepth &&
      last.askDepth === askDepth &&
      last.staleReason === staleReason &&
      last.buy === track.buy &&
      last.sell === track.sell
    ) {
      return
    }
    history.push({
      m: this._m,
      source,
      bid,
      ask,
      bidDepth,
      askDepth,
      staleReason,
      buy: track.buy,
      sell: track.sell,
      trades: track.trades,
    })
  }

  /** The sample at `boundary` (which the data has passed) from the asset's history. */
  private _resolve(assetId: string, boundary: number): RawSample {
    if (boundary < this._first) return { status: 'before_data', entry: null, tradesKnown: false }
    if (boundary < this._floor)
      return { status: 'history_expired', entry: null, tradesKnown: false }
    const track = this._tracks.get(assetId)
    if (track === undefined) return { status: 'no_data', entry: null, tradesKnown: true }
    // Last entry with m <= boundary (m is non-decreasing along the history).
    const history = track.history
    let lo = track.head
    let hi = history.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (history[mid]!.m <= boundary) lo = mid + 1
      else hi = mid
    }
    const entry = lo > track.head ? history[lo - 1]! : null
    if (entry === null) {
      if (track.head > 0) return { status: 'history_expired', entry: null, tradesKnown: false }
      return { status: 'no_data', entry: null, tradesKnown: true }
    }
    let status: ImpactSampleStatus
    if (entry.source === SRC_NONE) status = 'no_data'
    else if (entry.source === SRC_STALE) status = 'stale'
    else if (entry.bid === NONE || entry.ask === NONE) status = 'one_sided'
    else status = 'ok'
    return { status, entry, tradesKnown: true }
  }

  private _insertPending(sample: PendingSample): void {
    const list = this._pending
    let lo = this._pendingHead
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid]!.boundary <= sample.boundary) lo = mid + 1
      else hi = mid
    }
    list.splice(lo, 0, sample)
  }

  private _resolveDue(): void {
    const list = this._pending
    while (this._pendingHead < list.length && list[this._pendingHead]!.boundary < this._m) {
      const p = list[this._pendingHead]!
      this._pendingHead++
      p.tracked.raw[p.offset] = this._resolve(p.tracked.event.assetId as string, p.boundary)
      this._settle(p.tracked)
    }
    if (this._pendingHead > 1024 && this._pendingHead * 2 > list.length) {
      this._pending = list.slice(this._pendingHead)
      this._pendingHead = 0
    }
  }

  private _settle(tracked: Tracked): void {
    tracked.pending--
    if (tracked.pending === 0) this._complete(tracked)
  }

  private _complete(tracked: Tracked): void {
    if (tracked.status === 'pending') tracked.status = 'measured'
    this._onComplete?.(this._impactOf(tracked))
  }

  /** Drops history older than the retention window, keeping one base entry per asset. */
  private _prune(): void {
    this._lastPruneM = this._m
    const cutoff = this._m - this._retainMs
    if (cutoff <= this._floor) return
    this._floor = cutoff
    for (const track of this._tracks.values()) {
      const history = track.history
      // Keep the last entry with m < cutoff as the base for boundaries at or after the cutoff.
      let base = track.head
      while (base + 1 < history.length && history[base + 1]!.m < cutoff) base++
      track.head = base
      if (track.head > 4096 && track.head * 2 > history.length) {
        track.history = history.slice(track.head)
        track.head = 0
      }
    }
  }

  private _impactOf(tracked: Tracked): EventImpact {
    const event = tracked.event
    let cluster: string | null = null
    if (event.assetId !== null) {
      cluster = event.market ?? this._tracks.get(event.assetId)?.market ?? event.assetId
    }
    if (tracked.status === 'no_asset' || tracked.status === 'untracked_asset') {
      return { index: tracked.index, event, status: tracked.status, cluster, samples: [] }
    }
    const zero = this.offsetsS.indexOf(0)
    const base = zero >= 0 ? tracked.raw[zero] : undefined
    const samples = tracked.raw.map((raw, i) =>
      toSample(this.offsetsS[i] as number, tracked.boundaries[i] as number, raw, base),
    )
    return { index: tracked.index, event, status: tracked.status, cluster, samples }
  }
}

function price(ticks: number): number | null {
  return ticks === NONE ? null : ticks / PRICE_SCALE
}

function toSample(
  offsetS: number,
  boundaryTs: number,
  raw: RawSample,
  base: RawSample | undefined,
): ImpactSample {
  const entry = raw.entry
  const bookKnown = raw.status === 'ok' || raw.status === 'one_sided'
  const bid = bookKnown && entry !== null ? entry.bid : NONE
  const ask = bookKnown && entry !== null ? entry.ask : NONE
  const hasBoth = bid !== NONE && ask !== NONE
  const fromBook = bookKnown && entry !== null && entry.source === SRC_BOOK
  let tradeNet: number | null = null
  let tradeShares: number | null = null
  let trades: number | null = null
  if (base !== undefined && raw.tradesKnown && base.tradesKnown) {
    const buy = (entry?.buy ?? 0) - (base.entry?.buy ?? 0)
    const sell = (entry?.sell ?? 0) - (base.entry?.sell ?? 0)
    const count = (entry?.trades ?? 0) - (base.entry?.trades ?? 0)
    // For a negative offset the window runs from the sample to offset 0: flip the sign.
    const sign = offsetS < 0 ? -1 : 1
    tradeNet = (sign * (buy - sell)) / SHARE_SCALE
    tradeShares = (sign * (buy + sell)) / SHARE_SCALE
    trades = sign * count
  }
  return {
    offsetS,
    boundaryTs,
    status: raw.status,
    source: bookKnown && entry !== null ? (fromBook ? 'book' : 'venue_top') : null,
    bestBid: price(bid),
    bestAsk: price(ask),
    mid: hasBoth ? (bid + ask) / (2 * PRICE_SCALE) : null,
    spread: hasBoth ? (ask - bid) / PRICE_SCALE : null,
    bidDepth: fromBook ? round6(entry.bidDepth) : null,
    askDepth: fromBook ? round6(entry.askDepth) : null,
    depth: fromBook ? round6(entry.bidDepth + entry.askDepth) : null,
    staleReason: raw.status === 'stale' ? (entry?.staleReason ?? null) : null,
    tradeNetShares: tradeNet === null ? null : round6(tradeNet),
    tradeShares: tradeShares === null ? null : round6(tradeShares),
    trades,
  }
}

/** Shares rounded to the venue's six decimals so float sums print cleanly. */
function round6(shares: number): number {
  return Math.round(shares * SHARE_SCALE) / SHARE_SCALE
}
