/**
 * One parser per market-channel event type (`messages.ts` shapes in, domain events out), for
 * the general path of `parse.ts`. Each reads a decoded JSON object and returns its event or
 * throws a {@link FieldProblem}; an event is all or nothing.
 */
import type {
  BestBidAsk,
  BookSnapshot,
  LastTrade,
  Level,
  LevelChange,
  MarketResolved,
  NewMarket,
  PriceChange,
  TickSizeChange,
} from '../../../domain/book/book-events.js'
import type { MarketId, TokenId } from '../../../domain/market.js'
import { MAX_PRICE } from '../../../domain/units.js'
import type {
  PolymarketBestBidAskFrame,
  PolymarketBookFrame,
  PolymarketFlatPriceChangeFrame,
  PolymarketLastTradePriceFrame,
  PolymarketLegacyChange,
  PolymarketLegacyChangesFrame,
  PolymarketLevel,
  PolymarketMarketResolvedFrame,
  PolymarketNewMarketFrame,
  PolymarketPriceChangeEntry,
  PolymarketPriceChangeFrame,
  PolymarketTickSizeChangeFrame,
} from './messages.js'
import {
  describe,
  EXPECT_LEVELS,
  EXPECT_OBJECT,
  FieldProblem,
  isAbsent,
  problem,
  readBest,
  readFeeRate,
  readId,
  readLevelSide,
  readOptionalText,
  readPrice,
  readSize,
  readStrings,
  readTakerSide,
  readText,
  readTickSize,
  readTimestamp,
  type Unchecked,
} from './parse-fields.js'

export function parsePriceChange(frame: Unchecked<PriceChangeAnyShape>): PriceChange {
  const market = readId(frame.market, null, 0, 'market') as MarketId
  const tsVenue = readTimestamp(frame.timestamp)
  const batched = frame.price_changes
  if (batched !== undefined) {
    if (!Array.isArray(batched)) {
      throw problem(null, 0, 'price_changes', 'an array of level changes', batched)
    }
    const entries = batched as readonly unknown[]
    const count = entries.length
    const changes: LevelChange[] = []
    for (let i = 0; i < count; i++) changes.push(parseBatchedEntry(entries[i], i))
    return { type: 'price_change', market, tsVenue, shape: 'batched', changes }
  }
  const legacy = frame.changes
  if (legacy !== undefined) {
    const assetId = readId(frame.asset_id, null, 0, 'asset_id') as TokenId
    if (!Array.isArray(legacy)) {
      throw problem(null, 0, 'changes', 'an array of level changes', legacy)
    }
    const entries = legacy as readonly unknown[]
    const count = entries.length
    const changes: LevelChange[] = []
    for (let i = 0; i < count; i++) changes.push(parseLegacyEntry(entries[i], i, assetId))
    return { type: 'price_change', market, tsVenue, shape: 'changes', changes }
  }
  if (frame.price !== undefined || frame.side !== undefined || frame.size !== undefined) {
    const assetId = readId(frame.asset_id, null, 0, 'asset_id') as TokenId
    const change: LevelChange = {
      assetId,
      side: readLevelSide(frame.side, null, 0),
      price: readPrice(frame.price, null, 0, 'price'),
      size: readSize(frame.size, null, 0, 'size'),
      bestBid: undefined,
      bestAsk: undefined,
    }
    return { type: 'price_change', market, tsVenue, shape: 'flat', changes: [change] }
  }
  throw new FieldProblem(
    'field "price_changes" is missing (expected an array of level changes;' +
      ' no "changes" array or flat "price"/"side"/"size" of the older forms either)',
  )
}

/** Every field any of the three `price_change` shapes may carry. */
type PriceChangeAnyShape = PolymarketPriceChangeFrame &
  Omit<PolymarketLegacyChangesFrame, 'event_type'> &
  Omit<PolymarketFlatPriceChangeFrame, 'event_type'>

function parseBatchedEntry(value: unknown, index: number): LevelChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldProblem(
      `element price_changes[${index}] must be ${EXPECT_OBJECT}, got ${describe(value)}`,
    )
  }
  const entry = value as Unchecked<PolymarketPriceChangeEntry>
  return {
    assetId: readId(entry.asset_id, 'price_changes', index, 'asset_id') as TokenId,
    side: readLevelSide(entry.side, 'price_changes', index),
    price: readPrice(entry.price, 'price_changes', index, 'price'),
    size: readSize(entry.size, 'price_changes', index, 'size'),
    bestBid: readBest(entry.best_bid, 0, index, 'best_bid'),
    bestAsk: readBest(entry.best_ask, MAX_PRICE, index, 'best_ask'),
  }
}

function parseLegacyEntry(value: unknown, index: number, assetId: TokenId): LevelChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldProblem(
      `element changes[${index}] must be ${EXPECT_OBJECT}, got ${describe(value)}`,
    )
  }
  const entry = value as Unchecked<PolymarketLegacyChange>
  return {
    assetId,
    side: readLevelSide(entry.side, 'changes', index),
    price: readPrice(entry.price, 'changes', index, 'price'),
    size: readSize(entry.size, 'changes', index, 'size'),
    bestBid: undefined,
    bestAsk: undefined,
  }
}

