/**
 * Emulated stops (docs/TRADING.md): one row per stop, written when it is created and on every
 * change, so a restart finds each stop in the state it was left in. Prices are ticks, sizes
 * share micros, times epoch ms. `trigger_kind` says which level fired (`trigger` is an SQL
 * keyword). Indexed by state (the daemon loads the unfinished ones at start) and by entry order.
 */
import type { Migration } from './migration.js'
import { BIG, INT, TEXT, notNull } from './migration.js'

export const stops: Migration = {
  name: '0006-stops',
  async up(db) {
    await db.schema
      .createTable('stops')
      .addColumn('id', TEXT, (c) => c.primaryKey())
      .addColumn('condition_id', TEXT, notNull)
      .addColumn('token_id', TEXT, notNull)
      .addColumn('side', TEXT, notNull)
      .addColumn('entry_order_id', TEXT, notNull)
      .addColumn('entry_price', INT, notNull)
      .addColumn('size', BIG, notNull)
      .addColumn('tick_size', INT, notNull)
      .addColumn('stop_loss_ticks', INT)
      .addColumn('take_profit_ticks', INT)
      .addColumn('trailing_stop_ticks', INT)
      .addColumn('extreme', INT)
      .addColumn('state', TEXT, notNull)
      .addColumn('trigger_kind', TEXT)
      .addColumn('trigger_price', INT)
      .addColumn('triggered_ms', BIG)
      .addColumn('exit_order_id', TEXT)
      .addColumn('exit_filled', BIG, notNull)
      .addColumn('reason_code', TEXT)
      .addColumn('reason_message', TEXT)
      .addColumn('created_ms', BIG, notNull)
      .addColumn('updated_ms', BIG, notNull)
      .execute()
    await db.schema.createIndex('stops_by_state').on('stops').column('state').execute()
    await db.schema.createIndex('stops_by_entry').on('stops').column('entry_order_id').execute()
  },
}
