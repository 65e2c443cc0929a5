/**
 * Field readers of the general market-channel parser: each checks one raw field of unknown
 * type and returns a domain value, or throws a {@link FieldProblem} naming the field, what was
 * expected and what came (turned into a `ParseError` at the event boundary in `parse.ts`). Also
 * the helpers that describe untrusted values in messages; paths and messages are built only
 * when a check fails.
 */
import { parseTickSize, type Side, type TickSize, type TradeSide } from '../../../domain/market.js'
import {
  parseEpochMs,
  tryParsePrice,
  tryParseSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'

/** A raw frame's fields before checking: the venue's names, values of unknown type. */
export type Unchecked<T> = { readonly [K in keyof T]?: unknown }

const EXPECT_ID = 'a non-empty string'
const EXPECT_TEXT = 'a string'
const EXPECT_PRICE = 'a price string between 0 and 1 with at most 4 decimals'
const EXPECT_SIZE = 'a non-negative size string with at most 6 decimals'
const EXPECT_SIDE = '"BUY" or "SELL"'
const EXPECT_BEST =
  'a price string between 0 and 1 with at most 4 decimals, or "" for an empty side'
const EXPECT_TIMESTAMP = 'epoch milliseconds as a string of digits'
const EXPECT_TICK = 'one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"'
export const EXPECT_LEVELS = 'an array of {price, size} levels'
export const EXPECT_OBJECT = 'an object'
const EXPECT_STRINGS = 'an array of strings'

/**
 * A problem with one field of one event. Internal: thrown inside an event's parser and turned
 * into a {@link ParseError} at the event boundary, where the event type and excerpt are known.
 */
export class FieldProblem extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FieldProblem'
  }
}

// ---------------------------------------------------------------------------------------------
// Field readers. `array`/`index` locate a field inside an array element (`price_changes[1].size`);
// `array` is null for a top-level field. Paths are built only when a check fails.

export function readId(value: unknown, array: string | null, index: number, field: string): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw problem(array, index, field, EXPECT_ID, value)
}

export function readText(
  value: unknown,
  array: string | null,
  index: number,
  field: string,
): string {
  if (typeof value === 'string') return value
  throw problem(array, index, field, EXPECT_TEXT, value)
}

export function readPrice(
  value: unknown,
  array: string | null,
  index: number,
  field: string,
): PriceTicks {
  if (typeof value === 'string') {
    const price = tryParsePrice(value)
    if (price >= 0) return price as PriceTicks
  }
  throw problem(array, index, field, EXPECT_PRICE, value)
}

export function readSize(
  value: unknown,
  array: string | null,
  index: number,
  field: string,
): ShareMicros {
  if (typeof value === 'string') {
    const size = tryParseSize(value)
    if (size >= 0) return size as ShareMicros
  }
  throw problem(array, index, field, EXPECT_SIZE, value)
}

export function readLevelSide(value: unknown, array: string | null, index: number): Side {
  if (value === 'BUY') return 'bid'
  if (value === 'SELL') return 'ask'
  throw problem(array, index, 'side', EXPECT_SIDE, value)
}

export function readTakerSide(value: unknown): TradeSide {
  if (value === 'BUY') return 'buy'
  if (value === 'SELL') return 'sell'
  throw problem(null, 0, 'side', EXPECT_SIDE, value)
}

/**
 * The venue's best price of one side after a change. `""`, absent, or the side's "nothing
 * there" price (`"0"` for a bid, `"1"` for an ask) all mean the side is empty: `null`.
 * `index` is the `price_changes` element, or -1 for a top-level field.
 */
export function readBest(
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

export function readTimestamp(value: unknown): EpochMs {
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

export function readTickSize(value: unknown, field: string): TickSize {
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
export function readFeeRate(value: unknown): number | null {
  if (isAbsent(value)) return null
  if (typeof value === 'string' && /^\d+(?:\.\d+)?$/.test(value)) return Number(value)
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  throw problem(null, 0, 'fee_rate_bps', 'a non-negative number of basis points as a string', value)
}

/** An optional string; absent, null and `""` all become null. */
export function readOptionalText(value: unknown, field: string): string | null {
  if (typeof value === 'string') return value.length === 0 ? null : value
  if (value === undefined || value === null) return null
  throw problem(null, 0, field, `${EXPECT_TEXT} (or absent)`, value)
}

export function readStrings(value: unknown, field: string, nonEmpty: boolean): string[] {
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
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

// ---------------------------------------------------------------------------------------------
// Messages (error path only)

export function problem(
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
export function clip(text: string): string {
  return text.length <= MAX_SHOWN_CHARS ? text : `${text.slice(0, MAX_SHOWN_CHARS)}…`
}

/** A short, safe description of a value of unknown type for an error message. */
export function describe(value: unknown): string {
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
export function printable(value: unknown): string {
  try {
    const text = JSON.stringify(value) as string | undefined
    return text ?? describe(value)
  } catch {
    // BigInt or a cycle: a value that did not come from JSON.parse.
    return describe(value)
  }
}
