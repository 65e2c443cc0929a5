/**
 * What discovery knows about one tradable market (one condition, two outcome tokens): the
 * result of reading Gamma, in domain units. Pure types; the adapter fills them.
 */
import type { MarketId, TickSize, TokenId } from './market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from './units.js'

/** The esports titles tiltmeter trades. */
export type Sport = 'valorant' | 'cs2' | 'lol' | 'dota2'

/**
 * `match`: who wins the series (Gamma `moneyline`); `map`: who wins one map or game
 * (`child_moneyline`, "Map 1 Winner"); `other`: handicaps, totals, props, outrights.
 */
export type MarketType = 'match' | 'map' | 'other'

/** One outcome of a market and the CLOB token that pays out on it. */
export type MarketOutcome = {
  /** The venue's label: a team name on esports, `Yes`/`No` elsewhere. */
  readonly name: string
  readonly tokenId: TokenId
  /** Gamma's last price for this outcome (`outcomePrices`); null when not given. */
  readonly price: PriceTicks | null
}

/**
 * The venue's taker fee parameters: fee = shares × rate × (p × (1 − p))^exponent.
 * Floats because the venue publishes them as such (`0.03`); used for estimates and display.
 */
export type FeeSchedule = {
  readonly rate: number
  readonly exponent: number
  readonly takerOnly: boolean
  /** Share of taker fees rebated to makers, 0..1; null when not given. */
  readonly rebateRate: number | null
}

export type MarketInfo = {
  readonly conditionId: MarketId
  readonly questionId?: string
  /** Gamma's own market id (a decimal string). */
  readonly gammaId: string
  readonly slug: string
  readonly question: string
  /** The parent event (one match); null when Gamma did not say. */
  readonly eventSlug: string | null
  readonly eventTitle: string | null
  readonly sport: Sport | null
  readonly marketType: MarketType
  /** Gamma's `sportsMarketType` as sent (`moneyline`, `map_handicap`, ...), null when absent. */
  readonly sportsMarketType: string | null
  /** Handicap or total line (`-1.5`), null when the market has none. */
  readonly line: number | null
  /** Outcome i pays on outcome i; always two on the CLOB. */
  readonly outcomes: readonly MarketOutcome[]
  /** Null when Gamma did not give a tick size; ask the CLOB (`/tick-size`). */
  readonly tickSize: TickSize | null
  readonly minOrderSize: ShareMicros | null
  /** Orders must be signed against the neg-risk exchange. */
  readonly negRisk: boolean
  /**
   * When play starts. Gamma's `gameStartTime`, else the event's start time; null when neither
   * is known. Resting orders may be cancelled at this moment (see `clearBookOnStart`).
   */
  readonly gameStartTime: EpochMs | null
  /** When the market was listed. */
  readonly startDate: EpochMs | null
  /** Scheduled end; resolution can come later. */
  readonly endDate: EpochMs | null
  readonly active: boolean
  readonly closed: boolean
  readonly acceptingOrders: boolean
  /** Order-book liquidity as Gamma reports it, in USDC micros; null when absent. */
  readonly liquidityUsd: UsdcMicros | null
  /** Traded volume over the last 24 h, in USDC micros; null when absent. */
  readonly volume24hUsd: UsdcMicros | null
  readonly bestBid: PriceTicks | null
  readonly bestAsk: PriceTicks | null
  readonly spread: PriceTicks | null
  readonly lastTradePrice: PriceTicks | null
  /**
   * Seconds the venue holds marketable orders before matching them once the game is live
   * (in-play delay); null when Gamma did not say.
   */
  readonly secondsDelay: number | null
  /** Resting orders are cancelled when the game starts; null when Gamma did not say. */
  readonly clearBookOnStart: boolean | null
  readonly feesEnabled: boolean | null
  readonly feeSchedule: FeeSchedule | null
  /** Gamma's game id, shared by all markets of one match; null when absent. */
  readonly gameId: string | null
  /** The event's own in-play flag; null when Gamma did not say. */
  readonly eventLive: boolean | null
  /**
   * The match is over (the market stays open until resolution, about 2 h); null when Gamma
   * did not say.
   */
  readonly eventEnded: boolean | null
}

/** Which markets a listing keeps: in play, not started yet, or both. */
export type MarketStatusFilter = 'live' | 'upcoming' | 'all'
