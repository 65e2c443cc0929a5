/**
 * The account the order service keeps: the portfolio built from the booked fills, realized
 * profit per token, the profit of each round trip (for the risk engine), and the cash basis.
 *
 * - Fills with status `failed` are never in the portfolio. Taking a booked fill back rebuilds
 *   the portfolio from the remaining fills in booking order, so cash, positions, realized profit
 *   and fees are exactly what they would be had the fill never happened.
 * - Cash starts at the bankroll. A live venue replaces it with the wallet's collateral balance
 *   plus the effect of the fills still `matched` ({@link Account.setCash}: the wallet follows the
 *   chain); the difference is kept as an offset (deposits, withdrawals, what the venue counts and
 *   the fills do not), so later fills and rebuilds still move cash exactly.
 */
import type { BookView } from '../../domain/book/order-book.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import { Portfolio } from '../../domain/portfolio/portfolio.js'
import { notional, type PriceTicks, type ShareMicros, type UsdcMicros } from '../../domain/units.js'
import type { VenueFill } from './venue.js'

export type PositionLine = {
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly size: ShareMicros
  readonly cost: UsdcMicros
  readonly avgPrice: number
  readonly bestBid: PriceTicks | null
  /** Mid in ticks (may be fractional). */
  readonly mid: number | null
  /** What the shares fetch at the best bid (rounded down); null without a bid. */
  readonly valueAtBid: UsdcMicros | null
  readonly valueAtMid: number | null
  readonly unrealizedAtBid: number | null
  readonly unrealizedAtMid: number | null
  /** Realized profit on this token so far, before fees. */
  readonly realized: UsdcMicros
}

export type PortfolioView = {
  readonly positions: readonly PositionLine[]
  readonly markets: readonly {
    readonly market: MarketId
    readonly cost: number
    readonly valueAtBid: number | null
    readonly valueAtMid: number | null
    readonly unrealizedAtBid: number | null
    readonly unrealizedAtMid: number | null
    readonly realized: number
  }[]
  readonly cash: UsdcMicros
  readonly realized: UsdcMicros
  readonly fees: UsdcMicros
  readonly equityAtBid: number
}

export class Account {
  private readonly _bankroll: UsdcMicros
  private _portfolio: Portfolio
  private readonly _realized = new Map<string, number>()
  /** Per token, realized profit and fees since the position was last flat (closed trades). */
  private readonly _trip = new Map<string, { realized: number; fees: number }>()
  private _cashOffset = 0
  private _cashSource: 'bankroll' | 'wallet' = 'bankroll'

  constructor(bankroll: UsdcMicros) {
    this._bankroll = bankroll
    this._portfolio = new Portfolio(bankroll)
  }

  /** Books one fill; returns a closed round trip's profit (after fees), else null. */
  book(fill: VenueFill): number | null {
    const realizedBefore = this._portfolio.realized()
    this._portfolio.applyFill({
      clientId: fill.clientOrderId,
      market: fill.market,
      tokenId: fill.tokenId,
      side: fill.side,
      price: fill.price,
      size: fill.size,
      fee: fill.fee,
      liquidity: fill.liquidity,
      ts: fill.ts,
    })
    const delta = this._portfolio.realized() - realizedBefore
    this._realized.set(fill.tokenId, (this._realized.get(fill.tokenId) ?? 0) + delta)
    const trip = this._trip.get(fill.tokenId) ?? { realized: 0, fees: 0 }
    trip.realized += delta
    trip.fees += fill.fee
    this._trip.set(fill.tokenId, trip)
    if (this._portfolio.position(fill.tokenId) === undefined) {
      this._trip.delete(fill.tokenId)
      return trip.realized - trip.fees
    }
    return null
  }

  /**
   * Starts over from the bankroll and books `fills` in order, skipping failed ones (the cash
   * offset stays). Throws like {@link Portfolio.applyFill} when the fills do not add up (e.g. a
   * sell of shares whose buy was taken back); the account is then left as it was.
   */
  rebuild(fills: Iterable<VenueFill>): void {
    const saved = {
      portfolio: this._portfolio,
      realized: new Map(this._realized),
      trip: new Map([...this._trip].map(([k, v]) => [k, { ...v }])),
    }
    this._portfolio = new Portfolio(this._bankroll)
    this._realized.clear()
    this._trip.clear()
    try {
      for (const fill of fills) if (fill.status !== 'failed') this.book(fill)
    } catch (e) {
      this._portfolio = saved.portfolio
      this._realized.clear()
      for (const [k, v] of saved.realized) this._realized.set(k, v)
      this._trip.clear()
      for (const [k, v] of saved.trip) this._trip.set(k, v)
      throw e
    }
  }

