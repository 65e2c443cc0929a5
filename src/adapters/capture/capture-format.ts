/**
 * The capture format: one NDJSON line per record, described in docs/CAPTURE_FORMAT.md.
 *
 * Three record shapes share a file. Every file opens with a header line; frame lines carry the
 * venue's text verbatim; marker lines record what happened to a connection (connect,
 * disconnect, resync, subscribe, unsubscribe) or a free note.
 *
 * Frame payloads are written last on the line so a reader can slice the raw text out of the
 * line instead of serialising the decoded value again: `"j"` embeds text that is itself JSON,
 * `"s"` holds any other text as a JSON string. Both give back the exact text that was written.
 */
import { ParseError } from '../../domain/errors.js'

/** The `format` value in every header line. */
export const CAPTURE_FORMAT = 'tiltmeter-capture'
/** The format version this code writes and reads. */
export const CAPTURE_VERSION = 1

export const MARKER_KINDS = [
  'connect',
  'disconnect',
  'resync',
  'subscribe',
  'unsubscribe',
  'note',
] as const
/** What a marker line records. */
export type MarkerKind = (typeof MARKER_KINDS)[number]

/** The first line of every capture file. */
export type CaptureHeader = {
  readonly kind: 'header'
  readonly version: number
  /** Wall-clock time the file was started, epoch ms. */
  readonly tLocal: number
  /** Monotonic clock when the file was started, µs (arbitrary origin, one per process). */
  readonly mono: number
  /** The sequence number in the file name, counted per writer from 1. */
  readonly fileSeq: number
  /** What wrote the file, free text such as `record` or `import`. */
  readonly startedBy: string
  /** Optional description of where the data came from (venue URL, importer input, ...). */
  readonly source?: Readonly<Record<string, unknown>>
}

/** One frame as received from a connection. */
export type CaptureFrame = {
  readonly kind: 'frame'
  /** Local receive time, epoch ms. */
  readonly tLocal: number
  /** Monotonic receive time, µs. */
  readonly mono: number
  /** Connection id. */
  readonly conn: string
  /** The frame text exactly as received. */
  readonly raw: string
  /**
   * The decoded frame when the text is JSON; undefined for other text (e.g. `PONG`), and for
   * frames read without decoding (the reader's `decodeValues: false`, see
   * {@link decodeFrameLineLazy}): parse `raw` then.
   */
  readonly value: unknown
}

/** Something that happened to a connection, or a note. */
export type CaptureMarker = {
  readonly kind: 'marker'
  readonly marker: MarkerKind
  readonly tLocal: number
  readonly mono: number
  readonly conn: string
  /** Every other field of the line (`url`, `reason`, `code`, `asset_ids`, ...). */
  readonly detail: Readonly<Record<string, unknown>>
}

export type CaptureRecord = CaptureFrame | CaptureMarker | CaptureHeader

/** What a header line says besides the fixed format fields. */
export type CaptureHeaderFields = {
  readonly tLocal: number
  readonly mono: number
  readonly fileSeq: number
  readonly startedBy: string
  readonly source?: Readonly<Record<string, unknown>>
}

const RESERVED_MARKER_KEYS: ReadonlySet<string> = new Set(['k', 't', 'm', 'c'])
const MARKER_KIND_SET: ReadonlySet<string> = new Set(MARKER_KINDS)
const LINE_BREAK = /[\n\r]/
const PAYLOAD_JSON_KEY = '"j":'
const CHAR_CLOSE_BRACE = 125

/** True when `kind` names a marker record. */
export function isMarkerKind(kind: string): kind is MarkerKind {
  return MARKER_KIND_SET.has(kind)
}

// Node 20 has String.prototype.isWellFormed; the ES2023 lib typings do not declare it.
type WellFormedCheck = { isWellFormed(): boolean }

/**
 * True when `raw` can be embedded verbatim as a `"j"` payload: it parses as JSON, has no line
 * break (that would split the line) and no lone surrogate (UTF-8 cannot encode one, so the
 * text would not come back unchanged). Pass `knownJson` when the caller has already parsed it.
 */
