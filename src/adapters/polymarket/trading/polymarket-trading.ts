/**
 * Live trading on Polymarket through the official client `@polymarket/clob-client-v2` (pinned).
 * The client builds and signs V2 orders and the L2 headers; this class adds what a trading
 * system needs around it:
 *
 * - checks before signing (tick, price range, size steps, minimum size, marketable BUY amount
 *   precision) so that a bad order never reaches the venue;
 * - typed results instead of the client's `{...body, status}` values: `accepted`, `delayed`
 *   (in-play delay), `rejected` with a stable reason, or `unknown` when no answer arrived (the
 *   order id is computed locally, so {@link PolymarketTrading.resolve} can look it up);
 * - HTTP 425 retried with doubling backoff within a bound; the post-only window (503) refuses
 *   non-post-only orders locally until it ends;
 * - `not enough balance / allowance` on a SELL (typical right after a buy) refreshes the
 *   venue's balance cache and sends the same signed order once more;
 * - heartbeats (dead-man switch) and the user channel, see heartbeat.ts and user-channel.ts.
 *
 * Credentials come from the environment only (credentials.ts) and every error text passes
 * through the redaction.
 */
import {
  AssetType,
  ClobClient,
  OrderType,
  Side,
  type ApiKeyCreds,
  type BalanceAllowanceParams,
  type OpenOrder,
  type OrderResponse,
  type SignedOrder,
  type TickSize as ClientTickSize,
  type Trade,
} from '@polymarket/clob-client-v2'
import { createWalletClient, custom, hashTypedData } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { parseTickSize, TICK_SIZE_TEXT } from '../../../domain/market.js'
import {
  formatPrice,
  formatSize,
  parseSize,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../../domain/units.js'
import {
  redact,
  secretsOf,
  SIGNATURE_TYPE_NAMES,
  type ApiCredentials,
  type SignatureType,
  type TradingCredentials,
} from './credentials.js'
import { HeartbeatLoop, type HeartbeatHealth, type HeartbeatOptions } from './heartbeat.js'
import {
  checkLimit,
  checkMarketSell,
  marketableBuyAmountsOk,
  marketBuySpend,
  type MarketParams,
  type RejectReason,
} from './order-rules.js'
import { UserChannel, type UserChannelEvent } from './user-channel.js'
import {
  failureOf,
  neverSent,
  outcomeUnknown,
  reasonOf,
  type ClientFailure,
} from './venue-errors.js'

export type TradingConfig = {
  /** CLOB REST base URL (`https://clob.polymarket.com`, or the simulator's). */
  readonly restUrl: string
  /** User channel URL (`wss://ws-subscriptions-clob.polymarket.com/ws/user`). */
  readonly userWsUrl: string
  /** 137 (Polygon, default) or 80002 (Amoy). */
  readonly chainId?: 137 | 80002
  /** A write with no answer after this long has an unknown outcome, ms (default 10000). */
  readonly requestTimeoutMs?: number
  /** HTTP 425: attempts in all (default 4) and the first backoff, doubling (default 1000 ms). */
  readonly retry425Attempts?: number
  readonly retry425BaseMs?: number
  /** Post-only window assumed after a 503 without `Retry-After`, ms (default 120000). */
  readonly postOnlyWindowMs?: number
  readonly now?: () => number
  /** Waits between retries (tests pass a short one). */
  readonly sleep?: (ms: number) => Promise<void>
}

export type OrderSideText = 'buy' | 'sell'

export type PlaceOrderRequest =
  /** Marketable BUY spending at most `spend`, paying at most `worstPrice` per share. */
  | {
      readonly kind: 'market'
      readonly tokenId: string
      readonly side: 'buy'
      readonly spend: UsdcMicros
      readonly worstPrice: PriceTicks
      readonly timeInForce: 'FAK' | 'FOK'
    }
  /** Marketable SELL of `size` shares, taking at least `worstPrice` per share. */
  | {
      readonly kind: 'market'
      readonly tokenId: string
      readonly side: 'sell'
      readonly size: ShareMicros
      readonly worstPrice: PriceTicks
      readonly timeInForce: 'FAK' | 'FOK'
    }
  | {
      readonly kind: 'limit'
      readonly tokenId: string
      readonly side: OrderSideText
      readonly price: PriceTicks
      readonly size: ShareMicros
      readonly timeInForce: 'GTC' | 'GTD'
      /** GTD: the time the order should stop resting, epoch ms. */
      readonly expiresAt?: number
      readonly postOnly?: boolean
    }

export type PlaceResult =
  | {
      readonly outcome: 'accepted'
      readonly orderId: string
      /** `live` resting, `matched` filled (in part for FAK), `unmatched` rested after a delay. */
      readonly status: string
      /** What we gave and got, in the venue's decimal strings (empty when not matched). */
      readonly making: string
      readonly taking: string
      readonly tradeIds: readonly string[]
      readonly attempts: number
    }
  /** Held by the in-play delay: matched or not later (follow the user channel). */
  | { readonly outcome: 'delayed'; readonly orderId: string; readonly attempts: number }
  | {
      readonly outcome: 'rejected'
      readonly reason: RejectReason
      readonly message: string
      /** HTTP status, or null when refused before sending. */
      readonly status: number | null
      readonly retryAfterMs: number | null
      readonly orderId: string | null
      readonly attempts: number
    }
  /** No answer: the order may or may not exist. Look it up with `resolve`. */
  | {
      readonly outcome: 'unknown'
      readonly orderId: string
      readonly tokenId: string
      readonly message: string
      readonly attempts: number
    }

export type Resolution =
  | { readonly state: 'open'; readonly order: OpenOrderRow }
  | { readonly state: 'traded'; readonly trades: readonly VenueTrade[] }
  /** Neither open nor traded: it was not placed (or was cancelled without fills). */
  | { readonly state: 'absent' }

export type OpenOrderRow = {
  readonly orderId: string
  readonly market: string
  readonly tokenId: string
  readonly side: OrderSideText
  readonly price: PriceTicks
  readonly originalSize: ShareMicros
  readonly sizeMatched: ShareMicros
  readonly status: string
  readonly orderType: string
  readonly createdAtMs: number
}

export type VenueTrade = {
  readonly tradeId: string
  readonly status: string
  readonly takerOrderId: string
  readonly liquidity: 'taker' | 'maker'
  /** Order ids of ours that the trade filled. */
  readonly orderIds: readonly string[]
  readonly raw: Trade
}

export type CancelResult = {
  readonly canceled: readonly string[]
  /** Order id → the venue's reason (`already canceled or matched`, …). */
  readonly notCanceled: Readonly<Record<string, string>>
}

export class TradingCallError extends Error {
  readonly code: 'UNAUTHORIZED' | 'VENUE_ERROR' | 'NO_ANSWER'
  readonly status: number | null
  constructor(code: TradingCallError['code'], message: string, status: number | null) {
    super(message)
    this.code = code
    this.status = status
  }
}

const EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B'
const NEG_RISK_EXCHANGE_V2 = '0xe2222d279d744050d28e00520010520000310F59'
const ORDER_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const

/** The venue's order id: the EIP-712 hash of the V2 order. */
export function orderIdOf(order: SignedOrder, chainId: number, negRisk: boolean): string {
  const o = order as unknown as Record<string, string | number>
  return hashTypedData({
    domain: {
      name: 'Polymarket CTF Exchange',
      version: '2',
      chainId,
      verifyingContract: negRisk ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2,
    },
    types: ORDER_TYPES,
    primaryType: 'Order',
    message: {
      salt: BigInt(o['salt']!),
      maker: String(o['maker']) as `0x${string}`,
      signer: String(o['signer']) as `0x${string}`,
      tokenId: BigInt(o['tokenId']!),
      makerAmount: BigInt(o['makerAmount']!),
      takerAmount: BigInt(o['takerAmount']!),
      side: o['side'] === 'BUY' || o['side'] === 0 ? 0 : 1,
      signatureType: Number(o['signatureType']),
      timestamp: BigInt(o['timestamp']!),
      metadata: String(o['metadata']) as `0x${string}`,
      builder: String(o['builder']) as `0x${string}`,
    },
  })
}

const TIMED_OUT = Symbol('timed out')

export class PolymarketTrading {
  readonly client: ClobClient
  /** The signing EOA. */
  readonly address: string
  /** The funds holder (deposit wallet, proxy, safe, or the EOA). */
  readonly funder: string
  readonly signatureType: SignatureType
  readonly chainId: 137 | 80002
  private readonly _api: ApiCredentials
  private readonly _secrets: string[]
  private readonly _config: TradingConfig
  private readonly _params = new Map<string, MarketParams>()
  private _postOnlyUntil = 0
  private _heartbeat: HeartbeatLoop | null = null

  private constructor(
    client: ClobClient,
    config: TradingConfig,
    credentials: TradingCredentials,
    api: ApiCredentials,
    address: string,
  ) {
    this.client = client
    this._config = config
    this._api = api
    this._secrets = secretsOf(credentials, api)
    this.address = address
    this.funder = credentials.funder ?? address
    this.signatureType = credentials.signatureType
    this.chainId = config.chainId ?? 137
  }

  /**
   * Builds the client, derives the API credentials with an L1 signature when none were given,
   * and checks them with one authenticated read. Throws {@link TradingCallError} (message
   * redacted) when the venue refuses them.
   */
  static async connect(
    config: TradingConfig,
    credentials: TradingCredentials,
  ): Promise<PolymarketTrading> {
    const chain = config.chainId ?? 137
    const secrets = secretsOf(credentials, credentials.api)
    const clean = (text: string): string => redact(text, secrets)
    let account
    try {
      account = privateKeyToAccount(credentials.privateKey)
    } catch {
      throw new TradingCallError(
        'UNAUTHORIZED',
        'the private key is not a valid secp256k1 key (value not shown): check POLYMARKET_PRIVATE_KEY',
        null,
      )
    }
    // Orders and L1 messages are signed locally; the wallet never needs a chain connection.
    const wallet = createWalletClient({
      account,
      transport: custom({
        request: ({ method }: { method: string }) =>
          Promise.reject(new Error(`no chain access from the trading adapter (${method})`)),
      }),
    })
    const base = {
      host: config.restUrl.replace(/\/+$/, ''),
      chain,
      signer: wallet,
      signatureType: credentials.signatureType,
      ...(credentials.funder === null ? {} : { funderAddress: credentials.funder }),
      throwOnError: false,
    }
    let api = credentials.api
    if (api === null) {
      const l1 = new ClobClient(base)
      let derived: ApiKeyCreds | Record<string, unknown>
      try {
        derived = await l1.createOrDeriveApiKey()
      } catch (error) {
        throw new TradingCallError(
          'NO_ANSWER',
          clean(`deriving the API credentials failed: ${messageOf(error)}`),
          null,
        )
      }
      const d = derived as Partial<ApiKeyCreds>
      if (typeof d.key !== 'string' || d.key === '' || typeof d.secret !== 'string') {
        const failure = failureOf(derived)
        throw new TradingCallError(
          'UNAUTHORIZED',
          clean(
            `the venue did not return API credentials for ${account.address}${failure === null ? '' : ` (${failure.message})`}: check the private key, or set POLYMARKET_API_KEY/SECRET/PASSPHRASE`,
          ),
          failure?.kind === 'http' ? failure.status : null,
        )
      }
      api = { key: d.key, secret: d.secret, passphrase: d.passphrase ?? '' }
    }
    const client = new ClobClient({ ...base, creds: { ...api } })
    disableSettlementWait(client)
    const trading = new PolymarketTrading(client, config, credentials, api, account.address)
    const version: unknown = await trading._call(() => client.getVersion())
    if (typeof version === 'number' && version !== 2) {
      throw new TradingCallError(
        'VENUE_ERROR',
        `the venue reports order version ${version}; this adapter signs V2 orders only`,
        null,
      )
    }
    const check: unknown = await trading._call(() => client.getClosedOnlyMode())
    const failure: ClientFailure | null =
      check === TIMED_OUT ? { kind: 'transport', message: 'no answer in time' } : failureOf(check)
    if (failure !== null) {
      const status = failure.kind === 'http' ? failure.status : null
      throw new TradingCallError(
        status === 401 || status === 403 ? 'UNAUTHORIZED' : 'NO_ANSWER',
        trading.redact(
          status === 401 || status === 403
            ? `the venue refused the API credentials (${status} ${failure.message}): check that POLYMARKET_API_KEY, POLYMARKET_API_SECRET and POLYMARKET_API_PASSPHRASE belong to ${account.address}, or unset them to derive`
            : `checking the API credentials got no answer from ${config.restUrl}: ${failure.message}`,
        ),
        status,
      )
    }
    return trading
  }

  /** The API key (public id; the secret and passphrase are never exposed). */
  get apiKey(): string {
    return this._api.key
  }

  /** One line describing the set-up, for startup logs (no secrets). */
  describe(): string {
    return `polymarket live: signer ${this.address}, funder ${this.funder}, signature type ${this.signatureType} (${SIGNATURE_TYPE_NAMES[this.signatureType]}), chain ${this.chainId}, api key ${this.apiKey}`
  }

  redact(text: string): string {
    return redact(text, this._secrets)
  }

  /** Tells the adapter a token's tick, minimum size and neg-risk flag (e.g. from the book feed). */
  setMarketParams(tokenId: string, params: MarketParams): void {
    this._params.set(tokenId, params)
  }

  /** A token's parameters: cached, else read from `GET /book`. */
  async marketParams(tokenId: string): Promise<MarketParams> {
    const known = this._params.get(tokenId)
    if (known !== undefined) return known
    const book: unknown = await this._call(() => this.client.getOrderBook(tokenId))
    const failure: ClientFailure | null =
      book === TIMED_OUT ? { kind: 'transport', message: 'no answer in time' } : failureOf(book)
    if (failure !== null) throw this._callError(`reading the book of token ${tokenId}`, failure)
    const b = book as { tick_size?: unknown; min_order_size?: unknown; neg_risk?: unknown }
    try {
      const params: MarketParams = {
        tick: parseTickSize(textOf(b.tick_size)),
        minSize: parseSize(textOf(b.min_order_size ?? '0')),
        negRisk: b.neg_risk === true,
      }
      this._params.set(tokenId, params)
      return params
    } catch (error) {
      throw new TradingCallError(
        'VENUE_ERROR',
        `the book of token ${tokenId} has no usable tick_size/min_order_size: ${messageOf(error)}`,
        null,
      )
    }
  }

  /** Seconds left in the post-only window (0 when none is known). */
  postOnlyWindowLeftMs(): number {
    return Math.max(0, this._postOnlyUntil - this._now())
  }

  // ---- orders ------------------------------------------------------------------------------

  /**
   * Checks, signs and sends one order. `options.beforeSend` is awaited with the order id once
   * the order is signed and before it leaves, so a caller can store the id first (a crash after
   * that leaves an id to look up; a crash before it, an order that was never sent).
   */
  async placeOrder(
    request: PlaceOrderRequest,
    options: { readonly beforeSend?: (orderId: string) => Promise<void> | void } = {},
  ): Promise<PlaceResult> {
    let params: MarketParams
    try {
      params = await this.marketParams(request.tokenId)
    } catch (error) {
      return local('MARKET_NOT_READY', this.redact(messageOf(error)))
    }
    const postOnly = request.kind === 'limit' && request.postOnly === true
    if (!postOnly && this.postOnlyWindowLeftMs() > 0) {
      const left = this.postOnlyWindowLeftMs()
      return {
        ...local(
          'POST_ONLY_MODE',
          `the venue is in post-only mode for about ${Math.ceil(left / 1000)} s more (after a matching-engine restart): only post-only limit orders and cancels are taken`,
        ),
        retryAfterMs: left,
      }
    }
    let signed: SignedOrder
    let orderType: OrderType
    try {
      const built = await this._build(request, params)
      if ('reason' in built) return local(built.reason, built.message)
      signed = built.order
      orderType = built.orderType
    } catch (error) {
      return local(
        'INVALID_ORDER',
        this.redact(`the order could not be built: ${messageOf(error)}`),
      )
    }
    const orderId = orderIdOf(signed, this.chainId, params.negRisk)
    if (options.beforeSend !== undefined) {
      try {
        await options.beforeSend(orderId)
      } catch (error) {
        return {
          ...local('NOT_SENT', this.redact(`the order was not sent: ${messageOf(error)}`)),
          orderId,
        }
      }
    }
    return this._post(signed, orderType, postOnly, orderId, request)
  }

  private async _build(
    request: PlaceOrderRequest,
    params: MarketParams,
  ): Promise<
    { order: SignedOrder; orderType: OrderType } | { reason: RejectReason; message: string }
  > {
    const tickSize = TICK_SIZE_TEXT[params.tick] as ClientTickSize
    // The client caches ticks forever; keep its cache on our (fresher) value so that it neither
    // asks the venue again nor refuses a tick that became finer.
    this.client.tickSizes[request.tokenId] = tickSize
    const options = { tickSize, negRisk: params.negRisk, version: 2 as const }
    if (request.kind === 'limit') {
      const failure = checkLimit(request.price, request.size, params)
      if (failure !== null) return failure
      let expiration = 0
      if (request.timeInForce === 'GTD') {
        if (request.expiresAt === undefined || request.expiresAt <= this._now()) {
          return {
            reason: 'INVALID_EXPIRATION',
            message: 'a GTD order needs expiresAt in the future (epoch ms)',
          }
        }
        // the venue ends GTD orders a minute before the stated expiration
        expiration = Math.ceil(request.expiresAt / 1000) + 60
      }
      const order = await this.client.createOrder(
        {
          tokenID: request.tokenId,
          price: Number(formatPrice(request.price)),
          size: Number(formatSize(request.size)),
          side: request.side === 'buy' ? Side.BUY : Side.SELL,
          ...(expiration === 0 ? {} : { expiration }),
        },
        options,
      )
      return { order, orderType: request.timeInForce === 'GTD' ? OrderType.GTD : OrderType.GTC }
    }
    const orderType = request.timeInForce === 'FOK' ? OrderType.FOK : OrderType.FAK
    const price = Number(formatPrice(request.worstPrice))
    if (request.side === 'buy') {
      const spend = marketBuySpend(request.spend, request.worstPrice, params)
      if ('reason' in spend) return spend
      const order = await this.client.createMarketOrder(
        { tokenID: request.tokenId, amount: spend.cents / 100, price, side: Side.BUY, orderType },
        options,
      )
      if (!marketableBuyAmountsOk(order.makerAmount, order.takerAmount)) {
        return {
          reason: 'BAD_AMOUNT',
          message: `the signed amounts (maker ${order.makerAmount}, taker ${order.takerAmount} micros) exceed the venue's 2/4 decimals for a marketable buy: change the amount slightly`,
        }
      }
      return { order, orderType }
    }
    const failure = checkMarketSell(request.worstPrice, request.size, params)
    if (failure !== null) return failure
    const order = await this.client.createMarketOrder(
      {
        tokenID: request.tokenId,
        amount: Number(formatSize(request.size)),
        price,
        side: Side.SELL,
        orderType,
      },
      options,
    )
    return { order, orderType }
  }

  private async _post(
    signed: SignedOrder,
    orderType: OrderType,
    postOnly: boolean,
    orderId: string,
    request: PlaceOrderRequest,
  ): Promise<PlaceResult> {
    const maxAttempts = Math.max(1, this._config.retry425Attempts ?? 4)
    let backoff = this._config.retry425BaseMs ?? 1000
    let refreshed = false
    for (let attempt = 1; ; attempt++) {
      const answer = await this._call(
        () => this.client.postOrder(signed, orderType, postOnly),
        this._config.requestTimeoutMs ?? 10_000,
      )
      if (answer === TIMED_OUT) {
        return this._unknown(
          orderId,
          request,
          `no answer within ${this._config.requestTimeoutMs ?? 10_000} ms`,
          attempt,
        )
      }
      const failure = failureOf(answer)
      if (failure === null) return this._accepted(answer, orderId, attempt)
      if (failure.kind === 'transport') {
        if (neverSent(failure.message)) {
          return {
            ...local('NOT_SENT', this.redact(`the venue could not be reached: ${failure.message}`)),
            orderId,
            attempts: attempt,
          }
        }
        return this._unknown(orderId, request, failure.message, attempt)
      }
      if (outcomeUnknown(failure.status)) {
        return this._unknown(orderId, request, `${failure.status} ${failure.message}`, attempt)
      }
      const reason = reasonOf(failure.status, failure.message, failure.code)
      if (reason === 'ENGINE_RESTARTING' && attempt < maxAttempts) {
        await this._sleep(backoff)
        backoff *= 2
        continue
      }
      if (reason === 'INSUFFICIENT_BALANCE' && request.side === 'sell' && !refreshed) {
        // right after a buy the venue's cached balance may not show the new shares yet
        refreshed = true
        await this._call(() =>
          this.client.updateBalanceAllowance({
            asset_type: AssetType.CONDITIONAL,
            token_id: request.tokenId,
          }),
        )
        continue
      }
      if (reason === 'POST_ONLY_MODE') {
        this._postOnlyUntil =
          this._now() + (failure.retryAfterMs ?? this._config.postOnlyWindowMs ?? 120_000)
      }
      if (reason === 'OFF_TICK' || reason === 'BELOW_MIN_SIZE') this._params.delete(request.tokenId)
      return {
        outcome: 'rejected',
        reason,
        message: this.redact(failure.message),
        status: failure.status,
        retryAfterMs: failure.retryAfterMs,
        orderId,
        attempts: attempt,
      }
    }
  }

  private _accepted(response: OrderResponse, orderId: string, attempts: number): PlaceResult {
    const id = response.orderID !== '' ? response.orderID : orderId
    if (response.success === false || response.orderID === '') {
      // batch-style refusal inside a 200 answer
      const message =
        response.errorMsg === '' ? 'the venue returned no order id' : response.errorMsg
      return {
        outcome: 'rejected',
        reason: reasonOf(400, message, null),
        message: this.redact(message),
        status: 200,
        retryAfterMs: null,
        orderId: id,
        attempts,
      }
    }
    if (response.status === 'delayed') return { outcome: 'delayed', orderId: id, attempts }
    return {
      outcome: 'accepted',
      orderId: id,
      status: response.status,
      making: response.makingAmount,
      taking: response.takingAmount,
      tradeIds: response.tradeIDs ?? [],
      attempts,
    }
  }

  private _unknown(
    orderId: string,
    request: PlaceOrderRequest,
    message: string,
    attempts: number,
  ): PlaceResult {
    return {
      outcome: 'unknown',
      orderId,
      tokenId: request.tokenId,
      message: this.redact(`no answer to the order (${message}): it may or may not be placed`),
      attempts,
    }
  }

  /**
   * What became of an order whose outcome was unknown: still open, traded (fully or in part,
   * then cancelled or killed), or absent. Reads `GET /data/orders?id=` and the token's trades.
   */
  async resolve(orderId: string, tokenId: string): Promise<Resolution> {
    const open = await this.openOrders({ id: orderId })
    const found = open.find((o) => o.orderId === orderId)
    if (found !== undefined) return { state: 'open', order: found }
    const trades = (await this.trades({ tokenId })).filter((t) => t.orderIds.includes(orderId))
    if (trades.length > 0) return { state: 'traded', trades }
    return { state: 'absent' }
  }

  async cancel(orderId: string): Promise<CancelResult> {
    return this._cancelCall(`cancelling order ${orderId}`, () =>
      this.client.cancelOrder({ orderID: orderId }),
    )
  }

  async cancelMany(orderIds: readonly string[]): Promise<CancelResult> {
    if (orderIds.length === 0) return { canceled: [], notCanceled: {} }
    return this._cancelCall(`cancelling ${orderIds.length} orders`, () =>
      this.client.cancelOrders([...orderIds]),
    )
  }

  /** Cancels every order of ours in one market (condition id) or on one token. */
  async cancelMarket(target: { market: string } | { tokenId: string }): Promise<CancelResult> {
    const payload = 'market' in target ? { market: target.market } : { asset_id: target.tokenId }
    return this._cancelCall('cancelling the orders of a market', () =>
      this.client.cancelMarketOrders(payload),
    )
  }

  async cancelAll(): Promise<CancelResult> {
    return this._cancelCall('cancelling all orders', () => this.client.cancelAll())
  }

  private async _cancelCall(what: string, call: () => Promise<unknown>): Promise<CancelResult> {
    const answer = await this._call(call, this._config.requestTimeoutMs ?? 10_000)
    if (answer === TIMED_OUT) {
      throw new TradingCallError('NO_ANSWER', `${what}: no answer in time; check open orders`, null)
    }
    const failure = failureOf(answer)
    if (failure !== null) throw this._callError(what, failure)
    const body = answer as { canceled?: unknown; not_canceled?: unknown }
    const canceled = Array.isArray(body.canceled)
      ? body.canceled.filter((v): v is string => typeof v === 'string')
      : []
    const notCanceled: Record<string, string> = {}
    if (body.not_canceled !== null && typeof body.not_canceled === 'object') {
      for (const [id, why] of Object.entries(body.not_canceled as Record<string, unknown>)) {
        notCanceled[id] = typeof why === 'string' ? why : JSON.stringify(why)
      }
    }
    return { canceled, notCanceled }
  }

  async openOrders(
    filter: { id?: string; market?: string; tokenId?: string } = {},
  ): Promise<OpenOrderRow[]> {
    const params = {
      ...(filter.id === undefined ? {} : { id: filter.id }),
      ...(filter.market === undefined ? {} : { market: filter.market }),
      ...(filter.tokenId === undefined ? {} : { asset_id: filter.tokenId }),
    }
    const list = await this._read('reading open orders', () => this.client.getOpenOrders(params))
    return (list as OpenOrder[]).map(openOrderRowOf)
  }

  async trades(
    filter: { id?: string; market?: string; tokenId?: string; afterS?: number } = {},
  ): Promise<VenueTrade[]> {
    const params = {
      ...(filter.id === undefined ? {} : { id: filter.id }),
      ...(filter.market === undefined ? {} : { market: filter.market }),
      ...(filter.tokenId === undefined ? {} : { asset_id: filter.tokenId }),
      ...(filter.afterS === undefined ? {} : { after: String(filter.afterS) }),
    }
    const list = await this._read('reading trades', () => this.client.getTrades(params))
    return (list as Trade[]).map((t) => this._venueTrade(t))
  }

  private _venueTrade(t: Trade): VenueTrade {
    const maker = t.trader_side === 'MAKER'
    const orderIds = maker
      ? (t.maker_orders ?? [])
          .filter(
            (m) =>
              m.owner === this._api.key ||
              m.maker_address.toLowerCase() === this.funder.toLowerCase(),
          )
          .map((m) => m.order_id)
      : [t.taker_order_id]
    return {
      tradeId: t.id,
      status: t.status.replace(/^TRADE_STATUS_/, ''),
      takerOrderId: t.taker_order_id,
      liquidity: maker ? 'maker' : 'taker',
      orderIds,
      raw: t,
    }
  }

  /**
   * A read whose client method throws on an error answer (the paged readers spread
   * `response.data`): errors come back as {@link TradingCallError} with the text redacted.
   */
  private async _read(what: string, call: () => Promise<unknown>): Promise<unknown[]> {
    let answer: unknown
    try {
      answer = await this._call(call, this._config.requestTimeoutMs ?? 10_000)
    } catch (error) {
      throw new TradingCallError(
        'VENUE_ERROR',
        this.redact(`${what} failed: ${messageOf(error)}`),
        null,
      )
    }
    if (answer === TIMED_OUT)
      throw new TradingCallError('NO_ANSWER', `${what}: no answer in time`, null)
    const failure = failureOf(answer)
    if (failure !== null) throw this._callError(what, failure)
    if (!Array.isArray(answer)) {
      throw new TradingCallError('VENUE_ERROR', `${what}: the answer is not a list`, null)
    }
    return answer as unknown[]
  }

  /**
   * Shares of `tokenId` the funder holds as the venue counts them (`GET /balance-allowance`,
   * conditional), in share micros.
   */
  async tokenBalance(tokenId: string): Promise<ShareMicros> {
    return (await this._balance(
      { asset_type: AssetType.CONDITIONAL, token_id: tokenId },
      `reading the balance of token ${tokenId}`,
    )) as ShareMicros
  }

  /**
   * The funder's collateral (pUSD) as the venue counts it (`GET /balance-allowance`,
   * `asset_type=COLLATERAL`), in USDC micros.
   */
  async collateralBalance(): Promise<UsdcMicros> {
    return (await this._balance(
      { asset_type: AssetType.COLLATERAL },
      'reading the collateral balance',
    )) as UsdcMicros
  }

  private async _balance(params: BalanceAllowanceParams, what: string): Promise<number> {
    const answer: unknown = await this._call(() => this.client.getBalanceAllowance(params))
    if (answer === TIMED_OUT)
      throw new TradingCallError('NO_ANSWER', `${what}: no answer in time`, null)
    const failure = failureOf(answer)
    if (failure !== null) throw this._callError(what, failure)
    const balance = (answer as { balance?: unknown }).balance
    const micros = Number(textOf(balance))
    if (textOf(balance) === '' || !Number.isSafeInteger(micros) || micros < 0) {
      throw new TradingCallError('VENUE_ERROR', `${what}: the answer has no usable balance`, null)
    }
    return micros
  }

  // ---- heartbeats and the user channel -------------------------------------------------------

  /** Starts the dead-man switch (idempotent); resolves after the first heartbeat. */
  async startHeartbeats(options: HeartbeatOptions = {}): Promise<HeartbeatHealth> {
    this._heartbeat ??= new HeartbeatLoop(
      (id) =>
        this._call(
          () => this.client.postHeartbeat(id),
          this._config.requestTimeoutMs ?? 10_000,
        ).then((answer) => (answer === TIMED_OUT ? { error: 'no answer in time' } : answer)),
      { redact: (t) => this.redact(t), ...options },
    )
    return this._heartbeat.start()
  }

  stopHeartbeats(): void {
    this._heartbeat?.stop()
  }

  heartbeatHealth(): HeartbeatHealth | null {
    return this._heartbeat?.health() ?? null
  }

  /** Opens the user channel with these credentials; resolves once the socket is open. */
  async userChannel(
    onEvent: (event: UserChannelEvent) => void,
    options: { markets?: readonly string[]; pingIntervalMs?: number; backoffMs?: number } = {},
  ): Promise<UserChannel> {
    const channel = new UserChannel({
      url: this._config.userWsUrl,
      credentials: this._api,
      funder: this.funder,
      onEvent,
      ...options,
    })
    await channel.connect()
    return channel
  }

  close(): void {
    this.stopHeartbeats()
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private _now(): number {
    return (this._config.now ?? Date.now)()
  }

  private _sleep(ms: number): Promise<void> {
    if (this._config.sleep !== undefined) return this._config.sleep(ms)
    return new Promise((resolve) => setTimeout(resolve, ms))
  }

  /**
   * Runs a client call, giving up waiting after `timeoutMs` (default `requestTimeoutMs`); the
   * call itself may still land, which is why a write that times out is `unknown`.
   */
  private async _call<T>(
    call: () => Promise<T>,
    timeoutMs: number = this._config.requestTimeoutMs ?? 10_000,
  ): Promise<T | typeof TIMED_OUT> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs)
    })
    try {
      return await Promise.race([call(), deadline])
    } finally {
      clearTimeout(timer)
    }
  }

  private _callError(what: string, failure: ClientFailure): TradingCallError {
    if (failure.kind === 'transport') {
      return new TradingCallError(
        'NO_ANSWER',
        this.redact(`${what}: no answer (${failure.message})`),
        null,
      )
    }
    const unauthorized = failure.status === 401 || failure.status === 403
    return new TradingCallError(
      unauthorized ? 'UNAUTHORIZED' : 'VENUE_ERROR',
      this.redact(
        `${what}: the venue answered ${failure.status} ${failure.message}${unauthorized ? ' (check the API credentials)' : ''}`,
      ),
      failure.status,
    )
  }
}