  /**
   * Makes the cash equal `cash` (the wallet's balance) plus `unsettled`, the cash effect of the
   * booked fills the wallet does not show yet (trades matched, not yet on chain); returns the change.
   */
  setCash(cash: UsdcMicros, unsettled = 0): number {
    const delta = cash + unsettled - this.cash()
    this._cashOffset += delta
    this._cashSource = 'wallet'
    return delta
  }

  /** Where the cash comes from: the configured bankroll, or the wallet's balance. */
  get cashSource(): 'bankroll' | 'wallet' {
    return this._cashSource
  }

  /** What booking `fill` did to the cash (negative for a buy). */
  static cashEffect(fill: VenueFill): number {
    return fill.side === 'buy'
      ? -(notional(fill.price, fill.size, 'up') + fill.fee)
      : notional(fill.price, fill.size, 'down') - fill.fee
  }

  cash(): UsdcMicros {
    return (this._portfolio.cash() + this._cashOffset) as UsdcMicros
  }

  position(tokenId: TokenId): { size: ShareMicros; cost: UsdcMicros } | undefined {
    return this._portfolio.position(tokenId)
  }

  positions(): ReturnType<Portfolio['positions']> {
    return this._portfolio.positions()
  }

  /** Realized profit on a token, before fees. */
  realizedOf(tokenId: TokenId): UsdcMicros {
    return (this._realized.get(tokenId) ?? 0) as UsdcMicros
  }

  /** Open cost in `market`. */
  exposure(market: MarketId): UsdcMicros {
    let cost = 0
    for (const p of this._portfolio.positions()) if (p.market === market) cost += p.cost
    return cost as UsdcMicros
  }

  /** Positions marked at the books (bid and mid), per market and in all. */
  view(bookOf: (tokenId: TokenId) => BookView | undefined): PortfolioView {
    const lines: PositionLine[] = []
    for (const p of this._portfolio.positions()) {
      const book = bookOf(p.tokenId)
      const bid = book?.bestBid() ?? null
      const midUnits = book?.mid() ?? null
      const mid = midUnits === null ? null : midUnits * 10_000
      const valueAtBid = bid === null ? null : notional(bid, p.size, 'down')
      const valueAtMid = mid === null ? null : (mid * p.size) / 10_000
      lines.push({
        market: p.market,
        tokenId: p.tokenId,
        size: p.size,
        cost: p.cost,
        avgPrice: p.avgPrice,
        bestBid: bid,
        mid,
        valueAtBid,
        valueAtMid,
        unrealizedAtBid: valueAtBid === null ? null : valueAtBid - p.cost,
        unrealizedAtMid: valueAtMid === null ? null : valueAtMid - p.cost,
        realized: this.realizedOf(p.tokenId),
      })
    }
    const byMarket = new Map<MarketId, PortfolioView['markets'][number]>()
    const add = (a: number | null, b: number | null): number | null =>
      a === null || b === null ? null : a + b
    for (const line of lines) {
      const m = byMarket.get(line.market) ?? {
        market: line.market,
        cost: 0,
        valueAtBid: 0,
        valueAtMid: 0,
        unrealizedAtBid: 0,
        unrealizedAtMid: 0,
        realized: 0,
      }
      byMarket.set(line.market, {
        market: line.market,
        cost: m.cost + line.cost,
        valueAtBid: add(m.valueAtBid, line.valueAtBid),
        valueAtMid: add(m.valueAtMid, line.valueAtMid),
        unrealizedAtBid: add(m.unrealizedAtBid, line.unrealizedAtBid),
        unrealizedAtMid: add(m.unrealizedAtMid, line.unrealizedAtMid),
        realized: m.realized + line.realized,
      })
    }
    const cash = this.cash()
    let equity: number = cash
    for (const line of lines) equity += line.valueAtBid ?? 0
    return {
      positions: lines,
      markets: [...byMarket.values()],
      cash,
      realized: this._portfolio.realized(),
      fees: this._portfolio.fees(),
      equityAtBid: equity,
    }
  }
}
