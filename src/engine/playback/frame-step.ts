/**
 * One frame of playback: parse it, read its venue time, and apply it to a {@link MarketData}
 * exactly as `onFrameBytes` / `onFrameText` / `onFrameValue` would (same parser calls, same
 * counters, same listener calls), but in two steps, so playback can look at a frame's time
 * before deciding whether to apply it.
 */
import type { ParseError } from '../../domain/errors.js'
import type { ParseResult } from '../frame-parser.js'
import type { FrameMeta, FrameParser, MarketData } from '../market-data.js'

/** Decodes like `Buffer#toString` (and MarketData): U+FFFD for bad bytes, a BOM is kept. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })
const NO_ERRORS: ParseError[] = []

/** Parses a frame held as UTF-8 bytes the way `MarketData.onFrameBytes` does. */
export function parseFrameBytes(
  parser: FrameParser,
  bytes: Uint8Array,
  start: number,
  end: number,
): ParseResult {
  if (parser.scanBytes !== undefined) {
    const event = parser.scanBytes(bytes, start, end)
    if (event !== null) return { events: [event], errors: NO_ERRORS, ignored: false }
  }
  return parser.parseBytes === undefined
    ? parser.parseText(UTF8.decode(bytes.subarray(start, end)))
    : parser.parseBytes(bytes, start, end)
}

/**
 * Parses a text frame the way replay does: `onFrameValue` when the reader decoded the JSON
 * already, else `onFrameText`.
 */
export function parseFrameText(parser: FrameParser, raw: string, value: unknown): ParseResult {
  return value === undefined ? parser.parseText(raw) : parser.parseValue(value, raw)
}

/** The latest venue timestamp among a frame's events; NaN when it has none. */
export function frameVenueTime(result: ParseResult): number {
  let latest = Number.NaN
  for (const event of result.events) {
    const ts: number = event.tsVenue
    if (!(ts <= latest)) latest = ts
  }
  return latest
}

/** Applies a parsed frame with MarketData's own bookkeeping for whole frames. */
export function applyParsedFrame(
  market: MarketData,
  result: ParseResult,
  meta: FrameMeta,
  onParseError: ((error: ParseError, meta: FrameMeta) => void) | undefined,
): void {
  const counters = market.counters
  counters.frames++
  if (result.ignored) {
    counters.ignoredFrames++
    return
  }
  for (const error of result.errors) {
    counters.parseErrors++
    onParseError?.(error, meta)
  }
  for (const event of result.events) market.apply(event, meta)
}

/**
 * The playback clock after a frame: the latest venue time seen so far. Frames without a venue
 * time (PONG, parse errors) and frames older than the clock leave it where it is, so the
 * clock never goes back and "every frame with clock at most t" is always a prefix of the
 * recording.
 */
export function advanceClock(clock: number, frameTime: number): number {
  return frameTime > clock ? frameTime : clock
}
