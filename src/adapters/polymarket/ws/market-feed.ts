/**
 * The live market feed: shards assets over sockets (at most 200 per socket by default), sends
 * every frame to the capture (when given) and then to {@link MarketData}, and keeps a health
 * state per asset:
 *
 * - `disconnected`: its socket is not open;
 * - `resyncing`: a snapshot is on its way (just (re)subscribed, or a resync is running);
 * - `stale`: the book cannot be trusted and no resync is running (a resync timed out);
 * - `live`: synced from a snapshot and consistent with the venue's own best bid/ask.
 *
 * Resync, when MarketData asks for one (best bid/ask mismatch, crossed book, tick size change):
 * `resubscribe` (default) unsubscribes and subscribes the asset again, so the venue sends a
 * fresh snapshot; `rest` fetches `GET /book` while buffering the asset's deltas, then applies
 * the REST snapshot and re-applies on top of it the buffered deltas newer than the snapshot.
 * The REST book and the re-applied deltas go through the same path as socket frames (written
 * to the capture under connection `rest`), so a replay of the capture rebuilds the same books.
 * A subscription or resync that brings no snapshot within `resyncTimeoutMs` leaves the asset
 * `stale` and is tried again by resubscribing (the venue is reported to skip initial snapshots
 * on crowded sockets).
 *
 * Audit (optional, `auditIntervalMs`): a dropped delta below the top of the book leaves the best
 * bid/ask right, so the self-checks cannot see it. Every `auditIntervalMs` one `live` asset
 * (round robin, one request in flight at most) is compared with `GET /book`: its deltas are
 * buffered from the request on, and the REST snapshot plus the buffered deltas newer than it must
 * equal the book. A difference marks the book stale and applies the REST snapshot as a REST
 * resync does (reason `audit_mismatch`); an equal book is left alone and nothing is written.
 *
 * Every health transition is logged, counted and written to the capture as a `note` marker
 * (`{"note":"health","asset_id","from","to","reason"}`); every resync as a `resync` marker.
 */
import type { Level, LevelChange, PriceChange } from '../../../domain/book/book-events.js'
import { OrderBook } from '../../../domain/book/order-book.js'
import { TICK_SIZE_TEXT, type TickSize } from '../../../domain/market.js'
import { formatPrice, formatSize, type EpochMs, type PriceTicks } from '../../../domain/units.js'
import {
  MarketData,
  type FrameMeta,
  type FrameParser,
  type MarketDataListener,
  type ResyncRequest,
} from '../../../engine/market-data.js'
import type { MarkerKind } from '../../capture/capture-format.js'
import type { Logger } from '../../log.js'
import { silentLogger } from '../../log.js'
import type { RestBookSnapshot } from '../rest/clob-rest.js'
import {
  MarketConnection,
  type CloseInfo,
  type MarketConnectionOptions,
  type OpenInfo,
  type SubscriptionInfo,
} from './connection.js'
import { polymarketFrameParser } from './market-frame-parser.js'

export type AssetHealth = 'live' | 'stale' | 'resyncing' | 'disconnected'

export const ASSET_HEALTH_STATES: readonly AssetHealth[] = [
  'live',
  'stale',
  'resyncing',
  'disconnected',
]

/** The part of `CaptureWriter` the feed uses. */
export type CaptureSink = {
  writeFrame(conn: string, raw: string, opts?: { readonly tLocal?: number }): void
  writeMarker(
    kind: MarkerKind,
    conn: string,
    detail?: Readonly<Record<string, unknown>>,
    opts?: { readonly tLocal?: number },
  ): void
}

/** Where REST snapshots come from; `ClobRestClient` provides it. */
export type RestBookSource = {
  getBook(tokenId: string): Promise<RestBookSnapshot>
}

export type HealthChange = {
  readonly assetId: string
  readonly conn: string
  readonly from: AssetHealth
  readonly to: AssetHealth
  readonly reason: string
}

export type ResyncMethod = 'resubscribe' | 'rest'

