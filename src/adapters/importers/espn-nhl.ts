/**
 * Reader for the ESPN NHL scoreboard csv that accompanies the NHL tick recordings
 * (`espn_nhl_<event id>.csv`, see `test/fixtures/real/README.md`). Pure: text in, typed rows out.
 *
 * The collector polled ESPN about once a second and wrote a row on every change or every 30 s
 * (`heartbeat`). `ts_ms` is the collector's own clock, which lags the real game: on the 2026-06-07
 * recording the market moved 23-26 s before this feed showed each goal.
 */
import { ImportError } from './import-error.js'

/** The csv's columns, in the publisher's order; a file must have all of them (any order). */
export const ESPN_NHL_COLUMNS = [
  'ts_ms',
  'event_id',
  'period',
  'display_clock',
  'home_team',
  'home_score',
  'away_team',
  'away_score',
  'home_score_delta',
  'away_score_delta',
  'game_state',
  'event_type',
] as const

export const ESPN_NHL_EVENT_TYPES = ['start', 'heartbeat', 'score_change'] as const
export type EspnNhlEventType = (typeof ESPN_NHL_EVENT_TYPES)[number]

/** ESPN's game states: before, during and after the game. */
export const ESPN_GAME_STATES = ['pre', 'in', 'post'] as const
export type EspnGameState = (typeof ESPN_GAME_STATES)[number]

/** One scoreboard row. */
export type EspnNhlRow = {
  /** 1-based line in the file, for messages. */
  readonly line: number
  /** The collector's receive time, epoch ms (not the time of the play). */
  readonly tsMs: number
  /** ESPN event (game) id, kept as text. */
  readonly eventId: string
  /** Period number, 1 or more (4 and up are overtime). */
  readonly period: number
  /** Game clock as shown, time remaining in the period (`14:26`). */
  readonly displayClock: string
  /** {@link displayClock} in seconds. */
  readonly clockSecondsRemaining: number
  readonly homeTeam: string
  readonly homeScore: number
  readonly awayTeam: string
  readonly awayScore: number
  /** Change of the home score since the previous row, as the collector computed it. */
  readonly homeScoreDelta: number
  readonly awayScoreDelta: number
  readonly gameState: EspnGameState
  readonly eventType: EspnNhlEventType
}

const CLOCK = /^([0-9]{1,2}):([0-5][0-9])$/
const WHOLE = /^-?[0-9]{1,15}$/

/** Splits one csv line into fields; supports double-quoted fields with `""` escapes. */
function splitCsvLine(line: string): string[] | null {
  const fields: string[] = []
  let i = 0
  for (;;) {
    if (line[i] === '"') {
      let value = ''
      i++
      for (;;) {
        if (i >= line.length) return null // unterminated quote
        const c = line[i] as string
        if (c === '"') {
          if (line[i + 1] === '"') {
            value += '"'
            i += 2
            continue
          }
          i++
          break
        }
        value += c
        i++
      }
      fields.push(value)
      if (i === line.length) return fields
      if (line[i] !== ',') return null
      i++
    } else {
      const comma = line.indexOf(',', i)
      if (comma < 0) {
        fields.push(line.slice(i))
        return fields
      }
      fields.push(line.slice(i, comma))
      i = comma + 1
    }
  }
}

/**
 * Parses the whole csv. Throws {@link ImportError} naming `file`, the 1-based line and the field
 * for the first bad value; blank lines are skipped.
 */
