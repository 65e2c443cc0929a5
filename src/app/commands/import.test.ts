import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { UsageError } from '../cli-io.js'
import { importCommand } from './import.js'

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url))
const BURST = 'polymarket/ws_book_price_change_burst_2026-09-29.json'
const TRADE = 'polymarket/ws_last_trade_price_2024-08-25.json'
const ESPN = 'real/clob-nhl-scf-g4-2026-06-07/espn_nhl_401874173.csv'

type Run = { code: number; stdout: string; stderr: string }

async function run(args: readonly string[]): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await importCommand.run(args, { stdout, stderr, cwd: FIXTURES, stderrIsTTY: false })
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
}

let work = ''
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tiltmeter-import-cli-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('tiltmeter import', () => {
  test('prints a text summary per input, then skips on a second run', async () => {
    const out = join(work, 'text')
    const first = await run([BURST, TRADE, '--out', out])
    expect(first.code).toBe(0)
    expect(first.stderr).toBe('')
    const name = (await readdir(out)).find((n) => n.startsWith('import-737ea0ae33b1-'))
    expect(name).toBe('import-737ea0ae33b1-20260929T051101234Z-0001.ndjson.gz')
    expect(first.stdout).toContain(
      [
        `imported ${BURST}`,
        '  format   json-frames',
        '  read     51 frames (2 book, 49 price_change)',
        '  wrote    51 frames',
        '  assets   2',
        '  span     2026-09-29T05:11:01.234Z .. 2026-09-29T05:13:47.000Z',
        `  output   ${join(out, name ?? '')}`,
      ].join('\n'),
    )
    expect(first.stdout).toContain('  read     1 frame (1 last_trade_price)\n  wrote    1 frame\n')
    expect(first.stdout).toMatch(/ {2}took {5}\d+\.\d s\n/)

    const second = await run([BURST, '--out', out])
    expect(second.code).toBe(0)
    expect(second.stdout).toBe(
      `already imported: ${BURST} (same content as ${join(out, name ?? '')}); skipped\n`,
    )
    expect(await readdir(out)).toHaveLength(2)
  })

  test('--json prints one object per input, failures included, and exits 1 on any failure', async () => {
    const out = join(work, 'json')
    const result = await run([ESPN, BURST, 'missing.json', '--json', `--out=${out}`])
    expect(result.code).toBe(1)
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(3)
    expect(lines[0]).toEqual({
      input: ESPN,
      status: 'failed',
      error: expect.stringContaining('is an ESPN NHL scoreboard csv') as unknown,
    })
    expect(lines[1]).toMatchObject({
      input: BURST,
      status: 'imported',
      format: 'json-frames',
      rows_read: null,
      frames_read: 51,
      frames_written: 51,
      messages_by_type: { book: 2, price_change: 49 },
      assets: 2,
      first_ts: 1790658661234,
      last_ts: 1790658827000,
      first_time: '2026-09-29T05:11:01.234Z',
      last_time: '2026-09-29T05:13:47.000Z',
      outputs: [join(out, 'import-737ea0ae33b1-20260929T051101234Z-0001.ndjson.gz')],
    })
    expect(lines[2]).toMatchObject({ input: 'missing.json', status: 'failed' })
    expect(result.stderr).toContain(`tiltmeter import: ${ESPN}: is an ESPN NHL scoreboard csv`)
    expect(result.stderr).toContain('tiltmeter import: missing.json: cannot be read (ENOENT')
    expect(await readdir(out)).toEqual(['import-737ea0ae33b1-20260929T051101234Z-0001.ndjson.gz'])
  })

  test('a bad file leaves the output directory empty', async () => {
    const bad = join(work, 'bad.json')
    await writeFile(bad, '{"not":"a frame"}')
    const out = join(work, 'bad-out')
    const result = await run([bad, '--out', out])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`${bad}: is a JSON object without a string "event_type"`)
    expect(await readdir(out).catch(() => [])).toEqual([])
  })

  test.each([
    [[BURST], '--out <dir> is required'],
    [['--out', 'x'], 'name at least one file to import'],
    [[BURST, '--out', 'x', '--frobnicate'], "Unknown option '--frobnicate'"],
    [[BURST, '--out'], "Option '--out <value>' argument missing"],
  ])('usage error for %j', async (args, message) => {
    const error = await run(args).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toContain(message)
  })

  test('describes itself', () => {
    expect(importCommand.name).toBe('import')
    expect(importCommand.usage).toContain('Usage: tiltmeter import <file…> --out <dir> [--json]')
    expect(importCommand.usage).toContain('re-serialised')
  })
})
