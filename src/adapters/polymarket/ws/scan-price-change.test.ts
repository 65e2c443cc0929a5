import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  formatPrice,
  formatSize,
  parseEpochMs,
  tryParsePrice,
  tryParseSize,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'
import { detectInput } from '../../importers/detect.js'
import { readNhlTicks, synthesizeNhlFrames } from '../../importers/nhl-parquet.js'
import {
  parseMarketBytes,
  parseMarketFrame,
  parseMarketFrameSlow,
  type ParseResult,
} from './parse.js'
import { scaledInRange, scanPriceChange, scanPriceChangeBytes } from './scan-price-change.js'

const FIXTURES = new URL('../../../../test/fixtures/polymarket/', import.meta.url)
const NHL_DIR = new URL(
  '../../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/',
  import.meta.url,
)

/** A comparable form of a parse result: events as JSON (key order included), errors by text. */
function comparable(result: ParseResult): unknown {
  return {
    events: JSON.stringify(result.events),
    errors: result.errors.map((e) => ({ code: e.code, message: e.message, excerpt: e.excerpt })),
    ignored: result.ignored,
  }
}

/**
 * Bytes set around a frame in a larger buffer: quotes, braces and digits, so a scanner reading
 * past either end of its range would find plausible text there and give itself away.
 */
const JUNK = Buffer.from('"}]0,:" 9')

/** `bytes` placed at `before` into a buffer with `after` junk bytes following it. */
function inBuffer(bytes: Uint8Array, before: number, after: number) {
  const buffer = Buffer.alloc(before + bytes.length + after)
  for (let k = 0; k < buffer.length; k++) buffer[k] = JUNK[k % JUNK.length] as number
  buffer.set(bytes, before)
  return { buffer, start: before, end: before + bytes.length }
}

/** The bytes path agrees with the JSON.parse path on the text the bytes decode to. */
function expectBytesSameAsSlow(bytes: Uint8Array, before = 3, after = 5): ParseResult {
  const { buffer, start, end } = inBuffer(bytes, before, after)
  const text = Buffer.from(bytes).toString('utf8')
  const fromBytes = parseMarketBytes(buffer, start, end)
  const slow = parseMarketFrameSlow(text)
  expect(comparable(fromBytes)).toEqual(comparable(slow))
  expect(fromBytes.events).toEqual(slow.events)
  // A plain Uint8Array (not a Buffer) gives the same.
  const plain = new Uint8Array(buffer)
  expect(comparable(parseMarketBytes(plain, start, end))).toEqual(comparable(slow))
  return fromBytes
}

/**
 * The scanner path and the JSON.parse path agree on `text`, deeply and in key order; and so
 * does the bytes path on the text's UTF-8 (a lone surrogate is encoded as U+FFFD, so the bytes
 * are compared with the text they decode to).
 */
function expectSameAsSlow(text: string): ParseResult {
  const fast = parseMarketFrame(text)
  const slow = parseMarketFrameSlow(text)
  expect(comparable(fast)).toEqual(comparable(slow))
  expect(fast.events).toEqual(slow.events)
  expectBytesSameAsSlow(Buffer.from(text, 'utf8'))
  return fast
}

// ---------------------------------------------------------------------------------------------
// Generators: price_change frames as key/value token lists, serialised with chosen whitespace.

type Json = { readonly text: string }
const raw = (text: string): Json => ({ text })
const str = (text: string): Json => ({ text: JSON.stringify(text) })

const arbSpace = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n', '  ')

const arbPriceText = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }).map((t) => formatPrice(t as PriceTicks)),
  fc.constantFrom('0', '1', '0.50', '.5', '1.0000', '0.5000000', '0.001'),
)
const arbSizeText = fc.oneof(
  fc.integer({ min: 0, max: 1e12 }).map((m) => formatSize(m as ShareMicros)),
  fc.constantFrom('0', '10.', '.25', '100.1234560', '3300'),
)
/** Text JSON.stringify writes without escapes. */
const arbPlainText = fc.stringMatching(/^[a-zA-Z0-9 _-]{0,8}$/)
const arbBestText = fc.oneof(arbPriceText, fc.constant(''), fc.constantFrom('0', '1'))
const arbAssetId = fc.oneof(
  fc.stringMatching(/^[0-9]{70,78}$/),
  fc.constantFrom('1', 'token-x', 'id with spaces'),
)

