/**
 * Esports on Gamma: which series, tags and slugs belong to which title, how a market's type
 * (match or map) is read, whether it is live, and the discovery walk that lists the open
 * markets of the chosen titles.
 *
 * The series and tag ids below come from third-party code, not from Gamma's documentation;
 * `resolveEsportsSeries` checks them against `GET /sports` at runtime and prefers what Gamma
 * says. Only `counter-strike` is a series slug seen in a real payload.
 */
import type {
  MarketInfo,
  MarketStatusFilter,
  MarketType,
  Sport,
} from '../../../domain/market-info.js'
import { VenueError } from '../errors.js'
import type { ItemProblem } from '../rest/codecs.js'
import type { GammaEventsResult, GammaListFilter, GammaSportsResult } from './gamma-client.js'

export type EsportsTitle = {
  readonly sport: Sport
  readonly label: string
  /** Default Gamma series id (verify with `/sports`). */
  readonly seriesId: string
  /** The `sport` codes a `/sports` row may use for this title. */
  readonly sportsCodes: readonly string[]
  readonly tagId: string
  readonly seriesSlugs: readonly string[]
  /** Event and market slugs start with one of these (`cs2-faze-ill-2026-04-05`). */
  readonly slugPrefixes: readonly string[]
}

/** In the order the product prioritises them: Valorant first. */
export const ESPORTS_TITLES: readonly EsportsTitle[] = [
  {
    sport: 'valorant',
    label: 'Valorant',
    seriesId: '10369',
    sportsCodes: ['val', 'valorant'],
    tagId: '101672',
    seriesSlugs: ['valorant'],
    slugPrefixes: ['val-', 'valorant-'],
  },
  {
    sport: 'cs2',
    label: 'CS2',
    seriesId: '10310',
    sportsCodes: ['cs2', 'csgo'],
    tagId: '100780',
    seriesSlugs: ['counter-strike', 'cs2'],
    slugPrefixes: ['cs2-', 'csgo-'],
  },
  {
    sport: 'lol',
    label: 'LoL',
    seriesId: '10311',
    sportsCodes: ['lol', 'league-of-legends'],
    tagId: '65',
    seriesSlugs: ['league-of-legends', 'lol'],
    slugPrefixes: ['lol-'],
  },
  {
    sport: 'dota2',
    label: 'Dota 2',
    seriesId: '10309',
    sportsCodes: ['dota2', 'dota-2'],
    tagId: '102366',
    seriesSlugs: ['dota-2', 'dota2'],
    slugPrefixes: ['dota2-', 'dota-'],
  },
]

export const SPORTS: readonly Sport[] = ESPORTS_TITLES.map((title) => title.sport)

export function isSport(value: string): value is Sport {
  return (SPORTS as readonly string[]).includes(value)
}

/** What a market or event says about its title; any field may be empty. */
export type SportHints = {
  readonly seriesIds?: readonly string[]
  readonly seriesSlugs?: readonly string[]
  readonly tagIds?: readonly string[]
  readonly slugs?: readonly string[]
}

/**
 * The esports title of a market, from the strongest hint to the weakest: series id, series
 * slug, tag id, slug prefix. Null when nothing matches (not an esports market).
 */
export function detectSport(hints: SportHints): Sport | null {
  const checks: ((title: EsportsTitle) => boolean)[] = [
    (t) => (hints.seriesIds ?? []).includes(t.seriesId),
    (t) => (hints.seriesSlugs ?? []).some((slug) => t.seriesSlugs.includes(slug.toLowerCase())),
    (t) => (hints.tagIds ?? []).includes(t.tagId),
    (t) =>
      (hints.slugs ?? []).some((slug) =>
        t.slugPrefixes.some((prefix) => slug.toLowerCase().startsWith(prefix)),
      ),
  ]
  for (const check of checks) {
    const title = ESPORTS_TITLES.find(check)
    if (title !== undefined) return title.sport
  }
  return null
}

const MAP_TITLE = /\b(map|game)\s*\d+\b.*\bwinner\b|^(map|game)\s*\d+$/i
const MATCH_TITLE = /^(match winner|winner|moneyline)$/i
const MAP_SLUG = /-(map|game)-?\d+$/i

/**
 * Match or map market. Gamma's `sportsMarketType` decides when present (`moneyline` = the
 * match, `child_moneyline` = one map or game, anything else = other); older markets without
 * it are read from the group title ("Map 1 Winner", "Match Winner") and the slug (`…-game1`;
 * on an esports event, a market whose slug is the event's slug is the match itself).
 */
export function classifyMarketType(input: {
  readonly sportsMarketType: string | null
  readonly groupItemTitle: string | null
  readonly slug: string
  readonly eventSlug: string | null
  readonly sport: Sport | null
}): MarketType {
  const type = input.sportsMarketType?.trim().toLowerCase() ?? ''
  if (type === 'moneyline') return 'match'
  if (type === 'child_moneyline') return 'map'
  if (type !== '') return 'other'
  const title = input.groupItemTitle?.trim() ?? ''
  if (MAP_TITLE.test(title)) return 'map'
  if (MATCH_TITLE.test(title)) return 'match'
  if (MAP_SLUG.test(input.slug)) return 'map'
  if (input.sport !== null && input.eventSlug !== null && input.slug === input.eventSlug) {
    return 'match'
  }
  return 'other'
}

export type MarketStatus = 'live' | 'upcoming' | 'unscheduled' | 'ended' | 'closed'

