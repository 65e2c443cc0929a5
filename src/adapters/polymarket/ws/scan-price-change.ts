/**
 * A hand-written scanner for the most common market-channel frame: one current-shape
 * `price_change` event object (`market`, `timestamp`, `event_type`, `price_changes[]` with
 * `asset_id`, `price`, `size`, `side`, `hash`, `best_bid`, `best_ask`). It reads the fields
 * straight from the frame text, without building the JSON object tree, and yields exactly the
 * event the general parser (`parse.ts`) yields for the same text.
 *
 * It is deliberately narrow and strict. It accepts only a JSON subset it can read with
 * certainty: an ASCII object whose values are plain strings (no escapes, no control
 * characters), plus the `price_changes` array of such objects, keys in any order, spaces
 * between tokens. Anything else (an array frame, another event type, a number or `null` where a
 * string is expected, a tab or line break, a duplicated key, a field the general parser would
 * reject, trailing text) returns null, and the caller hands the frame to the general parser,
 * which then decides, with its own messages. So the scanner never decides about bad input.
 *
 * Speed: it reads bytes. {@link scanPriceChangeBytes} reads UTF-8 in place (capture replay
 * hands over the decompressed data); {@link scanPriceChange} first copies the text into a reused
 * byte buffer (one native UTF-8 write; for ASCII text byte positions equal character positions),
 * because reading a byte array costs a fraction of `String.prototype.charCodeAt` per
 * character. Keys in the venue's order are matched in one comparison each, four bytes at a
 * time. Asset and market ids come from a small cache of recent ids, so the maps keyed by asset
 * id see the same string objects frame after frame (hash already computed). The byte-level
 * readers are in `scan-bytes.ts`. The buffer and the cache are module state: the scanner is
 * synchronous and never re-entered.
 */
