import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, test } from 'vitest'
import { LocalHttpVenue, type RecordedRequest } from '../../../../test/support/local-http-venue.js'
import { VenueError } from '../errors.js'
import type { SleepFunction } from '../rest/http.js'
import { GammaClient } from './gamma-client.js'

const FIXTURES = new URL('../../../../test/fixtures/polymarket/gamma/', import.meta.url)

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as unknown
}

type Json = Record<string, unknown>
const MONEYLINE = fixture('market-cs2-moneyline-2026-04.json') as Json
const HANDICAP = fixture('market-cs2-map-handicap-2026-04.json') as Json
const CRYPTO = fixture('market-crypto-updown-5m-2026-03.json') as Json
const EVENTS = fixture('events-list-neg-risk-2026.json') as Json[]

const noSleep: SleepFunction = () => Promise.resolve()

let venue: LocalHttpVenue | undefined

afterEach(async () => {
  await venue?.close()
  venue = undefined
})

async function clientFor(routes: Parameters<typeof LocalHttpVenue.start>[0]) {
  venue = await LocalHttpVenue.start(routes)
  return new GammaClient({ baseUrl: venue.url, sleep: noSleep, random: () => 0 })
}

/** Serves `items` by limit/offset, as Gamma does. */
function paged(items: readonly unknown[]) {
  return (request: RecordedRequest) => {
    const limit = Number(request.query.get('limit'))
    const offset = Number(request.query.get('offset'))
    return { body: items.slice(offset, offset + limit) }
  }
}

function withId(market: Json, id: number): Json {
  return { ...market, id: String(id), conditionId: `0x${id.toString(16).padStart(64, '0')}` }
}

