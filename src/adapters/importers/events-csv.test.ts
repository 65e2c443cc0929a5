import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { GAME_EVENT_TYPES, type GameEvent } from '../../domain/game-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import {
  GameEventsCsvError,
  looksLikeEventsCsv,
  parseGameEventsCsv,
  type GameEventsCsvProblem,
} from './events-csv.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const ASSET = '1234567890123456789012345678901234567890' as TokenId
const HEADER = 'ts_ms,type,team,asset_id,score,map,note'

function problemsOf(text: string, options = {}): readonly GameEventsCsvProblem[] {
  try {
    parseGameEventsCsv(text, options)
  } catch (e) {
    expect(e).toBeInstanceOf(GameEventsCsvError)
    return (e as GameEventsCsvError).problems
  }
  throw new Error('expected the file to be refused')
}

describe('parseGameEventsCsv', () => {
  test('reads rows with quoted commas, escaped quotes and a note over two lines', () => {
    const text = [
      HEADER,
      `1795000000000,round_win,SEN,${ASSET},1-0,1,"Ascent, attack"`,
      `1795000095000,clutch,PRX,${ASSET},1-1,1,"1v3 by ""f0rsakeN""`,
      'then a defuse"',
    ].join('\n')
    const events = parseGameEventsCsv(text)
    expect(events).toEqual([
      {
        market: null,
        assetId: ASSET,
        type: 'round_win',
        team: 'SEN',
        player: null,
        score: '1-0',
        mapNumber: 1,
        note: 'Ascent, attack',
        ts: 1_795_000_000_000,
        tsVideo: null,
        source: 'csv',
      },
      expect.objectContaining({ type: 'clutch', note: '1v3 by "f0rsakeN"\nthen a defuse' }),
    ])
  })

  test('accepts a BOM, CRLF, blank lines, columns in any order and the optional columns', () => {
    const text =
      '\uFEFFnote,type,ts_ms,market,player,ts_video_ms,source\r\n' +
      '\r\n' +
      `paused,tech_pause,1795000000000,${MARKET},,125000,vod_review\r\n` +
      '\r\n\r\n'
    expect(parseGameEventsCsv(text)).toEqual([
      {
        market: MARKET,
        assetId: null,
        type: 'tech_pause',
        team: null,
        player: null,
        score: null,
        mapNumber: null,
        note: 'paused',
        ts: 1_795_000_000_000,
        tsVideo: 125_000,
        source: 'vod_review',
      },
    ])
  })

  test('the market and asset options fill rows that have none', () => {
    const events = parseGameEventsCsv(`${HEADER}\n1795000000000,goal,VGK,,1-0,,`, {
      market: MARKET,
      assetId: ASSET,
    })
    expect([events[0]?.market, events[0]?.assetId]).toEqual([MARKET, ASSET])
  })

  test('lists every bad row by line number, counting the lines of a multi-line note', () => {
    const text = [
      HEADER, // line 1
      `1795000000000,rnd_win,SEN,${ASSET},1-0,1,`, // 2
      `1795000095000,round_win,SEN,${ASSET},2-0,1,"two`, // 3
      'lines"', // 4
      `1795000190000,round_win,SEN,${ASSET},2-0,1,ok`, // 5
      '', // 6
      `1795000290000,round_win,SEN,,3-0,x,`, // 7
      `1795000380000,round_win,SEN,${ASSET},3-1`, // 8
    ].join('\n')
    expect(problemsOf(text)).toEqual([
      {
        line: 2,
        message: `type "rnd_win" is not one of ${GAME_EVENT_TYPES.join(', ')} (use custom with a note for anything else)`,
      },
      { line: 7, message: 'map "x" is not a map number from 1 to 99' },
      {
        line: 7,
        message: 'market or asset_id is required: the condition id or the token id it concerns',
      },
      {
        line: 8,
        message: '5 fields, the header has 7; quote fields that contain commas',
      },
    ])
    expect(() => parseGameEventsCsv(text)).toThrow(
      /^3 rows are invalid, nothing was imported:\n {2}line 2: type "rnd_win"/,
    )
  })

  test('a file of many bad rows keeps them all, and the message shows the first 200', () => {
    const text = `${HEADER}\n${'1795000000000,rnd,,1,,,\n'.repeat(250)}`
    let error: GameEventsCsvError | undefined
    try {
      parseGameEventsCsv(text)
    } catch (e) {
      error = e as GameEventsCsvError
    }
    expect(error?.problems).toHaveLength(250)
    expect(error?.problems[249]?.line).toBe(251)
    const lines = error?.message.split('\n') ?? []
    expect([lines[0], lines[200], lines[201], lines.length]).toEqual([
      '250 rows are invalid, nothing was imported:',
      expect.stringMatching(/^ {2}line 201: type "rnd"/) as unknown,
      '  … and 50 more problems (all are in `problems`)',
      202,
    ])
  })

  test('one bad row is reported in the singular', () => {
    expect(() => parseGameEventsCsv(`${HEADER}\n1,goal,,${ASSET},,,`)).toThrow(
      /^a row is invalid, nothing was imported:\n {2}line 2: ts_ms "1" is not epoch milliseconds/,
    )
  })

  test('header problems: unknown, repeated and missing columns', () => {
    expect(problemsOf('ts_ms,type,colour,team,team\n1795000000000,goal,red,a,b')).toEqual([
      {
        line: 1,
        message:
          'unknown column "colour"; the columns are ts_ms, type, team, asset_id, market, player, score, map, note, ts_video_ms, source',
      },
      { line: 1, message: 'column team appears more than once' },
    ])
    expect(problemsOf('time,kind\n1,goal')).toEqual([
      expect.objectContaining({
        message:
          'unknown columns "time", "kind"; the columns are ts_ms, type, team, asset_id, market, player, score, map, note, ts_video_ms, source',
      }),
      {
        line: 1,
        message:
          'the header lacks ts_ms, type; expected a header like ts_ms,type,team,asset_id,score,map,note',
      },
    ])
  })

  test('an empty file, a header alone, and too many rows are refused', () => {
    expect(problemsOf('')).toEqual([
      {
        line: 1,
        message:
          'the file is empty; expected a header like ts_ms,type,team,asset_id,score,map,note',
      },
    ])
    expect(problemsOf('\n\r\n')[0]?.message).toMatch(/the file is empty/)
    expect(problemsOf(`${HEADER}\n\n`)).toEqual([
      { line: 1, message: 'the file has a header but no event rows' },
    ])
    const many = `${HEADER}\n${'1795000000000,goal,,1,,,\n'.repeat(100_001)}`
    expect(problemsOf(many)[0]?.message).toBe(
      'the file has 100001 rows; at most 100000 per import, split it',
    )
  })

  test('broken quoting is reported with its line', () => {
    expect(problemsOf(`${HEADER}\n1795000000000,goal,,1,,,"never closed\nmore`)).toEqual([
      { line: 2, message: 'a quoted field is never closed (missing ")' },
    ])
    expect(problemsOf(`${HEADER}\n1795000000000,goal,"VGK"x,1,,,`)).toEqual([
      { line: 2, message: 'text after a closing quote; quote the whole field and double any "' },
    ])
  })

  test('the example file for users parses', () => {
    const text = readFileSync(
      new URL('../../../examples/events/valorant-sample.csv', import.meta.url),
      'utf8',
    )
    const events = parseGameEventsCsv(text, { market: MARKET })
    expect(events).toHaveLength(12)
    expect(new Set(events.map((e) => e.type)).size).toBe(11)
    expect(events[3]?.note).toBe('1v3 clutch by "zekken"')
  })

  test('any events written as CSV with quoting read back equal', () => {
    const quote = (value: string | number | null): string => {
      if (value === null) return ''
      const text = String(value)
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
    }
    const text = (max: number) =>
      fc.option(
        fc
          .string({
            unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', 'é'),
            maxLength: max,
          })
          .filter((s) => s.trim() === s && s.length > 0),
        { nil: null },
      )
    const arbEvent: fc.Arbitrary<GameEvent> = fc.record({
      market: fc.constant(null),
      assetId: fc.stringMatching(/^[0-9]{1,78}$/).map((s) => s as TokenId),
      type: fc.constantFrom(...GAME_EVENT_TYPES),
      team: text(12),
      player: text(12),
      score: fc.option(
        fc.tuple(fc.nat(30), fc.nat(30)).map(([a, b]) => `${a}-${b}`),
        { nil: null },
      ),
      mapNumber: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      note: text(40),
      ts: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }).map((n) => n as EpochMs),
      tsVideo: fc.option(fc.nat(1_000_000), { nil: null }),
      source: fc.constant('csv'),
    })
    fc.assert(
      fc.property(
        fc.array(arbEvent, { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (events, crlf) => {
          const eol = crlf ? '\r\n' : '\n'
          const lines = events.map((e) =>
            [e.note, e.type, e.ts, e.team, e.player, e.assetId, e.score, e.mapNumber, e.tsVideo]
              .map(quote)
              .join(','),
          )
          const csv = ['note,type,ts_ms,team,player,asset_id,score,map,ts_video_ms', ...lines].join(
            eol,
          )
          expect(parseGameEventsCsv(csv)).toEqual(events)
        },
      ),
    )
  })
})

describe('looksLikeEventsCsv', () => {
  test('knows an events header from the ESPN one and from anything else', () => {
    expect(looksLikeEventsCsv(`\uFEFF${HEADER}\r\n1,goal`)).toBe(true)
    expect(looksLikeEventsCsv('TYPE,TS_MS')).toBe(true)
    expect(looksLikeEventsCsv('ts_ms,event_id,period,type')).toBe(false)
    expect(looksLikeEventsCsv('timestamp,price')).toBe(false)
  })
})
