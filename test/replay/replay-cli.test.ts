import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CaptureWriter } from '../../src/adapters/capture/capture-writer.js'
import { formatPrice, formatSize, parsePrice, parseSize } from '../../src/domain/units.js'
import { ndjson, runCli } from '../support/run-cli.js'

const BURST = join(
  import.meta.dirname,
  '../fixtures/polymarket/ws_book_price_change_burst_2026-09-29.json',
)
const TOKEN_A = '76670567130917723816490572615540605537878462672464291990940067659127658071111'
const TOKEN_B = '54179564009642723353355316176091991063553046330768303687769988635499280029688'

type RawLevel = { price: string; size: string }
type RawFrame = { event_type?: string; asset_id?: string; bids?: RawLevel[]; asks?: RawLevel[] }

let dir: string
let frames: RawFrame[]

/** The venue's book frame as `--emit final-book` prints it: best first, normalised decimals. */
function expectedFinalBook(frame: RawFrame): unknown {
  const norm = (levels: RawLevel[], bestFirst: (a: number, b: number) => number): string[][] =>
    levels
      .map((l) => ({ price: parsePrice(l.price), size: parseSize(l.size) }))
      .sort((a, b) => bestFirst(a.price, b.price))
      .map((l) => [formatPrice(l.price), formatSize(l.size)])
  return {
    asset_id: frame.asset_id,
    bids: norm(frame.bids ?? [], (a, b) => b - a),
    asks: norm(frame.asks ?? [], (a, b) => a - b),
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-replay-'))
  frames = JSON.parse(await readFile(BURST, 'utf8')) as RawFrame[]
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('replay of the real 2026-09-29 burst', () => {
  test('the 49 price_change frames rebuild exactly the final book frame', async () => {
    expect(frames).toHaveLength(51)
    const withoutFinal = join(dir, 'burst-without-final.json')
    await writeFile(withoutFinal, JSON.stringify(frames.slice(0, -1)))
    const run = await runCli(['replay', withoutFinal, '--emit', 'final-book'])
    expect(run.code).toBe(0)
    const books = ndjson(run.stdout)
    const bookA = books.find((b) => b.asset_id === TOKEN_A)
    expect(bookA).toEqual(expectedFinalBook(frames[50]!))
    // Token B never gets a snapshot; its book is built from legs alone.
    expect(books.map((b) => b.asset_id)).toEqual([TOKEN_A, TOKEN_B])
  })

  test('the whole file ends on the venue final book and reports the crossed legs', async () => {
    const run = await runCli(['replay', BURST, '--emit', 'final-book'])
    expect(run.code).toBe(0)
    const bookA = ndjson(run.stdout).find((b) => b.asset_id === TOKEN_A)
    expect(bookA).toEqual(expectedFinalBook(frames[50]!))
    expect(run.stderr).toMatch(/51 frames/)
    expect(run.stderr).toMatch(/0 parse errors/)
    expect(run.stderr).not.toMatch(/ 0 resync requests/)
  })

  test('--emit top writes one line per asset changed by each event', async () => {
    const run = await runCli(['replay', BURST, '--emit', 'top', '--asset', TOKEN_A])
    expect(run.code).toBe(0)
    const lines = ndjson(run.stdout)
    // 2 snapshots and 49 price_change frames that each touch token A.
    expect(lines).toHaveLength(51)
    const first = lines[0]!
    expect(Object.keys(first)).toEqual([
      'ts',
      'asset_id',
      'best_bid',
      'best_ask',
      'mid',
      'spread',
      'bid_depth5',
      'ask_depth5',
      'stale',
    ])
    expect(first.ts).toBe(1790658661234)
    expect(first.stale).toBe(false)
    expect(typeof first.best_bid).toBe('number')
    // The crossed tail of the burst is flagged stale; the final snapshot clears it.
    expect(lines.some((l) => l.stale === true)).toBe(true)
    expect(lines.at(-1)!.stale).toBe(false)
    for (const line of lines) {
      if (line.best_bid !== null && line.best_ask !== null && line.stale === false) {
        expect(line.best_bid as number).toBeLessThan(line.best_ask as number)
      }
    }
  })

  test('--emit frames exports NDJSON that replays to the same books', async () => {
    const exported = await runCli(['replay', BURST, '--emit', 'frames'])
    expect(exported.code).toBe(0)
    expect(exported.stdout.trim().split('\n')).toHaveLength(51)
    const file = join(dir, 'frames.ndjson')
    await writeFile(file, exported.stdout)
    const direct = await runCli(['replay', BURST, '--emit', 'final-book'])
    const again = await runCli(['replay', file, '--emit', 'final-book'])
    expect(again.stdout).toBe(direct.stdout)
  })
})

describe('replay of captures', () => {
  test('a capture of the burst gives the same books as the raw file', async () => {
    const out = join(dir, 'capture-one')
    const writer = await CaptureWriter.open({ dir: out, startedBy: 'test' })
    writer.writeMarker(
      'connect',
      'c1',
      { url: 'ws://127.0.0.1:1/ws/market' },
      { tLocal: 1, mono: 1 },
    )
    frames.forEach((frame, i) =>
      writer.writeFrame('c1', JSON.stringify(frame), { tLocal: 1000 + i, mono: 1000 + i }),
    )
    writer.writeFrame('c1', 'PONG', { tLocal: 2000, mono: 2000 })
    await writer.close()
    const fromCapture = await runCli(['replay', out, '--emit', 'final-book'])
    const fromFile = await runCli(['replay', BURST, '--emit', 'final-book'])
    expect(fromCapture.code).toBe(0)
    expect(fromCapture.stdout).toBe(fromFile.stdout)
    expect(fromCapture.stderr).toMatch(/52 frames \(1 non-JSON ignored\)/)
  })

  test('a directory of two overlapping captures is merged by receive time', async () => {
    const out = join(dir, 'capture-two')
    const a = await CaptureWriter.open({ dir: out, prefix: 'a', startedBy: 'test' })
    const b = await CaptureWriter.open({ dir: out, prefix: 'b', startedBy: 'test' })
    // Even frames on one connection, odd on the other, interleaved in time.
    frames.forEach((frame, i) => {
      const writer = i % 2 === 0 ? a : b
      writer.writeFrame(i % 2 === 0 ? 'ca' : 'cb', JSON.stringify(frame), {
        tLocal: 1000 + i,
        mono: i,
      })
    })
    await a.close()
    await b.close()
    const exported = await runCli(['replay', out, '--emit', 'frames'])
    expect(exported.code).toBe(0)
    expect(ndjson(exported.stdout)).toEqual(frames)
  })
})

describe('replay input errors', () => {
  test('a missing path is a clear error', async () => {
    const run = await runCli(['replay', join(dir, 'nope.json')])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot read ".*nope\.json"/)
  })

  test('a file that is not a recording says what was expected', async () => {
    const file = join(dir, 'notes.txt')
    await writeFile(file, 'hello world\n')
    const run = await runCli(['replay', file])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/not a recording replay understands/)
  })

  test('an unknown --emit is a usage error', async () => {
    const run = await runCli(['replay', BURST, '--emit', 'everything'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--emit must be one of top, final-book, frames/)
  })

  test('no input is a usage error', async () => {
    const run = await runCli(['replay'])
    expect(run.code).toBe(2)
  })

  test('malformed frames are reported and skipped; good frames still apply', async () => {
    const file = join(dir, 'mixed.ndjson')
    const lines = [
      JSON.stringify(frames[0]),
      '{"event_type":"price_change","market":"0x1","timestamp":"1","price_changes":[{"asset_id":"x"',
      JSON.stringify({
        event_type: 'price_change',
        market: '0x1',
        timestamp: '2',
        price_changes: [{ asset_id: TOKEN_A, price: '2.5', size: '1', side: 'BUY' }],
      }),
      'PONG',
      JSON.stringify(frames[1]),
    ]
    await writeFile(file, `${lines.join('\n')}\n`)
    const run = await runCli(['replay', file, '--emit', 'final-book', '--asset', TOKEN_A])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/2 parse errors/)
    expect(run.stderr).toMatch(/parse error/)
    const [book] = ndjson(run.stdout)
    // The snapshot and the one good price_change are applied; the bad price never is.
    expect((book!.bids as string[][])[0]).toEqual(['0.301', '1000'])
  })
})

describe('help', () => {
  test('tiltmeter --help lists replay', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/replay/)
  })

  test('replay --help documents --emit', async () => {
    const run = await runCli(['replay', '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/--emit final-book/)
  })
})