export function canEmbedVerbatim(raw: string, knownJson?: boolean): boolean {
  if (knownJson === false) return false
  if (LINE_BREAK.test(raw)) return false
  if (!(raw as unknown as WellFormedCheck).isWellFormed()) return false
  if (knownJson === true) return true
  try {
    JSON.parse(raw)
    return true
  } catch {
    // Not JSON: the caller stores it as a string payload instead.
    return false
  }
}

function checkTimes(tLocal: number, mono: number): void {
  if (!Number.isFinite(tLocal)) {
    throw new RangeError(`capture time must be a finite epoch ms number, got ${String(tLocal)}`)
  }
  if (!Number.isSafeInteger(mono)) {
    throw new RangeError(`capture monotonic time must be an integer µs count, got ${String(mono)}`)
  }
}

/**
 * Encodes a frame line (without the trailing newline). `isJson` is the caller's knowledge that
 * `raw` parses as JSON; when omitted the text is checked. Throws RangeError for a bad time.
 */
export function encodeFrameLine(
  tLocal: number,
  mono: number,
  conn: string,
  raw: string,
  isJson?: boolean,
): string {
  checkTimes(tLocal, mono)
  const head = `{"k":"f","t":${tLocal},"m":${mono},"c":${JSON.stringify(conn)},`
  return canEmbedVerbatim(raw, isJson) ? `${head}"j":${raw}}` : `${head}"s":${JSON.stringify(raw)}}`
}

/**
 * Encodes a marker line (without the trailing newline). `detail` adds fields after the fixed
 * ones; it may not use the keys `k`, `t`, `m` or `c` and must be JSON-serialisable.
 */
export function encodeMarkerLine(
  kind: MarkerKind,
  tLocal: number,
  mono: number,
  conn: string,
  detail?: Readonly<Record<string, unknown>>,
): string {
  if (!isMarkerKind(kind)) {
    throw new RangeError(
      `unknown capture marker kind ${JSON.stringify(kind)}; use one of ${MARKER_KINDS.join(', ')}`,
    )
  }
  checkTimes(tLocal, mono)
  const record: Record<string, unknown> = { k: kind, t: tLocal, m: mono, c: conn }
  if (detail !== undefined) {
    for (const key of Object.keys(detail)) {
      if (RESERVED_MARKER_KEYS.has(key)) {
        throw new RangeError(
          `capture marker detail may not use the reserved key "${key}" (k, t, m and c are fixed fields)`,
        )
      }
      record[key] = detail[key]
    }
  }
  try {
    return JSON.stringify(record)
  } catch (e) {
    throw new TypeError(`capture marker detail is not JSON-serialisable: ${(e as Error).message}`, {
      cause: e,
    })
  }
}

/** Encodes a header line (without the trailing newline). */
export function encodeHeaderLine(fields: CaptureHeaderFields): string {
  checkTimes(fields.tLocal, fields.mono)
  const record: Record<string, unknown> = {
    k: 'header',
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    t: fields.tLocal,
    m: fields.mono,
    file_seq: fields.fileSeq,
    started_by: fields.startedBy,
  }
  if (fields.source !== undefined) record.source = fields.source
  try {
    return JSON.stringify(record)
  } catch (e) {
    throw new TypeError(`capture header source is not JSON-serialisable: ${(e as Error).message}`, {
      cause: e,
    })
  }
}

