/**
 * The page's one live socket (`/ws`): connects, re-sends the subscription after every
 * reconnect, pings every 5 s (the answer gives the round trip), and reconnects with capped
 * exponential backoff when the socket drops or stays silent. Each valid message goes to
 * `onMessage`; malformed ones are dropped with a console warning.
 */
import { ServerMessage, type ClientMessage } from '../../../src/contracts/live.js'
import { reconnectDelay } from '../state/backoff.js'
import type { SocketState } from '../state/health.js'

export const PING_INTERVAL_MS = 5000
/** No message at all for this long (pings are answered at once) means the socket is dead. */
export const SILENCE_LIMIT_MS = 15_000

export interface LiveSocketHandlers {
  onMessage(message: ServerMessage): void
  onState(state: SocketState, detail: { attempt: number; retryInMs: number | null }): void
  onRoundTrip(ms: number): void
}

export class LiveSocket {
  private _socket: WebSocket | null = null
  private _tokens: string[] = []
  private _attempt = 0
  private _retryTimer: ReturnType<typeof setTimeout> | null = null
  private _pingTimer: ReturnType<typeof setInterval> | null = null
  private _lastMessageAt = 0
  private _stopped = false

  constructor(
    private readonly _url: string,
    private readonly _handlers: LiveSocketHandlers,
  ) {}

  start(): void {
    this._stopped = false
    this._open()
  }

  stop(): void {
    this._stopped = true
    this._clearTimers()
    const socket = this._socket
    this._socket = null
    socket?.close(1000, 'page closed')
    this._handlers.onState('closed', { attempt: 0, retryInMs: null })
  }

  /** Replaces the subscribed tokens (kept for reconnects). */
  subscribe(tokens: readonly string[]): void {
    this._tokens = tokens.slice(0, 20)
    this._send({ type: 'subscribe', tokens: this._tokens })
  }

  /** Drops the socket now and reconnects at once (the "reconnect" button). */
  reconnectNow(): void {
    this._attempt = 0
    this._clearTimers()
    const socket = this._socket
    this._socket = null
    socket?.close(1000, 'reconnect')
    this._open()
  }

  private _open(): void {
    if (this._stopped) return
    this._handlers.onState(this._attempt === 0 ? 'connecting' : 'reconnecting', {
      attempt: this._attempt,
      retryInMs: null,
    })
    let socket: WebSocket
    try {
      socket = new WebSocket(this._url)
    } catch {
      this._scheduleRetry()
      return
    }
    this._socket = socket
    socket.onopen = () => {
      if (this._socket !== socket) return
      this._attempt = 0
      this._lastMessageAt = Date.now()
      this._handlers.onState('open', { attempt: 0, retryInMs: null })
      if (this._tokens.length > 0) this._send({ type: 'subscribe', tokens: this._tokens })
      this._pingTimer = setInterval(() => this._ping(), PING_INTERVAL_MS)
    }
    socket.onmessage = (event: MessageEvent) => {
      if (this._socket !== socket) return
      this._lastMessageAt = Date.now()
      if (typeof event.data === 'string') this._receive(event.data)
    }
    socket.onclose = () => {
      if (this._socket !== socket) return
      this._socket = null
      this._clearTimers()
      this._scheduleRetry()
    }
  }

  private _receive(text: string): void {
    let batch: unknown
    try {
      batch = JSON.parse(text)
    } catch {
      console.warn('live socket: a frame that is not JSON was dropped')
      return
    }
    const items = Array.isArray(batch) ? (batch as unknown[]) : [batch]
    for (const item of items) {
      const parsed = ServerMessage.safeParse(item)
      if (!parsed.success) {
        console.warn('live socket: dropped a message that does not match the contract', item)
        continue
      }
      const message = parsed.data
      if (message.type === 'pong') this._handlers.onRoundTrip(Date.now() - message.t)
      this._handlers.onMessage(message)
    }
  }

  private _ping(): void {
    if (Date.now() - this._lastMessageAt > SILENCE_LIMIT_MS) {
      // Silent too long: treat as dropped.
      this._socket?.close(4000, 'silent')
      const socket = this._socket
      this._socket = null
      if (socket !== null) {
        this._clearTimers()
        this._scheduleRetry()
      }
      return
    }
    this._send({ type: 'ping', t: Date.now() })
  }

  private _send(message: ClientMessage): void {
    if (this._socket?.readyState === WebSocket.OPEN) this._socket.send(JSON.stringify(message))
  }

  private _scheduleRetry(): void {
    if (this._stopped) return
    const delay = reconnectDelay(this._attempt, Math.random())
    this._attempt += 1
    this._handlers.onState('reconnecting', { attempt: this._attempt, retryInMs: delay })
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null
      this._open()
    }, delay)
  }

  private _clearTimers(): void {
    if (this._pingTimer !== null) clearInterval(this._pingTimer)
    if (this._retryTimer !== null) clearTimeout(this._retryTimer)
    this._pingTimer = null
    this._retryTimer = null
  }
}

/** `ws://host/ws` or `wss://host/ws` for the page's own origin. */
export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
}
