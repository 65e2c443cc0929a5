/**
 * Psychology signals (SPEC 2.4): PANIC_SELL, FOMO_BUY and LIQUIDITY_VACUUM per token, evaluated
 * on every trade and book change in event time (the venue's timestamps, never the wall clock),
 * so live and replay run the same code and give the same signals.
 *
 * Wiring: `MarketData` listener `onEvent` -> {@link SignalEngine.onEvent} (trades) and
 * `onBookChanged` -> {@link SignalEngine.onBookChanged}; {@link SignalEngine.finish} at the end
 * of the data settles open reversions.
 *
 * Time: the engine's clock is the highest venue time seen; an event stamped earlier (recordings
 * step backwards in places) is processed at that held time, so windows never run backwards.
 *
 * Stale books: an update to a stale, crossed or one-sided book never evaluates a detector and
 * stops baseline accrual until the book is usable again (see `token-baselines.ts`). Trades are
 * venue facts and always count towards volume.
 */
import type { MarketEvent } from '../../domain/book/book-events.js'
import { midOf, STALE_NO_SNAPSHOT, type BookView } from '../../domain/book/order-book.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import { PRICE_SCALE, SHARE_SCALE } from '../../domain/units.js'
import { paramsFor, type SignalConfig, type SignalParams } from './config.js'
import { RATIO_EPSILON, ReversionTracker } from './reversion-tracker.js'
import {
  buildSignal,
  FOMO,
  PANIC,
  VACUUM,
  vacuumDepthRatio,
  vacuumWithdrawnShare,
  withdrawnShare,
  type TokenState,
} from './signal-build.js'
import { TAKER_BUY, TAKER_SELL, TokenBaselines } from './token-baselines.js'
import { TopDepth } from './top-depth.js'
import type { Reversion, SignalCounters, SignalListener } from './types.js'

export type SignalEngineOptions = {
  /** Sport key of a token (`'cs2'`), for per-sport parameters; null = default parameters. */
  sportOf?(assetId: string): string | null | undefined
  /** The other outcome's token of the same market; null or undefined = unknown (then inferred). */
  complementOf?(assetId: string): string | null | undefined
}

/** The complement token's signal type for the same crowd move. */
const MIRROR_TYPE = [FOMO, PANIC, VACUUM] as const

/** The placeholder condition id importers write when the data has none: never paired. */
const UNKNOWN_MARKET = `0x${'0'.repeat(64)}`
/** Compaction threshold of the settled head of the reversion queue. */
const QUEUE_COMPACT_AT = 1024

/** What {@link SignalEngine.handleOf} gives: opaque to callers. */
export type SignalBookHandle = { readonly assetId: TokenId }

export class SignalEngine {
  readonly counters: SignalCounters = {
    signals: 0,
    panicSell: 0,
    fomoBuy: 0,
    liquidityVacuum: 0,
    mirrored: 0,
    cooldownSuppressed: 0,
    reversionsResolved: 0,
    reverted: 0,
    staleBookUpdates: 0,
    timeRewinds: 0,
    tokens: 0,
  }
  private readonly _config: SignalConfig
  private readonly _listener: SignalListener
  private readonly _options: SignalEngineOptions
  private readonly _tokens = new Map<string, TokenState>()
  /** Token state per book object seen (a book's asset id never changes). */
  private readonly _bookTokens = new WeakMap<BookView, TokenState>()
  /** Asset ids seen per market id, in order of first appearance. */
  private readonly _marketAssets = new Map<string, string[]>()
  /** Open reversions in signal order; deadlines are non-decreasing because time is. */
  private _queue: ReversionTracker[] = []
  private _queueHead = 0
  private _now = Number.NEGATIVE_INFINITY
  private _nextId = 1

  constructor(config: SignalConfig, listener: SignalListener, options: SignalEngineOptions = {}) {
    this._config = config
    this._listener = listener
    this._options = options
  }

