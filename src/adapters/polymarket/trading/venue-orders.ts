/**
 * The pure half of the Polymarket venue (polymarket-venue.ts): what it remembers of each order,
 * how a port order becomes a venue request, and how the venue's answers and user-channel events
 * become port statuses and fills. No I/O here.
 */
import { takerFee } from '../../../domain/backtest/fees.js'
import type { MarketId, TokenId } from '../../../domain/market.js'
import {
  notional,
  tryParseSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../../domain/units.js'
import type {
  OrderSide,
  OrderStatus,
  OrderType,
  VenueFill,
  VenueOrder,
} from '../../../engine/execution/venue.js'
import type { PlaceOrderRequest } from './polymarket-trading.js'
import type { OwnFill, TradeStatus, UserOrderEvent } from './user-channel.js'

/** One order as the venue follows it. `filled` counts only the fills already handed on. */
export type TrackedOrder = {
  readonly clientOrderId: string
  orderId: string | null
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly type: OrderType
  readonly size: ShareMicros
  readonly price: PriceTicks
  /** Market BUY: the USDC it may spend; 0 otherwise. */
  readonly spend: UsdcMicros
  readonly createdMs: EpochMs
  status: OrderStatus
  filled: ShareMicros
  /** USDC of the fills handed on (price × size), to tell when a market BUY has spent its budget. */
  usd: number
}

/** What the order store remembers of an order (see `VenueJournal`). */
export type JournalOrder = {
  readonly clientOrderId: string
  readonly orderId: string | null
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly type: OrderType
  readonly size: ShareMicros
  readonly price: PriceTicks
  readonly status: OrderStatus
  readonly createdMs: EpochMs
}

/** One cent: a market BUY whose spend came within a cent of its budget is complete. */
const CENT = 10_000

/** A market BUY of `size` shares at worst price `p` spends `size × p`, rounded down to a cent. */
export function marketBuySpendOf(order: Pick<VenueOrder, 'price' | 'size'>): UsdcMicros {
  const usd = notional(order.price, order.size, 'down')
  return (Math.floor(usd / CENT) * CENT) as UsdcMicros
}

export function trackedOf(order: VenueOrder | JournalOrder, filled: ShareMicros): TrackedOrder {
  const marketBuy = order.type === 'market' && order.side === 'buy'
  return {
    clientOrderId: order.clientOrderId,
    orderId: 'orderId' in order ? order.orderId : null,
    market: order.market,
    tokenId: order.tokenId,
    side: order.side,
    type: order.type,
    size: order.size,
    price: order.price,
    spend: marketBuy ? marketBuySpendOf(order) : (0 as UsdcMicros),
    createdMs: 'createdMs' in order ? order.createdMs : order.decidedAt,
    status: 'status' in order ? order.status : 'pending',
    filled,
    usd: 0,
  }
}

/** The adapter's request for a port order. */
export function placeRequestOf(order: VenueOrder): PlaceOrderRequest {
  if (order.type === 'market') {
    const timeInForce = order.timeInForce === 'FOK' ? 'FOK' : 'FAK'
    if (order.side === 'buy') {
      return {
        kind: 'market',
        tokenId: order.tokenId,
        side: 'buy',
        spend: marketBuySpendOf(order),
        worstPrice: order.price,
        timeInForce,
      }
    }
    return {
      kind: 'market',
      tokenId: order.tokenId,
      side: 'sell',
      size: order.size,
      worstPrice: order.price,
      timeInForce,
    }
  }
  return {
    kind: 'limit',
    tokenId: order.tokenId,
    side: order.side,
    price: order.price,
    size: order.size,
    timeInForce: order.timeInForce === 'GTD' ? 'GTD' : 'GTC',
    ...(order.expiresAt === null ? {} : { expiresAt: order.expiresAt }),
    postOnly: order.postOnly,
  }
}

/** True once the order has everything it asked for (a market BUY: its budget, within a cent). */
export function isComplete(
  t: TrackedOrder,
  shares: number = t.filled,
  usd: number = t.usd,
): boolean {
  if (shares >= t.size) return true
  return t.type === 'market' && t.side === 'buy' && t.spend > 0 && usd >= t.spend - CENT
}

/**
 * Where an order stands after the venue matched what it could: complete → `filled`; otherwise
 * a market order's rest is killed and a limit order rests (`open`), or, when `ended`, it was
 * cancelled.
 */
export function afterMatch(t: TrackedOrder, complete: boolean, ended: boolean): OrderStatus {
  if (complete) return 'filled'
  if (t.type === 'market') return 'killed'
  return ended ? 'cancelled' : 'open'
}

/** Decimal amounts of an order answer (`makingAmount`, `takingAmount`) → shares and USDC. */
export function matchedAmounts(
  side: OrderSide,
  making: string,
  taking: string,
): { readonly shares: number; readonly usd: number } {
  const a = Math.max(0, tryParseSize(making))
  const b = Math.max(0, tryParseSize(taking))
  return side === 'buy' ? { shares: b, usd: a } : { shares: a, usd: b }
}

/** The port status an order event reports, with the reason of a kill; null to ignore it. */
export function statusOfOrderEvent(
  t: TrackedOrder,
  event: UserOrderEvent,
): { readonly status: OrderStatus; readonly reason: string | null } | null {
  const status = event.status.toUpperCase()
  if (event.kind === 'CANCELLATION' || status.startsWith('CANCELED')) {
    const reason = status.startsWith('CANCELED_') ? event.status.slice('CANCELED_'.length) : null
    if (event.originalSize > 0 && event.sizeMatched >= event.originalSize) {
      return { status: 'filled', reason: null }
    }
    return { status: t.type === 'market' ? 'killed' : 'cancelled', reason }
  }
  if (status === 'INVALID')
    return { status: 'rejected', reason: 'the venue marked the order invalid' }
  if (status === 'MATCHED' || (event.originalSize > 0 && event.sizeMatched >= event.originalSize)) {
    return { status: 'filled', reason: null }
  }
  if (status === 'LIVE' || event.kind === 'PLACEMENT' || event.kind === 'UPDATE') {
    return { status: t.type === 'market' ? t.status : 'open', reason: null }
  }
  return null
}

/** The fill id of one of our fills in a trade: unique per (trade, order). */
export function fillIdOf(tradeId: string, orderId: string): string {
  return `${tradeId}:${orderId}`
}

/**
 * A venue fill for the port, or null when the trade status carries no fill (RETRYING). MINED
 * and CONFIRMED give a confirmed fill, FAILED a failed one (never booked).
 */
export function venueFillOf(
  t: TrackedOrder,
  tradeId: string,
  status: TradeStatus,
  liquidity: 'taker' | 'maker',
  fill: OwnFill,
  ts: EpochMs,
): VenueFill | null {
  if (status === 'RETRYING') return null
  const rate = Math.min(10_000, Math.max(0, Math.round(fill.feeRateBps)))
  return {
    clientOrderId: t.clientOrderId,
    fillId: fillIdOf(tradeId, fill.orderId),
    market: t.market,
    tokenId: fill.tokenId as TokenId,
    side: fill.side,
    price: fill.price,
    size: fill.size,
    fee: liquidity === 'taker' ? takerFee(fill.size, fill.price, rate) : (0 as UsdcMicros),
    liquidity,
    status: fillStatusOf(status),
    ts,
  }
}

/** The port's status of a fill in a trade with this status. */
export function fillStatusOf(status: TradeStatus): 'matched' | 'confirmed' | 'failed' {
  if (status === 'FAILED') return 'failed'
  return status === 'MINED' || status === 'CONFIRMED' ? 'confirmed' : 'matched'
}

/** USDC of a fill, for a market BUY's budget. */
export function usdOf(fill: Pick<OwnFill, 'price' | 'size'>): number {
  return notional(fill.price, fill.size, 'up')
}
