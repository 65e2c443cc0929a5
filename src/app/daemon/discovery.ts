/**
 * Which markets to watch: by slug or condition id (Gamma `/markets`), by CLOB token id, or every
 * live and upcoming market of some esports titles (Gamma discovery). Shared by `record` and
 * `start`.
 */
import type { VenueError } from '../../adapters/polymarket/errors.js'
import { discoverEsportsMarkets, marketStatus } from '../../adapters/polymarket/gamma/esports.js'
import { GammaClient, toMarketInfo } from '../../adapters/polymarket/gamma/gamma-client.js'
import { gammaListSchema, gammaMarketSchema } from '../../adapters/polymarket/gamma/schemas.js'
import { decodeBody, decodeItems } from '../../adapters/polymarket/rest/codecs.js'
import { buildUrl, fetchJson, type HttpOptions } from '../../adapters/polymarket/rest/http.js'
import type { MarketInfo, Sport } from '../../domain/market-info.js'

const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/

/** Discovery found nothing usable; the message says what to do. */
export class DiscoveryFailure extends Error {
  readonly code = 'DISCOVERY_FAILED'
  constructor(message: string) {
    super(message)
    this.name = 'DiscoveryFailure'
  }
}

export type MarketSelection = {
  /** Slugs or condition ids. */
  readonly markets: readonly string[]
  /** CLOB token ids. */
  readonly assets: readonly string[]
  readonly sports: readonly Sport[]
}

export type DiscoveredMarkets = {
  /** Every token to subscribe, in order, without repeats. */
  readonly assetIds: string[]
  /** A slug (or condition id) per market found. */
  readonly labels: string[]
  readonly markets: MarketInfo[]
  /** Things worth telling the user (series ids that differed, nothing live, …). */
  readonly notes: string[]
}

/**
 * Resolves a selection to tokens and market metadata. Throws {@link DiscoveryFailure} when a
 * named market is unknown or nothing at all is left to watch (`what` is the verb for the
 * message, e.g. `record`), and {@link VenueError} when Gamma cannot be reached.
 */
export async function discoverMarkets(
  selection: MarketSelection,
  options: {
    readonly gammaUrl: string
    readonly http?: HttpOptions | undefined
    readonly nowMs: number
    readonly what: string
  },
): Promise<DiscoveredMarkets> {
  const assetIds = [...selection.assets]
  const labels: string[] = []
  const markets: MarketInfo[] = []
  const notes: string[] = []
  const add = (market: MarketInfo): void => {
    if (markets.some((m) => m.conditionId === market.conditionId)) return
    markets.push(market)
    labels.push(market.slug === '' ? market.conditionId : market.slug)
    for (const outcome of market.outcomes) {
      if (!assetIds.includes(outcome.tokenId)) assetIds.push(outcome.tokenId)
    }
  }
  for (const ref of selection.markets) add(await findMarket(ref, options.gammaUrl, options.http))
  if (selection.sports.length > 0) {
    const gamma = new GammaClient({ ...options.http, baseUrl: options.gammaUrl })
    const result = await discoverEsportsMarkets(gamma, {
      sports: selection.sports,
      status: 'all',
      nowMs: options.nowMs,
    })
    notes.push(...result.notes)
    const wanted = result.markets.filter((m) => {
      const status = marketStatus(m, options.nowMs)
      return status === 'live' || status === 'upcoming'
    })
    if (wanted.length === 0) {
      notes.push(`no live or upcoming markets for ${selection.sports.join(', ')}`)
    }
    for (const market of wanted) add(market)
  }
  if (assetIds.length === 0) {
    throw new DiscoveryFailure(
      `nothing to ${options.what}: no live or upcoming market matched; \`tiltmeter markets\` lists what is open`,
    )
  }
  return { assetIds, labels, markets, notes }
}

/** One open market by slug or condition id, from Gamma `/markets`. */
export async function findMarket(
  ref: string,
  gammaUrl: string,
  http: HttpOptions | undefined,
): Promise<MarketInfo> {
  const byCondition = CONDITION_ID.test(ref)
  const url = buildUrl(gammaUrl, '/markets', byCondition ? { condition_ids: ref } : { slug: ref })
  const request = { method: 'GET', url }
  const list = decodeBody(gammaListSchema, await fetchJson(url, http), request)
  const { items } = decodeItems(gammaMarketSchema, list, request)
  // Check the answer really is the market asked for: a filter Gamma does not know is ignored.
  const found = items
    .map((raw) => toMarketInfo(raw, null, null))
    .find((m) => (byCondition ? m.conditionId.toLowerCase() === ref.toLowerCase() : m.slug === ref))
  if (found === undefined) {
    throw new DiscoveryFailure(
      `Gamma at ${gammaUrl} has no open market with ${byCondition ? 'condition id' : 'slug'} "${ref}"; ` +
        '`tiltmeter markets --json` lists open markets with their slugs and condition ids',
    )
  }
  if (found.outcomes.length === 0) {
    throw new DiscoveryFailure(
      `market "${ref}" has no CLOB token ids on Gamma; it cannot be watched`,
    )
  }
  return found
}

/** A Gamma failure as one line with what to do about it. */
export function explainGammaError(e: VenueError, gammaUrl: string): string {
  if (e.code === 'NETWORK' || e.code === 'TIMEOUT') {
    return (
      `cannot reach Gamma at ${gammaUrl} (${e.message}). Check the address or pass --gamma-url ` +
      '(or set TILTMETER_GAMMA_URL), or name the tokens directly with --assets.'
    )
  }
  return e.message
}
