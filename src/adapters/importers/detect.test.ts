import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { detectInput, EXPECTED_FORMATS, isRawFrame, NHL_TICK_COLUMNS } from './detect.js'
import { ImportError } from './import-error.js'

const NHL_DIR = new URL('../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/', import.meta.url)
const PARQUET = readFileSync(new URL('polymarket_ticks_20260607_0145.parquet', NHL_DIR))
const ESPN_CSV = readFileSync(new URL('espn_nhl_401874173.csv', NHL_DIR))

const TRADE =
  '{"event_type":"last_trade_price","asset_id":"123","market":"0xab","price":"0.5","size":"10","side":"BUY","timestamp":"1700000000001"}'
const TICK =
  '{"event_type":"tick_size_change","asset_id":"123","market":"0xab","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"1700000000002"}'

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

function detectError(bytes: Uint8Array, file = 'input.bin'): ImportError {
  try {
    detectInput(bytes, file)
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError)
    return e as ImportError
  }
  throw new Error('expected detection to fail')
}

describe('detectInput', () => {
  test('a parquet file with the NHL tick columns', () => {
    const detected = detectInput(PARQUET, 'ticks.parquet')
    expect(detected.format).toBe('nhl-ticks-parquet')
    if (detected.format !== 'nhl-ticks-parquet') return
    expect(Number(detected.metadata.num_rows)).toBe(151_264)
  })

  test('detection goes by content, not by the file name', () => {
    expect(detectInput(PARQUET, 'ticks.json').format).toBe('nhl-ticks-parquet')
    expect(detectInput(bytesOf(`[${TRADE}]`), 'frames.parquet').format).toBe('json-frames')
  })

  test('a parquet file missing NHL columns is rejected, naming them', () => {
    // Same-length renames of the column names in the footer keep the file readable.
    const text = Buffer.from(PARQUET).toString('latin1')
    const renamed = Buffer.from(
      text.replaceAll('best_bid', 'best_biz').replaceAll('asset_id', 'asset_xx'),
      'latin1',
    )
    const error = detectError(renamed, 'renamed.parquet')
    expect(error.message).toContain('renamed.parquet')
    expect(error.message).toContain('without the NHL tick columns best_bid, asset_id')
    expect(error.message).toContain('best_biz')
  })

  test('a truncated parquet file is rejected with a hint', () => {
    const error = detectError(PARQUET.subarray(0, 5000), 'cut.parquet')
    expect(error.message).toMatch(
      /^cut\.parquet: starts like a parquet file but its footer cannot be read/,
    )
    expect(error.message).toContain('truncated')
  })

  test('a JSON array of raw frames, pretty-printed', () => {
    const text = JSON.stringify([JSON.parse(TRADE), JSON.parse(TICK)], null, 2)
    const detected = detectInput(bytesOf(text), 'a.json')
    expect(detected.format).toBe('json-frames')
    if (detected.format === 'nhl-ticks-parquet') return
    expect(detected.frames).toHaveLength(2)
    expect(detected.frames[1]).toEqual({
      value: JSON.parse(TICK) as unknown,
      text: null,
      position: 1,
    })
  })

  test('array elements that are themselves arrays of messages are frames', () => {
    const detected = detectInput(bytesOf(`[[${TRADE},${TICK}],${TRADE}]`), 'a.json')
    expect(detected.format).toBe('json-frames')
    if (detected.format === 'nhl-ticks-parquet') return
    expect(detected.frames.map((f) => Array.isArray(f.value))).toEqual([true, false])
  })

  test('a single raw frame object, one line kept verbatim, several lines not', () => {
    const one = detectInput(bytesOf(`${TRADE}\n`), 'one.json')
    expect(one).toEqual({
      format: 'json-frame',
      frames: [{ value: JSON.parse(TRADE) as unknown, text: TRADE, position: 1 }],
    })
    const pretty = detectInput(bytesOf(JSON.stringify(JSON.parse(TICK), null, 2)), 'p.json')
    expect(pretty.format).toBe('json-frame')
    if (pretty.format === 'nhl-ticks-parquet') return
    expect(pretty.frames[0]?.text).toBeNull()
  })

  test('NDJSON of raw frames, blank lines and CRLF tolerated, gzip too', () => {
    const text = `${TRADE}\r\n\r\n[${TICK}]\r\n${TRADE}\n`
    for (const bytes of [bytesOf(text), gzipSync(bytesOf(text))]) {
      const detected = detectInput(bytes, 'f.ndjson')
      expect(detected.format).toBe('ndjson-frames')
      if (detected.format === 'nhl-ticks-parquet') return
      expect(detected.frames.map((f) => f.position)).toEqual([1, 3, 4])
      expect(detected.frames[1]?.text).toBe(`[${TICK}]`)
    }
  })

  test('a UTF-8 byte order mark is ignored', () => {
    expect(detectInput(bytesOf(`\uFEFF${TRADE}`), 'bom.json').format).toBe('json-frame')
  })

  test.each([
    ['the ESPN csv', ESPN_CSV, 'is an ESPN NHL scoreboard csv (game events)'],
    [
      'other csv',
      bytesOf('a,b\n1,2\n'),
      'is not a format import understands: it starts with "a,b 1,2"',
    ],
    ['an empty file', bytesOf('  \n'), 'is empty'],
    ['binary noise', new Uint8Array([0xff, 0xfe, 0x00, 0x81]), 'is neither parquet nor UTF-8 text'],
    ['an empty JSON array', bytesOf('[]'), 'is an empty JSON array'],
    [
      'an object that is not a frame',
      bytesOf('{"foo":1}'),
      'is a JSON object without a string "event_type"',
    ],
  ])('rejects %s, listing what is expected', (_name, bytes, message) => {
    const error = detectError(bytes, 'x.dat')
    expect(error.message.startsWith('x.dat: ')).toBe(true)
    expect(error.message).toContain(message)
    expect(error.code).toBe('IMPORT_ERROR')
    expect(error.file).toBe('x.dat')
    if (message !== 'is an empty JSON array') expect(error.message).toContain(EXPECTED_FORMATS)
  })

  test('rejects a JSON array with an element that is not a frame, naming the element', () => {
    const error = detectError(bytesOf(`[${TRADE}, 42]`), 'a.json')
    expect(error.message).toContain('element 1 of the JSON array is not a raw market frame ("42")')
  })

  test('rejects NDJSON with a bad line, naming the line', () => {
    expect(detectError(bytesOf(`${TRADE}\n${TRADE}\nPONG\n`)).message).toContain(
      'line 3 is not JSON',
    )
    expect(detectError(bytesOf(`${TRADE}\n{"a":1}\n`)).message).toContain(
      'line 2 is not a raw market frame',
    )
  })

  test('rejects a tiltmeter capture, which replays directly', () => {
    const header =
      '{"k":"header","format":"tiltmeter-capture","version":1,"t":1,"m":0,"file_seq":1,"started_by":"record"}'
    const error = detectError(bytesOf(`${header}\n{"k":"f","t":1,"m":0,"c":"a","j":${TRADE}}\n`))
    expect(error.message).toContain('is already a tiltmeter capture')
  })

  test('rejects broken gzip and gzipped parquet', () => {
    expect(detectError(new Uint8Array([0x1f, 0x8b, 1, 2, 3])).message).toContain(
      'is gzip-compressed but cannot be decompressed',
    )
    expect(detectError(gzipSync(PARQUET.subarray(0, 100))).message).toContain(
      'gzip-compressed parquet file',
    )
  })

  test('isRawFrame accepts messages and arrays of them only', () => {
    expect(isRawFrame(JSON.parse(TRADE))).toBe(true)
    expect(isRawFrame([JSON.parse(TRADE)])).toBe(true)
    expect(isRawFrame([])).toBe(true)
    expect(isRawFrame([JSON.parse(TRADE), 1])).toBe(false)
    expect(isRawFrame({ event_type: 3 })).toBe(false)
    expect(isRawFrame(null)).toBe(false)
    expect(isRawFrame('PONG')).toBe(false)
  })

  test('the NHL column list matches the fixture schema', () => {
    expect(NHL_TICK_COLUMNS).toEqual([
      'timestamp',
      'price',
      'size',
      'best_bid',
      'best_ask',
      'side',
      'event_type',
      'asset_id',
    ])
  })
})
