/**
 * Parser for the Polymarket CLOB market channel: raw frames (see `messages.ts`) in, domain
 * events (`src/domain/book/book-events.ts`) out. Venue semantics and the evidence for them are in
 * `docs/POLYMARKET_NOTES.md`.
 *
 * Contract:
 * - a frame is one event object or a JSON array of them; each event is parsed on its own, so one
 *   bad event costs one {@link ParseError} and the others still come out;
 * - an event is all or nothing: a `price_change` with one bad entry is rejected whole;
 * - bare text that is not JSON (`PONG`, `NO NEW ASSETS`, anything not starting with `{` or `[`)
 *   is ignored; text starting with `{` or `[` that is not JSON is a malformed frame;
 * - nothing here throws.
 *
 * `price_change` and `book` run for every frame at high rates, so the checks are hand-written
 * (`typeof`, direct field access, integer price parsing) and allocate only the output. Field
 * errors are raised as exceptions inside one event and caught at the event boundary, so the
 * happy path pays nothing for error reporting.
 */
import type { MarketEvent } from '../../../domain/book/book-events.js'
import { ParseError } from '../../../domain/errors.js'
import type { ParseResult } from '../../../engine/frame-parser.js'
import {
  parseBestBidAsk,
  parseBook,
  parseLastTrade,
  parseMarketResolved,
  parseNewMarket,
  parsePriceChange,
  parseTickSizeChange,
} from './parse-events.js'
import { clip, describe, FieldProblem, printable, problem } from './parse-fields.js'
import { scanPriceChange, scanPriceChangeBytes } from './scan-price-change.js'

export type { ParseResult }

const HANDLED_TYPES =
  'book, price_change, tick_size_change, last_trade_price, best_bid_ask, new_market, market_resolved'

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Parses one raw text frame from the market socket. Never throws.
 *
 * The common live frame, one current-shape `price_change` event, is read by a hand-written
 * scanner straight from the text (`scan-price-change.ts`); every other frame, and any frame the
 * scanner does not read with certainty, goes through {@link parseMarketFrameSlow}. Both give
 * the same result for the same text.
 */
export function parseMarketFrame(text: string): ParseResult {
  if (typeof text !== 'string') {
    return failedFrame(`frame must be text, got ${describe(text)}`, '')
  }
  const scanned = scanPriceChange(text)
  if (scanned !== null) return { events: [scanned], errors: [], ignored: false }
  return parseMarketFrameSlow(text)
}

/**
 * {@link parseMarketFrame} for a frame held as UTF-8 bytes, `bytes[start, end)` (a capture
 * read without decoding its lines). The scanner reads the common frame in place; anything else
 * is decoded to text (invalid UTF-8 becomes U+FFFD, as `Buffer#toString` does) and parsed as
 * text, so the result is always the one {@link parseMarketFrame} gives for the decoded text.
 * Never throws.
 */
export function parseMarketBytes(bytes: Uint8Array, start: number, end: number): ParseResult {
  const scanned = scanPriceChangeBytes(bytes, start, end)
  if (scanned !== null) return { events: [scanned], errors: [], ignored: false }
  return parseMarketFrameSlow(decodeUtf8(bytes, start, end))
}

function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return buffer.toString('utf8', start, end)
}

/**
 * The general path of {@link parseMarketFrame}: one `JSON.parse`, then
 * {@link parseMarketValue}. Exported so tests can check the scanner against it. Never throws.
 */
export function parseMarketFrameSlow(text: string): ParseResult {
  if (typeof text !== 'string') {
    return failedFrame(`frame must be text, got ${describe(text)}`, '')
  }
  const first = firstSignificantChar(text)
  // Empty or blank text carries nothing.
  if (first === -1) return { events: [], errors: [], ignored: true }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    if (first === CHAR_OPEN_BRACE || first === CHAR_OPEN_BRACKET) {
      const reason = e instanceof Error ? e.message : 'unreadable'
      return failedFrame(
        `frame starts like JSON but is not valid JSON (${reason}); it was dropped whole`,
        text,
      )
    }
    // The venue answers PING with bare text, not JSON, and may send NO NEW ASSETS; neither is
    // data. See test/fixtures/polymarket/pong.txt and docs/POLYMARKET_NOTES.md.
    return { events: [], errors: [], ignored: true }
  }
  return parseMarketValue(value, text)
}

