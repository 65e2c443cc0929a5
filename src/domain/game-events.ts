/**
 * Game events: what happened in the match (a round won, a goal, a timeout), tagged with the
 * market time it happened at so the event study can line it up with the book. Pure: the API
 * route, the CSV and ESPN importers and the hotkey logger all build events through
 * {@link validateGameEvent}, so one set of rules and messages serves every source.
 */
// The event vocabulary lives with the contracts so the web page offers exactly these types.
import { GAME_EVENT_TYPES, type GameEventType } from '../contracts/game-event-types.js'
import type { MarketId, TokenId } from './market.js'
import type { EpochMs } from './units.js'

export { GAME_EVENT_TYPES, type GameEventType }

export function isGameEventType(value: string): value is GameEventType {
  return (GAME_EVENT_TYPES as readonly string[]).includes(value)
}

export type GameEvent = {
  /** The market's condition id, when known. At least one of market and assetId is set. */
  readonly market: MarketId | null
  /** The token whose price the event concerns (an NHL recording knows only token ids). */
  readonly assetId: TokenId | null
  /** One of {@link GAME_EVENT_TYPES}. */
  readonly type: string
  /** The team the event is about (the scorer, the round winner), as the source spells it. */
  readonly team: string | null
  readonly player: string | null
  /** The score after the event, `<digits>-<digits>`, e.g. `7-5` (home first for ESPN). */
  readonly score: string | null
  /** Map number in a series, 1-based; the period for hockey. */
  readonly mapNumber: number | null
  readonly note: string | null
  /** When it happened, in venue-epoch ms (the clock of the market's timestamps). */
  readonly ts: EpochMs
  /** Position in the video, ms from its start, when logged while watching one. */
  readonly tsVideo: number | null
  /** Where it came from: `api`, `csv`, `espn`, `hotkey`, ... (lower_snake_case). */
  readonly source: string
}

export type GameEventValidation =
  | { readonly ok: true; readonly event: GameEvent }
  | { readonly ok: false; readonly errors: string[] }

export type GameEventDefaults = {
  readonly market?: MarketId | undefined
  readonly assetId?: TokenId | undefined
  /** `api` when absent. */
  readonly source?: string | undefined
}

/** The input keys, snake_case as in the CSV header and the API body. */
export const GAME_EVENT_FIELDS = [
  'ts_ms',
  'type',
  'team',
  'asset_id',
  'market',
  'player',
  'score',
  'map',
  'note',
  'ts_video_ms',
  'source',
] as const

export type GameEventField = (typeof GAME_EVENT_FIELDS)[number]

/** 2000-01-01 and 2100-01-01 UTC: outside this, the number is not epoch ms (seconds, say). */
export const MIN_EVENT_TS_MS = 946_684_800_000
export const MAX_EVENT_TS_MS = 4_102_444_800_000
export const MAX_TEXT_CHARS = 200
export const MAX_NOTE_CHARS = 2_000
export const MAX_MAP_NUMBER = 99
/** Twelve hours of video. */
export const MAX_VIDEO_MS = 43_200_000

const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/
const TOKEN_ID = /^[0-9]{1,100}$/
const SCORE = /^[0-9]{1,4}-[0-9]{1,4}$/
const SOURCE = /^[a-z][a-z0-9_]{0,31}$/
const WHOLE = /^[0-9]{1,16}$/

/** Shows a bad value in a message: quoted, one line, at most 40 characters. */
function shown(value: unknown): string {
  if (typeof value === 'string') {
    const oneLine = value.replace(/\s+/g, ' ')
    return `"${oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine}"`
  }
  if (value === null) return 'null'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
}

/**
 * Validates one event given as snake_case fields (the API body; the CSV importer passes a row
 * as strings). Absent, null and empty values mean "not given". Whole numbers may be JSON
 * numbers or digit strings; ids must be strings (token ids exceed a double's precision).
 * `defaults` fill market, asset_id and source when the input has none. Every error names the
 * field, the bad value and what is expected; all errors are reported, not just the first.
 */