export type MarketFeedOptions = {
  readonly url: string
  readonly assetIds: readonly string[]
  /** Default 200. */
  readonly maxAssetsPerConnection?: number
  /** Socket settings shared by every connection. */
  readonly connection?: Pick<
    MarketConnectionOptions,
    'pingIntervalMs' | 'silenceTimeoutMs' | 'dataSilenceMs' | 'backoff' | 'random' | 'timers'
  >
  readonly parser?: FrameParser
  /** Wall clock, epoch ms. */
  readonly now?: () => number
  readonly log?: Logger
  readonly capture?: CaptureSink
  /** Called once if writing to the capture fails; the feed stops writing to it. */
  readonly onCaptureError?: (error: unknown) => void
  /** Default `resubscribe`; `rest` needs {@link MarketFeedOptions.rest}. */
  readonly resyncMethod?: ResyncMethod
  readonly rest?: RestBookSource
  /** Default 10 s. */
  readonly resyncTimeoutMs?: number
  /**
   * Compare one live asset's book with `GET /book` every this many ms (needs
   * {@link MarketFeedOptions.rest}); default off. Mind the venue's REST rate limits.
   */
  readonly auditIntervalMs?: number
  /** MarketData callbacks, called after the feed's own. */
  readonly listener?: MarketDataListener
  readonly onHealthChange?: (change: HealthChange) => void
}

export type MarketFeedCounters = {
  connections: number
  healthTransitions: number
  /** Transitions into each state. */
  transitionsTo: Record<AssetHealth, number>
  resyncs: number
  /** Requests that arrived while the asset was already resyncing. */
  resyncsCoalesced: number
  resyncTimeouts: number
  restResyncs: number
  restFailures: number
  /** Buffered deltas re-applied on top of REST snapshots. */
  reappliedChanges: number
  captureErrors: number
  /** Audits whose REST book matched ours. */
  audits: number
  /** Audits that found a different book (each followed by a REST resync). */
  auditMismatches: number
  /** Audits whose REST request failed (nothing changed). */
  auditFailures: number
}

export const DEFAULT_MAX_ASSETS_PER_CONNECTION = 200
export const DEFAULT_RESYNC_TIMEOUT_MS = 10_000
/** The connection id REST snapshots are recorded under. */
export const REST_CONN = 'rest'

type TimedChange = {
  readonly tsVenue: EpochMs
  readonly event: PriceChange
  readonly change: LevelChange
}

type AssetState = {
  readonly assetId: string
  conn: MarketConnection
  health: AssetHealth
  /** A snapshot is expected (after a subscribe or resubscribe). */
  awaiting: boolean
  /** A REST snapshot is being fetched; deltas are buffered meanwhile. */
  restPending: boolean
  /** Identifies the current REST fetch, so a superseded answer is dropped. */
  restToken: number
  buffer: TimedChange[]
  resyncTimer: unknown
  /** An audit's REST request is in flight; deltas are buffered meanwhile. */
  auditPending: boolean
}

export class MarketFeed {
  readonly market: MarketData
  readonly counters: MarketFeedCounters = {
    connections: 0,
    healthTransitions: 0,
    transitionsTo: { live: 0, stale: 0, resyncing: 0, disconnected: 0 },
    resyncs: 0,
    resyncsCoalesced: 0,
    resyncTimeouts: 0,
    restResyncs: 0,
    restFailures: 0,
    reappliedChanges: 0,
    captureErrors: 0,
    audits: 0,
    auditMismatches: 0,
    auditFailures: 0,
  }
  private readonly _options: MarketFeedOptions
  private readonly _maxPerConn: number
  private readonly _resyncTimeoutMs: number
  private readonly _now: () => number
  private readonly _log: Logger
  private readonly _connections: MarketConnection[] = []
  private readonly _assets = new Map<string, AssetState>()
  private _capture: CaptureSink | undefined
  private _started = false
  private _stopped = false
  private _restSeq = 0
  private readonly _auditMs: number | null
  private _auditTimer: NodeJS.Timeout | null = null
  private _auditCursor = 0
  private _auditInFlight = false

