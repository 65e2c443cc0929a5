/**
 * Heartbeats as a dead-man switch. Once the venue has accepted one heartbeat it cancels every
 * open order of the API key when the next does not arrive within its window (docs: send every
 * 5 s; cancellation after ~10 s). Each answer names the id to send next; a stale id answers 400
 * with the expected id, which we adopt and send at once.
 */

export type HeartbeatState =
  /** Not started. */
  | 'idle'
  /** The last heartbeat was accepted. */
  | 'healthy'
  /** Recent heartbeats failed but the window has not passed since the last good one. */
  | 'failing'
  /** No accepted heartbeat for longer than the window: assume the venue cancelled everything. */
  | 'lapsed'
  /** Stopped on purpose. */
  | 'stopped'

export type HeartbeatHealth = {
  readonly state: HeartbeatState
  /** Epoch ms of the last accepted heartbeat, or null. */
  readonly lastOkAt: number | null
  readonly consecutiveFailures: number
  readonly sent: number
  readonly lastError: string | null
}

/** One heartbeat call: resolves to the client's answer (an error value or `{heartbeat_id}`). */
export type SendHeartbeat = (id: string) => Promise<unknown>

export type HeartbeatOptions = {
  /** Send interval, ms (default 5000). */
  readonly intervalMs?: number
  /** The venue's window, ms (default 10000): without a good heartbeat for this long → lapsed. */
  readonly windowMs?: number
  readonly onHealth?: (health: HeartbeatHealth) => void
  readonly now?: () => number
  /** Removes credentials from error texts. */
  readonly redact?: (text: string) => string
}

export class HeartbeatLoop {
  private readonly _send: SendHeartbeat
  private readonly _intervalMs: number
  private readonly _windowMs: number
  private readonly _onHealth: ((h: HeartbeatHealth) => void) | undefined
  private readonly _now: () => number
  private readonly _redact: (text: string) => string
  private _timer: NodeJS.Timeout | null = null
  private _id = ''
  private _inFlight: Promise<void> | null = null
  private _health: HeartbeatHealth = {
    state: 'idle',
    lastOkAt: null,
    consecutiveFailures: 0,
    sent: 0,
    lastError: null,
  }

  constructor(send: SendHeartbeat, options: HeartbeatOptions = {}) {
    this._send = send
    this._intervalMs = options.intervalMs ?? 5000
    this._windowMs = options.windowMs ?? 10_000
    if (!(this._intervalMs > 0 && this._intervalMs < this._windowMs)) {
      throw new RangeError(
        `heartbeat interval ${this._intervalMs} ms must be above 0 and below the window ${this._windowMs} ms`,
      )
    }
    this._onHealth = options.onHealth
    this._now = options.now ?? Date.now
    this._redact = options.redact ?? ((t) => t)
  }

  /** The health now (a failing loop turns `lapsed` once the window has passed). */
  health(): HeartbeatHealth {
    const h = this._health
    if (
      (h.state === 'failing' || h.state === 'healthy') &&
      h.lastOkAt !== null &&
      this._now() - h.lastOkAt > this._windowMs
    ) {
      return { ...h, state: 'lapsed' }
    }
    return h
  }

  /** Sends one heartbeat now and then every interval. */
  async start(): Promise<HeartbeatHealth> {
    if (this._timer !== null) return this.health()
    this._timer = setInterval(() => void this.beat(), this._intervalMs)
    this._timer.unref()
    await this.beat()
    return this.health()
  }

  /** One heartbeat (skipped while the previous one is still in flight). */
  async beat(): Promise<void> {
    if (this._inFlight !== null) return this._inFlight
    this._inFlight = this._beat().finally(() => {
      this._inFlight = null
    })
    return this._inFlight
  }

  private async _beat(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let answer: unknown
      try {
        answer = await this._send(this._id)
      } catch (error) {
        answer = { error: error instanceof Error ? error.message : String(error) }
      }
      if (this._health.state === 'stopped') return
      const record = (answer ?? {}) as Record<string, unknown>
      const next = record['heartbeat_id']
      if (!('error' in record) && typeof next === 'string') {
        this._id = next
        this._set({
          state: 'healthy',
          lastOkAt: this._now(),
          consecutiveFailures: 0,
          sent: this._health.sent + 1,
          lastError: null,
        })
        return
      }
      // a stale id: the venue tells us the one it expects
      if (typeof next === 'string' && next !== this._id && attempt === 0) {
        this._id = next
        continue
      }
      const error = record['error']
      this._set({
        ...this._health,
        state: 'failing',
        consecutiveFailures: this._health.consecutiveFailures + 1,
        sent: this._health.sent + 1,
        lastError: this._redact(typeof error === 'string' ? error : JSON.stringify(error)),
      })
      return
    }
  }

  /**
   * Stops sending. The venue will cancel every open order once its window passes: that is the
   * point of the switch (stop on purpose only after cancelling, or to test it).
   */
  stop(): void {
    if (this._timer !== null) clearInterval(this._timer)
    this._timer = null
    this._set({ ...this._health, state: 'stopped' })
  }

  private _set(health: HeartbeatHealth): void {
    this._health = health
    this._onHealth?.(this.health())
  }
}
