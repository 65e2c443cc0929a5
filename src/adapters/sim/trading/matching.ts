/**
 * Matching over one binary market in YES space. Every order is seen as a YES bid or ask:
 * BUY YES at p and SELL NO at 1 - p are bids at p; SELL YES at p and BUY NO at 1 - p are asks
 * at p. So a BUY YES can meet a BUY NO (the venue mints a pair) and a SELL YES a SELL NO (the
 * venue merges a pair), besides the plain buy-against-sell on one token.
 *
 * Liquidity comes from two places: the scenario's resting book (anonymous makers) and the
 * resting orders posted through the API. Price-time priority; at one price the scenario's
 * liquidity counts as older than any API order. Taking from the scenario's book is remembered
 * per level until the scenario changes that level again (its maker re-quoted).
 */
import type { OrderBook } from '../../../domain/book/order-book.js'
import type { Side } from '../../../domain/market.js'

export const PRICE_ONE = 10_000

/** A resting API order as the matcher sees it (YES space). */
export type RestingView = {
  readonly id: string
  readonly seq: number
  readonly yesSide: Side
  /** YES-space price in ticks (0.0001). */
  readonly yesPrice: number
  /** Shares still open, in micros. */
  readonly openShares: number
}

/** What the taker can accept: own-token price bound as a fraction, and how much. */
export type TakerSpec = {
  /** Whether the taker's token is the YES token of the pair. */
  readonly isYes: boolean
  readonly side: 'BUY' | 'SELL'
  /** The own-token price bound is `limitNum / limitDen` (0..1). */
  readonly limitNum: bigint
  readonly limitDen: bigint
  /** Shares wanted (micros); ignored when `budgetUsd` is set. */
  readonly shares: number
  /** A marketable BUY's spend cap in USDC micros. */
  readonly budgetUsd?: number
  /** Share of each scenario level the taker may reach (1 = all; a partial-fill fault lowers it). */
  readonly scenarioShare?: number
}

export type PlannedFill = {
  /** `null` = the scenario's liquidity; otherwise the resting API order id. */
  readonly makerId: string | null
  readonly yesPrice: number
  readonly shares: number
}

export type Plan = {
  readonly fills: PlannedFill[]
  readonly shares: number
  /** What the taker pays (BUY) or receives (SELL), in USDC micros at each fill's price. */
  readonly usd: number
  /** Nothing more could be taken from what the order asked for. */
  readonly complete: boolean
}

/** The YES-space side a taker consumes: BUY YES and SELL NO lift asks, the others hit bids. */
export function consumedSide(isYes: boolean, side: 'BUY' | 'SELL'): Side {
  return (side === 'BUY') === isYes ? 'ask' : 'bid'
}

/** The YES-space side and price a resting order with own-token price `price` occupies. */
export function restingPlace(
  isYes: boolean,
  side: 'BUY' | 'SELL',
  price: number,
): { yesSide: Side; yesPrice: number } {
  const yesSide: Side = consumedSide(isYes, side) === 'ask' ? 'bid' : 'ask'
  return { yesSide, yesPrice: isYes ? price : PRICE_ONE - price }
}

export function ownPrice(isYes: boolean, yesPrice: number): number {
  return isYes ? yesPrice : PRICE_ONE - yesPrice
}

/** Whether own-token price `price` (ticks) is within the taker's bound. */
export function acceptable(spec: TakerSpec, price: number): boolean {
  const lhs = BigInt(price) * spec.limitDen
  const rhs = spec.limitNum * BigInt(PRICE_ONE)
  return spec.side === 'BUY' ? lhs <= rhs : lhs >= rhs
}

/** USDC micros for `shares` micros at `price` ticks, rounded up (cost) or down (proceeds). */
export function usdFor(price: number, shares: number, round: 'up' | 'down'): number {
  const product = BigInt(price) * BigInt(shares)
  const quotient = product / BigInt(PRICE_ONE)
  const exact = quotient * BigInt(PRICE_ONE) === product
  return Number(round === 'up' && !exact ? quotient + 1n : quotient)
}

/** Remembered takings from the scenario's levels, forgotten when the level changes. */
export class ScenarioTakings {
  private readonly _taken = new Map<string, { size: number; taken: number }>()

  /** Shares still available at a scenario level of true size `size`. */
  available(side: Side, price: number, size: number): number {
    const entry = this._taken.get(`${side}:${price}`)
    if (entry === undefined || entry.size !== size) return size
    return Math.max(0, size - entry.taken)
  }

  take(side: Side, price: number, size: number, shares: number): void {
    const key = `${side}:${price}`
    const entry = this._taken.get(key)
    const before = entry === undefined || entry.size !== size ? 0 : entry.taken
    this._taken.set(key, { size, taken: before + shares })
  }
}

type Source = { makerId: string | null; yesPrice: number; available: number; seq: number }

/**
 * Plans a taker's fills without changing anything. `yesBook` is the scenario's YES book (may be
 * undefined for a market without one); `resting` the API orders of this market.
 */
export function planFills(
  spec: TakerSpec,
  yesBook: OrderBook | undefined,
  takings: ScenarioTakings,
  resting: readonly RestingView[],
  excludeId?: string,
): Plan {
  const side = consumedSide(spec.isYes, spec.side)
  const sources: Source[] = []
  if (yesBook !== undefined) {
    const share = spec.scenarioShare ?? 1
    for (const level of yesBook.levels(side)) {
      const free = takings.available(side, level.price, level.size)
      const reach = share >= 1 ? free : Math.floor(free * share)
      if (reach > 0)
        sources.push({ makerId: null, yesPrice: level.price, available: reach, seq: -1 })
    }
  }
  for (const order of resting) {
    if (order.yesSide !== side || order.openShares <= 0 || order.id === excludeId) continue
    sources.push({
      makerId: order.id,
      yesPrice: order.yesPrice,
      available: order.openShares,
      seq: order.seq,
    })
  }
  sources.sort((a, b) =>
    a.yesPrice === b.yesPrice
      ? a.seq - b.seq
      : side === 'ask'
        ? a.yesPrice - b.yesPrice
        : b.yesPrice - a.yesPrice,
  )
  const fills: PlannedFill[] = []
  let shares = 0
  let usd = 0
  let budget = spec.budgetUsd
  let wanted = spec.shares
  for (const source of sources) {
    const price = ownPrice(spec.isYes, source.yesPrice)
    if (!acceptable(spec, price)) break
    let take: number
    if (budget !== undefined) {
      if (price <= 0) break
      const affordable = Number((BigInt(budget) * BigInt(PRICE_ONE)) / BigInt(price))
      take = Math.min(source.available, affordable)
    } else {
      take = Math.min(source.available, wanted)
    }
    if (take <= 0) break
    const cost = usdFor(price, take, spec.side === 'BUY' ? 'up' : 'down')
    fills.push({ makerId: source.makerId, yesPrice: source.yesPrice, shares: take })
    shares += take
    usd += cost
    if (budget !== undefined) budget -= cost
    else wanted -= take
    if ((budget !== undefined && budget <= 1) || (budget === undefined && wanted <= 0)) break
  }
  const complete = budget !== undefined ? budget <= 1 : wanted <= 0
  return { fills, shares, usd, complete }
}