  constructor(options: MarketFeedOptions) {
    this._options = options
    this._maxPerConn = options.maxAssetsPerConnection ?? DEFAULT_MAX_ASSETS_PER_CONNECTION
    if (!Number.isInteger(this._maxPerConn) || this._maxPerConn < 1) {
      throw new RangeError(
        `market feed maxAssetsPerConnection must be a positive whole number, got ${this._maxPerConn}`,
      )
    }
    this._resyncTimeoutMs = options.resyncTimeoutMs ?? DEFAULT_RESYNC_TIMEOUT_MS
    if ((options.resyncMethod ?? 'resubscribe') === 'rest' && options.rest === undefined) {
      throw new RangeError('market feed resyncMethod "rest" needs a REST book source')
    }
    const audit = options.auditIntervalMs
    if (audit !== undefined) {
      if (!(audit > 0) || !Number.isFinite(audit)) {
        throw new RangeError(
          `market feed auditIntervalMs must be a positive number of ms, got ${audit}`,
        )
      }
      if (options.rest === undefined) {
        throw new RangeError('market feed auditIntervalMs needs a REST book source')
      }
    }
    this._auditMs = audit ?? null
    this._now = options.now ?? Date.now
    this._log = (options.log ?? silentLogger()).child({ component: 'market-feed' })
    this._capture = options.capture
    const user = options.listener ?? {}
    this.market = new MarketData(options.parser ?? polymarketFrameParser, {
      onEvent: (event, meta) => {
        if (event.type === 'price_change') this._buffer(event)
        user.onEvent?.(event, meta)
      },
      onBookChanged: (book, event, meta) => {
        if (event.type === 'book') this._onSnapshot(book.assetId, meta)
        user.onBookChanged?.(book, event, meta)
      },
      onResyncRequested: (request, meta) => {
        this._onResyncRequested(request, meta)
        user.onResyncRequested?.(request, meta)
      },
      onParseError: (error, meta) => {
        this._log.warn({ conn: meta.conn, err: error.message, excerpt: error.excerpt }, 'bad frame')
        user.onParseError?.(error, meta)
      },
    })
    this.addAssets(options.assetIds)
  }

  get connections(): readonly MarketConnection[] {
    return this._connections
  }

  get assetIds(): readonly string[] {
    return [...this._assets.keys()]
  }

  health(assetId: string): AssetHealth | undefined {
    return this._assets.get(assetId)?.health
  }

  /** Assets per health state, now. */
  healthCounts(): Record<AssetHealth, number> {
    const counts: Record<AssetHealth, number> = { live: 0, stale: 0, resyncing: 0, disconnected: 0 }
    for (const state of this._assets.values()) counts[state.health]++
    return counts
  }

  /** Opens every connection. */
  start(): void {
    if (this._started || this._stopped) return
    this._started = true
    for (const conn of this._connections) conn.start()
    this._armAudit()
  }

  /** Closes every connection and cancels resyncs; resolves once all sockets are closed. */
  async stop(): Promise<void> {
    if (this._stopped) return
    this._stopped = true
    if (this._auditTimer !== null) clearTimeout(this._auditTimer)
    this._auditTimer = null
    for (const state of this._assets.values()) this._clearResync(state)
    await Promise.all(this._connections.map((conn) => conn.stop()))
  }

  /** Adds assets, filling the last socket up to the limit before opening another. */
  addAssets(assetIds: readonly string[]): void {
    const byConn = new Map<MarketConnection, string[]>()
    for (const assetId of assetIds) {
      if (this._assets.has(assetId)) continue
      let conn = this._connections[this._connections.length - 1]
      if (conn === undefined || conn.size + (byConn.get(conn)?.length ?? 0) >= this._maxPerConn) {
        conn = this._newConnection()
      }
      const list = byConn.get(conn) ?? []
      list.push(assetId)
      byConn.set(conn, list)
      this._assets.set(assetId, {
        assetId,
        conn,
        health: 'disconnected',
        awaiting: false,
        restPending: false,
        restToken: 0,
        buffer: [],
        resyncTimer: null,
        auditPending: false,
      })
    }
    for (const [conn, list] of byConn) {
      if (conn.isOpen) for (const id of list) this._assets.get(id)!.awaiting = true
      conn.subscribe(list)
      if (this._started && !this._stopped) conn.start()
      for (const id of list) this._recompute(this._assets.get(id)!, 'added')
    }
  }

  /** Removes assets from their sockets. */
  removeAssets(assetIds: readonly string[]): void {
    for (const assetId of assetIds) {
      const state = this._assets.get(assetId)
      if (state === undefined) continue
      this._clearResync(state)
      this._assets.delete(assetId)
      state.conn.unsubscribe([assetId])
    }
  }

  private _newConnection(): MarketConnection {
    const id = `c${this._connections.length + 1}`
    const conn = new MarketConnection({
      ...this._options.connection,
      url: this._options.url,
      id,
      now: this._now,
      ...(this._options.log === undefined ? {} : { log: this._options.log }),
      listener: {
        onFrame: (text, tLocal, connId) => this._onFrame(text, tLocal, connId),
        onOpen: (info) => this._onOpen(conn, info),
        onClose: (info) => this._onClose(conn, info),
        onSubscription: (info) => this._onSubscription(info),
      },
    })
    this._connections.push(conn)
    this.counters.connections++
    return conn
  }

