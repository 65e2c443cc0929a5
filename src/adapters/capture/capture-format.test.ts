import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ParseError } from '../../domain/errors.js'
import {
  canEmbedVerbatim,
  decodeCaptureLine,
  encodeFrameLine,
  encodeHeaderLine,
  encodeMarkerLine,
  isCaptureHeaderLine,
  type CaptureFrame,
  type MarkerKind,
} from './capture-format.js'

const T = 1_717_000_000_123
const M = 987_654_321

function roundTrip(raw: string, isJson?: boolean): { line: string; frame: CaptureFrame } {
  const line = encodeFrameLine(T, M, 'conn-1', raw, isJson)
  const record = decodeCaptureLine(line)
  if (record.kind !== 'frame') throw new Error(`expected a frame, got ${record.kind}`)
  return { line, frame: record }
}

describe('frame lines', () => {
  const jsonCases: [string, string][] = [
    ['an object', '{"event_type":"book","asset_id":"123","bids":[{"price":".48","size":"30"}]}'],
    ['an array of frames', '[{"event_type":"price_change"},{"event_type":"tick_size_change"}]'],
    ['spacing kept as sent', '  { "a" : [ 1 ,2 ] }\t'],
    ['unicode text', '{"team":"Ninjas in Pyjamas ⚡ 東京","emoji":"🎮"}'],
    ['U+2028 and U+2029 inside a string', '{"note":"a\u2028b\u2029c"}'],
    ['escapes kept as written', '{"s":"\\u0041\\n\\"q\\""}'],
    ['a bare number', '42'],
    ['a JSON string', '"hello"'],
  ]
  test.each(jsonCases)('JSON text is embedded verbatim: %s', (_name, raw) => {
    const { line, frame } = roundTrip(raw)
    expect(line).toBe(`{"k":"f","t":${T},"m":${M},"c":"conn-1","j":${raw}}`)
    expect(frame).toEqual({
      kind: 'frame',
      tLocal: T,
      mono: M,
      conn: 'conn-1',
      raw,
      value: JSON.parse(raw) as unknown,
    })
  })

  const textCases: [string, string][] = [
    ['PONG', 'PONG'],
    ['a torn frame', '{"event_type":"book","bids":[{"pri'],
    ['multi-line JSON', '{\n  "a": 1\n}'],
    ['carriage return', '{"a":1}\r'],
    ['empty text', ''],
    ['a lone surrogate', '{"a":"\ud800"}'],
    ['control characters', 'NO NEW ASSETS\u0000\u0007'],
    ['U+2028 in plain text', 'line\u2028separator'],
  ]
  test.each(textCases)('other text is stored as a string: %s', (_name, raw) => {
    const { line, frame } = roundTrip(raw)
    expect(line).toBe(`{"k":"f","t":${T},"m":${M},"c":"conn-1","s":${JSON.stringify(raw)}}`)
    expect(frame.raw).toBe(raw)
    expect(frame.value).toBeUndefined()
  })

  test('a caller hint skips the JSON check but never embeds a line break', () => {
    expect(roundTrip('{"a":1}', true).line).toContain('"j":{"a":1}}')
    expect(roundTrip('{"a":1}', false).line).toContain('"s":"{\\"a\\":1}"}')
    expect(roundTrip('{\n"a":1}', true).frame.raw).toBe('{\n"a":1}')
    expect(roundTrip('{\n"a":1}', true).line).toContain('"s":')
  })

  test('the connection id is escaped', () => {
    const raw = '{"x":1}'
    const line = encodeFrameLine(T, M, 'we"ird\\"j":', raw)
    expect(decodeCaptureLine(line)).toMatchObject({ conn: 'we"ird\\"j":', raw })
  })

  test('any text round-trips exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string(), (raw, conn) => {
        const record = decodeCaptureLine(encodeFrameLine(T, M, conn, raw))
        expect(record).toMatchObject({ kind: 'frame', raw, conn })
      }),
    )
  })

  test('any JSON text round-trips exactly and decodes to its value', () => {
    fc.assert(
      fc.property(fc.json(), (raw) => {
        const { frame } = roundTrip(raw)
        expect(frame.raw).toBe(raw)
        expect(frame.value).toEqual(JSON.parse(raw))
      }),
    )
  })

  test('a line with trailing whitespace or CR still yields the exact text', () => {
    const line = `${encodeFrameLine(T, M, 'c', '{"a":1}')}\r`
    expect(decodeCaptureLine(line)).toMatchObject({ raw: '{"a":1}' })
  })

  test('bad times are rejected when encoding', () => {
    expect(() => encodeFrameLine(Number.NaN, M, 'c', 'x')).toThrow(/finite epoch ms/)
    expect(() => encodeFrameLine(T, 1.5, 'c', 'x')).toThrow(/integer µs/)
  })

  test('canEmbedVerbatim explains the choice', () => {
    expect(canEmbedVerbatim('{"a":1}')).toBe(true)
    expect(canEmbedVerbatim('PONG')).toBe(false)
    expect(canEmbedVerbatim('{"a":"\udc00"}', true)).toBe(false)
  })
})

