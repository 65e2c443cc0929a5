/**
 * The simulated user channel (`/ws/user`). The first message carries the L2 credentials:
 * `{"auth":{"apiKey","secret","passphrase"},"type":"user","markets":[...]}` (`markets` optional:
 * none = every market). Bad credentials close the socket (policy violation, 1008) without an
 * answer, as the venue gives no auth acknowledgement. Later `{"operation":"subscribe"|
 * "unsubscribe","markets":[...]}` change the market filter; text `PING` is answered `PONG`.
 */
import { WebSocketServer, type WebSocket } from 'ws'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { rawDataText } from '../market-ws.js'
import type { ApiKeyStore } from './api-keys.js'
import { sameText } from './signing.js'

type UserClient = {
  readonly socket: WebSocket
  owner: string | null
  /** Empty = every market. */
  readonly markets: Set<string>
}

export type UserWsStats = { connections: number; eventsSent: number; authFailures: number }

export class UserWs {
  readonly stats: UserWsStats = { connections: 0, eventsSent: 0, authFailures: 0 }
  private readonly _wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 })
  private readonly _clients = new Set<UserClient>()
  private readonly _keys: ApiKeyStore

  constructor(keys: ApiKeyStore) {
    this._keys = keys
    this._wss.on('connection', (socket: WebSocket) => this._onConnection(socket))
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this._wss.handleUpgrade(request, socket, head, (ws) => this._wss.emit('connection', ws))
  }

  /** Sends one event to every connection of `owner` that follows `conditionId`. */
  publish(owner: string, conditionId: string, payload: Record<string, unknown>): void {
    let text: string | null = null
    for (const client of this._clients) {
      if (client.owner !== owner) continue
      if (client.markets.size > 0 && !client.markets.has(conditionId)) continue
      if (client.socket.readyState !== client.socket.OPEN) continue
      text ??= JSON.stringify(payload)
      client.socket.send(text)
      this.stats.eventsSent++
    }
  }

  async close(): Promise<void> {
    for (const client of this._clients) client.socket.terminate()
    this._clients.clear()
    await new Promise<void>((resolve) => this._wss.close(() => resolve()))
  }

  private _onConnection(socket: WebSocket): void {
    this.stats.connections++
    const client: UserClient = { socket, owner: null, markets: new Set() }
    this._clients.add(client)
    socket.on('message', (data, isBinary) =>
      this._onMessage(client, isBinary ? '' : rawDataText(data)),
    )
    const drop = (): void => {
      this._clients.delete(client)
    }
    socket.on('close', drop)
    socket.on('error', drop)
  }

  private _onMessage(client: UserClient, text: string): void {
    if (text === 'PING') {
      client.socket.send('PONG')
      return
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      value = null
    }
    const record =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null
    const markets = record?.['markets']
    const list =
      Array.isArray(markets) && markets.every((m) => typeof m === 'string') ? markets : null
    if (client.owner === null) {
      const owner = record === null ? null : this._authenticate(record['auth'])
      if (owner === null || (markets !== undefined && list === null)) {
        this.stats.authFailures++
        client.socket.close(1008, 'invalid credentials')
        return
      }
      client.owner = owner
      for (const m of list ?? []) client.markets.add(m)
      return
    }
    const operation = record?.['operation']
    if (list === null) return
    if (operation === 'subscribe') for (const m of list) client.markets.add(m)
    if (operation === 'unsubscribe') for (const m of list) client.markets.delete(m)
  }

  private _authenticate(auth: unknown): string | null {
    if (typeof auth !== 'object' || auth === null) return null
    const { apiKey, secret, passphrase } = auth as Record<string, unknown>
    if (
      typeof apiKey !== 'string' ||
      typeof secret !== 'string' ||
      typeof passphrase !== 'string'
    ) {
      return null
    }
    const creds = this._keys.get(apiKey)
    if (creds === undefined) return null
    if (!sameText(creds.secret, secret) || !sameText(creds.passphrase, passphrase)) return null
    return creds.apiKey
  }
}
