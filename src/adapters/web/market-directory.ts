/**
 * Which markets and tokens the daemon watches, for the page: the markets discovery found, plus
 * markets known only from the feed (a replayed recording names condition and token ids but not
 * questions or outcomes), which are listed under their ids.
 */
import type { MarketInfo } from '../../domain/market-info.js'

/** What `/api/markets` shows of one market. Prices and sizes in domain units. */
export type MarketEntry = {
  readonly conditionId: string
  readonly slug: string
  readonly question: string
  readonly eventTitle: string | null
  readonly sport: string | null
  readonly closed: boolean
  /** Gamma's in-play and match-over flags; null when not said. */
  readonly eventLive: boolean | null
  readonly eventEnded: boolean | null
  readonly gameStartTime: number | null
  /** Ticks; null when unknown. */
  readonly tickSize: number | null
  /** Share micros; null when unknown. */
  readonly minOrderSize: number | null
  readonly secondsDelay: number | null
  readonly tokens: readonly { readonly tokenId: string; readonly outcome: string }[]
  /** Known only from the feed. */
  readonly recorded: boolean
}

export class MarketDirectory {
  private _discovered: MarketEntry[] = []
  private readonly _source: (() => readonly MarketInfo[]) | null
  private _from: readonly MarketInfo[] | null = null
  private readonly _marketOf = new Map<string, string>()
  /** Tokens seen on the feed whose market discovery did not name, by condition id. */
  private readonly _seen = new Map<string, string[]>()
  private readonly _tokens = new Set<string>()

  /** `discovered` is read on use: the daemon's discovery result once it has one. */
  constructor(discovered?: () => readonly MarketInfo[]) {
    this._source = discovered ?? null
  }

  /** Replaces the discovered markets. */
  setDiscovered(markets: readonly MarketInfo[]): void {
    this._from = markets
    this._discovered = markets.map(entryOf)
    for (const market of this._discovered) {
      for (const { tokenId } of market.tokens) {
        this._marketOf.set(tokenId, market.conditionId)
        this._tokens.add(tokenId)
      }
    }
  }

  /** A book of `tokenId` in `market` changed. O(1); allocates only for a token not seen yet. */
  note(tokenId: string, market: string): void {
    this._sync()
    if (this._marketOf.has(tokenId)) return
    this._marketOf.set(tokenId, market)
    this._tokens.add(tokenId)
    const tokens = this._seen.get(market)
    if (tokens === undefined) this._seen.set(market, [tokenId])
    else tokens.push(tokenId)
  }

  /** The token's condition id; empty when unknown. */
  marketOf(tokenId: string): string {
    this._sync()
    return this._marketOf.get(tokenId) ?? ''
  }

  /** Every token known, discovered or seen. */
  tokens(): Iterable<string> {
    this._sync()
    return this._tokens
  }

  /** Every market: discovered ones, then ones known only from the feed. */
  list(): MarketEntry[] {
    this._sync()
    const known = new Set(this._discovered.map((m) => m.conditionId))
    const out = [...this._discovered]
    for (const [market, tokens] of this._seen) {
      if (known.has(market)) continue
      out.push({
        conditionId: market,
        slug: market,
        question: `Recorded market ${market}`,
        eventTitle: null,
        sport: null,
        closed: false,
        eventLive: true,
        eventEnded: null,
        gameStartTime: null,
        tickSize: null,
        minOrderSize: null,
        secondsDelay: null,
        tokens: tokens.map((tokenId, i) => ({ tokenId, outcome: `Outcome ${i + 1}` })),
        recorded: true,
      })
    }
    return out
  }

  /** By condition id (any case) or slug. */
  find(idOrSlug: string): MarketEntry | undefined {
    const lower = idOrSlug.toLowerCase()
    return this.list().find((m) => m.conditionId.toLowerCase() === lower || m.slug === idOrSlug)
  }

  private _sync(): void {
    if (this._source === null) return
    const markets = this._source()
    if (markets !== this._from) this.setDiscovered(markets)
  }
}

function entryOf(m: MarketInfo): MarketEntry {
  return {
    conditionId: m.conditionId,
    slug: m.slug === '' ? m.conditionId : m.slug,
    question: m.question,
    eventTitle: m.eventTitle,
    sport: m.sport,
    closed: m.closed,
    eventLive: m.eventLive,
    eventEnded: m.eventEnded,
    gameStartTime: m.gameStartTime,
    tickSize: m.tickSize,
    minOrderSize: m.minOrderSize,
    secondsDelay: m.secondsDelay,
    tokens: m.outcomes.map((o) => ({ tokenId: o.tokenId, outcome: o.name })),
    recorded: false,
  }
}
