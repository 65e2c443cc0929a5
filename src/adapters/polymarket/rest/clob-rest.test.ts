import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, test } from 'vitest'
import { LocalHttpVenue } from '../../../../test/support/local-http-venue.js'
import { VenueError } from '../errors.js'
import { ClobRestClient } from './clob-rest.js'
import type { SleepFunction } from './http.js'

const FIXTURES = new URL('../../../../test/fixtures/polymarket/rest/', import.meta.url)

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>
}

/** Real 2024 `/book` (pre-2025 shape). */
const BOOK_2024 = fixture('book-2024-10-pre-2025-shape.json')
const BOOK_TOKEN = '23360939988679364027624185518382759743328544433592111535569478055890815567848'
/**
 * The same real book with the four fields books have carried since 2025, in the documented
 * types (strings for sizes and prices, boolean neg_risk).
 */
const BOOK_CURRENT = {
  ...BOOK_2024,
  min_order_size: '5',
  tick_size: '0.01',
  neg_risk: false,
  last_trade_price: '0.12',
}

const noSleep: SleepFunction = () => Promise.resolve()

let venue: LocalHttpVenue | undefined

afterEach(async () => {
  await venue?.close()
  venue = undefined
})

async function clientFor(routes: Parameters<typeof LocalHttpVenue.start>[0]) {
  venue = await LocalHttpVenue.start(routes)
  return new ClobRestClient({ baseUrl: venue.url, sleep: noSleep, random: () => 0 })
}

async function failure(promise: Promise<unknown>): Promise<VenueError> {
  const e: unknown = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  )
  if (!(e instanceof VenueError)) throw e
  return e
}

describe('getBook', () => {
  test('parses the real 2024 book into domain units', async () => {
    const clob = await clientFor({ 'GET /book': { body: BOOK_2024 } })
    const book = await clob.getBook(BOOK_TOKEN)
    expect(venue?.requests[0]?.query.get('token_id')).toBe(BOOK_TOKEN)
    expect(book.type).toBe('book')
    expect(book.market).toBe('0x1a4f04c2e6c000d9fc524eb12e7333217411a226c34745af140f195c0227cd5f')
    expect(book.assetId).toBe(BOOK_TOKEN)
    expect(book.tsVenue).toBe(1728799418260)
    expect(book.hash).toBe('2fc4a3d6a98bc164e057589bcb74981852b87412')
    expect(book.bids).toEqual([
      { price: 100, size: 1_000_000_000 },
      { price: 600, size: 200_000_000 },
      { price: 800, size: 120_000_000 },
      { price: 900, size: 294_000_000 },
      { price: 1000, size: 125_000_000 },
    ])
    expect(book.asks).toHaveLength(7)
    expect(book.asks[4]).toEqual({ price: 3800, size: 192_300_000 })
    expect(book.tickSize).toBeUndefined()
    expect(book.lastTradePrice).toBeUndefined()
    expect(book.minOrderSize).toBeNull()
    expect(book.negRisk).toBeNull()
  })

  test('reads tick size, min order size, neg risk and last trade from a current book', async () => {
    const clob = await clientFor({ 'GET /book': { body: BOOK_CURRENT } })
    const book = await clob.getBook(BOOK_TOKEN)
    expect(book.tickSize).toBe(100)
    expect(book.minOrderSize).toBe(5_000_000)
    expect(book.negRisk).toBe(false)
    expect(book.lastTradePrice).toBe(1200)
  })

  test('an empty side sent as null is an empty side', async () => {
    const clob = await clientFor({ 'GET /book': { body: { ...BOOK_2024, bids: null } } })
    expect((await clob.getBook(BOOK_TOKEN)).bids).toEqual([])
  })

  test('a wrong field type is BAD_BODY naming the field', async () => {
    const bids = [
      { price: '0.01', size: '1000' },
      { price: 0.06, size: '200' },
    ]
    const clob = await clientFor({ 'GET /book': { body: { ...BOOK_2024, bids } } })
    const e = await failure(clob.getBook(BOOK_TOKEN))
    expect(e.code).toBe('BAD_BODY')
    expect(e.retryable).toBe(false)
    expect(e.message).toBe(
      `GET ${venue?.url}/book?token_id=${BOOK_TOKEN} returned an unexpected body: ` +
        'bids[1].price: expected string, received number',
    )
  })

  test('a price outside 0..1, a bad size and a missing timestamp are each named', async () => {
    const { timestamp: _dropped, ...noTimestamp } = BOOK_2024
    const body = {
      ...noTimestamp,
      asks: [
        { price: '1.5', size: '1' },
        { price: '0.5', size: '-3' },
      ],
    }
    const clob = await clientFor({ 'GET /book': { body } })
    const e = await failure(clob.getBook(BOOK_TOKEN))
    expect(e.message).toContain('timestamp: missing (expected number or string)')
    expect(e.message).toContain('asks[0].price: "1.5" is not a price between 0 and 1')
    expect(e.message).toContain('asks[1].size: "-3" is not a non-negative size')
  })

  test('a book for another token is BAD_BODY', async () => {
    const clob = await clientFor({ 'GET /book': { body: BOOK_2024 } })
    const e = await failure(clob.getBook('42'))
    expect(e.code).toBe('BAD_BODY')
    expect(e.message).toContain(`asset_id: "${BOOK_TOKEN}" is not the requested token`)
  })

  test('a token without a book is a 404 VenueError, not retried', async () => {
    const clob = await clientFor({
      'GET /book': {
        status: 404,
        body: { error: 'No orderbook exists for the requested token id' },
      },
    })
    const e = await failure(clob.getBook('42'))
    expect(e.code).toBe('HTTP_ERROR')
    expect(e.status).toBe(404)
    expect(e.message).toBe(
      `GET ${venue?.url}/book?token_id=42 failed: HTTP 404 {"error":"No orderbook exists for the requested token id"}`,
    )
    expect(venue?.requests).toHaveLength(1)
  })

  test('a body that is not JSON is NOT_JSON', async () => {
    const clob = await clientFor({ 'GET /book': { body: 'upstream connect error' } })
    const e = await failure(clob.getBook('42'))
    expect(e.code).toBe('NOT_JSON')
    expect(e.message).toContain('returned a body that is not JSON: upstream connect error')
  })

  test('rides out a matching-engine restart (425) and a rate limit', async () => {
    const clob = await clientFor({
      'GET /book': [
        { status: 425 },
        { status: 429, headers: { 'retry-after': '1' } },
        { body: BOOK_2024 },
      ],
    })
    expect((await clob.getBook(BOOK_TOKEN)).bids).toHaveLength(5)
    expect(venue?.requests).toHaveLength(3)
  })
})

