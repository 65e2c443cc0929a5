import { crc32 } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import {
  decodeIndex,
  encodeIndex,
  INDEX_FORMAT,
  INDEX_VERSION,
  pack,
  packF64,
  unpack,
  unpackF64,
  type IndexContent,
} from './capture-index-format.js'
import { CaptureIndexError } from './capture-index-gzip.js'

const states = packF64(Float64Array.from([1, 2, Number.NaN, Number.NEGATIVE_INFINITY]))
const content: IndexContent = {
  header: {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    stateLayout: 1,
    createdAt: 5,
    intervalMs: 10_000,
    maxFrames: 25_000,
    files: [
      { name: 'a.ndjson.gz', size: 10, mtimeMs: 1.5, headSha256: 'ff', gzip: true, firstT: 3 },
    ],
    strings: ['x', 'y'],
    summary: {
      frames: 1,
      markers: 0,
      trades: 1,
      checkpoints: 1,
      resumePoints: 1,
      firstClock: 1,
      lastClock: 2,
      warnings: 0,
      buildMs: 3,
    },
  },
  checkpoints: Float64Array.from([Number.NEGATIVE_INFINITY, 0, states.length]),
  positions: Float64Array.from([-1]),
  resume: Float64Array.from([0, 10, 0, 0, 4]),
  windows: pack(Buffer.from('abcd')),
  states,
  trades: Float64Array.from([1, 1, 0, 5000, 1e6, 0]),
}

/** Bytes with a valid checksum around an arbitrary header text. */
function withHeader(json: string, body = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(16)
  head.write('TMCIDX\r\n', 0, 'latin1')
  head.writeUInt32LE(INDEX_VERSION, 8)
  head.writeUInt32LE(Buffer.byteLength(json), 12)
  const all = Buffer.concat([head, Buffer.from(json), body])
  const crc = Buffer.alloc(4)
  crc.writeUInt32LE(crc32(all) >>> 0, 0)
  return Buffer.concat([all, crc])
}

describe('index file format', () => {
  test('round trip', () => {
    const decoded = decodeIndex(encodeIndex(content))
    expect(decoded.header).toEqual(content.header)
    expect(decoded.checkpoints).toEqual(content.checkpoints)
    expect(decoded.positions).toEqual(content.positions)
    expect(decoded.resume).toEqual(content.resume)
    expect(decoded.trades).toEqual(content.trades)
    expect(unpack(decoded.windows, 0, decoded.windows.length, 'w').toString()).toBe('abcd')
    expect(Array.from(unpackF64(decoded.states, 0, decoded.states.length, 's'))).toEqual([
      1,
      2,
      Number.NaN,
      Number.NEGATIVE_INFINITY,
    ])
  })

  test.each([
    ['a header that is not JSON', withHeader('{nope'), /header is not JSON/],
    ['a header of something else', withHeader('{"format":"other"}'), /does not describe/],
    [
      'a header longer than the file',
      (() => {
        const b = encodeIndex(content)
        b.writeUInt32LE(1e9, 12)
        const crc = crc32(b.subarray(0, b.length - 4)) >>> 0
        b.writeUInt32LE(crc, b.length - 4)
        return b
      })(),
      /runs past the end/,
    ],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => decodeIndex(bytes)).toThrow(message)
    expect(() => decodeIndex(bytes)).toThrow(CaptureIndexError)
  })

  test('rejects sections outside the file and items outside their section', () => {
    const bytes = encodeIndex(content)
    const json = bytes.toString('utf8', 16, 16 + bytes.readUInt32LE(12))
    const header = JSON.parse(json) as { sections: Record<string, [number, number]> }
    header.sections.trades = [0, 1e6]
    expect(() => decodeIndex(withHeader(JSON.stringify(header)))).toThrow(
      /section trades lies outside/,
    )
    expect(() => unpack(Buffer.alloc(4), 2, 10, 'window 3')).toThrow(/window 3 lies outside/)
    expect(() => unpack(Buffer.from('zzzz'), 0, 4, 'state 1')).toThrow(
      /state 1 does not decompress/,
    )
  })
})
