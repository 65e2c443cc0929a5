/**
 * Decides what a file to import holds, from its content rather than its name:
 * - `nhl-ticks-parquet`: a parquet file (magic `PAR1`) with the NHL tick columns of the
 *   Polymarket-Tickscope recordings (see `test/fixtures/real/README.md`);
 * - `json-frames`: a JSON array whose elements are raw Polymarket market-channel frames;
 * - `json-frame`: a single raw frame (an object, or an array of messages as the socket sends);
 * - `ndjson-frames`: one raw frame per line.
 * Text inputs may be gzip-compressed. Anything else is an {@link ImportError} that names the file
 * and lists what was expected.
 */
import { gunzipSync } from 'node:zlib'
import { parquetMetadata, type FileMetaData } from 'hyparquet'
import { excerptOf } from '../../domain/errors.js'
import { isCaptureHeaderLine } from '../capture/capture-format.js'
import { ImportError } from './import-error.js'

export type ImportFormat = 'nhl-ticks-parquet' | 'json-frames' | 'json-frame' | 'ndjson-frames'

/** The columns an NHL tick parquet file must have (it may have more). */
export const NHL_TICK_COLUMNS = [
  'timestamp',
  'price',
  'size',
  'best_bid',
  'best_ask',
  'side',
  'event_type',
  'asset_id',
] as const

/** One raw venue frame read from a text input. */
export type RawFrame = {
  /** The decoded JSON value: an object with `event_type`, or an array of such objects. */
  readonly value: unknown
  /** The frame's own single-line text when the input had one (NDJSON lines), else null. */
  readonly text: string | null
  /** Where it was: the 1-based line for NDJSON, the 0-based array index for a JSON array. */
  readonly position: number
}

export type DetectedInput =
  | {
      readonly format: 'nhl-ticks-parquet'
      readonly bytes: Uint8Array
      readonly metadata: FileMetaData
    }
  | {
      readonly format: 'json-frames' | 'json-frame' | 'ndjson-frames'
      readonly frames: readonly RawFrame[]
    }

export const EXPECTED_FORMATS =
  'expected an NHL tick parquet file (columns ' +
  NHL_TICK_COLUMNS.join(', ') +
  '), a JSON array of raw Polymarket market frames, a single raw frame, or NDJSON of raw frames'

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31] // "PAR1"
const GZIP_MAGIC = [0x1f, 0x8b]
const BOM = '\uFEFF'

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false
  return magic.every((b, i) => bytes[i] === b)
}

/** True when `value` looks like one market-channel message: an object with `event_type`. */
function isMessage(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { event_type?: unknown }).event_type === 'string'
  )
}

/** True when `value` is a frame as the socket sends it: one message or an array of messages. */
export function isRawFrame(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isMessage)
  return isMessage(value)
}

/** Detects the format of `bytes` (a whole file) and, for text formats, reads its frames. */
export function detectInput(bytes: Uint8Array, file: string): DetectedInput {
  if (startsWith(bytes, PARQUET_MAGIC)) return detectParquet(bytes, file)
  let textBytes = bytes
  if (startsWith(bytes, GZIP_MAGIC)) {
    try {
      textBytes = gunzipSync(bytes)
    } catch (e) {
      throw new ImportError(
        file,
        `is gzip-compressed but cannot be decompressed (${(e as Error).message})`,
        {
          cause: e,
        },
      )
    }
    if (startsWith(textBytes, PARQUET_MAGIC)) {
      throw new ImportError(file, 'is a gzip-compressed parquet file; decompress it first')
    }
  }
  return detectText(decodeUtf8(textBytes, file), file)
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (e) {
    throw new ImportError(file, `is neither parquet nor UTF-8 text; ${EXPECTED_FORMATS}`, {
      cause: e,
    })
  }
}

