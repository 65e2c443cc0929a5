/**
 * The dashboard store behind the hooks of `dashboard-store.ts`. Holds the snapshot (replaced on
 * every change, listeners told at most once per animation frame) and, outside the snapshot, the
 * price series of the charted token (large, appended often: the chart listens to it on its own
 * channel instead of re-rendering through React).
 *
 * Playback actions go to a {@link PlaybackTransport} (the playback socket); live mode has none,
 * so a seek there only bumps `seekSeq` (the video jumps, the market cannot).
 */
import type {
  DashboardEvent,
  DashboardSignal,
  DashboardSnapshot,
  DashboardStore,
} from './dashboard-store.js'
import { midAtPoints, type ChartPoint, type ChartTrade } from './series.js'

export interface PlaybackTransport {
  seek(t: number, seq: number): void
  play(speed: number): void
  pause(): void
  /** A speed chosen while paused: kept for the next play. */
  speed(speed: number): void
}

export type Scheduler = (run: () => void) => void

export type SeriesChange = 'reset' | 'append'

export const SPEEDS: readonly number[] = [0.5, 1, 2, 5, 10, 20]

function frameScheduler(run: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
  else setTimeout(run, 16)
}

export function initialSnapshot(patch: Partial<DashboardSnapshot> = {}): DashboardSnapshot {
  return {
    mode: 'playback',
    capture: null,
    market: null,
    marketLabel: null,
    tokens: [],
    token: null,
    t: null,
    playing: false,
    speed: 1,
    seekSeq: 0,
    seekT: null,
    offsetMs: null,
    videoUrl: null,
    events: [],
    signals: [],
    spanFrom: null,
    spanTo: null,
    atEnd: false,
    fills: [],
    progress: null,
    problem: null,
    connection: 'connecting',
    ...patch,
  }
}

function sortedByTime<T>(items: readonly T[], time: (item: T) => number): T[] {
  return [...items].sort((a, b) => time(a) - time(b))
}

export class DashboardStoreImpl implements DashboardStore {
  private _snapshot: DashboardSnapshot
  private readonly _listeners = new Set<() => void>()
  private readonly _seriesListeners = new Set<(change: SeriesChange) => void>()
  private _scheduled = false
  private _transport: PlaybackTransport | null = null
  /** Charted token's tops, oldest first. */
  points: ChartPoint[] = []
  trades: ChartTrade[] = []

  constructor(
    initial: DashboardSnapshot,
    private readonly _schedule: Scheduler = frameScheduler,
  ) {
    this._snapshot = initial
  }

  // ---- reading -------------------------------------------------------------------------------

  readonly get = (): DashboardSnapshot => this._snapshot

  readonly subscribe = (listener: () => void): (() => void) => {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }

  /** The chart's channel: `reset` after a new series, `append` after live points. */
  subscribeSeries(listener: (change: SeriesChange) => void): () => void {
    this._seriesListeners.add(listener)
    return () => this._seriesListeners.delete(listener)
  }

  readonly midAt = (t: number): number | null => midAtPoints(this.points, t)

  // ---- actions -------------------------------------------------------------------------------

  readonly seek = (t: number): void => {
    const s = this._snapshot
    let target = Math.round(t)
    if (s.mode === 'playback') {
      if (s.spanFrom !== null) target = Math.max(s.spanFrom, target)
      if (s.spanTo !== null) target = Math.min(s.spanTo, target)
    }
    const seq = s.seekSeq + 1
    if (s.mode === 'playback') {
      this._patch({ seekSeq: seq, seekT: target, t: target, atEnd: false })
      this._transport?.seek(target, seq)
    } else {
      this._patch({ seekSeq: seq, seekT: target })
    }
  }

  readonly play = (speed?: number): void => {
    const s = this._snapshot
    if (s.mode !== 'playback') return
    const next = speed ?? s.speed
    if (s.atEnd && s.spanFrom !== null) this.seek(s.spanFrom)
    this._patch({ playing: true, speed: next })
    this._transport?.play(next)
  }

  readonly pause = (): void => {
    if (this._snapshot.mode !== 'playback') return
    this._patch({ playing: false })
    this._transport?.pause()
  }

  readonly setSpeed = (speed: number): void => {
    const s = this._snapshot
    this._patch({ speed })
    if (s.mode !== 'playback') return
    if (s.playing) this._transport?.play(speed)
    else this._transport?.speed(speed)
  }

  readonly setOffset = (offsetMs: number | null, videoUrl: string | null): void => {
    this._patch({ offsetMs, videoUrl })
  }

  readonly addEvent = (e: DashboardEvent): void => {
    this._patch({ events: sortedByTime([...this._snapshot.events, e], (x) => x.tsMs) })
  }

  readonly removeEvent = (id: number): void => {
    this._patch({ events: this._snapshot.events.filter((e) => e.id !== id) })
  }

  readonly replaceEvent = (tempKey: DashboardEvent, stored: DashboardEvent): void => {
    const events = this._snapshot.events
    const found = events.includes(tempKey)
    const next = found ? events.map((e) => (e === tempKey ? stored : e)) : [...events, stored]
    this._patch({ events: sortedByTime(next, (x) => x.tsMs) })
  }

  // ---- feeding (the page's controllers) ------------------------------------------------------

  setTransport(transport: PlaybackTransport | null): void {
    this._transport = transport
  }

  /** Replaces snapshot fields (the controllers' entry). */
  update(patch: Partial<DashboardSnapshot>): void {
    this._patch(patch)
  }

  setEvents(events: readonly DashboardEvent[]): void {
    this._patch({ events: sortedByTime(events, (e) => e.tsMs) })
  }

  /** Adds events not known yet (same id), e.g. from the live socket. */
  mergeEvents(events: readonly DashboardEvent[]): void {
    const known = new Set(this._snapshot.events.map((e) => e.id).filter((id) => id !== null))
    const fresh = events.filter((e) => e.id === null || !known.has(e.id))
    if (fresh.length > 0) this.setEvents([...this._snapshot.events, ...fresh])
  }

  setSignals(signals: readonly DashboardSignal[]): void {
    this._patch({ signals: sortedByTime(signals, (s) => s.ts) })
  }

  addSignal(signal: DashboardSignal): void {
    this.setSignals([...this._snapshot.signals, signal])
  }

  /** A whole new series (playback, or a change of charted token). */
  setSeries(points: ChartPoint[], trades: ChartTrade[]): void {
    this.points = points
    this.trades = trades
    for (const listener of this._seriesListeners) listener('reset')
  }

  /** Live: one more top (replaces the last one in the same second) and trades. */
  appendSeries(point: ChartPoint | null, trades: readonly ChartTrade[]): void {
    if (point !== null) {
      const last = this.points[this.points.length - 1]
      if (last !== undefined && point.t < last.t) return
      if (last !== undefined && Math.floor(last.t / 1000) === Math.floor(point.t / 1000)) {
        this.points[this.points.length - 1] = point
      } else {
        this.points.push(point)
      }
    }
    for (const trade of trades) this.trades.push(trade)
    for (const listener of this._seriesListeners) listener('append')
  }

  private _patch(patch: Partial<DashboardSnapshot>): void {
    let changed = false
    for (const key of Object.keys(patch) as (keyof DashboardSnapshot)[]) {
      if (patch[key] !== this._snapshot[key]) changed = true
    }
    if (!changed) return
    this._snapshot = { ...this._snapshot, ...patch }
    if (this._scheduled) return
    this._scheduled = true
    this._schedule(() => {
      this._scheduled = false
      for (const listener of [...this._listeners]) listener()
    })
  }
}
