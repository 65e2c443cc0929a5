/**
 * The simulator's trading side over HTTP: L1 endpoints that create/derive API keys (EIP-712
 * `ClobAuth`), L2 endpoints checked by HMAC (orders, cancels, open orders, trades, heartbeats,
 * balances), the public reads the official client needs around an order (`/version`, `/time`,
 * `/markets-by-token/{id}`, `/clob-markets/{condition}`), and the user WebSocket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseTickSize } from '../../../domain/market.js'
import { parseSize } from '../../../domain/units.js'
import { readBody, sendJson, type RouteReply } from '../http-util.js'
import type { Scenario, SimFrame } from '../scenario.js'
import { ApiKeyStore, type ApiCreds } from './api-keys.js'
import { TradingEngine } from './engine.js'
import type { MarketRef, OrderResponse, Rejection } from './orders.js'
import { parseOrderPayload } from './order-payload.js'
import { checkL1, checkL2, type AuthContext } from './request-auth.js'
import {
  CHAIN_POLYGON,
  EXCHANGE_V2,
  NEG_RISK_EXCHANGE_V2,
  orderHash,
  recoverDepositWalletOwner,
  recoverOrderSigner,
  sameAddress,
} from './signing.js'
import { OrderFaultInjector, type OrderFaultSpec } from './trading-faults.js'
import { UserWs } from './user-ws.js'

export type TradingOptions = {
  /** 137 (default) or 80002; orders and L1 messages must be signed for this chain. */
  readonly chainId?: number
  /** Collateral each new wallet starts with, USDC micros (default 1,000 USDC). */
  readonly startingCollateral?: number
  /** Trade lifecycle: MATCHED → MINED after this many ms (default 2000) … */
  readonly minedAfterMs?: number
  /** … → CONFIRMED this many ms later (default 3000). */
  readonly confirmedAfterMs?: number
  /** Heartbeat window: open orders are cancelled this long after the last heartbeat (10000). */
  readonly heartbeatTimeoutMs?: number
  /** In-play delay of marketable orders, ms: one value for every market or per condition id. */
  readonly inPlayDelayMs?: number | Readonly<Record<string, number>>
  /** Accepted distance between `POLY_TIMESTAMP` and the server clock, s (default 300). */
  readonly maxClockSkewS?: number
  /** Order-path faults (see trading-faults.ts). */
  readonly faults?: OrderFaultSpec
  readonly faultLogPath?: string
  /** `Retry-After` seconds in the post-only-mode 503 (default 120). */
  readonly postOnlyRetryAfterS?: number
  /** Wall clock, epoch ms (default `Date.now`). */
  readonly now?: () => number
}

const UNAUTHORIZED: RouteReply = { status: 401, body: { error: 'Unauthorized/Invalid api key' } }
const BAD_L1: RouteReply = { status: 401, body: { error: 'Invalid L1 Request headers' } }
const MAX_BATCH = 15
const END_CURSOR = 'LTE='

/** A reply, or `drop` to close the connection without an answer (a timeout). */
type Outcome = RouteReply | 'drop'

export class SimTrading {
  readonly keys: ApiKeyStore
  readonly engine: TradingEngine
  readonly userWs: UserWs
  readonly faults: OrderFaultInjector
  private readonly _scenario: Scenario
  private readonly _chainId: number
  private readonly _skewS: number
  private readonly _retryAfterS: number
  private readonly _now: () => number
  private readonly _delay: TradingOptions['inPlayDelayMs']

