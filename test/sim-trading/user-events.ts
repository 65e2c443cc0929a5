/**
 * A user-channel test client: connects to `/ws/user`, authenticates with L2 credentials and
 * lets a test wait for the first event that matches a predicate (no sleeps: it resolves when
 * the event arrives).
 */
import WebSocket from 'ws'
import { rawDataText } from '../../src/adapters/sim/market-ws.js'

export type UserEvent = Record<string, unknown> & { event_type: string }

export class UserEvents {
  readonly events: UserEvent[] = []
  readonly socket: WebSocket
  private _waiters: { pred: (e: UserEvent) => boolean; resolve: (e: UserEvent) => void }[] = []
  private _pongs: (() => void)[] = []

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      const text = rawDataText(data)
      if (text === 'PONG') {
        this._pongs.shift()?.()
        return
      }
      const value = JSON.parse(text) as UserEvent | UserEvent[]
      for (const event of Array.isArray(value) ? value : [value]) {
        this.events.push(event)
        this._waiters = this._waiters.filter((w) => {
          if (!w.pred(event)) return true
          w.resolve(event)
          return false
        })
      }
    })
  }

  static async connect(
    url: string,
    auth: { apiKey: string; secret: string; passphrase: string },
    markets?: string[],
  ): Promise<UserEvents> {
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    const client = new UserEvents(socket)
    socket.send(JSON.stringify({ auth, type: 'user', ...(markets ? { markets } : {}) }))
    await client.ping()
    return client
  }

  /** Resolves after the server answered a `PING` (everything sent before it is handled). */
  async ping(): Promise<void> {
    await new Promise<void>((resolve) => {
      this._pongs.push(resolve)
      this.socket.send('PING')
    })
  }

  /** The first event (already received or coming) that matches. */
  async waitFor(pred: (e: UserEvent) => boolean): Promise<UserEvent> {
    const seen = this.events.find(pred)
    if (seen !== undefined) return seen
    return new Promise((resolve) => this._waiters.push({ pred, resolve }))
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve())
      this.socket.close()
    })
  }
}
