import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { BookSnapshot, MarketEvent, PriceChange } from '../../../domain/book/book-events.js'
import { ParseError } from '../../../domain/errors.js'
import {
  formatPrice,
  formatSize,
  type PriceTicks,
  type ShareMicros,
} from '../../../domain/units.js'
import { parseMarketFrame, parseMarketValue, type ParseResult } from './parse.js'

const FIXTURES = new URL('../../../../test/fixtures/polymarket/', import.meta.url)

function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8')
}

type RawEvent = Record<string, unknown>

function fixtureEvent(name: string): RawEvent {
  return JSON.parse(fixtureText(name)) as RawEvent
}

/** A deep copy, so a test can edit a real frame without touching others. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

const BURST = JSON.parse(fixtureText('ws_book_price_change_burst_2026-09-29.json')) as RawEvent[]
const BURST_FIRST_BOOK = BURST[0] as RawEvent
const BURST_FIRST_PRICE_CHANGE = BURST[1] as RawEvent
const BOOK_2024 = fixtureEvent('ws_book_2024-10-13.json')
const LAST_TRADE = fixtureEvent('ws_last_trade_price_2024-08-25.json')
const TICK_SIZE_CHANGE = fixtureEvent('ws_tick_size_change_2025-02-09.json')
const FLAT_PRICE_CHANGE = fixtureEvent('price-change-legacy-flat-2024-08-18.json')
const BATCHED_EDITED = fixtureEvent('price-change-batched-partly-edited.json')
const BEST_BID_ASK = fixtureEvent('best-bid-ask-2025-12-26.json')
const NEW_MARKET = fixtureEvent('new-market-2025-12-26.json')
const MARKET_RESOLVED = fixtureEvent('market-resolved-2025-12-26.json')

const TOKEN_A = '76670567130917723816490572615540605537878462672464291990940067659127658071111'
const TOKEN_B = '54179564009642723353355316176091991063553046330768303687769988635499280029688'
const BURST_MARKET = '0x285746de0e4f751fd4dc8f9dc2cecd0101ba9ad0096a43145ed9643b09514f01'

const px = (ticks: number): PriceTicks => ticks as PriceTicks
const shares = (micros: number): ShareMicros => micros as ShareMicros

/** The single event of a frame that must parse cleanly. */
function only<T extends MarketEvent['type']>(
  result: ParseResult,
  type: T,
): Extract<MarketEvent, { type: T }> {
  expect(result.errors).toEqual([])
  expect(result.ignored).toBe(false)
  expect(result.events).toHaveLength(1)
  const event = result.events[0] as MarketEvent
  expect(event.type).toBe(type)
  return event as Extract<MarketEvent, { type: T }>
}

/** The single error of a frame that must be rejected. */
function failure(result: ParseResult): ParseError {
  expect(result.events).toEqual([])
  expect(result.ignored).toBe(false)
  expect(result.errors).toHaveLength(1)
  const error = result.errors[0] as ParseError
  expect(error).toBeInstanceOf(ParseError)
  expect(error.code).toBe('PARSE_ERROR')
  return error
}

function parseEvent(event: unknown): ParseResult {
  return parseMarketFrame(JSON.stringify(event))
}

