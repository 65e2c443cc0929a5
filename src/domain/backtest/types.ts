/**
 * The vocabulary shared by the simulated venue, the strategies, the portfolio and the backtest
 * report. Prices are ticks, sizes share micros, money USDC micros, times venue epoch ms.
 */
import type { MarketId, TokenId } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../units.js'

/** We only ever hold outcome tokens: a buy opens or adds, a sell reduces or closes. */
export type OrderSide = 'buy' | 'sell'

/**
 * What a strategy (or later the terminal) asks the venue for.
 * - `market`: fill-and-kill against the book; `price` is the worst acceptable price (cap for a
 *   buy, floor for a sell); whatever cannot fill at or inside it is cancelled.
 * - `limit`: rests at `price` (good till cancelled) after crossing what it can.
 */
export type OrderIntent = {
  readonly clientId: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly kind: 'market' | 'limit'
  readonly price: PriceTicks
  readonly size: ShareMicros
  /** Event time at which the decision was taken (the venue adds latency to it). */
  readonly decidedAt: EpochMs
}

/** One execution against one price level. */
export type Fill = {
  readonly clientId: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly price: PriceTicks
  readonly size: ShareMicros
  /** Taker fee paid on this fill (0 for maker fills), rounded up. */
  readonly fee: UsdcMicros
  readonly liquidity: 'taker' | 'maker'
  readonly ts: EpochMs
}

/** Why an order ended without (full) execution; a value, not an exception. */
export type OrderRejectReason =
  | 'BELOW_MIN_SIZE'
  | 'PRICE_OFF_TICK'
  | 'NO_LIQUIDITY'
  | 'BOOK_STALE'
  | 'MARKET_CLOSED'
  | 'UNKNOWN_TOKEN'

export type ExitReason = 'target' | 'stop' | 'timeout' | 'resolution' | 'end_of_data'

/** A round trip: entry fills to exit fills (or settlement) of one position. */
export type ClosedTrade = {
  readonly id: number
  readonly market: MarketId
  readonly tokenId: TokenId
  /** The match the trade belongs to (bootstrap cluster): event slug or market id. */
  readonly match: string
  readonly strategy: string
  /** The game event type that preceded the signal (e.g. `round_loss`), or null. */
  readonly substrategy: string | null
  readonly signalId: number
  readonly signalType: string
  readonly score: number
  readonly entryTs: EpochMs
  readonly exitTs: EpochMs
  /** Size-weighted average prices in ticks (may be fractional). */
  readonly entryPrice: number
  readonly exitPrice: number
  readonly size: ShareMicros
  readonly fees: UsdcMicros
  /** Proceeds − cost − fees. */
  readonly profit: UsdcMicros
  readonly exitReason: ExitReason
  /** Seconds from the signal until the price reverted, when it did. */
  readonly reversionS: number | null
}
