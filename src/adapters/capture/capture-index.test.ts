import fc from 'fast-check'
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { PlaybackSession } from '../../engine/playback/playback-session.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import {
  buildCaptureIndex,
  CaptureIndexError,
  DIRECTORY_INDEX_NAME,
  ensureCaptureIndex,
  loadCaptureIndex,
  locateCapture,
  openCapturePlayback,
  type CaptureIndex,
} from './capture-index.js'
import { describeMarket, replayStatesAt, verifyCaptureIndex } from './capture-index-verify.js'
import { CaptureWriter, type CaptureClock } from './capture-writer.js'
import { listCaptureFiles } from './capture-reader.js'

const PARSER = polymarketFrameParser
const MARKET = `0x${'ab'.repeat(32)}`
const ASSETS = ['1111111111', '2222222222', '3333333333', '4444444444']
const START = 1_780_000_000_000

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiltmeter-idx-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Deterministic pseudo-random numbers (the data, not the property under test). */
function prng(seed: number): () => number {
  let x = seed >>> 0
  return () => {
    x = (x + 0x6d2b79f5) >>> 0
    let t = x
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const priceText = (cents: number): string => (cents / 100).toFixed(2)

/**
 * Venue frames of every kind replay meets: snapshots (some with a tick size), batched
 * price_changes whose stated best bid/ask are usually right and sometimes not, trades, tick
 * size changes, best_bid_ask, arrays of events, PONG, broken JSON, frames without a
 * timestamp; venue times that repeat, jump, and go back.
 */
function* venueFrames(seed: number, count: number): Generator<{ venue: number; raw: string }> {
  const random = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const books = new Map<string, { bid: Map<number, number>; ask: Map<number, number> }>()
  let venue = START
  for (let i = 0; i < count; i++) {
    const r = random()
    venue += r < 0.1 ? 0 : r < 0.93 ? Math.floor(random() * 400) : Math.floor(random() * 30_000)
    const ts = random() < 0.05 ? venue - Math.floor(random() * 5000) : venue
    const asset = pick(ASSETS)
    const book = books.get(asset) ?? { bid: new Map(), ask: new Map() }
    books.set(asset, book)
    const kind = random()
    let raw: string
    if (kind < 0.08) {
      book.bid.clear()
      book.ask.clear()
      const mid = 20 + Math.floor(random() * 60)
      const bids = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, k) => mid - 1 - k)
      const asks = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, k) => mid + 1 + k)
      for (const p of bids) book.bid.set(p, 100 + k(p))
      for (const p of asks) book.ask.set(p, 100 + k(p))
      const tick = random() < 0.3 ? ',"tick_size":"0.01"' : ''
      raw = `{"event_type":"book","asset_id":"${asset}","market":"${MARKET}","bids":[${bids.map((p) => `{"price":"${priceText(p)}","size":"${100 + k(p)}"}`).join(',')}],"asks":[${asks.map((p) => `{"price":"${priceText(p)}","size":"${100 + k(p)}"}`).join(',')}],"timestamp":"${ts}","hash":"h${i}"${tick}}`
    } else if (kind < 0.7) {
      const legs: string[] = []
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const legAsset = pick(ASSETS)
        const legBook = books.get(legAsset) ?? { bid: new Map(), ask: new Map() }
        books.set(legAsset, legBook)
        const side = random() < 0.5 ? 'BUY' : 'SELL'
        const p = 2 + Math.floor(random() * 96)
        const size = random() < 0.3 ? 0 : Math.floor(random() * 5000) / 10
        const levels = side === 'BUY' ? legBook.bid : legBook.ask
        if (size === 0) levels.delete(p)
        else levels.set(p, size)
        const bestBid = Math.max(-1, ...legBook.bid.keys())
        const bestAsk = Math.min(101, ...legBook.ask.keys())
        const wrong = random() < 0.05 ? 1 : 0
        legs.push(
          `{"asset_id":"${legAsset}","price":"${priceText(p)}","size":"${size}","side":"${side}","hash":"x","best_bid":"${bestBid < 0 ? '0' : priceText(bestBid + wrong)}","best_ask":"${bestAsk > 100 ? '0' : priceText(bestAsk)}"}`,
        )
      }
      raw = `{"market":"${MARKET}","price_changes":[${legs.join(',')}],"timestamp":"${ts}","event_type":"price_change"}`
    } else if (kind < 0.8) {
      raw = `{"asset_id":"${asset}","event_type":"last_trade_price","fee_rate_bps":"0","market":"${MARKET}","price":"${priceText(5 + Math.floor(random() * 90))}","side":"${random() < 0.5 ? 'BUY' : 'SELL'}","size":"${Math.floor(random() * 900) + 1}","timestamp":"${ts}"}`
    } else if (kind < 0.82) {
      raw = `{"asset_id":"${asset}","event_type":"tick_size_change","market":"${MARKET}","new_tick_size":"0.01","old_tick_size":"0.01","timestamp":"${ts}"}`
    } else if (kind < 0.87) {
      raw = `{"event_type":"best_bid_ask","market":"${MARKET}","asset_id":"${asset}","best_bid":"0.4","best_ask":"0.6","spread":"0.2","timestamp":"${ts}"}`
    } else if (kind < 0.9) {
      raw = `[{"asset_id":"${asset}","event_type":"last_trade_price","market":"${MARKET}","price":"0.5","side":"BUY","size":"3","timestamp":"${ts}"},{"event_type":"best_bid_ask","market":"${MARKET}","asset_id":"${asset}","best_bid":"0.45","best_ask":"0.55","spread":"0.1","timestamp":"${ts + 3}"}]`
    } else if (kind < 0.95) {
      raw = 'PONG'
    } else if (kind < 0.97) {
      raw = `{"event_type":"price_change","market":"${MARKET}","timestamp":"${ts}"`
    } else {
      raw = `{"event_type":"book","asset_id":"${asset}","market":"${MARKET}","bids":[],"asks":[]}`
    }
    yield { venue, raw }
  }
}