describe('listMarkets on real Gamma markets', () => {
  test('the CS2 moneyline becomes a complete MarketInfo', async () => {
    const gamma = await clientFor({ 'GET /markets': { body: [MONEYLINE, HANDICAP, CRYPTO] } })
    const { markets, problems } = await gamma.listMarkets()
    expect(problems).toEqual([])
    expect(markets).toHaveLength(3)
    expect(markets[0]).toEqual({
      conditionId: '0x202abb9a80673068ec5ce9294d60e31eeaf3ab5c82fb21fb0c9142e5d0cab385',
      questionId: '0xb084f5a549f99a11356d895a6e4c910f1dd67a3fbd0f0e5ef8f25d5a09000f54',
      gammaId: '1878152',
      slug: 'cs2-faze-ill-2026-04-05',
      question: 'Counter-Strike: FaZe vs illwill (BO3) - HLC Belgrade Pro Playoffs',
      eventSlug: 'cs2-faze-ill-2026-04-05',
      eventTitle: 'Counter-Strike: FaZe vs illwill (BO3) - HLC Belgrade Pro Playoffs',
      sport: 'cs2',
      marketType: 'match',
      sportsMarketType: 'moneyline',
      line: null,
      outcomes: [
        {
          name: 'FaZe',
          tokenId: '89972346417086440659189114668296975440208562769200022591480064439842896371398',
          price: 10000,
        },
        {
          name: 'illwill',
          tokenId: '90510951248295963583566830308208121966213462932425555585207203442852394431867',
          price: 0,
        },
      ],
      tickSize: 10,
      minOrderSize: 5_000_000,
      negRisk: false,
      gameStartTime: Date.UTC(2026, 3, 5, 15, 10),
      startDate: Date.parse('2026-04-05T14:02:57.374Z'),
      endDate: Date.UTC(2026, 3, 5, 21, 10),
      active: true,
      closed: true,
      acceptingOrders: false,
      liquidityUsd: null,
      volume24hUsd: 25_072_141_290,
      bestBid: 9990,
      bestAsk: 10000,
      spread: 10,
      lastTradePrice: 9990,
      secondsDelay: 3,
      clearBookOnStart: true,
      feesEnabled: true,
      feeSchedule: { rate: 0.03, exponent: 1, takerOnly: true, rebateRate: 0.25 },
      gameId: '1427074',
      eventLive: false,
      eventEnded: true,
    })
  })

  test('the map handicap is "other" with its line; the crypto market has no sport', async () => {
    const gamma = await clientFor({ 'GET /markets': { body: [HANDICAP, CRYPTO] } })
    const [handicap, crypto] = (await gamma.listMarkets()).markets
    expect(handicap?.marketType).toBe('other')
    expect(handicap?.sportsMarketType).toBe('map_handicap')
    expect(handicap?.line).toBe(-1.5)
    expect(handicap?.liquidityUsd).toBe(0)
    expect(handicap?.sport).toBe('cs2')
    expect(crypto?.sport).toBeNull()
    expect(crypto?.marketType).toBe('other')
    expect(crypto?.liquidityUsd).toBe(20_328_374_700)
    expect(crypto?.tickSize).toBe(100)
    expect(crypto?.outcomes.map((o) => [o.name, o.price])).toEqual([
      ['Up', 5050],
      ['Down', 4950],
    ])
    // No gameStartTime: the market's eventStartTime stands in.
    expect(crypto?.gameStartTime).toBe(Date.UTC(2026, 2, 12, 9, 20))
    expect(crypto?.secondsDelay).toBeNull()
    expect(crypto?.gameId).toBeNull()
  })

  test('sends the filters and walks pages until a short one', async () => {
    const items = [1, 2, 3, 4, 5].map((id) => withId(CRYPTO, id))
    const gamma = await clientFor({ 'GET /markets': paged(items) })
    const result = await gamma.listMarkets({
      tagId: '64',
      active: true,
      closed: false,
      order: 'volume24hr',
      ascending: false,
      pageSize: 2,
    })
    expect(result.markets.map((m) => m.gammaId)).toEqual(['1', '2', '3', '4', '5'])
    expect(result.pages).toBe(3)
    expect(result.truncated).toBe(false)
    const queries = venue?.requests.map((r) => r.query.toString())
    expect(queries).toEqual([
      'tag_id=64&active=true&closed=false&order=volume24hr&ascending=false&limit=2&offset=0',
      'tag_id=64&active=true&closed=false&order=volume24hr&ascending=false&limit=2&offset=2',
      'tag_id=64&active=true&closed=false&order=volume24hr&ascending=false&limit=2&offset=4',
    ])
  })

  test('a full last page costs one more request, answered empty', async () => {
    const items = [1, 2, 3, 4].map((id) => withId(CRYPTO, id))
    const gamma = await clientFor({ 'GET /markets': paged(items) })
    const result = await gamma.listMarkets({ pageSize: 2 })
    expect(result.markets).toHaveLength(4)
    expect(result.pages).toBe(3)
  })

  test('stops at maxPages and says the listing is truncated', async () => {
    const items = [1, 2, 3, 4, 5].map((id) => withId(CRYPTO, id))
    const gamma = await clientFor({ 'GET /markets': paged(items) })
    const result = await gamma.listMarkets({ pageSize: 2, maxPages: 2 })
    expect(result.markets).toHaveLength(4)
    expect(result.truncated).toBe(true)
  })

  test('a market repeated across pages is listed once', async () => {
    const items = [withId(CRYPTO, 1), withId(CRYPTO, 2), withId(CRYPTO, 2)]
    const gamma = await clientFor({ 'GET /markets': paged(items) })
    expect((await gamma.listMarkets({ pageSize: 2 })).markets).toHaveLength(2)
  })
})