export function parseBook(frame: Unchecked<PolymarketBookFrame>): BookSnapshot {
  const market = readId(frame.market, null, 0, 'market') as MarketId
  const assetId = readId(frame.asset_id, null, 0, 'asset_id') as TokenId
  const tsVenue = readTimestamp(frame.timestamp)
  const hash = readText(frame.hash, null, 0, 'hash')
  const bids = readLevels(frame.bids, 'bids')
  const asks = readLevels(frame.asks, 'asks')
  const tickText = frame.tick_size
  const tickSize = isAbsent(tickText) ? undefined : readTickSize(tickText, 'tick_size')
  const lastText = frame.last_trade_price
  const lastTradePrice = isAbsent(lastText)
    ? undefined
    : readPrice(lastText, null, 0, 'last_trade_price')
  return {
    type: 'book',
    market,
    assetId,
    tsVenue,
    hash,
    bids,
    asks,
    tickSize,
    lastTradePrice,
  }
}

function readLevels(value: unknown, name: 'bids' | 'asks'): Level[] {
  if (!Array.isArray(value)) throw problem(null, 0, name, EXPECT_LEVELS, value)
  const items = value as readonly unknown[]
  const count = items.length
  const levels: Level[] = []
  for (let i = 0; i < count; i++) {
    const item = items[i]
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new FieldProblem(
        `element ${name}[${i}] must be ${EXPECT_OBJECT}, got ${describe(item)}`,
      )
    }
    const level = item as Unchecked<PolymarketLevel>
    levels.push({
      price: readPrice(level.price, name, i, 'price'),
      size: readSize(level.size, name, i, 'size'),
    })
  }
  return levels
}

export function parseTickSizeChange(
  frame: Unchecked<PolymarketTickSizeChangeFrame>,
): TickSizeChange {
  return {
    type: 'tick_size_change',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    assetId: readId(frame.asset_id, null, 0, 'asset_id') as TokenId,
    tsVenue: readTimestamp(frame.timestamp),
    oldTickSize: readTickSize(frame.old_tick_size, 'old_tick_size'),
    newTickSize: readTickSize(frame.new_tick_size, 'new_tick_size'),
  }
}

export function parseLastTrade(frame: Unchecked<PolymarketLastTradePriceFrame>): LastTrade {
  return {
    type: 'last_trade_price',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    assetId: readId(frame.asset_id, null, 0, 'asset_id') as TokenId,
    tsVenue: readTimestamp(frame.timestamp),
    price: readPrice(frame.price, null, 0, 'price'),
    size: readSize(frame.size, null, 0, 'size'),
    side: readTakerSide(frame.side),
    feeRateBps: readFeeRate(frame.fee_rate_bps),
    transactionHash: readOptionalText(frame.transaction_hash, 'transaction_hash'),
  }
}

export function parseBestBidAsk(frame: Unchecked<PolymarketBestBidAskFrame>): BestBidAsk {
  return {
    type: 'best_bid_ask',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    assetId: readId(frame.asset_id, null, 0, 'asset_id') as TokenId,
    tsVenue: readTimestamp(frame.timestamp),
    bestBid: readBest(frame.best_bid, 0, -1, 'best_bid'),
    bestAsk: readBest(frame.best_ask, MAX_PRICE, -1, 'best_ask'),
  }
}

export function parseNewMarket(frame: Unchecked<PolymarketNewMarketFrame>): NewMarket {
  const tickText = frame.order_price_min_tick_size
  return {
    type: 'new_market',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    tsVenue: readTimestamp(frame.timestamp),
    id: readId(frame.id, null, 0, 'id'),
    question: readText(frame.question, null, 0, 'question'),
    slug: readText(frame.slug, null, 0, 'slug'),
    assetIds: readStrings(frame.assets_ids, 'assets_ids', true) as TokenId[],
    outcomes: readStrings(frame.outcomes, 'outcomes', false),
    tickSize: isAbsent(tickText) ? null : readTickSize(tickText, 'order_price_min_tick_size'),
    gameStartTime: readOptionalText(frame.game_start_time, 'game_start_time'),
    sportsMarketType: readOptionalText(frame.sports_market_type, 'sports_market_type'),
    tags: isAbsent(frame.tags) ? [] : readStrings(frame.tags, 'tags', false),
  }
}

export function parseMarketResolved(
  frame: Unchecked<PolymarketMarketResolvedFrame>,
): MarketResolved {
  return {
    type: 'market_resolved',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    tsVenue: readTimestamp(frame.timestamp),
    id: readId(frame.id, null, 0, 'id'),
    assetIds: readStrings(frame.assets_ids, 'assets_ids', true) as TokenId[],
    winningAssetId: readId(frame.winning_asset_id, null, 0, 'winning_asset_id') as TokenId,
    winningOutcome: readText(frame.winning_outcome, null, 0, 'winning_outcome'),
  }
}
