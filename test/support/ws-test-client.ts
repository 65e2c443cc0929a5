/**
 * A market-channel test client: collects every text frame and lets a test wait for the next
 * `PONG`, which marks that the server has handled everything sent before the `PING`.
 */
import WebSocket from 'ws'
import { rawDataText } from '../../src/adapters/sim/market-ws.js'

export class TestWsClient {
  readonly received: string[] = []
  private readonly _socket: WebSocket
  private _cursor = 0
  private _waiters: { index: number; resolve: (i: number) => void }[] = []

  private constructor(socket: WebSocket) {
    this._socket = socket
    socket.on('message', (data) => {
      this.received.push(rawDataText(data))
      this._wake()
    })
  }

  static async connect(url: string): Promise<TestWsClient> {
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new TestWsClient(socket)
  }

  send(value: unknown): void {
    this._socket.send(typeof value === 'string' ? value : JSON.stringify(value))
  }

  /**
   * Sends `PING` and resolves with the frames received since the previous `sync` (or the
   * connection) up to the matching `PONG`.
   */
  async sync(): Promise<string[]> {
    const start = this._cursor
    this._socket.send('PING')
    const at = await new Promise<number>((resolve) => {
      this._waiters.push({ index: start, resolve })
      this._wake()
    })
    this._cursor = at
    return this.received.slice(start, at)
  }

  /** Frames received since index `from`, JSON-decoded, `PONG` left out. */
  jsonSince(from: number): unknown[] {
    return this.received
      .slice(from)
      .filter((t) => t !== 'PONG')
      .map((t) => JSON.parse(t) as unknown)
  }

  async close(): Promise<void> {
    if (this._socket.readyState === WebSocket.CLOSED) return
    await new Promise<void>((resolve) => {
      this._socket.once('close', () => resolve())
      this._socket.close()
    })
  }

  private _wake(): void {
    this._waiters = this._waiters.filter((waiter) => {
      const at = this.received.indexOf('PONG', waiter.index)
      if (at < 0) return true
      this.received.splice(at, 1)
      waiter.resolve(at)
      return false
    })
  }
}