function detectParquet(bytes: Uint8Array, file: string): DetectedInput {
  let metadata: FileMetaData
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    metadata = parquetMetadata(buffer as ArrayBuffer)
  } catch (e) {
    throw new ImportError(
      file,
      `starts like a parquet file but its footer cannot be read (${(e as Error).message}); the file may be truncated`,
      { cause: e },
    )
  }
  const present = new Set(metadata.schema.slice(1).map((element) => element.name))
  const missing = NHL_TICK_COLUMNS.filter((name) => !present.has(name))
  if (missing.length > 0) {
    throw new ImportError(
      file,
      `is a parquet file without the NHL tick column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ` +
        `(it has ${[...present].join(', ') || 'no columns'}); expected columns ${NHL_TICK_COLUMNS.join(', ')}`,
    )
  }
  return { format: 'nhl-ticks-parquet', bytes, metadata }
}

function detectText(raw: string, file: string): DetectedInput {
  const text = raw.startsWith(BOM) ? raw.slice(1) : raw
  const trimmed = text.trim()
  if (trimmed.length === 0) throw new ImportError(file, `is empty; ${EXPECTED_FORMATS}`)
  const first = trimmed[0]
  if (trimmed.startsWith('ts_ms,event_id,')) {
    throw new ImportError(
      file,
      'is an ESPN NHL scoreboard csv (game events); import takes market data only; ' +
        EXPECTED_FORMATS,
    )
  }
  if (first !== '[' && first !== '{') {
    throw new ImportError(
      file,
      `is not a format import understands: it starts with "${excerptOf(trimmed, 40)}"; ${EXPECTED_FORMATS}`,
    )
  }
  const firstLine = firstLineOf(trimmed)
  if (isCaptureHeaderLine(firstLine)) {
    throw new ImportError(
      file,
      'is already a tiltmeter capture; replay it directly instead of importing it',
    )
  }
  let whole: unknown
  let wholeParsed = false
  try {
    whole = JSON.parse(trimmed)
    wholeParsed = true
  } catch {
    // Not one JSON document: it may still be NDJSON (one frame per line), tried below.
  }
  if (wholeParsed) {
    if (Array.isArray(whole)) {
      // Each element is one frame, as the socket delivered it. (A file holding a single
      // array-shaped socket frame cannot be told apart from this and is split into messages.)
      if (whole.length === 0)
        throw new ImportError(file, 'is an empty JSON array: there are no frames to import')
      return { format: 'json-frames', frames: framesOfArray(whole, file) }
    }
    if (!isMessage(whole)) {
      throw new ImportError(
        file,
        `is a JSON object without a string "event_type", so not a raw market frame ("${excerptOf(trimmed, 60)}"); ${EXPECTED_FORMATS}`,
      )
    }
    const single = trimmed.includes('\n') ? null : trimmed
    return { format: 'json-frame', frames: [{ value: whole, text: single, position: 1 }] }
  }
  return { format: 'ndjson-frames', frames: framesOfNdjson(text, file) }
}

function firstLineOf(text: string): string {
  const end = text.indexOf('\n')
  return (end < 0 ? text : text.slice(0, end)).trim()
}

function framesOfArray(values: readonly unknown[], file: string): RawFrame[] {
  const frames: RawFrame[] = []
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (!isRawFrame(value)) {
      throw new ImportError(
        file,
        `element ${i} of the JSON array is not a raw market frame ("${excerptOf(JSON.stringify(value) ?? String(value), 60)}"); ` +
          'expected an object with a string "event_type" or an array of such objects',
      )
    }
    frames.push({ value, text: null, position: i })
  }
  return frames
}

function framesOfNdjson(text: string, file: string): RawFrame[] {
  const frames: RawFrame[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim()
    if (line.length === 0) continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (e) {
      throw new ImportError(
        file,
        `line ${i + 1} is not JSON (${(e as Error).message}): "${excerptOf(line, 60)}"; the file is neither one JSON ` +
          `document nor NDJSON (one frame per line); ${EXPECTED_FORMATS}`,
        { cause: e },
      )
    }
    if (!isRawFrame(value)) {
      throw new ImportError(
        file,
        `line ${i + 1} is not a raw market frame ("${excerptOf(line, 60)}"); expected an object with a string ` +
          '"event_type" or an array of such objects on every line',
      )
    }
    frames.push({ value, text: line, position: i + 1 })
  }
  if (frames.length === 0) throw new ImportError(file, 'holds no frames')
  return frames
}
