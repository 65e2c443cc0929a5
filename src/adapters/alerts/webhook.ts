/**
 * Posts alerts to a webhook URL (config `alertWebhookUrl`, env `TILTMETER_ALERT_WEBHOOK`): one
 * JSON object per alert, `POST` with `content-type: application/json`, one request at a time,
 * each given `timeoutMs` (default 2 s). `send` only queues and returns at once, so the order
 * path never waits on the network; the queue is bounded (default 100, the oldest dropped first)
 * and every failure (an error status, a refused connection, a timeout) is logged and counted,
 * never thrown. Logs name the URL's origin only: a webhook path often carries a secret.
 *
 * Body: `{ "id", "ts", "time", "severity", "code", "message", "market", "source": "tiltmeter" }`
 * (`ts` epoch ms, `time` the same in ISO-8601 UTC, `market` a condition id or null).
 */
import type { Logger } from '../log.js'
import type { Alert } from '../../engine/execution/alerts.js'

export type AlertWebhookOptions = {
  readonly url: string
  readonly log: Logger
  /** Per request; default 2,000 ms. */
  readonly timeoutMs?: number
  /** Alerts waiting at most; default 100. */
  readonly maxQueue?: number
  /** Default the global `fetch`. */
  readonly fetch?: typeof fetch
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 2_000
export const DEFAULT_WEBHOOK_QUEUE = 100

/** Checks a webhook URL: absolute http(s). Throws an error saying what to give instead. */
export function parseWebhookUrl(text: string, where = 'alertWebhookUrl'): URL {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    throw new Error(
      `${where} ${JSON.stringify(text)} is not a URL; give an absolute http:// or https:// address`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${where} must use http:// or https://, got ${url.protocol}//`)
  }
  return url
}

/** The JSON body posted for an alert. */
export function webhookBody(alert: Alert): string {
  return JSON.stringify({
    id: alert.id,
    ts: alert.ts,
    time: new Date(alert.ts).toISOString(),
    severity: alert.severity,
    code: alert.code,
    message: alert.message,
    market: alert.market,
    source: 'tiltmeter',
  })
}

export class AlertWebhook {
  readonly counters = { sent: 0, failed: 0, dropped: 0 }
  private readonly _url: URL
  private readonly _log: Logger
  private readonly _timeoutMs: number
  private readonly _max: number
  private readonly _fetch: typeof fetch
  private readonly _queue: Alert[] = []
  private _running: Promise<void> | null = null
  private _closed = false

  constructor(options: AlertWebhookOptions) {
    this._url = parseWebhookUrl(options.url)
    this._timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS
    this._max = options.maxQueue ?? DEFAULT_WEBHOOK_QUEUE
    if (!Number.isSafeInteger(this._timeoutMs) || this._timeoutMs < 1) {
      throw new RangeError(`webhook timeoutMs must be a whole number ≥ 1, got ${this._timeoutMs}`)
    }
    if (!Number.isSafeInteger(this._max) || this._max < 1) {
      throw new RangeError(`webhook maxQueue must be a whole number ≥ 1, got ${this._max}`)
    }
    this._fetch = options.fetch ?? fetch
    this._log = options.log.child({ component: 'alert-webhook', target: this._url.origin })
  }

  /** Alerts waiting to be posted. */
  get pending(): number {
    return this._queue.length
  }

  /** Queues an alert and returns at once; never throws. Ignored after `close`. */
  send(alert: Alert): void {
    if (this._closed) return
    if (this._queue.length >= this._max) {
      const dropped = this._queue.shift()
      this.counters.dropped++
      this._log.warn(
        { dropped: dropped?.id, queued: this._queue.length },
        'alert webhook queue full; oldest alert not posted',
      )
    }
    this._queue.push(alert)
    this._running ??= this._drain()
  }

  /** Resolves once every alert queued so far was posted or failed. */
  async flush(): Promise<void> {
    while (this._running !== null) await this._running
  }

  /** Stops taking alerts and waits for the queue (each request bounded by the timeout). */
  async close(): Promise<void> {
    this._closed = true
    await this.flush()
  }

  private async _drain(): Promise<void> {
    try {
      for (let alert = this._queue.shift(); alert !== undefined; alert = this._queue.shift()) {
        await this._post(alert)
      }
    } finally {
      this._running = null
    }
  }

  private async _post(alert: Alert): Promise<void> {
    try {
      const response = await this._fetch(this._url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: webhookBody(alert),
        signal: AbortSignal.timeout(this._timeoutMs),
      })
      // The answer's body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined)
      if (response.ok) {
        this.counters.sent++
        return
      }
      this.counters.failed++
      this._log.warn(
        { alert: alert.id, status: response.status },
        'alert webhook answered with an error status',
      )
    } catch (e) {
      this.counters.failed++
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
      this._log.warn(
        {
          alert: alert.id,
          err: timedOut ? `no answer within ${this._timeoutMs} ms` : messageOf(e),
        },
        'alert webhook post failed',
      )
    }
  }
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e)
  const cause = (e as { cause?: unknown }).cause
  return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message
}
