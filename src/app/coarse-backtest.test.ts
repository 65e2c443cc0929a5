import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, describe, expect, test } from 'vitest'
import { DEFAULT_COARSE_PARAMS } from '../domain/backtest/coarse/types.js'
import { UsageError } from './cli-io.js'
import {
  COARSE_CANNOT_MODEL,
  coarseOptionsFromArgv,
  runCoarseBacktest,
  type CoarseBacktestOptions,
} from './coarse-backtest.js'

const FIXTURE = 'test/fixtures/real/pmus-esports-quotes-2026-07'
const CWD = join(import.meta.dirname, '../..')

const temps: string[] = []
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true })
})

async function run(options: CoarseBacktestOptions) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await runCoarseBacktest(options, { stdout, stderr, cwd: CWD, stderrIsTTY: false })
  stdout.end()
  stderr.end()
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  }
}

const options = (...flags: string[]) =>
  coarseOptionsFromArgv(['--coarse', FIXTURE, '--resamples', '200', ...flags], CWD)

describe('runCoarseBacktest on the real excerpt', () => {
  test('text report opens with what the mode cannot model, then the breakdowns', async () => {
    const r = await run(options())
    expect(r.code).toBe(0)
    expect(r.stdout.startsWith('COARSE MODE')).toBe(true)
    for (const item of COARSE_CANNOT_MODEL) expect(r.stdout).toContain(`  - ${item}`)
    expect(r.stdout).toContain('trades taken          5 (1 won, 4 lost, 0 even)')
    expect(r.stdout).toContain('by label source')
    expect(r.stdout).toContain('by signal (drop: panic fade; rise: fomo fade)')
    expect(r.stdout).toContain('fee rate 500 bps is ASSUMED')
    expect(r.stdout).toMatch(/gap: no rows 2026-07-17T21:26:00.000Z .. 2026-07-22T14:32:00.000Z/)
  })

  test('JSON carries the cannot-model list, import counts and breakdowns; byte-identical reruns', async () => {
    const a = await run(options('--json'))
    const b = await run(options('--json'))
    expect(a.stdout).toBe(b.stdout)
    const doc = JSON.parse(a.stdout) as {
      trades: number
      caveats: string[]
      trade_list: { entry_ts: number; exit_reason: string; match: string }[]
      coarse: {
        cannot_model: string[]
        import: { crossed: number; both_sides_empty: number }
        by_label_source: { key: string; trades: number }[]
        by_game: { key: string }[]
      }
    }
    expect(doc.coarse.cannot_model).toEqual(COARSE_CANNOT_MODEL)
    expect(doc.caveats).toEqual(COARSE_CANNOT_MODEL.map((n) => `CANNOT MODEL: ${n}`))
    expect(doc.coarse.import.crossed).toBe(2)
    expect(doc.coarse.import.both_sides_empty).toBe(26)
    expect(doc.trades).toBe(5)
    expect(doc.trade_list.every((t) => t.match === 'cs2-pcy-rf-2026-07-15')).toBe(true)
    expect(doc.coarse.by_label_source).toEqual([expect.objectContaining({ key: 'api', trades: 5 })])
  })

  test('writes the HTML page when asked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coarse-'))
    temps.push(dir)
    const file = join(dir, 'r.html')
    const r = await run(options('--html', file))
    expect(r.code).toBe(0)
    const html = await readFile(file, 'utf8')
    expect(html).toContain('CANNOT MODEL: no depth')
  })

  test('filters that leave nothing, and a missing folder, exit 1 with a message', async () => {
    const none = await run(options('--game', 'ow'))
    expect([none.code, none.stdout]).toEqual([1, ''])
    expect(none.stderr).toMatch(/no polls left after the filters/)
    const missing = await run(coarseOptionsFromArgv(['--coarse', 'no/such/dir'], CWD))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/cannot read it/)
  })
})

describe('coarseOptionsFromArgv', () => {
  test('defaults and flags', () => {
    const o = coarseOptionsFromArgv(['--coarse', 'd'], '/x')
    expect(o.dir).toBe('/x/d')
    expect(o.params).toEqual(DEFAULT_COARSE_PARAMS)
    const f = coarseOptionsFromArgv(
      [
        '--coarse',
        'd',
        '--game',
        'cs2,lol',
        '--game',
        'valorant',
        '--kind',
        'map',
        '--from',
        '2026-07-15',
        '--to',
        '2026-07-16T12:00:00',
        '--min-move',
        '0.15',
        '--direction',
        'panic',
        '--stop',
        '0.05',
        '--size',
        '25',
        '--fee-bps',
        '0',
        '--timeout-polls',
        '5',
      ],
      '/x',
    )
    expect(f.filter).toEqual({
      games: ['cs2', 'lol', 'valorant'],
      kinds: ['map'],
      from: Date.parse('2026-07-15T00:00:00Z'),
      to: Date.parse('2026-07-16T12:00:00Z'),
    })
    expect(f.params).toMatchObject({
      minMoveTicks: 1500,
      direction: 'panic',
      stopTicks: 500,
      size: 25_000_000,
      feeRateBps: 0,
      timeoutPolls: 5,
    })
  })

  test.each([
    [[], /--coarse <dir> is required/],
    [['--coarse', 'd', 'extra'], /unexpected argument "extra"/],
    [['--coarse', 'd', '--game', 'chess'], /--game "chess"/],
    [['--coarse', 'd', '--kind', 'series'], /--kind must be match or map/],
    [['--coarse', 'd', '--direction', 'up'], /--direction must be/],
    [['--coarse', 'd', '--from', 'yesterday'], /--from must be an ISO 8601/],
    [['--coarse', 'd', '--from', '2026-07-16', '--to', '2026-07-15'], /--to .* must be after/],
    [['--coarse', 'd', '--min-move', '1.5'], /--min-move must be a price/],
    [['--coarse', 'd', '--retrace', '0'], /--retrace must be a fraction/],
    [['--coarse', 'd', '--fee-bps', '2.5'], /--fee-bps must be a whole number/],
    [['--coarse', 'd', '--in-play-moves', '9'], /--in-play-moves must be/],
    [['--coarse', 'd', '--min-entry', '0.6', '--max-entry', '0.5'], /--max-entry must not/],
    [['--coarse', 'd', '--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => coarseOptionsFromArgv(argv, '/x')).toThrow(UsageError)
    expect(() => coarseOptionsFromArgv(argv, '/x')).toThrow(message)
  })
})
