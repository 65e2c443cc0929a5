import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, test } from 'vitest'
import type { EpochMs } from '../../domain/units.js'
import { ImportError } from './import-error.js'
import {
  parsePmusSlug,
  parseQuoteLine,
  PMUS_LABELS_FILE,
  PMUS_MARKETS_FILE,
  PMUS_QUOTES_FILE,
  readPmusDataset,
  splitCsv,
} from './pmus-quotes.js'

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/real/pmus-esports-quotes-2026-07')

const temps: string[] = []
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true })
})

/** A dataset folder with the given quotes lines (header added unless given) and labels. */
async function folder(
  quotes: string[],
  opts: { header?: string; labels?: string[]; markets?: string[] } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pmus-'))
  temps.push(dir)
  const text = [opts.header ?? 'ts_utc_s,slug,bid,ask,segment', ...quotes].join('\n') + '\n'
  await writeFile(join(dir, PMUS_QUOTES_FILE), gzipSync(Buffer.from(text)))
  await writeFile(
    join(dir, PMUS_MARKETS_FILE),
    ['slug,question,category,n_snaps,first_ts_utc,last_ts_utc', ...(opts.markets ?? [])].join('\n'),
  )
  await writeFile(join(dir, PMUS_LABELS_FILE), ['slug,y,source', ...(opts.labels ?? [])].join('\n'))
  return dir
}

describe('the real excerpt', () => {
  test('counts every row and every documented quirk', async () => {
    const ds = await readPmusDataset(FIXTURE)
    expect(ds.counts).toMatchObject({
      rows: 260,
      badRows: 0,
      kept: 260,
      bothSidesEmpty: 26,
      bidOnly: 0,
      askOnly: 1,
      crossed: 2,
      segment1: 241,
      segment2: 19,
      contracts: 5,
      contractsWithoutLabel: 0,
      labels: { api: 4, convergence: 1 },
      marketsRows: 5,
      labelsRows: 5,
    })
    expect(ds.badRows).toEqual([])
    // The collector outage shows as a gap in the rows.
    expect(ds.gaps).toContainEqual({
      fromTs: Date.parse('2026-07-17T21:26:00Z'),
      toTs: Date.parse('2026-07-22T14:32:00Z'),
      seconds: 407_160,
    })
    expect(ds.questions.get('astatc-cs2-pcy-rf-2026-07-15-map1')).toBe(
      'Will Procyon Gaming win Map 1 vs Red Feet?',
    )
  })

  test('yields contracts sorted by slug with game, kind, match key and label', async () => {
    const ds = await readPmusDataset(FIXTURE)
    const contracts = [...ds.contracts()]
    expect(contracts.map((c) => [c.slug, c.game, c.kind, c.match, c.label?.source])).toEqual([
      ['aec-cs2-pcy-rf-2026-07-15', 'cs2', 'match', 'cs2-pcy-rf-2026-07-15', 'api'],
      ['aec-cs2-vp-ice-2026-07-11', 'cs2', 'match', 'cs2-vp-ice-2026-07-11', 'convergence'],
      ['aec-dota2-nemiga-tsa-2026-07-11', 'dota2', 'match', 'dota2-nemiga-tsa-2026-07-11', 'api'],
      ['astatc-cs2-pcy-rf-2026-07-15-map1', 'cs2', 'map', 'cs2-pcy-rf-2026-07-15', 'api'],
      ['astatc-lol-leo-ves-2026-07-22-game2', 'lol', 'map', 'lol-leo-ves-2026-07-22', 'api'],
    ])
    const vp = contracts[1]
    // 1783798810 has bid 0.33 > ask 0.16 in the source: kept with both sides null.
    const crossed = vp?.polls.find((p) => p.ts === 1_783_798_810_000)
    expect(crossed).toEqual({ ts: 1_783_798_810_000, bid: null, ask: null, segment: 1 })
    const first = contracts[0]?.polls[0]
    expect(first?.bid !== null && first?.ask !== null).toBe(true)
    const leo = contracts[4]?.polls ?? []
    expect([leo[0]?.segment, leo[1]?.segment]).toEqual([1, 2])
    for (const c of contracts)
      for (let i = 1; i < c.polls.length; i++)
        expect(c.polls[i]?.ts ?? 0).toBeGreaterThan(c.polls[i - 1]?.ts ?? 0)
  })

  test('filters by game, kind and date range', async () => {
    const dota = await readPmusDataset(FIXTURE, { filter: { games: ['dota2'] } })
    expect([...dota.contracts()].map((c) => c.slug)).toEqual(['aec-dota2-nemiga-tsa-2026-07-11'])
    expect(dota.counts.filteredOut).toBe(161)
    const maps = await readPmusDataset(FIXTURE, { filter: { kinds: ['map'] } })
    expect(maps.counts.contracts).toBe(2)
    const from = Date.parse('2026-07-15T00:00:00Z') as EpochMs
    const to = Date.parse('2026-07-16T00:00:00Z') as EpochMs
    const day = await readPmusDataset(FIXTURE, { filter: { from, to } })
    expect([...day.contracts()].map((c) => c.slug)).toEqual([
      'aec-cs2-pcy-rf-2026-07-15',
      'astatc-cs2-pcy-rf-2026-07-15-map1',
    ])
    expect(day.firstTs).toBeGreaterThanOrEqual(from)
    expect(day.lastTs).toBeLessThan(to)
  })
})

