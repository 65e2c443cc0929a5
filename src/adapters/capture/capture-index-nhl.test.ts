/**
 * The real NHL recording (test/fixtures/real/clob-nhl-scf-g4-2026-06-07), imported into a
 * capture of two files: seeks anywhere, in any order, give exactly the replay's state, and
 * playing forward from a seek does too.
 */
import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { PlaybackSession } from '../../engine/playback/playback-session.js'
import { importFile } from '../importers/import-run.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { buildCaptureIndex, type CaptureIndex } from './capture-index.js'
import {
  describeMarket,
  firstDifference,
  replayStatesAt,
  verifyCaptureIndex,
} from './capture-index-verify.js'
import { listCaptureFiles } from './capture-reader.js'

const PARSER = polymarketFrameParser
const DATA = join(import.meta.dirname, '../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07')
const FILES = ['polymarket_ticks_20260607_0130.parquet', 'polymarket_ticks_20260607_0145.parquet']

let dir: string
let index: CaptureIndex
let clocks: readonly number[]
/** Clock of the last frame of the first file and of the first frame of the second. */
let boundary: [number, number]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-idx-nhl-'))
  for (const file of FILES) await importFile(join(DATA, file), { outDir: dir })
  index = await buildCaptureIndex(dir)
  clocks = (await replayStatesAt(index.location.files, [], PARSER)).clocks
  const files = await listCaptureFiles(dir)
  const firstFile = (await replayStatesAt([files[0]!], [], PARSER)).clocks
  const last = firstFile[firstFile.length - 1]!
  boundary = [last, clocks.find((c) => c > last)!]
}, 120_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('NHL capture playback', () => {
  test('the index covers the whole recording', () => {
    const summary = index.header.summary
    expect(index.location.files).toHaveLength(2)
    expect(summary.frames).toBe(139_330)
    expect(summary.trades).toBe(838)
    expect(summary.checkpoints).toBeGreaterThan(100)
    expect(summary.firstClock).toBe(clocks[0])
    expect(summary.lastClock).toBe(clocks[clocks.length - 1])
    expect(index.trades.length).toBe(838)
  })

  test('seeks anywhere, in any order, give the replay state (seeded property)', async () => {
    const first = clocks[0]!
    const last = clocks[clocks.length - 1]!
    const exact = fc
      .integer({ min: 0, max: clocks.length - 1 })
      .chain((i) => fc.constantFrom(clocks[i]!, clocks[i]! - 1))
    const near = fc.constantFrom(boundary[0], boundary[0] + 1, boundary[1] - 1, boundary[1])
    const checkpoint = fc
      .integer({ min: 1, max: index.checkpointClocks.length - 1 })
      .map((i) => index.checkpointClocks[i]!)
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.integer({ min: first - 3000, max: last + 3000 }), exact, near, checkpoint),
          { minLength: 20, maxLength: 40 },
        ),
        async (times) => {
          const result = await verifyCaptureIndex(index, times, PARSER)
          expect(result.mismatches).toEqual([])
        },
      ),
      { seed: 20260607, numRuns: 3 },
    )
  }, 120_000)

  test('playing forward from a seek follows the replay, with every event heard once', async () => {
    const start = clocks[Math.floor(clocks.length * 0.4)]!
    const steps = [start, start + 250, start + 1000, start + 7_500, start + 31_000, start + 95_000]
    const reference = await replayStatesAt(index.location.files, steps, PARSER)
    let heard = 0
    const session = await PlaybackSession.open(index, PARSER, {
      listener: { onEvent: () => heard++ },
    })
    await session.seek(steps[0]!)
    expect(heard).toBe(0)
    for (let i = 1; i < steps.length; i++) {
      const before = session.market.counters.events
      const heardBefore = heard
      const result = await session.advance(steps[i]!)
      expect(result.tVenueMs).toBe(steps[i])
      const now = describeMarket(session.market, reference.assets)
      expect(firstDifference(reference.states[i], now)).toBeNull()
      expect(heard - heardBefore).toBe(session.market.counters.events - before)
      expect(result.frames).toBeGreaterThan(0)
    }
    await session.close()
  })

  test('the trades returned with a seek are the last ones before it', async () => {
    const session = await PlaybackSession.open(index, PARSER, { tradesLimit: 5 })
    const t = clocks[Math.floor(clocks.length * 0.7)]!
    const view = await session.seek(t)
    expect(view.trades).toHaveLength(5)
    for (const trade of view.trades) expect(trade.clock).toBeLessThanOrEqual(t)
    const after = index.trades.countUpTo(t)
    expect(view.trades[4]).toEqual(index.trades.at(after - 1))
    // The replay's own statistics agree with the last trade of its asset.
    const last = view.trades[4]!
    expect(view.market.tradeStats(last.assetId)?.lastTs).toBe(last.tsVenue)
    await session.close()
  })
})
