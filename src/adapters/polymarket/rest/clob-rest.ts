/**
 * The CLOB's public market-data endpoints: books, tick size, fee rate, neg-risk flag and
 * market parameters, returned in domain units. Every body is validated; a body of the wrong
 * shape is a `BAD_BODY` {@link VenueError} naming the field, never a crash.
 */
import type { BookSnapshot, Level } from '../../../domain/book/book-events.js'
import {
  asMarketId,
  asTokenId,
  type MarketId,
  type TickSize,
  type TokenId,
} from '../../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../domain/units.js'
import { VenueError } from '../errors.js'
import { decodeBody, decodeItems, type ItemProblem } from './codecs.js'
import { buildUrl, fetchJson, type HttpOptions, type RequestOptions } from './http.js'
import {
  bookSchema,
  booksSchema,
  clobMarketSchema,
  clobMarketsPageSchema,
  feeRateSchema,
  negRiskSchema,
  tickSizeSchema,
  type PolymarketClobMarket,
  type PolymarketRestBook,
} from './schemas.js'

/** A REST book: the snapshot the WS `book` frame would give, plus two market parameters. */
export type RestBookSnapshot = BookSnapshot & {
  /** Smallest order in shares; null on books that predate the field. */
  readonly minOrderSize: ShareMicros | null
  /** Null on books that predate the field. */
  readonly negRisk: boolean | null
}

export type ClobToken = {
  readonly tokenId: TokenId
  readonly outcome: string
  readonly price: PriceTicks | null
  readonly winner: boolean | null
}

/** The CLOB's view of one market (`/markets/{condition_id}`). */
export type ClobMarket = {
  readonly conditionId: MarketId
  readonly questionId: string | null
  readonly question: string
  readonly slug: string
  readonly tokens: readonly ClobToken[]
  readonly tickSize: TickSize | null
  readonly minOrderSize: ShareMicros | null
  readonly negRisk: boolean
  readonly active: boolean
  readonly closed: boolean
  readonly archived: boolean
  readonly acceptingOrders: boolean
  readonly enableOrderBook: boolean
  readonly gameStartTime: EpochMs | null
  readonly endDate: EpochMs | null
  /** In-play delay for marketable orders, seconds. */
  readonly secondsDelay: number | null
  readonly makerBaseFeeBps: number | null
  readonly takerBaseFeeBps: number | null
}

export type ClobMarketsPage = {
  readonly markets: readonly ClobMarket[]
  readonly problems: readonly ItemProblem[]
  /** Null at the end (the venue's terminal cursor `LTE=` or none). */
  readonly nextCursor: string | null
}

export type ClobRestOptions = HttpOptions & {
  /** E.g. `https://clob.polymarket.com`. */
  readonly baseUrl: string
}

/** The first page's cursor (base64 of "0") and the terminal one (base64 of "-1"). */
export const FIRST_CURSOR = 'MA=='
export const END_CURSOR = 'LTE='

export class ClobRestClient {
  readonly baseUrl: string
  private readonly _http: HttpOptions

  constructor(options: ClobRestOptions) {
    const { baseUrl, ...http } = options
    this.baseUrl = baseUrl
    this._http = http
  }

  /** `GET /book?token_id=`: the full book of one token. 404 when the token has no book. */
  async getBook(tokenId: string): Promise<RestBookSnapshot> {
    const url = buildUrl(this.baseUrl, '/book', { token_id: tokenId })
    const request = { method: 'GET', url }
    const raw = decodeBody(bookSchema, await this._fetch(url), request)
    if (raw.asset_id !== tokenId) {
      throw new VenueError(
        'BAD_BODY',
        request,
        `returned an unexpected body: asset_id: "${raw.asset_id}" is not the requested token`,
        { status: 200 },
      )
    }
    return toRestBook(raw)
  }

  /**
   * `POST /books` with `[{"token_id": …}]`: several books in one request. Tokens that never
   * traded may be missing from the answer; match results by `assetId`.
   */
  async getBooks(tokenIds: readonly string[]): Promise<RestBookSnapshot[]> {
    if (tokenIds.length === 0) return []
    const url = buildUrl(this.baseUrl, '/books')
    const request = { method: 'POST', url }
    const body = tokenIds.map((id) => ({ token_id: id }))
    const list = decodeBody(booksSchema, await this._fetch(url, { method: 'POST', body }), request)
    return (list ?? []).map((item, index) =>
      toRestBook(decodeBody(bookSchema, item, request, `[${index}]`)),
    )
  }