/** Values a field should not hold, or that only the general parser reads. */
const arbOddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(
    raw('null'),
    raw('true'),
    raw('0.5'),
    raw('12'),
    raw('{}'),
    raw('[]'),
    raw('"0\\u002e5"'),
    raw('"a\\"b"'),
    str(''),
    str('1.5'),
    str('0.12345'),
    str('-0.1'),
    str(' 0.5'),
    str('0.5 '),
    str('BUY '),
    str('buy'),
    str('1e3'),
    str('..5'),
    str('.'),
    str('99999999999999999999'),
    raw('"tab\there"'),
  ),
  fc.string({ maxLength: 6 }).map(str),
)

type Field = readonly [key: string, value: Json]

function withOdd(valid: fc.Arbitrary<Json>, oddRate: number): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: Math.round(1000 * (1 - oddRate)), arbitrary: valid },
    { weight: Math.round(1000 * oddRate), arbitrary: arbOddValue },
  )
}

/** Keys in the order the venue writes them; other keys after them. */
const VENUE_ORDER = [
  'event_type',
  'market',
  'timestamp',
  'price_changes',
  'asset_id',
  'price',
  'size',
  'side',
  'hash',
  'best_bid',
  'best_ask',
]

function inVenueOrder(fields: Field[]): fc.Arbitrary<Field[]> {
  const rank = (key: string): number => {
    const at = VENUE_ORDER.indexOf(key)
    return at < 0 ? VENUE_ORDER.length : at
  }
  return fc.constant([...fields].sort((a, b) => rank(a[0]) - rank(b[0])))
}

function arbEntryFields(oddRate: number, ordered = false): fc.Arbitrary<Field[]> {
  const required: fc.Arbitrary<Field>[] = [
    withOdd(arbAssetId.map(str), oddRate).map((v) => ['asset_id', v] as const),
    withOdd(arbPriceText.map(str), oddRate).map((v) => ['price', v] as const),
    withOdd(arbSizeText.map(str), oddRate).map((v) => ['size', v] as const),
    withOdd(fc.constantFrom('BUY', 'SELL').map(str), oddRate).map((v) => ['side', v] as const),
  ]
  const optional: fc.Arbitrary<Field>[] = [
    withOdd(fc.stringMatching(/^[0-9a-f]{0,40}$/).map(str), oddRate).map(
      (v) => ['hash', v] as const,
    ),
    withOdd(arbBestText.map(str), oddRate).map((v) => ['best_bid', v] as const),
    withOdd(arbBestText.map(str), oddRate).map((v) => ['best_ask', v] as const),
    withOdd(arbPlainText.map(str), oddRate).map((v) => ['extra', v] as const),
  ]
  return fc
    .tuple(
      fc.tuple(...required),
      fc.tuple(...optional.map((f) => fc.option(f, { nil: undefined, freq: 3 }))),
      fc.boolean(),
    )
    .chain(([req, opt, dropOne]) => {
      const fields: Field[] = [...req, ...opt.filter((f): f is Field => f !== undefined)]
      // Occasionally leave out a required field; the general parser names it.
      if (oddRate > 0 && dropOne) fields.splice(0, 1)
      if (ordered) return inVenueOrder(fields)
      return fc.shuffledSubarray(fields, { minLength: fields.length, maxLength: fields.length })
    })
}

