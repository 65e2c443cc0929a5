/**
 * What the backtest engine needs from the simulated venue and the portfolio (both domain code,
 * src/domain/backtest/sim-venue.ts and src/domain/portfolio/), as ports so the loop can be
 * tested with hand-written doubles and paper trading can reuse it with the same venue.
 */
import type { LastTrade } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { Fill, OrderIntent, OrderRejectReason } from '../../domain/backtest/types.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { MarketMeta } from '../../domain/strategy/strategy.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../../domain/units.js'

export type VenueEvents = {
  onFill(fill: Fill): void
  onReject(intent: OrderIntent, reason: OrderRejectReason, detail: string): void
  /** The order is finished: fully filled, killed (the rest of a market order) or cancelled. */
  onDone(intent: OrderIntent, filled: ShareMicros, status: string): void
}

export type VenuePort = {
  submit(intent: OrderIntent): void
  cancel(clientId: string, now: EpochMs): void
  /**
   * The earliest time an order or cancel is due at the matching engine, or null. It may move
   * earlier only through `submit`, `cancel` and `executeDue` (fills, trades and book changes
   * only finish orders): lanes ask it after those calls and skip the venue until that time.
   */
  nextDue(): EpochMs | null
  /** Executes everything due at or before `now` against the books as they stand. */
  executeDue(now: EpochMs, bookOf: (tokenId: string) => BookView | undefined): void
  /** Optional: the market resolved or closed; open orders are cancelled now. */
  closeMarket?(market: MarketId): void
  onTrade(trade: LastTrade): void
  onBookChanged(book: BookView): void
}

export type VenueSetup = {
  readonly latencyMs: number
  marketOf(tokenId: string): MarketMeta
}

export type VenueFactory = (setup: VenueSetup, events: VenueEvents) => VenuePort

/**
 * Optional: the portfolio (src/domain/portfolio/portfolio.ts) that keeps cash and positions
 * from the same fills and settlements; when present, sizing uses its marked equity.
 */
export type PortfolioPort = {
  applyFill(fill: Fill): void
  settle(market: MarketId, winningTokenId: TokenId, ts: EpochMs): unknown
  cash(): UsdcMicros
  /** Cash plus positions marked at `markOf` (price units), USDC micros. */
  equity(markOf: (tokenId: string) => number | null): number
}

export type PortfolioFactory = (bankroll: UsdcMicros) => PortfolioPort
