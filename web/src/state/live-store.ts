/**
 * Everything the page knows from the daemon, kept outside React. Socket messages and REST
 * answers land here at any rate; listeners of a topic are told at most once per animation
 * frame, so 20 book updates a second on several tokens cost one render pass per frame.
 *
 * Topics: `book:<token>`, `tape:<token>`, `health`, `account`, `fills`, `alerts`, `latency`,
 * `events`, `socket`, `stops`.
 */
import {
  type FillsAnswer,
  OrdersAnswer,
  PositionsAnswer,
  RiskAnswer,
  type AlertJson,
  type FillJson,
  type GameEventJson,
  type OrderJson,
  type TradeJson,
} from '../../../src/contracts/api.js'
import type {
  BookMessage,
  HealthMessage,
  HelloMessage,
  LatencyMessage,
  ServerMessage,
} from '../../../src/contracts/live.js'
import { decimalToMicros, decimalToTicks } from './format.js'
import type { SocketState } from './health.js'

export interface TapeTrade {
  readonly ts: number
  readonly price: number
  readonly size: number
  readonly side: 'buy' | 'sell'
}

export interface GameEventView {
  readonly id: number
  readonly market: string
  readonly ts: number
  readonly type: string
  readonly team: string | null
  readonly score: string | null
  readonly map: string | null
  /** Page clock when it arrived (for the no-chase pause), null for history. */
  readonly receivedAt: number | null
}

export interface StopView {
  readonly id: string
  readonly state: string
  readonly token_id: string
  readonly market: string
  readonly size: string
  readonly stop_loss_price: string | null
  readonly take_profit_price: string | null
  readonly trailing_stop_price: string | null
}

export type Scheduler = (run: () => void) => void

const TAPE_LIMIT = 300
const ALERT_LIMIT = 200
const FILL_LIMIT = 300

function defaultScheduler(run: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
  else setTimeout(run, 16)
}

export class LiveStore {
  readonly books = new Map<string, BookMessage>()
  readonly tapes = new Map<string, TapeTrade[]>()
  /** Traded size per price since the page opened (ticks → micros), per token. */
  readonly volumes = new Map<string, Map<number, number>>()
  health: HealthMessage | null = null
  hello: HelloMessage | null = null
  latency: LatencyMessage | null = null
  roundTripMs: number | null = null
  socket: SocketState = 'connecting'
  socketRetryInMs: number | null = null
  orders: OrderJson[] = []
  positions: PositionsAnswer | null = null
  risk: RiskAnswer | null = null
  fills: FillJson[] = []
  alerts: AlertJson[] = []
  events: GameEventView[] = []
  stops: StopView[] | null = null
  /** Called for every new alert (sound, toast). */
  onAlert: ((alert: AlertJson) => void) | null = null
  /** Called after each account message (the page refreshes fills then). */
  onAccount: (() => void) | null = null

  private readonly _versions = new Map<string, number>()
  private readonly _listeners = new Map<string, Set<() => void>>()
  private readonly _dirty = new Set<string>()
  private _scheduled = false

  constructor(private readonly _schedule: Scheduler = defaultScheduler) {}

  version(topic: string): number {
    return this._versions.get(topic) ?? 0
  }

