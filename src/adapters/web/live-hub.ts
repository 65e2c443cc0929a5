/**
 * The live socket's hub: the engine tells it what changed, a flush timer (about one animation
 * frame) tells the pages.
 *
 * - Book changes only mark the token dirty ({@link LiveHub.bookChanged}: a map lookup and two
 *   typed-array writes, no allocation). Each flush serializes each dirty token's book once
 *   (top 50 levels) and sends every page one JSON array with the books it subscribed to, then
 *   the trades, alerts, signals, game events and latency figures queued since the last flush.
 * - The account (orders, positions, risk) is rebuilt at most once per flush after a change the
 *   order service reports (or, when the service cannot report changes, polled and sent when it
 *   differs).
 * - A page whose socket holds more than `maxBufferedBytes` unsent is skipped (books: latest
 *   state wins later); its non-coalesced messages wait in a bounded backlog, dropped beyond the
 *   bound. When it drains, it gets a fresh health and account, every subscribed book, and the
 *   backlog.
 */
import {
  ClientMessage,
  type AlertMessage,
  type GameEventMessage,
  type LatencyMessage,
  type SignalMessage,
  type TradeMessage,
} from '../../contracts/live.js'
import { bookMessageJson } from './book-message.js'
import { readClientMessage } from './client-message.js'
import { LiveClient, OPEN, type LiveSocket } from './live-client.js'
import { TradeTape } from './trade-tape.js'

import type {
  AccountSource,
  AlertLike,
  AlertSource,
  LiveConnection,
  LiveHubOptions,
  LiveHubSources,
} from './live-types.js'

export type { LiveSocket } from './live-client.js'
export type * from './live-types.js'

type Queued = { readonly json: string; readonly tokenId: string | null }

const MAX_QUEUED = 20_000
const RECENT_ALERTS = 50

export class LiveHub {
  readonly tape: TradeTape
  readonly counters = { flushes: 0, skipped: 0, dropped: 0, queueDropped: 0, badMessages: 0 }
  private readonly _s: LiveHubSources
  private readonly _o: Required<LiveHubOptions>
  private readonly _clients = new Set<LiveClient>()
  // Dirty books: token → slot; per slot a flag, the time applied; the dirty slots in order.
  private readonly _slot = new Map<string, number>()
  private _tokens: string[] = []
  private _dirty = new Uint8Array(64)
  private _appliedAt = new Float64Array(64)
  private _dirtyList = new Int32Array(64)
  private _dirtyCount = 0
  private readonly _books = new Map<string, string>()
  private _queue: Queued[] = []
  private _health: string | null = null
  private _healthPending: string | null = null
  private _account: string | null = null
  private _accountPending: string | null = null
  private _accountDirty = false
  private _accountBuilding = false
  private _accountSource: AccountSource | null = null
  private _accountPolled = false
  private _alertSource: AlertSource | null = null
  private readonly _unsubscribe: (() => void)[] = []
  private readonly _timers: NodeJS.Timeout[] = []
  private _stopped = false

  constructor(sources: LiveHubSources, options: LiveHubOptions = {}) {
    this._s = sources
    this._o = {
      flushMs: options.flushMs ?? 16,
      slowMs: options.slowMs ?? 250,
      latencyMs: options.latencyMs ?? 1_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 512 * 1024,
      maxBacklog: options.maxBacklog ?? 1_000,
      maxBacklogBytes: options.maxBacklogBytes ?? 1024 * 1024,
      maxClients: options.maxClients ?? 64,
      tapeCapacity: options.tapeCapacity ?? 500,
    }
    this.tape = new TradeTape(this._o.tapeCapacity)
  }

  get clientCount(): number {
    return this._clients.size
  }

