/**
 * Field codecs shared by the CLOB and Gamma body schemas: venue text or numbers in, domain
 * units out, and one way to turn a schema failure into a `BAD_BODY` {@link VenueError} that
 * names the offending field.
 *
 * The venue is inconsistent about types: prices are strings on the CLOB book but numbers on
 * Gamma, tick sizes are numbers on `/tick-size` and strings on `/book`, Gamma encodes arrays
 * as JSON inside strings. Each codec accepts every form we have seen and nothing else.
 */
import { z } from 'zod'
import { isTickSize } from '../../../domain/market.js'
import {
  priceFromNumber,
  sizeFromNumber,
  tryParsePrice,
  tryParseSize,
  USDC_SCALE,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../../domain/units.js'
import { VenueError, type VenueRequest } from '../errors.js'

const numberOrString = z.union([z.number(), z.string()])

/** An optional field that the venue may also send as `""` or `null` to mean "none". */
export function optionalField<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === '' ? null : value), schema.nullish())
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** A finite number sent as a number or a decimal string (Gamma's `liquidity: "400500.66"`). */
export const decimalNumber = numberOrString.transform((value, ctx) => {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value)
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `${show(value)} is not a finite number` })
    return z.NEVER
  }
  return n
})

/** A price as a decimal string ('0.535'), exact, 0..1 with at most 4 decimals. */
export const priceText = z.string().transform((text, ctx) => {
  const price = tryParsePrice(text)
  if (price < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${show(text)} is not a price between 0 and 1 with at most 4 decimals`,
    })
    return z.NEVER
  }
  return price as PriceTicks
})

/** A price as a string (exact) or a float (rounded to the nearest 0.0001). */
export const priceValue = numberOrString.transform((value, ctx) => {
  const price = typeof value === 'number' ? priceFromNumber(value) : tryParsePrice(value)
  if (price < 0) {
    ctx.addIssue({ code: 'custom', message: `${show(value)} is not a price between 0 and 1` })
    return z.NEVER
  }
  return price as PriceTicks
})

/**
 * A price as a decimal string that may carry float noise (Gamma's `outcomePrices`, e.g.
 * `"0.0004999999999999999"`): rounded to the nearest 0.0001.
 */
export const roundedPriceText = z.string().transform((text, ctx) => {
  const price = text.trim() === '' ? -1 : priceFromNumber(Number(text))
  if (price < 0) {
    ctx.addIssue({ code: 'custom', message: `${show(text)} is not a price between 0 and 1` })
    return z.NEVER
  }
  return price as PriceTicks
})

/** A CLOB token id: decimal digits (about 77 of them), kept as text. */
export const tokenIdText = z.string().regex(/^\d+$/, 'is not a token id (decimal digits)')

/** A share size as a decimal string ('192.3'), exact to 6 decimals. */
export const sizeText = z.string().transform((text, ctx) => {
  const size = tryParseSize(text)
  if (size < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${show(text)} is not a non-negative size with at most 6 decimals`,
    })
    return z.NEVER
  }
  return size as ShareMicros
})

/** A share size as a string (exact) or a float (rounded to the nearest micro). */
export const sizeValue = numberOrString.transform((value, ctx) => {
  const size = typeof value === 'number' ? sizeFromNumber(value) : tryParseSize(value)
  if (size < 0) {
    ctx.addIssue({ code: 'custom', message: `${show(value)} is not a non-negative size` })
    return z.NEVER
  }
  return size as ShareMicros
})

/** A tick size as a number (0.01) or a string ('0.01'): one of the venue's tick sizes. */
export const tickSizeValue = numberOrString.transform((value, ctx) => {
  const ticks = typeof value === 'number' ? priceFromNumber(value) : tryParsePrice(value)
  if (!isTickSize(ticks)) {
    ctx.addIssue({
      code: 'custom',
      message: `${show(value)} is not a tick size (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001)`,
    })
    return z.NEVER
  }
  return ticks
})

/** Epoch milliseconds as digits ('1728799418260') or an integer. */
export const epochMsValue = numberOrString.transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : /^\d{1,16}$/.test(value) ? Number(value) : -1
  if (!Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `${show(value)} is not epoch milliseconds` })
    return z.NEVER
  }
  return ms as EpochMs
})

/** A dollar amount (float or decimal string) as USDC micros, rounded to the nearest micro. */
export const usdValue = decimalNumber.transform((n, ctx) => {
  const micros = Math.round(n * USDC_SCALE)
  if (!Number.isSafeInteger(micros)) {
    ctx.addIssue({ code: 'custom', message: `${n} is too large for an amount in USDC` })
    return z.NEVER
  }
  return micros as UsdcMicros
})

