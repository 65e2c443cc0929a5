/**
 * The storage port of the order path. Orders are written before they are sent, fills before
 * anyone sees them (SPEC 2.2); the adapter (src/adapters/storage/orders-repo.ts) writes them to
 * SQLite or PostgreSQL. Amounts in base units: ticks, share micros, USDC micros, epoch ms.
 */
import type { OrderOrigin } from '../../domain/risk/checks.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import type {
  FillStatus,
  OrderSide,
  OrderStatus,
  OrderType,
  TimeInForce,
  VenueFill,
} from './venue.js'

export type OrderRecord = {
  readonly clientOrderId: string
  readonly venueOrderId: string | null
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly type: OrderType
  readonly timeInForce: TimeInForce
  readonly postOnly: boolean
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly filled: ShareMicros
  readonly status: OrderStatus
  readonly origin: OrderOrigin
  /** A denial's or rejection's stable code, and its sentence; null otherwise. */
  readonly reasonCode: string | null
  readonly reasonMessage: string | null
  readonly createdMs: EpochMs
  readonly updatedMs: EpochMs
}

export type OrderUpdate = Pick<
  OrderRecord,
  'status' | 'filled' | 'venueOrderId' | 'reasonCode' | 'reasonMessage' | 'updatedMs'
>

export type PositionRecord = {
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly size: ShareMicros
  readonly cost: UsdcMicros
  readonly realized: UsdcMicros
  readonly updatedMs: EpochMs
}

export type RiskEventRecord = {
  readonly ts: EpochMs
  readonly kind: string
  readonly code: string
  readonly scope: string
  readonly detail: string
  readonly message: string
  readonly liftedBy: string | null
}

export type OrderStore = {
  insertOrder(order: OrderRecord): Promise<void>
  updateOrder(clientOrderId: string, update: OrderUpdate): Promise<void>
  getOrder(clientOrderId: string): Promise<OrderRecord | null>
  /** Newest first; `limit` rows at most. */
  listOrders(options?: { readonly limit?: number }): Promise<OrderRecord[]>
  /** Orders not in a final state (pending, delayed, open, unknown). */
  listWorkingOrders(): Promise<OrderRecord[]>
  /** Stores a fill once: false when its `fillId` was stored before. */
  insertFill(fill: VenueFill): Promise<boolean>
  /** Sets a stored fill's status; false when no fill has that id. */
  updateFillStatus(fillId: string, status: FillStatus): Promise<boolean>
  /** Oldest first. */
  listFills(options?: { readonly limit?: number }): Promise<VenueFill[]>
  upsertPosition(position: PositionRecord): Promise<void>
  insertRiskEvent(event: RiskEventRecord): Promise<void>
}
