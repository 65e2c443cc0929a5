import { appendFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  encodeFrameLine,
  encodeHeaderLine,
  encodeMarkerLine,
  type CaptureRecord,
} from './capture-format.js'
import {
  CaptureFileError,
  listCaptureFiles,
  readCaptureFile,
  readCaptures,
  type CaptureWarning,
  type ReadSummary,
} from './capture-reader.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-capture-reader-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const T0 = 1_780_000_000_000

function header(t = T0, seq = 1, startedBy = 'record'): string {
  return encodeHeaderLine({ tLocal: t, mono: 0, fileSeq: seq, startedBy })
}

function frame(t: number, raw: string, conn = 'c1'): string {
  return encodeFrameLine(t, t * 1000, conn, raw)
}

/** A capture text: header plus one frame per time, each `{"n":<time offset>}`. */
function captureText(times: number[], conn = 'c1', headerT = T0): string {
  const lines = [header(headerT), ...times.map((t) => frame(t, `{"n":${t - T0}}`, conn))]
  return `${lines.join('\n')}\n`
}

type Result = { records: CaptureRecord[]; warnings: CaptureWarning[]; summary: ReadSummary }

async function read(path: string): Promise<Result> {
  const records: CaptureRecord[] = []
  const warnings: CaptureWarning[] = []
  const summary = await readCaptureFile(path, (r) => records.push(r), {
    onWarning: (w) => warnings.push(w),
  })
  return { records, warnings, summary }
}

async function merge(paths: string[]): Promise<Result> {
  const records: CaptureRecord[] = []
  const warnings: CaptureWarning[] = []
  const summary = await readCaptures(paths, (r) => records.push(r), {
    onWarning: (w) => warnings.push(w),
  })
  return { records, warnings, summary }
}

function raws(records: CaptureRecord[]): string[] {
  return records.flatMap((r) => (r.kind === 'frame' ? [r.raw] : []))
}

async function put(name: string, data: string | Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, data)
  return path
}

