/**
 * A one-line progress bar on stderr. It stays silent for the first second (short runs print
 * nothing), redraws at most every 100 ms, and draws only on a terminal unless forced.
 */
import type { Writable } from 'node:stream'

const SHOW_AFTER_MS = 1000
const REDRAW_MS = 100
const WIDTH = 30

export class ProgressBar {
  private readonly _out: Writable
  private readonly _enabled: boolean
  private readonly _label: string
  private readonly _startedAt: number
  private _lastDrawAt = 0
  private _drawn = false
  private readonly _now: () => number

  constructor(
    out: Writable,
    label: string,
    enabled: boolean,
    now: () => number = () => Date.now(),
  ) {
    this._out = out
    this._label = label
    this._enabled = enabled
    this._now = now
    this._startedAt = now()
  }

  /** Reports progress; `done` and `total` in any unit (bytes here). `extra` is appended. */
  update(done: number, total: number, extra = ''): void {
    if (!this._enabled) return
    const now = this._now()
    if (now - this._startedAt < SHOW_AFTER_MS || now - this._lastDrawAt < REDRAW_MS) return
    this._lastDrawAt = now
    this._draw(total > 0 ? Math.min(1, done / total) : 0, extra)
  }

  /** Clears the line if a bar was drawn. */
  finish(): void {
    if (this._drawn) this._out.write('\r\x1b[2K')
  }

  private _draw(fraction: number, extra: string): void {
    const filled = Math.round(fraction * WIDTH)
    const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`
    const seconds = ((this._now() - this._startedAt) / 1000).toFixed(1)
    const percent = (fraction * 100).toFixed(0).padStart(3)
    this._out.write(`\r\x1b[2K${this._label} [${bar}] ${percent}% ${seconds}s ${extra}`)
    this._drawn = true
  }
}