  private _onFrame(text: string, tLocal: number, conn: string): void {
    if (this._capture !== undefined) {
      try {
        this._capture.writeFrame(conn, text, { tLocal })
      } catch (e) {
        this._captureFailed(e)
      }
    }
    this.market.onFrameText(text, { tLocal, conn })
  }

  private _marker(kind: MarkerKind, conn: string, detail: Readonly<Record<string, unknown>>): void {
    if (this._capture === undefined) return
    try {
      this._capture.writeMarker(kind, conn, detail, { tLocal: this._now() })
    } catch (e) {
      this._captureFailed(e)
    }
  }

  private _captureFailed(e: unknown): void {
    this.counters.captureErrors++
    this._capture = undefined
    this._log.error({ err: e instanceof Error ? e.message : String(e) }, 'capture write failed')
    this._options.onCaptureError?.(e)
  }

  private _onOpen(conn: MarketConnection, info: OpenInfo): void {
    this._marker('connect', info.conn, { url: info.url, attempt: info.attempt })
    for (const state of this._assets.values()) {
      if (state.conn !== conn) continue
      state.awaiting = true
      this._armResyncTimer(state)
      this._recompute(state, 'connected')
    }
  }

  private _onClose(conn: MarketConnection, info: CloseInfo): void {
    this._marker('disconnect', info.conn, {
      code: info.code,
      reason: info.reason,
      reconnect_in_ms: info.reconnectInMs,
    })
    for (const state of this._assets.values()) {
      if (state.conn !== conn) continue
      this._clearResync(state)
      this._recompute(state, `disconnected: ${info.reason}`)
    }
  }

  private _onSubscription(info: SubscriptionInfo): void {
    this._marker(info.operation, info.conn, { asset_ids: info.assetIds, initial: info.initial })
  }

  private _onSnapshot(assetId: string, meta: FrameMeta): void {
    const state = this._assets.get(assetId)
    if (state === undefined) return
    // A socket snapshot supersedes a REST fetch still in flight.
    this._clearResync(state)
    this._recompute(state, meta.conn === REST_CONN ? 'rest snapshot' : 'snapshot')
  }

  private _onResyncRequested(request: ResyncRequest, meta: FrameMeta): void {
    this._startResync(request.assetId, request.reason, request.detail, meta.conn)
  }

  private _startResync(assetId: string, reason: string, detail: string, from: string): void {
    const state = this._assets.get(assetId)
    if (state === undefined || this._stopped) return
    if (!state.conn.isOpen) {
      // The reconnect resubscribes every asset of the socket.
      this._recompute(state, reason)
      return
    }
    if (state.awaiting || state.restPending) {
      this.counters.resyncsCoalesced++
      return
    }
    this._cancelAudit(state)
    this.counters.resyncs++
    const method: ResyncMethod = this._options.resyncMethod ?? 'resubscribe'
    const conn = state.conn.id
    this._log.warn(
      { conn, assetId, reason, detail, method, trigger: from },
      'book out of sync, resyncing',
    )
    this._marker('resync', conn, { asset_id: assetId, reason, detail, method })
    if (method === 'rest' && this._options.rest !== undefined) {
      this._fetchRestBook(state, this._options.rest)
    } else {
      state.awaiting = true
      state.conn.resubscribe([assetId])
    }
    this._armResyncTimer(state)
    this._recompute(state, reason)
  }

  private _armResyncTimer(state: AssetState): void {
    if (state.resyncTimer !== null) clearTimeout(state.resyncTimer as NodeJS.Timeout)
    state.resyncTimer = setTimeout(() => this._onResyncTimeout(state), this._resyncTimeoutMs)
  }

  private _onResyncTimeout(state: AssetState): void {
    state.resyncTimer = null
    if (this._assets.get(state.assetId) !== state || this._stopped) return
    this.counters.resyncTimeouts++
    this._log.warn(
      { conn: state.conn.id, assetId: state.assetId, timeoutMs: this._resyncTimeoutMs },
      'no snapshot after subscribing, resubscribing',
    )
    this._clearResync(state)
    this._recompute(state, 'resync timed out')
    this._startResync(
      state.assetId,
      'resync_timeout',
      `timeout_ms=${this._resyncTimeoutMs}`,
      'timer',
    )
  }

