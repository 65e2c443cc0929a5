/**
 * Gamma, the venue's discovery API: events (one per match) with their markets, markets, and
 * `/sports`. Lists are walked with limit/offset until a short page. Each market is decoded on
 * its own: a malformed one is reported as an {@link ItemProblem} and the rest still arrive.
 */
import type { MarketInfo, Sport } from '../../../domain/market-info.js'
import { asMarketId, asTokenId } from '../../../domain/market.js'
import type { EpochMs } from '../../../domain/units.js'
import type { VenueRequest } from '../errors.js'
import { decodeBody, decodeItems, type ItemProblem } from '../rest/codecs.js'
import { buildUrl, fetchJson, type HttpOptions, type QueryValue } from '../rest/http.js'
import { classifyMarketType, detectSport } from './esports.js'
import {
  gammaEventSchema,
  gammaListSchema,
  gammaMarketSchema,
  gammaSportSchema,
  type GammaEventBody,
  type GammaMarketBody,
} from './schemas.js'

export type GammaClientOptions = HttpOptions & {
  /** E.g. `https://gamma-api.polymarket.com`. */
  readonly baseUrl: string
}

/** Filters shared by `/events` and `/markets`, named as Gamma names them in the comments. */
export type GammaListFilter = {
  /** `series_id`: one esports title (CS2 is 10310). */
  readonly seriesId?: string
  /** `tag_id`. */
  readonly tagId?: string
  readonly active?: boolean
  /** Gamma's default is `false` (since 2026-04); pass `true` for resolved markets. */
  readonly closed?: boolean
  /** Sort field, e.g. `liquidity`, `volume24hr`, `volume`, `startDate`. */
  readonly order?: string
  readonly ascending?: boolean
  /**
   * Items per request (`limit`), default 100. Must not exceed Gamma's own cap, or the first
   * page looks short and the walk stops early.
   */
  readonly pageSize?: number
  /** Stop after this many pages (and report `truncated`). Default 20. */
  readonly maxPages?: number
}

/** One match (a Gamma event) and its tradable markets. */
export type GammaEvent = {
  readonly id: string
  readonly slug: string
  readonly title: string
  readonly sport: Sport | null
  readonly startTime: EpochMs | null
  readonly live: boolean | null
  readonly ended: boolean | null
  /** E.g. `000-000|2-0|Bo3`. */
  readonly score: string | null
  /** E.g. `2/3`. */
  readonly period: string | null
  readonly markets: readonly MarketInfo[]
}

type Listing = {
  readonly problems: readonly ItemProblem[]
  readonly pages: number
  /** The walk stopped at `maxPages` with more pages left. */
  readonly truncated: boolean
}

export type GammaEventsResult = Listing & { readonly events: readonly GammaEvent[] }
export type GammaMarketsResult = Listing & { readonly markets: readonly MarketInfo[] }

/** A `/sports` row. */
export type GammaSport = {
  readonly id: string
  /** Gamma's code, e.g. `cs2`, `val`, `lol`, `dota2`. */
  readonly sport: string
  readonly seriesIds: readonly string[]
  readonly tagIds: readonly string[]
  readonly primaryTagId: string | null
}

export type GammaSportsResult = {
  readonly sports: readonly GammaSport[]
  readonly problems: readonly ItemProblem[]
}

const DEFAULT_PAGE_SIZE = 100
const DEFAULT_MAX_PAGES = 20

export class GammaClient {
  readonly baseUrl: string
  private readonly _http: HttpOptions

  constructor(options: GammaClientOptions) {
    const { baseUrl, ...http } = options
    this.baseUrl = baseUrl
    this._http = http
  }

  /**
   * `GET /events`, every page. Markets come from each event's `markets[]`; `context.sport`
   * (the title whose series was asked for) wins over what the event says about itself.
   */
  async listEvents(
    filter: GammaListFilter = {},
    context: { sport?: Sport } = {},
  ): Promise<GammaEventsResult> {
    const events: GammaEvent[] = []
    const problems: ItemProblem[] = []
    const seenEvents = new Set<string>()
    const walk = await this._walk('/events', filter, (items, request, offset) => {
      const decoded = decodeItems(gammaEventSchema, items, request)
      problems.push(...shift(decoded.problems, offset))
      decoded.items.forEach((raw, i) => {
        if (seenEvents.has(raw.id)) return
        seenEvents.add(raw.id)
        const prefix = `[${decoded.indices[i] ?? i}].markets`
        const markets = decodeItems(gammaMarketSchema, raw.markets ?? [], request, prefix)
        problems.push(...markets.problems)
        const sport = context.sport ?? eventSport(raw)
        events.push({
          id: raw.id,
          slug: raw.slug ?? '',
          title: raw.title ?? '',
          sport,
          startTime: raw.startTime ?? null,
          live: raw.live ?? null,
          ended: raw.ended ?? null,
          score: raw.score ?? null,
          period: raw.period ?? null,
          markets: markets.items.map((market) => toMarketInfo(market, raw, sport)),
        })
      })
    })
    return { events, problems, ...walk }
  }

  /** `GET /markets`, every page, one entry per condition id. */
  async listMarkets(
    filter: GammaListFilter = {},
    context: { sport?: Sport } = {},
  ): Promise<GammaMarketsResult> {
    const markets: MarketInfo[] = []
    const problems: ItemProblem[] = []
    const seen = new Set<string>()
    const walk = await this._walk('/markets', filter, (items, request, offset) => {
      const decoded = decodeItems(gammaMarketSchema, items, request)
      problems.push(...shift(decoded.problems, offset))
      for (const raw of decoded.items) {
        if (seen.has(raw.conditionId)) continue
        seen.add(raw.conditionId)
        markets.push(toMarketInfo(raw, null, context.sport ?? null))
      }
    })
    return { markets, problems, ...walk }
  }

