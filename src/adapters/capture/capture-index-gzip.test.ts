import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, createGunzip, createGzip, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  CaptureIndexError,
  openByteSource,
  type ResumePoint,
  type SourceWarning,
} from './capture-index-gzip.js'
import { CaptureFileError } from './capture-read-types.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-idxgz-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Capture-like lines: varied enough that deflate works for its output. */
function lines(count: number, seed = 1): string[] {
  let x = seed
  const next = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return x
  }
  return Array.from(
    { length: count },
    (_, i) =>
      `{"k":"f","t":${1_700_000_000_000 + i * 7},"m":${i},"c":"c1","j":{"event_type":"price_change","price":"0.${next() % 90}","size":"${next() % 100_000}","n":${next()}}}\n`,
  )
}

/** Gzips `parts` with a sync flush after each part, as the capture writer does. */
function gzipParts(parts: readonly Buffer[], level = 1): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level })
    const out: Buffer[] = []
    gzip.on('data', (c: Buffer) => out.push(c))
    gzip.on('end', () => resolve(Buffer.concat(out)))
    gzip.on('error', reject)
    let i = 0
    const step = (): void => {
      if (i === parts.length) {
        gzip.end()
        return
      }
      gzip.write(parts[i++]!)
      gzip.flush(constants.Z_SYNC_FLUSH, step)
    }
    step()
  })
}

function batches(all: readonly string[], per: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < all.length; i += per) out.push(Buffer.from(all.slice(i, i + per).join('')))
  return out
}

/** What the capture reader's gunzip hands out before it stops. */
function gunzipLikeReader(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const gunzip = createGunzip({ chunkSize: 1 << 20 })
    const out: Buffer[] = []
    gunzip.on('data', (c: Buffer) => out.push(c))
    gunzip.on('error', () => resolve(Buffer.concat(out)))
    gunzip.on('end', () => resolve(Buffer.concat(out)))
    gunzip.end(bytes)
  })
}

type ReadAll = { text: Buffer; points: ResumePoint[]; warnings: SourceWarning[] }

async function readAll(
  path: string,
  options: { offset?: number; point?: ResumePoint | null; spacing?: number } = {},
): Promise<ReadAll> {
  const points: ResumePoint[] = []
  const warnings: SourceWarning[] = []
  const source = await openByteSource(path, {
    offset: options.offset,
    point: options.point,
    discover:
      options.spacing === undefined
        ? undefined
        : { minSpacing: options.spacing, onPoint: (p) => points.push(p), excluded: new Set() },
    onWarning: (w) => warnings.push(w),
  })
  const chunks: Buffer[] = []
  try {
    for (;;) {
      const at = source.offset
      const chunk = await source.next()
      if (chunk === null) break
      expect(at).toBe((options.offset ?? 0) + chunks.reduce((n, c) => n + c.length, 0))
      chunks.push(chunk)
    }
  } finally {
    await source.close()
  }
  return { text: Buffer.concat(chunks), points, warnings }
}