  private _fetchRestBook(state: AssetState, rest: RestBookSource): void {
    this.counters.restResyncs++
    state.restPending = true
    state.buffer = []
    const token = ++this._restSeq
    state.restToken = token
    const current = (): boolean =>
      !this._stopped &&
      state.restPending &&
      state.restToken === token &&
      this._assets.get(state.assetId) === state
    rest.getBook(state.assetId).then(
      (snapshot) => {
        if (current()) this._applyRestBook(state, snapshot)
      },
      (e: unknown) => {
        if (!current()) return
        this.counters.restFailures++
        const message = e instanceof Error ? e.message : String(e)
        this._log.warn(
          { conn: state.conn.id, assetId: state.assetId, err: message },
          'rest book failed, resubscribing',
        )
        state.restPending = false
        state.buffer = []
        state.awaiting = true
        if (!state.conn.resubscribe([state.assetId])) this._clearResync(state)
        this._recompute(state, 'rest book failed')
      },
    )
  }

  /**
   * Feeds the REST snapshot, then the buffered deltas newer than it, through the frame path,
   * so the capture holds exactly what the book saw.
   */
  private _applyRestBook(state: AssetState, snapshot: RestBookSnapshot): void {
    const buffered = state.buffer
    state.restPending = false
    state.buffer = []
    const tLocal = this._now()
    this._onFrame(JSON.stringify(restBookFrame(snapshot)), tLocal, REST_CONN)
    const newer = buffered.filter((entry) => entry.tsVenue > snapshot.tsVenue)
    // One frame per original event keeps each event's timestamp and market.
    let group: TimedChange[] = []
    const flush = (): void => {
      const first = group[0]
      if (first === undefined) return
      this.counters.reappliedChanges += group.length
      this._onFrame(
        JSON.stringify(
          priceChangeFrame(
            first.event,
            group.map((g) => g.change),
          ),
        ),
        tLocal,
        REST_CONN,
      )
      group = []
    }
    for (const entry of newer) {
      if (group.length > 0 && group[0]!.event !== entry.event) flush()
      group.push(entry)
    }
    flush()
    this._log.info(
      {
        conn: state.conn.id,
        assetId: state.assetId,
        reapplied: newer.length,
        dropped: buffered.length - newer.length,
      },
      'rest snapshot applied',
    )
  }

  private _buffer(event: PriceChange): void {
    for (const change of event.changes) {
      const state = this._assets.get(change.assetId)
      if (state !== undefined && (state.restPending || state.auditPending))
        state.buffer.push({ tsVenue: event.tsVenue, event, change })
    }
  }

  private _clearResync(state: AssetState): void {
    if (state.resyncTimer !== null) clearTimeout(state.resyncTimer as NodeJS.Timeout)
    state.resyncTimer = null
    state.awaiting = false
    state.restPending = false
    state.buffer = []
    this._cancelAudit(state)
  }

  private _cancelAudit(state: AssetState): void {
    if (!state.auditPending) return
    state.auditPending = false
    state.buffer = []
  }

  private _armAudit(): void {
    const ms = this._auditMs
    if (ms === null || this._stopped || this._auditTimer !== null) return
    this._auditTimer = setTimeout(() => {
      this._auditTimer = null
      this._auditNext()
      this._armAudit()
    }, ms)
  }

  /** Starts an audit of the next live asset, unless one is still running. */
  private _auditNext(): void {
    const rest = this._options.rest
    if (rest === undefined || this._stopped || this._auditInFlight) return
    const states = [...this._assets.values()]
    for (let i = 0; i < states.length; i++) {
      const index = (this._auditCursor + i) % states.length
      const state = states[index]!
      if (state.health !== 'live' || state.awaiting || state.restPending) continue
      this._auditCursor = index + 1
      this._audit(state, rest)
      return
    }
  }

  private _audit(state: AssetState, rest: RestBookSource): void {
    state.auditPending = true
    state.buffer = []
    this._auditInFlight = true
    const current = (): boolean =>
      !this._stopped && state.auditPending && this._assets.get(state.assetId) === state
    rest.getBook(state.assetId).then(
      (snapshot) => {
        this._auditInFlight = false
        if (current()) this._finishAudit(state, snapshot)
      },
      (e: unknown) => {
        this._auditInFlight = false
        if (!current()) return
        state.auditPending = false
        state.buffer = []
        this.counters.auditFailures++
        const message = e instanceof Error ? e.message : String(e)
        this._log.warn(
          { conn: state.conn.id, assetId: state.assetId, err: message },
          'audit failed',
        )
      },
    )
  }