describe('getBooks', () => {
  test('POSTs [{token_id}] and parses every book', async () => {
    const other = { ...BOOK_CURRENT, asset_id: '77', bids: [], asks: [] }
    const clob = await clientFor({ 'POST /books': { body: [BOOK_2024, other] } })
    const books = await clob.getBooks([BOOK_TOKEN, '77', '78'])
    expect(JSON.parse(venue?.requests[0]?.body ?? '')).toEqual([
      { token_id: BOOK_TOKEN },
      { token_id: '77' },
      { token_id: '78' },
    ])
    expect(books.map((b) => b.assetId)).toEqual([BOOK_TOKEN, '77'])
    expect(books[1]?.tickSize).toBe(100)
  })

  test('names the bad book by position', async () => {
    const clob = await clientFor({
      'POST /books': { body: [BOOK_2024, { ...BOOK_2024, market: 7 }] },
    })
    const e = await failure(clob.getBooks([BOOK_TOKEN]))
    expect(e.message).toContain('[1].market: expected string, received number')
  })

  test('makes no request for no tokens', async () => {
    const clob = await clientFor({})
    expect(await clob.getBooks([])).toEqual([])
    expect(venue?.requests).toHaveLength(0)
  })
})

describe('tick size, fee rate, neg risk', () => {
  test('tick size as the documented number and as a string', async () => {
    const clob = await clientFor({
      'GET /tick-size': [
        { body: { minimum_tick_size: 0.01 } },
        { body: { minimum_tick_size: '0.001' } },
      ],
    })
    expect(await clob.getTickSize('1')).toBe(100)
    expect(await clob.getTickSize('1')).toBe(10)
    expect(venue?.requests[0]?.query.get('token_id')).toBe('1')
  })

  test('an unknown tick size is BAD_BODY', async () => {
    const clob = await clientFor({ 'GET /tick-size': { body: { minimum_tick_size: 0.02 } } })
    const e = await failure(clob.getTickSize('1'))
    expect(e.message).toContain(
      'minimum_tick_size: 0.02 is not a tick size (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001)',
    )
  })

  test('fee rate in basis points, number or string', async () => {
    const clob = await clientFor({
      'GET /fee-rate': [
        { body: { base_fee: 30 } },
        { body: { base_fee: '150' } },
        { body: { fee: 1 } },
      ],
    })
    expect(await clob.getFeeRate('1')).toBe(30)
    expect(await clob.getFeeRate('1')).toBe(150)
    const e = await failure(clob.getFeeRate('1'))
    expect(e.message).toContain('base_fee: missing (expected number or string)')
  })

  test('neg risk', async () => {
    const clob = await clientFor({
      'GET /neg-risk': [{ body: { neg_risk: true } }, { body: { neg_risk: 'yes' } }],
    })
    expect(await clob.getNegRisk('1')).toBe(true)
    const e = await failure(clob.getNegRisk('1'))
    expect(e.message).toContain('neg_risk: expected boolean, received string')
  })
})

