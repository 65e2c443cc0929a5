/**
 * When a logged event happened, and the body `POST /api/events` gets.
 *
 * Stamping rule: while a `<video>` plays and the stream offset is known, the event is where
 * the video is: market time = video time + offset. Otherwise it is at the store's market time
 * (the playback clock, or the latest venue time live), and its video time is market time −
 * offset when the offset is known, else none.
 */
import type { GameEventBody } from '../../../../src/contracts/api.js'
import type { DashboardEvent } from '../state/dashboard-store.js'

/** The daemon keeps video positions of 0 to 12 hours (docs/GAME_EVENTS.md). */
export const MAX_VIDEO_MS = 12 * 3_600_000

export interface VideoReading {
  /** Position, ms. */
  readonly ms: number
  readonly playing: boolean
}

export type Stamp =
  | { readonly ok: true; readonly tsMs: number; readonly tsVideoMs: number | null }
  | { readonly ok: false; readonly error: string }

export function stampTimes(
  video: VideoReading | null,
  offsetMs: number | null,
  t: number | null,
): Stamp {
  let tsMs: number
  let tsVideoMs: number | null
  if (video !== null && video.playing && offsetMs !== null) {
    tsVideoMs = Math.round(video.ms)
    tsMs = tsVideoMs + offsetMs
  } else if (t !== null) {
    tsMs = Math.round(t)
    tsVideoMs = offsetMs === null ? null : tsMs - offsetMs
  } else {
    return {
      ok: false,
      error:
        'No market time yet: wait for the first book (live) or open a capture, or calibrate the video offset and play the video.',
    }
  }
  if (tsVideoMs !== null && (tsVideoMs < 0 || tsVideoMs > MAX_VIDEO_MS)) tsVideoMs = null
  return { ok: true, tsMs, tsVideoMs }
}

export interface EventDraft {
  readonly type: string
  readonly team: string | null
  readonly score: string
  readonly map: string
  readonly note: string
}

const SCORE = /^\d{1,3}-\d{1,3}$/

/** Problems of the score and map fields, one line each (empty when fine). */
export function draftProblems(draft: Pick<EventDraft, 'score' | 'map'>): string[] {
  const problems: string[] = []
  const score = draft.score.trim()
  if (score !== '' && !SCORE.test(score)) problems.push(`score "${score}" must look like 7-5`)
  const map = draft.map.trim()
  if (map !== '' && !(/^\d{1,2}$/.test(map) && Number(map) >= 1)) {
    problems.push(`map "${map}" must be a number from 1 to 99`)
  }
  return problems
}

function orNull(text: string | null): string | null {
  const trimmed = text?.trim() ?? ''
  return trimmed === '' ? null : trimmed
}

/**
 * The event as the store shows it before the daemon answers. It carries a negative temporary
 * id (`pendingId`), so it can be removed again if the daemon refuses it; stored ids are
 * positive.
 */
export function draftEvent(
  draft: EventDraft,
  stamp: { readonly tsMs: number; readonly tsVideoMs: number | null },
  market: string | null,
  assetId: string | null,
  pendingId: number,
): DashboardEvent {
  return {
    id: pendingId,
    tsMs: stamp.tsMs,
    tsVideoMs: stamp.tsVideoMs,
    type: draft.type,
    team: orNull(draft.team),
    score: orNull(draft.score),
    map: orNull(draft.map),
    note: orNull(draft.note),
    market,
    assetId: market === null ? assetId : null,
  }
}

/** True for an event added by the logger and not stored yet. */
export function isPending(event: DashboardEvent): boolean {
  return event.id !== null && event.id < 0
}

/** The `POST /api/events` body of a drafted event, `source: "hotkey"`. */
export function eventBody(event: DashboardEvent): GameEventBody {
  return {
    ts_ms: event.tsMs,
    type: event.type,
    ...(event.market === null ? {} : { market: event.market }),
    ...(event.assetId === null ? {} : { asset_id: event.assetId }),
    team: event.team,
    score: event.score,
    map: event.map === null ? null : Number(event.map),
    note: event.note,
    ts_video_ms: event.tsVideoMs,
    source: 'hotkey',
  }
}

/** The stored event (`POST /api/events` answer) in the store's shape. */
export function storedEvent(
  id: number,
  json: {
    ts_ms: number
    type: string
    market: string | null
    asset_id: string | null
    team: string | null
    score: string | null
    map: number | null
    note: string | null
    ts_video_ms: number | null
  },
): DashboardEvent {
  return {
    id,
    tsMs: json.ts_ms,
    tsVideoMs: json.ts_video_ms,
    type: json.type,
    team: json.team,
    score: json.score,
    map: json.map === null ? null : String(json.map),
    note: json.note,
    market: json.market,
    assetId: json.asset_id,
  }
}

/**
 * The two teams of a match from its label: "Fnatic vs Sentinels", "Valorant: FNC vs. SEN
 * (BO3)", "T1 v Gen.G - Map 2". Null when the label names no pair.
 */
export function teamsFromLabel(label: string | null): readonly [string, string] | null {
  if (label === null) return null
  const withoutPrefix = label.includes(':') ? label.slice(label.lastIndexOf(':') + 1) : label
  const match = /^\s*(.+?)\s+(?:vs\.?|v\.?|versus)\s+(.+?)\s*$/i.exec(withoutPrefix)
  if (match === null) return null
  const clean = (name: string): string =>
    name
      .replace(/\s*\((?:bo\d+|best of \d+)[^)]*\)\s*$/i, '')
      .replace(/\s+-\s+.*$/, '')
      .replace(/[?!.]+$/, '')
      .trim()
  const first = clean(match[1] ?? '')
  const second = clean(match[2] ?? '')
  return first === '' || second === '' || first === second ? null : [first, second]
}

/** The score and map of the newest event that has them (the fields' prefill). */
export function lastScoreAndMap(events: readonly DashboardEvent[]): {
  score: string | null
  map: string | null
} {
  let score: string | null = null
  let map: string | null = null
  for (let i = events.length - 1; i >= 0 && (score === null || map === null); i--) {
    const e = events[i]
    if (e === undefined) continue
    score ??= e.score
    map ??= e.map
  }
  return { score, map }
}