  /** Starts the timers (unref'd: they never keep the process alive). */
  start(): void {
    if (this._timers.length > 0 || this._stopped) return
    const every = (ms: number, run: () => void): void => {
      const timer = setInterval(run, ms)
      timer.unref()
      this._timers.push(timer)
    }
    every(this._o.flushMs, () => this.flush())
    every(this._o.slowMs, () => this.tick())
    every(this._o.latencyMs, () => void this.sendLatency())
  }

  /** Stops the timers and closes every page's socket (1001, going away). */
  stop(): void {
    this._stopped = true
    for (const timer of this._timers) clearInterval(timer)
    this._timers.length = 0
    for (const off of this._unsubscribe) off()
    this._unsubscribe.length = 0
    for (const client of this._clients) client.socket.close(1001, 'daemon stopping')
    this._clients.clear()
  }

  // ---- engine side -----------------------------------------------------------------------------

  /** A token's book changed. O(1), no allocation once the token has been seen. */
  bookChanged(tokenId: string): void {
    let slot = this._slot.get(tokenId)
    if (slot === undefined) slot = this._register(tokenId)
    this._appliedAt[slot] = this._s.now()
    if (this._dirty[slot] === 0) {
      this._dirty[slot] = 1
      this._dirtyList[this._dirtyCount++] = slot
    }
  }

  trade(trade: TradeMessage): void {
    this.tape.add(trade)
    if (this._clients.size > 0) this._enqueue(JSON.stringify(trade), trade.tokenId)
  }

  signal(message: SignalMessage): void {
    if (this._clients.size > 0) this._enqueue(JSON.stringify(message), null)
  }

  gameEvent(message: GameEventMessage): void {
    if (this._clients.size > 0) this._enqueue(JSON.stringify(message), null)
  }

  alert(alert: AlertLike): void {
    if (this._clients.size > 0) this._enqueue(alertJson(alert), null)
  }

  /** Orders, fills, positions or risk changed: the account goes out within a flush or two. */
  accountChanged(): void {
    this._accountDirty = true
  }

  // ---- page side -------------------------------------------------------------------------------

  /** A page connected: it gets hello, health, account and recent alerts, then the flushes. */
  connect(socket: LiveSocket): LiveConnection {
    if (this._stopped || this._clients.size >= this._o.maxClients) {
      socket.close(
        1013,
        this._stopped ? 'daemon stopping' : 'too many live connections; close another tab',
      )
      return { receive: () => {}, closed: () => {} }
    }
    const client = new LiveClient(socket, {
      maxMessages: this._o.maxBacklog,
      maxBytes: this._o.maxBacklogBytes,
    })
    this._clients.add(client)
    this._greet(client).catch((e: unknown) => {
      this._s.log.error({ err: e instanceof Error ? e.message : String(e) }, 'live greeting failed')
      this._clients.delete(client)
      socket.close(1011, 'daemon error; see the daemon log')
    })
    return {
      receive: (text) => this._receive(client, text),
      closed: () => this._clients.delete(client),
    }
  }

  private async _greet(client: LiveClient): Promise<void> {
    const now = this._s.now()
    const parts = [JSON.stringify({ type: 'hello', serverTime: now, ...this._s.hello() })]
    parts.push(this._checkHealth(now))
    const source = this._attachAccount()
    if (source !== null) {
      const account = await this._buildAccount(source)
      if (account !== null) {
        parts.push(account)
        this._account ??= account
      }
    }
    const alerts = this._attachAlerts()
    if (alerts !== null) {
      // Oldest first, as they would have arrived.
      const recent = [...alerts.recent(RECENT_ALERTS)].sort((a, b) => a.ts - b.ts)
      for (const alert of recent) parts.push(alertJson(alert))
    }
    if (!this._clients.has(client)) return
    client.send(parts)
    client.ready = true
  }

