/**
 * One page's playback over `/ws/playback` (protocol in contracts/playback.ts): a
 * {@link PlaybackSession} on the capture the page opened, moved by the page's seeks and by a
 * pacing timer while playing.
 *
 * Pacing. While playing, every flush (about one animation frame, 16 ms) moves the session to
 * `anchor venue time + elapsed wall time × speed` and sends what changed: the latest book of
 * each followed token that changed (at most one per token per flush, as the live hub does),
 * every trade of a followed token in order, and the new time. A flush never starts while the
 * one before is still reading, so a slow disk delays frames instead of piling them up.
 *
 * Order. Opens, seeks, selections and flushes run one at a time in arrival order. Seeks are
 * coalesced: while one runs, only the latest seek asked for is kept, so a scrub costs one seek
 * per round trip of the disk, not one per mouse move.
 *
 * Backpressure. When the page's socket holds more than `maxBufferedBytes` unsent, flushes send
 * nothing: changed books stay marked (the latest state goes out later) and trades wait in a
 * bounded queue (the oldest are dropped past it).
 */
import {
  MAX_PLAYBACK_SPEED,
  PlaybackClientMessage,
  type PlaybackState,
  type PlaybackStatus,
} from '../../contracts/playback.js'
import type { BookHealth, BookMessage, TradeMessage } from '../../contracts/live.js'
import type { MarketEvent } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { MarketDataListener } from '../../engine/market-data.js'
import { PlaybackSession } from '../../engine/playback/playback-session.js'
import type { PlaybackTrade } from '../../engine/playback/trade-log.js'
import { bookMessageJson } from './book-message.js'
import { readClientMessage } from './client-message.js'
import { OPEN, type LiveSocket } from './live-client.js'
import type { DashboardDeps, OpenedCapture } from './playback-types.js'

const STATE_TRADES = 50
const DEFAULT_FOLLOWED = 2

export type PlaybackStreamOptions = {
  /** Flush interval while playing; default 16 ms. */
  readonly flushMs?: number
  /** Default 512 KiB. */
  readonly maxBufferedBytes?: number
  /** Trades kept while the page is backed up; default 1000. */
  readonly maxQueuedTrades?: number
  /** False: no timer; the caller calls {@link PlaybackStream.flush} (tests). Default true. */
  readonly timer?: boolean
}

type Opened = {
  readonly name: string
  readonly capture: OpenedCapture
  readonly session: PlaybackSession
  readonly first: number
  readonly last: number
}

export class PlaybackStream {
  readonly counters = { flushes: 0, skipped: 0, droppedTrades: 0, seeks: 0, coalescedSeeks: 0 }
  private readonly _o: Required<PlaybackStreamOptions>
  private _open: Opened | null = null
  private _tokens = new Set<string>()
  private _playing = false
  private _speed = 1
  private _anchorWall = 0
  private _anchorVenue = 0
  private readonly _dirty = new Set<string>()
  private _trades: string[] = []
  private _chain: Promise<void> = Promise.resolve()
  private _flushing = false
  private _pendingSeek: { t: number; seq: number | null } | null = null
  private _timer: NodeJS.Timeout | null = null
  private _closed = false

  private readonly _listener: MarketDataListener = {
    onBookChanged: (book: BookView) => {
      if (this._tokens.has(book.assetId)) this._dirty.add(book.assetId)
    },
    onEvent: (event: MarketEvent) => {
      if (event.type !== 'last_trade_price' || !this._tokens.has(event.assetId)) return
      const message: TradeMessage = {
        type: 'trade',
        tokenId: event.assetId,
        market: event.market,
        ts: event.tsVenue,
        price: event.price,
        size: event.size,
        side: event.side,
      }
      if (this._trades.length >= this._o.maxQueuedTrades) {
        this._trades.shift()
        this.counters.droppedTrades++
      }
      this._trades.push(JSON.stringify(message))
    },
  }

  constructor(
    private readonly _socket: LiveSocket,
    private readonly _deps: DashboardDeps,
    options: PlaybackStreamOptions = {},
  ) {
    this._o = {
      flushMs: options.flushMs ?? 16,
      maxBufferedBytes: options.maxBufferedBytes ?? 512 * 1024,
      maxQueuedTrades: options.maxQueuedTrades ?? 1_000,
      timer: options.timer ?? true,
    }
  }

  get playing(): boolean {
    return this._playing
  }

  /** Resolves once every request received so far has been served. */
  idle(): Promise<void> {
    return this._chain
  }

