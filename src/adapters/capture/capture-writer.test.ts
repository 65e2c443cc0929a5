import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { CaptureRecord } from './capture-format.js'
import { readCaptures, type CaptureWarning } from './capture-reader.js'
import {
  CaptureWriteError,
  CaptureWriter,
  formatFileStamp,
  type CaptureClock,
  type CaptureFlushInfo,
} from './capture-writer.js'

const START_MS = Date.UTC(2026, 5, 7, 1, 30, 51, 472)

/** A clock that moves only when told to. */
class FakeClock implements CaptureClock {
  ms = START_MS
  us = 5_000_000
  nowMs(): number {
    return this.ms
  }
  monoUs(): number {
    return this.us
  }
  advance(ms: number): void {
    this.ms += ms
    this.us += ms * 1000
  }
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-capture-writer-'))
})
afterEach(async () => {
  vi.useRealTimers()
  await rm(dir, { recursive: true, force: true })
})

async function readAll(
  paths: string | string[],
): Promise<{ records: CaptureRecord[]; warnings: CaptureWarning[] }> {
  const records: CaptureRecord[] = []
  const warnings: CaptureWarning[] = []
  const list = typeof paths === 'string' ? [paths] : paths
  await readCaptures(list, (r) => records.push(r), { onWarning: (w) => warnings.push(w) })
  return { records, warnings }
}

/** Reads the file as it is on disk right now, without the writer closing it. */
async function readSnapshot(
  path: string,
): Promise<{ records: CaptureRecord[]; warnings: CaptureWarning[] }> {
  const copy = join(dir, `snapshot-${basename(path)}`)
  await writeFile(copy, await readFile(path))
  try {
    return await readAll(copy)
  } finally {
    await rm(copy)
  }
}

function framesOf(records: CaptureRecord[]): string[] {
  return records.flatMap((r) => (r.kind === 'frame' ? [r.raw] : []))
}

const FRAMES = [
  '{"event_type":"book","asset_id":"7667","bids":[{"price":"0.25","size":"100"}],"asks":[]}',
  'PONG',
  '{"event_type":"price_change","price_changes":[{"price":"0.3"',
  '{\n  "pretty": true\n}',
  '{"team":"Ninjas in Pyjamas ⚡ 東京 🎮"}',
  '{"sep":"a\u2028b"}',
  'text with\u2029separator and \r\n line ends',
  '',
]

