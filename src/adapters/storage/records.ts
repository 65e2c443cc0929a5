/**
 * What the store accepts and returns, in domain units. Snake-case rows stay inside the
 * storage adapter; callers only see these.
 */
import type { MarketId, TokenId, TradeSide } from '../../domain/market.js'
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
  readonly ts: EpochMs
  readonly score: number
  /** The values the detector used, so the signal can be explained and re-scored. */
  readonly inputs: Readonly<Record<string, unknown>>
  /** When the price came back, if it did. */
  readonly reversionMs: EpochMs | null
  readonly reversionPrice: PriceTicks | null
}

export type GameEventRecord = {
  readonly conditionId: MarketId
  /** `round_win`, `clutch`, `map_win`, `custom`, ... (SPEC 2.3). */
  readonly type: string
  readonly team: string | null
  readonly player: string | null
  /** As shown on screen, e.g. `7-5`. */
  readonly score: string | null
  readonly mapNumber: number | null
  readonly note: string | null
  readonly tsLocal: EpochMs
  /** Position in the video, in ms from its start, when logged from a video. */
  readonly tsVideo: number | null
  /** `hotkey`, `api`, `csv`, `espn`, ... */
  readonly source: string
}

export type StoredGameEvent = GameEventRecord & { readonly id: number }
