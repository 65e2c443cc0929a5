import { describe, expect, test } from 'vitest'
import { asMarketId } from '../../../domain/market.js'
import type { MarketInfo, Sport } from '../../../domain/market-info.js'
import type { EpochMs } from '../../../domain/units.js'
import { VenueError } from '../errors.js'
import {
  classifyMarketType,
  detectSport,
  discoverEsportsMarkets,
  marketStatus,
  matchesStatus,
  resolveEsportsSeries,
  type EsportsSource,
} from './esports.js'
import type { GammaEvent, GammaListFilter, GammaSport } from './gamma-client.js'

const NOW = Date.UTC(2026, 3, 5, 16, 0)

function market(overrides: Partial<MarketInfo> = {}): MarketInfo {
  return {
    conditionId: asMarketId('0x01'),
    gammaId: '1',
    slug: 'cs2-a-b-2026-04-05',
    question: 'A vs B',
    eventSlug: 'cs2-a-b-2026-04-05',
    eventTitle: 'A vs B',
    sport: 'cs2',
    marketType: 'match',
    sportsMarketType: 'moneyline',
    line: null,
    outcomes: [],
    tickSize: null,
    minOrderSize: null,
    negRisk: false,
    gameStartTime: (NOW - 60_000) as EpochMs,
    startDate: null,
    endDate: null,
    active: true,
    closed: false,
    acceptingOrders: true,
    liquidityUsd: null,
    volume24hUsd: null,
    bestBid: null,
    bestAsk: null,
    spread: null,
    lastTradePrice: null,
    secondsDelay: 3,
    clearBookOnStart: true,
    feesEnabled: null,
    feeSchedule: null,
    gameId: null,
    eventLive: null,
    eventEnded: null,
    ...overrides,
  }
}

function sportRow(sport: string, series: string): GammaSport {
  return { id: sport, sport, seriesIds: [series], tagIds: [], primaryTagId: null }
}

const ALL_ROWS = [
  sportRow('val', '10369'),
  sportRow('cs2', '10310'),
  sportRow('lol', '10311'),
  sportRow('dota2', '10309'),
]

describe('detectSport', () => {
  test('by series id, series slug, tag id, then slug prefix', () => {
    expect(detectSport({ seriesIds: ['10369'] })).toBe('valorant')
    expect(detectSport({ seriesSlugs: ['counter-strike'] })).toBe('cs2')
    expect(detectSport({ tagIds: ['1', '64', '102366'] })).toBe('dota2')
    expect(detectSport({ slugs: ['lol-t1-geng-2026-05-01'] })).toBe('lol')
    expect(detectSport({ slugs: ['val-prx-fnc-2026-05-01'] })).toBe('valorant')
  })

  test('the series id wins over a contradicting slug', () => {
    expect(detectSport({ seriesIds: ['10311'], slugs: ['cs2-x-y'] })).toBe('lol')
  })

  test('null for everything else', () => {
    expect(detectSport({ seriesSlugs: ['btc-up-or-down-5m'], slugs: ['btc-updown-5m-1'] })).toBe(
      null,
    )
    expect(detectSport({})).toBeNull()
  })
})

describe('classifyMarketType', () => {
  const base = {
    groupItemTitle: null,
    slug: 'cs2-a-b',
    eventSlug: 'cs2-a-b',
    sport: 'cs2' as Sport,
  }
  test.each([
    [{ sportsMarketType: 'moneyline' }, 'match'],
    [{ sportsMarketType: 'child_moneyline', slug: 'cs2-a-b-game1' }, 'map'],
    [{ sportsMarketType: 'map_handicap' }, 'other'],
    [{ sportsMarketType: 'totals' }, 'other'],
    [{ sportsMarketType: null, groupItemTitle: 'Map 1 Winner', slug: 'x' }, 'map'],
    [{ sportsMarketType: null, groupItemTitle: 'Game 3 Winner', slug: 'x' }, 'map'],
    [{ sportsMarketType: null, groupItemTitle: 'Match Winner', slug: 'x' }, 'match'],
    [{ sportsMarketType: null, slug: 'lol-a-b-game2' }, 'map'],
    [{ sportsMarketType: null, slug: 'cs2-a-b-map-2' }, 'map'],
    [{ sportsMarketType: null }, 'match'],
    [{ sportsMarketType: null, slug: 'cs2-a-b-total-maps-2pt5' }, 'other'],
    [{ sportsMarketType: null, sport: null }, 'other'],
  ] as const)('%j -> %s', (overrides, expected) => {
    expect(classifyMarketType({ ...base, ...overrides })).toBe(expected)
  })
})

