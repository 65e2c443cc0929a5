/**
 * A real `ws` server on 127.0.0.1 (port 0) that plays the venue's market channel in tests:
 * answers `PING` with `PONG`, sends a `book` snapshot for every asset subscribed (initial
 * frame or `operation: subscribe`), records every inbound frame, and can push frames, drop
 * every connection or go silent.
 */
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

export const TEST_MARKET = `0x${'ab'.repeat(32)}`

export type Level = readonly [price: string, size: string]
export type TestBook = { readonly bids: readonly Level[]; readonly asks: readonly Level[] }

export type ReceivedFrame = { readonly client: number; readonly text: string }

/** A `book` frame for one asset, levels in the venue's order (best last). */
export function bookFrame(assetId: string, book: TestBook, timestamp: number): object {
  const level = ([price, size]: Level): object => ({ price, size })
  return {
    event_type: 'book',
    asset_id: assetId,
    market: TEST_MARKET,
    timestamp: String(timestamp),
    hash: `h${timestamp}`,
    bids: [...book.bids].sort((a, b) => Number(a[0]) - Number(b[0])).map(level),
    asks: [...book.asks].sort((a, b) => Number(b[0]) - Number(a[0])).map(level),
  }
}

/** A current-shape `price_change` with one entry. */
export function priceChangeFrame(
  assetId: string,
  change: {
    side: 'BUY' | 'SELL'
    price: string
    size: string
    bestBid: string
    bestAsk: string
  },
  timestamp: number,
): object {
  return {
    event_type: 'price_change',
    market: TEST_MARKET,
    timestamp: String(timestamp),
    price_changes: [
      {
        asset_id: assetId,
        price: change.price,
        size: change.size,
        side: change.side,
        hash: 'x',
        best_bid: change.bestBid,
        best_ask: change.bestAsk,
      },
    ],
  }
}

export class LocalWsVenue {
  readonly received: ReceivedFrame[] = []
  /** The venue's books; subscribing sends the current one. */
  readonly books = new Map<string, TestBook>()
  /** While true, PINGs get no PONG and nothing is sent. */
  silent = false
  connections = 0
  private _clock = 1_700_000_000_000
  private readonly _server: WebSocketServer
  private readonly _clients = new Set<WebSocket>()
  private _url = ''

  private constructor(server: WebSocketServer) {
    this._server = server
  }

  static async start(): Promise<LocalWsVenue> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const venue = new LocalWsVenue(server)
    const { port } = server.address() as AddressInfo
    venue._url = `ws://127.0.0.1:${port}/ws/market`
    server.on('connection', (socket) => venue._accept(socket))
    return venue
  }

  get url(): string {
    return this._url
  }

  get openClients(): number {
    return this._clients.size
  }

  /** A venue timestamp that increases by 1 ms per call. */
  nextTs(): number {
    return ++this._clock
  }

  /** Frames received whose text parses as JSON with an `assets_ids` field. */
  subscriptions(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = []
    for (const frame of this.received) {
      if (!frame.text.startsWith('{')) continue
      const value = JSON.parse(frame.text) as Record<string, unknown>
      if ('assets_ids' in value) out.push(value)
    }
    return out
  }

  pings(): number {
    return this.received.filter((f) => f.text === 'PING').length
  }

  /** Sends a frame (object as JSON, string as is) to every open client. */
  broadcast(frame: object | string): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame)
    for (const client of this._clients) client.send(text)
  }

  /** Kills every connection without a closing handshake. */
  dropAll(): void {
    for (const client of this._clients) client.terminate()
  }

  async close(): Promise<void> {
    for (const client of this._clients) client.terminate()
    await new Promise<void>((resolve, reject) =>
      this._server.close((e) => (e === undefined ? resolve() : reject(e))),
    )
  }

  private _accept(socket: WebSocket): void {
    const client = ++this.connections
    this._clients.add(socket)
    socket.on('close', () => this._clients.delete(socket))
    socket.on('message', (data) => {
      const text = (data as Buffer).toString('utf8')
      this.received.push({ client, text })
      if (this.silent) return
      if (text === 'PING') {
        socket.send('PONG')
        return
      }
      const value = JSON.parse(text) as { assets_ids?: string[]; operation?: string }
      if (value.operation === 'unsubscribe') return
      const frames = (value.assets_ids ?? [])
        .filter((id) => this.books.has(id))
        .map((id) => bookFrame(id, this.books.get(id) ?? { bids: [], asks: [] }, this.nextTs()))
      if (frames.length > 0) socket.send(JSON.stringify(frames))
    })
  }
}

/** Resolves once `condition()` holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
