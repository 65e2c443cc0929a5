import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { MarketId, TokenId } from '../../domain/market.js'
import { openStore } from '../../adapters/storage/store.js'
import { UsageError } from '../cli-io.js'
import { createEventsCommand } from './events.js'

const ESPN = fileURLToPath(
  new URL(
    '../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/espn_nhl_401874173.csv',
    import.meta.url,
  ),
)
const SAMPLE = fileURLToPath(
  new URL('../../../examples/events/valorant-sample.csv', import.meta.url),
)
const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const SLUG = 'val-sen-prx-2026-11-24'
const ASSET = '71321045679252212594626385532706912750332728571942532289631379312455583992563'

type Run = { code: number; stdout: string; stderr: string }

let work = ''
let dirs = 0

/** A fresh working directory: each test gets its own default SQLite database. */
async function newDir(): Promise<string> {
  const dir = join(work, `case-${dirs++}`)
  await mkdir(dir)
  return dir
}

async function run(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await createEventsCommand({ env }).run(args, {
    stdout,
    stderr,
    cwd,
    stderrIsTTY: false,
  })
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
}

async function usageError(args: readonly string[], cwd: string): Promise<string> {
  const e: unknown = await run(args, cwd).then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(e).toBeInstanceOf(UsageError)
  return (e as UsageError).message
}

