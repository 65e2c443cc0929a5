/**
 * The order path: `orders` gain the market, time in force, post-only flag, filled
 * size and the reason a risk denial or venue rejection gave; `fills` gain side, market,
 * liquidity (taker or maker) and the venue's fill status (`matched` before `confirmed`);
 * `positions` gain the market; `risk_events` gain the scope, the sentence and who lifted a
 * restriction. All nullable, as rows written before this migration have no value for them.
 */
import type { Migration } from './migration.js'
import { BIG, INT, TEXT } from './migration.js'

type ColumnType = typeof TEXT | typeof BIG | typeof INT

const COLUMNS: readonly (readonly [string, string, ColumnType])[] = [
  ['orders', 'condition_id', TEXT],
  ['orders', 'time_in_force', TEXT],
  ['orders', 'post_only', INT],
  ['orders', 'filled', BIG],
  ['orders', 'reason_code', TEXT],
  ['orders', 'reason_message', TEXT],
  ['fills', 'side', TEXT],
  ['fills', 'condition_id', TEXT],
  ['fills', 'liquidity', TEXT],
  ['fills', 'fill_status', TEXT],
  ['positions', 'condition_id', TEXT],
  ['risk_events', 'scope', TEXT],
  ['risk_events', 'message', TEXT],
  ['risk_events', 'lifted_by', TEXT],
]

export const orderPath: Migration = {
  name: '0004-order-path',
  async up(db) {
    for (const [table, name, type] of COLUMNS) {
      await db.schema.alterTable(table).addColumn(name, type).execute()
    }
    await db.schema.createIndex('orders_by_status').on('orders').column('status').execute()
    await db.schema
      .createIndex('fills_by_order')
      .on('fills')
      .columns(['client_order_id', 'ts'])
      .execute()
  },
}
