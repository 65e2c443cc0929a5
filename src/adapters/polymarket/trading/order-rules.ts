/**
 * The venue's order rules that we check before anything is signed or sent: tick, price range,
 * size steps and minimums, and the amount precision of marketable BUY orders (maker ≤ 2
 * decimals, taker ≤ 4), which the official client does not respect on fine ticks.
 */
import type { TickSize } from '../../../domain/market.js'
import {
  formatPrice,
  formatSize,
  formatUsdc,
  PRICE_SCALE,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../../domain/units.js'

/** Why an order was refused, locally or by the venue. Stable codes. */
export type RejectReason =
  | 'OFF_TICK'
  | 'PRICE_OUT_OF_RANGE'
  | 'BELOW_MIN_SIZE'
  | 'BELOW_MIN_NOTIONAL'
  | 'BAD_AMOUNT'
  | 'INVALID_EXPIRATION'
  | 'INSUFFICIENT_BALANCE'
  | 'POST_ONLY_CROSSES'
  | 'POST_ONLY_MODE'
  | 'CANCEL_ONLY'
  | 'TRADING_DISABLED'
  | 'ENGINE_RESTARTING'
  | 'RATE_LIMITED'
  | 'FOK_NOT_FILLED'
  | 'FAK_NO_MATCH'
  | 'MARKET_NOT_READY'
  | 'UNAUTHORIZED'
  | 'INVALID_SIGNATURE'
  | 'WALLET_NOT_ALLOWED'
  | 'CLOSED_ONLY'
  | 'DUPLICATE'
  | 'INVALID_ORDER'
  /** The connection was refused or the host not found: the order never left. */
  | 'NOT_SENT'
  | 'VENUE_ERROR'

/** What the venue says about one token, needed to build a valid order. */
export type MarketParams = {
  readonly tick: TickSize
  /** Minimum limit-order size. */
  readonly minSize: ShareMicros
  readonly negRisk: boolean
}

export type RuleFailure = { readonly reason: RejectReason; readonly message: string }

/** Sizes go in steps of 0.01 share (the client rounds anything finer down). */
export const SIZE_STEP = 10_000
/** Marketable orders need at least 1 USDC. */
export const MIN_MARKETABLE_USDC = 1_000_000

/** Amount decimals the client uses for each tick (its rounding table). */
const AMOUNT_DECIMALS: Readonly<Record<number, number>> = {
  1000: 3,
  100: 4,
  50: 5,
  25: 6,
  10: 5,
  1: 6,
}

export function checkPrice(price: PriceTicks, tick: TickSize): RuleFailure | null {
  if (!Number.isInteger(price) || price % tick !== 0) {
    return {
      reason: 'OFF_TICK',
      message: `price ${formatPrice(price)} is not on the market's tick ${formatPrice(tick)}: round it to a multiple of the tick`,
    }
  }
  if (price < tick || price > PRICE_SCALE - tick) {
    return {
      reason: 'PRICE_OUT_OF_RANGE',
      message: `price ${formatPrice(price)} is outside ${formatPrice(tick)}..${formatPrice((PRICE_SCALE - tick) as PriceTicks)}: the venue takes prices from one tick to one minus a tick`,
    }
  }
  return null
}

function checkSizeStep(size: ShareMicros): RuleFailure | null {
  if (!Number.isSafeInteger(size) || size <= 0) {
    return { reason: 'BELOW_MIN_SIZE', message: `size ${size} micros is not a positive size` }
  }
  if (size % SIZE_STEP !== 0) {
    return {
      reason: 'BAD_AMOUNT',
      message: `size ${formatSize(size)} has more than 2 decimals: the venue takes sizes in steps of 0.01 share`,
    }
  }
  return null
}

/** A resting (GTC/GTD) order. */
export function checkLimit(
  price: PriceTicks,
  size: ShareMicros,
  params: MarketParams,
): RuleFailure | null {
  const failure = checkPrice(price, params.tick) ?? checkSizeStep(size)
  if (failure !== null) return failure
  if (size < params.minSize) {
    return {
      reason: 'BELOW_MIN_SIZE',
      message: `size ${formatSize(size)} is below the market's minimum of ${formatSize(params.minSize)} shares`,
    }
  }
  return null
}

/** A market SELL of `size` shares with a worst price (floor). */
export function checkMarketSell(
  worst: PriceTicks,
  size: ShareMicros,
  params: MarketParams,
): RuleFailure | null {
  return checkPrice(worst, params.tick) ?? checkSizeStep(size)
}

/**
 * A market BUY spending up to `spend` with a worst price (cap): the largest whole-cent spend
 * not above `spend` for which the client's taker amount (spend ÷ price, rounded the client's
 * way) has at most 4 decimals, as the venue requires. Fails when the spend is below 1 USDC or
 * no such spend exists within 1 USDC of the request.
 */
export function marketBuySpend(
  spend: UsdcMicros,
  worst: PriceTicks,
  params: MarketParams,
): { readonly cents: number } | RuleFailure {
  const priceFailure = checkPrice(worst, params.tick)
  if (priceFailure !== null) return priceFailure
  if (!Number.isSafeInteger(spend) || spend < MIN_MARKETABLE_USDC) {
    return {
      reason: 'BELOW_MIN_NOTIONAL',
      message: `a marketable order needs at least 1 USDC; ${formatUsdc(spend)} was asked`,
    }
  }
  const decimals = AMOUNT_DECIMALS[params.tick] ?? 4
  const start = Math.floor(spend / 10_000)
  for (let cents = start; cents >= Math.max(100, start - 100); cents--) {
    if (takerDecimalsOk(cents, worst, decimals)) return { cents }
  }
  return {
    reason: 'BAD_AMOUNT',
    message: `no spend within 1 USDC below ${formatUsdc(spend)} gives a taker amount with at most 4 decimals at ${formatPrice(worst)}: change the amount or the price`,
  }
}

/**
 * The client computes taker = maker ÷ price, rounds it up at `decimals + 4` places and then
 * down to `decimals`; the venue wants at most 4 of those decimals.
 */
function takerDecimalsOk(cents: number, price: PriceTicks, decimals: number): boolean {
  if (decimals <= 4) return true
  // taker (shares) = cents/100 / (price/1e4) = 100·cents/price
  const fine = 10n ** BigInt(decimals + 4)
  const numerator = 100n * BigInt(cents) * fine
  const p = BigInt(price)
  const up = (numerator + p - 1n) / p
  const truncated = up / 10_000n
  return truncated % 10n ** BigInt(decimals - 4) === 0n
}

/** True when a signed marketable BUY has maker ≤ 2 and taker ≤ 4 decimals (micro strings). */
export function marketableBuyAmountsOk(makerAmount: string, takerAmount: string): boolean {
  try {
    return BigInt(makerAmount) % 10_000n === 0n && BigInt(takerAmount) % 100n === 0n
  } catch {
    return false
  }
}