describe('real frames, one per event type', () => {
  test('book snapshot of 2024-10-13: every level, venue order kept, best level last', () => {
    const book = only(parseMarketFrame(fixtureText('ws_book_2024-10-13.json')), 'book')
    expect(book.market).toBe('0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917')
    expect(book.assetId).toBe(BOOK_2024.asset_id)
    expect(book.tsVenue).toBe(1728799418260)
    expect(book.hash).toBe(BOOK_2024.hash)
    expect(book.bids).toHaveLength(76)
    expect(book.asks).toHaveLength(86)
    expect(book.asks[0]).toEqual({ price: 9990, size: 10_500_100_000_000 })
    expect(book.tickSize).toBeUndefined()
    expect(book.lastTradePrice).toBeUndefined()
    // The venue lists both sides worst to best; the last element is the best level.
    const bidPrices = book.bids.map((l) => l.price)
    const askPrices = book.asks.map((l) => l.price)
    expect(bidPrices).toEqual([...bidPrices].sort((a, b) => a - b))
    expect(askPrices).toEqual([...askPrices].sort((a, b) => b - a))
    expect(Math.max(...bidPrices)).toBeLessThan(Math.min(...askPrices))
  })

  test('first book of the 2026-09-29 burst carries tick_size and last_trade_price', () => {
    const book = only(parseEvent(BURST_FIRST_BOOK), 'book')
    expect(book).toMatchObject({
      market: BURST_MARKET,
      assetId: TOKEN_A,
      tsVenue: 1790658661234,
      hash: '5511583ad6f3eb4678e0a374e0cc2bd3b1975d07',
      tickSize: 10,
      lastTradePrice: 2550,
    })
    expect(book.bids).toHaveLength(24)
    expect(book.asks).toHaveLength(22)
    expect(book.bids[0]).toEqual({ price: 10, size: 220_045_000_000 })
    expect(book.bids.at(-1)).toEqual({ price: 3000, size: 5_000_000_000 })
  })

  test('first price_change of the burst: batched, one leg per token, venue best bid/ask', () => {
    const change = only(parseEvent(BURST_FIRST_PRICE_CHANGE), 'price_change')
    expect(change).toEqual({
      type: 'price_change',
      market: BURST_MARKET,
      tsVenue: 1790658674035,
      shape: 'batched',
      changes: [
        {
          assetId: TOKEN_A,
          side: 'bid',
          price: 3010,
          size: 1_000_000_000,
          bestBid: 3010,
          bestAsk: 3970,
        },
        {
          assetId: TOKEN_B,
          side: 'ask',
          price: 6990,
          size: 1_000_000_000,
          bestBid: 6030,
          bestAsk: 6990,
        },
      ],
    })
  })

  test('the whole burst file as one array frame: 51 events in order, no errors', () => {
    const result = parseMarketFrame(fixtureText('ws_book_price_change_burst_2026-09-29.json'))
    expect(result.errors).toEqual([])
    expect(result.ignored).toBe(false)
    expect(result.events.map((e) => e.type)).toEqual([
      'book',
      ...Array<string>(49).fill('price_change'),
      'book',
    ])
    const last = result.events[50] as BookSnapshot
    expect(last.tickSize).toBeUndefined()
    expect(last.lastTradePrice).toBeUndefined()
    expect(last.bids).toHaveLength(23)
    expect(last.asks).toHaveLength(23)
    // A level removal is size 0, not a missing level.
    const removal = result.events[49] as PriceChange
    expect(removal.changes.map((c) => c.size)).toEqual([0, 0])
  })

  test('last_trade_price: taker side, fee rate, no transaction hash on this 2024 frame', () => {
    const trade = only(parseEvent(LAST_TRADE), 'last_trade_price')
    expect(trade).toEqual({
      type: 'last_trade_price',
      market: '0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917',
      assetId: LAST_TRADE.asset_id,
      tsVenue: 1724564136087,
      price: 4910,
      size: 85_360_000,
      side: 'sell',
      feeRateBps: 0,
      transactionHash: null,
    })
  })

  test('tick_size_change from 0.01 to 0.001', () => {
    const tick = only(parseEvent(TICK_SIZE_CHANGE), 'tick_size_change')
    expect(tick).toEqual({
      type: 'tick_size_change',
      market: TICK_SIZE_CHANGE.market,
      assetId: TICK_SIZE_CHANGE.asset_id,
      tsVenue: 1739068041853,
      oldTickSize: 100,
      newTickSize: 10,
    })
  })

  test('legacy flat price_change: one ask level, no venue best bid/ask', () => {
    const change = only(parseEvent(FLAT_PRICE_CHANGE), 'price_change')
    expect(change).toEqual({
      type: 'price_change',
      market: FLAT_PRICE_CHANGE.market,
      tsVenue: 1723967931411,
      shape: 'flat',
      changes: [
        {
          assetId: FLAT_PRICE_CHANGE.asset_id,
          side: 'ask',
          price: 5140,
          size: 21_574_080_000,
          bestBid: undefined,
          bestAsk: undefined,
        },
      ],
    })
  })

  test('batched price_change (partly hand-edited by its publisher): three bid levels', () => {
    const change = only(parseEvent(BATCHED_EDITED), 'price_change')
    expect(change.shape).toBe('batched')
    expect(change.tsVenue).toBe(1729084877448)
    expect(change.changes.map((c) => [c.side, c.price, c.size, c.bestBid, c.bestAsk])).toEqual([
      ['bid', 6000, 3_300_000_000, 6000, 7000],
      ['bid', 5000, 3_400_000_000, 6000, 7000],
      ['bid', 7000, 3_400_000_000, 6000, 7000],
    ])
  })

  test('best_bid_ask', () => {
    const top = only(parseEvent(BEST_BID_ASK), 'best_bid_ask')
    expect(top).toEqual({
      type: 'best_bid_ask',
      market: BEST_BID_ASK.market,
      assetId: BEST_BID_ASK.asset_id,
      tsVenue: 1766789469958,
      bestBid: 7300,
      bestAsk: 7700,
    })
  })

  test('new_market: empty sports fields become null, tick size parsed', () => {
    const created = only(parseEvent(NEW_MARKET), 'new_market')
    expect(created).toEqual({
      type: 'new_market',
      market: NEW_MARKET.market,
      tsVenue: 1766790415550,
      id: '1031769',
      question: 'Will NVIDIA (NVDA) close above $240 end of January?',
      slug: 'nvda-above-240-on-january-30-2026',
      assetIds: NEW_MARKET.assets_ids,
      outcomes: ['Yes', 'No'],
      tickSize: 100,
      gameStartTime: null,
      sportsMarketType: null,
      tags: ['stocks'],
    })
  })

  test('market_resolved', () => {
    const resolved = only(parseEvent(MARKET_RESOLVED), 'market_resolved')
    expect(resolved).toEqual({
      type: 'market_resolved',
      market: MARKET_RESOLVED.market,
      tsVenue: 1766790415550,
      id: '1031769',
      assetIds: MARKET_RESOLVED.assets_ids,
      winningAssetId: MARKET_RESOLVED.winning_asset_id,
      winningOutcome: 'Yes',
    })
  })

  test('an array frame mixing event types yields every event in order', () => {
    const frame = [BOOK_2024, BEST_BID_ASK, BURST_FIRST_PRICE_CHANGE, LAST_TRADE, TICK_SIZE_CHANGE]
    const result = parseEvent(frame)
    expect(result.errors).toEqual([])
    expect(result.events.map((e) => e.type)).toEqual([
      'book',
      'best_bid_ask',
      'price_change',
      'last_trade_price',
      'tick_size_change',
    ])
  })

  test('parseMarketValue gives the same events as parseMarketFrame', () => {
    const text = fixtureText('ws_book_price_change_burst_2026-09-29.json')
    expect(parseMarketValue(JSON.parse(text), text)).toEqual(parseMarketFrame(text))
    expect(parseMarketValue(BOOK_2024)).toEqual(parseEvent(BOOK_2024))
  })
})

