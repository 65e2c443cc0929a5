/**
 * The order path's instruments for the daemon: the latency tracker (stages into the Prometheus
 * histograms of metrics.ts and one `order_latency` row per order) and the alert outlets (log
 * line, `alerts` row, optional webhook) attached to the trading side's alert center, which is
 * first filled with the alerts stored before a restart so `GET /api/alerts` and a page's
 * greeting still show them.
 *
 * Wiring: create it before trading starts; hand `latency` and `slippageAlertTicks` to the order
 * service; `attach(alerts)` once the alert center exists; `close()` before the store closes.
 */
import { connectAlertOutlets, type AlertOutlets } from '../../adapters/alerts/outlets.js'
import { AlertWebhook } from '../../adapters/alerts/webhook.js'
import type { Logger } from '../../adapters/log.js'
import type { AlertsRepo } from '../../adapters/storage/alerts-repo.js'
import type { EpochMs } from '../../domain/units.js'
import type { AlertCenter } from '../../engine/execution/alerts.js'
import { OrderLatencyTracker } from '../../engine/execution/order-latency.js'
import type { DaemonMetrics } from './metrics.js'

/** Alerts read back into the center at start. */
const RESTORED_ALERTS = 200

export type OrderInstrumentOptions = {
  readonly log: Logger
  now(): number
  readonly metrics: Pick<DaemonMetrics, 'observeOrderStage'>
  /** The store's alerts and latency tables; null when the store has none (a bare test store). */
  readonly repo: AlertsRepo | null
  /** `config.alertWebhookUrl`. */
  readonly webhookUrl?: string | undefined
  /** Webhook settings tests shorten. */
  readonly webhook?: { readonly timeoutMs?: number; readonly maxQueue?: number }
}

export type OrderInstruments = {
  readonly latency: OrderLatencyTracker
  readonly webhook: AlertWebhook | null
  /** Restores stored alerts into the center, then logs, stores and posts every new one. */
  attach(center: AlertCenter): Promise<void>
  /**
   * Waits for latency rows and alert writes in flight and the webhook queue (each post bounded
   * by its timeout).
   */
  close(): Promise<void>
}

export function createOrderInstruments(options: OrderInstrumentOptions): OrderInstruments {
  const { log, repo } = options
  const latency = new OrderLatencyTracker({
    now: () => options.now() as EpochMs,
    observe: (stage, seconds) => options.metrics.observeOrderStage(stage, seconds),
    ...(repo === null ? {} : { store: repo }),
    onError: (e) =>
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'cannot store order latency'),
  })
  const webhook =
    options.webhookUrl === undefined
      ? null
      : new AlertWebhook({ url: options.webhookUrl, log, ...options.webhook })
  let outlets: AlertOutlets | null = null
  return {
    latency,
    webhook,
    async attach(center) {
      if (outlets !== null) return
      if (repo !== null) {
        try {
          center.restore(await repo.listAlerts({ limit: RESTORED_ALERTS }))
        } catch (e) {
          log.warn(
            { err: e instanceof Error ? e.message : String(e) },
            'cannot read stored alerts; starting with none',
          )
        }
      }
      outlets = connectAlertOutlets(center, { log, store: repo, webhook })
    },
    async close() {
      await latency.flush()
      if (outlets !== null) await outlets.close()
      else await webhook?.close()
    },
  }
}