function arbFrameFields(oddRate: number, space = arbSpace, ordered = false): fc.Arbitrary<Field[]> {
  const entries = fc.array(arbEntryFields(oddRate, ordered), { maxLength: 12 })
  return fc
    .tuple(
      withOdd(fc.constant(str('price_change')), oddRate / 2),
      withOdd(fc.stringMatching(/^0x[0-9a-f]{64}$/).map(str), oddRate),
      withOdd(fc.stringMatching(/^[0-9]{13}$/).map(str), oddRate),
      entries,
      fc.option(withOdd(arbPlainText.map(str), oddRate), { nil: undefined }),
      fc.array(space, { minLength: 64, maxLength: 64 }),
    )
    .chain(([type, market, timestamp, list, extra, spaces]) => {
      let s = 0
      const sp = (): string => spaces[s++ % spaces.length] as string
      const entryTexts = list.map((fields) => raw(objectText(fields, sp)))
      const changes = raw(
        `[${sp()}${entryTexts.map((e) => e.text).join(`${sp()},${sp()}`)}${sp()}]`,
      )
      const fields: Field[] = [
        ['event_type', type],
        ['market', market],
        ['timestamp', timestamp],
        ['price_changes', changes],
      ]
      if (extra !== undefined) fields.push(['note', extra])
      if (ordered) return inVenueOrder(fields)
      return fc.shuffledSubarray(fields, { minLength: fields.length, maxLength: fields.length })
    })
}

function objectText(fields: readonly Field[], sp: () => string): string {
  const parts = fields.map(
    ([key, value]) => `${sp()}${JSON.stringify(key)}${sp()}:${sp()}${value.text}`,
  )
  return `{${parts.join(`${sp()},`)}${sp()}}`
}

/** The whitespace the scanner reads itself; tabs and line breaks go to the general parser. */
const arbPlainSpace = fc.constantFrom('', '', '', ' ', '  ')

const arbValidFrame = fc
  .tuple(
    arbFrameFields(0, arbPlainSpace),
    fc.array(arbPlainSpace, { minLength: 16, maxLength: 16 }),
  )
  .map(([fields, spaces]) => {
    let s = 0
    return objectText(fields, () => spaces[s++ % spaces.length] as string)
  })

const arbOddFrame = fc
  .tuple(
    arbFrameFields(0.08, arbPlainSpace),
    fc.array(arbPlainSpace, { minLength: 16, maxLength: 16 }),
  )
  .map(([fields, spaces]) => {
    let s = 0
    return objectText(fields, () => spaces[s++ % spaces.length] as string)
  })

/**
 * Frames with every key in the venue's order and no spaces, as the venue sends them (the
 * scanner reads that layout one comparison per key), some with odd values.
 */
const arbVenueOrderFrame = fc
  .tuple(arbFrameFields(0.05, fc.constant(''), true), fc.constant(''))
  .map(([fields]) => objectText(fields, () => ''))

const arbSpacedFrame = fc
  .tuple(arbFrameFields(0), fc.array(arbSpace, { minLength: 16, maxLength: 16 }))
  .map(([fields, spaces]) => {
    let s = 0
    return objectText(fields, () => spaces[s++ % spaces.length] as string)
  })

/** Edits that break or bend the text: cut, drop, insert or change characters, duplicate. */
const arbMutation = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '"',
      '\\',
      ',',
      '{',
      '}',
      '[',
      ']',
      ':',
      ' ',
      '\u0000',
      'x',
      '1',
      '.',
      'é',
      '\u00a0',
    ),
  }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    text: fc.constantFrom('"', '\\', ',', '}', ']', ':', '0', '9', '.', 'a', '\n'),
  }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('wrap' as const), at: fc.nat() }),
)

type Mutation = typeof arbMutation extends fc.Arbitrary<infer M> ? M : never

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1)
  switch (m.kind) {
    case 'cut':
      return text.slice(0, at)
    case 'drop':
      return text.slice(0, at) + text.slice(at + 1)
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at)
    case 'replace':
      return text.slice(0, at) + m.text + text.slice(at + 1)
    case 'repeat':
      return text.slice(0, at + m.length) + text.slice(at)
    case 'wrap':
      return at % 2 === 0 ? `[${text}]` : `${text}${text}`
  }
}

// ---------------------------------------------------------------------------------------------