describe('malformed markets are reported and skipped', () => {
  test('broken JSON inside clobTokenIds', async () => {
    const broken = { ...withId(CRYPTO, 2), clobTokenIds: '["1042398980388071", ' }
    const gamma = await clientFor({ 'GET /markets': { body: [withId(CRYPTO, 1), broken] } })
    const { markets, problems } = await gamma.listMarkets()
    expect(markets.map((m) => m.gammaId)).toEqual(['1'])
    expect(problems).toHaveLength(1)
    expect(problems[0]?.index).toBe(1)
    expect(problems[0]?.error.code).toBe('BAD_BODY')
    expect(problems[0]?.error.message).toBe(
      `GET ${venue?.url}/markets?limit=100&offset=0 returned an unexpected body: ` +
        '[1].clobTokenIds: "[\\"1042398980388071\\", " is not a JSON array of strings',
    )
  })

  test('outcomes that are not strings, and a token id that is not digits', async () => {
    const gamma = await clientFor({
      'GET /markets': {
        body: [
          { ...withId(CRYPTO, 1), outcomes: '["Up", 2]' },
          { ...withId(CRYPTO, 2), clobTokenIds: '["0xabc", "12"]' },
        ],
      },
    })
    const { problems } = await gamma.listMarkets()
    expect(problems.map((p) => p.error.message.split(' body: ')[1])).toEqual([
      '[0].outcomes: "[\\"Up\\", 2]" is not a JSON array of strings',
      '[1].clobTokenIds[0]: is not a token id (decimal digits)',
    ])
  })

  test('outcomes and token ids of different lengths', async () => {
    const gamma = await clientFor({
      'GET /markets': { body: [{ ...CRYPTO, outcomes: '["Up", "Down", "Flat"]' }] },
    })
    const { problems } = await gamma.listMarkets()
    expect(problems[0]?.error.message).toContain(
      '[0].outcomes: has 3 entries but clobTokenIds has 2',
    )
  })

  test('a wrong field type and a market without tokens', async () => {
    const gamma = await clientFor({
      'GET /markets': {
        body: [
          { ...CRYPTO, orderPriceMinTickSize: true, secondsDelay: '3' },
          { ...withId(CRYPTO, 2), clobTokenIds: null },
        ],
      },
    })
    const { problems } = await gamma.listMarkets()
    expect(problems[0]?.error.message).toContain(
      '[0].orderPriceMinTickSize: expected number or string, received boolean; ' +
        '[0].secondsDelay: expected number, received string',
    )
    expect(problems[1]?.error.message).toContain(
      '[1].clobTokenIds: missing: the market lists no CLOB tokens (no order book)',
    )
  })

  test('a page that is not a list fails the call', async () => {
    const gamma = await clientFor({ 'GET /markets': { body: { error: 'maintenance' } } })
    const e: unknown = await gamma.listMarkets().catch((error: unknown) => error)
    expect(e).toBeInstanceOf(VenueError)
    expect((e as VenueError).message).toContain(
      'returned an unexpected body: (the body itself): expected array, received object',
    )
  })
})

describe('listEvents', () => {
  test('the real neg-risk event list: one event, its two markets', async () => {
    const gamma = await clientFor({ 'GET /events': { body: EVENTS } })
    const { events, problems } = await gamma.listEvents({ closed: false })
    expect(problems).toEqual([])
    expect(events).toHaveLength(1)
    const [event] = events
    expect(event?.slug).toBe('democratic-presidential-nominee-2028')
    expect(event?.sport).toBeNull()
    expect(event?.markets).toHaveLength(2)
    const market = event?.markets[0]
    expect(market?.negRisk).toBe(true)
    expect(market?.eventSlug).toBe('democratic-presidential-nominee-2028')
    expect(market?.outcomes.map((o) => [o.name, o.price])).toEqual([
      ['Yes', 105],
      ['No', 9895],
    ])
    expect(market?.liquidityUsd).toBe(400_500_666_750)
    expect(market?.gameStartTime).toBe(Date.UTC(2028, 10, 7, 12))
  })

  test('the queried sport labels the markets; a bad market inside an event is reported', async () => {
    const event = {
      ...((MONEYLINE.events as Json[])[0] as Json),
      markets: [MONEYLINE, { ...HANDICAP, outcomePrices: '["1", "2"]' }],
    }
    const gamma = await clientFor({ 'GET /events': { body: [event] } })
    const { events, problems } = await gamma.listEvents({ seriesId: '10310' }, { sport: 'cs2' })
    expect(venue?.requests[0]?.query.get('series_id')).toBe('10310')
    expect(events[0]?.sport).toBe('cs2')
    expect(events[0]?.score).toBe('000-000|2-0|Bo3')
    expect(events[0]?.period).toBe('2/3')
    expect(events[0]?.markets.map((m) => m.slug)).toEqual(['cs2-faze-ill-2026-04-05'])
    expect(problems[0]?.error.message).toContain(
      '[0].markets[1].outcomePrices[1]: "2" is not a price between 0 and 1',
    )
  })
})

describe('getSports', () => {
  test('splits the comma-separated tags and series', async () => {
    // Row quoted in the protocol reference from a verbatim /sports capture (image elided).
    const row = {
      id: 37,
      sport: 'cs2',
      name: 'CS2',
      resolution: 'https://www.hltv.org/',
      ordering: 'away',
      tags: '1,100639,64,100780',
      primaryTagId: 100780,
      series: '10310',
    }
    const gamma = await clientFor({ 'GET /sports': { body: [row, { id: 1 }] } })
    const { sports, problems } = await gamma.getSports()
    expect(sports).toEqual([
      {
        id: '37',
        sport: 'cs2',
        seriesIds: ['10310'],
        tagIds: ['1', '100639', '64', '100780'],
        primaryTagId: '100780',
      },
    ])
    expect(problems[0]?.error.message).toContain('[1].sport: missing (expected string)')
  })
})
