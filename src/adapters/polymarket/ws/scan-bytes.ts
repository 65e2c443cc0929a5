/**
 * Byte-level readers of the `price_change` scanner (`scan-price-change.ts`): fixed keys compared
 * four bytes at a time, asset and market ids through a cache of recent ids, and decimal values
 * read in one pass. Each works on the buffer being scanned, with absolute positions, and leaves
 * where its value ends in a module variable ({@link idEnd}, {@link decimalEndAt}) instead of
 * returning an object. Module state: the scanner is synchronous and never re-entered.
 */

const CHAR_SPACE = 32
const CHAR_QUOTE = 34
const CHAR_DOT = 46
const CHAR_0 = 48
const CHAR_9 = 57
const CHAR_BACKSLASH = 92
/** Bytes above this are parts of multi-byte UTF-8 sequences: left to the general parser. */
const CHAR_ASCII_LAST = 127

/** A key (or other fixed text) with its bytes also as 32-bit words, compared four at a time. */
export type WordKey = {
  readonly bytes: Uint8Array
  /** Bytes 4k to 4k+3 as little-endian words; the last `bytes.length % 4` bytes are not in it. */
  readonly words: Uint32Array
}

export function wordKey(text: string): WordKey {
  const bytes = Buffer.from(text, 'latin1')
  const words = new Uint32Array(bytes.length >> 2)
  for (let w = 0; w < words.length; w++) words[w] = bytes.readUInt32LE(4 * w)
  return { bytes, words }
}

/** Slots of the id cache of {@link readId} (a power of two). */
const ID_SLOTS = 256
const slotIds: (string | undefined)[] = new Array<string | undefined>(ID_SLOTS).fill(undefined)
const slotBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(ID_SLOTS).fill(
  undefined,
)
/** The same ids as 32-bit words (bytes 4k to 4k+3, little-endian), compared four bytes at a time. */
const slotWords: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(ID_SLOTS).fill(
  undefined,
)

/** A view of the bytes being scanned, for reading four at a time; made once per buffer. */
export let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0))
let viewSource: Uint8Array | null = null

export function useView(b: Uint8Array): void {
  if (b === viewSource) return
  view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  viewSource = b
}

/** Where the id last read by {@link readId} ends (the position of its closing quote). */
export let idEnd = 0

/**
 * Reads a plain string starting at `start` as an id, up to its closing quote (stored in
 * {@link idEnd}). Returns null when it holds an escape, a control character or a non-ASCII
 * byte, or does not end.
 *
 * The string is the same object as last time when the id was seen recently. Books and venue
 * tops are looked up by asset id in maps; a string seen before has its hash cached, where a
 * fresh slice of each frame would be hashed again (77 digits for a token id). A direct-mapped
 * cache: the slot comes from the first bytes; the id there is compared byte for byte first
 * (the common case, four bytes per comparison), and only a different id is scanned and checked,
 * then replaces it.
 */
export function readId(b: Uint8Array, start: number, length: number): string | null {
  const c1 = start + 1 < length ? (b[start + 1] as number) : 0
  const c2 = start + 2 < length ? (b[start + 2] as number) : 0
  const slot = ((b[start] as number) * 961 + c1 * 31 + c2) & (ID_SLOTS - 1)
  const known = slotBytes[slot]
  if (known !== undefined) {
    // The remembered id was checked when it was stored, so equal bytes followed by the closing
    // quote are that id, with nothing else to check.
    const knownLength = known.length
    const quote = start + knownLength
    if (quote < length && b[quote] === CHAR_QUOTE) {
      const words = slotWords[slot] as Uint32Array
      const wordCount = words.length
      const v = view
      let w = 0
      while (w < wordCount && v.getUint32(start + 4 * w, true) === words[w]) w++
      if (w === wordCount) {
        let k = wordCount * 4
        while (k < knownLength && b[start + k] === known[k]) k++
        if (k === knownLength) {
          idEnd = quote
          return slotIds[slot] as string
        }
      }
    }
  }
  let i = start
  for (; i < length; i++) {
    const c = b[i] as number
    if (c === CHAR_QUOTE) break
    if (c === CHAR_BACKSLASH || c < CHAR_SPACE || c > CHAR_ASCII_LAST) return null
  }
  if (i >= length) return null
  idEnd = i
  // Copies, so the remembered id does not keep the whole frame text alive.
  const copy = Buffer.from(b.subarray(start, i))
  const id = copy.toString('latin1')
  const words = new Uint32Array(copy.length >> 2)
  for (let w = 0; w < words.length; w++) words[w] = copy.readUInt32LE(4 * w)
  slotBytes[slot] = copy
  slotWords[slot] = words
  slotIds[slot] = id
  return id
}

