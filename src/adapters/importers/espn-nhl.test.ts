import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { ESPN_NHL_COLUMNS, parseEspnNhlCsv } from './espn-nhl.js'
import { ImportError } from './import-error.js'

const CSV = readFileSync(
  new URL(
    '../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/espn_nhl_401874173.csv',
    import.meta.url,
  ),
  'utf8',
)
const HEADER = ESPN_NHL_COLUMNS.join(',')
const ROW = '1780795809266,401874173,2,14:26,VGK,0,CAR,0,0,0,in,start'

function parseError(text: string): ImportError {
  try {
    parseEspnNhlCsv(text, 'espn.csv')
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError)
    return e as ImportError
  }
  throw new Error('expected the csv to be rejected')
}

describe('parseEspnNhlCsv on the real feed', () => {
  const rows = parseEspnNhlCsv(CSV, 'espn_nhl_401874173.csv')

  test('reads all 45 rows with their lines', () => {
    expect(rows).toHaveLength(45)
    expect(rows[0]).toEqual({
      line: 2,
      tsMs: 1780795809266,
      eventId: '401874173',
      period: 2,
      displayClock: '14:26',
      clockSecondsRemaining: 14 * 60 + 26,
      homeTeam: 'VGK',
      homeScore: 0,
      awayTeam: 'CAR',
      awayScore: 0,
      homeScoreDelta: 0,
      awayScoreDelta: 0,
      gameState: 'in',
      eventType: 'start',
    })
    expect(rows.at(-1)?.line).toBe(46)
  })

  test('finds both VGK goals at the times the README gives', () => {
    const goals = rows.filter((r) => r.eventType === 'score_change')
    expect(goals.map((g) => [new Date(g.tsMs).toISOString(), g.homeScore, g.awayScore])).toEqual([
      ['2026-06-07T01:42:59.983Z', 1, 0],
      ['2026-06-07T01:44:10.971Z', 2, 0],
    ])
    expect(goals.every((g) => g.homeScoreDelta === 1 && g.homeTeam === 'VGK')).toBe(true)
  })
})

describe('parseEspnNhlCsv on other input', () => {
  test('accepts columns in any order, CRLF, quoted fields and blank lines', () => {
    const header = ['event_type', ...ESPN_NHL_COLUMNS.filter((c) => c !== 'event_type')].join(',')
    const row = '"score_change",1780796579983,401874173,2,9:34,"V""GK",1,CAR,0,1,0,in'
    const rows = parseEspnNhlCsv(`${header}\r\n${row}\r\n\r\n`, 'e.csv')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ eventType: 'score_change', homeTeam: 'V"GK', line: 2 })
  })

  test('accepts negative score deltas (score corrections)', () => {
    const rows = parseEspnNhlCsv(`${HEADER}\n${ROW.replace(',0,0,in,', ',-1,0,in,')}`, 'e.csv')
    expect(rows[0]?.homeScoreDelta).toBe(-1)
  })

  test.each([
    [
      'ts_ms',
      ROW.replace('1780795809266', '17807x'),
      'line 2: ts_ms "17807x" is not a whole number >= 0',
    ],
    [
      'period',
      ROW.replace(',2,14:26', ',0,14:26'),
      'line 2: period "0" is not a whole number >= 1',
    ],
    [
      'display_clock',
      ROW.replace('14:26', '14:6'),
      'line 2: display_clock "14:6" is not a game clock',
    ],
    [
      'home_score',
      ROW.replace('VGK,0', 'VGK,-2'),
      'line 2: home_score "-2" is not a whole number >= 0',
    ],
    [
      'away_score_delta',
      ROW.replace(',0,in,', ',x,in,'),
      'line 2: away_score_delta "x" is not a whole number',
    ],
    [
      'game_state',
      ROW.replace(',in,', ',live,'),
      'line 2: game_state "live" is not one of pre, in, post',
    ],
    [
      'event_type',
      ROW.replace('start', 'goal'),
      'line 2: event_type "goal" is not one of start, heartbeat',
    ],
    [
      'event_id',
      ROW.replace('401874173', 'abc'),
      'line 2: event_id "abc" is not a numeric ESPN event id',
    ],
    ['home_team', ROW.replace('VGK', ''), 'line 2: home_team "" is not a team abbreviation'],
  ])('rejects a bad %s with its line number', (_name, row, message) => {
    const error = parseError(`${HEADER}\n${row}\n`)
    expect(error.message).toContain(`espn.csv: ${message}`)
  })

  test('reports the line of a later bad row', () => {
    expect(parseError(`${HEADER}\n${ROW}\n\n${ROW.replace('start', 'x')}`).message).toContain(
      'line 4: event_type "x"',
    )
  })

  test('rejects a missing header, missing columns, short rows and bad quoting', () => {
    expect(parseError('').message).toContain('line 1 should be the header')
    expect(parseError('ts_ms,period\n1,2').message).toContain(
      'line 1: the header lacks event_id, display_clock',
    )
    expect(parseError(`${HEADER}\n1,2,3`).message).toContain('line 2: 3 fields, the header has 12')
    expect(parseError(`${HEADER}\n"abc,1`).message).toContain('line 2: unbalanced double quote')
    expect(parseError(`${HEADER}\n"a"b,1`).message).toContain('line 2: unbalanced double quote')
    expect(parseError(`${HEADER}\n`).message).toContain('has a header but no rows')
  })
})
