import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { MarketId, TokenId } from '../../domain/market.js'
import { espnGameEvents } from './espn-events.js'
import { ImportError } from './import-error.js'

const ASSET = '987654321' as TokenId
const MARKET = `0x${'cd'.repeat(32)}` as MarketId
const HEADER =
  'ts_ms,event_id,period,display_clock,home_team,home_score,away_team,away_score,home_score_delta,away_score_delta,game_state,event_type'
const REAL = readFileSync(
  new URL(
    '../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/espn_nhl_401874173.csv',
    import.meta.url,
  ),
  'utf8',
)

/** One feed row: [ts, period, clock, home score, away score, state]. */
type Row = [number, number, string, number, number, string]
function feed(rows: readonly Row[]): string {
  const lines = rows.map(
    ([ts, period, clock, home, away, state]) =>
      `${ts},401874173,${period},${clock},VGK,${home},CAR,${away},0,0,${state},heartbeat`,
  )
  return [HEADER, ...lines].join('\n')
}

const T = 1_780_795_800_000

describe('espnGameEvents', () => {
  test('the 2026-06-07 recording has the two VGK goals, at the times the data README gives', () => {
    const events = espnGameEvents(REAL, { assetId: ASSET })
    expect(events).toEqual([
      {
        market: null,
        assetId: ASSET,
        type: 'goal',
        team: 'VGK',
        player: null,
        score: '1-0',
        mapNumber: 2,
        note: 'VGK goal, period 2, 9:34 left; VGK 1 - 0 CAR',
        ts: 1_780_796_579_983,
        tsVideo: null,
        source: 'espn',
      },
      expect.objectContaining({
        type: 'goal',
        team: 'VGK',
        score: '2-0',
        note: 'VGK goal, period 2, 9:18 left; VGK 2 - 0 CAR',
        ts: 1_780_796_650_971,
      }),
    ])
    expect(events.map((e) => new Date(e.ts).toISOString())).toEqual([
      '2026-06-07T01:42:59.983Z',
      '2026-06-07T01:44:10.971Z',
    ])
  })

  test('period ends, starts, game start and end, and a goal each way', () => {
    const events = espnGameEvents(
      feed([
        [T, 1, '20:00', 0, 0, 'pre'],
        [T + 1_000, 1, '19:59', 0, 0, 'in'],
        [T + 2_000, 1, '5:00', 0, 1, 'in'],
        [T + 3_000, 1, '0:00', 0, 1, 'in'],
        [T + 4_000, 1, '0:00', 0, 1, 'in'],
        [T + 5_000, 2, '20:00', 0, 1, 'in'],
        [T + 6_000, 2, '12:00', 1, 1, 'in'],
        [T + 7_000, 3, '20:00', 1, 1, 'in'],
        [T + 8_000, 3, '0:00', 1, 1, 'post'],
      ]),
      { market: MARKET },
    )
    expect(events.map((e) => [e.ts - T, e.type, e.team, e.score, e.mapNumber, e.note])).toEqual([
      [1_000, 'game_start', null, null, 1, 'period 1, 19:59 left'],
      [2_000, 'goal', 'CAR', '0-1', 1, 'CAR goal, period 1, 5:00 left; VGK 0 - 1 CAR'],
      [3_000, 'period_end', null, '0-1', 1, 'end of period 1'],
      [5_000, 'period_start', null, null, 2, 'period 2, 20:00 left'],
      [6_000, 'goal', 'VGK', '1-1', 2, 'VGK goal, period 2, 12:00 left; VGK 1 - 1 CAR'],
      [
        7_000,
        'period_end',
        null,
        '1-1',
        3,
        'end of period 2 (first seen with period 3 on the board)',
      ],
      [7_000, 'period_start', null, null, 3, 'period 3, 20:00 left'],
      [8_000, 'period_end', null, '1-1', 3, 'end of period 3'],
      [8_000, 'game_end', null, '1-1', 3, 'final: VGK 1 - 1 CAR'],
    ])
    expect(events.every((e) => e.market === MARKET && e.assetId === null)).toBe(true)
  })

  test('goals missed between polls become one event each; a withdrawn goal is a custom event', () => {
    const events = espnGameEvents(
      feed([
        [T, 2, '10:00', 0, 0, 'in'],
        [T + 1_000, 2, '9:00', 2, 1, 'in'],
        [T + 2_000, 2, '8:00', 1, 1, 'in'],
      ]),
      { assetId: ASSET },
    )
    const both = '; both teams scored between two polls, order unknown'
    expect(events.map((e) => [e.type, e.team, e.score, e.note])).toEqual([
      ['goal', 'VGK', '1-0', `VGK goal, period 2, 9:00 left; VGK 1 - 0 CAR${both}`],
      ['goal', 'VGK', '2-0', `VGK goal, period 2, 9:00 left; VGK 2 - 0 CAR${both}`],
      ['goal', 'CAR', '2-1', `CAR goal, period 2, 9:00 left; VGK 2 - 1 CAR${both}`],
      [
        'custom',
        null,
        '1-1',
        'score corrected by the feed from VGK 2 - 1 CAR to VGK 1 - 1 CAR (goal disallowed?), period 2, 8:00 left',
      ],
    ])
  })

  test('a score already on the board at the first row is not an event', () => {
    expect(espnGameEvents(feed([[T, 2, '10:00', 3, 2, 'in']]), { assetId: ASSET })).toEqual([])
  })

  test('needs a market or an asset', () => {
    expect(() => espnGameEvents(REAL)).toThrow(ImportError)
    expect(() => espnGameEvents(REAL, { file: 'g4.csv' })).toThrow(
      /^g4\.csv: the ESPN feed names teams, not markets: give the market/,
    )
  })

  test('a malformed feed is reported with its file and line', () => {
    const bad = feed([[T, 2, '10:00', 0, 0, 'in']]).replace('10:00', '10h')
    expect(() => espnGameEvents(bad, { assetId: ASSET, file: 'x.csv' })).toThrow(
      'x.csv: line 2: display_clock "10h" is not a game clock like 14:26',
    )
  })

  test('an event the validator refuses is reported with its line', () => {
    const early = feed([
      [1_000, 2, '10:00', 0, 0, 'in'],
      [2_000, 2, '9:00', 1, 0, 'in'],
    ])
    expect(() => espnGameEvents(early, { assetId: ASSET })).toThrow(
      /^ESPN feed: line 3: ts_ms 2000 is not epoch milliseconds/,
    )
  })
})