  constructor(
    scenario: Scenario,
    seed: number,
    options: TradingOptions = {},
    onMarketFrame?: (frame: SimFrame) => void,
  ) {
    this._scenario = scenario
    this._chainId = options.chainId ?? CHAIN_POLYGON
    this._skewS = options.maxClockSkewS ?? 300
    this._retryAfterS = options.postOnlyRetryAfterS ?? 120
    this._now = options.now ?? Date.now
    this._delay = options.inPlayDelayMs
    this.keys = new ApiKeyStore(`tiltmeter-sim-${seed}`)
    this.userWs = new UserWs(this.keys)
    this.faults = new OrderFaultInjector({
      seed,
      ...(options.faults === undefined ? {} : { spec: options.faults }),
      ...(options.faultLogPath === undefined ? {} : { logPath: options.faultLogPath }),
      now: this._now,
    })
    this.engine = new TradingEngine({
      market: (token) => this.market(token),
      yesBook: (market) => scenario.trueBook(market.yes),
      delayMs: (market) => this.delayMs(market.conditionId),
      onUserEvent: (owner, conditionId, payload) =>
        this.userWs.publish(owner, conditionId, payload),
      ...(onMarketFrame === undefined ? {} : { onMarketFrame }),
      now: this._now,
      startingCollateral: options.startingCollateral ?? 1_000_000_000,
      minedAfterMs: options.minedAfterMs ?? 2000,
      confirmedAfterMs: options.confirmedAfterMs ?? 3000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
    })
  }

  delayMs(conditionId: string): number {
    const delay = this._delay
    if (delay === undefined) return 0
    if (typeof delay === 'number') return delay
    return delay[conditionId] ?? 0
  }

  /** The market of a token from the scenario's events, else from its book alone. */
  market(tokenId: string): MarketRef | null {
    for (const event of this._scenario.events()) {
      for (const info of event.markets) {
        const index = info.tokens.indexOf(tokenId)
        if (index < 0) continue
        return {
          conditionId: info.conditionId,
          yes: info.tokens[0],
          no: info.tokens[1],
          outcomes: info.outcomes,
          tick: parseTickSize(info.tickSize),
          minShares: parseSize(info.minOrderSize),
          closed: info.closed,
        }
      }
    }
    const snap = this._scenario.snapshot(tokenId)
    if (snap === undefined) return null
    return {
      conditionId: snap.market,
      yes: tokenId,
      no: null,
      outcomes: ['', ''],
      tick: parseTickSize(snap.tick_size),
      minShares: 5_000_000,
      closed: false,
    }
  }

  private _marketByCondition(conditionId: string): MarketRef | null {
    for (const event of this._scenario.events()) {
      for (const info of event.markets) {
        if (info.conditionId === conditionId) return this.market(info.tokens[0])
      }
    }
    return null
  }

  /** After a scenario step: resting orders the scenario's book now crosses get filled. */
  afterStep(): void {
    this.engine.sweep()
  }

  async close(): Promise<void> {
    this.engine.close()
    await this.userWs.close()
  }

