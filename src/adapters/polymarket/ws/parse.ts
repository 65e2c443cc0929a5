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
import type {
  BestBidAsk,
  BookSnapshot,
  LastTrade,
  Level,
  LevelChange,
  MarketEvent,
  MarketResolved,
  NewMarket,
  PriceChange,
  TickSizeChange,
} from '../../../domain/book/book-events.js'
import { ParseError } from '../../../domain/errors.js'
import {
  parseTickSize,
  type MarketId,
  type Side,
  type TickSize,
  type TokenId,
  type TradeSide,
} from '../../../domain/market.js'
import {
  MAX_PRICE,
  parseEpochMs,
  tryParsePrice,
  tryParseSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'
import type { ParseResult } from '../../../engine/frame-parser.js'
import type {
  PolymarketBestBidAskFrame,
  PolymarketBookFrame,
  PolymarketFlatPriceChangeFrame,
  PolymarketLastTradePriceFrame,
  PolymarketLegacyChange,
  PolymarketLegacyChangesFrame,
  PolymarketLevel,
  PolymarketMarketResolvedFrame,
  PolymarketNewMarketFrame,
  PolymarketPriceChangeEntry,
  PolymarketPriceChangeFrame,
  PolymarketTickSizeChangeFrame,
} from './messages.js'
import { scanPriceChange } from './scan-price-change.js'

export type { ParseResult }

/** A raw frame's fields before checking: the venue's names, values of unknown type. */
type Unchecked<T> = { readonly [K in keyof T]?: unknown }

const HANDLED_TYPES =
  'book, price_change, tick_size_change, last_trade_price, best_bid_ask, new_market, market_resolved'

const EXPECT_ID = 'a non-empty string'
const EXPECT_TEXT = 'a string'
const EXPECT_PRICE = 'a price string between 0 and 1 with at most 4 decimals'
const EXPECT_SIZE = 'a non-negative size string with at most 6 decimals'
const EXPECT_SIDE = '"BUY" or "SELL"'
const EXPECT_BEST =
  'a price string between 0 and 1 with at most 4 decimals, or "" for an empty side'
const EXPECT_TIMESTAMP = 'epoch milliseconds as a string of digits'
const EXPECT_TICK = 'one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"'
const EXPECT_LEVELS = 'an array of {price, size} levels'
const EXPECT_OBJECT = 'an object'
const EXPECT_STRINGS = 'an array of strings'

/**
 * A problem with one field of one event. Internal: thrown inside an event's parser and turned
 * into a {@link ParseError} at the event boundary, where the event type and excerpt are known.
 */
class FieldProblem extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FieldProblem'
  }
}

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

// ---------------------------------------------------------------------------------------------
// Events

function parsePriceChange(frame: Unchecked<PriceChangeAnyShape>): PriceChange {
  const market = readId(frame.market, null, 0, 'market') as MarketId
  const tsVenue = readTimestamp(frame.timestamp)
  const batched = frame.price_changes
  if (batched !== undefined) {
    if (!Array.isArray(batched)) {
      throw problem(null, 0, 'price_changes', 'an array of level changes', batched)
    }
    const entries = batched as readonly unknown[]
    const count = entries.length
    const changes: LevelChange[] = []
    for (let i = 0; i < count; i++) changes.push(parseBatchedEntry(entries[i], i))
    return { type: 'price_change', market, tsVenue, shape: 'batched', changes }
  }
  const legacy = frame.changes
  if (legacy !== undefined) {
    const assetId = readId(frame.asset_id, null, 0, 'asset_id') as TokenId
    if (!Array.isArray(legacy)) {
      throw problem(null, 0, 'changes', 'an array of level changes', legacy)
    }
    const entries = legacy as readonly unknown[]
    const count = entries.length
    const changes: LevelChange[] = []
    for (let i = 0; i < count; i++) changes.push(parseLegacyEntry(entries[i], i, assetId))
    return { type: 'price_change', market, tsVenue, shape: 'changes', changes }
  }
  if (frame.price !== undefined || frame.side !== undefined || frame.size !== undefined) {
    const assetId = readId(frame.asset_id, null, 0, 'asset_id') as TokenId
    const change: LevelChange = {
      assetId,
      side: readLevelSide(frame.side, null, 0),
      price: readPrice(frame.price, null, 0, 'price'),
      size: readSize(frame.size, null, 0, 'size'),
      bestBid: undefined,
      bestAsk: undefined,
    }
    return { type: 'price_change', market, tsVenue, shape: 'flat', changes: [change] }
  }
  throw new FieldProblem(
    'field "price_changes" is missing (expected an array of level changes;' +
      ' no "changes" array or flat "price"/"side"/"size" of the older forms either)',
  )
}