function local(reason: RejectReason, message: string): PlaceResult & { outcome: 'rejected' } {
  return {
    outcome: 'rejected',
    reason,
    message,
    status: null,
    retryAfterMs: null,
    orderId: null,
    attempts: 0,
  }
}

/** A string or number field as text ('' for anything else). */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function openOrderRowOf(o: OpenOrder): OpenOrderRow {
  return {
    orderId: o.id,
    market: o.market,
    tokenId: o.asset_id,
    side: o.side.toUpperCase() === 'BUY' ? 'buy' : 'sell',
    price: parsePriceLoose(o.price),
    originalSize: sizeLoose(o.original_size),
    sizeMatched: sizeLoose(o.size_matched),
    status: o.status.replace(/^ORDER_STATUS_/, ''),
    orderType: o.order_type,
    createdAtMs: Number(o.created_at) < 1e12 ? Number(o.created_at) * 1000 : Number(o.created_at),
  }
}

function parsePriceLoose(text: string): PriceTicks {
  return Math.round(Number(text) * 10_000) as PriceTicks
}

/** Decimal shares (as the venue's docs page and the simulator send them) to micros. */
function sizeLoose(text: string): ShareMicros {
  return Math.round(Number(text) * 1_000_000) as ShareMicros
}

/**
 * `postOrder` waits up to 30 s for the settlement hashes of a matched order (polling
 * `GET /data/trades`). We follow settlement on the user channel instead, so an order's answer
 * must not wait for the chain: the instance's hook answers with the venue's response as is.
 */
function disableSettlementWait(client: ClobClient): void {
  const target = client as unknown as Record<string, unknown>
  if (typeof target['resolveTransactionsHashes'] !== 'function') {
    throw new Error(
      'the pinned @polymarket/clob-client-v2 no longer has resolveTransactionsHashes: review the settlement wait before upgrading',
    )
  }
  target['resolveTransactionsHashes'] = (response: unknown) => Promise.resolve(response)
}
