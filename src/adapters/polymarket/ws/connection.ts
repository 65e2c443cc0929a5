/**
 * One socket to the Polymarket market channel, kept alive for as long as it is wanted.
 *
 * - Right after open it sends the subscribe frame for every asset it holds (the venue may drop
 *   an idle, unsubscribed socket); the `book` snapshots that follow are the only confirmation.
 * - Assets can be added, removed and resubscribed (unsubscribe + subscribe, which makes the
 *   venue send a fresh snapshot) on the open socket.
 * - Keep-alive: the bare text `PING` every `pingIntervalMs`; the venue answers `PONG`.
 * - Watchdog: after `silenceTimeoutMs` without any inbound frame (PONG included) the socket is
 *   killed, since a half-open TCP connection never reports its own death.
 * - Data watchdog (optional): sockets have been seen to freeze with PONGs still flowing, so
 *   after `dataSilenceMs` without any frame other than `PONG` the socket is replaced too.
 * - Reconnect: capped exponential backoff with jitter; every reconnect resubscribes, so every
 *   book starts again from a snapshot.
 *
 * Every log line carries the connection id (`c1`, `c2`, ...). Timers and randomness are
 * injectable so tests can use short intervals.
 */
import WebSocket from 'ws'
import type { Logger } from '../../log.js'
import { silentLogger } from '../../log.js'
import {
  POLYMARKET_PING,
  POLYMARKET_PONG,
  type PolymarketMarketSubscribeFrame,
  type PolymarketMarketSubscriptionUpdateFrame,
} from './messages.js'

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped'

/** Timer functions; the defaults are the global ones. */
export type ConnectionTimers = {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export type BackoffOptions = {
  /** First delay before reconnecting; default 500 ms. */
  readonly initialMs?: number
  /** Largest delay; default 30 s. */
  readonly maxMs?: number
}

export type OpenInfo = { readonly conn: string; readonly url: string; readonly attempt: number }

export type CloseInfo = {
  readonly conn: string
  /** WebSocket close code (1006 when the socket died or was killed). */
  readonly code: number
  /** Why: the venue's close reason, `silence`, `stopped`, or the socket error. */
  readonly reason: string
  /** Delay before the next attempt; null when the connection is stopped. */
  readonly reconnectInMs: number | null
}

export type SubscriptionInfo = {
  readonly conn: string
  readonly operation: 'subscribe' | 'unsubscribe'
  readonly assetIds: readonly string[]
  /** True for the first frame after open (the full list). */
  readonly initial: boolean
}

/** Callbacks; they run synchronously and must not throw. */
export type ConnectionListener = {
  /** Every inbound text frame, with its local receive time (epoch ms). */
  onFrame?(text: string, tLocal: number, conn: string): void
  onOpen?(info: OpenInfo): void
  onClose?(info: CloseInfo): void
  /** A subscribe or unsubscribe frame was sent. */
  onSubscription?(info: SubscriptionInfo): void
}

export type MarketConnectionOptions = {
  readonly url: string
  /** Connection id used in logs and capture markers, e.g. `c1`. */
  readonly id: string
  readonly assetIds?: readonly string[]
  /** Default 10 s. */
  readonly pingIntervalMs?: number
  /** Kill the socket after this long without an inbound frame; default 30 s. */
  readonly silenceTimeoutMs?: number
  /** Replace the socket after this long without a data frame (PONG does not count); default off. */
  readonly dataSilenceMs?: number
  readonly backoff?: BackoffOptions
  /** Uniform in [0, 1); jitter source. */
  readonly random?: () => number
  readonly timers?: ConnectionTimers
  /** Wall clock for frame receive times. */
  readonly now?: () => number
  readonly log?: Logger
  readonly listener?: ConnectionListener
}

export const DEFAULT_PING_INTERVAL_MS = 10_000
export const DEFAULT_SILENCE_TIMEOUT_MS = 30_000
const DEFAULT_BACKOFF_INITIAL_MS = 500
const DEFAULT_BACKOFF_MAX_MS = 30_000
/** How long `stop()` waits for the closing handshake before killing the socket. */
const CLOSE_GRACE_MS = 1_000

const GLOBAL_TIMERS: ConnectionTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

function checkPositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`market connection option ${name} must be a positive number, got ${value}`)
  }
  return value
}

/**
 * Delay before reconnect attempt `attempt` (1 = first retry): the capped exponential step
 * `initial × 2^(attempt-1)`, of which the upper half is jittered ("equal jitter"), so
 * clients that dropped together do not return together.
 */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(step / 2 + (random() * step) / 2)
}

/** The text of a message; the venue sends text frames, but a binary one is decoded as UTF-8. */
function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