describe('scaledInRange reads decimals exactly as the domain parsers do', () => {
  const arbNumberish = fc.stringMatching(/^[0-9.]{0,12}$/)
  const arbAny = fc.oneof(arbNumberish, fc.string({ maxLength: 10 }))

  test.each([
    ['price', 4, 10_000, tryParsePrice],
    ['size', 6, 1_000_000, tryParseSize],
  ] as const)('%s', (_name, decimals, scale, reference) => {
    fc.assert(
      fc.property(arbAny, arbAny, arbAny, (before, value, after) => {
        const text = before + value + after
        const start = before.length
        const got = scaledInRange(text, start, start + value.length, decimals, scale)
        const want = reference(value)
        // tryParsePrice also rejects prices above 1; the scanner applies that bound itself.
        const scaled = scale === 10_000 && got > 10_000 ? -1 : got
        expect(scaled).toBe(want)
      }),
      { numRuns: 3000 },
    )
  })

  test('timestamp', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^[0-9.]{0,20}$/), fc.string({ maxLength: 8 })),
        (value) => {
          const text = `"${value}"`
          const got = scaledInRange(text, 1, 1 + value.length, 0, 1)
          let want = -1
          try {
            want = parseEpochMs(value)
          } catch {
            // Rejected by the domain parser: the scanner must reject it too.
            want = -1
          }
          expect(got).toBe(want)
        },
      ),
      { numRuns: 3000 },
    )
  })

  test('named cases', () => {
    const read = (t: string): number => scaledInRange(t, 0, t.length, 4, 10_000)
    expect(read('0.5')).toBe(5000)
    expect(read('.5')).toBe(5000)
    expect(read('1.')).toBe(10_000)
    expect(read('0.50000')).toBe(5000)
    expect(read('0.50001')).toBe(-1)
    expect(read('.')).toBe(-1)
    expect(read('')).toBe(-1)
    expect(read('1.2.3')).toBe(-1)
  })
})