function k(p: number): number {
  return (p * 37) % 101
}

type Recording = { dir: string; frames: number }

/**
 * Writes a generated capture: `writers` recorders (prefixes a, b, ...) interleaved in time in
 * one directory, rotating every `rotateBytes`, flushing every `flushEvery` frames.
 */
async function record(
  name: string,
  options: {
    seed: number
    frames: number
    writers?: number
    rotateBytes?: number
    flushEvery?: number
    gzip?: boolean
  },
): Promise<Recording> {
  const dir = join(root, name)
  await mkdir(dir, { recursive: true })
  let now = START
  const clock: CaptureClock = { nowMs: () => now, monoUs: () => (now - START) * 1000 }
  const writers: CaptureWriter[] = []
  for (let w = 0; w < (options.writers ?? 1); w++) {
    writers.push(
      await CaptureWriter.open({
        dir,
        prefix: String.fromCharCode(97 + w),
        rotateBytes: options.rotateBytes ?? 256 * 1024 * 1024,
        gzip: options.gzip ?? true,
        clock,
        flushMs: 3_600_000,
      }),
    )
  }
  const random = prng(options.seed + 1)
  let frames = 0
  for (const { venue, raw } of venueFrames(options.seed, options.frames)) {
    now = Math.max(now + Math.floor(random() * 3), venue + 20)
    const writer = writers[Math.floor(random() * writers.length)]!
    if (random() < 0.02)
      writer.writeMarker('note', 'c1', { note: 'health', to: 'live' }, { tLocal: now })
    writer.writeFrame('c1', raw, { tLocal: now })
    frames++
    if (frames % (options.flushEvery ?? 10) === 0) await writer.flush()
  }
  for (const writer of writers) await writer.close()
  return { dir, frames }
}

/** Seek times: anywhere in and around the recording, exact frame clocks and their neighbours. */
function timesArbitrary(clocks: readonly number[]): fc.Arbitrary<number[]> {
  const first = clocks[0]!
  const last = clocks[clocks.length - 1]!
  const exact = fc
    .integer({ min: 0, max: clocks.length - 1 })
    .chain((i) => fc.constantFrom(clocks[i]!, clocks[i]! - 1, clocks[i]! + 1))
  return fc.array(fc.oneof(fc.integer({ min: first - 5000, max: last + 5000 }), exact), {
    minLength: 10,
    maxLength: 30,
  })
}

/** The property: seeks (in any order) give the replay's state. */
async function checkSeeks(
  path: string,
  index: CaptureIndex,
  seed: number,
  runs: number,
): Promise<void> {
  const { clocks } = await replayStatesAt(index.location.files, [], PARSER)
  await fc.assert(
    fc.asyncProperty(timesArbitrary(clocks), async (times) => {
      const result = await verifyCaptureIndex(index, times, PARSER)
      expect(result.mismatches, path).toEqual([])
    }),
    { seed, numRuns: runs },
  )
}