describe('variants the fixtures do not show', () => {
  test('pre-2025-09 "changes" price_change: asset id at the top, no best bid/ask', () => {
    const frame = {
      event_type: 'price_change',
      asset_id: TOKEN_A,
      market: BURST_MARKET,
      timestamp: '1725000000000',
      hash: 'abc',
      changes: [
        { price: '0.45', side: 'BUY', size: '100' },
        { price: '0.55', side: 'SELL', size: '0' },
      ],
    }
    const change = only(parseEvent(frame), 'price_change')
    expect(change.shape).toBe('changes')
    expect(change.changes).toEqual([
      {
        assetId: TOKEN_A,
        side: 'bid',
        price: 4500,
        size: 100_000_000,
        bestBid: undefined,
        bestAsk: undefined,
      },
      {
        assetId: TOKEN_A,
        side: 'ask',
        price: 5500,
        size: 0,
        bestBid: undefined,
        bestAsk: undefined,
      },
    ])
  })

  test.each([
    ['""', '', ''],
    ['"0" bid and "1" ask', '0', '1'],
    ['"0.0" bid and "1.0000" ask', '0.0', '1.0000'],
    ['null', null, null],
    ['absent', undefined, undefined],
  ])('price_change best bid/ask %s means that side is empty', (_name, bid, ask) => {
    const frame = copy(BURST_FIRST_PRICE_CHANGE)
    const entry = (frame.price_changes as RawEvent[])[0] as RawEvent
    entry.best_bid = bid
    entry.best_ask = ask
    const change = only(parseEvent(frame), 'price_change')
    expect(change.changes[0]).toMatchObject({ bestBid: null, bestAsk: null })
    expect(change.changes[1]).toMatchObject({ bestBid: 6030, bestAsk: 6990 })
  })

  test('"1" as a best bid and "0" as a best ask are prices, not empty sides', () => {
    const frame = copy(BURST_FIRST_PRICE_CHANGE)
    const entry = (frame.price_changes as RawEvent[])[0] as RawEvent
    entry.best_bid = '1'
    entry.best_ask = '0'
    const change = only(parseEvent(frame), 'price_change')
    expect(change.changes[0]).toMatchObject({ bestBid: 10_000, bestAsk: 0 })
  })

  test('best_bid_ask with empty sides', () => {
    const top = only(parseEvent({ ...BEST_BID_ASK, best_bid: '', best_ask: '1' }), 'best_bid_ask')
    expect(top).toMatchObject({ bestBid: null, bestAsk: null })
    const half = { ...BEST_BID_ASK, best_bid: '0' } as RawEvent
    delete half.best_ask
    expect(only(parseEvent(half), 'best_bid_ask')).toMatchObject({ bestBid: null, bestAsk: null })
  })

  test('book: "" tick_size and last_trade_price are ignored', () => {
    const book = only(
      parseEvent({ ...BURST_FIRST_BOOK, tick_size: '', last_trade_price: '' }),
      'book',
    )
    expect(book.tickSize).toBeUndefined()
    expect(book.lastTradePrice).toBeUndefined()
  })

  test('an empty book and an empty price_changes array are valid', () => {
    const book = only(parseEvent({ ...BOOK_2024, bids: [], asks: [] }), 'book')
    expect(book.bids).toEqual([])
    const change = only(
      parseEvent({ ...BURST_FIRST_PRICE_CHANGE, price_changes: [] }),
      'price_change',
    )
    expect(change.changes).toEqual([])
  })

  test('last_trade_price with a transaction hash and no fee rate', () => {
    const frame = { ...LAST_TRADE, side: 'BUY', transaction_hash: '0xfeed' } as RawEvent
    delete frame.fee_rate_bps
    const trade = only(parseEvent(frame), 'last_trade_price')
    expect(trade).toMatchObject({ side: 'buy', feeRateBps: null, transactionHash: '0xfeed' })
    const empty = only(
      parseEvent({ ...LAST_TRADE, fee_rate_bps: '', transaction_hash: '' }),
      'last_trade_price',
    )
    expect(empty).toMatchObject({ feeRateBps: null, transactionHash: null })
    expect(
      only(parseEvent({ ...LAST_TRADE, fee_rate_bps: '12.5' }), 'last_trade_price').feeRateBps,
    ).toBe(12.5)
    expect(
      only(parseEvent({ ...LAST_TRADE, fee_rate_bps: 30 }), 'last_trade_price').feeRateBps,
    ).toBe(30)
  })

  test('new_market with a game start time, a market type and no tags', () => {
    const frame = {
      ...NEW_MARKET,
      game_start_time: '2026-04-05T15:10:00Z',
      sports_market_type: 'moneyline',
      order_price_min_tick_size: '',
    } as RawEvent
    delete frame.tags
    const created = only(parseEvent(frame), 'new_market')
    expect(created).toMatchObject({
      gameStartTime: '2026-04-05T15:10:00Z',
      sportsMarketType: 'moneyline',
      tickSize: null,
      tags: [],
    })
  })

  test('JSON with leading whitespace is still a frame', () => {
    only(parseMarketFrame(`\n  ${JSON.stringify(BEST_BID_ASK)}`), 'best_bid_ask')
  })

  test('valid price_change entries round-trip any price and size', () => {
    const entry = fc.record({
      token: fc.constantFrom(TOKEN_A, TOKEN_B),
      side: fc.constantFrom('BUY', 'SELL'),
      price: fc.integer({ min: 0, max: 10_000 }),
      size: fc.integer({ min: 0, max: 1e15 }),
      best: fc.integer({ min: 1, max: 9_999 }),
    })
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const frame = {
          event_type: 'price_change',
          market: BURST_MARKET,
          timestamp: '1790658674035',
          price_changes: entries.map((e) => ({
            asset_id: e.token,
            price: formatPrice(px(e.price)),
            size: formatSize(shares(e.size)),
            side: e.side,
            hash: 'h',
            best_bid: formatPrice(px(e.best)),
            best_ask: formatPrice(px(e.best)),
          })),
        }
        const change = only(parseEvent(frame), 'price_change')
        expect(change.changes).toEqual(
          entries.map((e) => ({
            assetId: e.token,
            side: e.side === 'BUY' ? 'bid' : 'ask',
            price: e.price,
            size: e.size,
            bestBid: e.best,
            bestAsk: e.best,
          })),
        )
      }),
    )
  })
})