describe('writing and reading back', () => {
  test.each([true, false])('frames and markers round-trip exactly (gzip %s)', async (gzip) => {
    const clock = new FakeClock()
    const writer = await CaptureWriter.open({
      dir,
      gzip,
      clock,
      startedBy: 'record',
      source: { venue: 'polymarket', url: 'wss://example.test/ws/market' },
    })
    writer.writeMarker('connect', 'c1', { url: 'wss://example.test/ws/market' })
    writer.writeMarker('subscribe', 'c1', { asset_ids: ['7667', '5417'] })
    for (const raw of FRAMES) {
      clock.advance(3)
      writer.writeFrame('c1', raw)
    }
    writer.writeFrame('c2', '{"a":1}', { tLocal: 42, mono: 7, isJson: true })
    writer.writeMarker('resync', 'c1', { asset_id: '7667', reason: 'best bid mismatch' })
    writer.writeMarker('disconnect', 'c1', { code: 1006, reason: 'abnormal' })
    writer.writeMarker('note', '', { text: 'end of test' })
    expect(writer.linesWritten).toBe(FRAMES.length + 6)
    await writer.close()

    expect(writer.files).toHaveLength(1)
    const file = writer.files[0] as string
    const ext = gzip ? '.ndjson.gz' : '.ndjson'
    expect(basename(file)).toBe(`capture-20260607T013051472Z-0001${ext}`)
    const bytes = await readFile(file)
    expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip)
    // A closed gzip file has its trailer: strict decompression succeeds.
    const text = gzip ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8')
    expect(text.endsWith('\n')).toBe(true)
    expect(text.split('\n')).toHaveLength(FRAMES.length + 8)

    const { records, warnings } = await readAll(file)
    expect(warnings).toEqual([])
    expect(records[0]).toEqual({
      kind: 'header',
      version: 1,
      tLocal: START_MS,
      mono: 5_000_000,
      fileSeq: 1,
      startedBy: 'record',
      source: { venue: 'polymarket', url: 'wss://example.test/ws/market' },
    })
    expect(framesOf(records)).toEqual([...FRAMES, '{"a":1}'])
    expect(records.filter((r) => r.kind === 'frame').map((r) => r.conn)).toEqual([
      ...FRAMES.map(() => 'c1'),
      'c2',
    ])
    expect(records[3]).toMatchObject({ tLocal: START_MS + 3, mono: 5_003_000 })
    expect(records.at(-4)).toMatchObject({ tLocal: 42, mono: 7, value: { a: 1 } })
    const markers = records.flatMap((r) => (r.kind === 'marker' ? [[r.marker, r.detail]] : []))
    expect(markers).toEqual([
      ['connect', { url: 'wss://example.test/ws/market' }],
      ['subscribe', { asset_ids: ['7667', '5417'] }],
      ['resync', { asset_id: '7667', reason: 'best bid mismatch' }],
      ['disconnect', { code: 1006, reason: 'abnormal' }],
      ['note', { text: 'end of test' }],
    ])
  })

  test('the JSON payload is the verbatim text on the line', async () => {
    const writer = await CaptureWriter.open({ dir, gzip: false, clock: new FakeClock() })
    writer.writeFrame('c1', '{ "spaced" : 1 }')
    await writer.close()
    const text = await readFile(writer.files[0] as string, 'utf8')
    expect(text.split('\n')[1]).toBe(
      `{"k":"f","t":${START_MS},"m":5000000,"c":"c1","j":{ "spaced" : 1 }}`,
    )
  })

  test('the directory is created and existing files are never overwritten', async () => {
    const nested = join(dir, 'a', 'b')
    const clock = new FakeClock()
    const first = await CaptureWriter.open({ dir: nested, clock, prefix: 'live' })
    await first.close()
    const before = await readFile(first.files[0] as string)
    const second = await CaptureWriter.open({ dir: nested, clock, prefix: 'live' })
    second.writeFrame('c1', 'PONG')
    await second.close()
    expect(basename(first.files[0] as string)).toBe('live-20260607T013051472Z-0001.ndjson.gz')
    expect(basename(second.files[0] as string)).toBe('live-20260607T013051472Z-0002.ndjson.gz')
    expect(await readFile(first.files[0] as string)).toEqual(before)
    const { records } = await readAll(second.files[0] as string)
    expect(records[0]).toMatchObject({ kind: 'header', fileSeq: 2 })
  })

  test('file stamps are UTC with milliseconds', () => {
    expect(formatFileStamp(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('20240102T030405006Z')
  })
})

describe('rotation', () => {
  test('by size: every file starts with a header and nothing is lost', async () => {
    const clock = new FakeClock()
    const writer = await CaptureWriter.open({ dir, clock, rotateBytes: 2000 })
    const sent: string[] = []
    for (let i = 0; i < 100; i++) {
      const raw = `{"i":${i},"pad":"${'x'.repeat(i % 7)}"}`
      sent.push(raw)
      writer.writeFrame('c1', raw)
      if (i % 30 === 0) await writer.flush()
    }
    await writer.close()
    expect(writer.files.length).toBeGreaterThan(3)
    const seqs: number[] = []
    for (const file of writer.files) {
      const text = gunzipSync(await readFile(file)).toString('utf8')
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2000)
      const { records } = await readAll(file)
      expect(records[0]?.kind).toBe('header')
      if (records[0]?.kind === 'header') seqs.push(records[0].fileSeq)
      expect(records.length).toBeGreaterThan(1)
    }
    expect(seqs).toEqual(writer.files.map((_f, i) => i + 1))
    expect(writer.files.map((f) => basename(f))).toEqual(
      [...writer.files.map((f) => basename(f))].sort(),
    )
    expect(framesOf((await readAll([...writer.files])).records)).toEqual(sent)
  })

  test('by time: a record an hour after the first one starts a new file', async () => {
    const clock = new FakeClock()
    const writer = await CaptureWriter.open({ dir, clock, rotateMs: 3_600_000 })
    writer.writeFrame('c1', '{"n":1}')
    clock.advance(3_599_999)
    writer.writeFrame('c1', '{"n":2}')
    clock.advance(1)
    writer.writeFrame('c1', '{"n":3}')
    writer.writeMarker('note', 'c1', { text: 'same file as n=3' })
    await writer.close()
    expect(writer.files.map((f) => basename(f))).toEqual([
      'capture-20260607T013051472Z-0001.ndjson.gz',
      'capture-20260607T023051472Z-0002.ndjson.gz',
    ])
    const [first, second] = await Promise.all(writer.files.map((f) => readAll(f)))
    expect(framesOf(first?.records ?? [])).toEqual(['{"n":1}', '{"n":2}'])
    expect(second?.records.map((r) => r.kind)).toEqual(['header', 'frame', 'marker'])
    expect(second?.records[0]).toMatchObject({ tLocal: START_MS + 3_600_000, fileSeq: 2 })
  })
})