describe('capture index, generated captures', () => {
  test('rotated gzip files with resume points inside them', async () => {
    const rec = await record('rotated', {
      seed: 1,
      frames: 6000,
      rotateBytes: 200_000,
      flushEvery: 7,
    })
    const files = await listCaptureFiles(rec.dir)
    expect(files.length).toBeGreaterThan(5)
    const index = await buildCaptureIndex(rec.dir, { intervalMs: 20_000, resumeSpacingBytes: 1024 })
    expect(index.header.summary.frames).toBe(rec.frames)
    expect(index.header.summary.resumePoints).toBeGreaterThan(files.length * 2)
    expect(index.header.summary.checkpoints).toBeGreaterThan(20)
    // The data exercises every path of the book code.
    const end = (await replayStatesAt(index.location.files, [Number.POSITIVE_INFINITY], PARSER))
      .states[0]!.counters
    expect(end.parseErrors).toBeGreaterThan(0)
    expect(end.parseErrors).toBeLessThan(rec.frames * 0.1)
    for (const key of [
      'ignoredFrames',
      'snapshots',
      'trades',
      'mismatches',
      'crossedBooks',
      'tickSizeChanges',
    ]) {
      expect(end[key], key).toBeGreaterThan(0)
    }
    await checkSeeks(rec.dir, index, 11, 4)
  })

  test('two recorders interleaved in one directory', async () => {
    const rec = await record('interleaved', {
      seed: 2,
      frames: 4000,
      writers: 2,
      rotateBytes: 300_000,
    })
    const index = await buildCaptureIndex(rec.dir, { intervalMs: 15_000, resumeSpacingBytes: 2048 })
    await checkSeeks(rec.dir, index, 12, 3)
  })

  test('plain (uncompressed) files', async () => {
    const rec = await record('plain', { seed: 3, frames: 3000, rotateBytes: 250_000, gzip: false })
    const index = await buildCaptureIndex(rec.dir, { maxFrames: 100 })
    expect(index.header.summary.resumePoints).toBe(0)
    await checkSeeks(rec.dir, index, 13, 3)
  })

  test('a single capture file gets its index beside it', async () => {
    const rec = await record('single', { seed: 4, frames: 1500 })
    const [file] = await listCaptureFiles(rec.dir)
    const index = await buildCaptureIndex(file!, { intervalMs: 5000 })
    expect(index.location.indexPath).toBe(`${file}.idx`)
    expect((await stat(`${file}.idx`)).size).toBe(index.sizeBytes)
    await checkSeeks(file!, index, 14, 2)
  })

  test('a capture cut short is read as the replay reads it', async () => {
    const rec = await record('cut', { seed: 5, frames: 3000, flushEvery: 13 })
    const [file] = await listCaptureFiles(rec.dir)
    const size = (await stat(file!)).size
    for (const keep of [Math.floor(size * 0.37), Math.floor(size * 0.81), size - 5]) {
      await truncate(file!, keep)
      const warnings: string[] = []
      const index = await buildCaptureIndex(file!, {
        resumeSpacingBytes: 1024,
        onWarning: (w) => warnings.push(w),
      })
      expect(warnings.join('\n')).toMatch(/without its trailer/)
      await checkSeeks(file!, index, 15 + keep, 1)
    }
  })

  test('damaged lines are skipped as the replay skips them', async () => {
    const rec = await record('damaged', { seed: 6, frames: 1200, gzip: false })
    const [file] = await listCaptureFiles(rec.dir)
    const lines = (await readFile(file!, 'utf8')).split('\n')
    lines[100] = lines[100]!.slice(0, 30)
    lines[200] = ''
    lines[300] = `${lines[300]}\r`
    lines[400] = lines[400]!.replace('"k":"f","t":', '"k":"f", "t":')
    lines.push('{"k":"f","t":1')
    await writeFile(file!, lines.join('\n'))
    const warnings: string[] = []
    const index = await buildCaptureIndex(file!, { onWarning: (w) => warnings.push(w) })
    expect(warnings.join('\n')).toMatch(/:101: .*line skipped/)
    expect(warnings.join('\n')).toMatch(/last line is incomplete/)
    await checkSeeks(file!, index, 21, 2)
  })

  test('the comparison sees a difference between two times', async () => {
    const rec = await record('sanity', { seed: 7, frames: 800 })
    const index = await buildCaptureIndex(rec.dir)
    const { clocks } = await replayStatesAt(index.location.files, [], PARSER)
    const mid = clocks[clocks.length >> 1]!
    const reference = await replayStatesAt(index.location.files, [mid], PARSER)
    const session = await PlaybackSession.open(index, PARSER)
    const view = await session.seek(clocks[(clocks.length >> 1) + 5]!)
    expect(describeMarket(view.market, reference.assets)).not.toEqual(reference.states[0])
    await session.close()
  })
})

