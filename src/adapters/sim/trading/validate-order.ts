/**
 * What the venue checks on an order against its market before matching: market open, positive
 * amounts, post-only only on resting types, expiration (0 for GTC/FOK/FAK, more than 60 s ahead
 * for GTD), the limit price on the tick and inside [tick, 1 − tick], the minimum size of a
 * resting order, and at most 2 (USDC) / 4 (shares) decimals on a marketable BUY. Error texts are
 * the venue's where it has one (docs/POLYMARKET_NOTES.md, "Trading: what the simulator
 * verifies").
 */
import { PRICE_ONE } from './matching.js'
import {
  fmtPrice,
  fmtShares,
  MARKET_BUY_PRECISION,
  type MarketRef,
  type Rejection,
  type SubmitInput,
} from './orders.js'

export type CheckedOrder = {
  /** Own-token price in ticks (a marketable order's bound rounded to the tick, inwards). */
  readonly price: number
  /** The exact price bound `limitNum / limitDen`. */
  readonly limitNum: bigint
  readonly limitDen: bigint
  /** Shares: taker amount of a BUY, maker amount of a SELL. */
  readonly shares: number
  readonly marketable: boolean
  readonly expiration: number
}

export function checkOrder(
  input: SubmitInput,
  market: MarketRef,
  nowMs: number,
): CheckedOrder | Rejection {
  const { order, id } = input
  if (market.closed) {
    return { status: 400, error: 'the market is not yet ready to process new orders' }
  }
  const maker = BigInt(order.makerAmount)
  const taker = BigInt(order.takerAmount)
  if (maker <= 0n || taker <= 0n) {
    return { status: 400, error: 'Invalid order payload: makerAmount and takerAmount must be > 0' }
  }
  const marketable = input.orderType === 'FOK' || input.orderType === 'FAK'
  if (input.postOnly && marketable) {
    return {
      status: 400,
      error: 'invalid post-only order: only GTC and GTD orders can be post-only',
    }
  }
  const nowS = Math.floor(nowMs / 1000)
  const expiration = Number(order.expiration)
  if (!Number.isSafeInteger(expiration) || expiration < 0) {
    return { status: 400, error: 'invalid expiration' }
  }
  if (input.orderType === 'GTD' ? expiration <= nowS + 60 : expiration !== 0) {
    return { status: 400, error: 'invalid expiration' }
  }
  const isBuy = order.side === 'BUY'
  const limitNum = isBuy ? maker : taker
  const limitDen = isBuy ? taker : maker
  const scaled = limitNum * BigInt(PRICE_ONE)
  const exact = scaled % limitDen === 0n
  const rounded = Number(scaled / limitDen)
  const priceText = (Number(limitNum) / Number(limitDen)).toString()
  const tickText = fmtPrice(market.tick)
  let price = rounded
  if (!marketable) {
    if (!exact || rounded % market.tick !== 0) {
      return {
        status: 400,
        error: `order ${id} is invalid. Price (${priceText}) breaks minimum tick size rule: ${tickText}`,
      }
    }
  } else {
    price = isBuy
      ? Math.floor(rounded / market.tick) * market.tick
      : Math.ceil(rounded / market.tick) * market.tick
    if (isBuy && (maker % 10_000n !== 0n || taker % 100n !== 0n)) {
      return { status: 400, error: MARKET_BUY_PRECISION }
    }
  }
  if (price < market.tick || price > PRICE_ONE - market.tick) {
    const top = fmtPrice(PRICE_ONE - market.tick)
    return {
      status: 400,
      error: `order ${id} is invalid. Price (${priceText}) is outside ${tickText}..${top}`,
    }
  }
  const shares = Number(isBuy ? taker : maker)
  if (!marketable && shares < market.minShares) {
    return {
      status: 400,
      error: `order ${id} is invalid. Size (${fmtShares(shares)}) lower than the minimum: ${fmtShares(market.minShares)}`,
    }
  }
  return { price, limitNum, limitDen, shares, marketable, expiration }
}