describe('status', () => {
  test('live once the game started, upcoming before, closed and ended apart', () => {
    expect(marketStatus(market(), NOW)).toBe('live')
    expect(marketStatus(market({ gameStartTime: NOW as EpochMs }), NOW)).toBe('live')
    expect(marketStatus(market({ gameStartTime: (NOW + 1) as EpochMs }), NOW)).toBe('upcoming')
    expect(marketStatus(market({ closed: true }), NOW)).toBe('closed')
    expect(marketStatus(market({ eventEnded: true }), NOW)).toBe('ended')
    expect(marketStatus(market({ gameStartTime: null }), NOW)).toBe('unscheduled')
    expect(marketStatus(market({ gameStartTime: null, eventLive: true }), NOW)).toBe('live')
  })

  test('filters', () => {
    const live = market()
    const upcoming = market({ gameStartTime: (NOW + 3_600_000) as EpochMs })
    const closed = market({ closed: true, gameStartTime: (NOW + 3_600_000) as EpochMs })
    const unscheduled = market({ gameStartTime: null })
    const pick = (filter: 'live' | 'upcoming' | 'all') =>
      [live, upcoming, closed, unscheduled].map((m) => matchesStatus(m, filter, NOW))
    expect(pick('live')).toEqual([true, false, false, false])
    expect(pick('upcoming')).toEqual([false, true, false, false])
    expect(pick('all')).toEqual([true, true, false, true])
  })
})

describe('resolveEsportsSeries', () => {
  test('the defaults match what /sports lists: no notes', () => {
    const { seriesIds, notes } = resolveEsportsSeries(ALL_ROWS)
    expect(seriesIds).toEqual({ valorant: '10369', cs2: '10310', lol: '10311', dota2: '10309' })
    expect(notes).toEqual([])
  })

  test('Gamma wins when it differs; a missing title keeps its default; both are noted', () => {
    const rows = [sportRow('cs2', '99999'), sportRow('lol', '10311')]
    const { seriesIds, notes } = resolveEsportsSeries(rows, ['cs2', 'lol', 'valorant'])
    expect(seriesIds.cs2).toBe('99999')
    expect(seriesIds.valorant).toBe('10369')
    expect(notes).toEqual([
      'Gamma /sports has no series for Valorant (codes val, valorant); using the default series 10369',
      'Gamma /sports lists series 99999 for CS2 (default 10310); using 99999',
    ])
  })
})

describe('discoverEsportsMarkets', () => {
  function event(markets: MarketInfo[]): GammaEvent {
    return {
      id: '1',
      slug: 'e',
      title: 'E',
      sport: null,
      startTime: null,
      live: null,
      ended: null,
      score: null,
      period: null,
      markets,
    }
  }

  function source(
    eventsBySeries: Record<string, MarketInfo[]>,
    sports: () => Promise<readonly GammaSport[]> = () => Promise.resolve(ALL_ROWS),
  ): EsportsSource & { filters: GammaListFilter[] } {
    const filters: GammaListFilter[] = []
    return {
      filters,
      getSports: async () => ({ sports: await sports(), problems: [] }),
      listEvents: (filter) => {
        filters.push(filter)
        const markets = eventsBySeries[filter.seriesId ?? ''] ?? []
        return Promise.resolve({
          events: [event(markets)],
          problems: [],
          pages: 1,
          truncated: false,
        })
      },
    }
  }

  test('asks each chosen series for open events and keeps the status filter', async () => {
    const live = market({ conditionId: asMarketId('0xa') })
    const upcoming = market({
      conditionId: asMarketId('0xb'),
      gameStartTime: (NOW + 60_000) as EpochMs,
    })
    const fake = source({ '10310': [live, upcoming, live], '10369': [] })
    const result = await discoverEsportsMarkets(fake, {
      sports: ['cs2', 'valorant'],
      status: 'live',
      nowMs: NOW,
    })
    expect(result.markets.map((m) => m.conditionId)).toEqual(['0xa'])
    expect(fake.filters).toEqual([
      expect.objectContaining({ seriesId: '10310', active: true, closed: false }),
      expect.objectContaining({ seriesId: '10369', active: true, closed: false }),
    ])
    expect(result.notes).toEqual([])
  })

  test('a /sports HTTP error falls back to the default series, with a note', async () => {
    const error = new VenueError(
      'HTTP_ERROR',
      { method: 'GET', url: 'http://g/sports' },
      'failed: HTTP 404 x',
      {
        status: 404,
      },
    )
    const fake = source({ '10310': [market()] }, () => Promise.reject(error))
    const result = await discoverEsportsMarkets(fake, { sports: ['cs2'], nowMs: NOW })
    expect(result.markets).toHaveLength(1)
    expect(result.notes).toEqual([
      'could not verify series ids (GET http://g/sports failed: HTTP 404 x); using the defaults',
    ])
  })

  test('an unreachable venue fails the call', async () => {
    const error = new VenueError('NETWORK', { method: 'GET', url: 'http://g/sports' }, 'failed', {
      retryable: true,
    })
    const fake = source({}, () => Promise.reject(error))
    await expect(discoverEsportsMarkets(fake, { nowMs: NOW })).rejects.toBe(error)
  })

  test('verifySeries false skips /sports', async () => {
    const fake = source({ '10309': [market()] }, () => Promise.reject(new Error('not called')))
    const result = await discoverEsportsMarkets(fake, {
      sports: ['dota2'],
      nowMs: NOW,
      verifySeries: false,
    })
    expect(result.markets).toHaveLength(1)
  })
})