describe('scanPriceChange', () => {
  test('reads every valid generated frame itself, with the same result as JSON.parse', () => {
    fc.assert(
      fc.property(arbValidFrame, (text) => {
        expect(scanPriceChange(text)).not.toBeNull()
        const result = expectSameAsSlow(text)
        expect(result.errors).toEqual([])
      }),
      { numRuns: 1500 },
    )
  })

  test('frames with odd field values give the same result (events and error messages)', () => {
    let handled = 0
    let runs = 0
    fc.assert(
      fc.property(arbOddFrame, (text) => {
        runs++
        if (scanPriceChange(text) !== null) handled++
        expectSameAsSlow(text)
      }),
      { numRuns: 3000 },
    )
    // Both paths are exercised: some frames are read by the scanner, some fall back.
    expect(handled).toBeGreaterThan(0)
    expect(handled).toBeLessThan(runs)
  })

  test("frames in the venue's key order, also odd and mutated, give the same result", () => {
    let handled = 0
    fc.assert(
      fc.property(arbVenueOrderFrame, fc.array(arbMutation, { maxLength: 2 }), (text, ms) => {
        let edited = text
        for (const m of ms) edited = mutate(edited, m)
        if (scanPriceChange(edited) !== null) handled++
        expectSameAsSlow(edited)
      }),
      { numRuns: 3000 },
    )
    expect(handled).toBeGreaterThan(100)
  })

  test('entries laid out exactly as the venue writes them, with every price form, give the same result', () => {
    const arbPriceForm = fc.oneof(
      arbPriceText,
      fc.stringMatching(/^0\.[0-9]{0,6}$/),
      fc.constantFrom('0.', '00.5', '0.12345', '0.10000', '0.0001', '0.9999', '0.5x', '', '1.'),
    )
    const arbEntry = fc
      .tuple(
        fc.constantFrom(
          '57953460969144501144385266431497900786362265483971474370583776523710017709396',
          '1',
          '',
        ),
        arbPriceForm,
        arbSizeText,
        fc.constantFrom('BUY', 'SELL', 'buy'),
        fc.constantFrom('', '0xabc', 'a"b'),
        arbPriceForm,
        arbPriceForm,
      )
      .map(
        ([id, price, size, side, hash, bid, ask]) =>
          `{"asset_id":${JSON.stringify(id)},"price":"${price}","size":"${size}","side":"${side}","hash":${JSON.stringify(hash)},"best_bid":"${bid}","best_ask":"${ask}"}`,
      )
    let handled = 0
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 3 }), (entries) => {
        const text = `{"event_type":"price_change","market":"0x00","timestamp":"1780795851472","price_changes":[${entries.join(',')}]}`
        if (scanPriceChange(text) !== null) handled++
        expectSameAsSlow(text)
      }),
      { numRuns: 3000 },
    )
    expect(handled).toBeGreaterThan(300)
  })

  test('frames with any JSON whitespace give the same result', () => {
    fc.assert(
      fc.property(arbSpacedFrame, (text) => {
        expectSameAsSlow(text)
      }),
      { numRuns: 1000 },
    )
  })

  test('mutated and corrupted frames give the same result and never throw', () => {
    fc.assert(
      fc.property(
        arbValidFrame,
        fc.array(arbMutation, { minLength: 1, maxLength: 3 }),
        (text, ms) => {
          let edited = text
          for (const m of ms) edited = mutate(edited, m)
          expect(() => scanPriceChange(edited)).not.toThrow()
          expectSameAsSlow(edited)
        },
      ),
      { numRuns: 4000 },
    )
  })

  test('arbitrary text gives the same result and never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        expectSameAsSlow(text)
      }),
      { numRuns: 2000 },
    )
  })

  test.each([
    [
      'an escape in a key',
      '{"event_type":"price_change","mark\\u0065t":"0xab","timestamp":"1","price_changes":[]}',
    ],
    [
      'a repeated key',
      '{"event_type":"price_change","market":"a","market":"b","timestamp":"1","price_changes":[]}',
    ],
    [
      'a repeated entry key',
      '{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[{"asset_id":"1","price":"0.5","price":"0.6","size":"1","side":"BUY"}]}',
    ],
    [
      'a number timestamp',
      '{"event_type":"price_change","market":"a","timestamp":1,"price_changes":[]}',
    ],
    [
      'an array frame',
      '[{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[]}]',
    ],
    [
      'trailing text',
      '{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[]} x',
    ],
    [
      'a legacy shape',
      '{"event_type":"price_change","market":"a","asset_id":"1","timestamp":"1","changes":[]}',
    ],
    [
      'a null best bid',
      '{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[{"asset_id":"1","price":"0.5","size":"1","side":"BUY","best_bid":null}]}',
    ],
    [
      'an empty entry',
      '{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[{}]}',
    ],
    ['a tab', '{"event_type":"price_change",\t"market":"a","timestamp":"1","price_changes":[]}'],
    [
      'a line break at the end',
      '{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[]}\n',
    ],
    [
      'leading space',
      ' {"event_type":"price_change","market":"a","timestamp":"1","price_changes":[]}',
    ],
    [
      'a non-ASCII asset id',
      '{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[{"asset_id":"é","price":"0.5","size":"1","side":"BUY"}]}',
    ],
    [
      'a control character in an id',
      '{"event_type":"price_change","market":"a\u0001","timestamp":"1","price_changes":[]}',
    ],
    [
      'a non-breaking space',
      '{"event_type":"price_change",\u00a0"market":"a","timestamp":"1","price_changes":[]}',
    ],
    [
      'an empty market',
      '{"event_type":"price_change","market":"","timestamp":"1","price_changes":[]}',
    ],
    ['a missing price_changes', '{"event_type":"price_change","market":"a","timestamp":"1"}'],
    ['another event type', '{"event_type":"book","market":"a","timestamp":"1","price_changes":[]}'],
  ])('leaves %s to the general parser', (_name, text) => {
    expect(scanPriceChange(text)).toBeNull()
    expectSameAsSlow(text)
  })

  test('reads both-empty sides, an empty list and spaces around everything', () => {
    const text =
      '{ "price_changes" : [ ] , "timestamp":"1729084877448", "event_type":"price_change", "market":"0xab" }  '
    expect(scanPriceChange(text)).toEqual({
      type: 'price_change',
      market: '0xab',
      tsVenue: 1729084877448,
      shape: 'batched',
      changes: [],
    })
    const empty =
      '{"market":"m","price_changes":[{"asset_id":"7","price":"0.5","size":"0","side":"SELL","hash":"","best_bid":"","best_ask":"1"},{"asset_id":"7","price":"0.4","size":"2","side":"BUY","best_bid":"0","best_ask":""}],"timestamp":"5","event_type":"price_change"}'
    const event = scanPriceChange(empty)
    expect(event?.changes).toEqual([
      { assetId: '7', side: 'ask', price: 5000, size: 0, bestBid: null, bestAsk: null },
      { assetId: '7', side: 'bid', price: 4000, size: 2_000_000, bestBid: null, bestAsk: null },
    ])
    expectSameAsSlow(empty)
  })
})