describe('readCaptureFile', () => {
  test('reads plain and gzip files alike, detecting gzip by content', async () => {
    const text = captureText([T0 + 1, T0 + 2])
    const plain = await put('a.ndjson', text)
    // Named like plain text but gzip inside, and the other way round.
    const gz = await put('b.ndjson', gzipSync(text))
    const misnamed = await put('c.ndjson.gz', text)
    const expected = ['{"n":1}', '{"n":2}']
    for (const path of [plain, gz, misnamed]) {
      const { records, warnings, summary } = await read(path)
      expect(raws(records)).toEqual(expected)
      expect(warnings).toEqual([])
      expect(summary).toMatchObject({ files: 1, lines: 3, headers: 1, frames: 2, markers: 0 })
      expect(summary.bytes).toBe(Buffer.byteLength(text))
      expect(summary.fileBytes).toBe((await stat(path)).size)
    }
  })

  test('a complete last line without its newline is read, blank lines and CRLF are fine', async () => {
    const lines = [
      header(),
      frame(T0 + 1, '{"a":1}'),
      '',
      frame(T0 + 2, 'PONG'),
      frame(T0 + 3, '[]'),
    ]
    const path = await put('crlf.ndjson', lines.join('\r\n'))
    const { records, warnings, summary } = await read(path)
    expect(raws(records)).toEqual(['{"a":1}', 'PONG', '[]'])
    expect(warnings).toEqual([])
    expect(summary.lines).toBe(4)
  })

  test('long files spanning many chunks and multi-byte text split across chunks', async () => {
    const lines = [header()]
    const sent: string[] = []
    for (let i = 0; i < 40_000; i++) {
      const raw = i % 3 === 0 ? `{"i":${i},"s":"東京🎮 ${'é'.repeat(i % 50)}"}` : `text ${i} ✓`
      sent.push(raw)
      lines.push(frame(T0 + i, raw))
    }
    const text = `${lines.join('\n')}\n`
    for (const data of [text, gzipSync(text)]) {
      const path = await put('long', data)
      const progress: number[] = []
      const records: CaptureRecord[] = []
      await readCaptureFile(path, (r) => records.push(r), { onProgress: (n) => progress.push(n) })
      expect(raws(records)).toEqual(sent)
      expect(progress.at(-1)).toBe((await stat(path)).size)
      expect(progress).toEqual([...progress].sort((a, b) => a - b))
    }
  })

  test('a torn last line in a plain file is skipped with a warning', async () => {
    const full = frame(T0 + 3, '{"price_changes":[{"price":"0.5"}]}')
    const path = await put('torn.ndjson', captureText([T0 + 1, T0 + 2]))
    await appendFile(path, full.slice(0, Math.floor(full.length / 2)))
    const { records, warnings } = await read(path)
    expect(raws(records)).toEqual(['{"n":1}', '{"n":2}'])
    expect(warnings).toEqual([
      {
        code: 'TORN_LAST_LINE',
        file: path,
        line: 4,
        message: `${path}:4: last line is incomplete (the writer stopped mid-line); skipped`,
      },
    ])
  })

  test('a torn last line inside gzip data is skipped with a warning', async () => {
    const text = captureText([T0 + 1, T0 + 2]) + frame(T0 + 3, '{"a":1}').slice(0, 20)
    const path = await put('torn.ndjson.gz', gzipSync(text))
    const { records, warnings } = await read(path)
    expect(raws(records)).toEqual(['{"n":1}', '{"n":2}'])
    expect(warnings.map((w) => [w.code, w.line])).toEqual([['TORN_LAST_LINE', 4]])
  })

  test('a gzip stream cut anywhere reads up to the cut with warnings, never an error', async () => {
    const times = Array.from({ length: 3000 }, (_v, i) => T0 + i)
    const text = captureText(times)
    const gz = gzipSync(text, { level: 1 })
    for (const cut of [gz.length - 8, gz.length - 1, Math.floor(gz.length / 2), 200, 12]) {
      const path = await put(`cut-${cut}.gz`, gz.subarray(0, cut))
      const { records, warnings } = await read(path)
      const got = raws(records)
      // Whatever comes back is an unbroken prefix of what was written.
      got.forEach((raw, i) => expect(raw).toBe(`{"n":${i}}`))
      const codes = warnings.map((w) => w.code)
      expect(codes[0]).toBe('TRUNCATED_GZIP')
      for (const code of codes)
        expect(['TRUNCATED_GZIP', 'TORN_LAST_LINE', 'EMPTY_FILE']).toContain(code)
      if (cut === gz.length - 8) expect(got).toHaveLength(3000)
    }
  })

  test('a corrupt line in the middle is reported with file:line and skipped', async () => {
    const lines = [
      header(),
      frame(T0 + 1, '{"n":1}'),
      '{"k":"f","t":1780000000002,"m":1,"c":"c1","j":{"n":2',
      'garbage \u0000 from a bad disk block',
      encodeMarkerLine('resync', T0 + 3, 3, 'c1', { asset_id: '1' }),
      frame(T0 + 4, '{"n":4}'),
    ]
    const path = await put('corrupt.ndjson', `${lines.join('\n')}\n`)
    const { records, warnings, summary } = await read(path)
    expect(raws(records)).toEqual(['{"n":1}', '{"n":4}'])
    expect(records.filter((r) => r.kind === 'marker')).toHaveLength(1)
    expect(warnings.map((w) => [w.code, w.line])).toEqual([
      ['CORRUPT_LINE', 3],
      ['CORRUPT_LINE', 4],
    ])
    expect(warnings[0]?.message).toMatch(
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: bad capture line: not valid JSON.*; line skipped$`,
      ),
    )
    expect(summary).toMatchObject({ lines: 6, frames: 2, markers: 1, warnings: 2 })
  })

  test('damaged gzip data after the header keeps what came before', async () => {
    const times = Array.from({ length: 20_000 }, (_v, i) => T0 + i)
    const gz = Buffer.from(gzipSync(captureText(times), { level: 1 }))
    for (let i = gz.length - 4000; i < gz.length - 3000; i++) gz[i] = (gz[i] ?? 0) ^ 0x5a
    const path = await put('damaged.gz', gz)
    const { records, warnings } = await read(path)
    const got = raws(records)
    expect(got.length).toBeGreaterThan(1000)
    got.forEach((raw, i) => expect(raw).toBe(`{"n":${i}}`))
    expect(warnings.map((w) => w.code)).toContain('CORRUPT_GZIP')
  })

  test('an empty file or one cut inside its header is a warning, not an error', async () => {
    const empty = await put('empty.ndjson.gz', '')
    expect((await read(empty)).warnings.map((w) => w.code)).toEqual(['EMPTY_FILE'])
    const tornHeader = await put('torn-header.ndjson', header().slice(0, 30))
    const result = await read(tornHeader)
    expect(result.records).toEqual([])
    expect(result.warnings.map((w) => w.code)).toEqual(['TORN_LAST_LINE', 'EMPTY_FILE'])
    const gzipHead = await put('gzip-head.ndjson.gz', gzipSync(captureText([])).subarray(0, 10))
    expect((await read(gzipHead)).warnings.map((w) => w.code)).toEqual([
      'TRUNCATED_GZIP',
      'EMPTY_FILE',
    ])
  })

  test.each([
    [
      'a CSV file',
      'ts,price\n1,0.5\n',
      /not a tiltmeter capture file: bad capture line: not valid JSON/,
    ],
    ['a gzip CSV file', gzipSync('ts,price\n1,0.5\n'), /not a tiltmeter capture file/],
    [
      'NDJSON of raw frames',
      '{"event_type":"book"}\n',
      /not a tiltmeter capture file: bad capture line: unknown record kind/,
    ],
    ['frames without a header', `${frame(T0, 'PONG')}\n`, /the first line is not a capture header/],
    [
      'a single line of junk',
      'hello',
      /not a tiltmeter capture file: the first line is not a capture header \(it starts with "hello"\)/,
    ],
    [
      'binary data with gzip magic',
      Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      /not a readable gzip file/,
    ],
    [
      'a newer format version',
      '{"k":"header","format":"tiltmeter-capture","version":9,"t":1,"m":1,"file_seq":1,"started_by":"x"}\n',
      /version 9 is newer than this build reads/,
    ],
  ])('%s is refused with a clear error', async (_name, data, message) => {
    const path = await put('input', data)
    const error = await read(path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CaptureFileError)
    expect((error as CaptureFileError).code).toBe('CAPTURE_FILE_INVALID')
    expect((error as CaptureFileError).file).toBe(path)
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true)
    expect((error as Error).message).toMatch(message)
  })

  test('a large file without line breaks is refused without reading it all', async () => {
    const path = await put('blob.bin', Buffer.alloc(3 << 20, 0x41))
    await expect(read(path)).rejects.toThrow(/no line break in the first 1 MiB/)
  })

  test('a missing file is a clear error', async () => {
    await expect(read(join(dir, 'nope.ndjson.gz'))).rejects.toThrow(
      /nope\.ndjson\.gz: cannot open capture file: ENOENT/,
    )
  })

  test('an error thrown by the callback stops the read and is passed on', async () => {
    const path = await put('a.ndjson.gz', gzipSync(captureText([T0 + 1, T0 + 2])))
    let seen = 0
    const failing = readCaptureFile(path, (r) => {
      if (r.kind === 'frame') throw new Error(`stop at ${++seen}`)
    })
    await expect(failing).rejects.toThrow('stop at 1')
  })
})

describe('readCaptures', () => {
  test('merges overlapping files in time order, keeping order on equal times', async () => {
    const a = await put('a.ndjson.gz', gzipSync(captureText([T0 + 1, T0 + 3, T0 + 5, T0 + 5], 'A')))
    const b = await put('b.ndjson', captureText([T0 + 2, T0 + 3, T0 + 4, T0 + 9], 'B', T0 + 2))
    const { records, summary } = await merge([a, b])
    expect(records.map((r) => (r.kind === 'frame' ? `${r.conn}${r.tLocal - T0}` : r.kind))).toEqual(
      ['header', 'A1', 'header', 'B2', 'A3', 'B3', 'B4', 'A5', 'A5', 'B9'],
    )
    expect(summary).toMatchObject({ files: 2, headers: 2, frames: 8, lines: 10 })
  })

  test('a header with a later time does not hold back its file (imports)', async () => {
    const imported = await put('imported.ndjson', captureText([T0 + 10, T0 + 30], 'I', T0 + 1e9))
    const live = await put('live.ndjson', captureText([T0 + 20], 'L'))
    const { records } = await merge([live, imported])
    const order = records.flatMap((r) => (r.kind === 'frame' ? [`${r.conn}${r.tLocal - T0}`] : []))
    expect(order).toEqual(['I10', 'L20', 'I30'])
  })

  test('sequential files from one recorder come out in order, markers included', async () => {
    const paths: string[] = []
    const sent: number[] = []
    for (let f = 0; f < 4; f++) {
      const lines = [header(T0 + f * 1000, f + 1)]
      for (let i = 0; i < 500; i++) {
        const t = T0 + f * 1000 + i
        sent.push(t)
        lines.push(i === 0 ? encodeMarkerLine('connect', t, t, 'c1') : frame(t, `{"t":${t}}`))
      }
      paths.push(await put(`cap-${f}.ndjson.gz`, gzipSync(`${lines.join('\n')}\n`)))
    }
    // Given out of order: the merge orders them by their first record.
    const { records, summary } = await merge([paths[2], paths[0], paths[3], paths[1]] as string[])
    expect(records.filter((r) => r.kind !== 'header').map((r) => r.tLocal)).toEqual(sent)
    expect(summary).toMatchObject({ files: 4, headers: 4, markers: 4, frames: 1996 })
  })

  test('warnings from each file are passed on and a bad file fails before any record', async () => {
    const good = await put('good.ndjson', captureText([T0 + 1]))
    const torn = await put('torn.ndjson', `${captureText([T0 + 2])}{"k":"f"`)
    const { warnings } = await merge([good, torn])
    expect(warnings.map((w) => [w.code, w.file])).toEqual([['TORN_LAST_LINE', torn]])

    const bad = await put('bad.ndjson', 'not,a,capture\n')
    const seen: CaptureRecord[] = []
    await expect(readCaptures([good, bad], (r) => seen.push(r))).rejects.toThrow(
      /bad\.ndjson: not a tiltmeter capture file/,
    )
    expect(seen).toEqual([])
  })

  test('no paths reads nothing', async () => {
    expect(await readCaptures([], () => undefined)).toMatchObject({ files: 0, frames: 0 })
  })
})

describe('listCaptureFiles', () => {
  test('lists capture files sorted by name', async () => {
    await put('capture-20260607T013051472Z-0002.ndjson.gz', '')
    await put('capture-20260607T013051472Z-0001.ndjson.gz', '')
    await put('capture-20260101T000000000Z-0001.ndjson', '')
    await put('notes.txt', '')
    await put('data.csv.gz', '')
    await mkdir(join(dir, 'sub.ndjson'))
    expect(await listCaptureFiles(dir)).toEqual([
      join(dir, 'capture-20260101T000000000Z-0001.ndjson'),
      join(dir, 'capture-20260607T013051472Z-0001.ndjson.gz'),
      join(dir, 'capture-20260607T013051472Z-0002.ndjson.gz'),
    ])
  })

  test('a missing directory is a clear error', async () => {
    await expect(listCaptureFiles(join(dir, 'missing'))).rejects.toThrow(
      /missing: cannot list capture directory: ENOENT/,
    )
  })
})

test('stopping early in a large gzip file releases it promptly', async () => {
  const times = Array.from({ length: 200_000 }, (_v, i) => T0 + i)
  const path = await put('large.ndjson.gz', gzipSync(captureText(times), { level: 1 }))
  let frames = 0
  const stopAt = (n: number) => (r: CaptureRecord) => {
    if (r.kind === 'frame' && ++frames === n) throw new Error(`stopped at ${n}`)
  }
  await expect(readCaptureFile(path, stopAt(50_000))).rejects.toThrow('stopped at 50000')
  frames = 0
  const a = await put('a.ndjson.gz', gzipSync(captureText(times), { level: 1 }))
  await expect(readCaptures([a, path], stopAt(120_000))).rejects.toThrow('stopped at 120000')
  // The files were closed: they can be removed and read again.
  expect((await read(path)).summary.frames).toBe(200_000)
})