/**
 * Where a market stands at `nowMs`: `closed` (resolved or halted), `ended` (the match is over,
 * awaiting resolution), `live` (started), `upcoming` (not started), `unscheduled` (no start
 * time known).
 */
export function marketStatus(market: MarketInfo, nowMs: number): MarketStatus {
  if (market.closed) return 'closed'
  if (market.eventEnded === true) return 'ended'
  if (market.gameStartTime === null) return market.eventLive === true ? 'live' : 'unscheduled'
  return market.gameStartTime <= nowMs ? 'live' : 'upcoming'
}

/**
 * The status filter: `live` = started, not closed, and the match not over; `upcoming` = not
 * started; `all` = every market not closed (including `ended` and `unscheduled` ones).
 */
export function matchesStatus(
  market: MarketInfo,
  filter: MarketStatusFilter,
  nowMs: number,
): boolean {
  const status = marketStatus(market, nowMs)
  if (filter === 'all') return status !== 'closed'
  return status === filter
}

export type SeriesResolution = {
  readonly seriesIds: Readonly<Record<Sport, string>>
  /** What differed from the defaults, one sentence each. */
  readonly notes: readonly string[]
}

/**
 * Checks the default series ids against Gamma's `/sports` rows. A row for the title wins
 * over the default (with a note); a missing row keeps the default (with a note).
 */
export function resolveEsportsSeries(
  rows: GammaSportsResult['sports'],
  sports: readonly Sport[] = SPORTS,
): SeriesResolution {
  const seriesIds = defaultSeriesIds()
  const notes: string[] = []
  for (const title of ESPORTS_TITLES) {
    if (!sports.includes(title.sport)) continue
    const row = rows.find((s) => title.sportsCodes.includes(s.sport.toLowerCase()))
    const listed = row?.seriesIds[0]
    if (row === undefined || listed === undefined) {
      seriesIds[title.sport] = title.seriesId
      notes.push(
        `Gamma /sports has no series for ${title.label} (codes ${title.sportsCodes.join(', ')}); ` +
          `using the default series ${title.seriesId}`,
      )
    } else {
      seriesIds[title.sport] = listed
      if (listed !== title.seriesId) {
        notes.push(
          `Gamma /sports lists series ${listed} for ${title.label} (default ${title.seriesId}); using ${listed}`,
        )
      }
    }
  }
  return { seriesIds, notes }
}

function defaultSeriesIds(): Record<Sport, string> {
  return Object.fromEntries(ESPORTS_TITLES.map((t) => [t.sport, t.seriesId])) as Record<
    Sport,
    string
  >
}

/** The two Gamma calls discovery needs; `GammaClient` provides them. */
export type EsportsSource = {
  getSports(): Promise<GammaSportsResult>
  listEvents(filter: GammaListFilter, context?: { sport?: Sport }): Promise<GammaEventsResult>
}

export type DiscoveryOptions = {
  readonly sports?: readonly Sport[]
  readonly status?: MarketStatusFilter
  readonly nowMs: number
  /** Ask `/sports` for the series ids first (default true). */
  readonly verifySeries?: boolean
  readonly pageSize?: number
  readonly maxPages?: number
}

export type DiscoveryResult = {
  readonly markets: readonly MarketInfo[]
  readonly problems: readonly ItemProblem[]
  readonly notes: readonly string[]
  /** True when a listing stopped at the page limit. */
  readonly truncated: boolean
}

/**
 * Lists the open markets of the chosen esports titles: verifies the series ids with
 * `/sports`, walks `/events?series_id=…&active=true&closed=false` for each title, keeps the
 * markets that pass the status filter, one per condition id.
 *
 * A venue that cannot be reached fails the whole call; a `/sports` answer that is an HTTP
 * error or unreadable only falls back to the default series ids, with a note.
 */
export async function discoverEsportsMarkets(
  source: EsportsSource,
  options: DiscoveryOptions,
): Promise<DiscoveryResult> {
  const sports = options.sports ?? SPORTS
  const status = options.status ?? 'all'
  const notes: string[] = []
  let seriesIds: Readonly<Record<Sport, string>> = defaultSeriesIds()
  if (options.verifySeries ?? true) {
    try {
      const listed = await source.getSports()
      const resolution = resolveEsportsSeries(listed.sports, sports)
      seriesIds = resolution.seriesIds
      notes.push(...resolution.notes)
    } catch (e) {
      if (!(e instanceof VenueError) || !isAnswerProblem(e)) throw e
      notes.push(`could not verify series ids (${e.message}); using the defaults`)
    }
  }
  const listings = await Promise.all(
    sports.map((sport) =>
      source.listEvents(
        {
          seriesId: seriesIds[sport],
          active: true,
          closed: false,
          order: 'liquidity',
          ascending: false,
          pageSize: options.pageSize,
          maxPages: options.maxPages,
        },
        { sport },
      ),
    ),
  )
  const seen = new Set<string>()
  const markets: MarketInfo[] = []
  const problems: ItemProblem[] = []
  let truncated = false
  for (const listing of listings) {
    problems.push(...listing.problems)
    truncated ||= listing.truncated
    for (const event of listing.events) {
      for (const market of event.markets) {
        if (seen.has(market.conditionId)) continue
        if (!matchesStatus(market, status, options.nowMs)) continue
        seen.add(market.conditionId)
        markets.push(market)
      }
    }
  }
  return { markets, problems, notes, truncated }
}

/** The venue answered, but not usefully: worth a fallback rather than a failure. */
function isAnswerProblem(e: VenueError): boolean {
  return e.code === 'HTTP_ERROR' || e.code === 'BAD_BODY' || e.code === 'NOT_JSON'
}