describe('flushing', () => {
  test('the timer flushes buffered lines every flushMs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const flushes: CaptureFlushInfo[] = []
    let flushed: () => void = () => undefined
    const writer = await CaptureWriter.open({
      dir,
      clock: new FakeClock(),
      flushMs: 1000,
      onFlush: (info) => {
        flushes.push(info)
        flushed()
      },
    })
    const file = writer.files[0] as string
    // open() flushes the header so the file is readable from the start.
    expect((await readSnapshot(file)).records.map((r) => r.kind)).toEqual(['header'])
    flushes.length = 0

    writer.writeFrame('c1', '{"n":1}')
    writer.writeFrame('c1', 'PONG')
    vi.advanceTimersByTime(999)
    expect(flushes).toEqual([])
    expect(framesOf((await readSnapshot(file)).records)).toEqual([])

    const next = new Promise<void>((resolve) => {
      flushed = resolve
    })
    vi.advanceTimersByTime(1)
    await next
    expect(flushes).toEqual([{ file, linesFlushed: 2 }])
    expect(writer.linesFlushed).toBe(2)
    const snapshot = await readSnapshot(file)
    expect(framesOf(snapshot.records)).toEqual(['{"n":1}', 'PONG'])
    expect(snapshot.warnings.map((w) => w.code)).toEqual(['TRUNCATED_GZIP'])

    // An idle period does not flush (or report) anything.
    vi.advanceTimersByTime(5000)
    expect(flushes).toHaveLength(1)
    await writer.close()
  })

  test('a crash after a flush loses nothing that was flushed', async () => {
    const writer = await CaptureWriter.open({ dir, clock: new FakeClock() })
    const sent: string[] = []
    for (let i = 0; i < 500; i++) {
      const raw = i % 10 === 0 ? 'PONG' : `{"i":${i}}`
      sent.push(raw)
      writer.writeFrame('c1', raw)
    }
    writer.writeMarker('disconnect', 'c1', { code: 1006 })
    await writer.flush()
    writer.writeFrame('c1', '{"not":"flushed"}')
    // Copy the bytes as they are on disk: the gzip stream has no trailer yet.
    const { records, warnings } = await readSnapshot(writer.files[0] as string)
    expect(framesOf(records)).toEqual(sent)
    expect(records.at(-1)).toMatchObject({ kind: 'marker', marker: 'disconnect' })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ code: 'TRUNCATED_GZIP' })
    expect(warnings[0]?.message).toMatch(/without its trailer/)
    await writer.close()
  })

  test('a killed writer process leaves every flushed line readable', async () => {
    const writerUrl = pathToFileURL(fileURLToPath(new URL('./capture-writer.ts', import.meta.url)))
    const script = join(dir, 'child-writer.mts')
    const outDir = join(dir, 'out')
    await writeFile(
      script,
      `import { CaptureWriter } from ${JSON.stringify(writerUrl.href)}
const writer = await CaptureWriter.open({
  dir: ${JSON.stringify(outDir)},
  flushMs: 20,
  onFlush: (info) => process.stdout.write(JSON.stringify(info) + '\\n'),
})
setTimeout(() => process.exit(0), 5000)
let i = 0
const burst = () => {
  for (let k = 0; k < 200; k++, i++) writer.writeFrame('c1', i % 7 === 0 ? 'PONG ' + i : '{"i":' + i + '}')
  setImmediate(burst)
}
burst()
`,
    )
    const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const reports: CaptureFlushInfo[] = []
    const exit = new Promise<NodeJS.Signals | number | null>((resolve) => {
      child.on('exit', (code, signal) => resolve(signal ?? code))
    })
    await new Promise<void>((resolve) => {
      let buffered = ''
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) reports.push(JSON.parse(line) as CaptureFlushInfo)
        // The first report is the header-only flush in open(); wait for two with frames.
        if (reports.filter((r) => r.linesFlushed > 0).length >= 2) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => resolve())
    })
    expect(await exit, stderr).toBe('SIGKILL')
    const flushedAtKill = Math.max(...reports.map((r) => r.linesFlushed))
    expect(flushedAtKill).toBeGreaterThan(0)

    const files = (await readdir(outDir)).map((name) => join(outDir, name))
    expect(files).toHaveLength(1)
    const { records, warnings } = await readAll(files)
    const frames = framesOf(records)
    // Every line flushed before the last report is there, in order, and nothing is corrupt.
    expect(frames.length).toBeGreaterThanOrEqual(flushedAtKill)
    frames.forEach((raw, i) => expect(raw).toBe(i % 7 === 0 ? `PONG ${i}` : `{"i":${i}}`))
    for (const w of warnings) expect(['TRUNCATED_GZIP', 'TORN_LAST_LINE']).toContain(w.code)
  })
})