/** Every field any of the three `price_change` shapes may carry. */
type PriceChangeAnyShape = PolymarketPriceChangeFrame &
  Omit<PolymarketLegacyChangesFrame, 'event_type'> &
  Omit<PolymarketFlatPriceChangeFrame, 'event_type'>

function parseBatchedEntry(value: unknown, index: number): LevelChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldProblem(
      `element price_changes[${index}] must be ${EXPECT_OBJECT}, got ${describe(value)}`,
    )
  }
  const entry = value as Unchecked<PolymarketPriceChangeEntry>
  return {
    assetId: readId(entry.asset_id, 'price_changes', index, 'asset_id') as TokenId,
    side: readLevelSide(entry.side, 'price_changes', index),
    price: readPrice(entry.price, 'price_changes', index, 'price'),
    size: readSize(entry.size, 'price_changes', index, 'size'),
    bestBid: readBest(entry.best_bid, 0, index, 'best_bid'),
    bestAsk: readBest(entry.best_ask, MAX_PRICE, index, 'best_ask'),
  }
}

function parseLegacyEntry(value: unknown, index: number, assetId: TokenId): LevelChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldProblem(
      `element changes[${index}] must be ${EXPECT_OBJECT}, got ${describe(value)}`,
    )
  }
  const entry = value as Unchecked<PolymarketLegacyChange>
  return {
    assetId,
    side: readLevelSide(entry.side, 'changes', index),
    price: readPrice(entry.price, 'changes', index, 'price'),
    size: readSize(entry.size, 'changes', index, 'size'),
    bestBid: undefined,
    bestAsk: undefined,
  }
}

function parseBook(frame: Unchecked<PolymarketBookFrame>): BookSnapshot {
  const market = readId(frame.market, null, 0, 'market') as MarketId
  const assetId = readId(frame.asset_id, null, 0, 'asset_id') as TokenId
  const tsVenue = readTimestamp(frame.timestamp)
  const hash = readText(frame.hash, null, 0, 'hash')
  const bids = readLevels(frame.bids, 'bids')
  const asks = readLevels(frame.asks, 'asks')
  const tickText = frame.tick_size
  const tickSize = isAbsent(tickText) ? undefined : readTickSize(tickText, 'tick_size')
  const lastText = frame.last_trade_price
  const lastTradePrice = isAbsent(lastText)
    ? undefined
    : readPrice(lastText, null, 0, 'last_trade_price')
  return {
    type: 'book',
    market,
    assetId,
    tsVenue,
    hash,
    bids,
    asks,
    tickSize,
    lastTradePrice,
  }
}

function readLevels(value: unknown, name: 'bids' | 'asks'): Level[] {
  if (!Array.isArray(value)) throw problem(null, 0, name, EXPECT_LEVELS, value)
  const items = value as readonly unknown[]
  const count = items.length
  const levels: Level[] = []
  for (let i = 0; i < count; i++) {
    const item = items[i]
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new FieldProblem(
        `element ${name}[${i}] must be ${EXPECT_OBJECT}, got ${describe(item)}`,
      )
    }
    const level = item as Unchecked<PolymarketLevel>
    levels.push({
      price: readPrice(level.price, name, i, 'price'),
      size: readSize(level.size, name, i, 'size'),
    })
  }
  return levels
}

function parseTickSizeChange(frame: Unchecked<PolymarketTickSizeChangeFrame>): TickSizeChange {
  return {
    type: 'tick_size_change',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    assetId: readId(frame.asset_id, null, 0, 'asset_id') as TokenId,
    tsVenue: readTimestamp(frame.timestamp),
    oldTickSize: readTickSize(frame.old_tick_size, 'old_tick_size'),
    newTickSize: readTickSize(frame.new_tick_size, 'new_tick_size'),
  }
}

