import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CaptureWriter } from '../../adapters/capture/capture-writer.js'
import { main } from '../cli.js'

type Run = { code: number; stdout: string; stderr: string }

async function cli(args: readonly string[], cwd: string): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await main(['capture', ...args], { stdout, stderr, cwd, stderrIsTTY: false })
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
}

const MARKET = `0x${'cd'.repeat(32)}`
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-capture-cli-'))
  let now = 1_780_000_000_000
  const writer = await CaptureWriter.open({
    dir: join(dir, 'rec'),
    clock: { nowMs: () => now, monoUs: () => 0 },
  })
  for (let i = 0; i < 400; i++) {
    now += 250
    const ts = now - 20
    const raw =
      i % 50 === 0
        ? `{"event_type":"book","asset_id":"77","market":"${MARKET}","bids":[{"price":"0.4","size":"10"}],"asks":[{"price":"0.6","size":"10"}],"timestamp":"${ts}","hash":"h"}`
        : i % 7 === 0
          ? `{"asset_id":"77","event_type":"last_trade_price","market":"${MARKET}","price":"0.5","side":"BUY","size":"2","timestamp":"${ts}"}`
          : `{"market":"${MARKET}","price_changes":[{"asset_id":"77","price":"0.${30 + (i % 9)}","size":"${i}","side":"BUY","hash":"x"}],"timestamp":"${ts}","event_type":"price_change"}`
    writer.writeFrame('c1', raw, { tLocal: now })
    if (i % 40 === 0) await writer.flush()
  }
  await writer.close()
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('tiltmeter capture index', () => {
  test('builds, then finds the index up to date, then rebuilds on --force', async () => {
    const built = await cli(['index', 'rec', '--interval', '5'], dir)
    expect(built.stderr).toBe('')
    expect(built.code).toBe(0)
    expect(built.stdout).toMatch(/capture\.idx \(built\)/)
    expect(built.stdout).toMatch(/frames +400 \(/)
    expect(built.stdout).toMatch(/every 5 s of venue time/)
    const again = await cli(['index', 'rec', '--interval', '5', '--json'], dir)
    const summary = JSON.parse(again.stdout) as Record<string, unknown>
    expect(summary).toMatchObject({
      status: 'up to date',
      frames: 400,
      interval_ms: 5000,
      verified: null,
    })
    expect(summary.index).toBe(join(dir, 'rec', 'capture.idx'))
    // Without --interval any spacing will do; asking for another one rebuilds.
    expect((await cli(['index', 'rec'], dir)).stdout).toMatch(/\(up to date\)/)
    const other = await cli(['index', 'rec', '--interval', '10'], dir)
    expect(other.stdout).toMatch(/rebuilt \(index is out of date: checkpoint interval 5000 ms/)
    const forced = await cli(['index', 'rec', '--force', '--verify', '25', '--seed', '3'], dir)
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/rebuilt \(--force\)/)
    expect(forced.stdout).toMatch(/verified +25 seeks give the replay's state/)
  })

  test('replaces a damaged index and says so', async () => {
    await cli(['index', 'rec'], dir)
    await writeFile(join(dir, 'rec', 'capture.idx'), 'damaged')
    const run = await cli(['index', 'rec', '--json'], dir)
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/capture\.idx: not a playback index file .*; rebuilding it/)
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'rebuilt (the old one was damaged)' })
  })

  test('keeps the index elsewhere with --index', async () => {
    const run = await cli(['index', 'rec', '--index', 'elsewhere.idx', '--json'], dir)
    expect(JSON.parse(run.stdout)).toMatchObject({
      index: join(dir, 'elsewhere.idx'),
      status: 'built',
    })
  })

  test.each([
    [[], /name a subcommand/],
    [['list'], /unknown subcommand "list"/],
    [['index'], /name the capture file or directory/],
    [['index', 'a', 'b'], /one capture at a time/],
    [['index', 'rec', '--interval', '0'], /--interval must be a whole number/],
    [['index', 'rec', '--verify', 'x'], /--verify must be a whole number/],
    [['index', 'rec', '--bogus'], /Unknown option/],
  ])('usage error: %j', async (args, message) => {
    const run = await cli(args, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })

  test('a capture that cannot be read is an error with its path', async () => {
    const missing = await cli(['index', 'nowhere'], dir)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/nowhere: cannot read capture/)
    await writeFile(join(dir, 'plain.txt'), 'hello\n')
    const notCapture = await cli(['index', 'plain.txt'], dir)
    expect(notCapture.code).toBe(1)
    expect(notCapture.stderr).toMatch(/not a tiltmeter capture file/)
  })

  test('--help', async () => {
    const run = await cli(['--help'], dir)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Usage: tiltmeter capture index <path>/)
  })
})