  /** `GET /sports`: one row per sport with its series and tag ids. */
  async getSports(): Promise<GammaSportsResult> {
    const url = buildUrl(this.baseUrl, '/sports')
    const request = { method: 'GET', url }
    const list = decodeBody(gammaListSchema, await fetchJson(url, this._http), request)
    const { items, problems } = decodeItems(gammaSportSchema, list, request)
    return {
      sports: items.map((row) => ({
        id: row.id,
        sport: row.sport,
        seriesIds: row.series ?? [],
        tagIds: row.tags ?? [],
        primaryTagId: row.primaryTagId ?? null,
      })),
      problems,
    }
  }

  /** Walks limit/offset pages until a short page, calling `onPage` for each. */
  private async _walk(
    path: string,
    filter: GammaListFilter,
    onPage: (items: readonly unknown[], request: VenueRequest, offset: number) => void,
  ): Promise<{ pages: number; truncated: boolean }> {
    const pageSize = Math.max(1, filter.pageSize ?? DEFAULT_PAGE_SIZE)
    const maxPages = Math.max(1, filter.maxPages ?? DEFAULT_MAX_PAGES)
    const query: Record<string, QueryValue> = {
      series_id: filter.seriesId,
      tag_id: filter.tagId,
      active: filter.active,
      closed: filter.closed,
      order: filter.order,
      ascending: filter.ascending,
      limit: pageSize,
    }
    let offset = 0
    for (let page = 1; page <= maxPages; page++) {
      const url = buildUrl(this.baseUrl, path, { ...query, offset })
      const request = { method: 'GET', url }
      const items = decodeBody(gammaListSchema, await fetchJson(url, this._http), request)
      onPage(items, request, offset)
      if (items.length < pageSize) return { pages: page, truncated: false }
      offset += items.length
    }
    return { pages: maxPages, truncated: true }
  }
}

/**
 * Maps one decoded Gamma market to {@link MarketInfo}. `parent` is the event it was listed
 * under (else its own `events[0]`); `sportHint` the title whose series was queried.
 */
export function toMarketInfo(
  raw: GammaMarketBody,
  parent: GammaEventBody | null,
  sportHint: Sport | null,
): MarketInfo {
  const event = parent ?? raw.events?.[0] ?? null
  const slug = raw.slug ?? ''
  const eventSlug = event?.slug ?? null
  const tokens = raw.clobTokenIds ?? []
  const names = raw.outcomes ?? []
  const prices = raw.outcomePrices ?? null
  const sport =
    sportHint ?? (event === null ? detectSport({ slugs: [slug] }) : eventSport(event, slug))
  const market: MarketInfo = {
    conditionId: asMarketId(raw.conditionId),
    gammaId: raw.id,
    slug,
    question: raw.question ?? '',
    eventSlug,
    eventTitle: event?.title ?? null,
    sport,
    marketType: classifyMarketType({
      sportsMarketType: raw.sportsMarketType ?? null,
      groupItemTitle: raw.groupItemTitle ?? null,
      slug,
      eventSlug,
      sport,
    }),
    sportsMarketType: raw.sportsMarketType ?? null,
    line: raw.line ?? null,
    outcomes: tokens.map((tokenId, i) => ({
      name: names[i] ?? '',
      tokenId: asTokenId(tokenId),
      price: prices?.[i] ?? null,
    })),
    tickSize: raw.orderPriceMinTickSize ?? null,
    minOrderSize: raw.orderMinSize ?? null,
    negRisk: raw.negRisk ?? false,
    gameStartTime: raw.gameStartTime ?? raw.eventStartTime ?? event?.startTime ?? null,
    startDate: raw.startDate ?? null,
    endDate: raw.endDate ?? null,
    active: raw.active ?? false,
    closed: raw.closed ?? false,
    acceptingOrders: raw.acceptingOrders ?? false,
    liquidityUsd: raw.liquidityNum ?? raw.liquidity ?? raw.liquidityClob ?? null,
    volume24hUsd: raw.volume24hr ?? raw.volume24hrClob ?? null,
    bestBid: raw.bestBid ?? null,
    bestAsk: raw.bestAsk ?? null,
    spread: raw.spread ?? null,
    lastTradePrice: raw.lastTradePrice ?? null,
    secondsDelay: raw.secondsDelay ?? null,
    clearBookOnStart: raw.clearBookOnStart ?? null,
    feesEnabled: raw.feesEnabled ?? null,
    feeSchedule:
      raw.feeSchedule == null
        ? null
        : {
            rate: raw.feeSchedule.rate,
            exponent: raw.feeSchedule.exponent,
            takerOnly: raw.feeSchedule.takerOnly ?? false,
            rebateRate: raw.feeSchedule.rebateRate ?? null,
          },
    gameId: raw.gameId ?? event?.gameId ?? null,
    eventLive: event?.live ?? null,
    eventEnded: event?.ended ?? null,
  }
  return raw.questionID == null ? market : { ...market, questionId: raw.questionID }
}

function eventSport(event: GammaEventBody, marketSlug?: string): Sport | null {
  return detectSport({
    seriesIds: (event.series ?? []).map((s) => s.id),
    seriesSlugs: [event.seriesSlug ?? '', ...(event.series ?? []).map((s) => s.slug ?? '')],
    tagIds: (event.tags ?? []).map((t) => t.id),
    slugs: [event.slug ?? '', marketSlug ?? ''],
  })
}

/** Problems found in one page, renumbered to positions in the whole listing. */
function shift(problems: readonly ItemProblem[], offset: number): ItemProblem[] {
  return offset === 0 ? [...problems] : problems.map((p) => ({ ...p, index: p.index + offset }))
}
