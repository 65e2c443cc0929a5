/**
 * Alerts and per-order latency on the store's Kysely connection (SQLite or PostgreSQL, one set
 * of queries). Alerts go to `alerts` (severity in `level`, code in `kind`, the alert's id in
 * `alert_id`); latency rows to `order_latency`, one per order, replaced as its stages complete.
 * Rows are read back through `Number()` because PostgreSQL's bigint columns may arrive as
 * strings; an alert row with an unknown severity fails loudly (`STORE_BAD_ROW`).
 */
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import type { Alert, AlertSeverity } from '../../engine/execution/alerts.js'
import type { OrderLatencyRecord, OrderLatencyStore } from '../../engine/execution/order-latency.js'
import { StoreError } from './errors.js'
import type { Store } from './store.js'

const SEVERITIES: readonly string[] = ['info', 'warning', 'critical']
const DEFAULT_LIMIT = 100

export type AlertsRepo = OrderLatencyStore & {
  /** Stores an alert once (a repeated alert id is ignored). */
  insertAlert(alert: Alert): Promise<void>
  /** Newest first; `limit` rows at most (default 100). Rows from before 0005 are skipped. */
  listAlerts(options?: { readonly limit?: number }): Promise<Alert[]>
  getOrderLatency(clientOrderId: string): Promise<OrderLatencyRecord | null>
}

export function createAlertsRepo(store: Pick<Store, 'kysely'>): AlertsRepo {
  const db = store.kysely
  return {
    async insertAlert(alert) {
      await db
        .insertInto('alerts')
        .values({
          alert_id: alert.id,
          ts: alert.ts,
          level: alert.severity,
          kind: alert.code,
          message: alert.message,
          condition_id: alert.market,
          token_id: null,
          acknowledged_ms: null,
        })
        .onConflict((oc) => oc.column('alert_id').doNothing())
        .execute()
    },
    async listAlerts(options = {}) {
      const rows = await db
        .selectFrom('alerts')
        .select(['alert_id', 'ts', 'level', 'kind', 'message', 'condition_id'])
        .where('alert_id', 'is not', null)
        .orderBy('ts', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit ?? DEFAULT_LIMIT)
        .execute()
      return rows.map((row) => {
        if (!SEVERITIES.includes(row.level)) {
          throw new StoreError(
            'STORE_BAD_ROW',
            `alert ${row.alert_id}: severity ${JSON.stringify(row.level)} is not info, warning or critical`,
          )
        }
        return {
          id: row.alert_id!,
          ts: Number(row.ts) as EpochMs,
          severity: row.level as AlertSeverity,
          code: row.kind,
          message: row.message,
          market: row.condition_id,
        }
      })
    },
    async upsertOrderLatency(record) {
      const row = {
        client_order_id: record.clientOrderId,
        condition_id: record.market,
        token_id: record.tokenId,
        decided_ms: record.decidedMs,
        decision_to_send_ms: record.decisionToSendMs,
        send_to_ack_ms: record.sendToAckMs,
        ack_to_fill_ms: record.ackToFillMs,
        updated_ms: record.updatedMs,
      }
      await db
        .insertInto('order_latency')
        .values(row)
        .onConflict((oc) =>
          oc.column('client_order_id').doUpdateSet({
            decision_to_send_ms: row.decision_to_send_ms,
            send_to_ack_ms: row.send_to_ack_ms,
            ack_to_fill_ms: row.ack_to_fill_ms,
            updated_ms: row.updated_ms,
          }),
        )
        .execute()
    },
    async getOrderLatency(clientOrderId) {
      const row = await db
        .selectFrom('order_latency')
        .selectAll()
        .where('client_order_id', '=', clientOrderId)
        .executeTakeFirst()
      if (row === undefined) return null
      const orNull = (v: number | null): number | null => (v === null ? null : Number(v))
      return {
        clientOrderId: row.client_order_id,
        market: row.condition_id as MarketId,
        tokenId: row.token_id as TokenId,
        decidedMs: Number(row.decided_ms) as EpochMs,
        decisionToSendMs: Number(row.decision_to_send_ms),
        sendToAckMs: orNull(row.send_to_ack_ms),
        ackToFillMs: orNull(row.ack_to_fill_ms),
        updatedMs: Number(row.updated_ms) as EpochMs,
      }
    },
  }
}
