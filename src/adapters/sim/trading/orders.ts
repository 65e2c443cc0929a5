/**
 * The exchange's records (orders, trades, wallets), the venue's error texts, and how orders and
 * trades look on the wire: `GET /data/orders` items, user-channel `order` events and trades
 * from the viewer's side (TAKER or MAKER).
 */
import { createHash } from 'node:crypto'
import type { Side } from '../../../domain/market.js'
import {
  formatPrice,
  formatSize,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'
import type { SignedOrderV2 } from './signing.js'

export type OrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK'
export const ORDER_TYPES: readonly OrderType[] = ['GTC', 'GTD', 'FOK', 'FAK']

/** A binary market as the exchange needs it. `no` is null when the scenario names no pair. */
export type MarketRef = {
  readonly conditionId: string
  readonly yes: string
  readonly no: string | null
  readonly outcomes: readonly [string, string]
  /** Tick in price ticks (0.0001 units). */
  readonly tick: number
  /** Minimum limit-order size in share micros. */
  readonly minShares: number
  readonly closed: boolean
}

export type OrderStatus = 'LIVE' | 'DELAYED' | 'MATCHED' | 'CANCELED'

export type SimOrder = {
  readonly id: string
  readonly owner: string
  readonly makerAddress: string
  readonly market: MarketRef
  readonly assetId: string
  readonly isYes: boolean
  readonly side: 'BUY' | 'SELL'
  readonly orderType: OrderType
  /** Own-token price in ticks (the bound rounded to the tick for market orders). */
  readonly price: number
  readonly limitNum: bigint
  readonly limitDen: bigint
  readonly originalShares: number
  readonly budgetUsd: number | undefined
  readonly yesSide: Side
  readonly yesPrice: number
  readonly seq: number
  readonly expiration: number
  readonly createdAtS: number
  matchedShares: number
  status: OrderStatus
  readonly tradeIds: string[]
}

export type MakerFill = {
  readonly orderId: string
  readonly owner: string
  readonly makerAddress: string
  readonly shares: number
  readonly price: number
  readonly assetId: string
  readonly outcome: string
  readonly side: 'BUY' | 'SELL'
}

export type TradeStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED'

export type SimTrade = {
  readonly id: string
  readonly takerOrderId: string
  readonly takerOwner: string
  readonly takerAddress: string
  readonly market: string
  readonly assetId: string
  readonly side: 'BUY' | 'SELL'
  readonly shares: number
  readonly price: number
  readonly outcome: string
  readonly matchTimeS: number
  readonly makers: readonly MakerFill[]
  readonly ledger: readonly Move[]
  status: TradeStatus
  lastUpdateS: number
  txHash: string | null
}

export type Wallet = { usd: number; tokens: Map<string, number>; allowance: boolean }

/** One balance change of a trade, kept so a failed trade can be reversed. */
export type Move = {
  readonly address: string
  readonly usd: number
  readonly token: string
  readonly shares: number
}

/** A venue rejection: HTTP status and the `error` text. */
export type Rejection = { readonly status: number; readonly error: string }

export type OrderResponse = {
  success: boolean
  errorMsg: string
  orderID: string
  status: 'live' | 'matched' | 'delayed' | 'unmatched'
  makingAmount: string
  takingAmount: string
  transactionsHashes: string[]
  tradeIDs: string[]
}

export type SubmitInput = {
  readonly id: string
  readonly order: SignedOrderV2
  readonly owner: string
  readonly orderType: OrderType
  readonly postOnly: boolean
}

export type CancelResult = { canceled: string[]; not_canceled: Record<string, string> }

/** The liquidity provider behind the scenario's book, as trades name it. */
export const SCENARIO_OWNER = '00000000-0000-4000-8000-5ce7a7105000'
export const SCENARIO_ADDRESS = '0x5ce7a71050000000000000000000000000005ce7'

export const FOK_KILLED = "order couldn't be fully filled. FOK orders are fully filled or killed."
export const FAK_KILLED =
  'no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.'
export const NOT_ENOUGH = 'not enough balance / allowance'
export const POST_ONLY_CROSSES = 'invalid post-only order: order crosses book'
export const MARKET_BUY_PRECISION =
  'invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals'

export function hex64(text: string): string {
  return `0x${createHash('sha256').update(text).digest('hex')}`
}

export function uuidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export const fmtShares = (micros: number): string => formatSize(micros as ShareMicros)
export const fmtPrice = (ticks: number): string => formatPrice(ticks as PriceTicks)

export function orderView(order: SimOrder): SimOrderView {
  return {
    id: order.id,
    status: order.status === 'LIVE' ? 'LIVE' : order.status,
    owner: order.owner,
    maker_address: order.makerAddress,
    market: order.market.conditionId,
    asset_id: order.assetId,
    side: order.side,
    original_size: fmtShares(order.originalShares),
    size_matched: fmtShares(order.matchedShares),
    price: fmtPrice(order.price),
    outcome: order.market.outcomes[order.isYes ? 0 : 1],
    expiration: String(order.expiration),
    order_type: order.orderType,
    associate_trades: [...order.tradeIds],
    created_at: order.createdAtS,
  }
}

/** The user-channel `order` event of an order. */
export function orderEvent(
  order: SimOrder,
  type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION',
  status: string | undefined,
  nowMs: number,
): Record<string, unknown> {
  const view = orderView(order)
  return {
    event_type: 'order',
    type,
    id: order.id,
    owner: order.owner,
    order_owner: order.owner,
    market: view.market,
    asset_id: view.asset_id,
    side: view.side,
    price: view.price,
    original_size: view.original_size,
    size_matched: view.size_matched,
    outcome: view.outcome,
    associate_trades: view.associate_trades.length === 0 ? null : view.associate_trades,
    order_type: view.order_type,
    status: status ?? view.status,
    expiration: view.expiration,
    created_at: String(view.created_at),
    maker_address: order.makerAddress,
    timestamp: String(nowMs),
  }
}

/** A trade as `viewer` sees it (REST `/data/trades` item and user-channel `trade` body). */
export function tradeView(trade: SimTrade, viewer: string, nowMs: number): Record<string, unknown> {
  return {
    type: 'TRADE',
    id: trade.id,
    taker_order_id: trade.takerOrderId,
    market: trade.market,
    asset_id: trade.assetId,
    side: trade.side,
    size: fmtShares(trade.shares),
    price: fmtPrice(trade.price),
    fee_rate_bps: '0',
    status: trade.status,
    match_time: String(trade.matchTimeS),
    last_update: String(trade.lastUpdateS),
    outcome: trade.outcome,
    owner: trade.takerOwner,
    trade_owner: viewer,
    maker_address: trade.takerAddress,
    transaction_hash: trade.txHash,
    bucket_index: 0,
    trader_side: trade.takerOwner === viewer ? 'TAKER' : 'MAKER',
    maker_orders: trade.makers.map((m) => ({
      order_id: m.orderId,
      owner: m.owner,
      maker_address: m.makerAddress,
      matched_amount: fmtShares(m.shares),
      price: fmtPrice(m.price),
      fee_rate_bps: '0',
      asset_id: m.assetId,
      outcome: m.outcome,
      side: m.side,
    })),
    timestamp: String(nowMs),
  }
}

/** An order as `GET /data/orders` lists it. */
export type SimOrderView = {
  id: string
  status: string
  owner: string
  maker_address: string
  market: string
  asset_id: string
  side: string
  original_size: string
  size_matched: string
  price: string
  outcome: string
  expiration: string
  order_type: string
  associate_trades: string[]
  created_at: number
}
