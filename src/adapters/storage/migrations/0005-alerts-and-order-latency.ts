/**
 * Alerts and the order path's latency (docs/TRADING.md). `alerts` (from 0001, unused until now)
 * gains the alert's own id (`alert_id`, unique) and its market (`condition_id`); `level` holds
 * the severity and `kind` the code. `order_latency` holds one row per order handed to the venue:
 * decision → handed to the venue, → the venue's first word (ack), → the first fill, in ms
 * (fractional; null until the stage happens).
 */
import type { Migration } from './migration.js'
import { BIG, REAL, TEXT, notNull } from './migration.js'

export const alertsAndOrderLatency: Migration = {
  name: '0005-alerts-and-order-latency',
  async up(db) {
    await db.schema.alterTable('alerts').addColumn('alert_id', TEXT).execute()
    await db.schema.alterTable('alerts').addColumn('condition_id', TEXT).execute()
    await db.schema
      .createIndex('alerts_by_alert_id')
      .unique()
      .on('alerts')
      .column('alert_id')
      .execute()
    await db.schema.createIndex('alerts_by_ts').on('alerts').column('ts').execute()
    await db.schema
      .createTable('order_latency')
      .addColumn('client_order_id', TEXT, (c) => c.primaryKey())
      .addColumn('condition_id', TEXT, notNull)
      .addColumn('token_id', TEXT, notNull)
      .addColumn('decided_ms', BIG, notNull)
      .addColumn('decision_to_send_ms', REAL, notNull)
      .addColumn('send_to_ack_ms', REAL)
      .addColumn('ack_to_fill_ms', REAL)
      .addColumn('updated_ms', BIG, notNull)
      .execute()
    await db.schema
      .createIndex('order_latency_by_decided')
      .on('order_latency')
      .column('decided_ms')
      .execute()
  },
}