function fail(message: string, line: string, cause?: unknown): never {
  throw new ParseError(
    `bad capture line: ${message}`,
    line,
    cause === undefined ? undefined : { cause },
  )
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readTimes(rec: Record<string, unknown>, line: string): { t: number; m: number } {
  const t = rec.t
  const m = rec.m
  if (typeof t !== 'number') fail('"t" (local time, epoch ms) must be a number', line)
  if (typeof m !== 'number' || !Number.isSafeInteger(m)) {
    fail('"m" (monotonic time, µs) must be an integer', line)
  }
  return { t, m }
}

function decodeFrame(line: string, rec: Record<string, unknown>): CaptureFrame {
  const { t, m } = readTimes(rec, line)
  const conn = rec.c
  if (typeof conn !== 'string') fail('frame "c" (connection id) must be a string', line)
  const s = rec.s
  if (s !== undefined) {
    if (typeof s !== 'string') fail('frame "s" payload must be a string', line)
    if ('j' in rec) fail('frame has both "j" and "s" payloads; expected one', line)
    return { kind: 'frame', tLocal: t, mono: m, conn, raw: s, value: undefined }
  }
  if (!('j' in rec)) fail('frame has no payload; expected "j" (JSON frame) or "s" (text)', line)
  // The verbatim text is sliced out of the line, so "j" must be the last key. JSON.parse keeps
  // key order, so the last key enumerated is the last key written.
  let lastKey = ''
  for (const key in rec) lastKey = key
  if (lastKey !== 'j') fail('frame "j" payload must be the last field on the line', line)
  // Only k, t, m and c can precede "j", and none of their values can contain `"j":`, so the
  // first occurrence is the payload key.
  const start = line.indexOf(PAYLOAD_JSON_KEY)
  if (start < 0) fail('frame "j" payload must be written as "j": with no space', line)
  let end = line.length - 1
  while (end > start && line.charCodeAt(end) !== CHAR_CLOSE_BRACE) end--
  return {
    kind: 'frame',
    tLocal: t,
    mono: m,
    conn,
    raw: line.slice(start + PAYLOAD_JSON_KEY.length, end),
    value: rec.j,
  }
}

function decodeMarker(line: string, kind: MarkerKind, rec: Record<string, unknown>): CaptureMarker {
  const { t, m } = readTimes(rec, line)
  const conn = rec.c
  if (typeof conn !== 'string') fail(`${kind} marker "c" (connection id) must be a string`, line)
  const detail: Record<string, unknown> = {}
  for (const key of Object.keys(rec)) {
    if (!RESERVED_MARKER_KEYS.has(key)) detail[key] = rec[key]
  }
  return { kind: 'marker', marker: kind, tLocal: t, mono: m, conn, detail }
}

function decodeHeader(line: string, rec: Record<string, unknown>): CaptureHeader {
  if (rec.format !== CAPTURE_FORMAT) {
    fail(`header "format" must be "${CAPTURE_FORMAT}", got ${JSON.stringify(rec.format)}`, line)
  }
  const version = rec.version
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    fail(`header "version" must be a positive integer, got ${JSON.stringify(version)}`, line)
  }
  if (version > CAPTURE_VERSION) {
    fail(
      `capture format version ${version} is newer than this build reads (${CAPTURE_VERSION}); upgrade tiltmeter to read it`,
      line,
    )
  }
  const { t, m } = readTimes(rec, line)
  const fileSeq = rec.file_seq
  if (typeof fileSeq !== 'number' || !Number.isSafeInteger(fileSeq) || fileSeq < 0) {
    fail('header "file_seq" must be a non-negative integer', line)
  }
  const startedBy = rec.started_by
  if (typeof startedBy !== 'string') fail('header "started_by" must be a string', line)
  const source = rec.source
  if (source !== undefined && !isPlainObject(source)) {
    fail('header "source" must be an object when present', line)
  }
  const header: CaptureHeader = { kind: 'header', version, tLocal: t, mono: m, fileSeq, startedBy }
  return source === undefined ? header : { ...header, source }
}

/**
 * Decodes one capture line (without its newline) with a single JSON.parse. Throws
 * {@link ParseError} naming the problem when the line is not a valid capture record.
 */
export function decodeCaptureLine(line: string): CaptureRecord {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch (e) {
    fail(`not valid JSON (${(e as Error).message}); the line may be torn or edited`, line, e)
  }
  if (!isPlainObject(parsed)) fail('expected a JSON object', line)
  const k = parsed.k
  if (k === 'f') return decodeFrame(line, parsed)
  if (typeof k === 'string') {
    if (isMarkerKind(k)) return decodeMarker(line, k, parsed)
    if (k === 'header') return decodeHeader(line, parsed)
  }
  return fail(
    `unknown record kind "k": ${JSON.stringify(k) ?? 'missing'}; expected "f", "header" or one of ${MARKER_KINDS.join(', ')}`,
    line,
  )
}

/**
 * True when `line` is a capture header line (the first line of a capture file): a JSON object
 * with `"k":"header"` and `"format":"tiltmeter-capture"`. The header may still be of a newer
 * version than this build reads; {@link decodeCaptureLine} says so.
 */
export function isCaptureHeaderLine(line: string): boolean {
  if (!line.trimStart().startsWith('{')) return false
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    // Not JSON, so not a header.
    return false
  }
  return isPlainObject(parsed) && parsed.k === 'header' && parsed.format === CAPTURE_FORMAT
}