async function storedCount(cwd: string): Promise<number> {
  const store = await openStore({ dataDir: join(cwd, 'data') })
  try {
    return (await store.listGameEvents()).length
  } finally {
    await store.close()
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tiltmeter-events-cli-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('tiltmeter events import', () => {
  test('imports the real ESPN feed as the two VGK goals and lists them back', async () => {
    const cwd = await newDir()
    const imported = await run(['import', ESPN, '--asset', ASSET], cwd)
    expect([imported.code, imported.stderr]).toEqual([0, ''])
    expect(imported.stdout).toBe(
      [
        `imported 2 events from ${ESPN} into ${join(cwd, 'data', 'tiltmeter.sqlite')}`,
        '  format   espn',
        '  types    goal 2',
        '  span     2026-06-07T01:42:59.983Z .. 2026-06-07T01:44:10.971Z',
        `  asset    ${ASSET}`,
        '  ids      1 .. 2',
        '',
      ].join('\n'),
    )
    const listed = await run(['list', '--asset', ASSET], cwd)
    expect(listed.stdout).toBe(
      [
        '2026-06-07T01:42:59.983Z  goal          VGK  1-0  map 2  [espn #1]  VGK goal, period 2, 9:34 left; VGK 1 - 0 CAR',
        '2026-06-07T01:44:10.971Z  goal          VGK  2-0  map 2  [espn #2]  VGK goal, period 2, 9:18 left; VGK 2 - 0 CAR',
        '2 events',
        '',
      ].join('\n'),
    )
    const json = await run(['list', '--json', '--from', '2026-06-07T01:43:00Z'], cwd)
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        id: 2,
        ts_ms: 1_780_796_650_971,
        time: '2026-06-07T01:44:10.971Z',
        type: 'goal',
        team: 'VGK',
        player: null,
        score: '2-0',
        map: 2,
        note: 'VGK goal, period 2, 9:18 left; VGK 2 - 0 CAR',
        ts_video_ms: null,
        market: null,
        asset_id: ASSET,
        source: 'espn',
      },
    ])
    const none = await run(['list', '--to', '1780796579983'], cwd)
    expect(none.stdout).toBe(`no game events in ${join(cwd, 'data', 'tiltmeter.sqlite')} match\n`)
  })

  test('imports the sample CSV for a market named by slug, as JSON', async () => {
    const cwd = await newDir()
    const store = await openStore({ dataDir: join(cwd, 'data') })
    await store.upsertMarket(
      {
        conditionId: MARKET,
        slug: SLUG,
        question: 'Valorant: SEN vs PRX (BO3)',
        sport: 'valorant',
        marketType: 'match',
        tickSize: null,
        minOrderSize: null,
        negRisk: false,
        gameStartTime: null,
        secondsDelay: null,
        raw: {},
      },
      [{ tokenId: '5' as TokenId, outcome: 'SEN', outcomeIndex: 0 }],
    )
    await store.close()
    const result = await run(['import', SAMPLE, '--market', SLUG, '--json'], cwd)
    expect([result.code, result.stderr]).toEqual([0, ''])
    expect(JSON.parse(result.stdout)).toEqual({
      file: SAMPLE,
      status: 'imported',
      format: 'csv',
      count: 12,
      types: {
        pistol_round: 2,
        round_win: 1,
        eco_round: 1,
        clutch: 1,
        timeout: 1,
        round_loss: 1,
        ace: 1,
        tech_pause: 1,
        map_win: 1,
        map_loss: 1,
        custom: 1,
      },
      first_ts: 1_795_000_000_000,
      last_ts: 1_795_005_900_000,
      first_time: '2026-11-18T11:06:40.000Z',
      last_time: '2026-11-18T12:45:00.000Z',
      market: MARKET,
      asset_id: null,
      database: join(cwd, 'data', 'tiltmeter.sqlite'),
      ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    })
    // Through the token, the market's events concern its asset too.
    const listed = await run(['list', '--asset', '5', '--json'], cwd)
    expect(listed.stdout.trim().split('\n')).toHaveLength(12)
    const byMarket = await run(['list', '--market', SLUG], cwd)
    expect(byMarket.stdout).toContain('12 events\n')
  })

  test('a dry run checks and summarises but writes nothing, and needs no database', async () => {
    const cwd = await newDir()
    const result = await run(['import', SAMPLE, '--market', MARKET, '--dry-run'], cwd)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^checked .*valorant-sample\.csv: 12 events would be imported \(dry run, nothing written\)\n {2}format {3}csv\n {2}types {4}pistol_round 2, round_win 1,/,
    )
    expect(result.stdout).not.toContain('ids')
    await expect(access(join(cwd, 'data'))).rejects.toThrow()
    const json = await run(['import', ESPN, '--asset', '1', '--dry-run', '--json'], cwd)
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'dry_run', count: 2, ids: [] })
  })

  test('an ESPN feed without goals imports nothing, and says so', async () => {
    const cwd = await newDir()
    const lines = readFileSync(ESPN, 'utf8').split('\n').slice(0, 4).join('\n')
    await writeFile(join(cwd, 'quiet.csv'), lines)
    const result = await run(['import', 'quiet.csv', '--asset', '1'], cwd)
    expect([result.code, result.stdout]).toEqual([
      0,
      `imported 0 events from quiet.csv into ${join(cwd, 'data', 'tiltmeter.sqlite')}\n` +
        '  format   espn\n  types    none (the file has no events)\n  asset    1\n',
    ])
  })

  test('bad rows are listed by line and nothing is written', async () => {
    const cwd = await newDir()
    await writeFile(
      join(cwd, 'bad.csv'),
      'ts_ms,type,team,asset_id,score,map,note\n' +
        '1795000000000,round_win,SEN,1,1-0,1,\n' +
        '1795000095000,rnd_win,SEN,1,2-0,1,\n' +
        '1795000190000,round_win,SEN,1,2-0,99x,\n',
    )
    const result = await run(['import', 'bad.csv', '--json'], cwd)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^tiltmeter events import: bad\.csv: 2 rows are invalid, nothing was imported:\n {2}line 3: type "rnd_win" is not one of .*\n {2}line 4: map "99x" is not a map number from 1 to 99\n$/,
    )
    expect(JSON.parse(result.stdout)).toMatchObject({ file: 'bad.csv', status: 'failed' })
    expect(await storedCount(cwd)).toBe(0)
  })

  test('a row without market or asset, when no option gives one', async () => {
    const cwd = await newDir()
    await writeFile(join(cwd, 'e.csv'), 'ts_ms,type\n1795000000000,goal\n')
    const result = await run(['import', 'e.csv'], cwd)
    expect([result.code, result.stderr]).toEqual([
      1,
      'tiltmeter events import: e.csv: a row is invalid, nothing was imported:\n' +
        '  line 2: market or asset_id is required: the condition id or the token id it concerns\n',
    ])
    const fixed = await run(['import', 'e.csv', '--asset', '42'], cwd)
    expect(fixed.code).toBe(0)
    expect(await storedCount(cwd)).toBe(1)
  })

  test('an unknown market slug is a clear error and writes nothing', async () => {
    const cwd = await newDir()
    const result = await run(['import', SAMPLE, '--market', 'no-such-market'], cwd)
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `tiltmeter events import: market "no-such-market" is not in the database ${join(cwd, 'data', 'tiltmeter.sqlite')}; ` +
        'pass its condition id (0x followed by 64 hex digits), or store the market first (tiltmeter markets)\n',
    )
    expect(await storedCount(cwd)).toBe(0)
    await expect(run(['list', '--market', 'no-such-market'], cwd)).rejects.toThrow(
      /market "no-such-market" is not in the database/,
    )
  })

  test('the ESPN feed without market or asset, a missing file, an unknown format', async () => {
    const cwd = await newDir()
    const espn = await run(['import', ESPN], cwd)
    expect([espn.code, espn.stderr]).toEqual([
      1,
      `tiltmeter events import: ${ESPN}: the ESPN feed names teams, not markets: give the market (condition id) or the asset (token id) the events belong to\n`,
    ])
    const missing = await run(['import', 'nope.csv', '--asset', '1'], cwd)
    expect([missing.code, missing.stderr]).toEqual([
      1,
      'tiltmeter events import: cannot read nope.csv: no such file\n',
    ])
    const directory = await run(['import', '.', '--asset', '1'], cwd)
    expect(directory.stderr).toBe(
      'tiltmeter events import: cannot read .: it is a directory, not a file\n',
    )
    await writeFile(join(cwd, 'ticks.csv'), 'timestamp,price\n1,0.5\n')
    const unknown = await run(['import', 'ticks.csv', '--asset', '1'], cwd)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(
      /^tiltmeter events import: ticks\.csv: cannot tell the format from the header "timestamp,price"; .* pass --format csv\|espn\n$/,
    )
    // Forcing the wrong format reports the header against that format.
    const forced = await run(['import', ESPN, '--format', 'csv', '--asset', '1'], cwd)
    expect(forced.stderr).toMatch(/unknown columns "event_id", "period"/)
    expect(await storedCount(cwd)).toBe(0)
  })

  test('DATABASE_URL is the fallback for --database-url', async () => {
    const cwd = await newDir()
    const file = join(cwd, 'elsewhere.sqlite')
    const result = await run(['import', ESPN, '--asset', '1'], cwd, {
      DATABASE_URL: `sqlite:${file}`,
    })
    expect(result.stdout).toContain(`into ${file}\n`)
    const flag = await run(['list', '--database-url', `sqlite:${file}`], cwd, {
      DATABASE_URL: 'sqlite:other.sqlite',
    })
    expect(flag.stdout).toContain('2 events\n')
    const badUrl = await run(['import', ESPN, '--asset', '1', '--database-url', 'mysql://x'], cwd)
    expect([badUrl.code, badUrl.stderr]).toEqual([
      1,
      'tiltmeter events import: DATABASE_URL must start with postgres:// or postgresql:// (or be :memory: or sqlite:<path>); got scheme "mysql:"\n',
    ])
  })

  test('usage errors', async () => {
    const cwd = await newDir()
    expect(await usageError([], cwd)).toBe('say what to do: events import <file> or events list')
    expect(await usageError(['export'], cwd)).toBe(
      'unknown action "export"; expected import or list',
    )
    expect(await usageError(['import'], cwd)).toBe('name the file to import')
    expect(await usageError(['import', 'a', 'b'], cwd)).toBe('import takes one file at a time')
    expect(await usageError(['import', 'a', '--format', 'xml'], cwd)).toBe(
      '--format "xml" is not one of csv, espn',
    )
    expect(await usageError(['import', 'a', '--asset', '0x12'], cwd)).toBe(
      '--asset "0x12" is not a token id (a decimal string of digits)',
    )
    expect(await usageError(['import', 'a', '--market', ' '], cwd)).toBe(
      '--market needs a condition id or a slug',
    )
    expect(await usageError(['import', 'a', '--from', '1'], cwd)).toBe(
      '--from and --to belong to `events list`',
    )
    expect(await usageError(['list', 'x'], cwd)).toBe('list takes no files; got "x"')
    expect(await usageError(['list', '--dry-run'], cwd)).toBe(
      '--format and --dry-run belong to `events import`',
    )
    expect(await usageError(['list', '--from', 'yesterday'], cwd)).toBe(
      '--from "yesterday" is not epoch ms or an ISO time',
    )
    expect(await usageError(['list', '--data-dir', ''], cwd)).toBe('--data-dir needs a directory')
    expect(await usageError(['list', '--colour'], cwd)).toMatch(/colour/)
  })
})