/** Byte-level edits: cut anywhere (also inside a multi-byte character), insert, overwrite. */
const arbByteEdit = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom('é', '€', '😀', '\u00a0', '"', '\\', '\n').map((t) => Buffer.from(t)),
      fc
        .constantFrom([0xff], [0xc3], [0xe2, 0x82], [0x80], [0xf0, 0x9f, 0x98])
        .map((b) => Buffer.from(b)),
    ),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
)

type ByteEdit = typeof arbByteEdit extends fc.Arbitrary<infer E> ? E : never

function editBytes(bytes: Buffer, e: ByteEdit): Buffer {
  const at = bytes.length === 0 ? 0 : e.at % (bytes.length + 1)
  switch (e.kind) {
    case 'cut':
      return bytes.subarray(0, at)
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)])
    case 'set': {
      const copy = Buffer.from(bytes)
      if (at < copy.length) copy[at] = e.byte
      return copy
    }
  }
}

describe('parseMarketBytes (frames read in place from UTF-8 bytes)', () => {
  test('reads every valid generated frame with the scanner, in any range of a larger buffer', () => {
    fc.assert(
      fc.property(
        arbValidFrame,
        fc.nat({ max: 20 }),
        fc.nat({ max: 20 }),
        (text, before, after) => {
          const { buffer, start, end } = inBuffer(Buffer.from(text), before, after)
          expect(scanPriceChangeBytes(buffer, start, end)).toEqual(scanPriceChange(text))
          expect(scanPriceChangeBytes(buffer, start, end)).not.toBeNull()
          expectBytesSameAsSlow(Buffer.from(text), before, after)
        },
      ),
      { numRuns: 1000 },
    )
  })

  test('byte-edited frames (torn, multi-byte UTF-8, invalid UTF-8) give the same result', () => {
    let handled = 0
    fc.assert(
      fc.property(
        arbValidFrame,
        fc.array(arbByteEdit, { minLength: 1, maxLength: 3 }),
        (text, edits) => {
          let bytes: Buffer = Buffer.from(text)
          for (const e of edits) bytes = editBytes(bytes, e)
          if (scanPriceChangeBytes(bytes, 0, bytes.length) !== null) handled++
          expectBytesSameAsSlow(bytes)
        },
      ),
      { numRuns: 3000 },
    )
    expect(handled).toBeGreaterThan(0)
  })

  test('arbitrary bytes give the same result and never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        expectBytesSameAsSlow(bytes)
      }),
      { numRuns: 2000 },
    )
  })

  test.each([
    ['a non-ASCII asset id', 'é'],
    ['an invalid UTF-8 byte in an asset id', '\xff'],
  ])('leaves %s to the general parser', (_name, id) => {
    const text = `{"event_type":"price_change","market":"a","timestamp":"1","price_changes":[{"asset_id":"${id}","price":"0.5","size":"1","side":"BUY"}]}`
    const bytes = Buffer.from(text, id === '\xff' ? 'latin1' : 'utf8')
    expect(scanPriceChangeBytes(bytes, 0, bytes.length)).toBeNull()
    expect(expectBytesSameAsSlow(bytes).events).toHaveLength(1)
  })

  test('a frame torn inside a multi-byte character is reported as the text path reports it', () => {
    const bytes = Buffer.from('{"event_type":"price_change","market":"€')
    const torn = bytes.subarray(0, bytes.length - 1)
    const result = expectBytesSameAsSlow(torn)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]?.message).toContain('not valid JSON')
  })
})