/** True when the bytes at `at` (before `length`) are `key`; reads the scan's {@link view}. */
export function matchesWordKey(b: Uint8Array, at: number, length: number, key: WordKey): boolean {
  const bytes = key.bytes
  const count = bytes.length
  if (at + count > length) return false
  const words = key.words
  const wordCount = words.length
  const v = view
  for (let w = 0; w < wordCount; w++) if (v.getUint32(at + 4 * w, true) !== words[w]) return false
  for (let k = wordCount * 4; k < count; k++) if (b[at + k] !== bytes[k]) return false
  return true
}

/** Returned by {@link readDecimal} for an empty string value. */
export const EMPTY_DECIMAL = -2

/** Where the value last read by {@link readDecimal} ends (the position of its closing quote). */
export let decimalEndAt = 0

/** For readers of special forms that stand in for {@link readDecimal}. */
export function setDecimalEnd(at: number): void {
  decimalEndAt = at
}

/**
 * `text[start, end)` read as {@link readDecimal} reads a string value holding exactly that
 * text; for tests, which check it against the domain's parsers.
 */
export function scaledInRange(
  text: string,
  start: number,
  end: number,
  decimals: number,
  scale: number,
): number {
  const part = text.slice(start, end)
  // A quote would end the value early; the scanner never sees one inside a value.
  if (part.includes('"')) return -1
  const bytes = Buffer.from(`${part}"`, 'utf8')
  const value = readDecimal(bytes, 0, bytes.length, decimals, scale)
  return value === EMPTY_DECIMAL ? -1 : value
}

/**
 * The decimal string value starting at `start` (just after its opening quote) as an integer
 * scaled by `scale` (10^decimals), read in one pass up to its closing quote, whose position
 * goes to {@link decimalEndAt}. The same reading as the domain's `parseScaled` behind
 * `tryParsePrice`, `tryParseSize` and `parseEpochMs` (checked against them by property tests):
 * digits with an optional single dot, at least one digit, extra decimals allowed only when
 * zero. {@link EMPTY_DECIMAL} for `""`; -1 for anything else, or a value that does not end.
 */
export function readDecimal(
  b: Uint8Array,
  start: number,
  length: number,
  decimals: number,
  scale: number,
): number {
  let i = start
  let whole = 0
  let digits = 0
  let c = 0
  for (;;) {
    if (i >= length) return -1
    c = b[i] as number
    if (c < CHAR_0 || c > CHAR_9) break
    whole = whole * 10 + (c - CHAR_0)
    digits++
    i++
  }
  let fraction = 0
  let fractionDigits = 0
  if (c === CHAR_DOT) {
    i++
    for (;;) {
      if (i >= length) return -1
      c = b[i] as number
      if (c < CHAR_0 || c > CHAR_9) break
      fractionDigits++
      if (fractionDigits > decimals) {
        if (c !== CHAR_0) return -1
      } else {
        fraction = fraction * 10 + (c - CHAR_0)
      }
      i++
    }
    if (fractionDigits === 0 && digits === 0) return -1
  } else if (digits === 0) {
    if (c !== CHAR_QUOTE) return -1
    decimalEndAt = i
    return EMPTY_DECIMAL
  }
  if (c !== CHAR_QUOTE) return -1
  decimalEndAt = i
  // Digits only, so the value is a non-negative integer: safe when not above 2^53 - 1.
  const kept = fractionDigits < decimals ? fractionDigits : decimals
  const value = whole * scale + fraction * (POW10[decimals - kept] as number)
  return value <= Number.MAX_SAFE_INTEGER ? value : -1
}

/** Powers of ten, exact as doubles, for scaling a fraction up to the wanted decimals. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k)
