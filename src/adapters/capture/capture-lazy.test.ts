import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { readRecordings, type FeedFrame } from '../replay/recorded-feed.js'
import {
  decodeCaptureLine,
  decodeFrameLineLazy,
  encodeFrameLine,
  encodeHeaderLine,
  encodeMarkerLine,
  type CaptureRecord,
} from './capture-format.js'
import { readCaptureFile, readCaptures, type CaptureWarning } from './capture-reader.js'

const T0 = 1_780_000_000_000

/** A decoded record with the payload value left out, as the lazy reader delivers it. */
function withoutValue(record: CaptureRecord): CaptureRecord {
  return record.kind === 'frame' ? { ...record, value: undefined } : record
}

const arbConn = fc.oneof(
  fc.constantFrom('c1', 'ws-0007', '', 'import'),
  fc.string({ maxLength: 8 }),
)
const arbPayload = fc.oneof(
  fc.constantFrom(
    '{"event_type":"price_change","market":"0xab","price_changes":[]}',
    '[{"a":1},{"b":[2,3]}]',
    '{}',
    '[]',
    '{"s":"x}"}',
  ),
  fc.jsonValue().map((v) => JSON.stringify(v)),
)
const arbTime = fc.oneof(
  fc.integer({ min: -1e15, max: 1e15 }),
  fc.constantFrom(0, T0, 1.5, 1e21, -0),
)

describe('decodeFrameLineLazy', () => {
  test('agrees with decodeCaptureLine on written lines, without decoding the payload', () => {
    let lazyCount = 0
    fc.assert(
      fc.property(arbTime, fc.nat({ max: 2 ** 52 }), arbConn, arbPayload, (t, m, conn, raw) => {
        const line = encodeFrameLine(t, m, conn, raw)
        const full = decodeCaptureLine(line)
        const lazy = decodeFrameLineLazy(line)
        if (lazy !== null) {
          lazyCount++
          expect(lazy).toEqual(withoutValue(full))
        }
      }),
      { numRuns: 3000 },
    )
    expect(lazyCount).toBeGreaterThan(300)
  })

  test('reads the plain layout the writer uses for object and array frames', () => {
    const line = encodeFrameLine(T0, 42, 'c1', '{"a":[1,{"b":"}"}]}')
    expect(decodeFrameLineLazy(line)).toEqual({
      kind: 'frame',
      tLocal: T0,
      mono: 42,
      conn: 'c1',
      raw: '{"a":[1,{"b":"}"}]}',
      value: undefined,
    })
    expect(decodeFrameLineLazy(encodeFrameLine(-5, 0, 'x', '[1]'))).toMatchObject({
      tLocal: -5,
      raw: '[1]',
    })
  })

  test('shares the previous connection id string when it repeats', () => {
    const first = decodeFrameLineLazy(encodeFrameLine(T0, 1, 'conn-1', '{}'))
    const second = decodeFrameLineLazy(encodeFrameLine(T0, 2, 'conn-1', '{}'), first?.conn)
    const other = decodeFrameLineLazy(encodeFrameLine(T0, 3, 'conn-2', '{}'), first?.conn)
    expect(second?.conn).toBe(first?.conn)
    expect(other?.conn).toBe('conn-2')
  })

  test.each([
    ['a marker line', encodeMarkerLine('connect', T0, 1, 'c1', { url: 'wss://x' })],
    ['a header line', encodeHeaderLine({ tLocal: T0, mono: 0, fileSeq: 1, startedBy: 'record' })],
    ['a text payload', encodeFrameLine(T0, 1, 'c1', 'PONG')],
    ['a number payload', encodeFrameLine(T0, 1, 'c1', '12')],
    ['a fractional time', encodeFrameLine(1.5, 1, 'c1', '{}')],
    ['an escaped connection id', encodeFrameLine(T0, 1, 'a"b', '{}')],
    ['a space after a colon', `{"k":"f","t": ${T0},"m":1,"c":"c1","j":{}}`],
    ['a leading zero', '{"k":"f","t":01,"m":1,"c":"c1","j":{}}'],
    ['a 16-digit time', '{"k":"f","t":1234567890123456,"m":1,"c":"c1","j":{}}'],
    ['trailing space', `${encodeFrameLine(T0, 1, 'c1', '{}')} `],
    ['a missing brace', encodeFrameLine(T0, 1, 'c1', '{}').slice(0, -1)],
    ['keys in another order', `{"k":"f","m":1,"t":${T0},"c":"c1","j":{}}`],
    ['an empty payload', `{"k":"f","t":${T0},"m":1,"c":"c1","j":}`],
  ])('leaves %s to decodeCaptureLine', (_name, line) => {
    expect(decodeFrameLineLazy(line)).toBeNull()
  })

  test('on damaged lines, differs from decodeCaptureLine only by not checking the payload', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e13 }),
        arbConn,
        arbPayload,
        fc.nat(),
        fc.constantFrom('', '"', '}', ']', ',', 'x', ' ', '\\', '{'),
        (t, conn, raw, at, insert) => {
          const line = encodeFrameLine(t, 7, conn, raw)
          const cut = at % (line.length + 1)
          const damaged = line.slice(0, cut) + insert + line.slice(cut + 1)
          const lazy = decodeFrameLineLazy(damaged)
          if (lazy === null) return
          let full: CaptureRecord | null = null
          try {
            full = decodeCaptureLine(damaged)
          } catch {
            // Rejected whole: the lazy reading must then hold a payload that is not JSON.
            expect(() => JSON.parse(lazy.raw) as unknown).toThrow()
            return
          }
          expect(lazy).toEqual(withoutValue(full))
        },
      ),
      { numRuns: 4000 },
    )
  })
})

