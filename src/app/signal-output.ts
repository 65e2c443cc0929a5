/**
 * `tiltmeter replay --emit signals`: one NDJSON line per signal, written once its reversion is
 * known so each line is complete, and always in signal order.
 *
 * Line keys, in this order: `type, asset_id, ts, score, volume_ratio, spread_ratio, depth_ratio,
 * price_change, ref_price, reverted, reversion_s, retrace, mfe, mae`. `ts` is venue epoch ms,
 * prices are price units (0..1), `reversion_s` is seconds; unknown values are `null` (a ratio
 * without a baseline; every reversion field when the reversion was never settled).
 */
import type { Reversion, Signal, SignalListener } from '../engine/signals/index.js'

/** What the emitter writes to; `LineWriter` fits. */
export type LineSink = { line(text: string): void }

/** Rounds away float noise (mids are sums of ticks over 20_000) while keeping 9 decimals. */
function num(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'null'
  const rounded = Math.round(value * 1e9) / 1e9
  return String(Object.is(rounded, -0) ? 0 : rounded)
}

/** One `--emit signals` line (no trailing newline). */
export function signalLine(signal: Signal, reversion: Reversion | null): string {
  const r = reversion
  return (
    `{"type":"${signal.type}","asset_id":${JSON.stringify(signal.assetId)},"ts":${signal.ts},` +
    `"score":${num(signal.score)},"volume_ratio":${num(signal.volumeRatio)},` +
    `"spread_ratio":${num(signal.spreadRatio)},"depth_ratio":${num(signal.depthRatio)},` +
    `"price_change":${num(signal.priceChange)},"ref_price":${num(signal.refPrice)},` +
    `"reverted":${r === null ? 'null' : r.reverted},` +
    `"reversion_s":${r === null || r.reversionMs === null ? 'null' : num(r.reversionMs / 1000)},` +
    `"retrace":${num(r === null ? null : r.retrace)},"mfe":${num(r === null ? null : r.mfe)},` +
    `"mae":${num(r === null ? null : r.mae)}}`
  )
}

/**
 * Holds each signal until its reversion is settled, then writes the lines of every settled
 * signal at the head of the queue, so the output is in signal order. Use {@link listener} as the
 * engine's listener; call the engine's `finish` and then {@link finish} at the end of the data.
 */
export class SignalLineEmitter {
  private readonly _sink: LineSink
  private readonly _wanted: ((assetId: string) => boolean) | null
  private readonly _queue: Signal[] = []
  private _head = 0
  private readonly _settled = new Map<number, Reversion>()
  /** Lines written. */
  written = 0

  constructor(sink: LineSink, options: { readonly wanted?: (assetId: string) => boolean } = {}) {
    this._sink = sink
    this._wanted = options.wanted ?? null
  }

  /** Signals not written yet. */
  get pending(): number {
    return this._queue.length - this._head
  }

  readonly listener: SignalListener = {
    onSignal: (signal) => this.onSignal(signal),
    onReversion: (signal, reversion) => this.onReversion(signal, reversion),
  }

  onSignal(signal: Signal): void {
    if (this._wanted !== null && !this._wanted(signal.assetId)) return
    this._queue.push(signal)
  }

  onReversion(signal: Signal, reversion: Reversion): void {
    if (this._wanted !== null && !this._wanted(signal.assetId)) return
    this._settled.set(signal.id, reversion)
    this._drain()
  }

  /** Writes every remaining line; signals never settled get null reversion fields. */
  finish(): void {
    for (; this._head < this._queue.length; this._head++) {
      const signal = this._queue[this._head]!
      this._write(signal, this._settled.get(signal.id) ?? null)
    }
    this._queue.length = 0
    this._head = 0
  }

  private _drain(): void {
    const queue = this._queue
    while (this._head < queue.length) {
      const signal = queue[this._head]!
      const reversion = this._settled.get(signal.id)
      if (reversion === undefined) break
      this._write(signal, reversion)
      this._head++
    }
    if (this._head > 256 && this._head * 2 > queue.length) {
      queue.splice(0, this._head)
      this._head = 0
    }
  }

  private _write(signal: Signal, reversion: Reversion | null): void {
    this._settled.delete(signal.id)
    this._sink.line(signalLine(signal, reversion))
    this.written++
  }
}
