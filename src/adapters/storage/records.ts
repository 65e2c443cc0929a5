/**
 * What the store accepts and returns, in domain units. Snake-case rows stay inside the
 * storage adapter; callers only see these.
 */
import type { MarketId, TokenId, TradeSide } from '../../domain/market.js'
import type { GameEvent } from '../../domain/game-events.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'

export type MarketRecord = {
  readonly conditionId: MarketId
  readonly slug: string
  readonly question: string
  readonly sport: string | null
  /** `match`, `map` or `other`; free text so new kinds need no migration. */
  readonly marketType: string
  readonly tickSize: PriceTicks | null
  readonly minOrderSize: ShareMicros | null
  readonly negRisk: boolean
  readonly gameStartTime: EpochMs | null
  /** The venue's in-play matching delay, in seconds. */
  readonly secondsDelay: number | null
  /** The discovery payload as received, kept for later study; any JSON value. */
  readonly raw: unknown
}

export type TokenRecord = {
  readonly tokenId: TokenId
  /** The outcome label (a team name on esports). */
  readonly outcome: string
  /** Outcome i pays on outcome i: 0 or 1 on the CLOB. */
  readonly outcomeIndex: number
}

export type StoredMarket = MarketRecord & { readonly tokens: readonly TokenRecord[] }

/** One price level: price and total size resting there. */
export type StoredLevel = readonly [price: PriceTicks, size: ShareMicros]

/** The maximum number of levels per side kept with a snapshot. */
export const SNAPSHOT_LEVELS = 10

export type BookSnapshotRecord = {
  readonly tokenId: TokenId
  readonly tsVenue: EpochMs | null
  readonly tsLocal: EpochMs
  readonly bestBid: PriceTicks | null
  readonly bestAsk: PriceTicks | null
  /** In ticks; a half tick is possible, so not branded. */
  readonly mid: number | null
  readonly spread: PriceTicks | null
  readonly depth5BidShares: ShareMicros
  readonly depth5AskShares: ShareMicros
  readonly depth5BidUsdc: UsdcMicros
  readonly depth5AskUsdc: UsdcMicros
  /** Top-5 share imbalance, −1..1; null on an empty book. */
  readonly imbalance: number | null
  readonly stale: boolean
  /** Best first, at most {@link SNAPSHOT_LEVELS}. */
  readonly bids: readonly StoredLevel[]
  readonly asks: readonly StoredLevel[]
}

export type TradeRecord = {
  readonly tokenId: TokenId
  readonly ts: EpochMs
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly takerSide: TradeSide | null
  readonly feeBps: number | null
  /** Unique per trade (e.g. transaction hash + token); a repeated key is skipped. */
  readonly dedupeKey: string
}

export type SignalRecord = {
  readonly type: string
  readonly tokenId: TokenId
  /** The token's market (condition id), when known. */
  readonly market: MarketId | null
  /** Event (venue) time of the signal. */
  readonly ts: EpochMs
  readonly score: number
  /** Detector ratios against their baselines; null without a baseline. */
  readonly volumeRatio: number | null
  readonly spreadRatio: number | null
  readonly depthRatio: number | null
  /** Signed mid change over the detector's window, price units (0..1 scale). */
  readonly priceChange: number | null
  /** Mid at the signal, price units (0..1 scale). */
  readonly refPrice: number | null
  /**
   * Store id (as returned by `insertSignal`) of the complement-token signal this one mirrors.
   * The engine numbers its signals itself; map its `mirrorOf` to the stored id.
   */
  readonly mirrorOf: number | null
  /** The values the detector used, so the signal can be explained and re-scored. */
  readonly inputs: Readonly<Record<string, unknown>>
  /** The settled outcome when already known (a backtest); absent or null while open. */
  readonly reversion?: SignalReversionRecord | null
}

/** How a signal's price move ended; see SPEC 2.4 and docs/STORAGE.md. */
export type SignalReversionRecord = {
  /** The price retraced at least the configured fraction of the move within the horizon. */
  readonly reverted: boolean
  /** Ms of event time from the signal to the reversion; null when it did not revert. */
  readonly reversionMs: number | null
  /** Fraction of the move retraced (maximum within the horizon). */
  readonly retrace: number
  /** Max favourable and max adverse excursion of a fade, price units, >= 0. */
  readonly mfe: number
  readonly mae: number
  /** Event time at which the outcome was settled. */
  readonly resolvedTs: EpochMs
}

export type StoredSignal = Omit<SignalRecord, 'reversion'> & {
  readonly id: number
  /** Null until {@link SignalReversionRecord} is stored for it. */
  readonly reversion: SignalReversionRecord | null
}

export type SignalFilter = {
  readonly tokenId?: string | undefined
  /** Inclusive, event time. */
  readonly from?: EpochMs | undefined
  /** Exclusive, event time. */
  readonly to?: EpochMs | undefined
  /** At most this many, counted in the chosen order. */
  readonly limit?: number | undefined
  /** By time, oldest first (`asc`, the default) or newest first. */
  readonly order?: 'asc' | 'desc' | undefined
}

/** The store takes game events as the domain defines them (src/domain/game-events.ts). */
export type GameEventRecord = GameEvent

export type StoredGameEvent = GameEvent & { readonly id: number }

export type GameEventFilter = {
  /**
   * Condition id: events stored with this market, and events stored with only an asset id
   * that belongs to this market (per the tokens table).
   */
  readonly market?: string | undefined
  /**
   * Token id: events stored with this asset, and events stored with only a market id that
   * is this token's market (per the tokens table).
   */
  readonly assetId?: string | undefined
  /** Inclusive, venue-epoch ms. */
  readonly from?: EpochMs | undefined
  /** Exclusive, venue-epoch ms. */
  readonly to?: EpochMs | undefined
}