/** A basis-point count, integer or integer string (`30`, `"150"`). */
export const bpsValue = numberOrString.transform((value, ctx) => {
  const bps = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : -1
  if (!Number.isSafeInteger(bps) || bps < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${show(value)} is not a non-negative integer (basis points)`,
    })
    return z.NEVER
  }
  return bps
})

const VENUE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/**
 * Reads the venue's time formats: ISO 8601 (`2026-04-05T15:10:00Z`, with fractions), Gamma's
 * `2026-04-05 15:10:00+00`, and bare dates (`2026-04-05`, midnight UTC). No zone means UTC.
 * Returns null when the text is none of these or names an impossible date.
 */
export function parseVenueTime(text: string): EpochMs | null {
  const m = VENUE_TIME.exec(text.trim())
  if (m === null) return null
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h ?? 0)
  const minute = Number(mi ?? 0)
  const second = Number(s ?? 0)
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  if (new Date(ms).getUTCDate() !== day) return null
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)
    ms -= sign * offsetMinutes * 60_000
  }
  return ms as EpochMs
}

/** A venue time string (see {@link parseVenueTime}); the empty string reads as null. */
export const venueTime = z.string().transform((text, ctx) => {
  if (text.trim() === '') return null
  const ms = parseVenueTime(text)
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `${show(text)} is not a date and time` })
    return z.NEVER
  }
  return ms
})

/**
 * An array of strings that Gamma sends JSON-encoded inside a string
 * (`"[\"FaZe\", \"illwill\"]"`); a plain array is accepted too.
 */
export const jsonStringArray = z
  .union([z.string(), z.array(z.string())])
  .transform((value, ctx) => {
    if (Array.isArray(value)) return value
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      parsed = undefined
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value.length > 80 ? `${value.slice(0, 80)}…` : value)} is not a JSON array of strings`,
      })
      return z.NEVER
    }
    return parsed
  })

const MAX_LISTED_ISSUES = 3

/** `['bids', 2, 'price']` -> `bids[2].price`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let text = prefix
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else text += text === '' ? String(key) : `.${String(key)}`
  }
  return text === '' ? '(the body itself)' : text
}

/** One line naming up to three bad fields and what was wrong with each. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  const issues = error.issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${formatPath(issue.path, prefix)}: ${describeIssue(issue)}`)
  const more = error.issues.length - MAX_LISTED_ISSUES
  return more > 0 ? `${issues.join('; ')} (and ${more} more)` : issues.join('; ')
}

/** Zod's wording, except that a missing field says "missing" and a union says what it takes. */
function describeIssue(issue: z.core.$ZodIssue): string {
  let expected: string | null = null
  let received: string | null = null
  if (issue.code === 'invalid_type') {
    expected = issue.expected
    received = receivedType(issue.message)
  } else if (issue.code === 'invalid_union') {
    const alternatives = issue.errors.map((list) => list[0])
    if (alternatives.length > 0 && alternatives.every((a) => a?.code === 'invalid_type')) {
      expected = alternatives
        .map((a) => (a?.code === 'invalid_type' ? a.expected : ''))
        .join(' or ')
      received = receivedType(alternatives[0]?.message ?? '')
    }
  }
  if (expected === null) return issue.message
  if (received === 'undefined') return `missing (expected ${expected})`
  return `expected ${expected}, received ${received ?? 'another type'}`
}

function receivedType(message: string): string | null {
  return /received (\w+)$/.exec(message)?.[1] ?? null
}

/**
 * Validates `body` against `schema`; a mismatch becomes a `BAD_BODY` {@link VenueError}
 * naming the request and the fields, e.g.
 * `GET …/book?token_id=… returned an unexpected body: bids[2].price: "abc" is not a price …`.
 * `prefix` places the body inside a larger one (`[3]` for the fourth item of a page).
 */
export function decodeBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  request: VenueRequest,
  prefix = '',
): z.output<S> {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  throw new VenueError(
    'BAD_BODY',
    request,
    `returned an unexpected body: ${describeIssues(result.error, prefix)}`,
    { status: 200, cause: result.error },
  )
}

/** One item of a list that failed validation; the rest of the list is still usable. */
export type ItemProblem = {
  /** Position of the item in the list it came from. */
  readonly index: number
  /** The item's id or slug when it had a readable one. */
  readonly id: string | null
  readonly error: VenueError
}

/**
 * Decodes each item of a list on its own so that one malformed market does not hide the
 * others: good items come back decoded (with their positions in `indices`), bad ones as
 * {@link ItemProblem}s.
 */
export function decodeItems<S extends z.ZodType>(
  schema: S,
  items: readonly unknown[],
  request: VenueRequest,
  prefix = '',
): { items: z.output<S>[]; indices: number[]; problems: ItemProblem[] } {
  const decoded: z.output<S>[] = []
  const indices: number[] = []
  const problems: ItemProblem[] = []
  items.forEach((item, index) => {
    try {
      decoded.push(decodeBody(schema, item, request, `${prefix}[${index}]`))
      indices.push(index)
    } catch (e) {
      if (!(e instanceof VenueError)) throw e
      problems.push({ index, id: itemId(item), error: e })
    }
  })
  return { items: decoded, indices, problems }
}

function itemId(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null
  const record = item as Record<string, unknown>
  for (const key of ['slug', 'condition_id', 'conditionId', 'id']) {
    const value = record[key]
    if (typeof value === 'string' && value !== '') return value
    if (typeof value === 'number') return String(value)
  }
  return null
}