import type { LevelChange, PriceChange } from '../../../domain/book/book-events.js'
import type { MarketId, Side, TokenId } from '../../../domain/market.js'
import {
  MAX_PRICE,
  PRICE_DECIMALS,
  PRICE_SCALE,
  SHARE_DECIMALS,
  SHARE_SCALE,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'
import {
  decimalEndAt,
  EMPTY_DECIMAL,
  idEnd,
  matchesWordKey,
  readDecimal,
  readId,
  setDecimalEnd,
  useView,
  wordKey,
  type WordKey,
} from './scan-bytes.js'

export { scaledInRange } from './scan-bytes.js'

const CHAR_SPACE = 32
const CHAR_QUOTE = 34
const CHAR_COMMA = 44
const CHAR_COLON = 58
const CHAR_OPEN_BRACKET = 91
const CHAR_CLOSE_BRACKET = 93
const CHAR_OPEN_BRACE = 123
const CHAR_CLOSE_BRACE = 125
const CHAR_DOT = 46
const CHAR_0 = 48
const CHAR_9 = 57
const CHAR_A = 97
const CHAR_B = 98
const CHAR_E = 101
const CHAR_M = 109
const CHAR_P = 112
const CHAR_S = 115
const CHAR_T = 116
const CHAR_Z = 122

const CHAR_BACKSLASH = 92
/** Bytes above this are parts of multi-byte UTF-8 sequences: left to the general parser. */
const CHAR_ASCII_LAST = 127

/** Bytes of a key or literal, with its closing quote, for comparison against the buffer. */
function quoted(word: string): Uint8Array {
  return Buffer.from(`${word}"`, 'latin1')
}
const KEY_MARKET = quoted('market')
const KEY_PRICE_CHANGES = quoted('price_changes')
const KEY_TIMESTAMP = quoted('timestamp')
const KEY_EVENT_TYPE = quoted('event_type')
const KEY_ASSET_ID = quoted('asset_id')
const KEY_PRICE = quoted('price')
const KEY_SIZE = quoted('size')
const KEY_SIDE = quoted('side')
const KEY_BEST_BID = quoted('best_bid')
const KEY_BEST_ASK = quoted('best_ask')
const VALUE_PRICE_CHANGE = wordKey('price_change"')
const VALUE_BUY = quoted('BUY')
const VALUE_SELL = quoted('SELL')

/** The reused scan buffer; grown when a frame needs more (3 bytes per character at most). */
let bytes: Buffer = Buffer.allocUnsafe(1 << 16)

/** Returned by the readers below for "not handled"; every valid position is >= 0. */
const NOT_HANDLED = -1

// Fields seen in the event object and in an entry, as bits (a repeated key is not handled:
// JSON.parse keeps the last value, and the general parser is the one to read such text).
const SEEN_EVENT_TYPE = 1
const SEEN_MARKET = 2
const SEEN_TIMESTAMP = 4
const SEEN_PRICE_CHANGES = 8
const SEEN_ALL_EVENT = SEEN_EVENT_TYPE | SEEN_MARKET | SEEN_TIMESTAMP | SEEN_PRICE_CHANGES

const SEEN_ASSET_ID = 1
const SEEN_PRICE = 2
const SEEN_SIZE = 4
const SEEN_SIDE = 8
const SEEN_BEST_BID = 16
const SEEN_BEST_ASK = 32
const SEEN_OTHER = 64
const SEEN_REQUIRED_ENTRY = SEEN_ASSET_ID | SEEN_PRICE | SEEN_SIZE | SEEN_SIDE

/**
 * Event keys in the order the venue writes them, each as `"key":`, with the field it names;
 * an event in that order is read one comparison per key. Any other order or spacing takes the
 * general key reading, with the same result.
 */
const EVENT_KEYS_IN_ORDER: readonly WordKey[] = [
  'event_type',
  'market',
  'timestamp',
  'price_changes',
].map((key) => wordKey(`"${key}":`))
const EVENT_BITS_IN_ORDER: readonly number[] = [
  SEEN_EVENT_TYPE,
  SEEN_MARKET,
  SEEN_TIMESTAMP,
  SEEN_PRICE_CHANGES,
]
const EVENT_KEY_COUNT = EVENT_KEYS_IN_ORDER.length

/**
 * Entry keys in the order the venue writes them, each as `"key":"` (up to the opening quote of
 * its value), with the field it names; as for the event keys above.
 */
const ENTRY_KEYS_IN_ORDER: readonly WordKey[] = [
  'asset_id',
  'price',
  'size',
  'side',
  'hash',
  'best_bid',
  'best_ask',
].map((key) => wordKey(`"${key}":"`))
const ENTRY_BITS_IN_ORDER: readonly number[] = [
  SEEN_ASSET_ID,
  SEEN_PRICE,
  SEEN_SIZE,
  SEEN_SIDE,
  SEEN_OTHER,
  SEEN_BEST_BID,
  SEEN_BEST_ASK,
]
const ENTRY_KEY_COUNT = ENTRY_KEYS_IN_ORDER.length

/**
 * The separators of an entry laid out exactly as the venue writes it, each from the closing
 * quote of one value through the opening quote of the next: `","price":"` and so on. An entry
 * in that layout is read by {@link readEntryInVenueLayout} with one comparison per separator.
 */
const SEP_PRICE = wordKey('","price":"')
const SEP_SIZE = wordKey('","size":"')
const SEP_SIDE = wordKey('","side":"')
const SEP_BEST_BID = wordKey('","best_bid":"')
const SEP_BEST_ASK = wordKey('","best_ask":"')
const ENTRY_START = wordKey('{"asset_id":"')
/** `BUY","hash":"` and `SELL","hash":"`: the side and the next separator in one comparison. */
const SIDE_BUY_THEN_HASH = wordKey('BUY","hash":"')
const SIDE_SELL_THEN_HASH = wordKey('SELL","hash":"')

/**
 * Reads `text` as one current-shape `price_change` event. Returns the event, or null when the
 * text is anything else or anything the scanner does not read with certainty (the caller then
 * uses the general parser). Never throws for any string.
 */
export function scanPriceChange(text: string): PriceChange | null {
  const length = text.length
  // Cheap rejection of anything that is not an object before copying it.
  if (length < 2 || text.charCodeAt(0) !== CHAR_OPEN_BRACE) return null
  if (length * 3 > bytes.length) bytes = Buffer.allocUnsafe(length * 3)
  // More bytes than characters: the text is not ASCII, and positions would not line up.
  if (bytes.write(text, 0, 'utf8') !== length) return null
  return scanPriceChangeBytes(bytes, 0, length)
}

/**
 * {@link scanPriceChange} for UTF-8 bytes: reads `b[start, end)` in place, without decoding it
 * to a string. Yields exactly what {@link scanPriceChange} yields for the decoded text; any
 * byte outside ASCII makes it return null (the caller then decodes the bytes and takes the
 * general path), so the ids it returns are always the text's own characters. Never throws.
 */
export function scanPriceChangeBytes(
  b: Uint8Array,
  start: number,
  end: number,
): PriceChange | null {
  if (end - start < 2 || b[start] !== CHAR_OPEN_BRACE) return null
  useView(b)
  const length = end
  let i = skipSpace(b, start + 1, length)
  let seen = 0
  let market = ''
  let tsVenue = 0
  let changes: LevelChange[] | null = null
  // Position in the venue's key order while the event follows it.
  let next = 0
  for (;;) {
    let bit: number
    const predicted = next < EVENT_KEY_COUNT ? EVENT_KEYS_IN_ORDER[next] : undefined
    if (predicted !== undefined && matchesWordKey(b, i, length, predicted)) {
      bit = EVENT_BITS_IN_ORDER[next] as number
      i += predicted.bytes.length
      next++
    } else {
      next = EVENT_KEY_COUNT
      if (i >= length || b[i] !== CHAR_QUOTE) return null
      const keyStart = i + 1
      bit = eventKeyBit(b, keyStart, length)
      const keyEnd = bit === 0 ? plainStringEnd(b, keyStart, length) : keyStart + keyLength
      if (keyEnd < 0) return null
      i = skipSpace(b, keyEnd + 1, length)
      if (i >= length || b[i] !== CHAR_COLON) return null
      i++
    }
    i = skipSpace(b, i, length)
    if ((seen & bit) !== 0) return null
    seen |= bit
    if (bit === SEEN_PRICE_CHANGES) {
      if (i >= length || b[i] !== CHAR_OPEN_BRACKET) return null
      // Read into a reused list, then copied to one of the exact size: a fresh list grown by
      // `push` would allocate room for 17 entries.
      i = readEntries(b, i + 1, length)
      if (i < 0) return null
      changes = exactCopy(scratch, scratchCount)
    } else {
      if (i >= length || b[i] !== CHAR_QUOTE) return null
      const start = i + 1
      let end: number
      if (bit === SEEN_EVENT_TYPE) {
        if (!matchesWordKey(b, start, length, VALUE_PRICE_CHANGE)) return null
        end = start + VALUE_PRICE_CHANGE.bytes.length - 1
      } else if (bit === SEEN_TIMESTAMP) {
        // The general parser reads it with parseEpochMs: digits, scale 1, no decimals kept.
        tsVenue = readDecimal(b, start, length, 0, 1)
        if (tsVenue < 0) return null
        end = decimalEndAt
      } else {
        if (bit === SEEN_MARKET) {
          const id = readId(b, start, length)
          if (id === null) return null
          end = idEnd
          if (end === start) return null
          market = id
        } else {
          end = plainStringEnd(b, start, length)
          if (end < 0) return null
        }
      }
      i = end + 1
    }
    i = skipSpace(b, i, length)
    if (i >= length) return null
    const c = b[i]
    if (c === CHAR_COMMA) {
      i = skipSpace(b, i + 1, length)
      continue
    }
    if (c !== CHAR_CLOSE_BRACE) return null
    break
  }
  if (seen !== SEEN_ALL_EVENT || changes === null) return null
  if (skipSpace(b, i + 1, length) !== length) return null
  return {
    type: 'price_change',
    market: market as MarketId,
    tsVenue: tsVenue as EpochMs,
    shape: 'batched',
    changes,
  }
}

/**
 * The entries of the `price_changes` list being read, `scratch[0, scratchCount)`: reused from
 * frame to frame (a list grown by `push` would allocate room for 17 entries each time).
 */
const scratch: LevelChange[] = []
let scratchCount = 0

function pushChange(change: LevelChange): void {
  scratch[scratchCount++] = change
}

/** `list[0, count)` as a list of exactly that size (array literals for the common sizes). */
function exactCopy(list: LevelChange[], count: number): LevelChange[] {
  switch (count) {
    case 0:
      return []
    case 1:
      return [list[0]!]
    case 2:
      return [list[0]!, list[1]!]
    case 3:
      return [list[0]!, list[1]!, list[2]!]
    case 4:
      return [list[0]!, list[1]!, list[2]!, list[3]!]
    default:
      return list.slice(0, count)
  }
}

/**
 * Reads the `price_changes` entries from just after `[` through the matching `]` into
 * {@link scratch}, one change per entry. Returns the position after `]`, or
 * {@link NOT_HANDLED}.
 */
function readEntries(b: Uint8Array, from: number, length: number): number {
  scratchCount = 0
  let i = skipSpace(b, from, length)
  if (i < length && b[i] === CHAR_CLOSE_BRACKET) return i + 1
  for (;;) {
    if (i >= length || b[i] !== CHAR_OPEN_BRACE) return NOT_HANDLED
    const fast = readEntryInVenueLayout(b, i, length)
    i = fast >= 0 ? fast : readEntry(b, i + 1, length)
    if (i < 0) return NOT_HANDLED
    i = skipSpace(b, i, length)
    if (i >= length) return NOT_HANDLED
    const c = b[i]
    if (c === CHAR_CLOSE_BRACKET) return i + 1
    if (c !== CHAR_COMMA) return NOT_HANDLED
    i = skipSpace(b, i + 1, length)
  }
}

/**
 * Reads one entry starting at its `{` when it is laid out exactly as the venue writes it (keys
 * in the venue's order, no spaces): `{"asset_id":"…","price":"…","size":"…","side":"…",
 * "hash":"…","best_bid":"…","best_ask":"…"}`. Returns the position after `}`, or
 * {@link NOT_HANDLED} for any other layout or any value it does not accept, without having
 * appended anything: the caller then reads the entry with {@link readEntry}, which decides. What
 * it appends is what {@link readEntry} appends for the same bytes (the same readers, the same
 * checks, in a fixed order).
 */
function readEntryInVenueLayout(b: Uint8Array, from: number, length: number): number {
  if (!matchesWordKey(b, from, length, ENTRY_START)) return NOT_HANDLED
  let i = from + ENTRY_START.bytes.length
  const assetId = readId(b, i, length)
  if (assetId === null) return NOT_HANDLED
  if (idEnd === i || !matchesWordKey(b, idEnd, length, SEP_PRICE)) return NOT_HANDLED
  i = idEnd + SEP_PRICE.bytes.length
  const price = readPrice(b, i, length)
  if (price < 0 || price > PRICE_SCALE) return NOT_HANDLED
  i = decimalEndAt
  if (!matchesWordKey(b, i, length, SEP_SIZE)) return NOT_HANDLED
  i += SEP_SIZE.bytes.length
  const size = readDecimal(b, i, length, SHARE_DECIMALS, SHARE_SCALE)
  if (size < 0) return NOT_HANDLED
  i = decimalEndAt
  if (!matchesWordKey(b, i, length, SEP_SIDE)) return NOT_HANDLED
  i += SEP_SIDE.bytes.length
  let side: Side
  if (matchesWordKey(b, i, length, SIDE_BUY_THEN_HASH)) {
    side = 'bid'
    i += SIDE_BUY_THEN_HASH.bytes.length
  } else if (matchesWordKey(b, i, length, SIDE_SELL_THEN_HASH)) {
    side = 'ask'
    i += SIDE_SELL_THEN_HASH.bytes.length
  } else return NOT_HANDLED
  // The hash is skipped, as the general reader skips it, when it is a plain string.
  i = plainStringEnd(b, i, length)
  if (i < 0 || !matchesWordKey(b, i, length, SEP_BEST_BID)) return NOT_HANDLED
  i += SEP_BEST_BID.bytes.length
  const bestBid = readBest(b, i, length, 0)
  if (bestBid === NOT_HANDLED) return NOT_HANDLED
  i = decimalEndAt
  if (!matchesWordKey(b, i, length, SEP_BEST_ASK)) return NOT_HANDLED
  i += SEP_BEST_ASK.bytes.length
  const bestAsk = readBest(b, i, length, MAX_PRICE)
  if (bestAsk === NOT_HANDLED) return NOT_HANDLED
  i = decimalEndAt + 1
  if (i >= length || b[i] !== CHAR_CLOSE_BRACE) return NOT_HANDLED
  pushChange({
    assetId: assetId as TokenId,
    side,
    price: price as PriceTicks,
    size: size as ShareMicros,
    bestBid: bestBid as PriceTicks | null,
    bestAsk: bestAsk as PriceTicks | null,
  })
  return i + 1
}

/** Reads one entry from just after `{` through `}`; returns the position after `}`. */
function readEntry(b: Uint8Array, from: number, length: number): number {
  let i = skipSpace(b, from, length)
  let seen = 0
  let assetId = ''
  let side: Side = 'bid'
  let price = 0
  let size = 0
  let bestBid: number | null = null
  let bestAsk: number | null = null
  // Position in the venue's key order while the entry follows it.
  let next = 0
  for (;;) {
    let bit: number
    let start: number
    const predicted = next < ENTRY_KEY_COUNT ? ENTRY_KEYS_IN_ORDER[next] : undefined
    if (predicted !== undefined && matchesWordKey(b, i, length, predicted)) {
      // The next key in the venue's order, with no spaces: `"key":"` read in one comparison.
      bit = ENTRY_BITS_IN_ORDER[next] as number
      start = i + predicted.bytes.length
      next++
    } else {
      next = ENTRY_KEY_COUNT
      if (i >= length || b[i] !== CHAR_QUOTE) return NOT_HANDLED
      const keyStart = i + 1
      bit = entryKeyBit(b, keyStart, length)
      // A known key was matched with its closing quote; any other is read to its end.
      const keyEnd = bit === SEEN_OTHER ? plainStringEnd(b, keyStart, length) : keyStart + keyLength
      if (keyEnd < 0) return NOT_HANDLED
      i = skipSpace(b, keyEnd + 1, length)
      if (i >= length || b[i] !== CHAR_COLON) return NOT_HANDLED
      i = skipSpace(b, i + 1, length)
      if (i >= length || b[i] !== CHAR_QUOTE) return NOT_HANDLED
      start = i + 1
    }
    let end: number
    if (bit === SEEN_OTHER) {
      // Any other key (`hash`, or one the venue adds later) is skipped, as the general parser
      // skips it, provided its value is a plain string.
      end = plainStringEnd(b, start, length)
      if (end < 0) return NOT_HANDLED
    } else {
      if ((seen & bit) !== 0) return NOT_HANDLED
      seen |= bit
      switch (bit) {
        case SEEN_ASSET_ID:
          {
            const id = readId(b, start, length)
            if (id === null) return NOT_HANDLED
            end = idEnd
            if (end === start) return NOT_HANDLED
            assetId = id
          }
          break
        case SEEN_PRICE:
          price = readDecimal(b, start, length, PRICE_DECIMALS, PRICE_SCALE)
          if (price < 0 || price > PRICE_SCALE) return NOT_HANDLED
          end = decimalEndAt
          break
        case SEEN_SIZE:
          size = readDecimal(b, start, length, SHARE_DECIMALS, SHARE_SCALE)
          if (size < 0) return NOT_HANDLED
          end = decimalEndAt
          break
        case SEEN_SIDE:
          if (matchesAt(b, start, length, VALUE_BUY)) {
            side = 'bid'
            end = start + VALUE_BUY.length - 1
          } else if (matchesAt(b, start, length, VALUE_SELL)) {
            side = 'ask'
            end = start + VALUE_SELL.length - 1
          } else return NOT_HANDLED
          break
        case SEEN_BEST_BID:
          bestBid = readBest(b, start, length, 0)
          if (bestBid === NOT_HANDLED) return NOT_HANDLED
          end = decimalEndAt
          break
        default:
          bestAsk = readBest(b, start, length, MAX_PRICE)
          if (bestAsk === NOT_HANDLED) return NOT_HANDLED
          end = decimalEndAt
          break
      }
    }
    i = skipSpace(b, end + 1, length)
    if (i >= length) return NOT_HANDLED
    const c = b[i]
    if (c === CHAR_COMMA) {
      i = skipSpace(b, i + 1, length)
      continue
    }
    if (c !== CHAR_CLOSE_BRACE) return NOT_HANDLED
    break
  }
  if ((seen & SEEN_REQUIRED_ENTRY) !== SEEN_REQUIRED_ENTRY) return NOT_HANDLED
  pushChange({
    assetId: assetId as TokenId,
    side,
    price: price as PriceTicks,
    size: size as ShareMicros,
    bestBid: bestBid as PriceTicks | null,
    bestAsk: bestAsk as PriceTicks | null,
  })
  return i + 1
}

/**
 * The venue's best price of one side as the general parser reads it, from the string value
 * starting at `start` (its end goes to {@link decimalEndAt}): `""` or the side's "nothing
 * there" price is null (empty side); otherwise the price in ticks, or {@link NOT_HANDLED}.
 */
function readBest(b: Uint8Array, start: number, length: number, emptyPrice: number): number | null {
  const price = readPrice(b, start, length)
  if (price === EMPTY_DECIMAL) return null
  if (price < 0 || price > PRICE_SCALE) return NOT_HANDLED
  return price === emptyPrice ? null : price
}

/**
 * A price value as `readDecimal` reads it with the price's decimals, with the venue's usual
 * form, `0.` and one to four digits, read inline: the same value, and the same end in
 * {@link decimalEndAt}. Any other form goes to `readDecimal`.
 */
function readPrice(b: Uint8Array, start: number, length: number): number {
  if (start + 6 < length && b[start] === CHAR_0 && b[start + 1] === CHAR_DOT) {
    let i = start + 2
    let fraction = 0
    const last = start + 2 + PRICE_DECIMALS
    let c = b[i] as number
    while (c >= CHAR_0 && c <= CHAR_9 && i < last) {
      fraction = fraction * 10 + (c - CHAR_0)
      c = b[++i] as number
    }
    if (c === CHAR_QUOTE && i > start + 2) {
      setDecimalEnd(i)
      return fraction * (PRICE_PAD[last - i] as number)
    }
  }
  return readDecimal(b, start, length, PRICE_DECIMALS, PRICE_SCALE)
}

/** 10^k for the price digits a short fraction lacks. */
const PRICE_PAD: readonly number[] = Array.from({ length: PRICE_DECIMALS + 1 }, (_, k) => 10 ** k)

/** Length of the key last matched by {@link entryKeyBit} or {@link eventKeyBit}. */
let keyLength = 0

/**
 * Which field of the event object the key starting at `start` names (matched up to and
 * including its closing quote; its length goes to {@link keyLength}); 0 for any other key.
 */
function eventKeyBit(b: Uint8Array, start: number, length: number): number {
  const first = b[start]
  if (first === CHAR_M) return knownKey(b, start, length, KEY_MARKET, SEEN_MARKET, 0)
  if (first === CHAR_P) {
    return knownKey(b, start, length, KEY_PRICE_CHANGES, SEEN_PRICE_CHANGES, 0)
  }
  if (first === CHAR_T) return knownKey(b, start, length, KEY_TIMESTAMP, SEEN_TIMESTAMP, 0)
  if (first === CHAR_E) return knownKey(b, start, length, KEY_EVENT_TYPE, SEEN_EVENT_TYPE, 0)
  return 0
}

/**
 * Which field of a `price_changes` entry the key starting at `start` names (matched up to and
 * including its closing quote; its length goes to {@link keyLength}), or SEEN_OTHER.
 */
function entryKeyBit(b: Uint8Array, start: number, length: number): number {
  const first = b[start]
  if (first === CHAR_A) return knownKey(b, start, length, KEY_ASSET_ID, SEEN_ASSET_ID, SEEN_OTHER)
  if (first === CHAR_P) return knownKey(b, start, length, KEY_PRICE, SEEN_PRICE, SEEN_OTHER)
  if (first === CHAR_S) {
    // Bytes past `length` may be left from an earlier frame; knownKey checks the bounds.
    if (b[start + 2] === CHAR_Z) {
      return knownKey(b, start, length, KEY_SIZE, SEEN_SIZE, SEEN_OTHER)
    }
    return knownKey(b, start, length, KEY_SIDE, SEEN_SIDE, SEEN_OTHER)
  }
  if (first === CHAR_B) {
    const sixth = b[start + 5]
    if (sixth === CHAR_B) {
      return knownKey(b, start, length, KEY_BEST_BID, SEEN_BEST_BID, SEEN_OTHER)
    }
    if (sixth === CHAR_A) {
      return knownKey(b, start, length, KEY_BEST_ASK, SEEN_BEST_ASK, SEEN_OTHER)
    }
  }
  return SEEN_OTHER
}

function knownKey(
  b: Uint8Array,
  start: number,
  length: number,
  key: Uint8Array,
  bit: number,
  other: number,
): number {
  if (!matchesAt(b, start, length, key)) return other
  keyLength = key.length - 1
  return bit
}

/** True when the bytes at `at` (before `length`) are `word`. */
function matchesAt(b: Uint8Array, at: number, length: number, word: Uint8Array): boolean {
  const count = word.length
  if (at + count > length) return false
  for (let k = 0; k < count; k++) if (b[at + k] !== word[k]) return false
  return true
}

/**
 * The first position at or after `i` that is not a space. Tabs and line breaks are left to
 * the general parser: the caller then finds an unexpected byte and gives up.
 */
function skipSpace(b: Uint8Array, i: number, length: number): number {
  while (i < length && b[i] === CHAR_SPACE) i++
  return i
}

/**
 * The position of the quote closing a string that opened just before `start`, or
 * {@link NOT_HANDLED} when the string holds an escape or a control character (invalid in JSON)
 * or does not end: the text between the quotes is then exactly the string's value.
 */
function plainStringEnd(b: Uint8Array, start: number, length: number): number {
  for (let i = start; i < length; i++) {
    const c = b[i] as number
    if (c === CHAR_QUOTE) return i
    if (c === CHAR_BACKSLASH || c < CHAR_SPACE || c > CHAR_ASCII_LAST) return NOT_HANDLED
  }
  return NOT_HANDLED
}
