/**
 * Cash and outcome-token positions of one account, in exact units: cash, cost and fees in USDC
 * micros, sizes in share micros. Fills arrive from a venue (simulated or real); resolution
 * settles each position at 1 USDC per share for the winning outcome and 0 for the other.
 *
 * Accounting:
 * - a buy pays `notional(price, size, 'up')` plus its fee; the position's cost grows by the
 *   notional (fees are kept apart, in {@link Portfolio.fees});
 * - a sell receives `notional(price, size, 'down')` minus its fee and releases cost pro rata
 *   (rounded up, so realized profit is never flattered); realized profit grows by proceeds minus
 *   released cost;
 * - so at every step `cash + Σ cost = bankroll + realized − fees` exactly.
 * Selling more than is held, or any malformed fill, throws {@link InvariantError}: positions are
 * never negative. Cash may go below zero; sizing against the bankroll is the caller's job.
 */
import type { Fill } from '../backtest/types.js'
import { invariant } from '../errors.js'
import type { MarketId, TokenId } from '../market.js'
import {
  notional,
  PRICE_SCALE,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../units.js'

export type PositionView = {
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly size: ShareMicros
  /** Cost basis of the shares still held, in USDC micros (fees excluded). */
  readonly cost: UsdcMicros
  /** cost / size as a price in ticks (fractional); 0 for an empty position. */
  readonly avgPrice: number
}

type Position = { market: MarketId; tokenId: TokenId; size: number; cost: number }

/** A settled position: what it paid and what it realized. */
export type Settlement = {
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly size: ShareMicros
  readonly payout: UsdcMicros
  readonly realized: UsdcMicros
  readonly ts: EpochMs
}

function avgPriceOf(size: number, cost: number): number {
  return size === 0 ? 0 : (cost * PRICE_SCALE) / size
}

/** `cost × part / whole`, rounded up, exact for any safe integers. */
function proRataUp(cost: number, part: number, whole: number): number {
  const product = BigInt(cost) * BigInt(part)
  const divisor = BigInt(whole)
  let quotient = product / divisor
  if (quotient * divisor !== product) quotient += 1n
  return Number(quotient)
}

export class Portfolio {
  private readonly _bankroll: number
  private _cash: number
  private _realized = 0
  private _fees = 0
  private readonly _positions = new Map<string, Position>()

  /** @throws InvariantError when `bankroll` is not a non-negative integer of USDC micros. */
  constructor(bankroll: UsdcMicros) {
    invariant(
      Number.isSafeInteger(bankroll) && bankroll >= 0,
      `bankroll ${bankroll} is not a non-negative integer of USDC micros`,
    )
    this._bankroll = bankroll
    this._cash = bankroll
  }

  /**
   * Books one fill (see the module comment for the arithmetic).
   * @throws InvariantError for a size that is not a positive integer, a price outside 0..10_000,
   *   a negative fee, or a sell larger than the position.
   */
  applyFill(fill: Fill): void {
    invariant(
      Number.isSafeInteger(fill.size) && fill.size > 0,
      `fill ${fill.clientId}: size ${fill.size} is not a positive integer of share micros`,
    )
    invariant(
      Number.isInteger(fill.price) && fill.price >= 0 && fill.price <= PRICE_SCALE,
      `fill ${fill.clientId}: price ${fill.price} is not an integer tick in 0..${PRICE_SCALE}`,
    )
    invariant(
      Number.isSafeInteger(fill.fee) && fill.fee >= 0,
      `fill ${fill.clientId}: fee ${fill.fee} is not a non-negative integer of USDC micros`,
    )
    const position = this._positions.get(fill.tokenId)
    if (fill.side === 'buy') {
      const cost = notional(fill.price, fill.size, 'up')
      this._cash -= cost + fill.fee
      if (position === undefined) {
        this._positions.set(fill.tokenId, {
          market: fill.market,
          tokenId: fill.tokenId,
          size: fill.size,
          cost,
        })
      } else {
        position.size += fill.size
        position.cost += cost
      }
    } else {
      const held = position?.size ?? 0
      invariant(
        position !== undefined && fill.size <= held,
        `fill ${fill.clientId}: selling ${fill.size} share micros of token ${fill.tokenId} ` +
          `but only ${held} are held; positions cannot go negative`,
      )
      const proceeds = notional(fill.price, fill.size, 'down')
      const released =
        fill.size === position.size
          ? position.cost
          : proRataUp(position.cost, fill.size, position.size)
      position.size -= fill.size
      position.cost -= released
      this._cash += proceeds - fill.fee
      this._realized += proceeds - released
      if (position.size === 0) this._positions.delete(fill.tokenId)
    }
    this._fees += fill.fee
  }

  /**
   * Resolution: every position in `market` pays 1 USDC per share when its token is
   * `winningTokenId`, else 0, and is closed. Returns what was settled (empty when nothing was
   * held).
   */
  settle(market: MarketId, winningTokenId: TokenId, ts: EpochMs): Settlement[] {
    return this.settleAt(
      market,
      (tokenId) => (tokenId === winningTokenId ? PRICE_SCALE : 0) as PriceTicks,
      ts,
    )
  }

  /**
   * Resolution at arbitrary payouts per token, in ticks per share (a 50-50 resolution pays
   * 5_000 on both). Closes every position in `market`.
   * @throws InvariantError when a payout is not an integer tick in 0..10_000.
   */
  settleAt(
    market: MarketId,
    payoutOf: (tokenId: TokenId) => PriceTicks,
    ts: EpochMs,
  ): Settlement[] {
    const settled: Settlement[] = []
    for (const position of [...this._positions.values()]) {
      if (position.market !== market) continue
      const price = payoutOf(position.tokenId)
      invariant(
        Number.isInteger(price) && price >= 0 && price <= PRICE_SCALE,
        `settlement price ${price} for token ${position.tokenId} is not an integer tick in 0..${PRICE_SCALE}`,
      )
      const payout = notional(price, position.size as ShareMicros, 'down')
      const realized = payout - position.cost
      this._cash += payout
      this._realized += realized
      this._positions.delete(position.tokenId)
      settled.push({
        market,
        tokenId: position.tokenId,
        size: position.size as ShareMicros,
        payout,
        realized: realized as UsdcMicros,
        ts,
      })
    }
    return settled
  }

  /** The open position in `tokenId`, or undefined when none is held. */
  position(tokenId: string): { size: ShareMicros; cost: UsdcMicros; avgPrice: number } | undefined {
    const position = this._positions.get(tokenId)
    if (position === undefined) return undefined
    return {
      size: position.size as ShareMicros,
      cost: position.cost as UsdcMicros,
      avgPrice: avgPriceOf(position.size, position.cost),
    }
  }

  /** All open positions, in the order they were opened. */
  positions(): PositionView[] {
    return [...this._positions.values()].map((position) => ({
      market: position.market,
      tokenId: position.tokenId,
      size: position.size as ShareMicros,
      cost: position.cost as UsdcMicros,
      avgPrice: avgPriceOf(position.size, position.cost),
    }))
  }

  bankroll(): UsdcMicros {
    return this._bankroll as UsdcMicros
  }

  cash(): UsdcMicros {
    return this._cash as UsdcMicros
  }

  /** Realized profit before fees: proceeds and payouts minus the cost they released. */
  realized(): UsdcMicros {
    return this._realized as UsdcMicros
  }

  /** All fees paid. Net realized profit is `realized() − fees()`. */
  fees(): UsdcMicros {
    return this._fees as UsdcMicros
  }

  /**
   * Cash plus each position marked at `markOf(tokenId)` (a price in 0..1, normally the mid),
   * in USDC micros as a float. A position without a mark (null) counts at its cost.
   */
  equity(markOf: (tokenId: string) => number | null): number {
    let equity = this._cash
    for (const position of this._positions.values()) {
      const mark = markOf(position.tokenId)
      equity += mark === null ? position.cost : position.size * mark
    }
    return equity
  }
}