describe('asset id strings', () => {
  const frameWith = (id: string): string =>
    `{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"asset_id":"${id}","price":"0.5","size":"1","side":"BUY"}]}`

  test('a repeated id comes back as the same string', () => {
    const id = '52114319501245915516055106046884209969926127482827954674443846427813813222426'
    const first = scanPriceChange(frameWith(id))?.changes[0]?.assetId
    const second = scanPriceChange(frameWith(id))?.changes[0]?.assetId
    expect(first).toBe(id)
    expect(Object.is(first, second)).toBe(true)
  })

  test('the text and bytes paths share one string per id', () => {
    const id = '2406995029551059086400212112675844109617441931749954786886358355833305961028'
    const text = frameWith(id)
    const fromText = scanPriceChange(text)?.changes[0]?.assetId
    const bytes = Buffer.from(text)
    const fromBytes = scanPriceChangeBytes(bytes, 0, bytes.length)?.changes[0]?.assetId
    expect(fromBytes).toBe(id)
    expect(Object.is(fromText, fromBytes)).toBe(true)
  })

  test('many different ids, sharing cache slots, each come back as written', () => {
    const ids = Array.from({ length: 2000 }, (_, k) => `${k % 10}${'7'.repeat(k % 5)}${k}9`)
    for (let round = 0; round < 2; round++) {
      for (const id of ids) expect(scanPriceChange(frameWith(id))?.changes[0]?.assetId).toBe(id)
    }
  })
})

describe('scanner against the general parser on real data', () => {
  const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.json') || n.endsWith('.txt'))

  test.each(names)('fixture %s: whole text, and each event compact and pretty', (name) => {
    const text = readFileSync(new URL(name, FIXTURES), 'utf8')
    expectSameAsSlow(text)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return // Not JSON (PONG, a torn frame): the whole-text check above covers it.
    }
    if (typeof value !== 'object' || value === null) return
    const events = Array.isArray(value) ? (value as unknown[]) : [value]
    for (const event of events) {
      expectSameAsSlow(JSON.stringify(event))
      expectSameAsSlow(JSON.stringify(event, null, 2))
    }
  })

  test('the real burst: every price_change frame is read by the scanner', () => {
    const burst = JSON.parse(
      readFileSync(new URL('ws_book_price_change_burst_2026-09-29.json', FIXTURES), 'utf8'),
    ) as { event_type: string }[]
    const changes = burst.filter((e) => e.event_type === 'price_change')
    expect(changes.length).toBeGreaterThan(10)
    for (const event of changes) expect(scanPriceChange(JSON.stringify(event))).not.toBeNull()
  })

  test('every frame the NHL importer makes', async () => {
    let frames = 0
    let scanned = 0
    for (const file of [
      'polymarket_ticks_20260607_0130.parquet',
      'polymarket_ticks_20260607_0145.parquet',
    ]) {
      const bytes = readFileSync(new URL(file, NHL_DIR))
      const detected = detectInput(bytes, file)
      if (detected.format !== 'nhl-ticks-parquet') throw new Error(`${file}: expected parquet`)
      const table = await readNhlTicks(bytes, detected.metadata, file)
      synthesizeNhlFrames(table, (frame) => {
        frames++
        if (scanPriceChange(frame.raw) !== null) scanned++
        const fast = parseMarketFrame(frame.raw)
        const slow = parseMarketFrameSlow(frame.raw)
        const bytes = Buffer.from(frame.raw)
        const fromBytes = parseMarketBytes(bytes, 0, bytes.length)
        // Checked with plain comparisons first: toEqual on 139,000 frames is slow.
        const expected = JSON.stringify(slow.events)
        if (
          JSON.stringify(fast.events) !== expected ||
          JSON.stringify(fromBytes.events) !== expected ||
          fast.errors.length > 0 ||
          fromBytes.errors.length > 0
        ) {
          expectSameAsSlow(frame.raw)
          expect(fast.errors).toEqual([])
        }
      })
    }
    expect(frames).toBeGreaterThan(100_000)
    // Everything but the last_trade_price frames goes through the scanner.
    expect(scanned).toBeGreaterThan(frames / 2)
  })
})
