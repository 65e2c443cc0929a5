import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetMetadata, parquetRead } from 'hyparquet'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { importFile } from '../../adapters/importers/import-run.js'
import { openStore } from '../../adapters/storage/store.js'
import type { GameEvent } from '../../domain/game-events.js'
import type { TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import { UsageError, type CliIO } from '../cli-io.js'
import { parseOffsets, studyCommand } from './study.js'

const M1 = `0x${'1'.repeat(64)}`
const M2 = `0x${'2'.repeat(64)}`
const A = '1001'
const B = '2002'
const T0 = 1_780_000_000_000

type Run = { code: number; stdout: string; stderr: string }

async function study(args: string[], cwd: string): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const io: CliIO = {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as CliIO['stdout'],
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as CliIO['stderr'],
    cwd,
    stderrIsTTY: false,
  }
  try {
    return { code: await studyCommand.run(args, io), stdout, stderr }
  } catch (e) {
    // What cli.ts does with a thrown error: usage errors exit 2, others 1.
    return { code: e instanceof UsageError ? 2 : 1, stdout, stderr: stderr + (e as Error).message }
  }
}

/** Two markets: each token's best bid steps up 0.01 every 10 s from 0.40; best ask 0.90. */
function syntheticFrames(): string {
  const lines: string[] = []
  for (const [asset, market] of [
    [A, M1],
    [B, M2],
  ] as const) {
    lines.push(
      JSON.stringify({
        event_type: 'book',
        asset_id: asset,
        market,
        timestamp: String(T0),
        hash: 'h',
        bids: [{ price: '0.4', size: '100' }],
        asks: [{ price: '0.9', size: '100' }],
      }),
    )
  }
  for (let s = 10; s <= 120; s += 10) {
    for (const [asset, market] of [
      [A, M1],
      [B, M2],
    ] as const) {
      const bid = (0.4 + s / 1000).toFixed(2)
      lines.push(
        JSON.stringify({
          event_type: 'price_change',
          market,
          timestamp: String(T0 + s * 1000),
          price_changes: [
            {
              asset_id: asset,
              price: bid,
              side: 'BUY',
              size: '10',
              hash: 'h',
              best_bid: bid,
              best_ask: '0.9',
            },
          ],
        }),
      )
    }
    lines.push(
      JSON.stringify({
        event_type: 'last_trade_price',
        asset_id: A,
        market: M1,
        price: '0.9',
        side: s % 20 === 0 ? 'BUY' : 'SELL',
        size: String(s),
        fee_rate_bps: '0',
        timestamp: String(T0 + s * 1000 + 1),
      }),
    )
  }
  return `${lines.join('\n')}\n`
}

/** Mid of the synthetic book at whole-10-second step `s`. */
const midAt = (s: number): number => (0.4 + s / 1000 + 0.9) / 2

const EVENTS_CSV =
  'ts_ms,type,team,asset_id\n' +
  `${T0 + 50_000},goal,AAA,${A}\n` +
  `${T0 + 55_000},goal,BBB,${B}\n` +
  `${T0 + 40_000},timeout,AAA,${A}\n`

