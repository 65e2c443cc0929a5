import { describe, expect, test } from 'vitest'
import type { DashboardEvent } from '../state/dashboard-store.js'
import {
  MAX_VIDEO_MS,
  draftEvent,
  draftProblems,
  eventBody,
  isPending,
  lastScoreAndMap,
  stampTimes,
  storedEvent,
  teamsFromLabel,
} from './stamping.js'

const MARKET = `0x${'ab'.repeat(32)}`
const OFFSET = 1_780_795_145_500

describe('stampTimes', () => {
  test('a playing video with a known offset stamps at video time + offset', () => {
    expect(stampTimes({ ms: 754_500, playing: true }, OFFSET, 1)).toEqual({
      ok: true,
      tsMs: 1_780_795_900_000,
      tsVideoMs: 754_500,
    })
  })

  test('otherwise the store time, with video time = t − offset when calibrated', () => {
    const t = 1_780_795_900_000
    expect(stampTimes({ ms: 754_500, playing: false }, OFFSET, t)).toEqual({
      ok: true,
      tsMs: t,
      tsVideoMs: 754_500,
    })
    expect(stampTimes({ ms: 754_500, playing: true }, null, t)).toEqual({
      ok: true,
      tsMs: t,
      tsVideoMs: null,
    })
    expect(stampTimes(null, null, t + 0.4)).toEqual({ ok: true, tsMs: t, tsVideoMs: null })
  })

  test('a video time outside 0..12 h is left out', () => {
    expect(stampTimes(null, OFFSET, OFFSET - 1)).toMatchObject({ tsVideoMs: null })
    expect(stampTimes(null, OFFSET, OFFSET + MAX_VIDEO_MS + 1)).toMatchObject({ tsVideoMs: null })
    expect(stampTimes(null, OFFSET, OFFSET + MAX_VIDEO_MS)).toMatchObject({
      tsVideoMs: MAX_VIDEO_MS,
    })
  })

  test('no market time and no playing calibrated video: an error that says what to do', () => {
    const result = stampTimes({ ms: 5, playing: false }, OFFSET, null)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(/open a capture/)
  })
})

describe('drafts and bodies', () => {
  const draft = { type: 'round_win', team: ' SEN ', score: '7-5', map: '2', note: '' }

  test('the draft becomes a pending store event and the POST body (source hotkey)', () => {
    const event = draftEvent(draft, { tsMs: 1_000, tsVideoMs: 50 }, MARKET, '123', -1)
    expect(event).toEqual({
      id: -1,
      tsMs: 1_000,
      tsVideoMs: 50,
      type: 'round_win',
      team: 'SEN',
      score: '7-5',
      map: '2',
      note: null,
      market: MARKET,
      assetId: null,
    })
    expect(isPending(event)).toBe(true)
    expect(eventBody(event)).toEqual({
      ts_ms: 1_000,
      type: 'round_win',
      market: MARKET,
      team: 'SEN',
      score: '7-5',
      map: 2,
      note: null,
      ts_video_ms: 50,
      source: 'hotkey',
    })
  })

  test('without a market the token is sent; empty fields are null', () => {
    const event = draftEvent(
      { type: 'ace', team: null, score: ' ', map: '', note: 'x' },
      { tsMs: 1, tsVideoMs: null },
      null,
      '123',
      -2,
    )
    expect(eventBody(event)).toEqual({
      ts_ms: 1,
      type: 'ace',
      asset_id: '123',
      team: null,
      score: null,
      map: null,
      note: 'x',
      ts_video_ms: null,
      source: 'hotkey',
    })
  })

  test('the stored answer becomes a store event; stored ids are not pending', () => {
    const stored = storedEvent(7, {
      ts_ms: 1,
      type: 'ace',
      market: MARKET,
      asset_id: null,
      team: 'SEN',
      score: null,
      map: 3,
      note: null,
      ts_video_ms: 9,
    })
    expect(stored).toMatchObject({ id: 7, map: '3', tsVideoMs: 9, market: MARKET })
    expect(isPending(stored)).toBe(false)
    expect(isPending({ ...stored, id: null })).toBe(false)
  })

  test.each([
    [{ score: '7-5', map: '1' }, []],
    [{ score: '', map: '' }, []],
    [{ score: '7:5', map: '1' }, ['score "7:5" must look like 7-5']],
    [{ score: '7-5', map: '0' }, ['map "0" must be a number from 1 to 99']],
    [
      { score: 'x', map: 'two' },
      ['score "x" must look like 7-5', 'map "two" must be a number from 1 to 99'],
    ],
  ])('draftProblems(%j)', (fields, problems) => {
    expect(draftProblems(fields)).toEqual(problems)
  })
})

describe('teams and prefill', () => {
  test.each([
    ['Fnatic vs Sentinels', ['Fnatic', 'Sentinels']],
    ['Valorant: FNC vs. SEN (BO3)', ['FNC', 'SEN']],
    ['T1 v Gen.G - Map 2', ['T1', 'Gen.G']],
    ['LoL: T1 versus G2?', ['T1', 'G2']],
    ['Valorant: Gen.G vs Leviatan - Map 1 Winner', ['Gen.G', 'Leviatan']],
  ])('teamsFromLabel(%j)', (label, teams) => {
    expect(teamsFromLabel(label)).toEqual(teams)
  })

  test.each([null, 'Will Fnatic win?', 'val-fnc-sen', 'A vs A'])(
    'teamsFromLabel(%j) is null',
    (label) => {
      expect(teamsFromLabel(label)).toBeNull()
    },
  )

  test('score and map prefill from the newest events that have them', () => {
    const base: DashboardEvent = {
      id: 1,
      tsMs: 1,
      tsVideoMs: null,
      type: 'round_win',
      team: null,
      score: '1-0',
      map: '1',
      note: null,
      market: MARKET,
      assetId: null,
    }
    expect(lastScoreAndMap([])).toEqual({ score: null, map: null })
    expect(
      lastScoreAndMap([
        base,
        { ...base, score: '2-0', map: null },
        { ...base, score: null, map: null },
      ]),
    ).toEqual({ score: '2-0', map: '1' })
  })
})