describe('capture index file', () => {
  let rec: Recording
  beforeAll(async () => {
    rec = await record('lifecycle', { seed: 8, frames: 1500, rotateBytes: 100_000 })
  })

  test('is built on first use, then loaded', async () => {
    const first = await ensureCaptureIndex(rec.dir)
    expect(first.built).toBe(true)
    expect(first.reason).toMatch(/no playback index/)
    expect(first.index.location.indexPath).toBe(join(rec.dir, DIRECTORY_INDEX_NAME))
    const second = await ensureCaptureIndex(rec.dir)
    expect(second).toMatchObject({ built: false, reason: null })
    expect(second.index.header).toEqual(first.index.header)
    const session = await PlaybackSession.open(await openCapturePlayback(rec.dir), PARSER)
    expect((await session.seek(START + 60_000)).clock).not.toBeNull()
    await session.close()
  })

  test('a changed capture makes it stale, and it is rebuilt', async () => {
    await ensureCaptureIndex(rec.dir)
    const files = await listCaptureFiles(rec.dir)
    const last = files[files.length - 1]!
    const later = new Date(Date.now() + 5000)
    await utimes(last, later, later)
    await expect(loadCaptureIndex(rec.dir)).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof CaptureIndexError &&
        e.code === 'CAPTURE_INDEX_STALE' &&
        e.message.includes('was modified since it was indexed'),
    )
    const rebuilt = await ensureCaptureIndex(rec.dir)
    expect(rebuilt.built).toBe(true)
    expect(rebuilt.reason).toMatch(/out of date/)
    // A new file in the directory.
    await writeFile(join(rec.dir, 'zz-extra.ndjson'), (await readFile(files[0]!)).subarray(0, 0))
    await expect(loadCaptureIndex(rec.dir)).rejects.toThrow(/files changed/)
    await rm(join(rec.dir, 'zz-extra.ndjson'))
    await ensureCaptureIndex(rec.dir)
    // Other build options.
    await expect(loadCaptureIndex(rec.dir, { intervalMs: 1234 })).rejects.toThrow(/interval/)
    await expect(loadCaptureIndex(rec.dir, { maxFrames: 7 })).rejects.toThrow(/frame limit/)
  })

  test('a damaged index is a clear error, and is rebuilt on use', async () => {
    await ensureCaptureIndex(rec.dir)
    const path = join(rec.dir, DIRECTORY_INDEX_NAME)
    const good = await readFile(path)
    const cases: [string, Buffer, RegExp][] = [
      ['garbage', Buffer.from('hello, not an index'), /not a playback index file/],
      ['cut short', good.subarray(0, good.length >> 1), /checksum mismatch/],
      ['flipped byte', Buffer.from(good).fill(0x41, 200, 201), /checksum mismatch/],
      ['empty', Buffer.alloc(0), /not a playback index file/],
    ]
    for (const [name, bytes, message] of cases) {
      await writeFile(path, bytes)
      await expect(loadCaptureIndex(rec.dir), name).rejects.toSatisfy(
        (e: unknown) =>
          e instanceof CaptureIndexError &&
          e.code === 'CAPTURE_INDEX_CORRUPT' &&
          e.message.startsWith(path) &&
          message.test(e.message),
      )
      const warnings: string[] = []
      const again = await ensureCaptureIndex(rec.dir, { onWarning: (w) => warnings.push(w) })
      expect(again.built).toBe(true)
      expect(warnings.join('\n')).toMatch(/rebuilding it/)
    }
    const other = Buffer.from(good)
    other.writeUInt32LE(99, 8)
    await writeFile(path, other)
    await expect(loadCaptureIndex(rec.dir)).rejects.toThrow(/format version 99/)
  })

  test('reports what it cannot do', async () => {
    await expect(locateCapture(join(root, 'missing'))).rejects.toThrow(/cannot read capture/)
    const empty = join(root, 'empty-dir')
    await mkdir(empty, { recursive: true })
    await expect(buildCaptureIndex(empty)).rejects.toThrow(/holds no capture files/)
    await expect(
      buildCaptureIndex(rec.dir, { indexPath: join(root, 'no-such-dir', 'x.idx') }),
    ).rejects.toSatisfy(
      (e: unknown) => e instanceof CaptureIndexError && e.code === 'CAPTURE_INDEX_WRITE_FAILED',
    )
    const notCapture = join(root, 'not-a-capture.ndjson')
    await writeFile(notCapture, '{"hello":1}\n')
    await expect(buildCaptureIndex(notCapture)).rejects.toThrow(/not a tiltmeter capture file/)
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })
})