let dir = ''

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-study-'))
  await writeFile(join(dir, 'frames.ndjson'), syntheticFrames())
  await writeFile(join(dir, 'events.csv'), EVENTS_CSV)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('study on synthetic data', () => {
  test('JSON: mids at each offset by the boundary rule, moves, hit rates, intervals', async () => {
    const r = await study(
      ['frames.ndjson', '--events', 'events.csv', '--offsets=-10,0,5,10,30', '--json'],
      dir,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      events: { ts: number; type: string; asset_id: string; mid: Record<string, number> }[]
      by_type: {
        type: string
        count: number
        clusters: number
        horizons: {
          offset_s: number
          n: number
          mean_move: number
          mean_ci: { low: number | null; high: number | null }
          ci_reason: string | null
          hit_rate: number
        }[]
      }[]
    }
    // Sorted by time: timeout (40 s), goal A (50 s), goal B (55 s).
    expect(doc.events.map((e) => e.type)).toEqual(['timeout', 'goal', 'goal'])
    const goalA = doc.events[1]!
    expect(goalA.asset_id).toBe(A)
    // Boundaries 40 s, 49.999 s, 55 s, 60 s, 80 s -> steps 40, 40, 50, 60, 80.
    expect(goalA.mid['-10']).toBeCloseTo(midAt(40), 12)
    expect(goalA.mid['0']).toBeCloseTo(midAt(40), 12)
    expect(goalA.mid['5']).toBeCloseTo(midAt(50), 12)
    expect(goalA.mid['10']).toBeCloseTo(midAt(60), 12)
    expect(goalA.mid['30']).toBeCloseTo(midAt(80), 12)
    const goalB = doc.events[2]!
    // Boundaries 45 s, 54.999 s, 60 s, 65 s, 85 s -> steps 40, 50, 60, 60, 80.
    expect(goalB.mid['-10']).toBeCloseTo(midAt(40), 12)
    expect(goalB.mid['0']).toBeCloseTo(midAt(50), 12)
    expect(goalB.mid['5']).toBeCloseTo(midAt(60), 12)

    const goal = doc.by_type.find((t) => t.type === 'goal')!
    expect(goal).toMatchObject({ count: 2, clusters: 2 })
    const plus10 = goal.horizons.find((h) => h.offset_s === 10)!
    // Moves: A 0.01 (60 vs 40) / 2 = 0.01; B (60 vs 50) = 0.005.
    expect(plus10.n).toBe(2)
    expect(plus10.mean_move).toBeCloseTo((0.01 + 0.005) / 2, 12)
    expect(plus10.hit_rate).toBe(1)
    expect(plus10.mean_ci.low).toBeCloseTo(0.005, 12)
    expect(plus10.mean_ci.high).toBeCloseTo(0.01, 12)
    expect(plus10.ci_reason).toBeNull()
    const minus10 = goal.horizons.find((h) => h.offset_s === -10)!
    // A: 0 (no move before), B: mid rose 40 -> 50 before the event: a pre-event hit.
    expect(minus10.hit_rate).toBe(0.5)
    const timeout = doc.by_type.find((t) => t.type === 'timeout')!
    expect(timeout.horizons[0]!.ci_reason).toMatch(/only 1 match/)
    expect(timeout.horizons[0]!.mean_ci).toEqual({ low: null, high: null })
  })

  test('trade flow in the JSON: net taker shares between offset 0 and the offset', async () => {
    const r = await study(['frames.ndjson', '--events', 'events.csv', '--json'], dir)
    const doc = JSON.parse(r.stdout) as {
      events: { type: string; trade_net_shares: Record<string, number | null> }[]
    }
    const goalA = doc.events[1]!
    // Trades on A at s + 1 ms: 10 sell, 20 buy, 30 sell, 40 buy, 50 sell, 60 buy, ...
    // +10 s window [50 s, 60 s]: the trade at 50.001 s (sell 50); 60.001 s is past 60 s.
    expect(goalA.trade_net_shares['10']).toBe(-50)
    // −10 s window (40 s, 50 s): the trade at 40.001 s (buy 40).
    expect(goalA.trade_net_shares['-10']).toBe(40)
    // −30 s window (20 s, 50 s): buy 20 at 20.001 s, sell 30, buy 40.
    expect(goalA.trade_net_shares['-30']).toBe(20 - 30 + 40)
  })

  test('text table by default, and the same figures for the same seed', async () => {
    const one = await study(['frames.ndjson', '--events', 'events.csv'], dir)
    const two = await study(['frames.ndjson', '--events', 'events.csv'], dir)
    expect(one.code).toBe(0)
    expect(one.stdout).toBe(two.stdout)
    expect(one.stdout).toMatch(/goal: 2 event\(s\), 2 measured, 2 match\(es\)/)
    expect(one.stdout).toMatch(/\+10 s\s+2\s+\+0\.0075\s+\[\+0\.0050, \+0\.0100\]/)
    expect(one.stdout).toMatch(/timeout: 1 event\(s\)/)
    expect(one.stdout).toMatch(/no confidence interval: only 1 match/)
  })

  test('--html writes a self-contained page with an inline SVG plot', async () => {
    const r = await study(['frames.ndjson', '--events', 'events.csv', '--html', 'out.html'], dir)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/wrote .*out\.html/)
    const html = await readFile(join(dir, 'out.html'), 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<svg')
    expect(html).toContain('<polyline')
    // No external assets: no src= and no link other than the SVG namespace.
    expect(html).not.toMatch(/\ssrc=|<link|<script/)
    expect(html.replace('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//)
  })

  test('--type and --team-asset select and map events', async () => {
    await writeFile(
      join(dir, 'teams.csv'),
      `ts_ms,type,team,market\n${T0 + 50_000},goal,AAA,${M1}\n${T0 + 55_000},goal,ZZZ,${M1}\n`,
    )
    const r = await study(
      [
        'frames.ndjson',
        '--events',
        'teams.csv',
        '--team-asset',
        `AAA=${A}`,
        '--type',
        'goal',
        '--json',
      ],
      dir,
    )
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      events: { asset_id: string | null; status: string }[]
      notes: string[]
    }
    expect(doc.events.map((e) => [e.asset_id, e.status])).toEqual([
      [A, 'measured'],
      [null, 'no_asset'],
    ])
    expect(doc.notes.join(' ')).toMatch(/1 event\(s\) name no token/)
  })

  test('events from the database (--events db)', async () => {
    const url = `sqlite:${join(dir, 'events.sqlite')}`
    const store = await openStore({ databaseUrl: url })
    const event: GameEvent = {
      market: null,
      assetId: A as TokenId,
      type: 'goal',
      team: 'AAA',
      player: null,
      score: '1-0',
      mapNumber: null,
      note: null,
      ts: (T0 + 50_000) as EpochMs,
      tsVideo: null,
      source: 'api',
    }
    await store.insertGameEvents([event])
    await store.close()
    const r = await study(['frames.ndjson', '--events', 'db', '--database-url', url, '--json'], dir)
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout) as { events: { mid: Record<string, number> }[] }
    expect(doc.events).toHaveLength(1)
    expect(doc.events[0]!.mid['10']).toBeCloseTo(midAt(60), 12)
  })
})