export function validateGameEvent(
  input: unknown,
  defaults: GameEventDefaults = {},
): GameEventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      errors: [
        `the event must be a JSON object with fields ${GAME_EVENT_FIELDS.join(', ')}; got ${shown(input)}`,
      ],
    }
  }
  const fields = input as Record<string, unknown>
  const errors: string[] = []
  for (const key of Object.keys(fields)) {
    if (!(GAME_EVENT_FIELDS as readonly string[]).includes(key)) {
      errors.push(`unknown field "${key}"; expected only ${GAME_EVENT_FIELDS.join(', ')}`)
    }
  }

  const text = (key: GameEventField, max: number): string | null => {
    const value = fields[key]
    if (isAbsent(value)) return null
    if (typeof value !== 'string') {
      errors.push(`${key} ${shown(value)} is not text`)
      return null
    }
    const trimmed = value.trim()
    if (trimmed.length > max) {
      errors.push(`${key} is ${trimmed.length} characters long; at most ${max} are allowed`)
      return null
    }
    return trimmed
  }
  const whole = (key: GameEventField, min: number, max: number, what: string): number | null => {
    const value = fields[key]
    if (isAbsent(value)) return null
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && WHOLE.test(value.trim())
          ? Number(value.trim())
          : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      errors.push(`${key} ${shown(value)} is not ${what}`)
      return null
    }
    return n
  }
  const matching = (key: GameEventField, pattern: RegExp, what: string): string | null => {
    const value = fields[key]
    if (isAbsent(value)) return null
    if (typeof value !== 'string' || !pattern.test(value.trim())) {
      errors.push(`${key} ${shown(value)} is not ${what}`)
      return null
    }
    return value.trim()
  }

  let ts: number | null = null
  if (isAbsent(fields.ts_ms)) {
    errors.push('ts_ms is required: the event time in epoch milliseconds (venue clock)')
  } else {
    ts = whole(
      'ts_ms',
      MIN_EVENT_TS_MS,
      MAX_EVENT_TS_MS - 1,
      'epoch milliseconds between 2000 and 2100 (seconds must be multiplied by 1000)',
    )
  }

  let type: string | null = null
  const rawType = fields.type
  if (isAbsent(rawType)) {
    errors.push(`type is required: one of ${GAME_EVENT_TYPES.join(', ')}`)
  } else if (typeof rawType !== 'string' || !isGameEventType(rawType.trim())) {
    errors.push(
      `type ${shown(rawType)} is not one of ${GAME_EVENT_TYPES.join(', ')} (use custom with a note for anything else)`,
    )
  } else {
    type = rawType.trim()
  }

  const market =
    matching('market', CONDITION_ID, 'a condition id (0x followed by 64 hex digits)') ??
    defaults.market ??
    null
  const assetId =
    matching('asset_id', TOKEN_ID, 'a token id (a decimal string of up to 100 digits)') ??
    defaults.assetId ??
    null
  const team = text('team', MAX_TEXT_CHARS)
  const player = text('player', MAX_TEXT_CHARS)
  const score = matching('score', SCORE, 'a score like "7-5" (two whole numbers and a dash)')
  const mapNumber = whole('map', 1, MAX_MAP_NUMBER, `a map number from 1 to ${MAX_MAP_NUMBER}`)
  const note = text('note', MAX_NOTE_CHARS)
  const tsVideo = whole(
    'ts_video_ms',
    0,
    MAX_VIDEO_MS,
    'a position in the video in whole milliseconds (0 to 12 hours)',
  )
  const source =
    matching('source', SOURCE, 'a lower_snake_case source name of up to 32 characters') ??
    defaults.source ??
    'api'

  const marketGiven = !isAbsent(fields.market) || defaults.market !== undefined
  const assetGiven = !isAbsent(fields.asset_id) || defaults.assetId !== undefined
  if (!marketGiven && !assetGiven) {
    errors.push('market or asset_id is required: the condition id or the token id it concerns')
  }

  if (errors.length > 0 || ts === null || type === null) return { ok: false, errors }
  return {
    ok: true,
    event: {
      market: market as MarketId | null,
      assetId: assetId as TokenId | null,
      type,
      team,
      player,
      score,
      mapNumber,
      note,
      ts: ts as EpochMs,
      tsVideo,
      source,
    },
  }
}
