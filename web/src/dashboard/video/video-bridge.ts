/**
 * What the video panel and the event logger share beyond the dashboard store: where the
 * `<video>` is (the logger stamps events with it) and which game event the user picked last
 * (the calibration's default moment). One bridge per page, given by {@link pageBridge}.
 */
import type { VideoReading } from '../events/stamping.js'

export class VideoBridge {
  private _reader: (() => VideoReading | null) | null = null
  private _selected: number | null = null
  private readonly _listeners = new Set<() => void>()

  /** The panel registers how to read its `<video>` (null when it shows none). */
  setReader(reader: (() => VideoReading | null) | null): void {
    this._reader = reader
  }

  /** The `<video>`'s position now, or null (embed, nothing loaded). */
  readVideo(): VideoReading | null {
    return this._reader?.() ?? null
  }

  /** Market time of the event the user picked last (a card click), or null. */
  selectedEventMs(): number | null {
    return this._selected
  }

  selectEvent(tsMs: number | null): void {
    if (this._selected === tsMs) return
    this._selected = tsMs
    for (const listener of [...this._listeners]) listener()
  }

  subscribe(listener: () => void): () => void {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }
}

let bridge: VideoBridge | null = null

/** The page's bridge (the panel and the logger are rendered without props). */
export function pageBridge(): VideoBridge {
  bridge ??= new VideoBridge()
  return bridge
}