  /** Any market event; trades feed the volume windows. Wire to `MarketData` `onEvent`. */
  onEvent(event: MarketEvent): void {
    const now = this._clock(event.tsVenue)
    this._expire(now)
    if (event.type !== 'last_trade_price') return
    const token = this._token(event.assetId, event.market, now)
    const shares = event.size / SHARE_SCALE
    const buy = event.side === 'buy'
    this._addTrade(token, now, event.tsVenue, shares, buy ? TAKER_BUY : TAKER_SELL)
    // The same trade seen from the complement's book: selling one outcome is buying the other.
    if (token.params.complementTrades) {
      const other = this._complementToken(token)
      if (other !== null && other.params.complementTrades) {
        this._addTrade(other, now, event.tsVenue, shares, buy ? TAKER_SELL : TAKER_BUY)
      }
    }
  }

  private _addTrade(
    token: TokenState,
    now: number,
    ts: number,
    shares: number,
    side: number,
  ): void {
    const base = token.base
    base.advance(now)
    base.addTrade(now, shares, side)
    base.trimTrades(now)
    if (base.usable) this._evaluate(token, now, ts)
  }

  /** A book changed by `event`. Wire to `MarketData` `onBookChanged`. */
  onBookChanged(book: BookView, event: MarketEvent): void {
    const now = this._clock(event.tsVenue)
    this._expire(now)
    // The token of a book, found by the book object: cheaper than by its 77-digit id.
    let token = this._bookTokens.get(book)
    if (token === undefined) {
      token = this._token(book.assetId, event.market, now)
      this._bookTokens.set(book, token)
    }
    this._bookChanged(token, book, event, now)
  }

  /**
   * The handle of a book this engine has seen change (null before its first change), for a
   * caller that keeps its own state per book: {@link onHandleBookChanged} with it spares the
   * lookup of the book's state.
   */
  handleOf(book: BookView): SignalBookHandle | null {
    return this._bookTokens.get(book) ?? null
  }

  /** {@link onBookChanged} for a book whose {@link handleOf handle} the caller kept. */
  onHandleBookChanged(handle: SignalBookHandle, book: BookView, event: MarketEvent): void {
    const now = this._clock(event.tsVenue)
    this._expire(now)
    this._bookChanged(handle as TokenState, book, event, now)
  }

  private _bookChanged(token: TokenState, book: BookView, event: MarketEvent, now: number): void {
    const base = token.base
    base.advance(now)
    const bid = book.bestBid()
    const ask = book.bestAsk()
    if (bid === null || ask === null || bid >= ask || !this._usable(book, bid, ask, event)) {
      this.counters.staleBookUpdates++
      base.setUnusable()
      // A fresh book with one side empty: the makers of that side have all pulled.
      if (
        token.params.liquidityVacuum.oneSided &&
        !book.stale &&
        (bid === null) !== (ask === null)
      ) {
        token.depth.updateWithTop(book, event, bid, ask)
        this._evaluateOneSided(token, book.tickSize, now, event.tsVenue)
        return
      }
      token.depth.invalidate()
      token.vacuumSince = Number.NaN
      token.oneSidedDepth = Number.NaN
      return
    }
    token.oneSidedDepth = Number.NaN
    const topDepth = token.depth
    topDepth.updateWithTop(book, event, bid, ask)
    const depth = topDepth.shares
    const bandDepth = token.params.liquidityVacuum.bandDepth
      ? topDepth.bandShares(bid, ask, book.tickSize)
      : depth
    const mid = midOf(bid, ask)
    base.setBook(now, depth, (ask - bid) / PRICE_SCALE, mid, bandDepth)
    token.bestBid = bid
    token.bestAsk = ask
    const open = token.open
    for (let i = 0; i < open.length; i++) {
      const tracker = open[i]!
      const outcome = tracker.onMid(now, mid)
      if (outcome !== null) {
        open.splice(i, 1)
        i--
        this._report(tracker, outcome)
      }
    }
    base.trimTrades(now)
    this._evaluate(token, now, event.tsVenue)
  }

