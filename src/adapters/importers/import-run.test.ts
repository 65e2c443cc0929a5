/**
 * End to end: the real NHL parquet files and the real burst file through the importer, the
 * capture writer, the capture reader and the market-channel parser. The NHL import runs once
 * per file for the whole test file.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { CaptureFrame, CaptureHeader, CaptureRecord } from '../capture/capture-format.js'
import { readCaptureFile } from '../capture/capture-reader.js'
import { parseMarketFrame } from '../polymarket/ws/parse.js'
import type { LastTrade, MarketEvent, PriceChange } from '../../domain/book/book-events.js'
import { priceFromNumber } from '../../domain/units.js'
import { ImportError } from './import-error.js'
import { importFile, importPrefix, type ImportReport } from './import-run.js'
import { readNhlRows, type NhlRow } from '../../../test/support/nhl-rows.js'

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url))
const NHL_DIR = join(FIXTURES, 'real/clob-nhl-scf-g4-2026-06-07')
const NHL_FILES = [
  'polymarket_ticks_20260607_0130.parquet',
  'polymarket_ticks_20260607_0145.parquet',
]
const BURST = join(FIXTURES, 'polymarket/ws_book_price_change_burst_2026-09-29.json')

type Row = NhlRow

type Imported = {
  report: ImportReport
  header: CaptureHeader
  frames: CaptureFrame[]
  events: MarketEvent[][]
  parseErrors: string[]
  rows: Row[]
}

async function readBack(
  paths: readonly string[],
): Promise<{ headers: CaptureHeader[]; frames: CaptureFrame[] }> {
  const headers: CaptureHeader[] = []
  const frames: CaptureFrame[] = []
  const warnings: string[] = []
  for (const path of paths) {
    await readCaptureFile(
      path,
      (record: CaptureRecord) => {
        if (record.kind === 'header') headers.push(record)
        else if (record.kind === 'frame') frames.push(record)
      },
      { onWarning: (w) => warnings.push(w.message) },
    )
  }
  expect(warnings).toEqual([])
  return { headers, frames }
}

let workDir = ''
let nhlOut = ''
const nhl: Imported[] = []

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tiltmeter-import-'))
  nhlOut = join(workDir, 'nhl')
  for (const name of NHL_FILES) {
    const report = await importFile(join(NHL_DIR, name), { outDir: nhlOut })
    const { headers, frames } = await readBack(report.outputs)
    const events: MarketEvent[][] = []
    const parseErrors: string[] = []
    for (const frame of frames) {
      const result = parseMarketFrame(frame.raw)
      events.push(result.events)
      for (const error of result.errors) parseErrors.push(error.message)
    }
    nhl.push({
      report,
      header: headers[0] as CaptureHeader,
      frames,
      events,
      parseErrors,
      rows: await readNhlRows(join(NHL_DIR, name)),
    })
  }
  // Importing 358k rows takes a few seconds alone and longer on a loaded machine.
}, 120_000)

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true })
})

describe('NHL tick parquet import', () => {
  test('reports the rows, legs, trades and assets of each file', () => {
    const summary = nhl.map(({ report }) => ({
      status: report.status,
      format: report.format,
      rows: report.rowsRead,
      legs: report.priceChangeLegs,
      trades: report.messagesByType.last_trade_price,
      assets: report.assets,
      outputs: report.outputs.length,
    }))
    expect(summary).toEqual([
      {
        status: 'imported',
        format: 'nhl-ticks-parquet',
        rows: 206_848,
        legs: 206_365,
        trades: 483,
        assets: 12,
        outputs: 1,
      },
      {
        status: 'imported',
        format: 'nhl-ticks-parquet',
        rows: 151_264,
        legs: 150_909,
        trades: 355,
        assets: 12,
        outputs: 1,
      },
    ])
    // The README's totals over both files.
    expect(nhl.reduce((n, i) => n + (i.report.priceChangeLegs ?? 0), 0)).toBe(357_274)
    expect(nhl.reduce((n, i) => n + (i.report.messagesByType.last_trade_price ?? 0), 0)).toBe(838)
    expect(new Date(nhl[0]?.report.firstTs ?? 0).toISOString()).toBe('2026-06-07T01:30:51.472Z')
    expect(new Date(nhl[1]?.report.lastTs ?? 0).toISOString()).toBe('2026-06-07T01:50:48.342Z')
  })

  test('names the capture from the content hash and records the source in its header', () => {
    for (const [i, { report, header, frames }] of nhl.entries()) {
      const name = report.outputs[0]?.split('/').at(-1) ?? ''
      expect(name.startsWith(`${importPrefix(report.sha256)}-`)).toBe(true)
      expect(name.endsWith('.ndjson.gz')).toBe(true)
      expect(header.startedBy).toBe('import')
      expect(header.source).toMatchObject({
        file: NHL_FILES[i],
        sha256: report.sha256,
        format: 'nhl-ticks-parquet',
        derived: true,
        rows: report.rowsRead,
        price_change_rows: report.priceChangeLegs,
        last_trade_rows: report.messagesByType.last_trade_price,
      })
      expect(frames).toHaveLength(report.framesWritten)
    }
  })

  test('every frame parses without errors into the expected events', () => {
    for (const { parseErrors, events, report } of nhl) {
      expect(parseErrors).toEqual([])
      const flat = events.flat()
      const legs = flat
        .filter((e): e is PriceChange => e.type === 'price_change')
        .reduce((n, e) => n + e.changes.length, 0)
      expect(legs).toBe(report.priceChangeLegs)
      expect(flat.filter((e) => e.type === 'last_trade_price')).toHaveLength(
        report.messagesByType.last_trade_price ?? -1,
      )
      expect(events.every((e) => e.length === 1)).toBe(true)
    }
  })

  test('keeps arrival order: legs and trades match the rows one for one', () => {
    // Mismatches are collected rather than asserted one by one: 358k expect() calls are slow.
    const mismatches: unknown[] = []
    let backwardSteps = 0
    for (const { events, rows } of nhl) {
      let r = 0
      for (const event of events.flat()) {
        if (event.type === 'price_change') {
          for (const change of event.changes) {
            const row = rows[r++] as Row
            const same =
              row.type === 'PRICE_CHANGE' &&
              event.tsVenue === row.ts &&
              change.assetId === row.asset &&
              change.price === priceFromNumber(row.price) &&
              change.size === Math.round(row.size * 1e6) &&
              change.side === (row.side === 'BID' ? 'bid' : 'ask') &&
              (change.bestBid ?? 0) === priceFromNumber(row.bestBid) &&
              (change.bestAsk ?? 10_000) ===
                (row.bestAsk === 0 ? 10_000 : priceFromNumber(row.bestAsk))
            if (!same) mismatches.push({ row: r - 1, expected: row, change })
          }
        } else {
          const trade = event as LastTrade
          const row = rows[r++] as Row
          const same =
            row.type === 'LAST_TRADE' &&
            trade.type === 'last_trade_price' &&
            trade.tsVenue === row.ts &&
            trade.assetId === row.asset &&
            trade.price === priceFromNumber(row.price) &&
            trade.size === Math.round(row.size * 1e6) &&
            trade.side === (row.side === 'BID' ? 'buy' : 'sell')
          if (!same) mismatches.push({ row: r - 1, expected: row, trade })
        }
        if (mismatches.length > 5) break
      }
      expect(mismatches).toEqual([])
      expect(r).toBe(rows.length)
      for (let i = 1; i < rows.length; i++) {
        if ((rows[i] as Row).ts < (rows[i - 1] as Row).ts) backwardSteps++
      }
    }
    // The README counts 2,925 places where the timestamp steps backwards; all are kept.
    expect(backwardSteps).toBe(2_925)
  })

  test('local time is the running maximum of the venue time', () => {
    for (const { frames, events } of nhl) {
      let running = 0
      const bad: number[] = []
      for (let i = 0; i < frames.length; i++) {
        running = Math.max(running, (events[i]?.[0] as MarketEvent).tsVenue)
        const frame = frames[i] as CaptureFrame
        if (frame.tLocal !== running || frame.conn !== 'import') bad.push(i)
      }
      expect(bad).toEqual([])
    }
  })

  test("each token's last best bid/ask matches its last price_change row in the parquet", () => {
    const lastRow = new Map<string, Row>()
    const lastTop = new Map<string, [number | null, number | null]>()
    for (const { rows, events } of nhl) {
      for (const row of rows) if (row.type === 'PRICE_CHANGE') lastRow.set(row.asset, row)
      for (const event of events.flat()) {
        if (event.type !== 'price_change') continue
        for (const c of event.changes)
          lastTop.set(c.assetId, [c.bestBid ?? null, c.bestAsk ?? null])
      }
    }
    expect(lastRow.size).toBe(12)
    for (const [asset, row] of lastRow) {
      expect([asset, lastTop.get(asset)]).toEqual([
        asset,
        [
          row.bestBid === 0 ? null : priceFromNumber(row.bestBid),
          row.bestAsk === 0 ? null : priceFromNumber(row.bestAsk),
        ],
      ])
    }
  })

  test("reproduces the README's mid at first and last tick and row counts per token pair", () => {
    const mids = new Map<string, number[]>()
    const rowsPerAsset = new Map<string, number>()
    for (const { events } of nhl) {
      for (const event of events.flat()) {
        if (event.type === 'last_trade_price') {
          rowsPerAsset.set(event.assetId, (rowsPerAsset.get(event.assetId) ?? 0) + 1)
          continue
        }
        if (event.type !== 'price_change') continue
        for (const c of event.changes) {
          rowsPerAsset.set(c.assetId, (rowsPerAsset.get(c.assetId) ?? 0) + 1)
          if (c.bestBid == null || c.bestAsk == null) continue
          let list = mids.get(c.assetId)
          if (list === undefined) mids.set(c.assetId, (list = []))
          list.push((c.bestBid + c.bestAsk) / 2)
        }
      }
    }
    const byPrefix = (prefix: string): string => {
      const found = [...mids.keys()].filter((id) => id.startsWith(prefix))
      expect(found).toHaveLength(1)
      return found[0] as string
    }
    // token A, token B, A mid first and last (ticks), rows A / B
    const table: [string, string, number, number, number, number][] = [
      ['72034199', '92414594', 4750, 9000, 38_164, 38_097],
      ['57953460', '96068695', 3700, 7000, 56_859, 56_844],
      ['24069950', '72865221', 1450, 4550, 57_038, 57_000],
      ['21123571', '66436064', 1200, 4050, 21_429, 21_427],
      ['94018512', '66111860', 9050, 8960, 4_196, 4_197],
      ['45956765', '56376983', 4900, 4900, 1_442, 1_419],
    ]
    for (const [a, b, first, last, rowsA, rowsB] of table) {
      const midsA = mids.get(byPrefix(a)) as number[]
      const midsB = mids.get(byPrefix(b)) as number[]
      expect([a, midsA[0], midsA.at(-1)]).toEqual([a, first, last])
      // The complement sees the same book mirrored.
      expect([b, midsB[0], midsB.at(-1)]).toEqual([b, 10_000 - first, 10_000 - last])
      expect([a, rowsPerAsset.get(byPrefix(a)), rowsPerAsset.get(byPrefix(b))]).toEqual([
        a,
        rowsA,
        rowsB,
      ])
    }
  })

  test('importing the same file again is skipped and leaves the directory unchanged', async () => {
    const before = (await readdir(nhlOut)).sort()
    const again = await importFile(join(NHL_DIR, NHL_FILES[0] as string), { outDir: nhlOut })
    expect(again.status).toBe('skipped')
    expect(again.outputs).toEqual(nhl[0]?.report.outputs)
    expect((await readdir(nhlOut)).sort()).toEqual(before)
    expect(before).toHaveLength(2)
  })
})

describe('raw frame file import', () => {
  test('the burst file gives 51 frames, each the compact form of its element', async () => {
    const out = join(workDir, 'burst')
    const report = await importFile(BURST, { outDir: out })
    expect(report).toMatchObject({
      status: 'imported',
      format: 'json-frames',
      framesRead: 51,
      framesWritten: 51,
      messagesByType: { book: 2, price_change: 49 },
      assets: 2,
      firstTs: 1790658661234,
      lastTs: 1790658827000,
    })
    const { headers, frames } = await readBack(report.outputs)
    const source = JSON.parse(await readFile(BURST, 'utf8')) as unknown[]
    expect(frames.map((f) => f.raw)).toEqual(source.map((v) => JSON.stringify(v)))
    expect(frames.map((f) => f.value)).toEqual(source)
    expect(headers[0]?.source).toMatchObject({ format: 'json-frames', derived: false, frames: 51 })
    const parsed = frames.map((f) => parseMarketFrame(f.raw))
    expect(parsed.flatMap((p) => p.errors)).toEqual([])
    expect(parsed.flatMap((p) => p.events)).toHaveLength(51)
    const times = frames.map((f) => f.tLocal)
    expect(times[0]).toBe(1790658661234)
    expect(times.at(-1)).toBe(1790658827000)
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true)
  })

  test('the same content imports to the same bytes, and is skipped under another name', async () => {
    const outA = join(workDir, 'same-a')
    const outB = join(workDir, 'same-b')
    const first = await importFile(BURST, { outDir: outA })
    const second = await importFile(BURST, { outDir: outB })
    const bytesA = await readFile(first.outputs[0] as string)
    const bytesB = await readFile(second.outputs[0] as string)
    expect(Buffer.compare(bytesA, bytesB)).toBe(0)
    const renamed = join(workDir, 'renamed.ndjson')
    await copyFile(BURST, renamed)
    const skipped = await importFile(renamed, { outDir: outA })
    expect(skipped.status).toBe('skipped')
    expect(skipped.outputs).toEqual(first.outputs)
  })

  test('NDJSON lines are written byte for byte', async () => {
    const lines = [
      '{"event_type":"tick_size_change","asset_id":"1","market":"0x1","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"1739068041853"}',
      '[{"event_type":"last_trade_price","asset_id":"1","market":"0x1","price":"0.50","size":"1.0","side":"BUY","timestamp":"1739068041900"}]',
    ]
    const input = join(workDir, 'frames.ndjson')
    await writeFile(input, `${lines.join('\n')}\n`)
    const report = await importFile(input, { outDir: join(workDir, 'ndjson') })
    expect(report.format).toBe('ndjson-frames')
    const { frames } = await readBack(report.outputs)
    expect(frames.map((f) => f.raw)).toEqual(lines)
  })
})

describe('bad inputs leave no output', () => {
  async function failedImport(
    bytes: Uint8Array | string,
    name: string,
  ): Promise<{ error: unknown; left: string[] }> {
    const input = join(workDir, name)
    await writeFile(input, bytes)
    const out = join(workDir, `out-${name}`)
    const error = await importFile(input, { outDir: out }).catch((e: unknown) => e)
    const left = await readdir(out).catch(() => [])
    return { error, left }
  }

  test.each([
    ['garbage.bin', 'noise\u0000\u0001', 'is not a format import understands'],
    ['empty.json', '[]', 'is an empty JSON array'],
    ['not-frames.json', '[{"a":1}]', 'element 0 of the JSON array is not a raw market frame'],
  ])('%s', async (name, content, message) => {
    const { error, left } = await failedImport(content, name)
    expect(error).toBeInstanceOf(ImportError)
    expect((error as Error).message).toContain(name)
    expect((error as Error).message).toContain(message)
    expect(left).toEqual([])
  })

  test('a parquet file without the tick columns', async () => {
    const bytes = await readFile(join(NHL_DIR, NHL_FILES[1] as string))
    const renamed = Buffer.from(
      bytes.toString('latin1').replaceAll('best_ask', 'best_axe'),
      'latin1',
    )
    const { error, left } = await failedImport(renamed, 'columns.parquet')
    expect((error as Error).message).toContain('without the NHL tick column best_ask')
    expect(left).toEqual([])
  })

  test('a parquet file with invalid rows names the row and writes nothing', async () => {
    const bytes = await readFile(join(NHL_DIR, NHL_FILES[1] as string))
    const edited = Buffer.from(
      bytes.toString('latin1').replaceAll('LAST_TRADE', 'LAST_TRAXE'),
      'latin1',
    )
    const firstTrade = nhl[1]?.rows.findIndex((r) => r.type === 'LAST_TRADE')
    const { error, left } = await failedImport(edited, 'rows.parquet')
    expect(error).toBeInstanceOf(ImportError)
    expect((error as Error).message).toContain(`row ${firstTrade}: event_type "LAST_TRAXE"`)
    expect(left).toEqual([])
  })

  test('a truncated parquet file', async () => {
    const bytes = await readFile(join(NHL_DIR, NHL_FILES[1] as string))
    const { error, left } = await failedImport(bytes.subarray(0, bytes.length - 100), 'cut.parquet')
    expect((error as Error).message).toContain('footer cannot be read')
    expect(left).toEqual([])
  })

  test('a missing file and a directory', async () => {
    const missing = await importFile(join(workDir, 'nope.json'), {
      outDir: join(workDir, 'o1'),
    }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ImportError)
    expect((missing as Error).message).toMatch(/nope\.json: cannot be read \(ENOENT/)
    const dir = await importFile(workDir, { outDir: join(workDir, 'o2') }).catch((e: unknown) => e)
    expect((dir as Error).message).toContain('cannot be read (EISDIR')
  })

  test('an output path that is a file fails cleanly and leaves nothing behind', async () => {
    const blocker = join(workDir, 'blocker')
    await writeFile(blocker, 'not a directory')
    const error = await importFile(BURST, { outDir: blocker }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain('cannot use output directory')
    expect((error as Error).message).toContain('ENOTDIR')
    expect(await readFile(blocker, 'utf8')).toBe('not a directory')
  })

  test('relative paths resolve against the given working directory', async () => {
    const report = await importFile('polymarket/ws_book_price_change_burst_2026-09-29.json', {
      outDir: join(workDir, 'relative'),
      cwd: FIXTURES,
    })
    expect(report.input).toBe('polymarket/ws_book_price_change_burst_2026-09-29.json')
    expect(report.outputs[0]?.startsWith(join(workDir, 'relative'))).toBe(true)
  })
})
