/**
 * The daemon's HTTP server with the web terminal's side wired to fakes (books, health, account,
 * alerts, markets), and a live socket page that collects the server's batches.
 */
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { silentLogger } from '../../src/adapters/log.js'
import {
  LiveHub,
  type AccountSource,
  type AlertLike,
  type AlertSource,
} from '../../src/adapters/web/live-hub.js'
import { MarketDirectory } from '../../src/adapters/web/market-directory.js'
import type { AccessOptions } from '../../src/adapters/web/access.js'
import { ServerBatch, type ServerMessage } from '../../src/contracts/live.js'
import { OrderBook } from '../../src/domain/book/order-book.js'
import { validateGameEvent } from '../../src/domain/game-events.js'
import type { MarketId, TickSize, TokenId } from '../../src/domain/market.js'
import type { MarketInfo } from '../../src/domain/market-info.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../src/domain/units.js'
import { buildHttpServer } from '../../src/app/daemon/http.js'

export const NOW = 1_800_000_000_000
export const LIVE_ID = `0x${'11'.repeat(32)}`
export const SOON_ID = `0x${'22'.repeat(32)}`
export const DONE_ID = `0x${'33'.repeat(32)}`

function market(
  conditionId: string,
  slug: string,
  question: string,
  tokens: [string, string],
  extra: Partial<MarketInfo>,
): MarketInfo {
  return {
    conditionId: conditionId as MarketId,
    gammaId: '1',
    slug,
    question,
    eventSlug: null,
    eventTitle: null,
    sport: 'valorant',
    marketType: 'match',
    sportsMarketType: 'moneyline',
    line: null,
    outcomes: [
      { name: 'Fnatic', tokenId: tokens[0] as TokenId, price: null },
      { name: 'Sentinels', tokenId: tokens[1] as TokenId, price: null },
    ],
    tickSize: 100 as TickSize,
    minOrderSize: 5_000_000 as ShareMicros,
    negRisk: false,
    gameStartTime: null,
    startDate: null,
    endDate: null,
    active: true,
    closed: false,
    acceptingOrders: true,
    liquidityUsd: null,
    volume24hUsd: null,
    bestBid: null,
    bestAsk: null,
    spread: null,
    lastTradePrice: null,
    secondsDelay: 3,
    clearBookOnStart: null,
    feesEnabled: null,
    feeSchedule: null,
    gameId: null,
    eventLive: null,
    eventEnded: null,
    ...extra,
  }
}

export const MARKETS: readonly MarketInfo[] = [
  market(LIVE_ID, 'val-fnc-sen', 'Fnatic vs Sentinels', ['101', '102'], {
    gameStartTime: (NOW - 60_000) as EpochMs,
  }),
  market(SOON_ID, 'cs2-navi-g2', 'NAVI vs G2', ['201', '202'], {
    sport: 'cs2',
    gameStartTime: (NOW + 3_600_000) as EpochMs,
    outcomes: [
      { name: 'NAVI', tokenId: '201' as TokenId, price: null },
      { name: 'G2', tokenId: '202' as TokenId, price: null },
    ],
  }),
  market(DONE_ID, 'lol-t1-geng', 'T1 vs Gen.G', ['301', '302'], {
    sport: 'lol',
    closed: true,
    outcomes: [
      { name: 'T1', tokenId: '301' as TokenId, price: null },
      { name: 'Gen.G', tokenId: '302' as TokenId, price: null },
    ],
  }),
]

export type WebServerOptions = {
  readonly access?: AccessOptions
  readonly webRoot?: string
  readonly account?: AccountSource | null
}

export type WebServer = {
  readonly app: FastifyInstance
  readonly hub: LiveHub
  readonly books: Map<string, OrderBook>
  readonly alerts: AlertLike[]
  /** `http://127.0.0.1:<port>` once listening. */
  url: string
  listen(): Promise<string>
  close(): Promise<void>
}

export function fakeAccount(): AccountSource {
  return {
    build: () =>
      Promise.resolve({
        orders: { orders: [] },
        positions: { positions: [], cash_usdc: '10000' },
        risk: { global: { scope: 'global', mode: 'active' } },
      }),
  }
}

export function webServer(options: WebServerOptions = {}): WebServer {
  const books = new Map<string, OrderBook>()
  const first = OrderBook.empty('101' as TokenId, 100 as TickSize)
  first.replace(
    [{ price: 5300 as PriceTicks, size: 100_000_000 as ShareMicros }],
    [{ price: 5400 as PriceTicks, size: 50_000_000 as ShareMicros }],
    (NOW - 1_000) as EpochMs,
  )
  books.set('101', first)
  const alerts: AlertLike[] = []
  const alertSource: AlertSource = { recent: () => alerts, subscribe: () => () => {} }
  const directory = new MarketDirectory(() => MARKETS)
  const account = options.account === undefined ? fakeAccount() : options.account
  const healthOf = (t: string): 'live' | 'stale' => (books.has(t) ? 'live' : 'stale')
  const hub = new LiveHub({
    now: () => NOW,
    book: (t) => books.get(t),
    marketOf: (t) => directory.marketOf(t),
    healthOf,
    tokens: () => directory.tokens(),
    feedState: () => 'connected',
    hello: () => ({ venue: 'paper', feed: 'sim', version: '9.9.9' }),
    account: () => account,
    alerts: () => alertSource,
    latency: () => ({}),
    log: silentLogger(),
  })
  const app = buildHttpServer({
    metrics: { contentType: 'text/plain', text: () => Promise.resolve('tiltmeter_up 1\n') },
    health: () => ({ status: 'ok' }),
    validateGameEvent: (input) => validateGameEvent(input),
    store: {
      insertGameEvents: (events) => Promise.resolve(events.map((_e, i) => i + 1)),
      listGameEvents: () => Promise.resolve([]),
    },
    log: silentLogger(),
    live: {
      hub,
      markets: {
        directory,
        book: (t) => books.get(t),
        healthOf,
        now: () => NOW,
        alerts: () => alertSource,
        ui: () => ({ venue: 'paper', feed: 'sim', live: false, no_chase_ms: 0 }),
      },
    },
    ...(options.access === undefined ? {} : { access: options.access }),
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    version: '9.9.9',
  })
  const server: WebServer = {
    app,
    hub,
    books,
    alerts,
    url: '',
    async listen() {
      const address = await app.listen({ host: '127.0.0.1', port: 0 })
      server.url = address
      return address
    },
    async close() {
      hub.stop()
      await app.close()
    },
  }
  return server
}

/** A page on the live socket: every batch the server sent, checked against the contract. */
export class LivePage {
  readonly messages: ServerMessage[] = []
  closed: { code: number; reason: string } | null = null
  private readonly _socket: WebSocket
  private _wake: () => void = () => {}

  private constructor(socket: WebSocket) {
    this._socket = socket
    socket.on('message', (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8')
      this.messages.push(...ServerBatch.parse(JSON.parse(text)))
      this._wake()
    })
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') }
      this._wake()
    })
  }

  /** Opens the socket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<LivePage> {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers })
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LivePage(socket)))
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`))
        socket.terminate()
      })
      socket.once('error', reject)
    })
  }

  send(text: string): void {
    this._socket.send(text)
  }

  /** Resolves once `done()` holds (checked after each batch or close); bounded. */
  async until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((resolve) => {
        this._wake = resolve
        setTimeout(resolve, 50)
      })
    }
  }

  close(): void {
    this._socket.close()
  }
}