  /**
   * Answers the request when it is a trading route; false (nothing sent, body unread) when it
   * is not one.
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET'
    const path = url.pathname
    if (!isTradingRoute(method, path)) return false
    const body = method === 'GET' ? '' : await readBody(req)
    const outcome = await this._route(method, path, url.searchParams, body, req)
    if (outcome === 'drop') {
      req.socket.destroy()
    } else {
      sendJsonWithHeaders(res, outcome)
    }
    return true
  }

  private async _route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: string,
    req: IncomingMessage,
  ): Promise<Outcome> {
    // public reads
    if (method === 'GET' && path === '/version') return ok({ version: 2 })
    if (method === 'GET' && path === '/time') return ok(Math.floor(this._now() / 1000))
    if (method === 'GET' && path === '/ok') return ok('OK')
    if (method === 'GET' && path.startsWith('/markets-by-token/')) {
      const token = decodeURIComponent(path.slice('/markets-by-token/'.length))
      const market = this.market(token)
      if (market === null) return { status: 404, body: { error: 'market not found' } }
      return ok({
        condition_id: market.conditionId,
        primary_token_id: market.yes,
        secondary_token_id: market.no ?? '',
      })
    }
    if (method === 'GET' && path.startsWith('/clob-markets/')) {
      const market = this._marketByCondition(
        decodeURIComponent(path.slice('/clob-markets/'.length)),
      )
      if (market === null) return { status: 404, body: { error: 'market not found' } }
      return ok(this._clobMarket(market))
    }
    // L1
    if (path === '/auth/api-key' && method === 'POST') {
      const l1 = await checkL1(req, this._auth())
      if (l1 === null) return BAD_L1
      const creds = this.keys.create(l1.address, l1.nonce)
      if (creds === null) return { status: 400, body: { error: 'Could not create api key' } }
      return ok(credsBody(creds))
    }
    if (path === '/auth/derive-api-key' && method === 'GET') {
      const l1 = await checkL1(req, this._auth())
      if (l1 === null) return BAD_L1
      const creds = this.keys.derive(l1.address, l1.nonce)
      if (creds === null) return { status: 400, body: { error: 'Could not derive api key!' } }
      return ok(credsBody(creds))
    }
    // L2
    const creds = checkL2(req, method, path, body, this._auth())
    if (creds === null) return UNAUTHORIZED
    const owner = creds.apiKey
    switch (`${method} ${path}`) {
      case 'GET /auth/api-keys':
        return ok({ apiKeys: this.keys.keysOf(creds.address).map((c) => c.apiKey) })
      case 'DELETE /auth/api-key':
        this.engine.cancelWhere(owner)
        this.keys.delete(owner)
        return ok('OK')
      case 'GET /auth/ban-status/closed-only':
        return ok({ closed_only: false })
      case 'POST /order': {
        const value = parseJson(body)
        const placed = await this._placeOne(value, creds)
        if (placed === 'drop') return 'drop'
        return placed
      }
      case 'POST /orders':
        return this._placeBatch(body, creds)
      case 'DELETE /order': {
        const value = parseJson(body) as { orderID?: unknown } | null
        if (typeof value?.orderID !== 'string') {
          return bad('Invalid payload: expected {"orderID": "0x…"}')
        }
        return ok(this.engine.cancel(owner, [value.orderID]))
      }
      case 'DELETE /orders': {
        const value = parseJson(body)
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          return bad('Invalid payload: expected an array of order ids')
        }
        if (value.length > 1000) return bad('Invalid payload: at most 1000 order ids per request')
        return ok(this.engine.cancel(owner, value))
      }
      case 'DELETE /cancel-all':
        return ok(this.engine.cancelWhere(owner))
      case 'DELETE /cancel-market-orders': {
        const value = parseJson(body) as { market?: unknown; asset_id?: unknown } | null
        const market = typeof value?.market === 'string' ? value.market : undefined
        const assetId = typeof value?.asset_id === 'string' ? value.asset_id : undefined
        if (market === undefined && assetId === undefined) {
          return bad(
            'Invalid payload: expected {"market": "<condition id>"} or {"asset_id": "<token id>"}',
          )
        }
        return ok(
          this.engine.cancelWhere(owner, {
            ...(market === undefined ? {} : { market }),
            ...(assetId === undefined ? {} : { assetId }),
          }),
        )
      }
      case 'GET /data/orders': {
        const data = this.engine.openOrders(owner, filterOf(query))
        return ok({ limit: data.length, count: data.length, next_cursor: END_CURSOR, data })
      }
      case 'GET /data/trades': {
        const before = query.get('before')
        const after = query.get('after')
        const data = this.engine.trades(owner, {
          ...filterOf(query),
          ...(query.get('maker_address') === null
            ? {}
            : { makerAddress: query.get('maker_address')! }),
          ...(before === null ? {} : { before: Number(before) }),
          ...(after === null ? {} : { after: Number(after) }),
        })
        return ok({ limit: data.length, count: data.length, next_cursor: END_CURSOR, data })
      }
      case 'POST /v1/heartbeats': {
        const value = parseJson(body) as { heartbeat_id?: unknown } | null
        const id = value?.heartbeat_id ?? ''
        if (typeof id !== 'string') return bad('Invalid payload: heartbeat_id must be a string')
        const beat = this.engine.heartbeat(owner, id)
        if (!beat.ok) {
          return {
            status: 400,
            body: { error: 'Invalid Heartbeat ID', heartbeat_id: beat.expected },
          }
        }
        return ok({ heartbeat_id: beat.id })
      }
      case 'GET /balance-allowance':
      case 'GET /balance-allowance/update':
        return this._balance(creds, query, path.endsWith('/update'))
      default:
        break
    }
    if (method === 'GET' && path.startsWith('/data/order/')) {
      const order = this.engine.openOrder(
        owner,
        decodeURIComponent(path.slice('/data/order/'.length)),
      )
      return order === null ? { status: 404, body: { error: 'order not found' } } : ok(order)
    }
    return { status: 404, body: { error: `no route for ${method} ${path}` } }
  }

  private _auth(): AuthContext {
    return { keys: this.keys, chainId: this._chainId, skewS: this._skewS, nowMs: this._now() }
  }

  private _clobMarket(market: MarketRef): Record<string, unknown> {
    const tokens = [{ t: market.yes, o: market.outcomes[0] }]
    if (market.no !== null) tokens.push({ t: market.no, o: market.outcomes[1] })
    return {
      c: market.conditionId,
      t: tokens,
      mts: market.tick / 10_000,
      mos: market.minShares / 1_000_000,
      fd: { r: 0, e: 1, to: true },
      mbf: 0,
      tbf: 0,
      r: null,
      ao: !market.closed,
      sd: Math.ceil(this.delayMs(market.conditionId) / 1000),
    }
  }

  private _balance(creds: ApiCreds, query: URLSearchParams, update: boolean): RouteReply {
    const type = query.get('asset_type')
    if (type !== 'COLLATERAL' && type !== 'CONDITIONAL') {
      return bad('Invalid asset_type: use COLLATERAL or CONDITIONAL')
    }
    const token = query.get('token_id')
    if (type === 'CONDITIONAL' && (token === null || token === '')) {
      return bad('Invalid token_id: CONDITIONAL balances need a token_id')
    }
    if (update) return ok('')
    const wallet = this.engine.wallet(creds.address)
    const balance = type === 'COLLATERAL' ? wallet.usd : (wallet.tokens.get(token!) ?? 0)
    const allowance = wallet.allowance
      ? '115792089237316195423570985008687907853269984665640564039457584007913129639935'
      : '0'
    return ok({
      balance: String(balance),
      allowances: { [EXCHANGE_V2]: allowance, [NEG_RISK_EXCHANGE_V2]: allowance },
    })
  }

  private async _placeBatch(body: string, creds: ApiCreds): Promise<Outcome> {
    const value = parseJson(body)
    if (!Array.isArray(value)) return bad('Invalid payload: expected an array of orders')
    if (value.length === 0 || value.length > MAX_BATCH) {
      return bad(`Invalid payload: send 1 to ${MAX_BATCH} orders per request, not ${value.length}`)
    }
    const results: unknown[] = []
    let drop = false
    for (const entry of value as unknown[]) {
      const outcome = await this._placeOne(entry, creds)
      if (outcome === 'drop') {
        drop = true
        continue
      }
      if (outcome.status === 200) {
        results.push(outcome.body)
      } else {
        const error = (outcome.body as { error?: unknown }).error
        results.push({
          success: false,
          errorMsg: typeof error === 'string' ? error : JSON.stringify(error),
          orderID: '',
          status: '',
          makingAmount: '',
          takingAmount: '',
          transactionsHashes: [],
          tradeIDs: [],
        })
      }
    }
    return drop ? 'drop' : ok(results)
  }

  private async _placeOne(value: unknown, creds: ApiCreds): Promise<Outcome> {
    const parsed = parseOrderPayload(value)
    if (typeof parsed === 'string') return bad(`Invalid order payload: ${parsed}`)
    const { order, owner, orderType, postOnly } = parsed
    if (owner !== creds.apiKey) return bad('the order owner has to be the owner of the API KEY')
    const negRisk = false
    if (order.signatureType === 3) {
      if (!sameAddress(order.maker, order.signer)) {
        return bad(
          'Invalid order payload: a deposit-wallet order (signatureType 3) needs maker = signer = the wallet',
        )
      }
      const owner = await recoverDepositWalletOwner(order, this._chainId, negRisk)
      if (owner === null || !sameAddress(owner, creds.address)) return bad('invalid signature')
    } else {
      if (!sameAddress(order.signer, creds.address)) {
        return bad('the order signer address has to be the address of the API KEY')
      }
      if (order.signatureType === 0 && !sameAddress(order.maker, order.signer)) {
        return bad('Invalid order payload: an EOA order (signatureType 0) needs maker = signer')
      }
      const recovered = await recoverOrderSigner(order, this._chainId, negRisk)
      if (recovered === null || !sameAddress(recovered, order.signer))
        return bad('invalid signature')
    }
    const id = orderHash(order, this._chainId, negRisk)
    const fault = this.faults.draw()
    const input = { id, order, owner, orderType, postOnly }
    switch (fault?.name) {
      case 'order_425':
        return { status: 425, body: { error: 'Too Early: the matching engine is restarting' } }
      case 'order_503':
        if (!postOnly) {
          return {
            status: 503,
            body: {
              error: 'post-only mode: only post-only orders and cancels are allowed',
              code: 'post_only_mode',
              retry_after_seconds: this._retryAfterS,
            },
            headers: { 'retry-after': String(this._retryAfterS) },
          } as RouteReply
        }
        break
      case 'order_reject':
        return bad('not enough balance / allowance')
      case 'order_timeout':
        if (fault.placed) this.engine.submit(input)
        return 'drop'
      case 'partial_fill':
      case 'trade_failed':
      case undefined:
        break
    }
    const result = this.engine.submit(input, {
      partial: fault?.name === 'partial_fill',
      failTrade: fault?.name === 'trade_failed',
    })
    return isRejection(result)
      ? { status: result.status, body: { error: result.error } }
      : ok(result)
  }
}

const TRADING_PATHS = new Set([
  'GET /version',
  'GET /time',
  'GET /ok',
  'POST /auth/api-key',
  'GET /auth/derive-api-key',
  'GET /auth/api-keys',
  'DELETE /auth/api-key',
  'GET /auth/ban-status/closed-only',
  'POST /order',
  'POST /orders',
  'DELETE /order',
  'DELETE /orders',
  'DELETE /cancel-all',
  'DELETE /cancel-market-orders',
  'GET /data/orders',
  'GET /data/trades',
  'POST /v1/heartbeats',
  'GET /balance-allowance',
  'GET /balance-allowance/update',
])

export function isTradingRoute(method: string, path: string): boolean {
  if (TRADING_PATHS.has(`${method} ${path}`)) return true
  if (method !== 'GET') return false
  return (
    path.startsWith('/data/order/') ||
    path.startsWith('/markets-by-token/') ||
    path.startsWith('/clob-markets/')
  )
}

function ok(body: unknown): RouteReply {
  return { status: 200, body }
}

function bad(error: string): RouteReply {
  return { status: 400, body: { error } }
}

function isRejection(value: Rejection | OrderResponse): value is Rejection {
  return 'error' in value
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function credsBody(creds: ApiCreds): Record<string, string> {
  return { apiKey: creds.apiKey, secret: creds.secret, passphrase: creds.passphrase }
}

function filterOf(query: URLSearchParams): { id?: string; market?: string; assetId?: string } {
  const id = query.get('id')
  const market = query.get('market')
  const assetId = query.get('asset_id')
  return {
    ...(id === null ? {} : { id }),
    ...(market === null ? {} : { market }),
    ...(assetId === null ? {} : { assetId }),
  }
}

/** Like `sendJson`, plus the reply's extra headers (e.g. `Retry-After`). */
function sendJsonWithHeaders(res: ServerResponse, reply: RouteReply): void {
  const extra = (reply as RouteReply & { headers?: Record<string, string> }).headers
  if (extra === undefined) {
    sendJson(res, reply)
    return
  }
  const text = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    ...extra,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}
