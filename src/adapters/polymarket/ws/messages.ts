/**
 * Raw frames of the Polymarket CLOB market channel (`wss://…/ws/market`), with the venue's own
 * field names. Only `parse.ts` reads these; everything past it sees domain events
 * (`src/domain/book/book-events.ts`). Semantics and evidence: `docs/POLYMARKET_NOTES.md`.
 *
 * All prices, sizes and timestamps arrive as decimal strings; timestamps are epoch ms.
 */

/** Order side as the venue spells it. On a level, BUY is the bid side and SELL the ask side. */
export type PolymarketSide = 'BUY' | 'SELL'

/** One aggregated book level. */
export type PolymarketLevel = {
  readonly price: string
  readonly size: string
}

/**
 * Full snapshot of one asset's book. Levels arrive best-last (bids ascending, asks descending);
 * the parser does not rely on that.
 */
export type PolymarketBookFrame = {
  readonly event_type: 'book'
  readonly asset_id: string
  /** Condition id, `0x` + 64 hex. */
  readonly market: string
  readonly timestamp: string
  readonly hash: string
  readonly bids: readonly PolymarketLevel[]
  readonly asks: readonly PolymarketLevel[]
  /** Present on some snapshots; `''` is treated as absent. */
  readonly tick_size?: string
  /** Present on the first snapshot after subscribing, sometimes; `''` is treated as absent. */
  readonly last_trade_price?: string
  /** REST-book fields some snapshots may carry; not used. */
  readonly min_order_size?: string
  readonly neg_risk?: boolean
}

/** One entry of the current (since 2025-09-15) batched `price_change`. */
export type PolymarketPriceChangeEntry = {
  readonly asset_id: string
  readonly price: string
  /** New aggregate size at the level; `'0'` removes it. */
  readonly size: string
  readonly side: PolymarketSide
  /** Opaque; its meaning (order hash or book hash) is not settled. Not used. */
  readonly hash?: string
  /** Best bid of this asset's book after the change; `''`, `'0'` or absent: no bids. */
  readonly best_bid?: string
  /** Best ask of this asset's book after the change; `''`, `'1'` or absent: no asks. */
  readonly best_ask?: string
}

/** Current `price_change` shape: entries for one market, possibly for both of its tokens. */
export type PolymarketPriceChangeFrame = {
  readonly event_type: 'price_change'
  readonly market: string
  readonly timestamp: string
  readonly price_changes: readonly PolymarketPriceChangeEntry[]
}

/** One level of the pre-2025-09 `changes[]` form. */
export type PolymarketLegacyChange = {
  readonly price: string
  readonly side: PolymarketSide
  readonly size: string
}

/** Pre-2025-09 `price_change`: one asset, several levels, no best bid/ask. */
export type PolymarketLegacyChangesFrame = {
  readonly event_type: 'price_change'
  readonly asset_id: string
  readonly market: string
  readonly timestamp: string
  readonly hash?: string
  readonly changes: readonly PolymarketLegacyChange[]
}

/** Oldest `price_change` form (2024 recordings): one level per message. */
export type PolymarketFlatPriceChangeFrame = {
  readonly event_type: 'price_change'
  readonly asset_id: string
  readonly market: string
  readonly timestamp: string
  readonly price: string
  readonly side: PolymarketSide
  readonly size: string
  readonly hash?: string
}

/** The asset's minimum tick changed (near the price extremes). */
export type PolymarketTickSizeChangeFrame = {
  readonly event_type: 'tick_size_change'
  readonly asset_id: string
  readonly market: string
  readonly old_tick_size: string
  readonly new_tick_size: string
  readonly timestamp: string
}

/** A trade printed. `side` is the taker's side. */
export type PolymarketLastTradePriceFrame = {
  readonly event_type: 'last_trade_price'
  readonly asset_id: string
  readonly market: string
  readonly price: string
  readonly size: string
  readonly side: PolymarketSide
  /** Fee rate in basis points, as a decimal string; absent on some frames. */
  readonly fee_rate_bps?: string
  readonly timestamp: string
  /** On newer frames only. */
  readonly transaction_hash?: string
}

