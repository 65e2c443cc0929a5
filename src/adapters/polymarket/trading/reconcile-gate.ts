/**
 * Runs reconciliation passes one at a time and says whether a pass still describes the venue.
 *
 * Something a running pass cannot have seen (the user channel dropped, the heartbeats lapsed)
 * calls {@link ReconcileGate.invalidate}: the pass then must not lift the halt (its `current()`
 * answers false). A request while a pass runs queues exactly one more pass, run when it ends;
 * every caller waiting gets the answer of the last pass.
 */
export class ReconcileGate {
  private _epoch = 0
  private _running: Promise<boolean> | null = null
  private _again = false

  /** `pass` checks with the venue; it may lift the halt only while `current()` is true. */
  constructor(private readonly _pass: (current: () => boolean) => Promise<boolean>) {}

  /** True while a pass runs (or one more is queued behind it). */
  get running(): boolean {
    return this._running !== null
  }

  /** The picture a running pass builds may be stale: it must not lift the halt. */
  invalidate(): void {
    this._epoch++
  }

  /** Runs a pass now, or one more after the one running; resolves with the last pass's answer. */
  request(): Promise<boolean> {
    if (this._running !== null) {
      this._again = true
      return this._running
    }
    const run = this._loop().finally(() => {
      this._running = null
    })
    this._running = run
    return run
  }

  private async _loop(): Promise<boolean> {
    for (;;) {
      this._again = false
      const epoch = this._epoch
      const ok = await this._pass(() => this._epoch === epoch)
      if (!this._again) return ok && this._epoch === epoch
    }
  }
}
