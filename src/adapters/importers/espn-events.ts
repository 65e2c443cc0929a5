/**
 * The ESPN NHL scoreboard csv (see espn-nhl.ts) as game events: one `goal` per goal, period
 * boundaries, game start and end. The feed is a poll of the scoreboard, so every event time is
 * when the collector first saw the change, which lags the play (about 25 s on the 2026-06-07
 * recording); the event study's negative offsets exist to show that lag.
 */
import {
  validateGameEvent,
  type GameEvent,
  type GameEventDefaults,
} from '../../domain/game-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import { parseEspnNhlCsv, type EspnNhlRow } from './espn-nhl.js'
import { ImportError } from './import-error.js'

export type EspnEventsOptions = {
  readonly market?: MarketId | undefined
  readonly assetId?: TokenId | undefined
  /** Names the input in error messages; `ESPN feed` when absent. */
  readonly file?: string | undefined
}

type Draft = {
  readonly row: EspnNhlRow
  readonly type: string
  readonly team: string | null
  readonly score: string | null
  readonly note: string
}

const scoreOf = (home: number, away: number): string => `${home}-${away}`

function where(row: EspnNhlRow): string {
  return `period ${row.period}, ${row.displayClock} left`
}

function board(row: EspnNhlRow, home: number, away: number): string {
  return `${row.homeTeam} ${home} - ${away} ${row.awayTeam}`
}

/** The events one row adds, given the row before it. */
function changes(previous: EspnNhlRow, row: EspnNhlRow): Draft[] {
  const out: Draft[] = []
  if (previous.gameState === 'pre' && row.gameState !== 'pre') {
    out.push({ row, type: 'game_start', team: null, score: null, note: `${where(row)}` })
  }
  if (row.period > previous.period) {
    if (previous.clockSecondsRemaining > 0) {
      out.push({
        row,
        type: 'period_end',
        team: null,
        score: scoreOf(previous.homeScore, previous.awayScore),
        note: `end of period ${previous.period} (first seen with period ${row.period} on the board)`,
      })
    }
    out.push({ row, type: 'period_start', team: null, score: null, note: where(row) })
  } else if (row.period === previous.period && row.clockSecondsRemaining === 0) {
    if (previous.clockSecondsRemaining > 0) {
      out.push({
        row,
        type: 'period_end',
        team: null,
        score: scoreOf(row.homeScore, row.awayScore),
        note: `end of period ${row.period}`,
      })
    }
  }

  // Compared with the previous row rather than the feed's delta columns, so a missed poll
  // still yields one event per goal.
  let home = previous.homeScore
  let away = previous.awayScore
  const both = row.homeScore > home && row.awayScore > away
  const goal = (team: string): void => {
    out.push({
      row,
      type: 'goal',
      team,
      score: scoreOf(home, away),
      note:
        `${team} goal, ${where(row)}; ${board(row, home, away)}` +
        (both ? '; both teams scored between two polls, order unknown' : ''),
    })
  }
  while (home < row.homeScore) {
    home++
    goal(row.homeTeam)
  }
  while (away < row.awayScore) {
    away++
    goal(row.awayTeam)
  }
  if (row.homeScore < previous.homeScore || row.awayScore < previous.awayScore) {
    out.push({
      row,
      type: 'custom',
      team: null,
      score: scoreOf(row.homeScore, row.awayScore),
      note:
        `score corrected by the feed from ${board(row, previous.homeScore, previous.awayScore)} ` +
        `to ${board(row, row.homeScore, row.awayScore)} (goal disallowed?), ${where(row)}`,
    })
  }
  if (previous.gameState !== 'post' && row.gameState === 'post') {
    out.push({
      row,
      type: 'game_end',
      team: null,
      score: scoreOf(row.homeScore, row.awayScore),
      note: `final: ${board(row, row.homeScore, row.awayScore)}`,
    })
  }
  return out
}

/**
 * Parses the ESPN NHL feed into events: `goal` (team = scorer's abbreviation, score after the
 * goal with the home team first, note with period, clock and board), `period_end` (when the
 * clock first reads 0:00, or when the next period appears), `period_start`, `game_start`,
 * `game_end`, and `custom` for a score the feed took back. `mapNumber` holds the period. The
 * first row only sets the starting board: a goal before the recording is not an event. Event
 * time is the collector's clock (`ts_ms`). Throws {@link ImportError} for a malformed feed or
 * when neither market nor asset is given.
 */
export function espnGameEvents(text: string, options: EspnEventsOptions = {}): GameEvent[] {
  const file = options.file ?? 'ESPN feed'
  if (options.market === undefined && options.assetId === undefined) {
    throw new ImportError(
      file,
      'the ESPN feed names teams, not markets: give the market (condition id) or the asset ' +
        '(token id) the events belong to',
    )
  }
  const rows = parseEspnNhlCsv(text, file)
  const defaults: GameEventDefaults = {
    market: options.market,
    assetId: options.assetId,
    source: 'espn',
  }
  const events: GameEvent[] = []
  for (let i = 1; i < rows.length; i++) {
    for (const draft of changes(rows[i - 1] as EspnNhlRow, rows[i] as EspnNhlRow)) {
      const result = validateGameEvent(
        {
          ts_ms: draft.row.tsMs,
          type: draft.type,
          team: draft.team,
          score: draft.score,
          map: draft.row.period,
          note: draft.note,
        },
        defaults,
      )
      if (!result.ok) {
        throw new ImportError(file, `line ${draft.row.line}: ${result.errors.join('; ')}`)
      }
      events.push(result.event)
    }
  }
  return events
}