export class MarketConnection {
  readonly id: string
  readonly url: string
  private readonly _assets = new Set<string>()
  private readonly _pingMs: number
  private readonly _silenceMs: number
  private readonly _dataSilenceMs: number | null
  private readonly _backoffInitialMs: number
  private readonly _backoffMaxMs: number
  private readonly _random: () => number
  private readonly _timers: ConnectionTimers
  private readonly _now: () => number
  private readonly _log: Logger
  private readonly _listener: ConnectionListener
  private _state: ConnectionState = 'idle'
  private _socket: WebSocket | null = null
  private _pingTimer: unknown = null
  private _silenceTimer: unknown = null
  private _dataTimer: unknown = null
  private _retryTimer: unknown = null
  /** Failed attempts since the last connection that delivered a frame. */
  private _failures = 0
  private _attempts = 0
  /** Why we are killing the current socket, when it is us. */
  private _killReason: string | null = null
  private _stopped: Promise<void> | null = null
  private _resolveStopped: (() => void) | null = null
  readonly counters = {
    connects: 0,
    disconnects: 0,
    frames: 0,
    pings: 0,
    silenceKills: 0,
    dataSilenceKills: 0,
  }

  constructor(options: MarketConnectionOptions) {
    this.id = options.id
    this.url = options.url
    for (const id of options.assetIds ?? []) this._assets.add(id)
    this._pingMs = checkPositive(
      'pingIntervalMs',
      options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    )
    this._silenceMs = checkPositive(
      'silenceTimeoutMs',
      options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS,
    )
    this._dataSilenceMs =
      options.dataSilenceMs === undefined
        ? null
        : checkPositive('dataSilenceMs', options.dataSilenceMs)
    this._backoffInitialMs = checkPositive(
      'backoff.initialMs',
      options.backoff?.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS,
    )
    this._backoffMaxMs = checkPositive(
      'backoff.maxMs',
      options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS,
    )
    this._random = options.random ?? Math.random
    this._timers = options.timers ?? GLOBAL_TIMERS
    this._now = options.now ?? Date.now
    this._log = (options.log ?? silentLogger()).child({ component: 'polymarket-ws', conn: this.id })
    this._listener = options.listener ?? {}
  }

  get state(): ConnectionState {
    return this._state
  }

  get isOpen(): boolean {
    return this._state === 'open'
  }

  get assetIds(): readonly string[] {
    return [...this._assets]
  }

  get size(): number {
    return this._assets.size
  }

  /** Opens the socket (and keeps reopening it until {@link stop}). */
  start(): void {
    if (this._state !== 'idle') return
    this._connect()
  }

  /** Adds assets; on an open socket they are subscribed at once (snapshots follow). */
  subscribe(assetIds: readonly string[]): void {
    const added = assetIds.filter((id) => !this._assets.has(id))
    for (const id of added) this._assets.add(id)
    if (added.length > 0) this._sendUpdate('subscribe', added)
  }

  /** Removes assets; on an open socket they are unsubscribed at once. */
  unsubscribe(assetIds: readonly string[]): void {
    const removed = assetIds.filter((id) => this._assets.has(id))
    for (const id of removed) this._assets.delete(id)
    if (removed.length > 0) this._sendUpdate('unsubscribe', removed)
  }

  /**
   * Unsubscribes and subscribes again, which makes the venue send a fresh snapshot. Returns
   * false when the socket is not open (the next reconnect resubscribes everything anyway).
   */
  resubscribe(assetIds: readonly string[]): boolean {
    const held = assetIds.filter((id) => this._assets.has(id))
    if (held.length === 0 || !this.isOpen) return false
    this._sendUpdate('unsubscribe', held)
    this._sendUpdate('subscribe', held)
    return true
  }

  /** Closes the socket for good; resolves once it is closed. Idempotent. */
  stop(): Promise<void> {
    if (this._stopped !== null) return this._stopped
    this._stopped = new Promise<void>((resolve) => {
      this._resolveStopped = resolve
    })
    const socket = this._socket
    this._state = 'stopped'
    this._clearTimers()
    if (socket === null || socket.readyState === WebSocket.CLOSED) {
      this._finishStop()
    } else {
      this._killReason = 'stopped'
      if (socket.readyState === WebSocket.OPEN) {
        socket.close(1000, 'client stopping')
        // A venue that never answers the closing handshake must not hold us up.
        this._silenceTimer = this._timers.setTimeout(() => socket.terminate(), CLOSE_GRACE_MS)
      } else {
        socket.terminate()
      }
    }
    return this._stopped
  }

  private _finishStop(): void {
    this._clearTimers()
    this._resolveStopped?.()
    this._resolveStopped = null
  }

  private _connect(): void {
    this._attempts++
    this._state = 'connecting'
    this._killReason = null
    const attempt = this._attempts
    this._log.info({ url: this.url, attempt }, 'connecting')
    let socket: WebSocket
    try {
      socket = new WebSocket(this.url, { handshakeTimeout: this._silenceMs })
    } catch (e) {
      // A malformed URL throws synchronously; the caller validated it, so treat it as a failure.
      this._log.error({ err: e }, 'cannot create socket')
      this._onClosed(1006, e instanceof Error ? e.message : String(e))
      return
    }
    this._socket = socket
    let lastError: string | null = null
    socket.on('open', () => this._onOpen(socket, attempt))
    socket.on('message', (data) => {
      if (socket !== this._socket) return
      this._onMessage(rawText(data))
    })
    socket.on('error', (e) => {
      lastError = e.message
      this._log.warn({ err: e.message }, 'socket error')
    })
    socket.on('close', (code, reason) => {
      if (socket !== this._socket) return
      const why = this._killReason ?? (reason.length > 0 ? reason.toString('utf8') : lastError)
      this._onClosed(code, why ?? 'closed by venue')
    })
  }

