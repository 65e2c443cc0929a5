/**
 * Where the daemon's alerts go besides the live socket: one log line each (pino; `error` for
 * critical, `warn` for warnings, `info` otherwise), a row in the store's `alerts` table, and the
 * optional webhook. Store writes are not awaited on the order path; a failed one is logged.
 */
import type { Logger } from '../log.js'
import type { Alert, AlertCenter } from '../../engine/execution/alerts.js'
import type { AlertWebhook } from './webhook.js'

export type AlertOutletOptions = {
  readonly log: Logger
  readonly store?: { insertAlert(alert: Alert): Promise<void> } | null
  readonly webhook?: AlertWebhook | null
}

export type AlertOutlets = {
  /** Stops listening; waits for store writes in flight and the webhook queue. */
  close(): Promise<void>
}

export function connectAlertOutlets(
  center: Pick<AlertCenter, 'subscribe'>,
  options: AlertOutletOptions,
): AlertOutlets {
  const log = options.log.child({ component: 'alerts' })
  const writes = new Set<Promise<void>>()
  const off = center.subscribe((alert) => {
    const fields = {
      alert: alert.id,
      code: alert.code,
      severity: alert.severity,
      market: alert.market,
      message: alert.message,
    }
    if (alert.severity === 'critical') log.error(fields, 'alert')
    else if (alert.severity === 'warning') log.warn(fields, 'alert')
    else log.info(fields, 'alert')
    const store = options.store
    if (store !== undefined && store !== null) {
      const write = store
        .insertAlert(alert)
        .catch((e: unknown) =>
          log.error(
            { alert: alert.id, err: e instanceof Error ? e.message : String(e) },
            'cannot store the alert',
          ),
        )
        .finally(() => writes.delete(write))
      writes.add(write)
    }
    options.webhook?.send(alert)
  })
  return {
    async close() {
      off()
      await Promise.all([...writes])
      await options.webhook?.close()
    },
  }
}