  private _receive(client: LiveClient, text: string): void {
    const refuse = (reason: string): void => {
      this.counters.badMessages++
      this._clients.delete(client)
      client.socket.close(1008, reason.slice(0, 120))
    }
    const read = readClientMessage(
      text,
      ClientMessage,
      '{"type":"subscribe","tokens":[...]} or {"type":"ping","t":0}',
    )
    if (!read.ok) {
      refuse(read.reason)
      return
    }
    const message = read.message
    switch (message.type) {
      case 'subscribe':
        client.subscribe(message.tokens)
        return
      case 'ping':
        if (client.socket.readyState === OPEN) {
          client.socket.send(
            `[${JSON.stringify({ type: 'pong', t: message.t, serverTime: this._s.now() })}]`,
          )
        }
        return
    }
  }

  // ---- flushes ---------------------------------------------------------------------------------

  /** Sends every page what changed since the last flush (the timer calls it; tests too). */
  flush(): void {
    this.counters.flushes++
    this._books.clear()
    if (this._clients.size === 0) {
      this._clearDirty()
      this._queue.length = 0
      this._healthPending = null
      this._accountPending = null
      return
    }
    const queue = this._queue
    this._queue = []
    const health = this._healthPending
    const account = this._accountPending
    this._healthPending = null
    this._accountPending = null
    if (this._accountDirty && !this._accountBuilding) {
      const source = this._attachAccount()
      this._accountDirty = false
      if (source !== null) void this._refreshAccount(source, false)
    }

    for (const client of this._clients) {
      if (!client.ready || client.socket.bufferedAmount > this._o.maxBufferedBytes) {
        if (client.ready) {
          if (!client.behind) this.counters.skipped++
          client.behind = true
        }
        for (const m of queue) {
          if (!client.wants(m.tokenId)) continue
          const before = client.dropped
          client.keep(m.json)
          this.counters.dropped += client.dropped - before
        }
        continue
      }
      const parts: string[] = []
      if (client.behind) {
        client.behind = false
        client.lost = false
        parts.push(this._healthJson(this._s.now()))
        if (this._account !== null) parts.push(this._account)
        for (const token of client.subs) this._pushBook(parts, token)
      } else {
        if (health !== null) parts.push(health)
        if (account !== null) parts.push(account)
        for (const token of client.fresh) if (client.subs.has(token)) this._pushBook(parts, token)
        for (const token of client.subs) {
          // Books are built only for tokens some page wants, once per flush (cached).
          const slot = this._slot.get(token)
          if (slot === undefined || this._dirty[slot] === 0) continue
          if (client.fresh.includes(token)) continue
          this._pushBook(parts, token)
        }
      }
      client.fresh.length = 0
      client.drainInto(parts)
      for (const m of queue) if (client.wants(m.tokenId)) parts.push(m.json)
      client.send(parts)
    }
    this._clearDirty()
  }

  private _clearDirty(): void {
    for (let i = 0; i < this._dirtyCount; i++) this._dirty[this._dirtyList[i]!] = 0
    this._dirtyCount = 0
  }

  /** Health check, source attachment and the account poll (the slow timer calls it). */
  tick(): void {
    if (this._clients.size === 0) return
    this._checkHealth(this._s.now())
    this._attachAlerts()
    const source = this._attachAccount()
    if (source !== null && this._accountPolled && !this._accountBuilding) {
      void this._refreshAccount(source, true)
    }
  }