  private _finishAudit(state: AssetState, snapshot: RestBookSnapshot): void {
    const ours = this.market.book(state.assetId)
    const expected = OrderBook.empty(
      snapshot.assetId,
      ours?.tickSize ?? snapshot.tickSize ?? (100 as TickSize),
    )
    expected.replace(snapshot.bids, snapshot.asks, snapshot.tsVenue)
    for (const entry of state.buffer) {
      if (entry.tsVenue <= snapshot.tsVenue) continue
      const c = entry.change
      expected.setLevel(c.side, c.price, c.size, entry.tsVenue)
    }
    if (
      ours !== undefined &&
      sameLevels(ours.levels('bid'), expected.levels('bid')) &&
      sameLevels(ours.levels('ask'), expected.levels('ask'))
    ) {
      state.auditPending = false
      state.buffer = []
      this.counters.audits++
      return
    }
    this.counters.auditMismatches++
    this.counters.resyncs++
    const conn = state.conn.id
    const detail = `bids=${ours?.levelCount('bid') ?? 0}/${expected.levelCount('bid')} asks=${ours?.levelCount('ask') ?? 0}/${expected.levelCount('ask')}`
    this._log.warn({ conn, assetId: state.assetId, detail }, 'audit found a different book')
    this._marker('resync', conn, {
      asset_id: state.assetId,
      reason: 'audit_mismatch',
      detail,
      method: 'rest',
    })
    ours?.markStale('audit_mismatch')
    state.auditPending = false
    state.restPending = true
    this._recompute(state, 'audit_mismatch')
    this._applyRestBook(state, snapshot)
    this._recompute(state, 'rest snapshot')
  }

  private _derive(state: AssetState): AssetHealth {
    if (!state.conn.isOpen) return 'disconnected'
    if (state.awaiting || state.restPending) return 'resyncing'
    const book = this.market.book(state.assetId)
    if (book === undefined || !book.synced || book.stale) return 'stale'
    return 'live'
  }

  private _recompute(state: AssetState, reason: string): void {
    const to = this._derive(state)
    const from = state.health
    if (to === from) return
    state.health = to
    this.counters.healthTransitions++
    this.counters.transitionsTo[to]++
    const conn = state.conn.id
    const fields = { conn, assetId: state.assetId, from, to, reason }
    // A stop we asked for is lifecycle, not trouble: only unexpected degradation warns.
    if (to === 'live' || to === 'resyncing' || this._stopped) {
      this._log.info(fields, 'asset health changed')
    } else this._log.warn(fields, 'asset health changed')
    this._marker('note', conn, { note: 'health', asset_id: state.assetId, from, to, reason })
    this._options.onHealthChange?.({ assetId: state.assetId, conn, from, to, reason })
  }
}

function sameLevels(a: readonly Level[], b: readonly Level[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.price !== b[i]!.price || a[i]!.size !== b[i]!.size) return false
  }
  return true
}

function levelsJson(levels: RestBookSnapshot['bids']): { price: string; size: string }[] {
  return levels.map((level) => ({ price: formatPrice(level.price), size: formatSize(level.size) }))
}

/** A REST snapshot as the socket's `book` frame. */
function restBookFrame(snapshot: RestBookSnapshot): Record<string, unknown> {
  const frame: Record<string, unknown> = {
    event_type: 'book',
    asset_id: snapshot.assetId,
    market: snapshot.market,
    timestamp: String(snapshot.tsVenue),
    hash: snapshot.hash,
    bids: levelsJson(snapshot.bids),
    asks: levelsJson(snapshot.asks),
  }
  const tick = snapshot.tickSize === undefined ? undefined : TICK_SIZE_TEXT[snapshot.tickSize]
  if (tick !== undefined) frame.tick_size = tick
  return frame
}

function bestText(best: PriceTicks | null | undefined, none: string): string | undefined {
  if (best === undefined) return undefined
  return best === null ? none : formatPrice(best)
}

/** Buffered level changes of one event as a current-shape `price_change` frame. */
function priceChangeFrame(
  event: PriceChange,
  changes: readonly LevelChange[],
): Record<string, unknown> {
  return {
    event_type: 'price_change',
    market: event.market,
    timestamp: String(event.tsVenue),
    price_changes: changes.map((change) => {
      const entry: Record<string, unknown> = {
        asset_id: change.assetId,
        price: formatPrice(change.price),
        size: formatSize(change.size),
        side: change.side === 'bid' ? 'BUY' : 'SELL',
      }
      const bid = bestText(change.bestBid, '0')
      const ask = bestText(change.bestAsk, '1')
      if (bid !== undefined) entry.best_bid = bid
      if (ask !== undefined) entry.best_ask = ask
      return entry
    }),
  }
}