const FRAME_PREFIX = '{"k":"f","t":'
const CONN_KEY = ',"c":"'
const MONO_KEY = ',"m":'
const PAYLOAD_KEY_AFTER_CONN = ',"j":'
/** Integers of up to 15 digits are exact as doubles, so no digit-by-digit overflow check. */
const MAX_FAST_DIGITS = 15
const CHAR_QUOTE = 34
const CHAR_BACKSLASH = 92
const CHAR_SPACE = 32
const CHAR_MINUS = 45
const CHAR_0 = 48
const CHAR_9 = 57
const CHAR_OPEN_BRACE = 123
const CHAR_OPEN_BRACKET = 91
const CHAR_CLOSE_BRACKET = 93

/**
 * The integer written at `line[start..]` (an optional `-`, then digits with no leading zero),
 * packed with where it ends: returns `end` and sets {@link fastInt}; -1 when it is not that.
 */
let fastInt = 0
function readFastInt(line: string, start: number): number {
  let i = start
  const length = line.length
  let negative = false
  if (i < length && line.charCodeAt(i) === CHAR_MINUS) {
    negative = true
    i++
  }
  const digitsStart = i
  let value = 0
  while (i < length) {
    const c = line.charCodeAt(i)
    if (c < CHAR_0 || c > CHAR_9) break
    value = value * 10 + (c - CHAR_0)
    i++
  }
  const digits = i - digitsStart
  if (digits === 0 || digits > MAX_FAST_DIGITS) return -1
  if (digits > 1 && line.charCodeAt(digitsStart) === CHAR_0) return -1
  fastInt = negative ? -value : value
  return i
}

/**
 * Reads a frame line with a verbatim `"j"` payload exactly as the writer lays it out
 * (`{"k":"f","t":<int>,"m":<int>,"c":"<conn>","j":<frame>}`) without decoding the payload:
 * the result's `value` is undefined and `raw` is the payload text. Returns null for any other
 * line, or any variation it does not read with certainty (spaces, escapes in the connection
 * id, a fractional time, a payload that is not an object or array...); decode those with
 * {@link decodeCaptureLine}. `previousConn` is reused when the line names the same connection,
 * so consecutive frames share one string.
 *
 * Unlike {@link decodeCaptureLine}, the payload is not checked to be JSON: a damaged payload
 * reaches the consumer as frame text that does not parse, and the market parser reports it.
 */
export function decodeFrameLineLazy(line: string, previousConn?: string): CaptureFrame | null {
  if (!line.startsWith(FRAME_PREFIX)) return null
  let i = readFastInt(line, FRAME_PREFIX.length)
  if (i < 0) return null
  const tLocal = fastInt
  if (!line.startsWith(MONO_KEY, i)) return null
  i = readFastInt(line, i + MONO_KEY.length)
  if (i < 0) return null
  const mono = fastInt
  if (!line.startsWith(CONN_KEY, i)) return null
  const connStart = i + CONN_KEY.length
  const length = line.length
  let connEnd = connStart
  for (;;) {
    if (connEnd >= length) return null
    const c = line.charCodeAt(connEnd)
    if (c === CHAR_QUOTE) break
    if (c === CHAR_BACKSLASH || c < CHAR_SPACE) return null
    connEnd++
  }
  if (!line.startsWith(PAYLOAD_KEY_AFTER_CONN, connEnd + 1)) return null
  const start = connEnd + 1 + PAYLOAD_KEY_AFTER_CONN.length
  const end = length - 1
  if (end <= start || line.charCodeAt(end) !== CHAR_CLOSE_BRACE) return null
  const open = line.charCodeAt(start)
  const close = line.charCodeAt(end - 1)
  if (
    !(open === CHAR_OPEN_BRACE && close === CHAR_CLOSE_BRACE) &&
    !(open === CHAR_OPEN_BRACKET && close === CHAR_CLOSE_BRACKET)
  ) {
    return null
  }
  const connLength = connEnd - connStart
  const conn =
    previousConn !== undefined &&
    previousConn.length === connLength &&
    line.startsWith(previousConn, connStart)
      ? previousConn
      : line.slice(connStart, connEnd)
  return { kind: 'frame', tLocal, mono, conn, raw: line.slice(start, end), value: undefined }
}
