/**
 * The user WebSocket channel (`/ws/user`): our order and trade events. Authentication travels
 * in the first message (`{"auth":{apiKey,secret,passphrase},"type":"user","markets":[...]}`);
 * there is no acknowledgement. Text `PING` keeps the socket alive (the venue answers `PONG`);
 * a socket that stays silent past the pong timeout is closed and reopened with backoff. The
 * stream does not replay what was missed: every `connected` after the first is the cue to
 * reconcile over REST.
 *
 * Events come out typed, in our units, from our own side: on a trade where we were the maker,
 * our fills are the `maker_orders` entries that carry our API key (or our funder address).
 */
import WebSocket, { type RawData } from 'ws'
import {
  tryParsePrice,
  tryParseSize,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'
import type { ApiCredentials } from './credentials.js'

export type OrderEventKind = 'PLACEMENT' | 'UPDATE' | 'CANCELLATION'
export type TradeStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED'

export type UserOrderEvent = {
  readonly type: 'order'
  readonly kind: OrderEventKind
  readonly orderId: string
  readonly market: string
  readonly tokenId: string
  readonly side: 'buy' | 'sell'
  readonly price: PriceTicks
  readonly originalSize: ShareMicros
  readonly sizeMatched: ShareMicros
  /** `LIVE`, `MATCHED`, `CANCELED`, `CANCELED_<reason>`, … (prefix `ORDER_STATUS_` removed). */
  readonly status: string
  readonly orderType: string
  readonly tradeIds: readonly string[]
  /** Epoch ms (normalised from seconds or ms). */
  readonly ts: number
}

/** One of our fills inside a trade. */
export type OwnFill = {
  readonly orderId: string
  readonly tokenId: string
  readonly side: 'buy' | 'sell'
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly feeRateBps: number
}

export type UserTradeEvent = {
  readonly type: 'trade'
  readonly tradeId: string
  readonly status: TradeStatus
  readonly market: string
  readonly takerOrderId: string
  readonly liquidity: 'taker' | 'maker'
  /** Our fills: the taker order's when we took, our `maker_orders` entries when we made. */
  readonly fills: readonly OwnFill[]
  readonly transactionHash: string | null
  readonly ts: number
}

export type UserChannelEvent =
  | UserOrderEvent
  | UserTradeEvent
  /** Socket open and auth sent; `reconnect` true after a drop (reconcile over REST). */
  | { readonly type: 'connected'; readonly reconnect: boolean }
  | { readonly type: 'disconnected'; readonly reason: string; readonly retryInMs: number }
  /** A frame we could not read; the raw text is cut to 200 characters. */
  | { readonly type: 'parse_error'; readonly message: string; readonly excerpt: string }

export type UserChannelOptions = {
  readonly url: string
  readonly credentials: ApiCredentials
  /** Condition ids to follow; omitted = every market. */
  readonly markets?: readonly string[]
  /** Our funder address, to recognise our maker fills when `owner` is absent. */
  readonly funder?: string
  readonly onEvent: (event: UserChannelEvent) => void
  /** PING interval, ms (default 10000). */
  readonly pingIntervalMs?: number
  /** Reconnect when nothing arrived for this long, ms (default 2.5 × ping interval). */
  readonly silenceTimeoutMs?: number
  /** Backoff: first delay and cap, ms (defaults 500 and 30000); doubles per failed attempt. */
  readonly backoffMs?: number
  readonly maxBackoffMs?: number
}

export class UserChannel {
  private readonly _o: UserChannelOptions
  private _socket: WebSocket | null = null
  private _closed = false
  private _connects = 0
  private _failures = 0
  private _ping: NodeJS.Timeout | null = null
  private _retry: NodeJS.Timeout | null = null
  private _lastMessageAt = 0
  private readonly _now = Date.now

  constructor(options: UserChannelOptions) {
    this._o = options
  }

  /** Opens the socket (resolves once open and subscribed, rejects if the first open fails). */
  async connect(): Promise<void> {
    await new Promise<void>((resolve, reject) => this._open(resolve, reject))
  }

  get connected(): boolean {
    return this._socket?.readyState === WebSocket.OPEN
  }

  /** Follows more markets (or fewer) without reconnecting. */
  subscribe(
    markets: readonly string[],
    operation: 'subscribe' | 'unsubscribe' = 'subscribe',
  ): void {
    if (this._socket?.readyState !== WebSocket.OPEN) return
    this._socket.send(JSON.stringify({ operation, markets }))
  }

  async close(): Promise<void> {
    this._closed = true
    this._stopTimers()
    const socket = this._socket
    this._socket = null
    if (socket === null || socket.readyState === WebSocket.CLOSED) return
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve())
      socket.close()
    })
  }

  private _open(onOpen?: () => void, onFirstError?: (error: Error) => void): void {
    if (this._closed) return
    const socket = new WebSocket(this._o.url)
    this._socket = socket
    let opened = false
    socket.on('open', () => {
      opened = true
      this._failures = 0
      const { key, secret, passphrase } = this._o.credentials
      const markets = this._o.markets
      socket.send(
        JSON.stringify({
          auth: { apiKey: key, secret, passphrase },
          type: 'user',
          ...(markets === undefined ? {} : { markets }),
        }),
      )
      this._lastMessageAt = this._now()
      this._startPing(socket)
      this._o.onEvent({ type: 'connected', reconnect: this._connects++ > 0 })
      onOpen?.()
    })
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this._lastMessageAt = this._now()
      if (!isBinary) this._onText(rawText(data))
    })
    socket.on('error', (error: Error) => {
      if (!opened && onFirstError !== undefined && this._connects === 0) {
        this._closed = true
        onFirstError(new Error(`user channel ${this._o.url} did not open: ${error.message}`))
      }
    })
    socket.on('close', (code: number) => {
      if (this._socket !== socket) return
      this._stopTimers()
      this._socket = null
      if (this._closed) return
      const base = this._o.backoffMs ?? 500
      const cap = this._o.maxBackoffMs ?? 30_000
      const delay = Math.min(cap, base * 2 ** this._failures)
      this._failures++
      this._o.onEvent({
        type: 'disconnected',
        reason:
          code === 1008
            ? 'closed by the venue (1008: check the API credentials)'
            : `closed (${code})`,
        retryInMs: delay,
      })
      this._retry = setTimeout(() => this._open(), delay)
    })
  }

  private _startPing(socket: WebSocket): void {
    const every = this._o.pingIntervalMs ?? 10_000
    const silence = this._o.silenceTimeoutMs ?? every * 2.5
    this._ping = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return
      if (this._now() - this._lastMessageAt > silence) {
        socket.terminate()
        return
      }
      socket.send('PING')
    }, every)
    this._ping.unref()
  }

  private _stopTimers(): void {
    if (this._ping !== null) clearInterval(this._ping)
    if (this._retry !== null) clearTimeout(this._retry)
    this._ping = null
    this._retry = null
  }

  private _onText(text: string): void {
    if (text === 'PONG' || text === 'PING' || text === '') return
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this._o.onEvent({
        type: 'parse_error',
        message: 'frame is not JSON',
        excerpt: text.slice(0, 200),
      })
      return
    }
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const event = parseUserEvent(item, this._o.credentials.key, this._o.funder ?? null)
      if (event === null) continue
      if (typeof event === 'string') {
        this._o.onEvent({ type: 'parse_error', message: event, excerpt: text.slice(0, 200) })
      } else {
        this._o.onEvent(event)
      }
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