describe('bare text frames', () => {
  test.each([
    ['PONG', fixtureText('pong.txt')],
    ['NO NEW ASSETS', fixtureText('no-new-assets.txt')],
    ['empty text', ''],
    ['blank text', ' \n\t'],
    ['other bare text', 'INVALID OPERATION'],
    ['text that only looks like a number at first', '12 monkeys'],
  ])('%s is ignored without an error', (_name, text) => {
    expect(parseMarketFrame(text)).toEqual({ events: [], errors: [], ignored: true })
  })
})

describe('malformed frames', () => {
  test.each([
    ['truncated book (fixture)', fixtureText('malformed-handmade-book-truncated.txt')],
    ['a lone brace', '{'],
    ['an unfinished array', '[1,'],
    ['an object with trailing garbage', '{"event_type":"book"} x'],
    ['a single-quoted object', "{'event_type':'book'}"],
  ])('%s: one error, nothing ignored', (_name, text) => {
    const error = failure(parseMarketFrame(text))
    expect(error.message).toMatch(
      /^frame starts like JSON but is not valid JSON \(.+\); it was dropped whole$/,
    )
    expect(error.excerpt).toBe(text.slice(0, 160) + (text.length > 160 ? '…' : ''))
  })

  test.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a negative number', '-3'],
    ['a JSON string', '"PONG"'],
    ['a boolean', 'true'],
  ])('%s as a whole frame is an error', (_name, text) => {
    const error = failure(parseMarketFrame(text))
    expect(error.message).toBe(
      `frame must be an event object or an array of event objects, got ${text}`,
    )
  })

  test('non-object array elements each yield one error, good elements still come out', () => {
    const result = parseEvent([null, 3, 'x', [], TICK_SIZE_CHANGE, true])
    expect(result.events.map((e) => e.type)).toEqual(['tick_size_change'])
    expect(result.errors.map((e) => e.message)).toEqual([
      'frame element 1 of 6 must be an event object, got null',
      'frame element 2 of 6 must be an event object, got 3',
      'frame element 3 of 6 must be an event object, got "x"',
      'frame element 4 of 6 must be an event object, got an array of 0 elements',
      'frame element 6 of 6 must be an event object, got true',
    ])
  })

  test('array with one bad event among good ones (fixture)', () => {
    const result = parseMarketFrame(
      fixtureText('malformed-handmade-array-one-bad-event-among-good.json'),
    )
    expect(result.events.map((e) => e.type)).toEqual(['tick_size_change', 'last_trade_price'])
    expect(result.errors.map((e) => e.message)).toEqual([
      'price_change: field "price_changes[0].price" must be a price string between 0 and 1 with' +
        ' at most 4 decimals, got "1.5" (element 2 of 4 in the frame)',
      'frame element 3 of 4 must be an event object, got 7',
    ])
    // The excerpt shows the bad element, not the start of the array.
    expect(result.errors[0]?.excerpt).toMatch(/^\{"market":"0x285746de/)
  })

  test('a price_change with one bad entry is rejected whole (fixture), with the raw text as excerpt', () => {
    const text = fixtureText('malformed-handmade-price-change-numeric-size-in-second-entry.json')
    const error = failure(parseMarketFrame(text))
    expect(error.message).toBe(
      'price_change: field "price_changes[1].size" must be a non-negative size string with at' +
        ' most 6 decimals, got 12',
    )
    expect(error.excerpt.startsWith('{ "market": "0x285746de')).toBe(true)
  })

  test('parseMarketValue without raw text takes the excerpt from the value', () => {
    const error = failure(parseMarketValue({ ...LAST_TRADE, price: '1.5' }))
    expect(error.message).toBe(
      'last_trade_price: field "price" must be a price string between 0 and 1 with at most 4' +
        ' decimals, got "1.5"',
    )
    expect(error.excerpt).toMatch(/^\{"asset_id":"2174263314/)
  })

  test('unknown event_type: says which type and that it is not handled', () => {
    const error = failure(parseEvent({ event_type: 'order', id: '1' }))
    expect(error.message).toMatch(
      /^unknown event_type "order": not handled by the market-channel parser \(handled: book, price_change, .*\), event skipped$/,
    )
    expect(error.excerpt).toBe('{"event_type":"order","id":"1"}')
  })

  test.each([
    [
      'missing',
      undefined,
      'event: field "event_type" is missing (expected the name of the event type)',
    ],
    ['a number', 5, 'event: field "event_type" must be the name of the event type, got 5'],
    ['null', null, 'event: field "event_type" must be the name of the event type, got null'],
  ])('event_type %s', (_name, eventType, message) => {
    expect(failure(parseEvent({ ...TICK_SIZE_CHANGE, event_type: eventType })).message).toBe(
      message,
    )
  })

  const REQUIRED: [string, RawEvent, string[]][] = [
    ['book', BOOK_2024, ['market', 'asset_id', 'timestamp', 'hash', 'bids', 'asks']],
    ['batched price_change', BURST_FIRST_PRICE_CHANGE, ['market', 'timestamp', 'price_changes']],
    [
      'flat price_change',
      FLAT_PRICE_CHANGE,
      ['market', 'asset_id', 'timestamp', 'price', 'side', 'size'],
    ],
    ['last_trade_price', LAST_TRADE, ['market', 'asset_id', 'timestamp', 'price', 'size', 'side']],
    [
      'tick_size_change',
      TICK_SIZE_CHANGE,
      ['market', 'asset_id', 'timestamp', 'old_tick_size', 'new_tick_size'],
    ],
    ['best_bid_ask', BEST_BID_ASK, ['market', 'asset_id', 'timestamp']],
    [
      'new_market',
      NEW_MARKET,
      ['market', 'timestamp', 'id', 'question', 'slug', 'assets_ids', 'outcomes'],
    ],
    [
      'market_resolved',
      MARKET_RESOLVED,
      ['market', 'timestamp', 'id', 'assets_ids', 'winning_asset_id', 'winning_outcome'],
    ],
  ]
  const FIELD_CASES = REQUIRED.flatMap(([name, frame, fields]) =>
    fields.map((field) => [name, field, frame] as const),
  )

  test.each(FIELD_CASES)('%s without "%s" is rejected naming the field', (_name, field, frame) => {
    const broken = copy(frame)
    delete broken[field]
    const error = failure(parseEvent(broken))
    expect(
      error.message.startsWith(
        `${String(frame.event_type)}: field "${field}" is missing (expected `,
      ),
    ).toBe(true)
  })

  test.each(FIELD_CASES)('%s with "%s" of the wrong type is rejected', (_name, field, frame) => {
    const error = failure(parseEvent({ ...frame, [field]: 12 }))
    expect(error.message).toMatch(
      new RegExp(`^${String(frame.event_type)}: field "${field}" must be .+, got 12$`),
    )
  })

  test.each(['asset_id', 'price', 'size', 'side'])(
    'price_change entry without "%s" rejects the whole event',
    (field) => {
      const frame = copy(BURST_FIRST_PRICE_CHANGE)
      delete ((frame.price_changes as RawEvent[])[1] as RawEvent)[field]
      const error = failure(parseEvent(frame))
      expect(error.message).toMatch(
        new RegExp(`^price_change: field "price_changes\\[1\\]\\.${field}" is missing`),
      )
    },
  )

  test.each([
    [
      'bad price "1.5"',
      'price',
      '1.5',
      'must be a price string between 0 and 1 with at most 4 decimals, got "1.5"',
    ],
    ['price with 5 decimals', 'price', '0.30101', 'got "0.30101"'],
    ['numeric price', 'price', 0.301, 'got 0.301'],
    [
      'bad size "-3"',
      'size',
      '-3',
      'must be a non-negative size string with at most 6 decimals, got "-3"',
    ],
    ['size with 7 decimals', 'size', '1.0000001', 'got "1.0000001"'],
    ['size in exponent form', 'size', '1e3', 'got "1e3"'],
    ['lower-case side', 'side', 'buy', 'must be "BUY" or "SELL", got "buy"'],
    [
      'bad best_bid',
      'best_bid',
      '0.3x',
      'must be a price string between 0 and 1 with at most 4 decimals, or "" for an empty side, got "0.3x"',
    ],
    ['numeric best_ask', 'best_ask', 1, 'got 1'],
    ['empty asset_id', 'asset_id', '', 'must be a non-empty string, got ""'],
  ])('price_change entry with %s', (_name, field, value, expected) => {
    const frame = copy(BURST_FIRST_PRICE_CHANGE)
    ;((frame.price_changes as RawEvent[])[0] as RawEvent)[field] = value
    const error = failure(parseEvent(frame))
    expect(error.message.startsWith(`price_change: field "price_changes[0].${field}" `)).toBe(true)
    expect(error.message.endsWith(expected)).toBe(true)
  })

  test.each([
    [
      'a non-object entry',
      [null],
      'price_change: element price_changes[0] must be an object, got null',
    ],
    [
      'price_changes not an array',
      { a: 1 },
      'price_change: field "price_changes" must be an array of level changes, got an object',
    ],
  ])('price_change with %s', (_name, value, message) => {
    expect(failure(parseEvent({ ...BURST_FIRST_PRICE_CHANGE, price_changes: value })).message).toBe(
      message,
    )
  })

  test('price_change with none of the three shapes', () => {
    const error = failure(
      parseEvent({ event_type: 'price_change', market: BURST_MARKET, timestamp: '1' }),
    )
    expect(error.message).toMatch(/^price_change: field "price_changes" is missing/)
  })

  test.each([
    [
      'changes not an array',
      { changes: 'x' },
      'price_change: field "changes" must be an array of level changes, got "x"',
    ],
    [
      'a non-object change',
      { changes: [1] },
      'price_change: element changes[0] must be an object, got 1',
    ],
    [
      'a bad change size',
      { changes: [{ price: '0.5', side: 'SELL', size: 'x' }] },
      'price_change: field "changes[0].size" must be a non-negative size string with at most 6 decimals, got "x"',
    ],
    [
      'no asset_id',
      { changes: [], asset_id: undefined },
      'price_change: field "asset_id" is missing (expected a non-empty string)',
    ],
  ])('"changes" price_change with %s', (_name, patch, message) => {
    const frame = {
      event_type: 'price_change',
      market: BURST_MARKET,
      timestamp: '1',
      asset_id: TOKEN_A,
      ...patch,
    }
    expect(failure(parseEvent(frame)).message).toBe(message)
  })

  test.each([
    ['a non-object level', 'bids', [1], 'book: element bids[0] must be an object, got 1'],
    [
      'a bad level price',
      'asks',
      [{ price: '1.01', size: '1' }],
      'book: field "asks[0].price" must be a price string between 0 and 1 with at most 4 decimals, got "1.01"',
    ],
    [
      'a level without size',
      'bids',
      [{ price: '0.5' }],
      'book: field "bids[0].size" is missing (expected a non-negative size string with at most 6 decimals)',
    ],
    [
      'an unknown tick size',
      'tick_size',
      '0.02',
      'book: field "tick_size" must be one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001", got "0.02"',
    ],
    [
      'a numeric tick size',
      'tick_size',
      0.01,
      'book: field "tick_size" must be one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001", got 0.01',
    ],
    [
      'a bad last trade price',
      'last_trade_price',
      '2',
      'book: field "last_trade_price" must be a price string between 0 and 1 with at most 4 decimals, got "2"',
    ],
  ])('book with %s', (_name, field, value, message) => {
    expect(failure(parseEvent({ ...BOOK_2024, [field]: value })).message).toBe(message)
  })

  test.each([
    ['seconds with a fraction', '1728799418.26'],
    ['an empty string', ''],
    ['a negative value', '-1728799418260'],
    ['a number', 1728799418260],
  ])('timestamp as %s', (_name, value) => {
    const error = failure(parseEvent({ ...TICK_SIZE_CHANGE, timestamp: value }))
    expect(error.message).toMatch(
      /^tick_size_change: field "timestamp" must be epoch milliseconds as a string of digits, got /,
    )
  })

  test.each([
    [
      'last_trade_price',
      'side',
      LAST_TRADE,
      'BID',
      'last_trade_price: field "side" must be "BUY" or "SELL", got "BID"',
    ],
    [
      'last_trade_price',
      'fee_rate_bps',
      LAST_TRADE,
      '-1',
      'last_trade_price: field "fee_rate_bps" must be a non-negative number of basis points as a string, got "-1"',
    ],
    [
      'last_trade_price',
      'transaction_hash',
      LAST_TRADE,
      5,
      'last_trade_price: field "transaction_hash" must be a string (or absent), got 5',
    ],
    [
      'tick_size_change',
      'new_tick_size',
      TICK_SIZE_CHANGE,
      '0.02',
      'tick_size_change: field "new_tick_size" must be one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001", got "0.02"',
    ],
    [
      'best_bid_ask',
      'best_bid',
      BEST_BID_ASK,
      '1.5',
      'best_bid_ask: field "best_bid" must be a price string between 0 and 1 with at most 4 decimals, or "" for an empty side, got "1.5"',
    ],
    [
      'new_market',
      'assets_ids',
      NEW_MARKET,
      ['1', ''],
      'new_market: element assets_ids[1] must be a non-empty string, got ""',
    ],
    [
      'new_market',
      'outcomes',
      NEW_MARKET,
      ['Yes', 2],
      'new_market: element outcomes[1] must be a string, got 2',
    ],
    [
      'new_market',
      'tags',
      NEW_MARKET,
      'stocks',
      'new_market: field "tags" must be an array of strings, got "stocks"',
    ],
    [
      'new_market',
      'order_price_min_tick_size',
      NEW_MARKET,
      '0.3',
      'new_market: field "order_price_min_tick_size" must be one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001", got "0.3"',
    ],
    [
      'new_market',
      'game_start_time',
      NEW_MARKET,
      false,
      'new_market: field "game_start_time" must be a string (or absent), got false',
    ],
    [
      'market_resolved',
      'assets_ids',
      MARKET_RESOLVED,
      {},
      'market_resolved: field "assets_ids" must be an array of strings, got an object',
    ],
  ])('%s with a bad "%s"', (_name, field, frame, value, message) => {
    expect(failure(parseEvent({ ...frame, [field]: value })).message).toBe(message)
  })

  test('long bad values are cut short in messages', () => {
    const error = failure(parseEvent({ ...LAST_TRADE, price: '9'.repeat(100) }))
    expect(error.message).toBe(
      `last_trade_price: field "price" must be a price string between 0 and 1 with at most 4 decimals, got "${'9'.repeat(40)}"…`,
    )
  })

  test('a value that is not text passed as a frame is an error, not a crash', () => {
    const error = failure(parseMarketFrame(42 as unknown as string))
    expect(error.message).toBe('frame must be text, got 42')
  })

  test('values JSON cannot print still give an error with an excerpt', () => {
    const cyclic: RawEvent = { event_type: 'book' }
    cyclic.self = cyclic
    expect(failure(parseMarketValue(cyclic)).excerpt).toBe('an object')
    expect(failure(parseMarketValue(10n)).message).toBe(
      'frame must be an event object or an array of event objects, got 10',
    )
  })

  test('a field getter that throws is reported, not thrown', () => {
    const hostile = {
      event_type: 'book',
      get market(): string {
        throw new Error('boom')
      },
    }
    const error = failure(parseMarketValue(hostile))
    expect(error.message).toBe('book: could not be read (boom)')
    expect(error.cause).toBeInstanceOf(Error)
  })
})

describe('properties', () => {
  const REAL_EVENTS: RawEvent[] = [
    BOOK_2024,
    BURST_FIRST_BOOK,
    BURST_FIRST_PRICE_CHANGE,
    FLAT_PRICE_CHANGE,
    BATCHED_EDITED,
    LAST_TRADE,
    TICK_SIZE_CHANGE,
    BEST_BID_ASK,
    NEW_MARKET,
    MARKET_RESOLVED,
  ]

  function isWellFormed(result: ParseResult): boolean {
    return (
      Array.isArray(result.events) &&
      Array.isArray(result.errors) &&
      result.errors.every((e) => e instanceof ParseError && e.message.length > 0) &&
      (!result.ignored || (result.events.length === 0 && result.errors.length === 0))
    )
  }

  test('parseMarketFrame never throws on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `{${s}`),
        ),
        (text) => {
          const result = parseMarketFrame(text)
          expect(isWellFormed(result)).toBe(true)
          const first = text.replace(/^[ \t\n\r]+/, '')[0]
          if (first === '{' || first === '[') expect(result.ignored).toBe(false)
        },
      ),
      { numRuns: 2000 },
    )
  })

  test('parseMarketFrame never throws on arbitrary JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseMarketFrame(JSON.stringify(value))
        expect(isWellFormed(result)).toBe(true)
        expect(result.ignored).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  test('parseMarketValue never throws on arbitrary values', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
          withTypedArray: true,
        }),
        (value) => {
          expect(isWellFormed(parseMarketValue(value))).toBe(true)
        },
      ),
      { numRuns: 2000 },
    )
  })

  test('corrupting one field of real events costs at most those events, never the frame', () => {
    const corrupted = fc
      .tuple(fc.constantFrom(...REAL_EVENTS), fc.nat(), fc.jsonValue(), fc.boolean())
      .map(([event, pick, value, nested]) => {
        const out = copy(event)
        const keys = Object.keys(out)
        const key = keys[pick % keys.length] as string
        const target = out[key]
        // Sometimes reach one level down, into an entry or level.
        if (nested && Array.isArray(target) && target.length > 0) {
          const item = target[pick % target.length] as unknown
          if (typeof item === 'object' && item !== null) {
            const itemKeys = Object.keys(item)
            if (itemKeys.length > 0) {
              ;(item as RawEvent)[itemKeys[pick % itemKeys.length] as string] = value
              return out
            }
          }
        }
        out[key] = value
        return out
      })
    fc.assert(
      fc.property(
        fc.array(fc.oneof(corrupted, fc.constantFrom(...REAL_EVENTS)), { maxLength: 8 }),
        (frame) => {
          const result = parseEvent(frame)
          expect(isWellFormed(result)).toBe(true)
          expect(result.events.length + result.errors.length).toBe(frame.length)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