/**
 * Same as {@link parseMarketFrame}, for a frame already decoded from JSON (the capture reader
 * decodes lines once). `rawText` is used only for error excerpts. Never throws.
 */
export function parseMarketValue(value: unknown, rawText?: string): ParseResult {
  const events: MarketEvent[] = []
  const errors: ParseError[] = []
  try {
    if (Array.isArray(value)) {
      const items = value as readonly unknown[]
      const count = items.length
      for (let i = 0; i < count; i++) parseEventInto(items[i], i, count, undefined, events, errors)
    } else if (typeof value === 'object' && value !== null) {
      parseEventInto(value, -1, 1, rawText, events, errors)
    } else {
      errors.push(
        new ParseError(
          `frame must be an event object or an array of event objects, got ${describe(value)}`,
          rawText ?? printable(value),
        ),
      )
    }
  } catch (e) {
    // Unreachable by design (each event is guarded); kept so the contract "never throws" holds.
    errors.push(
      new ParseError('frame could not be read', rawText ?? printable(value), { cause: e }),
    )
  }
  return { events, errors, ignored: false }
}

// ---------------------------------------------------------------------------------------------
// Frame and event boundary

const CHAR_OPEN_BRACE = 123
const CHAR_OPEN_BRACKET = 91

/** The first character that is not JSON whitespace, as a char code; -1 when there is none. */
function firstSignificantChar(text: string): number {
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    // space, tab, line feed, carriage return
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c
  }
  return -1
}

/** Where an event sat in an array frame, for messages; empty for a single-event frame. */
function elementSuffix(index: number, count: number): string {
  return index < 0 ? '' : ` (element ${index + 1} of ${count} in the frame)`
}

function failedFrame(message: string, input: string): ParseResult {
  return { events: [], errors: [new ParseError(message, input)], ignored: false }
}

/**
 * Parses one event and appends either the event or one error. `index` is the event's position
 * in an array frame, or -1 for a frame holding a single event.
 */
function parseEventInto(
  value: unknown,
  index: number,
  count: number,
  rawText: string | undefined,
  events: MarketEvent[],
  errors: ParseError[],
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(
      new ParseError(
        `frame element ${index + 1} of ${count} must be an event object, got ${describe(value)}`,
        printable(value),
      ),
    )
    return
  }
  const type = (value as { readonly event_type?: unknown }).event_type
  try {
    switch (type) {
      case 'price_change':
        events.push(parsePriceChange(value))
        return
      case 'book':
        events.push(parseBook(value))
        return
      case 'last_trade_price':
        events.push(parseLastTrade(value))
        return
      case 'best_bid_ask':
        events.push(parseBestBidAsk(value))
        return
      case 'tick_size_change':
        events.push(parseTickSizeChange(value))
        return
      case 'new_market':
        events.push(parseNewMarket(value))
        return
      case 'market_resolved':
        events.push(parseMarketResolved(value))
        return
      default:
        if (typeof type === 'string') {
          errors.push(
            new ParseError(
              `unknown event_type "${clip(type)}": not handled by the market-channel parser` +
                ` (handled: ${HANDLED_TYPES}), event skipped${elementSuffix(index, count)}`,
              index < 0 && rawText !== undefined ? rawText : printable(value),
            ),
          )
          return
        }
        throw problem(null, 0, 'event_type', 'the name of the event type', type)
    }
  } catch (e) {
    const label = typeof type === 'string' && type.length > 0 ? clip(type) : 'event'
    const where = elementSuffix(index, count)
    const input = index < 0 && rawText !== undefined ? rawText : printable(value)
    if (e instanceof FieldProblem) {
      errors.push(new ParseError(`${label}: ${e.message}${where}`, input))
    } else {
      const reason = e instanceof Error ? e.message : 'unknown failure'
      errors.push(
        new ParseError(`${label}: could not be read (${reason})${where}`, input, { cause: e }),
      )
    }
  }
}