  /**
   * End of data at `ts` (default: the latest venue time seen): settles every open reversion
   * with what is known. The engine stays usable afterwards.
   */
  finish(ts?: number): void {
    const end = Math.max(this._now, ts ?? Number.NEGATIVE_INFINITY)
    if (!Number.isFinite(end)) return
    this._expire(end)
    for (let i = this._queueHead; i < this._queue.length; i++) {
      const tracker = this._queue[i]!
      if (tracker.resolved) continue
      this._removeOpen(tracker)
      this._report(tracker, tracker.expire(Math.min(end, tracker.deadline)))
    }
    this._queue = []
    this._queueHead = 0
  }

  /** Tokens seen so far. */
  get tokenCount(): number {
    return this._tokens.size
  }

  private _clock(ts: number): number {
    if (ts < this._now) {
      this.counters.timeRewinds++
      return this._now
    }
    this._now = ts
    return ts
  }

  private _token(assetId: TokenId, market: MarketId, now: number): TokenState {
    let token = this._tokens.get(assetId)
    if (token !== undefined) return token
    const sport = this._options.sportOf?.(assetId) ?? null
    const params = paramsFor(this._config, sport)
    token = {
      assetId,
      market,
      sport,
      params,
      base: new TokenBaselines(params.shortWindowMs, params.baselineWindowMs, now),
      depth: new TopDepth(params.depthLevels),
      bestBid: 0,
      bestAsk: 0,
      vacuumSince: Number.NaN,
      oneSidedDepth: Number.NaN,
      lastSignalTs: [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      lastSignalId: [0, 0, 0],
      open: [],
    }
    this._tokens.set(assetId, token)
    this.counters.tokens++
    if (market !== UNKNOWN_MARKET) {
      const assets = this._marketAssets.get(market)
      if (assets === undefined) this._marketAssets.set(market, [assetId])
      else if (!assets.includes(assetId)) assets.push(assetId)
    }
    return token
  }

  /**
   * A fresh book is usable. With `allowUnsyncedBooks`, so is a book stale only because it never
   * had a snapshot, while the venue's best bid and ask on this update equal the book's.
   */
  private _usable(book: BookView, bid: number, ask: number, event: MarketEvent): boolean {
    if (!book.stale) return true
    if (!this._config.allowUnsyncedBooks || book.staleReason !== STALE_NO_SNAPSHOT) return false
    if (event.type !== 'price_change') return false
    const changes = event.changes
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i]!
      if (change.assetId === book.assetId) return change.bestBid === bid && change.bestAsk === ask
    }
    return false
  }

  private _evaluate(token: TokenState, now: number, ts: number): void {
    const params = token.params
    const base = token.base
    if (now - base.firstTs < params.warmupMs) return
    const volume = base.buyVolume + base.sellVolume
    const volumeRatio = volume / Math.max(base.baselineVolume(), params.minBaselineVolume)
    const panic = params.panicSell
    const fomo = params.fomoBuy
    const vacuum = params.liquidityVacuum
    const depthRatio = vacuumDepthRatio(base, vacuum.bandDepth)
    const thin = vacuum.enabled && depthRatio <= vacuum.depthRatio + RATIO_EPSILON
    if (!thin) token.vacuumSince = Number.NaN
    // Most updates fail the first condition of every detector (the crowd detectors' volume
    // ratio, the vacuum's depth ratio): then nothing else needs computing. The comparisons are
    // the detectors' own, so this only skips work (NaN fails them all, as below).
    if (
      !(panic.enabled && volume > 0 && volumeRatio >= panic.volumeRatio - RATIO_EPSILON) &&
      !(fomo.enabled && volume > 0 && volumeRatio >= fomo.volumeRatio - RATIO_EPSILON) &&
      !thin
    ) {
      return
    }
    const spreadRatio = base.spread / base.baselineSpread()
    const change = base.mid - base.midBefore(now)

    if (
      panic.enabled &&
      volume > 0 &&
      volumeRatio >= panic.volumeRatio - RATIO_EPSILON &&
      spreadRatio >= panic.spreadRatio - RATIO_EPSILON &&
      change <= -panic.priceDrop + RATIO_EPSILON &&
      base.sellVolume / volume >= panic.sellShare - RATIO_EPSILON &&
      (panic.maxOrderShare >= 1 ||
        base.largestOrderShare(TAKER_SELL) <= panic.maxOrderShare + RATIO_EPSILON) &&
      (!panic.excludeJump ||
        -change - base.largestJump(now, -1, params.jumpMs) >= panic.priceDrop - RATIO_EPSILON)
    ) {
      this._fire(token, PANIC, now, ts, Math.min(volumeRatio / panic.scoreVolumeRatio, 1))
    }
    if (
      fomo.enabled &&
      volume > 0 &&
      volumeRatio >= fomo.volumeRatio - RATIO_EPSILON &&
      change >= fomo.priceRise - RATIO_EPSILON &&
      base.buyVolume / volume >= fomo.buyShare - RATIO_EPSILON &&
      (fomo.maxOrderShare >= 1 ||
        base.largestOrderShare(TAKER_BUY) <= fomo.maxOrderShare + RATIO_EPSILON) &&
      (!fomo.excludeJump ||
        change - base.largestJump(now, 1, params.jumpMs) >= fomo.priceRise - RATIO_EPSILON)
    ) {
      this._fire(token, FOMO, now, ts, Math.min(volumeRatio / fomo.scoreVolumeRatio, 1))
    }
    if (thin) {
      if (!(spreadRatio >= vacuum.spreadRatio - RATIO_EPSILON)) {
        token.vacuumSince = Number.NaN
      } else {
        // The thin, wide book must hold for `holdMs` (a requote's transient never holds).
        if (Number.isNaN(token.vacuumSince)) token.vacuumSince = now
        if (
          now - token.vacuumSince >= vacuum.holdMs &&
          vacuumWithdrawnShare(base, vacuum.bandDepth, volume) >=
            vacuum.minWithdrawnShare - RATIO_EPSILON &&
          !(vacuum.excludeCrowd && this._crowdBurst(params, volume, volumeRatio, base))
        ) {
          this._fire(token, VACUUM, now, ts, Math.min(Math.max(1 - depthRatio, 0), 1))
        }
      }
    }
  }

  /**
   * The vacuum on a fresh one-sided book: the spread is unbounded, the depth is the side left
   * (within `depthLevels` ticks of the last two-sided mid with `bandDepth`). The baselines do
   * not accrue meanwhile (the book is not usable for them); the other conditions are the
   * two-sided ones.
   */
  private _evaluateOneSided(token: TokenState, tick: number, now: number, ts: number): void {
    const params = token.params
    const base = token.base
    const vacuum = params.liquidityVacuum
    const mid2 = Math.round(2 * base.mid * PRICE_SCALE)
    // The empty side must have had room for its levels: near the price bounds a side runs out
    // of ticks, which is the grid, not makers pulling.
    const room = (token.depth.bestBid === null ? mid2 : 2 * PRICE_SCALE - mid2) / 2
    if (!(room >= params.depthLevels * tick)) {
      token.vacuumSince = Number.NaN
      token.oneSidedDepth = Number.NaN
      return
    }
    const depth = vacuum.bandDepth ? token.depth.bandSharesAround(mid2, tick) : token.depth.shares
    token.oneSidedDepth = depth
    const baseline = vacuum.bandDepth ? base.baselineBandDepth() : base.baselineDepth()
    const depthRatio = depth / baseline
    if (
      !vacuum.enabled ||
      now - base.firstTs < params.warmupMs ||
      !(depthRatio <= vacuum.depthRatio + RATIO_EPSILON)
    ) {
      token.vacuumSince = Number.NaN
      return
    }
    if (Number.isNaN(token.vacuumSince)) token.vacuumSince = now
    base.trimTrades(now)
    const volume = base.buyVolume + base.sellVolume
    const volumeRatio = volume / Math.max(base.baselineVolume(), params.minBaselineVolume)
    if (
      now - token.vacuumSince >= vacuum.holdMs &&
      withdrawnShare(baseline, depth, volume) >= vacuum.minWithdrawnShare - RATIO_EPSILON &&
      !(vacuum.excludeCrowd && this._crowdBurst(params, volume, volumeRatio, base))
    ) {
      this._fire(token, VACUUM, now, ts, Math.min(Math.max(1 - depthRatio, 0), 1))
    }
  }

  /**
   * The short window is a crowd burst by the crowd detectors' own thresholds: volume at least
   * the lower of their volume ratios, and one side's takers at least that side's share.
   */
  private _crowdBurst(
    params: SignalParams,
    volume: number,
    volumeRatio: number,
    base: TokenBaselines,
  ): boolean {
    if (!(volume > 0)) return false
    const panic = params.panicSell
    const fomo = params.fomoBuy
    if (volumeRatio < Math.min(panic.volumeRatio, fomo.volumeRatio) - RATIO_EPSILON) return false
    return (
      base.sellVolume / volume >= panic.sellShare - RATIO_EPSILON ||
      base.buyVolume / volume >= fomo.buyShare - RATIO_EPSILON
    )
  }

  private _fire(token: TokenState, type: 0 | 1 | 2, now: number, ts: number, score: number): void {
    const params = token.params
    if (now - token.lastSignalTs[type] < params.cooldownMs) {
      this.counters.cooldownSuppressed++
      return
    }
    const id = this._nextId++
    token.lastSignalTs[type] = now
    token.lastSignalId[type] = id
    const mirrorOf = this._mirrorOf(token, type, now)
    const signal = buildSignal(token, id, type, ts, score, mirrorOf, now)
    this.counters.signals++
    if (type === PANIC) this.counters.panicSell++
    else if (type === FOMO) this.counters.fomoBuy++
    else this.counters.liquidityVacuum++
    if (mirrorOf !== null) this.counters.mirrored++
    const tracker = new ReversionTracker(
      signal,
      now,
      params.reversion.horizonMs,
      params.reversion.retrace,
    )
    token.open.push(tracker)
    this._queue.push(tracker)
    this._listener.onSignal?.(signal)
  }

  /** The complement token's state, when the complement is known and has been seen. */
  private _complementToken(token: TokenState): TokenState | null {
    const complementId = this._complementOf(token)
    if (complementId === null) return null
    return this._tokens.get(complementId) ?? null
  }

  /** The id of the complement token's mirror-type signal within the mirror window, or null. */
  private _mirrorOf(token: TokenState, type: 0 | 1 | 2, now: number): number | null {
    const other = this._complementToken(token)
    if (other === null) return null
    const mirror = MIRROR_TYPE[type]
    const id = other.lastSignalId[mirror]
    if (id === 0 || now - other.lastSignalTs[mirror] > token.params.mirrorWindowMs) return null
    return id
  }

  private _complementOf(token: TokenState): string | null {
    const given = this._options.complementOf?.(token.assetId) ?? null
    if (given !== null) return given
    const assets = this._marketAssets.get(token.market)
    if (assets === undefined || assets.length !== 2) return null
    return assets[0] === token.assetId ? assets[1]! : assets[0]!
  }

  /** Settles reversions whose horizon ended before `now`. */
  private _expire(now: number): void {
    const queue = this._queue
    while (this._queueHead < queue.length) {
      const tracker = queue[this._queueHead]!
      if (!tracker.resolved) {
        if (tracker.deadline >= now) break
        this._removeOpen(tracker)
        this._report(tracker, tracker.expire(tracker.deadline))
      }
      this._queueHead++
    }
    if (this._queueHead >= QUEUE_COMPACT_AT && this._queueHead * 2 >= queue.length) {
      this._queue = queue.slice(this._queueHead)
      this._queueHead = 0
    }
  }

  private _removeOpen(tracker: ReversionTracker): void {
    const token = this._tokens.get(tracker.signal.assetId)
    if (token === undefined) return
    const index = token.open.indexOf(tracker)
    if (index >= 0) token.open.splice(index, 1)
  }

  private _report(tracker: ReversionTracker, outcome: Reversion): void {
    this.counters.reversionsResolved++
    if (outcome.reverted) this.counters.reverted++
    this._listener.onReversion?.(tracker.signal, outcome)
  }
}