  listen(topic: string, listener: () => void): () => void {
    let set = this._listeners.get(topic)
    if (set === undefined) {
      set = new Set()
      this._listeners.set(topic, set)
    }
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Marks a topic changed; listeners run on the next frame, once however many changes. */
  touch(topic: string): void {
    this._versions.set(topic, (this._versions.get(topic) ?? 0) + 1)
    this._dirty.add(topic)
    if (this._scheduled) return
    this._scheduled = true
    this._schedule(() => this.flush())
  }

  /** Runs the listeners of every changed topic now. */
  flush(): void {
    this._scheduled = false
    const topics = [...this._dirty]
    this._dirty.clear()
    for (const topic of topics) {
      for (const listener of this._listeners.get(topic) ?? []) listener()
    }
  }

  apply(message: ServerMessage, receivedAt: number): void {
    switch (message.type) {
      case 'book':
        this.books.set(message.tokenId, message)
        this.touch(`book:${message.tokenId}`)
        return
      case 'trade':
        this._addTrades(message.tokenId, [message])
        return
      case 'health':
        this.health = message
        this.touch('health')
        return
      case 'account':
        this.applyAccount(message.orders, message.positions, message.risk)
        this.onAccount?.()
        return
      case 'alert': {
        const { type: _type, ...alert } = message
        this.addAlerts([alert], true)
        return
      }
      case 'game_event':
        this.addEvents([
          {
            id: message.id,
            market: message.market,
            ts: message.ts,
            type: message.eventType,
            team: message.team,
            score: message.score,
            map: message.map,
            receivedAt,
          },
        ])
        return
      case 'latency':
        this.latency = message
        this.touch('latency')
        return
      case 'hello':
        this.hello = message
        this.touch('health')
        return
      case 'pong':
      case 'signal':
        return
    }
  }

  applyAccount(orders: unknown, positions: unknown, risk: unknown): void {
    const o = OrdersAnswer.safeParse(orders)
    if (o.success) this.orders = o.data.orders
    const p = PositionsAnswer.safeParse(positions)
    if (p.success) this.positions = p.data
    const r = RiskAnswer.safeParse(risk)
    if (r.success) this.risk = r.data
    this.touch('account')
  }

  setFills(answer: FillsAnswer): void {
    this.fills = answer.fills.slice(0, FILL_LIMIT)
    this.touch('fills')
  }

  setSocket(state: SocketState, retryInMs: number | null): void {
    this.socket = state
    this.socketRetryInMs = retryInMs
    this.touch('socket')
    this.touch('health')
  }

  setRoundTrip(ms: number): void {
    this.roundTripMs = ms
    this.touch('latency')
  }

  /** Merges REST tape history (newest first) under what the socket already delivered. */
  loadTape(tokenId: string, trades: readonly TradeJson[]): void {
    const rows: TapeTrade[] = []
    for (const t of trades) {
      const price = decimalToTicks(t.price)
      const size = decimalToMicros(t.size)
      if (price === null || size === null) continue
      rows.push({ ts: t.ts, price, size, side: t.side })
    }
    const current = this.tapes.get(tokenId) ?? []
    const key = (t: TapeTrade): string => `${t.ts}:${t.price}:${t.size}:${t.side}`
    const known = new Set(current.map(key))
    const older = rows.filter((t) => !known.has(key(t)))
    // `older` is newest first; addTrades takes oldest first.
    this._addTrades(tokenId, older.reverse(), true)
  }

  addAlerts(alerts: readonly AlertJson[], live: boolean): void {
    const known = new Set(this.alerts.map((a) => a.id))
    const fresh = alerts.filter((a) => !known.has(a.id))
    if (fresh.length === 0) return
    this.alerts = [...fresh, ...this.alerts].sort((a, b) => b.ts - a.ts).slice(0, ALERT_LIMIT)
    if (live) for (const a of fresh) this.onAlert?.(a)
    this.touch('alerts')
  }

  addEvents(events: readonly GameEventView[]): void {
    const known = new Set(this.events.map((e) => `${e.market}:${e.id}`))
    const fresh = events.filter((e) => !known.has(`${e.market}:${e.id}`))
    if (fresh.length === 0) return
    this.events = [...this.events, ...fresh].sort((a, b) => a.ts - b.ts)
    this.touch('events')
  }

  setStops(stops: StopView[] | null): void {
    this.stops = stops
    this.touch('stops')
  }

  private _addTrades(tokenId: string, oldestFirst: readonly TapeTrade[], history = false): void {
    if (oldestFirst.length === 0) return
    const tape = this.tapes.get(tokenId) ?? []
    let volume = this.volumes.get(tokenId)
    if (volume === undefined) {
      volume = new Map()
      this.volumes.set(tokenId, volume)
    }
    const incoming = oldestFirst.map((t) => ({
      ts: t.ts,
      price: t.price,
      size: t.size,
      side: t.side,
    }))
    for (const t of incoming) volume.set(t.price, (volume.get(t.price) ?? 0) + t.size)
    const merged = history ? [...tape, ...incoming.reverse()] : [...incoming.reverse(), ...tape]
    this.tapes.set(tokenId, merged.slice(0, TAPE_LIMIT))
    this.touch(`tape:${tokenId}`)
  }
}

/** A REST game event in the page's shape. */
export function eventView(e: GameEventJson & { id: number }, market: string): GameEventView {
  return {
    id: e.id,
    market: e.market ?? market,
    ts: e.ts_ms,
    type: e.type,
    team: e.team,
    score: e.score,
    map: e.map === null ? null : String(e.map),
    receivedAt: null,
  }
}