describe('bad input', () => {
  test('bad rows are reported by line number and skipped', async () => {
    const dir = await folder(
      [
        '1784000000,aec-cs2-a-b-2026-07-15,0.4,0.41,1',
        'soon,aec-cs2-a-b-2026-07-15,0.4,0.41,1',
        '1784000120,aec-cs2-a-b-2026-07-15,1.4,0.41,1',
        '1784000240,aec-cs2-a-b-2026-07-15,0.4,0.41,3',
        '1784000360,aec-chess-a-b-2026-07-15,0.4,0.41,1',
        '1784000480,aec-cs2-a-b-2026-07-15,0.4',
        '1784000600,aec-cs2-a-b-2026-07-15,0.4,,2',
        '1784000600,aec-cs2-a-b-2026-07-15,0.5,,2',
        '1784000540,aec-cs2-a-b-2026-07-15,,0.41,2',
        '1784000000,aec-cs2-a-b-2026-07-15,0.3,0.41,2',
      ],
      { labels: ['aec-cs2-a-b-2026-07-15,2,api', 'x,1,oracle', 'aec-cs2-a-b-2026-07-15,1,api'] },
    )
    const ds = await readPmusDataset(dir)
    expect(ds.badRows.map((r) => [r.file, r.line])).toEqual([
      [PMUS_LABELS_FILE, 2],
      [PMUS_LABELS_FILE, 3],
      [PMUS_QUOTES_FILE, 3],
      [PMUS_QUOTES_FILE, 4],
      [PMUS_QUOTES_FILE, 5],
      [PMUS_QUOTES_FILE, 6],
      [PMUS_QUOTES_FILE, 7],
    ])
    expect(ds.badRows[2]?.reason).toMatch(/not whole epoch seconds/)
    expect(ds.badRows[3]?.reason).toMatch(/bid "1.4"/)
    expect(ds.badRows[4]?.reason).toMatch(/segment "3"/)
    expect(ds.badRows[5]?.reason).toMatch(/not an aec-\/astatc- esports contract/)
    expect(ds.badRows[6]?.reason).toMatch(/expected 5 fields/)
    expect(ds.counts).toMatchObject({ badRows: 7, duplicateTimes: 2, outOfOrder: 2, kept: 3 })
    const polls = [...ds.contracts()][0]?.polls ?? []
    expect(polls.map((p) => [p.ts / 1000, p.bid, p.ask])).toEqual([
      [1_784_000_000, 4000, 4100],
      [1_784_000_540, null, 4100],
      [1_784_000_600, 4000, null],
    ])
    expect([...ds.contracts()][0]?.label).toEqual({ y: 1, source: 'api' })
    expect(ds.counts.contractsWithoutLabel).toBe(0)
  })

  test('lists at most maxBadRowsListed bad rows but counts them all', async () => {
    const dir = await folder(['x', 'y', 'z'])
    const ds = await readPmusDataset(dir, { maxBadRowsListed: 1 })
    expect([ds.counts.badRows, ds.badRows.length]).toEqual([3, 1])
  })

  test('a wrong header is an ImportError naming the file and the expected header', async () => {
    const dir = await folder(['1,aec-cs2-a-b,0.1,0.2,1'], { header: 'time,slug,bid,ask' })
    await expect(readPmusDataset(dir)).rejects.toThrow(ImportError)
    await expect(readPmusDataset(dir)).rejects.toThrow(/expected the header "ts_utc_s,slug/)
  })

  test('a missing file is an ImportError saying which folder layout is expected', async () => {
    await expect(readPmusDataset(join(tmpdir(), 'no-such-pmus-folder'))).rejects.toThrow(
      /point at the folder holding pmus_esports_quotes_moneyline_map.csv.gz/,
    )
  })

  test('a file that is not gzip is an ImportError, not a crash', async () => {
    const dir = await folder([])
    await writeFile(join(dir, PMUS_QUOTES_FILE), 'ts_utc_s,slug,bid,ask,segment\n')
    await expect(readPmusDataset(dir)).rejects.toThrow(ImportError)
  })
})

describe('line readers', () => {
  test('parsePmusSlug reads game, kind and the shared match key', () => {
    expect(parsePmusSlug('aec-valorant-100t-nrg-2026-07-12')).toEqual({
      game: 'valorant',
      kind: 'match',
      match: 'valorant-100t-nrg-2026-07-12',
    })
    expect(parsePmusSlug('astatc-lol-t1-geng-2026-07-20-game3')?.match).toBe(
      'lol-t1-geng-2026-07-20',
    )
    expect(parsePmusSlug('asc-cs2-a-b-2026-07-20')).toBeNull()
    expect(parsePmusSlug('aec-chess-a-b-2026-07-20')).toBeNull()
  })

  test('parseQuoteLine keeps empty sides as null', () => {
    expect(parseQuoteLine('1783729546,aec-cs2-5s-lvg-2026-07-11,,,1')).toEqual({
      tsS: 1_783_729_546,
      slug: 'aec-cs2-5s-lvg-2026-07-11',
      bid: null,
      ask: null,
      segment: 1,
    })
    expect(parseQuoteLine('1,,0.1,0.2,1')).toEqual({ error: 'slug is empty' })
  })

  test('splitCsv handles quoted fields with commas and escaped quotes', () => {
    expect(splitCsv('a,"b, ""c""",d')).toEqual(['a', 'b, "c"', 'd'])
    expect(splitCsv('a,"open')).toBeNull()
    expect(splitCsv('a,"b"x')).toBeNull()
    expect(splitCsv('')).toEqual([''])
  })
})