export function parseEspnNhlCsv(text: string, file: string): EspnNhlRow[] {
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n')
  const headerLine = (lines[0] ?? '').replace(/\r$/, '')
  const header = splitCsvLine(headerLine)?.map((name) => name.trim())
  if (header === undefined || headerLine.trim().length === 0) {
    throw new ImportError(
      file,
      `line 1 should be the header (${ESPN_NHL_COLUMNS.join(',')}) but is empty`,
    )
  }
  const missing = ESPN_NHL_COLUMNS.filter((name) => !header.includes(name))
  if (missing.length > 0) {
    throw new ImportError(
      file,
      `line 1: the header lacks ${missing.join(', ')}; expected an ESPN NHL scoreboard csv with columns ${ESPN_NHL_COLUMNS.join(',')}`,
    )
  }
  const at = Object.fromEntries(
    ESPN_NHL_COLUMNS.map((name) => [name, header.indexOf(name)]),
  ) as Record<(typeof ESPN_NHL_COLUMNS)[number], number>
  const rows: EspnNhlRow[] = []
  for (let i = 1; i < lines.length; i++) {
    const lineText = (lines[i] as string).replace(/\r$/, '')
    if (lineText.trim().length === 0) continue
    const line = i + 1
    const fields = splitCsvLine(lineText)
    if (fields === null) throw new ImportError(file, `line ${line}: unbalanced double quote`)
    if (fields.length !== header.length) {
      throw new ImportError(
        file,
        `line ${line}: ${fields.length} fields, the header has ${header.length}`,
      )
    }
    const field = (name: (typeof ESPN_NHL_COLUMNS)[number]): string =>
      (fields[at[name]] as string).trim()
    const bad = (name: string, value: string, expected: string): ImportError =>
      new ImportError(file, `line ${line}: ${name} "${value}" is not ${expected}`)
    const whole = (name: (typeof ESPN_NHL_COLUMNS)[number], min: number): number => {
      const value = field(name)
      const n = WHOLE.test(value) ? Number(value) : Number.NaN
      if (!(n >= min)) {
        throw bad(
          name,
          value,
          min === Number.MIN_SAFE_INTEGER ? 'a whole number' : `a whole number >= ${min}`,
        )
      }
      return n
    }
    const tsMs = whole('ts_ms', 0)
    const eventId = field('event_id')
    if (!/^[0-9]+$/.test(eventId)) throw bad('event_id', eventId, 'a numeric ESPN event id')
    const period = whole('period', 1)
    const displayClock = field('display_clock')
    const clock = CLOCK.exec(displayClock)
    if (clock === null) throw bad('display_clock', displayClock, 'a game clock like 14:26')
    const clockSecondsRemaining = Number(clock[1]) * 60 + Number(clock[2])
    const homeTeam = field('home_team')
    const awayTeam = field('away_team')
    if (homeTeam.length === 0) throw bad('home_team', homeTeam, 'a team abbreviation')
    if (awayTeam.length === 0) throw bad('away_team', awayTeam, 'a team abbreviation')
    const homeScore = whole('home_score', 0)
    const awayScore = whole('away_score', 0)
    // Deltas can be negative when ESPN corrects a score.
    const homeScoreDelta = whole('home_score_delta', Number.MIN_SAFE_INTEGER)
    const awayScoreDelta = whole('away_score_delta', Number.MIN_SAFE_INTEGER)
    const gameState = field('game_state')
    if (!(ESPN_GAME_STATES as readonly string[]).includes(gameState)) {
      throw bad('game_state', gameState, `one of ${ESPN_GAME_STATES.join(', ')}`)
    }
    const eventType = field('event_type')
    if (!(ESPN_NHL_EVENT_TYPES as readonly string[]).includes(eventType)) {
      throw bad('event_type', eventType, `one of ${ESPN_NHL_EVENT_TYPES.join(', ')}`)
    }
    rows.push({
      line,
      tsMs,
      eventId,
      period,
      displayClock,
      clockSecondsRemaining,
      homeTeam,
      homeScore,
      awayTeam,
      awayScore,
      homeScoreDelta,
      awayScoreDelta,
      gameState: gameState as EspnGameState,
      eventType: eventType as EspnNhlEventType,
    })
  }
  if (rows.length === 0) throw new ImportError(file, 'has a header but no rows')
  return rows
}