  /** A text frame from the page. */
  receive(text: string): void {
    if (this._closed) return
    const refuse = (reason: string): void => {
      this.closed()
      this._socket.close(1008, reason.slice(0, 120))
    }
    const read = readClientMessage(
      text,
      PlaybackClientMessage,
      '{"type":"open","capture":"<name>"} and the like',
    )
    if (!read.ok) {
      refuse(read.reason)
      return
    }
    const message = read.message
    switch (message.type) {
      case 'ping':
        this._send([JSON.stringify({ type: 'pong', t: message.t, serverTime: this._deps.now() })])
        return
      case 'open':
        void this._run(() => this._openCapture(message.capture, message.tokens))
        return
      case 'select':
        void this._run(() => this._select(message.tokens))
        return
      case 'seek':
        if (this._pendingSeek !== null) this.counters.coalescedSeeks++
        else void this._run(() => this._seek())
        this._pendingSeek = { t: message.t, seq: message.seq ?? null }
        return
      case 'play':
        void this._run(() => this._play(message.speed))
        return
      case 'pause':
        void this._run(() => this._pause('pause'))
        return
    }
  }

  /** The socket closed: stops the timer and releases the session. */
  closed(): void {
    if (this._closed) return
    this._closed = true
    this._stopTimer()
    const open = this._open
    this._open = null
    if (open !== null) void this._run(() => open.session.close(), true)
  }

  /**
   * One pacing step while playing: moves the time on and sends what changed. The timer calls
   * it; tests with `timer: false` call it themselves.
   */
  flush(): Promise<void> {
    if (!this._playing || this._flushing || this._closed) return Promise.resolve()
    this._flushing = true
    const run = this._run(async () => {
      try {
        await this._step()
      } finally {
        this._flushing = false
      }
    })
    return run
  }

  // ---- requests --------------------------------------------------------------------------------

  private async _openCapture(name: string, tokens: readonly string[] | undefined): Promise<void> {
    this._pauseQuietly()
    const previous = this._open
    this._open = null
    await previous?.session.close()
    const capture = await this._deps.captures.open(name, (stage, fraction, frames) =>
      this._send([JSON.stringify({ type: 'progress', capture: name, stage, fraction, frames })]),
    )
    if (this._closed) return
    const session = await PlaybackSession.open(capture.source, capture.parser, {
      listener: this._listener,
      tradesLimit: STATE_TRADES,
    })
    const detail = capture.detail
    const first = detail.first_ms ?? 0
    const last = detail.last_ms ?? first
    this._open = { name, capture, session, first, last }
    const known = detail.tokens
    const wanted = tokens ?? known.slice(0, DEFAULT_FOLLOWED)
    this._tokens = new Set(wanted.filter((t) => known.includes(t)))
    this._send([JSON.stringify({ type: 'opened', capture: detail, tokens: [...this._tokens] })])
    this._reportUnknown(wanted, known)
    await session.seek(first)
    this._sendState(null)
  }

  private async _select(tokens: readonly string[]): Promise<void> {
    const open = this._requireOpen()
    if (open === null) return
    const known = open.capture.detail.tokens
    this._tokens = new Set(tokens.filter((t) => known.includes(t)))
    this._reportUnknown(tokens, known)
    this._dirty.clear()
    this._trades = []
    await Promise.resolve()
    this._sendState(null)
  }

  private async _seek(): Promise<void> {
    const wanted = this._pendingSeek
    this._pendingSeek = null
    const open = this._requireOpen()
    if (wanted === null || open === null) return
    const t = Math.min(open.last, Math.max(open.first, wanted.t))
    await open.session.seek(t)
    this.counters.seeks++
    this._dirty.clear()
    this._trades = []
    if (this._playing) this._anchor(t)
    this._sendState(wanted.seq)
  }

  private async _play(speed: number): Promise<void> {
    const open = this._requireOpen()
    if (open === null) return
    this._speed = speed
    this._playing = true
    this._anchor(Math.max(open.first, this._time(open)))
    if (this._o.timer && this._timer === null) {
      this._timer = setInterval(() => void this.flush(), this._o.flushMs)
      this._timer.unref()
    }
    await Promise.resolve()
    this._sendStatus('play')
  }

  private async _pause(reason: PlaybackStatus['reason']): Promise<void> {
    const open = this._requireOpen()
    if (open === null) return
    this._pauseQuietly()
    this._sendChanges(open)
    await Promise.resolve()
    this._sendStatus(reason)
  }