  /** Queues the per-stage latency figures for every page. */
  async sendLatency(): Promise<void> {
    if (this._clients.size === 0) return
    try {
      const stages = await this._s.latency()
      const message: LatencyMessage = { type: 'latency', ts: this._s.now(), stages }
      this._enqueue(JSON.stringify(message), null)
    } catch (e) {
      this._s.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'latency read failed')
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private _register(tokenId: string): number {
    const slot = this._tokens.length
    this._tokens.push(tokenId)
    this._slot.set(tokenId, slot)
    if (slot >= this._dirty.length) {
      const size = this._dirty.length * 2
      const dirty = new Uint8Array(size)
      dirty.set(this._dirty)
      this._dirty = dirty
      const applied = new Float64Array(size)
      applied.set(this._appliedAt)
      this._appliedAt = applied
      const list = new Int32Array(size)
      list.set(this._dirtyList)
      this._dirtyList = list
    }
    return slot
  }

  private _enqueue(json: string, tokenId: string | null): void {
    if (this._queue.length >= MAX_QUEUED) {
      this.counters.queueDropped++
      return
    }
    this._queue.push({ json, tokenId })
  }

  private _bookJson(tokenId: string, appliedAt: number): string | null {
    const book = this._s.book(tokenId)
    if (book === undefined) return null
    return bookMessageJson(book, this._s.marketOf(tokenId), this._s.healthOf(tokenId), appliedAt)
  }

  /** The token's book now, built at most once per flush. */
  private _pushBook(parts: string[], tokenId: string): void {
    let json = this._books.get(tokenId)
    if (json === undefined) {
      const slot = this._slot.get(tokenId)
      const applied = slot === undefined ? this._s.now() : this._appliedAt[slot]!
      json = this._bookJson(tokenId, applied) ?? undefined
      if (json === undefined) return
      this._books.set(tokenId, json)
    }
    parts.push(json)
  }

  /** The health message now; queued for every page when the state changed since last time. */
  private _checkHealth(now: number): string {
    const json = this._healthJson(now)
    // Compare without the timestamp: only a change of state is news.
    const state = json.slice(0, json.lastIndexOf(',"ts":'))
    if (state !== this._health) {
      if (this._health !== null) this._healthPending = json
      this._health = state
    }
    return json
  }

  private _healthJson(now: number): string {
    let books = ''
    for (const token of this._s.tokens()) {
      books += `${books === '' ? '' : ','}${JSON.stringify(token)}:"${this._s.healthOf(token)}"`
    }
    return `{"type":"health","books":{${books}},"feed":"${this._s.feedState()}","ts":${now}}`
  }

  private _attachAccount(): AccountSource | null {
    if (this._accountSource !== null) return this._accountSource
    const source = this._s.account()
    if (source === null) return null
    this._accountSource = source
    if (typeof source.subscribe === 'function') {
      this._unsubscribe.push(source.subscribe(() => this.accountChanged()))
    } else {
      this._accountPolled = true
    }
    this._accountDirty = true
    return source
  }

  private _attachAlerts(): AlertSource | null {
    if (this._alertSource !== null) return this._alertSource
    const source = this._s.alerts()
    if (source === null) return null
    this._alertSource = source
    this._unsubscribe.push(source.subscribe((alert) => this.alert(alert)))
    return source
  }

  private async _buildAccount(source: AccountSource): Promise<string | null> {
    try {
      const bodies = await source.build()
      return JSON.stringify({ type: 'account', ...bodies, ts: this._s.now() })
    } catch (e) {
      this._s.log.error(
        { err: e instanceof Error ? e.message : String(e) },
        'cannot build the account for the live socket',
      )
      return null
    }
  }

  /** Rebuilds the account; when `onlyIfChanged`, sends it only when it differs from the last. */
  private async _refreshAccount(source: AccountSource, onlyIfChanged: boolean): Promise<void> {
    this._accountBuilding = true
    try {
      const json = await this._buildAccount(source)
      if (json === null) return
      const body = (text: string): string => text.slice(0, text.lastIndexOf(',"ts":'))
      if (onlyIfChanged && this._account !== null && body(json) === body(this._account)) return
      this._account = json
      this._accountPending = json
    } finally {
      this._accountBuilding = false
    }
  }
}

function alertJson(alert: AlertLike): string {
  const message: AlertMessage = {
    type: 'alert',
    id: alert.id,
    ts: alert.ts,
    severity: alert.severity,
    code: alert.code,
    message: alert.message,
    market: alert.market,
  }
  return JSON.stringify(message)
}