  /** `GET /tick-size?token_id=`: the token's current minimum tick. */
  async getTickSize(tokenId: string): Promise<TickSize> {
    const url = buildUrl(this.baseUrl, '/tick-size', { token_id: tokenId })
    return decodeBody(tickSizeSchema, await this._fetch(url), { method: 'GET', url })
      .minimum_tick_size
  }

  /**
   * `GET /fee-rate?token_id=`: the base fee in basis points. This is the pre-V2 field; the
   * fee actually charged follows the market's fee schedule (Gamma `feeSchedule`).
   */
  async getFeeRate(tokenId: string): Promise<number> {
    const url = buildUrl(this.baseUrl, '/fee-rate', { token_id: tokenId })
    return decodeBody(feeRateSchema, await this._fetch(url), { method: 'GET', url }).base_fee
  }

  /** `GET /neg-risk?token_id=`: whether orders go to the neg-risk exchange. */
  async getNegRisk(tokenId: string): Promise<boolean> {
    const url = buildUrl(this.baseUrl, '/neg-risk', { token_id: tokenId })
    return decodeBody(negRiskSchema, await this._fetch(url), { method: 'GET', url }).neg_risk
  }

  /** `GET /markets/{condition_id}`. */
  async getMarket(conditionId: string): Promise<ClobMarket> {
    const url = buildUrl(this.baseUrl, `/markets/${encodeURIComponent(conditionId)}`)
    return toClobMarket(
      decodeBody(clobMarketSchema, await this._fetch(url), { method: 'GET', url }),
    )
  }

  /** `GET /markets?next_cursor=`: one page; malformed markets are reported, not fatal. */
  async getMarketsPage(cursor: string = FIRST_CURSOR): Promise<ClobMarketsPage> {
    const url = buildUrl(this.baseUrl, '/markets', { next_cursor: cursor })
    const request = { method: 'GET', url }
    const page = decodeBody(clobMarketsPageSchema, await this._fetch(url), request)
    const { items, problems } = decodeItems(clobMarketSchema, page.data ?? [], request, 'data')
    const next = page.next_cursor ?? null
    return {
      markets: items.map(toClobMarket),
      problems,
      nextCursor: next === null || next === END_CURSOR || next === '' ? null : next,
    }
  }

  private _fetch(url: string, options: RequestOptions = {}): Promise<unknown> {
    return fetchJson(url, { ...this._http, ...options })
  }
}

function toLevels(levels: PolymarketRestBook['bids']): Level[] {
  return levels.map((level) => ({ price: level.price, size: level.size }))
}

function toRestBook(raw: PolymarketRestBook): RestBookSnapshot {
  const book: RestBookSnapshot = {
    type: 'book',
    market: asMarketId(raw.market),
    assetId: asTokenId(raw.asset_id),
    tsVenue: raw.timestamp,
    hash: raw.hash ?? '',
    bids: toLevels(raw.bids),
    asks: toLevels(raw.asks),
    minOrderSize: raw.min_order_size ?? null,
    negRisk: raw.neg_risk ?? null,
  }
  const extras: { tickSize?: TickSize; lastTradePrice?: PriceTicks } = {}
  if (raw.tick_size != null) extras.tickSize = raw.tick_size
  if (raw.last_trade_price != null) extras.lastTradePrice = raw.last_trade_price
  return { ...book, ...extras }
}

function toClobMarket(raw: PolymarketClobMarket): ClobMarket {
  return {
    conditionId: asMarketId(raw.condition_id),
    questionId: raw.question_id ?? null,
    question: raw.question ?? '',
    slug: raw.market_slug ?? '',
    tokens: raw.tokens.map((token) => ({
      tokenId: asTokenId(token.token_id),
      outcome: token.outcome,
      price: token.price ?? null,
      winner: token.winner ?? null,
    })),
    tickSize: raw.minimum_tick_size ?? null,
    minOrderSize: raw.minimum_order_size ?? null,
    negRisk: raw.neg_risk ?? false,
    active: raw.active ?? false,
    closed: raw.closed ?? false,
    archived: raw.archived ?? false,
    acceptingOrders: raw.accepting_orders ?? false,
    enableOrderBook: raw.enable_order_book ?? false,
    gameStartTime: raw.game_start_time ?? null,
    endDate: raw.end_date_iso ?? null,
    secondsDelay: raw.seconds_delay ?? null,
    makerBaseFeeBps: raw.maker_base_fee ?? null,
    takerBaseFeeBps: raw.taker_base_fee ?? null,
  }
}