  private async _step(): Promise<void> {
    const open = this._open
    if (open === null || !this._playing) return
    const elapsed = this._deps.now() - this._anchorWall
    const target = Math.min(open.last, Math.floor(this._anchorVenue + elapsed * this._speed))
    if (target > open.session.time) await open.session.advance(target)
    this.counters.flushes++
    if (!this._sendChanges(open)) this.counters.skipped++
    if (target >= open.last) {
      this._pauseQuietly()
      this._sendStatus('end')
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Runs `task` after every earlier one; a failure is told to the page, never thrown. */
  private _run(task: () => Promise<void>, evenClosed = false): Promise<void> {
    const run = this._chain.then(async () => {
      if (this._closed && !evenClosed) return
      try {
        await task()
      } catch (e) {
        this._fail(e)
      }
    })
    this._chain = run
    return run
  }

  private _fail(e: unknown): void {
    const code = (e as { code?: unknown }).code
    const message = e instanceof Error ? e.message : String(e)
    if (code === 'CAPTURE_NOT_FOUND' || code === 'CAPTURE_UNREADABLE') {
      this._sendError(code, message)
      return
    }
    this._deps.log.error({ err: message }, 'playback request failed')
    this._sendError('INTERNAL', `playback failed: ${message}; see the daemon log`)
  }

  private _requireOpen(): Opened | null {
    if (this._open === null) {
      this._sendError('NOT_OPEN', 'open a capture first: {"type":"open","capture":"<name>"}')
    }
    return this._open
  }

  private _reportUnknown(asked: readonly string[], known: readonly string[]): void {
    const unknown = asked.filter((t) => !known.includes(t))
    if (unknown.length === 0) return
    this._sendError(
      'UNKNOWN_TOKEN',
      `not in this capture: ${unknown.slice(0, 5).join(', ')}; its tokens: ${known.slice(0, 20).join(', ')}`,
    )
  }

  private _anchor(venueMs: number): void {
    this._anchorWall = this._deps.now()
    this._anchorVenue = venueMs
  }

  private _pauseQuietly(): void {
    this._playing = false
    this._stopTimer()
  }

  private _stopTimer(): void {
    if (this._timer !== null) clearInterval(this._timer)
    this._timer = null
  }

  private _time(open: Opened): number {
    const t = open.session.time
    return Number.isFinite(t) ? t : open.first
  }

  /** Sends changed books, queued trades and the time; false when the page is backed up. */
  private _sendChanges(open: Opened): boolean {
    if (this._socket.bufferedAmount > this._o.maxBufferedBytes) return false
    const parts: string[] = []
    const now = this._deps.now()
    for (const token of this._dirty) {
      const json = this._bookJson(open, token, now)
      if (json !== null) parts.push(json)
    }
    this._dirty.clear()
    for (const trade of this._trades) parts.push(trade)
    this._trades = []
    parts.push(JSON.stringify({ type: 'clock', t: this._time(open) }))
    this._send(parts)
    return true
  }

  private _sendState(seq: number | null): void {
    const open = this._open
    if (open === null) return
    const now = this._deps.now()
    const session = open.session
    const books: BookMessage[] = []
    for (const token of this._tokens) {
      const json = this._bookJson(open, token, now)
      if (json !== null) books.push(JSON.parse(json) as BookMessage)
    }
    const trades: PlaybackTrade[] = []
    for (const token of this._tokens) trades.push(...session.trades(STATE_TRADES, token))
    trades.sort((a, b) => a.clock - b.clock)
    const view = session.view()
    const t = this._time(open)
    const state: PlaybackState = {
      type: 'state',
      t,
      clock: view.clock,
      seq,
      playing: this._playing,
      speed: this._speed,
      at_end: view.atEnd || t >= open.last,
      books,
      trades: trades.slice(-STATE_TRADES).map((trade) => ({
        type: 'trade',
        tokenId: trade.assetId,
        market: open.capture.marketOf(trade.assetId),
        ts: trade.tsVenue,
        price: trade.price,
        size: trade.size,
        side: trade.side,
      })),
    }
    this._send([JSON.stringify(state)])
  }

  private _sendStatus(reason: PlaybackStatus['reason']): void {
    const open = this._open
    if (open === null) return
    const t = this._time(open)
    const status: PlaybackStatus = {
      type: 'status',
      t,
      playing: this._playing,
      speed: Math.min(this._speed, MAX_PLAYBACK_SPEED),
      at_end: open.session.atEnd || t >= open.last,
      reason,
    }
    this._send([JSON.stringify(status)])
  }

  private _sendError(code: string, message: string): void {
    this._send([JSON.stringify({ type: 'error', code, message })])
  }

  private _bookJson(open: Opened, token: string, now: number): string | null {
    const book = open.session.market.book(token)
    if (book === undefined) return null
    const health: BookHealth = book.synced && !book.stale ? 'live' : 'stale'
    return bookMessageJson(book, open.capture.marketOf(token), health, now)
  }

  private _send(parts: readonly string[]): void {
    if (parts.length === 0 || this._socket.readyState !== OPEN) return
    this._socket.send(`[${parts.join(',')}]`)
  }
}