async function fileOf(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

describe('resumable gzip reading', () => {
  const all = lines(6000)
  const text = Buffer.from(all.join(''))
  let path: string
  let found: ResumePoint[]

  beforeAll(async () => {
    path = await fileOf('flushed.gz', await gzipParts(batches(all, 37)))
    const read = await readAll(path, { spacing: 2048 })
    expect(read.text.equals(text)).toBe(true)
    expect(read.warnings).toEqual([])
    found = read.points
  })

  test('finds resume points after whole lines, with the text before each as window', () => {
    expect(found.length).toBeGreaterThan(20)
    expect(found[0]!.decompressed).toBe(0)
    for (let i = 1; i < found.length; i++) {
      const p = found[i]!
      expect(p.compressed - found[i - 1]!.compressed).toBeGreaterThanOrEqual(2048)
      expect(text[p.decompressed - 1]).toBe(0x0a)
      expect(
        p.window.equals(text.subarray(Math.max(0, p.decompressed - 32768), p.decompressed)),
      ).toBe(true)
    }
  })

  test('reads on from any resume point to any later offset', async () => {
    for (const i of [1, 5, found.length - 1]) {
      const p = found[i]!
      for (const extra of [0, 1, 5000]) {
        const offset = p.decompressed + extra
        const read = await readAll(path, { point: p, offset })
        expect(read.text.equals(text.subarray(offset))).toBe(true)
        expect(read.warnings).toEqual([])
      }
    }
    const fromStart = await readAll(path, { offset: 12345 })
    expect(fromStart.text.equals(text.subarray(12345))).toBe(true)
  })

  test('a cut short file reads like the capture reader reads it', async () => {
    const bytes = await gzipParts(batches(all, 37))
    for (const keep of [
      5,
      9,
      11,
      200,
      4000,
      Math.floor(bytes.length / 2),
      bytes.length - 9,
      bytes.length - 3,
    ]) {
      const cut = await fileOf(`cut-${keep}.gz`, bytes.subarray(0, keep))
      const expected = await gunzipLikeReader(bytes.subarray(0, keep))
      for (const spacing of [undefined, 1024]) {
        const read = await readAll(cut, { spacing })
        expect(read.text.equals(expected), `keep ${keep}`).toBe(true)
        expect(read.warnings.map((w) => w.code)).toEqual(['TRUNCATED_GZIP'])
      }
    }
  })

  test('flushes that do not fall between lines are not taken as resume points', async () => {
    // Flushes in the middle of lines, and after lines followed by a blank line.
    const parts: Buffer[] = []
    for (let i = 0; i < all.length; i += 50) {
      const chunk = all.slice(i, i + 50).join('')
      parts.push(Buffer.from(chunk.slice(0, 100)), Buffer.from(chunk.slice(100)), Buffer.from('\n'))
    }
    const odd = await fileOf('odd.gz', await gzipParts(parts))
    const expected = Buffer.concat(parts)
    const read = await readAll(odd, { spacing: 512 })
    expect(read.text.equals(expected)).toBe(true)
    expect(read.points.length).toBeGreaterThan(3)
    for (const p of read.points.slice(1)) {
      expect(expected.toString('latin1', p.decompressed, p.decompressed + 6)).toBe('{"k":"')
      expect(expected[p.decompressed - 1]).toBe(0x0a)
    }
  })

  test('marker bytes inside stored data are not cuts', async () => {
    const marker = Buffer.concat([
      Buffer.from('{"k":"f","t":1,"m":1,"c":"x","s":"'),
      Buffer.from([0, 0, 0xff, 0xff]),
      Buffer.from('{"k":"\n'),
    ])
    const parts = [
      Buffer.from(all.slice(0, 30).join('')),
      marker,
      Buffer.from(all.slice(30, 60).join('')),
    ]
    const stored = await fileOf('stored.gz', await gzipParts(parts, 0))
    const read = await readAll(stored, { spacing: 1 })
    expect(read.text.equals(Buffer.concat(parts))).toBe(true)
    for (const p of read.points.slice(1)) expect(read.text[p.decompressed - 1]).toBe(0x0a)
  })

  test('damage in the middle stops the read with CORRUPT_GZIP; the text before it is kept', async () => {
    // As with gunzip, what deflate decodes from the damaged bits before it notices is handed
    // out too; only the text well before the damage is certain.
    const bytes = Buffer.from(await gzipParts(batches(all, 37)))
    for (let k = bytes.length >> 1; k < (bytes.length >> 1) + 64; k++) bytes[k] = bytes[k]! ^ 0x5a
    const damaged = await fileOf('damaged.gz', bytes)
    for (const spacing of [undefined, 2048]) {
      const read = await readAll(damaged, { spacing })
      expect(read.warnings.map((w) => w.code)).toEqual(['CORRUPT_GZIP'])
      expect(read.text.length).toBeGreaterThan(10_000)
      expect(read.text.subarray(0, 10_000).equals(text.subarray(0, 10_000))).toBe(true)
      expect(read.text.length).toBeLessThan(text.length)
    }
  })

  test('a wrong checksum is reported after all the data', async () => {
    const bytes = Buffer.from(gzipSync(text, { level: 1 }))
    bytes.writeUInt32LE((bytes.readUInt32LE(bytes.length - 8) ^ 1) >>> 0, bytes.length - 8)
    const read = await readAll(await fileOf('crc.gz', bytes), { spacing: 1024 })
    expect(read.text.equals(text)).toBe(true)
    expect(read.warnings.map((w) => w.code)).toEqual(['CORRUPT_GZIP'])
  })

  test('refuses a file of several gzip members', async () => {
    const two = Buffer.concat([gzipSync(text.subarray(0, 1000)), gzipSync(text.subarray(1000))])
    await expect(readAll(await fileOf('two.gz', two), { spacing: 1024 })).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof CaptureIndexError &&
        e.code === 'CAPTURE_INDEX_UNSUPPORTED' &&
        /more than one gzip member/.test(e.message),
    )
  })

  test('refuses gzip of another compression method, and a missing file', async () => {
    const bytes = Buffer.from(gzipSync(text.subarray(0, 100)))
    bytes[2] = 7
    await expect(readAll(await fileOf('method.gz', bytes))).rejects.toThrow(CaptureFileError)
    await expect(readAll(join(dir, 'nope.gz'))).rejects.toThrow(/cannot open capture file/)
  })

  test('plain files are read from the offset', async () => {
    const plain = await fileOf('plain.ndjson', text)
    expect(
      (await readAll(plain, { offset: 777, spacing: 10 })).text.equals(text.subarray(777)),
    ).toBe(true)
    expect((await readAll(plain, { offset: text.length })).text.length).toBe(0)
  })
})