describe('reading captures with decodeValues: false', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tiltmeter-capture-lazy-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const lines = [
    encodeHeaderLine({ tLocal: T0, mono: 0, fileSeq: 1, startedBy: 'record' }),
    encodeMarkerLine('connect', T0, 1, 'c1', { url: 'wss://x' }),
    encodeFrameLine(T0 + 1, 2, 'c1', '{"event_type":"book","bids":[]}'),
    encodeFrameLine(T0 + 2, 3, 'c1', 'PONG'),
    encodeFrameLine(T0 + 3, 4, 'c2', '[{"a":1}]'),
    `{"k":"f","t":${T0 + 4},"m":5,"c":"c1", "j":{"spaced":true}}`,
    '{"k":"f","t":1,"m":1,"c":"c1","j":{"torn"',
    encodeFrameLine(T0 + 5, 6, 'c1', '{"last":1}'),
  ]

  async function both(
    paths: string[],
  ): Promise<{ eager: CaptureRecord[]; lazy: CaptureRecord[]; warnings: string[][] }> {
    const eager: CaptureRecord[] = []
    const lazy: CaptureRecord[] = []
    const eagerWarnings: CaptureWarning[] = []
    const lazyWarnings: CaptureWarning[] = []
    const a = await readCaptures(paths, (r) => eager.push(r), {
      onWarning: (w) => eagerWarnings.push(w),
    })
    const b = await readCaptures(paths, (r) => lazy.push(r), {
      onWarning: (w) => lazyWarnings.push(w),
      decodeValues: false,
    })
    expect(b).toEqual(a)
    return {
      eager,
      lazy,
      warnings: [eagerWarnings.map((w) => w.message), lazyWarnings.map((w) => w.message)],
    }
  }

  test('delivers the same records as a full decode, payload values left out', async () => {
    const plain = join(dir, 'a.ndjson')
    await writeFile(plain, `${lines.join('\n')}\n`)
    const { eager, lazy, warnings } = await both([plain])
    expect(lazy.map(withoutValue)).toEqual(eager.map(withoutValue))
    // The torn line in the middle does not match the writer's layout: decoded, and skipped.
    expect(warnings[1]).toEqual(warnings[0])
    expect(warnings[0]).toHaveLength(1)
    // Only the spaced line is read by the full decoder, and keeps its value.
    expect(
      lazy.flatMap((r) => (r.kind === 'frame' && r.value !== undefined ? [r.value] : [])),
    ).toEqual([{ spaced: true }])
    const single: CaptureRecord[] = []
    await readCaptureFile(plain, (r) => single.push(r), { decodeValues: false })
    expect(single).toEqual(lazy)
  })

  test('merges several gzip files in the same order', async () => {
    const second = [
      encodeHeaderLine({ tLocal: T0, mono: 0, fileSeq: 2, startedBy: 'record' }),
      encodeFrameLine(T0 + 2, 10, 'c9', '{"x":1}'),
      encodeFrameLine(T0 + 9, 11, 'c9', '{"x":2}'),
    ]
    const a = join(dir, 'a.ndjson.gz')
    const b = join(dir, 'b.ndjson.gz')
    await writeFile(a, gzipSync(`${lines.join('\n')}\n`))
    await writeFile(b, gzipSync(`${second.join('\n')}\n`))
    const { eager, lazy } = await both([a, b])
    expect(lazy.map(withoutValue)).toEqual(eager.map(withoutValue))
  })

  test('the replay feed hands capture frames over undecoded', async () => {
    const path = join(dir, 'a.ndjson')
    await writeFile(path, `${lines.slice(0, 5).join('\n')}\n`)
    const frames: FeedFrame[] = []
    await readRecordings([path], { onFrame: (f) => frames.push(f) })
    expect(frames.map((f) => [f.tLocal, f.conn, f.raw, f.value])).toEqual([
      [T0 + 1, 'c1', '{"event_type":"book","bids":[]}', undefined],
      [T0 + 2, 'c1', 'PONG', undefined],
      [T0 + 3, 'c2', '[{"a":1}]', undefined],
    ])
  })
})
