/**
 * `replay --emit signals` on the real NHL recording: the line format, the SPEC's conditions on
 * every emitted signal, determinism, the research switch for snapshot-less recordings, the
 * config file and its errors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ndjson, runCli, type CliRun } from '../support/run-cli.js'

const DATA = join(import.meta.dirname, '../fixtures/real/clob-nhl-scf-g4-2026-06-07')
const FILES = ['polymarket_ticks_20260607_0130.parquet', 'polymarket_ticks_20260607_0145.parquet']
const KEYS = [
  'type',
  'asset_id',
  'ts',
  'score',
  'volume_ratio',
  'spread_ratio',
  'depth_ratio',
  'price_change',
  'ref_price',
  'reverted',
  'reversion_s',
  'retrace',
  'mfe',
  'mae',
]

let dir: string
let captures: string
let unsynced: CliRun
let lines: Record<string, unknown>[]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-signals-'))
  captures = join(dir, 'nhl')
  const imported = await runCli(['import', ...FILES.map((f) => join(DATA, f)), '--out', captures])
  expect(imported.code, imported.stderr).toBe(0)
  unsynced = await runCli(['replay', captures, '--emit', 'signals', '--allow-unsynced-books'], dir)
  expect(unsynced.code, unsynced.stderr).toBe(0)
  lines = ndjson(unsynced.stdout)
}, 180_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('replay --emit signals on the NHL recording', () => {
  test('the recording has no snapshots, so by default every book is stale and nothing fires', async () => {
    const run = await runCli(['replay', captures, '--emit', 'signals'], dir)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^signals: 0 \(/m)
  })

  test('with the research switch, signals fire; each line has exactly the documented keys', () => {
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(Object.keys(line)).toEqual(KEYS)
    expect(unsynced.stderr).toMatch(new RegExp(`^signals: ${lines.length} \\(`, 'm'))
  })

  test("every signal meets its type's default conditions and score", () => {
    for (const line of lines) {
      const n = (key: string): number => line[key] as number
      expect(n('score')).toBeGreaterThan(0)
      expect(n('score')).toBeLessThanOrEqual(1)
      if (line.type === 'LIQUIDITY_VACUUM') {
        expect(n('depth_ratio')).toBeLessThanOrEqual(0.5)
        expect(n('spread_ratio')).toBeGreaterThanOrEqual(3)
        expect(n('score')).toBeCloseTo(1 - n('depth_ratio'), 6)
      } else if (line.type === 'FOMO_BUY') {
        expect(n('volume_ratio')).toBeGreaterThanOrEqual(3)
        expect(n('price_change')).toBeGreaterThanOrEqual(0.05 - 1e-9)
        expect(n('score')).toBeCloseTo(Math.min(n('volume_ratio') / 5, 1), 6)
      } else {
        expect(line.type).toBe('PANIC_SELL')
        expect(n('volume_ratio')).toBeGreaterThanOrEqual(3)
        expect(n('spread_ratio')).toBeGreaterThanOrEqual(2)
        expect(n('price_change')).toBeLessThanOrEqual(-0.03 + 1e-9)
        expect(n('score')).toBeCloseTo(Math.min(n('volume_ratio') / 5, 1), 6)
      }
    }
  })

  test('lines come in signal order, inside the recording, with the reversion settled', () => {
    const first = Date.parse('2026-06-07T01:30:51Z')
    const last = Date.parse('2026-06-07T01:50:49Z')
    let previous = 0
    for (const line of lines) {
      const ts = line.ts as number
      expect(ts).toBeGreaterThanOrEqual(previous)
      // Ten minutes of warm-up before any signal.
      expect(ts).toBeGreaterThanOrEqual(first + 10 * 60_000)
      expect(ts).toBeLessThanOrEqual(last)
      previous = ts
      expect(typeof line.reverted).toBe('boolean')
      if (line.reverted === true) {
        expect(line.reversion_s as number).toBeGreaterThanOrEqual(0)
        expect(line.reversion_s as number).toBeLessThanOrEqual(180)
        expect(line.retrace as number).toBeGreaterThanOrEqual(0.5)
      } else {
        expect(line.reversion_s).toBeNull()
      }
      expect(line.mfe as number).toBeGreaterThanOrEqual(0)
      expect(line.mae as number).toBeGreaterThanOrEqual(0)
    }
  })

  test('the same recording gives the same bytes', async () => {
    const again = await runCli(
      ['replay', captures, '--emit', 'signals', '--allow-unsynced-books'],
      dir,
    )
    expect(again.stdout).toBe(unsynced.stdout)
  })

  test('--asset keeps only that token', async () => {
    const asset = lines[0]!.asset_id as string
    const run = await runCli(
      ['replay', captures, '--emit', 'signals', '--allow-unsynced-books', '--asset', asset],
      dir,
    )
    expect(run.code, run.stderr).toBe(0)
    const only = ndjson(run.stdout)
    expect(only).toEqual(lines.filter((line) => line.asset_id === asset))
  })

  test('the config file sets the parameters (a huge warm-up silences every detector)', async () => {
    const config = join(dir, 'quiet.json')
    await writeFile(
      config,
      JSON.stringify({
        signals: { default: { warmupMs: 24 * 3_600_000 }, allowUnsyncedBooks: true },
      }),
    )
    const run = await runCli(['replay', captures, '--emit', 'signals', '--config', config], dir)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe('')
  })

  test('a bad signals section names the file and the key', async () => {
    const config = join(dir, 'bad.json')
    await writeFile(config, JSON.stringify({ signals: { default: { warmupMs: -5 } } }))
    const run = await runCli(['replay', captures, '--emit', 'signals', '--config', config], dir)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(config)
    expect(run.stderr).toContain('warmupMs')
    expect(run.stdout).toBe('')
  })

  test('a missing config file is an error, not a silent default', async () => {
    const run = await runCli(
      ['replay', captures, '--emit', 'signals', '--config', join(dir, 'nope.json')],
      dir,
    )
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('nope.json')
  })
})
