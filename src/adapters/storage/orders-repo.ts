/**
 * Orders, fills, positions and risk events of the order path, on the same Kysely connection as
 * the rest of the store (SQLite or PostgreSQL, one set of queries). Implements the engine's
 * {@link OrderStore} port. Rows are read back through `Number()` because PostgreSQL's bigint
 * columns may arrive as strings.
 */
import type { MarketId, TokenId } from '../../domain/market.js'
import type { OrderOrigin } from '../../domain/risk/checks.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import type {
  OrderRecord,
  OrderStore,
  OrderUpdate,
  PositionRecord,
  RiskEventRecord,
} from '../../engine/execution/order-store.js'
import type {
  FillStatus,
  OrderSide,
  OrderStatus,
  OrderType,
  TimeInForce,
  VenueFill,
} from '../../engine/execution/venue.js'
import type { OrdersTable } from './schema.js'
import type { Store } from './store.js'

const WORKING: readonly OrderStatus[] = ['pending', 'delayed', 'open', 'unknown']
const DEFAULT_LIMIT = 500

export function createOrdersRepo(store: Pick<Store, 'kysely'>): OrderStore {
  const db = store.kysely
  return {
    async insertOrder(order) {
      await db
        .insertInto('orders')
        .values({
          client_order_id: order.clientOrderId,
          venue_order_id: order.venueOrderId,
          condition_id: order.market,
          token_id: order.tokenId,
          side: order.side,
          price: order.price,
          size: order.size,
          filled: order.filled,
          order_type: order.type,
          time_in_force: order.timeInForce,
          post_only: order.postOnly ? 1 : 0,
          status: order.status,
          origin: order.origin,
          reason_code: order.reasonCode,
          reason_message: order.reasonMessage,
          created_ms: order.createdMs,
          updated_ms: order.updatedMs,
        })
        .execute()
    },
    async updateOrder(clientOrderId: string, update: OrderUpdate) {
      await db
        .updateTable('orders')
        .set({
          status: update.status,
          filled: update.filled,
          venue_order_id: update.venueOrderId,
          reason_code: update.reasonCode,
          reason_message: update.reasonMessage,
          updated_ms: update.updatedMs,
        })
        .where('client_order_id', '=', clientOrderId)
        .execute()
    },
    async getOrder(clientOrderId) {
      const row = await db
        .selectFrom('orders')
        .selectAll()
        .where('client_order_id', '=', clientOrderId)
        .executeTakeFirst()
      return row === undefined ? null : orderOf(row)
    },
    async listOrders(options) {
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .orderBy('created_ms', 'desc')
        .orderBy('client_order_id', 'desc')
        .limit(options?.limit ?? DEFAULT_LIMIT)
        .execute()
      return rows.map(orderOf)
    },
    async listWorkingOrders() {
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('status', 'in', WORKING)
        .orderBy('created_ms')
        .execute()
      return rows.map(orderOf)
    },
    async insertFill(fill) {
      const result = await db
        .insertInto('fills')
        .values({
          client_order_id: fill.clientOrderId,
          token_id: fill.tokenId,
          condition_id: fill.market,
          side: fill.side,
          ts: fill.ts,
          price: fill.price,
          size: fill.size,
          fee_usdc: fill.fee,
          liquidity: fill.liquidity,
          fill_status: fill.status,
          dedupe_key: fill.fillId,
        })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0
    },
    async updateFillStatus(fillId, status) {
      const result = await db
        .updateTable('fills')
        .set({ fill_status: status })
        .where('dedupe_key', '=', fillId)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async listFills(options) {
      const rows = await db
        .selectFrom('fills')
        .selectAll()
        .orderBy('id')
        .limit(options?.limit ?? 100_000)
        .execute()
      return rows.map((row): VenueFill => ({
        clientOrderId: row.client_order_id,
        fillId: row.dedupe_key,
        market: (row.condition_id ?? '') as MarketId,
        tokenId: row.token_id as TokenId,
        side: (row.side ?? 'buy') as OrderSide,
        price: Number(row.price) as PriceTicks,
        size: Number(row.size) as ShareMicros,
        fee: Number(row.fee_usdc) as UsdcMicros,
        liquidity: row.liquidity === 'maker' ? 'maker' : 'taker',
        status: fillStatusOf(row.fill_status),
        ts: Number(row.ts) as EpochMs,
      }))
    },
    async upsertPosition(position: PositionRecord) {
      const values = {
        token_id: position.tokenId,
        condition_id: position.market,
        size: position.size,
        cost_usdc: position.cost,
        realized_usdc: position.realized,
        updated_ms: position.updatedMs,
      }
      await db
        .insertInto('positions')
        .values(values)
        .onConflict((oc) =>
          oc.column('token_id').doUpdateSet({
            condition_id: values.condition_id,
            size: values.size,
            cost_usdc: values.cost_usdc,
            realized_usdc: values.realized_usdc,
            updated_ms: values.updated_ms,
          }),
        )
        .execute()
    },
    async insertRiskEvent(event: RiskEventRecord) {
      await db
        .insertInto('risk_events')
        .values({
          ts: event.ts,
          kind: event.kind,
          code: event.code,
          scope: event.scope,
          condition_id: event.scope === 'global' ? null : event.scope,
          token_id: null,
          detail: event.detail,
          message: event.message,
          lifted_by: event.liftedBy,
        })
        .execute()
    },
  }
}

/** Rows written before fill statuses existed read as confirmed. */
function fillStatusOf(text: string | null): FillStatus {
  return text === 'matched' || text === 'failed' ? text : 'confirmed'
}

function orderOf(row: OrdersTable): OrderRecord {
  return {
    clientOrderId: row.client_order_id,
    venueOrderId: row.venue_order_id,
    market: (row.condition_id ?? '') as MarketId,
    tokenId: row.token_id as TokenId,
    side: row.side as OrderSide,
    type: row.order_type as OrderType,
    timeInForce: (row.time_in_force ?? (row.order_type === 'limit' ? 'GTC' : 'FAK')) as TimeInForce,
    postOnly: Number(row.post_only ?? 0) === 1,
    price: Number(row.price) as PriceTicks,
    size: Number(row.size) as ShareMicros,
    filled: Number(row.filled ?? 0) as ShareMicros,
    status: row.status as OrderStatus,
    origin: row.origin as OrderOrigin,
    reasonCode: row.reason_code,
    reasonMessage: row.reason_message,
    createdMs: Number(row.created_ms) as EpochMs,
    updatedMs: Number(row.updated_ms) as EpochMs,
  }
}
