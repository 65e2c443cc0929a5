/**
 * The simulator's authoritative books for one binary market. The YES and NO tokens share one
 * pool of liquidity: a bid on YES at p is an ask on NO at 1 - p. Every change is made on both
 * books at once and reported as a two-leg `price_change` entry pair, like the venue does.
 */
import { OrderBook } from '../../domain/book/order-book.js'
import {
  asMarketId,
  asTokenId,
  complementPrice,
  type Side,
  type TickSize,
  type TokenId,
} from '../../domain/market.js'
import {
  formatPrice,
  formatSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../../domain/units.js'
import { simHash } from './rng.js'

/** One `price_changes[]` entry in the venue's current shape. */
export type WirePriceChange = {
  asset_id: string
  price: string
  size: string
  side: 'BUY' | 'SELL'
  hash: string
  best_bid: string
  best_ask: string
}

export type WireLevel = { price: string; size: string }

/** A `book` event as the WebSocket sends it (bids ascending, asks descending: best last). */
export type WireBook = {
  event_type: 'book'
  market: string
  asset_id: string
  timestamp: string
  hash: string
  bids: WireLevel[]
  asks: WireLevel[]
  tick_size: string
  last_trade_price: string
}

/** Empty sides as the venue writes them in `price_change` entries. */
const EMPTY_BID = '0'
const EMPTY_ASK = '1'

export class TrueMarket {
  readonly conditionId: string
  /** [YES, NO]. */
  readonly tokens: readonly [TokenId, TokenId]
  readonly tickSize: TickSize
  private readonly _yes: OrderBook
  private readonly _no: OrderBook
  private _seq = 0
  private readonly _lastTrade = new Map<string, PriceTicks>()

  constructor(conditionId: string, yes: string, no: string, tickSize: TickSize, ts: EpochMs) {
    this.conditionId = asMarketId(conditionId)
    this.tokens = [asTokenId(yes), asTokenId(no)]
    this.tickSize = tickSize
    this._yes = OrderBook.empty(this.tokens[0], tickSize)
    this._no = OrderBook.empty(this.tokens[1], tickSize)
    this._yes.replace([], [], ts)
    this._no.replace([], [], ts)
  }

  /** The book of either token, or undefined for a token of another market. */
  book(assetId: string): OrderBook | undefined {
    if (assetId === this.tokens[0]) return this._yes
    if (assetId === this.tokens[1]) return this._no
    return undefined
  }

  get yesBook(): OrderBook {
    return this._yes
  }

  /**
   * Sets the YES level (`side`, `price`) to `size` shares and the mirrored NO level; returns
   * the two legs (YES first), or an empty list when the size is unchanged.
   */
  setYesLevel(side: Side, price: PriceTicks, size: ShareMicros, ts: EpochMs): WirePriceChange[] {
    if (this._yes.sizeAt(side, price) === size) return []
    const noSide: Side = side === 'bid' ? 'ask' : 'bid'
    const noPrice = complementPrice(price)
    this._yes.setLevel(side, price, size, ts)
    this._no.setLevel(noSide, noPrice, size, ts)
    this._seq++
    return [this._leg(this._yes, side, price, size), this._leg(this._no, noSide, noPrice, size)]
  }

  /** Records a trade on `assetId` at `price` (that token's price) for snapshots. */
  noteTrade(assetId: TokenId, price: PriceTicks): void {
    this._lastTrade.set(assetId, price)
    const other = assetId === this.tokens[0] ? this.tokens[1] : this.tokens[0]
    this._lastTrade.set(other, complementPrice(price))
  }

  /** The venue-shaped snapshot of one token's book. */
  snapshot(assetId: TokenId, ts: EpochMs): WireBook {
    const book = this.book(assetId)
    if (book === undefined) throw new RangeError(`token ${assetId} is not in this market`)
    const bids = book.levels('bid').reverse().map(wireLevel)
    const asks = book.levels('ask').reverse().map(wireLevel)
    return {
      event_type: 'book',
      market: this.conditionId,
      asset_id: assetId,
      timestamp: String(ts),
      hash: this._hash(assetId),
      bids,
      asks,
      tick_size: formatPrice(this.tickSize),
      last_trade_price: formatPrice(this._lastTrade.get(assetId) ?? (5000 as PriceTicks)),
    }
  }

  private _hash(assetId: string): string {
    return simHash(`${assetId}:${this._seq}`)
  }

  private _leg(book: OrderBook, side: Side, price: PriceTicks, size: ShareMicros): WirePriceChange {
    const bid = book.bestBid()
    const ask = book.bestAsk()
    return {
      asset_id: book.assetId,
      price: formatPrice(price),
      size: formatSize(size),
      side: side === 'bid' ? 'BUY' : 'SELL',
      hash: this._hash(book.assetId),
      best_bid: bid === null ? EMPTY_BID : formatPrice(bid),
      best_ask: ask === null ? EMPTY_ASK : formatPrice(ask),
    }
  }
}

function wireLevel(level: { price: PriceTicks; size: ShareMicros }): WireLevel {
  return { price: formatPrice(level.price), size: formatSize(level.size) }
}
