/**
 * Emulated stops on the store's Kysely connection (SQLite or PostgreSQL, one set of queries);
 * implements the engine's {@link StopStore} port. Rows are read back through `Number()` because
 * PostgreSQL's bigint columns may arrive as strings, and checked against the domain's
 * vocabulary so a damaged row fails loudly (`STORE_BAD_ROW`) instead of becoming a wrong stop.
 */
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { Stop, StopSide, StopState, StopTrigger } from '../../domain/orders/stops.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import type { StopFilter, StopStore } from '../../engine/execution/stop-store.js'
import { StoreError } from './errors.js'
import type { StopsTable } from './schema.js'
import type { Store } from './store.js'

const DEFAULT_LIMIT = 500
const SIDES: readonly string[] = ['long', 'short']
const STATES: readonly string[] = [
  'pending',
  'armed',
  'triggered',
  'released',
  'cancelled',
  'failed',
]
const TRIGGERS: readonly string[] = ['stop_loss', 'take_profit', 'trailing_stop']

export function createStopsRepo(store: Pick<Store, 'kysely'>): StopStore {
  const db = store.kysely
  return {
    async insertStop(stop) {
      await db.insertInto('stops').values(rowOf(stop)).execute()
    },
    async updateStop(stop) {
      const { id, ...rest } = rowOf(stop)
      const result = await db.updateTable('stops').set(rest).where('id', '=', id).executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) {
        throw new StoreError('STORE_NOT_FOUND', `no stop with id ${id} to update`)
      }
    },
    async getStop(id) {
      const row = await db.selectFrom('stops').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? null : stopOf(row)
    },
    async listStops(filter: StopFilter = {}) {
      let query = db.selectFrom('stops').selectAll()
      if (filter.states !== undefined) {
        if (filter.states.length === 0) return []
        query = query.where('state', 'in', filter.states)
      }
      if (filter.entryOrderId !== undefined) {
        query = query.where('entry_order_id', '=', filter.entryOrderId)
      }
      const rows = await query
        .orderBy('created_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? DEFAULT_LIMIT)
        .execute()
      return rows.map(stopOf)
    },
  }
}

function rowOf(stop: Stop): StopsTable {
  return {
    id: stop.id,
    condition_id: stop.market,
    token_id: stop.tokenId,
    side: stop.side,
    entry_order_id: stop.entryOrderId,
    entry_price: stop.entryPrice,
    size: stop.size,
    tick_size: stop.tickSize,
    stop_loss_ticks: stop.stopLossTicks,
    take_profit_ticks: stop.takeProfitTicks,
    trailing_stop_ticks: stop.trailingStopTicks,
    extreme: stop.extreme,
    state: stop.state,
    trigger_kind: stop.trigger,
    trigger_price: stop.triggerPrice,
    triggered_ms: stop.triggeredMs,
    exit_order_id: stop.exitOrderId,
    exit_filled: stop.exitFilled,
    reason_code: stop.reasonCode,
    reason_message: stop.reasonMessage,
    created_ms: stop.createdMs,
    updated_ms: stop.updatedMs,
  }
}

function stopOf(row: StopsTable): Stop {
  const bad = (field: string, value: unknown): never => {
    throw new StoreError(
      'STORE_BAD_ROW',
      `stop ${row.id}: ${field} ${JSON.stringify(value)} is not a known value`,
    )
  }
  if (!SIDES.includes(row.side)) bad('side', row.side)
  if (!STATES.includes(row.state)) bad('state', row.state)
  if (row.trigger_kind !== null && !TRIGGERS.includes(row.trigger_kind)) {
    bad('trigger_kind', row.trigger_kind)
  }
  const orNull = (value: number | null): number | null => (value === null ? null : Number(value))
  return {
    id: row.id,
    market: row.condition_id as MarketId,
    tokenId: row.token_id as TokenId,
    side: row.side as StopSide,
    entryOrderId: row.entry_order_id,
    entryPrice: Number(row.entry_price) as PriceTicks,
    size: Number(row.size) as ShareMicros,
    tickSize: Number(row.tick_size) as TickSize,
    stopLossTicks: orNull(row.stop_loss_ticks),
    takeProfitTicks: orNull(row.take_profit_ticks),
    trailingStopTicks: orNull(row.trailing_stop_ticks),
    extreme: orNull(row.extreme) as PriceTicks | null,
    state: row.state as StopState,
    trigger: row.trigger_kind as StopTrigger | null,
    triggerPrice: orNull(row.trigger_price) as PriceTicks | null,
    triggeredMs: orNull(row.triggered_ms) as EpochMs | null,
    exitOrderId: row.exit_order_id,
    exitFilled: Number(row.exit_filled) as ShareMicros,
    reasonCode: row.reason_code,
    reasonMessage: row.reason_message,
    createdMs: Number(row.created_ms) as EpochMs,
    updatedMs: Number(row.updated_ms) as EpochMs,
  }
}