describe('study errors', () => {
  test.each([
    [['frames.ndjson'], /--events <csv-file\|db> is required/],
    [['--events', 'events.csv'], /name at least one capture/],
    [['frames.ndjson', '--events', 'events.csv', '--offsets', '-30,0'], /ambiguous|--offsets/],
    [['frames.ndjson', '--events', 'events.csv', '--offsets=5,10'], /must include 0/],
    [['frames.ndjson', '--events', 'events.csv', '--offsets=0,x'], /"x" is not a number/],
    [['frames.ndjson', '--events', 'events.csv', '--seed=-1'], /--seed must be a whole number/],
    [['frames.ndjson', '--events', 'events.csv', '--resamples', '0'], /--resamples must be/],
    [['frames.ndjson', '--events', 'events.csv', '--team-asset', 'VGK'], /TEAM=TOKEN_ID/],
    [['frames.ndjson', '--events', 'events.csv', '--market', 'abc'], /condition id/],
  ])('usage error for %j', async (args, message) => {
    const r = await study(args, dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  test('parseOffsets sorts and validates', () => {
    expect(parseOffsets('10,-30,0')).toEqual([-30, 0, 10])
    expect(() => parseOffsets('0')).toThrow(/besides 0/)
    expect(() => parseOffsets('0,5,5')).toThrow(/given twice/)
  })

  test('a missing events file', async () => {
    const r = await study(['frames.ndjson', '--events', 'nope.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/cannot read the events file "nope.csv"/)
  })

  test('a missing recording', async () => {
    const r = await study(['missing.ndjson', '--events', 'events.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/missing\.ndjson/)
  })

  test('an events file of an unknown format', async () => {
    await writeFile(join(dir, 'other.csv'), 'a,b\n1,2\n')
    const r = await study(['frames.ndjson', '--events', 'other.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/neither a game events CSV .* nor an ESPN NHL scoreboard csv/)
  })

  test('a bad events CSV reports the line', async () => {
    await writeFile(join(dir, 'bad.csv'), `ts_ms,type,asset_id\n${T0},goal,${A}\n123,goal,${A}\n`)
    const r = await study(['frames.ndjson', '--events', 'bad.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/line 3/)
  })

  test('no events after filtering', async () => {
    const r = await study(['frames.ndjson', '--events', 'events.csv', '--type', 'ace'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no events to study in events.csv matching type ace/)
  })

  test('events outside the data span', async () => {
    await writeFile(join(dir, 'late.csv'), `ts_ms,type,asset_id\n${T0 + 3_600_000},goal,${A}\n`)
    const r = await study(['frames.ndjson', '--events', 'late.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/none of the 1 events falls inside the data: the recordings span/)
  })

  test('events whose tokens are not in the data', async () => {
    await writeFile(join(dir, 'other-token.csv'), `ts_ms,type,asset_id\n${T0 + 50_000},goal,999\n`)
    const r = await study(['frames.ndjson', '--events', 'other-token.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/none of the events' tokens appears in the recordings/)
  })

  test('events that name no token at all', async () => {
    await writeFile(
      join(dir, 'no-token.csv'),
      `ts_ms,type,team,market\n${T0 + 50_000},goal,X,${M1}\n`,
    )
    const r = await study(['frames.ndjson', '--events', 'no-token.csv'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /none of the 1 events names a token .*--team-asset .*teams in the events: X/,
    )
  })
})

// The real NHL recording (SPEC 2.3): both VGK goals, checked against a hand computation that
// reads the parquet rows directly, without the importer, the parser, the book or the tracker.
const NHL = 'test/fixtures/real/clob-nhl-scf-g4-2026-06-07'
const VGK_TOKEN = '72034199679685605777746108880436699468836661260225341006687916047384310465181'

type Row = {
  ts: number
  kind: string
  side: string
  bid: number
  ask: number
  size: number
  asset: string
}

async function parquetRows(path: string): Promise<Row[]> {
  const bytes = await readFile(path)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const metadata = parquetMetadata(buffer)
  const rows: Row[] = []
  await parquetRead({
    file: buffer,
    metadata,
    columns: ['timestamp', 'event_type', 'side', 'best_bid', 'best_ask', 'size', 'asset_id'],
    rowFormat: 'object',
    parsers: { timestampFromMilliseconds: (ms: bigint) => Number(ms) },
    onComplete: (data) => {
      for (const r of data as unknown as Record<string, unknown>[]) {
        rows.push({
          ts: Number(r.timestamp),
          kind: String(r.event_type),
          side: String(r.side),
          bid: Number(r.best_bid),
          ask: Number(r.best_ask),
          size: Number(r.size),
          asset: String(r.asset_id),
        })
      }
    },
  })
  return rows
}

/** Index of the first row (arrival order) with a timestamp beyond `boundary`, or rows.length. */
function firstBeyond(rows: readonly Row[], boundary: number): number {
  const i = rows.findIndex((r) => r.ts > boundary)
  return i < 0 ? rows.length : i
}

function handMid(rows: readonly Row[], boundary: number): number {
  const end = firstBeyond(rows, boundary)
  for (let i = end - 1; i >= 0; i--) {
    const r = rows[i]!
    if (r.asset === VGK_TOKEN && r.kind === 'PRICE_CHANGE') return (r.bid + r.ask) / 2
  }
  throw new Error('no row')
}

function handNetFlow(rows: readonly Row[], from: number, to: number): number {
  let net = 0
  const end = firstBeyond(rows, to)
  for (let i = firstBeyond(rows, from); i < end; i++) {
    const r = rows[i]!
    if (r.asset === VGK_TOKEN && r.kind === 'LAST_TRADE') net += r.side === 'BID' ? r.size : -r.size
  }
  return net
}

describe('study on the real NHL recording', () => {
  let captures = ''
  let rows: Row[] = []

  beforeAll(async () => {
    captures = join(dir, 'nhl')
    for (const file of [
      'polymarket_ticks_20260607_0130.parquet',
      'polymarket_ticks_20260607_0145.parquet',
    ]) {
      await importFile(join(NHL, file), { outDir: captures })
      rows = rows.concat(await parquetRows(join(NHL, file)))
    }
  }, 60_000)

  afterAll(() => {
    rows = []
  })

  test('goal mids, spread and flow match a hand computation from the parquet rows', async () => {
    const r = await study(
      [captures, '--events', join(process.cwd(), NHL, 'goals.csv'), '--json'],
      dir,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      events: {
        ts: number
        team: string
        mid: Record<string, number>
        spread: Record<string, number>
        depth5: Record<string, number | null>
        trade_net_shares: Record<string, number>
        book_source: Record<string, string>
      }[]
      by_type: {
        type: string
        clusters: number
        horizons: { offset_s: number; mean_move: number; ci_reason: string }[]
      }[]
    }
    expect(doc.events).toHaveLength(2)
    for (const event of doc.events) {
      for (const k of [-30, -10, 0, 5, 10, 30, 60]) {
        const boundary = k === 0 ? event.ts - 1 : event.ts + k * 1000
        expect(event.mid[String(k)]).toBeCloseTo(handMid(rows, boundary), 9)
      }
      // No snapshots in this data: top of book from the venue, depth unknown.
      expect(event.book_source['0']).toBe('venue_top')
      expect(event.depth5['0']).toBeNull()
      expect(event.trade_net_shares['30']).toBeCloseTo(
        handNetFlow(rows, event.ts - 1, event.ts + 30_000),
        6,
      )
      expect(event.trade_net_shares['-30']).toBeCloseTo(
        handNetFlow(rows, event.ts - 30_000, event.ts - 1),
        6,
      )
    }
    // Goal 1 (01:42:59.983): the price had moved 0.505 -> 0.655 before the feed showed it.
    const first = doc.events[0]!
    expect(first.mid['-30']).toBeCloseTo(0.505, 9)
    expect(first.mid['0']).toBeCloseTo(0.655, 9)
    expect(first.spread['0']).toBeCloseTo(0.05, 9)
    const goal = doc.by_type[0]!
    expect(goal.clusters).toBe(1)
    expect(goal.horizons[0]!.ci_reason).toMatch(/only 1 match/)
  }, 60_000)

  test('the ESPN feed with --team-asset gives the same goals', async () => {
    const args = ['--type', 'goal', '--team-asset', `VGK=${VGK_TOKEN}`, '--json']
    const espn = await study(
      [captures, '--events', join(process.cwd(), NHL, 'espn_nhl_401874173.csv'), ...args],
      dir,
    )
    const csv = await study(
      [captures, '--events', join(process.cwd(), NHL, 'goals.csv'), '--json'],
      dir,
    )
    expect(espn.code).toBe(0)
    type Doc = { events: { ts: number; mid: Record<string, number> }[] }
    const a = JSON.parse(espn.stdout) as Doc
    const b = JSON.parse(csv.stdout) as Doc
    expect(a.events.map((e) => [e.ts, e.mid])).toEqual(b.events.map((e) => [e.ts, e.mid]))
  }, 60_000)
})