const TRADE_STATUSES = new Set<string>(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED'])
const ORDER_KINDS = new Set<string>(['PLACEMENT', 'UPDATE', 'CANCELLATION'])

/** Seconds (10 digits) or ms (13) → ms; 0 when absent or unreadable. */
export function epochMsOf(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n) || n <= 0) return 0
  return n < 1e12 ? Math.round(n * 1000) : Math.round(n)
}

function str(record: Record<string, unknown>, key: string): string {
  const v = record[key]
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : ''
}

function sideOf(text: string): 'buy' | 'sell' | null {
  const upper = text.toUpperCase()
  return upper === 'BUY' ? 'buy' : upper === 'SELL' ? 'sell' : null
}

/** A size field: decimal shares; "" counts as 0 (killed FOK orders carry `size_matched: ""`). */
function sizeOf(text: string): number {
  return text === '' ? 0 : tryParseSize(text)
}

/**
 * One user-channel payload → a typed event, null for payloads we ignore, or a string saying
 * what was wrong.
 */
export function parseUserEvent(
  value: unknown,
  apiKey: string,
  funder: string | null,
): UserOrderEvent | UserTradeEvent | string | null {
  if (value === null || typeof value !== 'object') return 'event is not an object'
  const r = value as Record<string, unknown>
  const eventType = str(r, 'event_type')
  if (eventType === 'order') {
    const kind = str(r, 'type')
    if (!ORDER_KINDS.has(kind)) return `order event type "${kind}" is unknown`
    const side = sideOf(str(r, 'side'))
    const price = tryParsePrice(str(r, 'price'))
    const original = sizeOf(str(r, 'original_size'))
    const matched = sizeOf(str(r, 'size_matched'))
    if (side === null || price < 0 || original < 0 || matched < 0) {
      return `order event ${str(r, 'id')} has a bad side, price or size`
    }
    const trades = r['associate_trades']
    return {
      type: 'order',
      kind: kind as OrderEventKind,
      orderId: str(r, 'id'),
      market: str(r, 'market'),
      tokenId: str(r, 'asset_id'),
      side,
      price: price as PriceTicks,
      originalSize: original as ShareMicros,
      sizeMatched: matched as ShareMicros,
      status: str(r, 'status').replace(/^ORDER_STATUS_/, ''),
      orderType: str(r, 'order_type'),
      tradeIds: Array.isArray(trades)
        ? trades.filter((t): t is string => typeof t === 'string')
        : [],
      ts: epochMsOf(r['timestamp']) || epochMsOf(r['created_at']),
    }
  }
  if (eventType === 'trade') {
    const status = str(r, 'status').replace(/^TRADE_STATUS_/, '')
    if (!TRADE_STATUSES.has(status)) return `trade event status "${status}" is unknown`
    const liquidity = str(r, 'trader_side') === 'MAKER' ? 'maker' : 'taker'
    const fills: OwnFill[] = []
    if (liquidity === 'taker') {
      const fill = fillOf(
        str(r, 'taker_order_id'),
        str(r, 'asset_id'),
        str(r, 'side'),
        str(r, 'price'),
        str(r, 'size'),
        str(r, 'fee_rate_bps'),
      )
      if (fill === null) return `trade ${str(r, 'id')} has a bad side, price or size`
      fills.push(fill)
    } else {
      const makers = Array.isArray(r['maker_orders']) ? (r['maker_orders'] as unknown[]) : []
      for (const item of makers) {
        if (item === null || typeof item !== 'object') continue
        const m = item as Record<string, unknown>
        const ours =
          str(m, 'owner') === apiKey ||
          (funder !== null && str(m, 'maker_address').toLowerCase() === funder.toLowerCase())
        if (!ours) continue
        const fill = fillOf(
          str(m, 'order_id'),
          str(m, 'asset_id'),
          str(m, 'side'),
          str(m, 'price'),
          str(m, 'matched_amount'),
          str(m, 'fee_rate_bps'),
        )
        if (fill === null)
          return `trade ${str(r, 'id')} has a maker order with a bad side, price or size`
        fills.push(fill)
      }
    }
    const hash = r['transaction_hash']
    return {
      type: 'trade',
      tradeId: str(r, 'id'),
      status: status as TradeStatus,
      market: str(r, 'market'),
      takerOrderId: str(r, 'taker_order_id'),
      liquidity,
      fills,
      transactionHash: typeof hash === 'string' && hash !== '' ? hash : null,
      ts: epochMsOf(r['timestamp']) || epochMsOf(r['last_update']) || epochMsOf(r['match_time']),
    }
  }
  return null
}

function fillOf(
  orderId: string,
  tokenId: string,
  sideText: string,
  priceText: string,
  sizeText: string,
  feeText: string,
): OwnFill | null {
  const side = sideOf(sideText)
  const price = tryParsePrice(priceText)
  const size = tryParseSize(sizeText)
  if (side === null || price < 0 || size < 0) return null
  const fee = Number(feeText)
  return {
    orderId,
    tokenId,
    side,
    price: price as PriceTicks,
    size: size as ShareMicros,
    feeRateBps: Number.isFinite(fee) ? fee : 0,
  }
}
