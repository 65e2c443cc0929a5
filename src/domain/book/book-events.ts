/**
 * Market-data events in domain units: what the Polymarket parser yields and what the book,
 * detectors and replay consume. Venue field names stay in the adapter; these are ours.
 *
 * Every event carries `tsVenue`, the venue's timestamp in epoch ms. Receive time travels
 * beside the event (see the engine's frame envelope), not inside it.
 */
import type { MarketId, Side, TickSize, TokenId, TradeSide } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'

/** One aggregated price level: the total size resting at a price. */
export type Level = { readonly price: PriceTicks; readonly size: ShareMicros }

/** A full snapshot of one asset's book. Replaces everything known about that book. */
export type BookSnapshot = {
  readonly type: 'book'
  readonly market: MarketId
  readonly assetId: TokenId
  readonly tsVenue: EpochMs
  readonly hash: string
  /** In any order; the book sorts. */
  readonly bids: readonly Level[]
  readonly asks: readonly Level[]
  /** Present on REST books and some snapshots. */
  readonly tickSize?: TickSize
  readonly lastTradePrice?: PriceTicks
}

/**
 * The venue's view of one side's best price after a change: a price, `null` when the venue
 * says the side is empty, `undefined` when the venue did not say (historical shapes).
 */
export type VenueBest = PriceTicks | null | undefined

/** One level set to an absolute size (0 removes the level). */
export type LevelChange = {
  readonly assetId: TokenId
  readonly side: Side
  readonly price: PriceTicks
  /** New aggregate size at the level, not an increment. */
  readonly size: ShareMicros
  /** Venue's best bid of this asset's book after this change (current shape only). */
  readonly bestBid: VenueBest
  /** Venue's best ask of this asset's book after this change (current shape only). */
  readonly bestAsk: VenueBest
}

/**
 * Level updates. `shape` records which venue shape carried them: `batched` is the current
 * `price_changes[]` form (with per-entry best bid/ask), `changes` the pre-2025-09 form, `flat`
 * the older single-level form.
 */
export type PriceChange = {
  readonly type: 'price_change'
  readonly market: MarketId
  readonly tsVenue: EpochMs
  readonly shape: 'batched' | 'changes' | 'flat'
  readonly changes: readonly LevelChange[]
}

/** The asset's tick size changed: a new book epoch starts, stale until the next snapshot. */
export type TickSizeChange = {
  readonly type: 'tick_size_change'
  readonly market: MarketId
  readonly assetId: TokenId
  readonly tsVenue: EpochMs
  readonly oldTickSize: TickSize
  readonly newTickSize: TickSize
}

/** A trade printed. `side` is the taker's side. */
export type LastTrade = {
  readonly type: 'last_trade_price'
  readonly market: MarketId
  readonly assetId: TokenId
  readonly tsVenue: EpochMs
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly side: TradeSide
  /** Fee rate in basis points charged on this trade; null when the venue did not say. */
  readonly feeRateBps: number | null
  readonly transactionHash: string | null
}

/** The venue's top of book (custom feature). Either side can be empty (`null`). */
export type BestBidAsk = {
  readonly type: 'best_bid_ask'
  readonly market: MarketId
  readonly assetId: TokenId
  readonly tsVenue: EpochMs
  readonly bestBid: PriceTicks | null
  readonly bestAsk: PriceTicks | null
}

/** A market was created (custom feature). */
export type NewMarket = {
  readonly type: 'new_market'
  readonly market: MarketId
  readonly tsVenue: EpochMs
  readonly id: string
  readonly question: string
  readonly slug: string
  readonly assetIds: readonly TokenId[]
  readonly outcomes: readonly string[]
  readonly tickSize: TickSize | null
  readonly gameStartTime: string | null
  readonly sportsMarketType: string | null
  readonly tags: readonly string[]
}

/** A market resolved (custom feature). */
export type MarketResolved = {
  readonly type: 'market_resolved'
  readonly market: MarketId
  readonly tsVenue: EpochMs
  readonly id: string
  readonly assetIds: readonly TokenId[]
  readonly winningAssetId: TokenId
  readonly winningOutcome: string
}

export type MarketEvent =
  BookSnapshot | PriceChange | TickSizeChange | LastTrade | BestBidAsk | NewMarket | MarketResolved

export type MarketEventType = MarketEvent['type']
