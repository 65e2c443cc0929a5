/**
 * Raw market-channel frame files (a JSON array, a single frame, or NDJSON) as capture frames.
 *
 * Frames are written in file order and otherwise untouched, except that a capture line must be
 * single-line JSON: a frame that came pretty-printed (JSON array elements, a multi-line single
 * frame) is re-serialised compactly with `JSON.stringify`, which keeps key order and every
 * string value but may respell a JSON number (`1.50` becomes `1.5`). NDJSON lines are written
 * byte for byte.
 *
 * Recordings like these carry no receive time, so a frame's local time is its own venue time:
 * the latest `timestamp` among its messages, kept as a running maximum so it never goes
 * backwards. A frame without a timestamp takes the time of the frame before it (or, at the
 * start, of the first frame that has one).
 */
import type { RawFrame } from './detect.js'
import { ImportError } from './import-error.js'

/** One frame ready for the capture writer. */
export type ImportFrame = {
  /** Local time to record, epoch ms; never decreases along a file. */
  readonly tLocal: number
  /** Single-line JSON text of the frame. */
  readonly raw: string
}

export type RawFramesSummary = {
  readonly frames: readonly ImportFrame[]
  /** Messages (events) across all frames, by `event_type`. */
  readonly messagesByType: Readonly<Record<string, number>>
  /** Token ids seen in `asset_id`, `price_changes[].asset_id` and `assets_ids[]`. */
  readonly assets: ReadonlySet<string>
  /** Earliest and latest venue timestamp in the file, epoch ms. */
  readonly firstTs: number
  readonly lastTs: number
}

/** Parses a venue timestamp (ms as a decimal string, or a number); NaN when absent or bad. */
function timestampOf(message: unknown): number {
  const ts = (message as { timestamp?: unknown }).timestamp
  if (typeof ts === 'number') return Number.isFinite(ts) && ts >= 0 ? ts : Number.NaN
  if (typeof ts === 'string' && /^[0-9]{1,16}$/.test(ts)) return Number(ts)
  return Number.NaN
}

/** The messages of a frame: itself, or its elements when the socket sent an array. */
function messagesOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [value]
}

/** The venue time of a frame: the latest timestamp among its messages; NaN when none has one. */
export function frameVenueTime(value: unknown): number {
  let latest = Number.NaN
  for (const message of messagesOf(value)) {
    const ts = timestampOf(message)
    if (!Number.isNaN(ts) && (Number.isNaN(latest) || ts > latest)) latest = ts
  }
  return latest
}

function collectAssets(message: unknown, into: Set<string>): void {
  const m = message as { asset_id?: unknown; price_changes?: unknown; assets_ids?: unknown }
  if (typeof m.asset_id === 'string') into.add(m.asset_id)
  if (Array.isArray(m.price_changes)) {
    for (const change of m.price_changes) {
      const id = (change as { asset_id?: unknown } | null)?.asset_id
      if (typeof id === 'string') into.add(id)
    }
  }
  if (Array.isArray(m.assets_ids)) {
    for (const id of m.assets_ids) if (typeof id === 'string') into.add(id)
  }
}

/** Turns the frames of a raw frame file into capture frames, with local times and a summary. */
export function importRawFrames(frames: readonly RawFrame[], file: string): RawFramesSummary {
  const times = frames.map((frame) => frameVenueTime(frame.value))
  const firstKnown = times.find((t) => !Number.isNaN(t))
  if (firstKnown === undefined) {
    throw new ImportError(
      file,
      'no frame carries a "timestamp", so the frames cannot be placed in time; expected venue frames with ' +
        'millisecond timestamps',
    )
  }
  const out: ImportFrame[] = []
  const messagesByType: Record<string, number> = {}
  const assets = new Set<string>()
  let running = firstKnown
  let firstTs = firstKnown
  let lastTs = firstKnown
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i] as RawFrame
    const ts = times[i] as number
    if (!Number.isNaN(ts)) {
      if (ts > running) running = ts
      if (ts < firstTs) firstTs = ts
      if (ts > lastTs) lastTs = ts
    }
    for (const message of messagesOf(frame.value)) {
      const type = (message as { event_type: string }).event_type
      messagesByType[type] = (messagesByType[type] ?? 0) + 1
      collectAssets(message, assets)
    }
    out.push({ tLocal: running, raw: frame.text ?? JSON.stringify(frame.value) })
  }
  return { frames: out, messagesByType, assets, firstTs, lastTs }
}
