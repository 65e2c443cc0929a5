/**
 * Reads a capture frame line in the writer's layout straight from the decompressed bytes,
 * `{"k":"f","t":<int>,"m":<int>,"c":"<conn>","j":<frame>}`, without decoding the line to a
 * string: the byte-level twin of `decodeFrameLineLazy` in `capture-format.ts`, with the same
 * rules (checked against it by property tests). Replay hands the payload's byte range to the
 * market parser, which scans it in place.
 */

const FRAME_PREFIX = bytesOf('{"k":"f","t":')
const MONO_KEY = bytesOf(',"m":')
const CONN_KEY = bytesOf(',"c":"')
/** What follows the connection id's closing quote. */
const PAYLOAD_KEY_AFTER_CONN = bytesOf(',"j":')
/** Integers of up to 15 digits are exact as doubles, so no digit-by-digit overflow check. */
const MAX_FAST_DIGITS = 15
const CHAR_QUOTE = 34
const CHAR_BACKSLASH = 92
const CHAR_SPACE = 32
/** Connection ids outside ASCII are left to the text path, which decodes them. */
const CHAR_ASCII_LAST = 127
const CHAR_MINUS = 45
const CHAR_0 = 48
const CHAR_9 = 57
const CHAR_OPEN_BRACE = 123
const CHAR_CLOSE_BRACE = 125
const CHAR_OPEN_BRACKET = 91
const CHAR_CLOSE_BRACKET = 93

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

/** The fields of the frame line last read by {@link readFrameLineBytes}; reused, not allocated. */
export class FrameLineFields {
  tLocal = 0
  mono = 0
  conn = ''
  /** The payload is `bytes[payloadStart, payloadEnd)`. */
  payloadStart = 0
  payloadEnd = 0
}

/**
 * Reads the line `b[start, end)` (without its line break) into `out` when it is a frame line
 * laid out exactly as the writer writes it, with an ASCII connection id; false for any other
 * line or any variation it does not read with certainty (then decode the line as text).
 * `previousConn` is reused as `out.conn` when the line names the same connection, so
 * consecutive frames share one string.
 *
 * As with the lazy text reader, the payload is not checked to be JSON: its first and last bytes
 * must be `{` and `}` (or `[` and `]`), and the consumer parses it.
 */
export function readFrameLineBytes(
  b: Uint8Array,
  start: number,
  end: number,
  previousConn: string | undefined,
  out: FrameLineFields,
): boolean {
  if (!matchesAt(b, start, end, FRAME_PREFIX)) return false
  let i = readInt(b, start + FRAME_PREFIX.length, end)
  if (i < 0) return false
  const tLocal = intValue
  if (!matchesAt(b, i, end, MONO_KEY)) return false
  i = readInt(b, i + MONO_KEY.length, end)
  if (i < 0) return false
  const mono = intValue
  if (!matchesAt(b, i, end, CONN_KEY)) return false
  const connStart = i + CONN_KEY.length
  let connEnd = connStart
  for (;;) {
    if (connEnd >= end) return false
    const c = b[connEnd] as number
    if (c === CHAR_QUOTE) break
    if (c === CHAR_BACKSLASH || c < CHAR_SPACE || c > CHAR_ASCII_LAST) return false
    connEnd++
  }
  if (!matchesAt(b, connEnd + 1, end, PAYLOAD_KEY_AFTER_CONN)) return false
  const payloadStart = connEnd + 1 + PAYLOAD_KEY_AFTER_CONN.length
  const last = end - 1
  if (last <= payloadStart || b[last] !== CHAR_CLOSE_BRACE) return false
  const open = b[payloadStart]
  const close = b[last - 1]
  if (
    !(open === CHAR_OPEN_BRACE && close === CHAR_CLOSE_BRACE) &&
    !(open === CHAR_OPEN_BRACKET && close === CHAR_CLOSE_BRACKET)
  ) {
    return false
  }
  out.tLocal = tLocal
  out.mono = mono
  out.conn =
    previousConn !== undefined && sameAscii(b, connStart, connEnd, previousConn)
      ? previousConn
      : latin1(b, connStart, connEnd)
  out.payloadStart = payloadStart
  out.payloadEnd = last
  return true
}

function matchesAt(b: Uint8Array, at: number, end: number, word: Uint8Array): boolean {
  const count = word.length
  if (at + count > end) return false
  for (let k = 0; k < count; k++) if (b[at + k] !== word[k]) return false
  return true
}

function sameAscii(b: Uint8Array, start: number, end: number, text: string): boolean {
  if (text.length !== end - start) return false
  for (let k = 0; k < text.length; k++) if (b[start + k] !== text.charCodeAt(k)) return false
  return true
}

/** ASCII bytes as a string (the caller has checked every byte is below 128). */
function latin1(b: Uint8Array, start: number, end: number): string {
  let text = ''
  for (let k = start; k < end; k++) text += String.fromCharCode(b[k] as number)
  return text
}

/** The integer last read by {@link readInt}. */
let intValue = 0

/**
 * The integer written at `b[start..]` (an optional `-`, then 1 to 15 digits with no leading
 * zero): returns where it ends and sets {@link intValue}; -1 when it is not that.
 */
function readInt(b: Uint8Array, start: number, end: number): number {
  let i = start
  let negative = false
  if (i < end && b[i] === CHAR_MINUS) {
    negative = true
    i++
  }
  const digitsStart = i
  let value = 0
  while (i < end) {
    const c = b[i] as number
    if (c < CHAR_0 || c > CHAR_9) break
    value = value * 10 + (c - CHAR_0)
    i++
  }
  const digits = i - digitsStart
  if (digits === 0 || digits > MAX_FAST_DIGITS) return -1
  if (digits > 1 && b[digitsStart] === CHAR_0) return -1
  intValue = negative ? -value : value
  return i
}