describe('markets', () => {
  test('parses the real neg-risk market', async () => {
    const conditionId = '0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917'
    const clob = await clientFor({
      [`GET /markets/${conditionId}`]: { body: fixture('clob-market-2024-neg-risk.json') },
    })
    const market = await clob.getMarket(conditionId)
    expect(market.conditionId).toBe(conditionId)
    expect(market.negRisk).toBe(true)
    expect(market.tickSize).toBe(10)
    expect(market.minOrderSize).toBe(5_000_000)
    expect(market.gameStartTime).toBeNull()
    expect(market.endDate).toBe(Date.UTC(2024, 10, 5))
    expect(market.tokens.map((t) => [t.outcome, t.price])).toEqual([
      ['Yes', 4865],
      ['No', 5135],
    ])
    expect(market.tokens[0]?.tokenId).toBe(
      '21742633143463906290569050155826241533067272736897614950488156847949938836455',
    )
  })

  test('parses the real 2026 market with game start and delay', async () => {
    const conditionId = '0xd57eed0d44f5b8ca54925d8d6ff440b146b3e6e071da18136ee3ee572d34479e'
    const clob = await clientFor({
      [`GET /markets/${conditionId}`]: { body: fixture('clob-market-2026-game-start-delay.json') },
    })
    const market = await clob.getMarket(conditionId)
    expect(market.gameStartTime).toBe(Date.UTC(2026, 4, 8, 20))
    expect(market.secondsDelay).toBe(0)
    expect(market.closed).toBe(true)
    expect(market.acceptingOrders).toBe(true)
    expect(market.enableOrderBook).toBe(false)
    expect(market.tokens.map((t) => t.winner)).toEqual([true, false])
  })

  test('a real /markets page: good markets parsed, the placeholder one reported', async () => {
    const clob = await clientFor({
      'GET /markets': { body: fixture('clob-markets-page-excerpt.json') },
    })
    const page = await clob.getMarketsPage()
    expect(venue?.requests[0]?.query.get('next_cursor')).toBe('MA==')
    expect(page.nextCursor).toBe('MTAw')
    expect(page.markets).toHaveLength(6)
    expect(page.problems).toHaveLength(1)
    expect(page.problems[0]?.index).toBe(2)
    expect(page.problems[0]?.error.message).toContain(
      'data[2].tokens[0].token_id: is empty; data[2].tokens[1].token_id: is empty',
    )
    expect(page.markets.map((m) => m.secondsDelay)).toEqual([0, 0, 0, 2, 3, 3])
    expect(page.markets.map((m) => m.minOrderSize)).toEqual([
      5_000_000, 5_000_000, 14_960_000, 15_000_000, 15_000_000, 14_970_000,
    ])
    expect(page.markets[5]?.gameStartTime).toBe(Date.parse('2022-07-15T00:05:00.414Z'))
  })

  test('the terminal cursor ends the listing', async () => {
    const clob = await clientFor({ 'GET /markets': { body: { data: [], next_cursor: 'LTE=' } } })
    expect((await clob.getMarketsPage('MTAw')).nextCursor).toBeNull()
  })
})