describe('failures', () => {
  test('an unwritable output directory gives a clear error', async () => {
    const blocker = join(dir, 'a-file')
    await writeFile(blocker, 'not a directory')
    const error = await CaptureWriter.open({ dir: join(blocker, 'captures') }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(CaptureWriteError)
    expect((error as CaptureWriteError).code).toBe('CAPTURE_WRITE_FAILED')
    expect((error as Error).message).toMatch(
      /^cannot create capture directory '.*a-file\/captures': ENOTDIR.*choose a writable directory$/,
    )
  })

  test('a failed flush rejects flush() and close(), and later writes throw', async () => {
    const out = join(dir, 'out')
    const clock = new FakeClock()
    const writer = await CaptureWriter.open({ dir: out, clock, rotateMs: 1000 })
    writer.writeFrame('c1', '{"n":1}')
    await writer.flush()
    await rm(out, { recursive: true })
    clock.advance(1000)
    writer.writeFrame('c1', '{"n":2}')
    const error = await writer.flush().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CaptureWriteError)
    expect((error as Error).message).toMatch(
      /cannot create capture file '.*-0002\.ndjson\.gz': ENOENT/,
    )
    expect(() => writer.writeFrame('c1', 'PONG')).toThrow(error)
    expect(() => writer.writeMarker('note', 'c1')).toThrow(error)
    await expect(writer.flush()).rejects.toBe(error)
    await expect(writer.close()).rejects.toBe(error)
  })

  test('a failed timer flush goes to onError, never to an unhandled rejection', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const out = join(dir, 'out')
    const clock = new FakeClock()
    let reported: (e: CaptureWriteError) => void = () => undefined
    const errors = new Promise<CaptureWriteError>((resolve) => {
      reported = resolve
    })
    const writer = await CaptureWriter.open({
      dir: out,
      clock,
      rotateBytes: 300,
      flushMs: 50,
      onError: (e) => reported(e),
    })
    for (let i = 0; i < 20; i++) writer.writeFrame('c1', `{"i":${i}}`)
    await rm(out, { recursive: true })
    vi.advanceTimersByTime(50)
    const error = await errors
    expect(error).toBeInstanceOf(CaptureWriteError)
    expect(error.message).toMatch(/ENOENT/)
    expect(() => writer.writeFrame('c1', 'PONG')).toThrow(error)
    await expect(writer.close()).rejects.toBe(error)
  })

  test('bad options and writes after close are refused', async () => {
    await expect(CaptureWriter.open({ dir, rotateBytes: 0 })).rejects.toThrow(
      /rotateBytes must be a positive number/,
    )
    await expect(CaptureWriter.open({ dir, flushMs: Number.NaN })).rejects.toThrow(/flushMs/)
    await expect(CaptureWriter.open({ dir, prefix: '../x' })).rejects.toThrow(/prefix must be/)
    const writer = await CaptureWriter.open({ dir, clock: new FakeClock() })
    expect(() => writer.writeFrame('c1', 'x', { tLocal: Number.POSITIVE_INFINITY })).toThrow(
      /finite epoch ms/,
    )
    await writer.close()
    await writer.close()
    expect(() => writer.writeFrame('c1', 'PONG')).toThrow(/capture writer is closed/)
    expect((await stat(writer.files[0] as string)).size).toBeGreaterThan(0)
  })
})