/** Top of book (needs `custom_feature_enabled`). */
export type PolymarketBestBidAskFrame = {
  readonly event_type: 'best_bid_ask'
  readonly asset_id: string
  readonly market: string
  readonly best_bid?: string
  readonly best_ask?: string
  /** Not used: derivable from the two sides. */
  readonly spread?: string
  readonly timestamp: string
}

/** Event metadata embedded in `new_market` and `market_resolved`. Not used. */
export type PolymarketEventMessage = {
  readonly id?: string
  readonly ticker?: string
  readonly slug?: string
  readonly title?: string
  readonly description?: string
}

/** A market was created (needs `custom_feature_enabled`). */
export type PolymarketNewMarketFrame = {
  readonly event_type: 'new_market'
  readonly id: string
  readonly question: string
  readonly market: string
  readonly slug: string
  readonly description?: string
  readonly assets_ids: readonly string[]
  readonly outcomes: readonly string[]
  readonly event_message?: PolymarketEventMessage
  readonly timestamp: string
  readonly tags?: readonly string[]
  readonly condition_id?: string
  readonly active?: boolean
  readonly clob_token_ids?: readonly string[]
  /** `''` when not a sports market. */
  readonly sports_market_type?: string
  readonly line?: string
  /** RFC 3339 or `''`. */
  readonly game_start_time?: string
  /** Tick size as a decimal string, e.g. `'0.01'`. */
  readonly order_price_min_tick_size?: string
  readonly group_item_title?: string
}

/** A market resolved (needs `custom_feature_enabled`). */
export type PolymarketMarketResolvedFrame = {
  readonly event_type: 'market_resolved'
  readonly id: string
  readonly market: string
  readonly assets_ids: readonly string[]
  readonly winning_asset_id: string
  readonly winning_outcome: string
  readonly event_message?: PolymarketEventMessage
  readonly timestamp: string
  readonly tags?: readonly string[]
}

/** Any event the market channel sends. */
export type PolymarketMarketEvent =
  | PolymarketBookFrame
  | PolymarketPriceChangeFrame
  | PolymarketLegacyChangesFrame
  | PolymarketFlatPriceChangeFrame
  | PolymarketTickSizeChangeFrame
  | PolymarketLastTradePriceFrame
  | PolymarketBestBidAskFrame
  | PolymarketNewMarketFrame
  | PolymarketMarketResolvedFrame

/** One JSON text frame: a single event or an array of events. */
export type PolymarketMarketFrame = PolymarketMarketEvent | readonly PolymarketMarketEvent[]

/** The keep-alive request we send as a bare text frame (not JSON, not a WebSocket ping). */
export const POLYMARKET_PING = 'PING'
/** The venue's bare-text answer to {@link POLYMARKET_PING}. */
export const POLYMARKET_PONG = 'PONG'
/** Bare text the venue may send when custom features are on. */
export const POLYMARKET_NO_NEW_ASSETS = 'NO NEW ASSETS'

/** First frame after connecting. */
export type PolymarketMarketSubscribeFrame = {
  /** Token ids. The venue spells it `assets_ids`. */
  readonly assets_ids: readonly string[]
  readonly type: 'market'
  /** Default true: one `book` snapshot per asset right after subscribing. */
  readonly initial_dump?: boolean
  /** Default false; true adds `best_bid_ask`, `new_market` and `market_resolved`. */
  readonly custom_feature_enabled?: boolean
}

/** Adds or removes assets on an open socket (no `type` field). */
export type PolymarketMarketSubscriptionUpdateFrame = {
  readonly operation: 'subscribe' | 'unsubscribe'
  readonly assets_ids: readonly string[]
  readonly custom_feature_enabled?: boolean
}