  private _onOpen(socket: WebSocket, attempt: number): void {
    if (socket !== this._socket || this._state !== 'connecting') return
    this._state = 'open'
    this.counters.connects++
    this._log.info({ url: this.url, attempt, assets: this._assets.size }, 'connected')
    this._listener.onOpen?.({ conn: this.id, url: this.url, attempt })
    const assetIds = [...this._assets]
    const frame: PolymarketMarketSubscribeFrame = {
      assets_ids: assetIds,
      type: 'market',
      initial_dump: true,
      custom_feature_enabled: true,
    }
    this._send(JSON.stringify(frame))
    this._log.info({ assets: assetIds.length }, 'subscribed')
    this._listener.onSubscription?.({
      conn: this.id,
      operation: 'subscribe',
      assetIds,
      initial: true,
    })
    this._armSilence()
    this._armDataSilence()
    this._schedulePing()
  }

  private _onMessage(text: string): void {
    this.counters.frames++
    this._failures = 0
    this._armSilence()
    if (text !== POLYMARKET_PONG) this._armDataSilence()
    this._log.trace({ bytes: text.length }, 'frame')
    this._listener.onFrame?.(text, this._now(), this.id)
  }

  private _onClosed(code: number, reason: string): void {
    this._socket = null
    this._clearTimers()
    const wasOpen = this._state === 'open'
    if (wasOpen) this.counters.disconnects++
    if (this._state === 'stopped') {
      this._log.info({ code, reason }, 'closed')
      this._listener.onClose?.({ conn: this.id, code, reason, reconnectInMs: null })
      this._finishStop()
      return
    }
    this._failures++
    const delayMs = backoffDelayMs(
      this._failures,
      this._backoffInitialMs,
      this._backoffMaxMs,
      this._random,
    )
    this._state = 'waiting'
    this._log.warn(
      { code, reason, reconnectInMs: delayMs, failures: this._failures },
      'disconnected',
    )
    this._listener.onClose?.({ conn: this.id, code, reason, reconnectInMs: delayMs })
    // The listener may have stopped us.
    if (this._state !== 'waiting') return
    this._retryTimer = this._timers.setTimeout(() => {
      this._retryTimer = null
      if (this._state === 'waiting') this._connect()
    }, delayMs)
  }

  private _sendUpdate(operation: 'subscribe' | 'unsubscribe', assetIds: readonly string[]): void {
    if (!this.isOpen) return
    const frame: PolymarketMarketSubscriptionUpdateFrame =
      operation === 'subscribe'
        ? { operation, assets_ids: assetIds, custom_feature_enabled: true }
        : { operation, assets_ids: assetIds }
    this._send(JSON.stringify(frame))
    this._log.info({ operation, assets: assetIds.length }, 'subscription changed')
    this._listener.onSubscription?.({ conn: this.id, operation, assetIds, initial: false })
  }

  private _send(text: string): void {
    const socket = this._socket
    if (socket === null || socket.readyState !== WebSocket.OPEN) return
    socket.send(text, (e) => {
      if (e != null) this._log.warn({ err: e.message }, 'send failed')
    })
  }

  private _schedulePing(): void {
    this._pingTimer = this._timers.setTimeout(() => {
      this._pingTimer = null
      if (!this.isOpen) return
      this.counters.pings++
      this._send(POLYMARKET_PING)
      this._schedulePing()
    }, this._pingMs)
  }

  private _armSilence(): void {
    if (this._silenceTimer !== null) this._timers.clearTimeout(this._silenceTimer)
    this._silenceTimer = this._timers.setTimeout(() => {
      this._silenceTimer = null
      const socket = this._socket
      if (socket === null || this._state !== 'open') return
      this.counters.silenceKills++
      this._log.warn({ silenceMs: this._silenceMs }, 'no inbound frame, killing socket')
      this._killReason = 'silence'
      socket.terminate()
    }, this._silenceMs)
  }

  private _armDataSilence(): void {
    const limitMs = this._dataSilenceMs
    if (limitMs === null) return
    if (this._dataTimer !== null) this._timers.clearTimeout(this._dataTimer)
    this._dataTimer = this._timers.setTimeout(() => {
      this._dataTimer = null
      const socket = this._socket
      if (socket === null || this._state !== 'open') return
      this.counters.dataSilenceKills++
      this._log.warn({ dataSilenceMs: limitMs }, 'no data frame, replacing socket')
      this._killReason = 'no data'
      socket.terminate()
    }, limitMs)
  }

  private _clearTimers(): void {
    for (const handle of [this._pingTimer, this._silenceTimer, this._retryTimer, this._dataTimer]) {
      if (handle !== null) this._timers.clearTimeout(handle)
    }
    this._pingTimer = null
    this._silenceTimer = null
    this._retryTimer = null
    this._dataTimer = null
  }
}
