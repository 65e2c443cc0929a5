/**
 * The dashboard's playback socket (`/ws/playback`): one capture per socket. Sends the page's
 * requests as single JSON objects, parses each server batch with the shared contract and hands
 * every valid message on; malformed ones are dropped with a console warning. When the socket
 * drops it reconnects with capped backoff and `onReconnected` lets the page open the capture
 * again where it was.
 */
import {
  PlaybackServerMessage,
  type PlaybackClientMessage,
} from '../../../../src/contracts/playback.js'
import { reconnectDelay } from '../../state/backoff.js'

export type PlaybackSocketState = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface PlaybackSocketHandlers {
  onMessages(messages: readonly PlaybackServerMessage[]): void
  onState(state: PlaybackSocketState, detail: string | null): void
  /** The socket is open again after a drop (not called for the first connection). */
  onReconnected(): void
}

/** Parses one server frame (a JSON array of messages, or one message). */
export function parsePlaybackFrame(text: string): {
  messages: PlaybackServerMessage[]
  dropped: number
} {
  let batch: unknown
  try {
    batch = JSON.parse(text)
  } catch {
    return { messages: [], dropped: 1 }
  }
  const items = Array.isArray(batch) ? (batch as unknown[]) : [batch]
  const messages: PlaybackServerMessage[] = []
  let dropped = 0
  for (const item of items) {
    const parsed = PlaybackServerMessage.safeParse(item)
    if (parsed.success) messages.push(parsed.data)
    else dropped += 1
  }
  return { messages, dropped }
}

export class PlaybackSocket {
  private _socket: WebSocket | null = null
  private _queue: PlaybackClientMessage[] = []
  private _attempt = 0
  private _opened = false
  private _retryTimer: ReturnType<typeof setTimeout> | null = null
  private _stopped = false

  constructor(
    private readonly _url: string,
    private readonly _handlers: PlaybackSocketHandlers,
  ) {}

  start(): void {
    this._stopped = false
    this._connect()
  }

  stop(): void {
    this._stopped = true
    if (this._retryTimer !== null) clearTimeout(this._retryTimer)
    this._retryTimer = null
    const socket = this._socket
    this._socket = null
    socket?.close(1000, 'page closed')
    this._handlers.onState('closed', null)
  }

  /** Sends now, or once the socket opens (only the latest seek is kept while waiting). */
  send(message: PlaybackClientMessage): void {
    if (this._socket?.readyState === WebSocket.OPEN) {
      this._socket.send(JSON.stringify(message))
      return
    }
    if (message.type === 'seek') this._queue = this._queue.filter((m) => m.type !== 'seek')
    this._queue.push(message)
  }

  private _connect(): void {
    if (this._stopped) return
    this._handlers.onState(this._attempt === 0 ? 'connecting' : 'reconnecting', null)
    let socket: WebSocket
    try {
      socket = new WebSocket(this._url)
    } catch (e) {
      this._retry(String(e))
      return
    }
    this._socket = socket
    socket.onopen = () => {
      if (this._socket !== socket) return
      const again = this._opened
      this._opened = true
      this._attempt = 0
      this._handlers.onState('open', null)
      if (again) this._handlers.onReconnected()
      const queued = this._queue
      this._queue = []
      for (const message of queued) socket.send(JSON.stringify(message))
    }
    socket.onmessage = (event: MessageEvent) => {
      if (this._socket !== socket || typeof event.data !== 'string') return
      const { messages, dropped } = parsePlaybackFrame(event.data)
      if (dropped > 0) console.warn(`playback socket: dropped ${dropped} malformed message(s)`)
      if (messages.length > 0) this._handlers.onMessages(messages)
    }
    socket.onclose = (event: CloseEvent) => {
      if (this._socket !== socket) return
      this._socket = null
      const why = event.reason === '' ? `closed (${event.code})` : `${event.reason} (${event.code})`
      this._retry(why)
    }
  }

  private _retry(why: string): void {
    if (this._stopped) return
    const delay = reconnectDelay(this._attempt, Math.random())
    this._attempt += 1
    this._handlers.onState('reconnecting', `${why}; retrying in ${Math.round(delay / 100) / 10} s`)
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null
      this._connect()
    }, delay)
  }
}

/** `ws(s)://host/ws/playback` for the page's own origin. */
export function playbackSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/playback`
}
