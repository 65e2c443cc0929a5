/**
 * Gamma (discovery) routes under the simulator's Gamma base: `/events`, `/markets`, `/sports`,
 * in Gamma's shapes (arrays as JSON inside strings, ids as strings, limit/offset pagination).
 * The scenario's match is a Valorant event (series 10369).
 */
import type { Scenario, SimEventInfo, SimMarketInfo } from './scenario.js'
import type { RouteReply } from './http-util.js'

export const VALORANT_SERIES_ID = '10369'
const VALORANT_TAG_ID = '101672'
const ESPORTS_TAG_ID = '64'

function gammaMarket(
  scenario: Scenario,
  event: SimEventInfo,
  market: SimMarketInfo,
  withEvent: boolean,
): Record<string, unknown> {
  const yes = scenario.trueBook(market.tokens[0])
  const bid = yes?.bestBid() ?? null
  const ask = yes?.bestAsk() ?? null
  const mid = bid !== null && ask !== null ? (bid + ask) / 20_000 : 0.5
  // Liquidity as Gamma reports it: USD resting on both sides of the YES book (top 10 levels).
  const liquidity = yes === undefined ? 0 : yes.depthUsd('bid', 10) + yes.depthUsd('ask', 10)
  const body: Record<string, unknown> = {
    id: market.id,
    conditionId: market.conditionId,
    slug: market.slug,
    question: market.question,
    outcomes: JSON.stringify(market.outcomes),
    outcomePrices: JSON.stringify([mid.toFixed(3), (1 - mid).toFixed(3)]),
    clobTokenIds: JSON.stringify(market.tokens),
    active: true,
    closed: market.closed,
    archived: false,
    acceptingOrders: !market.closed,
    enableOrderBook: true,
    negRisk: false,
    orderPriceMinTickSize: Number(market.tickSize),
    orderMinSize: Number(market.minOrderSize),
    bestBid: bid === null ? null : bid / 10_000,
    bestAsk: ask === null ? null : ask / 10_000,
    spread: bid !== null && ask !== null ? (ask - bid) / 10_000 : null,
    liquidityNum: Math.round(liquidity * 100) / 100,
    liquidity: (Math.round(liquidity * 100) / 100).toFixed(2),
    gameStartTime: event.startTime,
    sportsMarketType: market.sportsMarketType,
    groupItemTitle: market.groupItemTitle,
  }
  if (withEvent) body['events'] = [gammaEvent(scenario, event, false)]
  return body
}

function gammaEvent(
  scenario: Scenario,
  event: SimEventInfo,
  withMarkets: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: event.id,
    slug: event.slug,
    title: event.title,
    startTime: event.startTime,
    seriesSlug: 'valorant',
    series: [{ id: VALORANT_SERIES_ID, slug: 'valorant' }],
    tags: [
      { id: ESPORTS_TAG_ID, slug: 'esports' },
      { id: VALORANT_TAG_ID, slug: 'valorant' },
    ],
    active: true,
    closed: event.ended,
    live: event.live,
    ended: event.ended,
    score: event.score,
    period: event.period,
  }
  if (withMarkets)
    body['markets'] = event.markets.map((m) => gammaMarket(scenario, event, m, false))
  return body
}

function page<T>(items: readonly T[], query: URLSearchParams): RouteReply {
  const limit = query.get('limit')
  const offset = query.get('offset')
  const n = limit === null ? 100 : Number(limit)
  const start = offset === null ? 0 : Number(offset)
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(start) || start < 0) {
    return { status: 422, body: { error: 'limit and offset must be non-negative integers' } }
  }
  return { status: 200, body: items.slice(start, start + n) }
}

/** Events that pass the `series_id`, `tag_id` and `closed` filters. */
function matching(scenario: Scenario, query: URLSearchParams): readonly SimEventInfo[] {
  const series = query.get('series_id')
  const tag = query.get('tag_id')
  const closed = query.get('closed')
  return scenario.events().filter((event) => {
    if (series !== null && series !== VALORANT_SERIES_ID) return false
    if (tag !== null && tag !== VALORANT_TAG_ID && tag !== ESPORTS_TAG_ID) return false
    if (closed !== null && String(event.ended) !== closed) return false
    return true
  })
}

/** Answers a Gamma GET (`path` relative to the Gamma base); null for an unknown path. */
export function gammaGet(
  scenario: Scenario,
  path: string,
  query: URLSearchParams,
): RouteReply | null {
  switch (path) {
    case '/events':
      return page(
        matching(scenario, query).map((e) => gammaEvent(scenario, e, true)),
        query,
      )
    case '/markets':
      return page(
        matching(scenario, query).flatMap((e) =>
          e.markets.map((m) => gammaMarket(scenario, e, m, true)),
        ),
        query,
      )
    case '/sports':
      return {
        status: 200,
        body: [
          {
            id: 71,
            sport: 'val',
            image: '',
            resolution: '',
            ordering: 'home',
            tags: `1,${ESPORTS_TAG_ID},${VALORANT_TAG_ID}`,
            series: VALORANT_SERIES_ID,
          },
        ],
      }
    default:
      return null
  }
}