function parseLastTrade(frame: Unchecked<PolymarketLastTradePriceFrame>): LastTrade {
  return {
    type: 'last_trade_price',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    assetId: readId(frame.asset_id, null, 0, 'asset_id') as TokenId,
    tsVenue: readTimestamp(frame.timestamp),
    price: readPrice(frame.price, null, 0, 'price'),
    size: readSize(frame.size, null, 0, 'size'),
    side: readTakerSide(frame.side),
    feeRateBps: readFeeRate(frame.fee_rate_bps),
    transactionHash: readOptionalText(frame.transaction_hash, 'transaction_hash'),
  }
}

function parseBestBidAsk(frame: Unchecked<PolymarketBestBidAskFrame>): BestBidAsk {
  return {
    type: 'best_bid_ask',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    assetId: readId(frame.asset_id, null, 0, 'asset_id') as TokenId,
    tsVenue: readTimestamp(frame.timestamp),
    bestBid: readBest(frame.best_bid, 0, -1, 'best_bid'),
    bestAsk: readBest(frame.best_ask, MAX_PRICE, -1, 'best_ask'),
  }
}

function parseNewMarket(frame: Unchecked<PolymarketNewMarketFrame>): NewMarket {
  const tickText = frame.order_price_min_tick_size
  return {
    type: 'new_market',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    tsVenue: readTimestamp(frame.timestamp),
    id: readId(frame.id, null, 0, 'id'),
    question: readText(frame.question, null, 0, 'question'),
    slug: readText(frame.slug, null, 0, 'slug'),
    assetIds: readStrings(frame.assets_ids, 'assets_ids', true) as TokenId[],
    outcomes: readStrings(frame.outcomes, 'outcomes', false),
    tickSize: isAbsent(tickText) ? null : readTickSize(tickText, 'order_price_min_tick_size'),
    gameStartTime: readOptionalText(frame.game_start_time, 'game_start_time'),
    sportsMarketType: readOptionalText(frame.sports_market_type, 'sports_market_type'),
    tags: isAbsent(frame.tags) ? [] : readStrings(frame.tags, 'tags', false),
  }
}

function parseMarketResolved(frame: Unchecked<PolymarketMarketResolvedFrame>): MarketResolved {
  return {
    type: 'market_resolved',
    market: readId(frame.market, null, 0, 'market') as MarketId,
    tsVenue: readTimestamp(frame.timestamp),
    id: readId(frame.id, null, 0, 'id'),
    assetIds: readStrings(frame.assets_ids, 'assets_ids', true) as TokenId[],
    winningAssetId: readId(frame.winning_asset_id, null, 0, 'winning_asset_id') as TokenId,
    winningOutcome: readText(frame.winning_outcome, null, 0, 'winning_outcome'),
  }
}

// ---------------------------------------------------------------------------------------------
// Field readers. `array`/`index` locate a field inside an array element (`price_changes[1].size`);
// `array` is null for a top-level field. Paths are built only when a check fails.

function readId(value: unknown, array: string | null, index: number, field: string): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw problem(array, index, field, EXPECT_ID, value)
}

function readText(value: unknown, array: string | null, index: number, field: string): string {
  if (typeof value === 'string') return value
  throw problem(array, index, field, EXPECT_TEXT, value)
}

function readPrice(value: unknown, array: string | null, index: number, field: string): PriceTicks {
  if (typeof value === 'string') {
    const price = tryParsePrice(value)
    if (price >= 0) return price as PriceTicks
  }
  throw problem(array, index, field, EXPECT_PRICE, value)
}

function readSize(value: unknown, array: string | null, index: number, field: string): ShareMicros {
  if (typeof value === 'string') {
    const size = tryParseSize(value)
    if (size >= 0) return size as ShareMicros
  }
  throw problem(array, index, field, EXPECT_SIZE, value)
}

function readLevelSide(value: unknown, array: string | null, index: number): Side {
  if (value === 'BUY') return 'bid'
  if (value === 'SELL') return 'ask'
  throw problem(array, index, 'side', EXPECT_SIDE, value)
}

function readTakerSide(value: unknown): TradeSide {
  if (value === 'BUY') return 'buy'
  if (value === 'SELL') return 'sell'
  throw problem(null, 0, 'side', EXPECT_SIDE, value)
}

