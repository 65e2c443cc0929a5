/**
 * The simulated market channel (`/ws/market`). Per connection: the set of subscribed assets
 * and whether `custom_feature_enabled` is on. Speaks the venue's protocol: a subscribe frame
 * `{assets_ids, type: "market", initial_dump?, custom_feature_enabled?}`, dynamic
 * `{operation: "subscribe"|"unsubscribe", assets_ids}`, text `PING` answered by `PONG`, the
 * initial `book` snapshots as one array, then events for subscribed assets only (except frames
 * marked `toAll`, such as `new_market`, which every custom-feature connection gets).
 */
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FaultInjector, WsTextKind } from './faults.js'
import type { Scenario, SimFrame } from './scenario.js'

type Client = {
  /** Connection number, 1 for the first connection. */
  readonly id: number
  readonly socket: WebSocket
  readonly assets: Set<string>
  custom: boolean
}

/** Counters for tests and the status line. */
export type MarketWsStats = {
  connections: number
  framesSent: number
  /** Client messages that were neither `PING` nor a valid subscription. */
  badMessages: number
}

type SubscribeMessage = {
  assetIds: string[]
  initialDump: boolean
  custom: boolean | undefined
  operation: 'subscribe' | 'unsubscribe'
}

/** Decodes a client message; a string describes why it was refused. */
export function decodeClientMessage(text: string): SubscribeMessage | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'not JSON and not PING'
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object'
  }
  const record = value as Record<string, unknown>
  const ids = record['assets_ids']
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    return 'assets_ids must be an array of token id strings'
  }
  const operation = record['operation']
  if (operation !== undefined && operation !== 'subscribe' && operation !== 'unsubscribe') {
    return 'operation must be "subscribe" or "unsubscribe"'
  }
  if (operation === undefined) {
    const type = record['type']
    if (typeof type !== 'string' || type.toLowerCase() !== 'market') {
      return 'type must be "market" on the first subscription'
    }
  }
  const dump = record['initial_dump']
  const custom = record['custom_feature_enabled']
  return {
    assetIds: ids,
    initialDump: dump !== false,
    custom: typeof custom === 'boolean' ? custom : undefined,
    operation: operation ?? 'subscribe',
  }
}

export class MarketWs {
  readonly stats: MarketWsStats = { connections: 0, framesSent: 0, badMessages: 0 }
  private readonly _wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 })
  private readonly _clients = new Set<Client>()
  private readonly _scenario: Scenario
  private readonly _faults: FaultInjector | undefined

  constructor(scenario: Scenario, faults?: FaultInjector) {
    this._scenario = scenario
    this._faults = faults
    this._wss.on('connection', (socket: WebSocket) => this._onConnection(socket))
  }

  /** Hands an HTTP upgrade on `/ws/market` to the WebSocket server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this._wss.handleUpgrade(request, socket, head, (ws) => this._wss.emit('connection', ws))
  }

  /** Sends one scenario frame to every client subscribed to one of its assets. */
  broadcast(frame: SimFrame): void {
    let text: string | null = null
    let tops: string | null | undefined
    for (const client of this._clients) {
      if (frame.customOnly === true && !client.custom) continue
      const mine =
        frame.toAll === true ? frame.assetIds : frame.assetIds.filter((id) => client.assets.has(id))
      if (mine.length === 0) continue
      text ??= frame.raw ?? JSON.stringify(frame.payload)
      this._send(client, text, 'event', mine)
      if (client.custom) {
        if (tops === undefined) tops = bestBidAskFrame(frame.payload)
        if (tops !== null) this._send(client, tops, 'tops', mine)
      }
    }
  }

  /** Closes every connection (code 1001, going away) and the server. */
  async close(): Promise<void> {
    for (const client of this._clients) client.socket.close(1001, 'simulator closing')
    for (const client of this._clients) client.socket.terminate()
    this._clients.clear()
    await new Promise<void>((resolve) => this._wss.close(() => resolve()))
  }

  private _onConnection(socket: WebSocket): void {
    this.stats.connections++
    const client: Client = { id: this.stats.connections, socket, assets: new Set(), custom: false }
    this._clients.add(client)
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : rawDataText(data)
      this._onMessage(client, text)
    })
    const drop = (): void => {
      this._clients.delete(client)
      this._faults?.forget(client.id)
    }
    socket.on('close', drop)
    socket.on('error', drop)
  }

  private _onMessage(client: Client, text: string): void {
    if (text === 'PING') {
      if (this._faults === undefined) client.socket.send('PONG')
      else this._send(client, 'PONG', 'pong', [], false)
      return
    }
    const message = decodeClientMessage(text)
    if (typeof message === 'string') {
      this.stats.badMessages++
      return
    }
    if (message.custom !== undefined) client.custom = message.custom
    if (message.operation === 'unsubscribe') {
      for (const id of message.assetIds) client.assets.delete(id)
      return
    }
    const known = message.assetIds.filter((id) => this._scenario.snapshot(id) !== undefined)
    for (const id of known) client.assets.add(id)
    if (message.initialDump && known.length > 0) {
      const books = known.map((id) => this._scenario.snapshot(id))
      this._send(client, JSON.stringify(books), 'dump', known)
    }
  }

  private _send(
    client: Client,
    text: string,
    kind: WsTextKind,
    assetIds: readonly string[],
    counted = true,
  ): void {
    if (client.socket.readyState !== client.socket.OPEN) return
    const faults = this._faults
    if (faults === undefined) {
      client.socket.send(text)
      this.stats.framesSent++
      return
    }
    const wire = {
      send: (out: string): void => {
        if (client.socket.readyState !== client.socket.OPEN) return
        client.socket.send(out)
        if (counted) this.stats.framesSent++
      },
      terminate: (): void => client.socket.terminate(),
    }
    faults.deliver(
      client.id,
      kind,
      text,
      assetIds,
      wire,
      (id) => this._scenario.snapshot(id)?.tick_size,
    )
  }
}

/** The `best_bid_ask` events implied by a `price_change` (one per asset), or null. */
function bestBidAskFrame(payload: unknown): string | null {
  const event = payload as {
    event_type?: string
    market?: string
    timestamp?: string
    price_changes?: { asset_id: string; best_bid: string; best_ask: string }[]
  }
  if (event.event_type !== 'price_change' || event.price_changes === undefined) return null
  const last = new Map<string, { best_bid: string; best_ask: string }>()
  for (const change of event.price_changes) last.set(change.asset_id, change)
  const out = [...last].map(([assetId, top]) => ({
    event_type: 'best_bid_ask',
    market: event.market,
    asset_id: assetId,
    best_bid: top.best_bid,
    best_ask: top.best_ask,
    spread: (Number(top.best_ask) - Number(top.best_bid)).toFixed(4),
    timestamp: event.timestamp,
  }))
  return out.length === 0 ? null : JSON.stringify(out)
}

/** The text of a received WebSocket message, whatever buffer form `ws` delivered it in. */
export function rawDataText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
