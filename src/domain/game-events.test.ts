import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { GAME_EVENT_FIELDS } from './game-events.js'
import {
  GAME_EVENT_TYPES,
  MAX_EVENT_TS_MS,
  MIN_EVENT_TS_MS,
  isGameEventType,
  validateGameEvent,
  type GameEvent,
  type GameEventValidation,
} from './game-events.js'
import type { MarketId, TokenId } from './market.js'
import type { EpochMs } from './units.js'

const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const ASSET =
  '71321045679252212594626385532706912750332728571942532289631379312455583992563' as TokenId

function errorsOf(result: GameEventValidation): string[] {
  return result.ok ? [] : result.errors
}

describe('validateGameEvent', () => {
  test('accepts a full body and maps snake_case to the event', () => {
    const result = validateGameEvent({
      ts_ms: 1_795_000_000_000,
      type: 'round_win',
      team: ' SEN ',
      asset_id: ASSET,
      market: MARKET,
      player: 'zekken',
      score: '7-5',
      map: 2,
      note: 'retake on B',
      ts_video_ms: 3_605_250,
      source: 'hotkey',
    })
    expect(result).toEqual({
      ok: true,
      event: {
        market: MARKET,
        assetId: ASSET,
        type: 'round_win',
        team: 'SEN',
        player: 'zekken',
        score: '7-5',
        mapNumber: 2,
        note: 'retake on B',
        ts: 1_795_000_000_000,
        tsVideo: 3_605_250,
        source: 'hotkey',
      },
    })
  })

  test('fills market, asset and source from the defaults; empty values are absent', () => {
    const result = validateGameEvent(
      { ts_ms: '1795000000000', type: 'goal', team: '', score: null, map: '' },
      { market: MARKET, assetId: ASSET, source: 'csv' },
    )
    expect(result).toEqual({
      ok: true,
      event: {
        market: MARKET,
        assetId: ASSET,
        type: 'goal',
        team: null,
        player: null,
        score: null,
        mapNumber: null,
        note: null,
        ts: 1_795_000_000_000,
        tsVideo: null,
        source: 'csv',
      },
    })
  })

  test('values in the body win over the defaults; source defaults to api', () => {
    const other = `0x${'cd'.repeat(32)}` as MarketId
    const result = validateGameEvent(
      { ts_ms: 1_795_000_000_000, type: 'ace', market: other },
      { market: MARKET },
    )
    expect(result.ok && [result.event.market, result.event.source]).toEqual([other, 'api'])
  })

  test('reports every bad field at once, each naming the field and what is expected', () => {
    const errors = errorsOf(
      validateGameEvent({
        ts_ms: 1_795_000_000,
        type: 'rnd_win',
        team: 7,
        asset_id: 123,
        market: '0x12',
        score: '7:5',
        map: 0,
        note: 'x'.repeat(2_001),
        ts_video_ms: -1,
        source: 'Hot Key',
        colour: 'red',
      }),
    )
    expect(errors).toEqual([
      'unknown field "colour"; expected only ts_ms, type, team, asset_id, market, player, score, map, note, ts_video_ms, source',
      'ts_ms 1795000000 is not epoch milliseconds between 2000 and 2100 (seconds must be multiplied by 1000)',
      `type "rnd_win" is not one of ${GAME_EVENT_TYPES.join(', ')} (use custom with a note for anything else)`,
      'market "0x12" is not a condition id (0x followed by 64 hex digits)',
      'asset_id 123 is not a token id (a decimal string of up to 100 digits)',
      'team 7 is not text',
      'score "7:5" is not a score like "7-5" (two whole numbers and a dash)',
      'map 0 is not a map number from 1 to 99',
      'note is 2001 characters long; at most 2000 are allowed',
      'ts_video_ms -1 is not a position in the video in whole milliseconds (0 to 12 hours)',
      'source "Hot Key" is not a lower_snake_case source name of up to 32 characters',
    ])
  })

  test('requires ts_ms, type and one of market and asset_id', () => {
    expect(errorsOf(validateGameEvent({}))).toEqual([
      'ts_ms is required: the event time in epoch milliseconds (venue clock)',
      `type is required: one of ${GAME_EVENT_TYPES.join(', ')}`,
      'market or asset_id is required: the condition id or the token id it concerns',
    ])
  })

  test('a malformed market is reported once, not also as missing', () => {
    expect(
      errorsOf(validateGameEvent({ ts_ms: MIN_EVENT_TS_MS, type: 'goal', market: 'nope' })),
    ).toEqual(['market "nope" is not a condition id (0x followed by 64 hex digits)'])
  })

  test('rejects a body that is not an object', () => {
    for (const body of [null, [], 'round_win', 3]) {
      expect(errorsOf(validateGameEvent(body))).toEqual([
        expect.stringMatching(
          /^the event must be a JSON object with fields ts_ms, type/,
        ) as unknown,
      ])
    }
  })

  test('ts_ms bounds, fractions and non-digit strings', () => {
    const tsError = (ts: unknown) =>
      errorsOf(validateGameEvent({ ts_ms: ts, type: 'goal', asset_id: ASSET }))
    expect(tsError(MIN_EVENT_TS_MS)).toEqual([])
    expect(tsError(MAX_EVENT_TS_MS - 1)).toEqual([])
    for (const bad of [MIN_EVENT_TS_MS - 1, MAX_EVENT_TS_MS, 1.5e12 + 0.5, '1.8e12', '-1', true]) {
      expect(tsError(bad)).toHaveLength(1)
    }
  })

  test('long text is shortened in the message', () => {
    const errors = errorsOf(
      validateGameEvent({ ts_ms: MIN_EVENT_TS_MS, type: 'x'.repeat(60), asset_id: ASSET }),
    )
    expect(errors[0]).toMatch(/^type "x{40}…" is not one of/)
  })

  test('the type list holds the SPEC 2.3 types and the traditional-sports ones', () => {
    for (const type of ['round_win', 'eco_round', 'tech_pause', 'custom', 'goal', 'period_end']) {
      expect(isGameEventType(type)).toBe(true)
    }
    expect(isGameEventType('Round_Win')).toBe(false)
    expect(new Set(GAME_EVENT_TYPES).size).toBe(GAME_EVENT_TYPES.length)
  })

  test('any valid event survives a trip through its snake_case form', () => {
    const text = (max: number) =>
      fc.option(
        fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim() === s && s.length > 0),
        { nil: null },
      )
    const arbEvent: fc.Arbitrary<GameEvent> = fc
      .record({
        market: fc.option(fc.constant(MARKET), { nil: null }),
        assetId: fc.option(fc.stringMatching(/^[0-9]{1,80}$/), { nil: null }),
        type: fc.constantFrom(...GAME_EVENT_TYPES),
        team: text(20),
        player: text(20),
        score: fc.option(
          fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `${a}-${b}`),
          { nil: null },
        ),
        mapNumber: fc.option(fc.integer({ min: 1, max: 99 }), { nil: null }),
        note: text(200),
        ts: fc.integer({ min: MIN_EVENT_TS_MS, max: MAX_EVENT_TS_MS - 1 }),
        tsVideo: fc.option(fc.integer({ min: 0, max: 43_200_000 }), { nil: null }),
        source: fc.constantFrom('api', 'csv', 'hotkey'),
      })
      .filter((e) => e.market !== null || e.assetId !== null)
      .map((e) => ({ ...e, assetId: e.assetId as TokenId | null, ts: e.ts as EpochMs }))
    fc.assert(
      fc.property(arbEvent, (event) => {
        const body: Record<(typeof GAME_EVENT_FIELDS)[number], unknown> = {
          ts_ms: event.ts,
          type: event.type,
          team: event.team,
          asset_id: event.assetId,
          market: event.market,
          player: event.player,
          score: event.score,
          map: event.mapNumber,
          note: event.note,
          ts_video_ms: event.tsVideo,
          source: event.source,
        }
        expect(validateGameEvent(body)).toEqual({ ok: true, event })
      }),
    )
  })
})