/**
 * The venue's best price of one side after a change. `""`, absent, or the side's "nothing
 * there" price (`"0"` for a bid, `"1"` for an ask) all mean the side is empty: `null`.
 * `index` is the `price_changes` element, or -1 for a top-level field.
 */
function readBest(
  value: unknown,
  emptyPrice: number,
  index: number,
  field: 'best_bid' | 'best_ask',
): PriceTicks | null {
  if (typeof value === 'string') {
    if (value.length === 0) return null
    const price = tryParsePrice(value)
    if (price >= 0) return price === emptyPrice ? null : (price as PriceTicks)
  } else if (value === undefined || value === null) {
    return null
  }
  throw problem(index < 0 ? null : 'price_changes', index, field, EXPECT_BEST, value)
}

function readTimestamp(value: unknown): EpochMs {
  if (typeof value === 'string' && value.length > 0) {
    try {
      return parseEpochMs(value)
    } catch (e) {
      throw new FieldProblem(fieldMessage(null, 0, 'timestamp', EXPECT_TIMESTAMP, value), {
        cause: e,
      })
    }
  }
  throw problem(null, 0, 'timestamp', EXPECT_TIMESTAMP, value)
}

function readTickSize(value: unknown, field: string): TickSize {
  if (typeof value === 'string') {
    try {
      return parseTickSize(value)
    } catch (e) {
      throw new FieldProblem(fieldMessage(null, 0, field, EXPECT_TICK, value), { cause: e })
    }
  }
  throw problem(null, 0, field, EXPECT_TICK, value)
}

/** Fee rate in basis points: a non-negative decimal string (or number); absent or `""`: null. */
function readFeeRate(value: unknown): number | null {
  if (isAbsent(value)) return null
  if (typeof value === 'string' && /^\d+(?:\.\d+)?$/.test(value)) return Number(value)
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  throw problem(null, 0, 'fee_rate_bps', 'a non-negative number of basis points as a string', value)
}

/** An optional string; absent, null and `""` all become null. */
function readOptionalText(value: unknown, field: string): string | null {
  if (typeof value === 'string') return value.length === 0 ? null : value
  if (value === undefined || value === null) return null
  throw problem(null, 0, field, `${EXPECT_TEXT} (or absent)`, value)
}

function readStrings(value: unknown, field: string, nonEmpty: boolean): string[] {
  if (!Array.isArray(value)) throw problem(null, 0, field, EXPECT_STRINGS, value)
  const items = value as readonly unknown[]
  const out: string[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    if (typeof item !== 'string' || (nonEmpty && item.length === 0)) {
      throw new FieldProblem(
        `element ${field}[${i}] must be ${nonEmpty ? EXPECT_ID : EXPECT_TEXT}, got ${describe(item)}`,
      )
    }
    out.push(item)
  }
  return out
}

/** Optional fields the venue fills with `""` when it has nothing to say. */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

// ---------------------------------------------------------------------------------------------
// Messages (error path only)

function problem(
  array: string | null,
  index: number,
  field: string,
  expected: string,
  value: unknown,
): FieldProblem {
  return new FieldProblem(fieldMessage(array, index, field, expected, value))
}

function fieldMessage(
  array: string | null,
  index: number,
  field: string,
  expected: string,
  value: unknown,
): string {
  const path = array === null ? field : `${array}[${index}].${field}`
  return value === undefined
    ? `field "${path}" is missing (expected ${expected})`
    : `field "${path}" must be ${expected}, got ${describe(value)}`
}

const MAX_SHOWN_CHARS = 40

/** Cuts untrusted text for a message. */
function clip(text: string): string {
  return text.length <= MAX_SHOWN_CHARS ? text : `${text.slice(0, MAX_SHOWN_CHARS)}…`
}

/** A short, safe description of a value of unknown type for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') {
    return value.length <= MAX_SHOWN_CHARS
      ? JSON.stringify(value)
      : `${JSON.stringify(value.slice(0, MAX_SHOWN_CHARS))}…`
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  if (Array.isArray(value)) return `an array of ${value.length} elements`
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** JSON text of a decoded value for an error excerpt; never throws. */
function printable(value: unknown): string {
  try {
    const text = JSON.stringify(value) as string | undefined
    return text ?? describe(value)
  } catch {
    // BigInt or a cycle: a value that did not come from JSON.parse.
    return describe(value)
  }
}