describe('marker lines', () => {
  const kinds: MarkerKind[] = [
    'connect',
    'disconnect',
    'resync',
    'subscribe',
    'unsubscribe',
    'note',
  ]
  test.each(kinds)('%s round-trips with its detail', (kind) => {
    const detail = { url: 'wss://example.test/ws', code: 1006, asset_ids: ['1', '2'], reason: 'x' }
    const line = encodeMarkerLine(kind, T, M, 'conn-2', detail)
    expect(line.startsWith(`{"k":"${kind}","t":${T},"m":${M},"c":"conn-2",`)).toBe(true)
    expect(decodeCaptureLine(line)).toEqual({
      kind: 'marker',
      marker: kind,
      tLocal: T,
      mono: M,
      conn: 'conn-2',
      detail,
    })
  })

  test('a marker without detail has an empty detail', () => {
    expect(decodeCaptureLine(encodeMarkerLine('note', T, M, ''))).toMatchObject({ detail: {} })
  })

  test('reserved keys, unknown kinds and unserialisable detail are refused', () => {
    expect(() => encodeMarkerLine('note', T, M, 'c', { t: 1 })).toThrow(/reserved key "t"/)
    expect(() => encodeMarkerLine('oops' as MarkerKind, T, M, 'c')).toThrow(
      /unknown capture marker kind "oops"/,
    )
    expect(() => encodeMarkerLine('note', T, M, 'c', { big: 1n })).toThrow(/not JSON-serialisable/)
  })
})

describe('header lines', () => {
  test('round-trip with and without a source', () => {
    const plain = encodeHeaderLine({ tLocal: T, mono: M, fileSeq: 3, startedBy: 'record' })
    expect(JSON.parse(plain)).toEqual({
      k: 'header',
      format: 'tiltmeter-capture',
      version: 1,
      t: T,
      m: M,
      file_seq: 3,
      started_by: 'record',
    })
    expect(decodeCaptureLine(plain)).toEqual({
      kind: 'header',
      version: 1,
      tLocal: T,
      mono: M,
      fileSeq: 3,
      startedBy: 'record',
    })
    const source = { venue: 'polymarket', url: 'wss://example.test' }
    const withSource = encodeHeaderLine({
      tLocal: T,
      mono: M,
      fileSeq: 1,
      startedBy: 'import',
      source,
    })
    expect(decodeCaptureLine(withSource)).toMatchObject({ startedBy: 'import', source })
    expect(isCaptureHeaderLine(withSource)).toBe(true)
  })

  test('a newer version is refused with a hint to upgrade', () => {
    const line =
      '{"k":"header","format":"tiltmeter-capture","version":2,"t":1,"m":1,"file_seq":1,"started_by":"x"}'
    expect(() => decodeCaptureLine(line)).toThrow(
      /version 2 is newer than this build reads \(1\); upgrade/,
    )
    expect(isCaptureHeaderLine(line)).toBe(true)
  })

  test.each([
    [
      '{"k":"header","format":"other","version":1,"t":1,"m":1,"file_seq":1,"started_by":"x"}',
      /"format" must be "tiltmeter-capture"/,
    ],
    [
      '{"k":"header","format":"tiltmeter-capture","version":0,"t":1,"m":1,"file_seq":1,"started_by":"x"}',
      /"version" must be a positive integer/,
    ],
    [
      '{"k":"header","format":"tiltmeter-capture","version":1,"t":1,"m":1,"file_seq":-1,"started_by":"x"}',
      /"file_seq"/,
    ],
    [
      '{"k":"header","format":"tiltmeter-capture","version":1,"t":1,"m":1,"file_seq":1}',
      /"started_by"/,
    ],
    [
      '{"k":"header","format":"tiltmeter-capture","version":1,"t":1,"m":1,"file_seq":1,"started_by":"x","source":[1]}',
      /"source" must be an object/,
    ],
  ])('bad header %s', (line, message) => {
    expect(() => decodeCaptureLine(line)).toThrow(message)
  })

  test('isCaptureHeaderLine rejects anything else', () => {
    expect(isCaptureHeaderLine(encodeFrameLine(T, M, 'c', '{}'))).toBe(false)
    expect(isCaptureHeaderLine('ts,price\n')).toBe(false)
    expect(isCaptureHeaderLine('{"k":"header"')).toBe(false)
    expect(isCaptureHeaderLine('{"k":"header","format":"x"}')).toBe(false)
  })
})

describe('decodeCaptureLine errors', () => {
  test.each([
    ['{"k":"f","t":1,"m":1,"c":"c","j":{"a":', /not valid JSON.*torn/],
    ['[1,2]', /expected a JSON object/],
    ['{"t":1}', /unknown record kind "k": missing/],
    ['{"k":"book","t":1}', /unknown record kind "k": "book"/],
    ['{"k":"f","t":"1","m":1,"c":"c","s":"x"}', /"t" \(local time, epoch ms\) must be a number/],
    ['{"k":"f","t":1,"m":1.5,"c":"c","s":"x"}', /"m" \(monotonic time, µs\) must be an integer/],
    ['{"k":"f","t":1,"m":1,"c":7,"s":"x"}', /"c" \(connection id\) must be a string/],
    ['{"k":"f","t":1,"m":1,"c":"c"}', /no payload/],
    ['{"k":"f","t":1,"m":1,"c":"c","s":5}', /"s" payload must be a string/],
    ['{"k":"f","t":1,"m":1,"c":"c","j":1,"s":"x"}', /both "j" and "s"/],
    ['{"k":"f","j":{"a":1},"t":1,"m":1,"c":"c"}', /"j" payload must be the last field/],
    ['{"k":"f","t":1,"m":1,"c":"c","j" : 1}', /written as "j": with no space/],
    ['{"k":"note","t":1,"m":1}', /note marker "c"/],
  ])('%s', (line, message) => {
    let error: unknown
    try {
      decodeCaptureLine(line)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ParseError)
    expect((error as ParseError).message).toMatch(/^bad capture line: /)
    expect((error as ParseError).message).toMatch(message)
    expect((error as ParseError).excerpt.length).toBeGreaterThan(0)
  })
})
