/**
 * The real NHL recording end to end: import the tick parquet into captures, replay the
 * directory, and check the replayed top of book against the parquet rows read independently.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readNhlRows, type NhlRow } from '../support/nhl-rows.js'
import { ndjson, runCli } from '../support/run-cli.js'

const DATA = join(import.meta.dirname, '../fixtures/real/clob-nhl-scf-g4-2026-06-07')
const FILES = ['polymarket_ticks_20260607_0130.parquet', 'polymarket_ticks_20260607_0145.parquet']

type Row = NhlRow

let dir: string
let rows: Row[]
let top: Record<string, unknown>[]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-nhl-'))
  const imported = await runCli(['import', ...FILES.map((f) => join(DATA, f)), '--out', dir])
  expect(imported.code, imported.stderr).toBe(0)
  rows = []
  for (const f of FILES) rows = rows.concat(await readNhlRows(join(DATA, f)))
  const replayed = await runCli(['replay', dir, '--emit', 'top'])
  expect(replayed.code, replayed.stderr).toBe(0)
  expect(replayed.stderr).toMatch(/ 0 parse errors/)
  top = ndjson(replayed.stdout)
}, 120_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('NHL recording, imported then replayed', () => {
  test('every token ends on the best bid/ask of its last price_change row', () => {
    const lastRow = new Map<string, Row>()
    for (const row of rows) if (row.type === 'PRICE_CHANGE') lastRow.set(row.asset, row)
    const lastTop = new Map<string, Record<string, unknown>>()
    for (const line of top) lastTop.set(line.asset_id as string, line)
    expect(lastTop.size).toBe(12)
    for (const [asset, row] of lastRow) {
      const line = lastTop.get(asset)!
      expect(line.best_bid, asset).toBe(row.bestBid === 0 ? null : row.bestBid)
      expect(line.best_ask, asset).toBe(row.bestAsk === 0 || row.bestAsk === 1 ? null : row.bestAsk)
    }
  })

  test('the replay follows every price_change row in arrival order', () => {
    // One top line per asset per synthesized frame; each row's best bid must appear, in order,
    // in that asset's sequence of top lines.
    const perAsset = new Map<string, number[]>()
    for (const line of top) {
      const list = perAsset.get(line.asset_id as string) ?? []
      list.push(line.best_bid as number)
      perAsset.set(line.asset_id as string, list)
    }
    const rowBids = new Map<string, number[]>()
    for (const row of rows) {
      if (row.type !== 'PRICE_CHANGE') continue
      const list = rowBids.get(row.asset) ?? []
      list.push(row.bestBid)
      rowBids.set(row.asset, list)
    }
    for (const [asset, bids] of rowBids) {
      const replayed = perAsset.get(asset)!
      // Rows of one asset that share a frame collapse into one top line: replayed is a
      // subsequence of the rows, never longer, and ends on the same value.
      expect(replayed.length).toBeLessThanOrEqual(bids.length)
      expect(replayed.at(-1)).toBe(bids.at(-1))
      let j = 0
      for (const bid of replayed) {
        while (j < bids.length && bids[j] !== bid) j++
        expect(j, `${asset}: replayed best bid ${bid} not found in order`).toBeLessThan(bids.length)
      }
    }
  })

  test('books built without a snapshot are flagged stale, and the mid path matches the data README', () => {
    expect(top.every((l) => l.stale === true)).toBe(true)
    const mids = (prefix: string): number[] =>
      top.filter((l) => (l.asset_id as string).startsWith(prefix)).map((l) => l.mid as number)
    // Token 72034199… (a VGK moneyline by its path): 0.475 at the first tick, 0.90 at the last.
    const vgk = mids('72034199')
    expect(vgk[0]).toBeCloseTo(0.475, 6)
    expect(vgk.at(-1)).toBeCloseTo(0.9, 6)
  })
})
