/**
 * Scenario `match`: a synthetic Valorant best-of-three. Maps go to 13 rounds; each round is
 * won by team A with probability sigmoid(strength), and the latent strength drifts between
 * rounds. Markets: the match moneyline and one market per map (YES = team A), tick 0.01.
 *
 * Timeline (venue time): markets trade for a pre-match period before the first round, rounds
 * last about as long as real Valorant rounds, and maps are separated by a break. Map 1 and the
 * match trade from the start; a later map's market opens (`new_market`) when the map before it
 * ends.
 *
 * Liquidity: several makers quote a ladder around the fair value implied by the score, each
 * with its own spread, depth and size, and requote every few seconds; background takers send
 * small, heavy-tailed orders at the best level. After some rounds the crowd over-reacts:
 * - panic sell: holders of the round loser's token sell it in a burst of larger orders that
 *   walk the book, makers widen, the price overshoots and then decays back to fair;
 * - FOMO buy: the same on the round winner's token, bought;
 * - liquidity vacuum: the tighter makers pull their quotes and the one left quotes defensively.
 * Each such episode is recorded as a ground-truth label. The magnitudes (trades and volume per
 * 30 s, spread, duration) are set from the real recordings; see docs/DETECTOR_QUALITY.md.
 */
import type { OrderBook } from '../../domain/book/order-book.js'
import { complementPrice, type Side, type TickSize, type TokenId } from '../../domain/market.js'
import {
  formatPrice,
  formatSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../../domain/units.js'
import { mapWinProbability, matchWinProbability, ROUNDS_TO_WIN, sigmoid } from './match-odds.js'
import { othersBest, requoteTargets, type Quote } from './maker-requote.js'
import { Rng } from './rng.js'
export { mapWinProbability, matchWinProbability } from './match-odds.js'
import type { Scenario, SimEventInfo, SimFrame, SimLabel, SimMarketInfo } from './scenario.js'
import { TrueMarket, type WireBook, type WirePriceChange } from './true-book.js'

export type MatchOptions = {
  readonly seed: number
  /** Simulated start time (epoch ms); fixed by default so a seed fixes every frame. */
  readonly startMs?: number
  /** Simulated ms per step (default 500). */
  readonly stepMs?: number
  /** Called once per new label (the server appends it to the labels file). */
  readonly onLabel?: (label: SimLabel) => void
}

export const DEFAULT_START_MS = 1_800_000_000_000
const TICK = 100 as TickSize
const MIN_PRICE = TICK
const MAX_PRICE_QUOTED = 10_000 - TICK
const SHARE = 1_000_000

// Timeline, ms of venue time. A Valorant round is a 30 s buy phase plus up to 100 s of play and
// a few seconds of end screen; maps are separated by a break of several minutes; markets trade
// for a while before the first round. A Bo3 thus lasts 1.5-3 h, as real ones do.
const PRE_MATCH_MS: readonly [number, number] = [15 * 60_000, 30 * 60_000]
const ROUND_MS: readonly [number, number] = [85_000, 135_000]
const MAP_BREAK_MS: readonly [number, number] = [5 * 60_000, 10 * 60_000]

// Team strength on the logit of a round win: drawn once, then a random walk per round. A 13-round
// race amplifies a small edge (a round win rate of 0.54 wins a map about 2 times in 3), so these
// stay small: real Valorant match prices are between 0.1 and 0.9 in 98 % of the polled quotes
// of pmus-esports-quotes-2026-07.
const STRENGTH_RANGE = 0.15
const STRENGTH_DRIFT = 0.02

// Background takers (per market and step): a few trades per 30 s per token, mostly small with
// a heavy tail, as on the real NHL moneyline between goals (1-6 trades, median tens of shares,
// occasional prints of thousands). Sizes are log-normal: median and log-space sigma, in shares.
const BACKGROUND_TAKER_PROBABILITY = 0.12
const BACKGROUND_SIZE: readonly [number, number] = [25, 1.6]
// Crowd orders during an episode: several per second per market, ten times larger, sweeping
// levels, as in the real bursts after a goal (10-30 trades and thousands of shares per 30 s).
const CROWD_ORDER_PROBABILITY = 0.6
const CROWD_SIZE: readonly [number, number] = [250, 1.0]
// Informed orders at a round end, picking off stale quotes: as large as crowd orders.
const INFORMED_SIZE: readonly [number, number] = [250, 1.0]
/** A crowd order walks the book at most this many ticks past the first level it hits. */
const CROWD_SWEEP_TICKS = 5
const MAX_ORDER_SHARES = 50_000

type Maker = {
  /** Distance from fair to the first level, in ticks. */
  halfSpread: number
  /** Levels per side. */
  depth: number
  /** Ticks between levels. */
  gap: number
  /** Shares on the first level. */
  size: number
  /** Probability of requoting on a quiet step. */
  requote: number
  quotes: Quote[]
}

type SimMarket = {
  info: SimMarketInfo
  book: TrueMarket
  /** null for the moneyline, else 0..2. */
  map: number | null
  fair: number
  /** Resolved (or never played): no more quotes or trades. */
  closed: boolean
  /**
   * Tradable: the moneyline and map 1 from the start, a later map's market from the end of the
   * map before it (announced with `new_market`).
   */
  open: boolean
  /** Crowd push on the quoted fair, in probability units; decays each step. */
  bias: number
  /** Steps left with most makers pulled. */
  vacuum: number
  /** A vacuum just began: the maker that stays requotes defensively at once. */
  vacuumStart: boolean
  /** The crowd's target push on the fair while its flow lasts, probability units. */
  push: number
  /** Crowd flow while an episode lasts: which token the crowd trades and in which direction. */
  flowToken: 0 | 1
  flowBuys: boolean
  flowSteps: number
  /** Extra ticks every maker adds to its half-spread after a shock; decays. */
  widen: number
  makers: Maker[]
}

const TEAMS: readonly (readonly [string, string])[] = [
  ['Sentinels', 'Fnatic'],
  ['Paper Rex', 'Team Heretics'],
  ['Gen.G', 'Leviatan'],
  ['G2 Esports', 'Team Liquid'],
]

export class MatchScenario implements Scenario {
  readonly name = 'match'
  readonly stepMs: number
  readonly labels: SimLabel[] = []
  private readonly _rng: Rng
  private readonly _onLabel: ((label: SimLabel) => void) | undefined
  private _now: number
  private readonly _markets: SimMarket[] = []
  private readonly _byToken = new Map<string, SimMarket>()
  private readonly _event: { id: string; slug: string; title: string; startTime: string }
  private readonly _teams: readonly [string, string]
  private _strength: number
  private _maps: [number, number] = [0, 0]
  private _rounds: [number, number] = [0, 0]
  private _roundNo = 0
  private _stepsToRoundEnd: number
  private _done = false

  constructor(options: MatchOptions) {
    this._rng = new Rng(options.seed)
    this._onLabel = options.onLabel
    this.stepMs = options.stepMs ?? 500
    this._now = options.startMs ?? DEFAULT_START_MS
    const rng = this._rng
    this._teams = rng.pick(TEAMS)
    this._strength = rng.range(-STRENGTH_RANGE, STRENGTH_RANGE)
    const [a, b] = this._teams
    const slugBase = `val-${short(a)}-${short(b)}-sim${options.seed >>> 0}`
    this._event = {
      id: String(rng.int(100_000, 999_999)),
      slug: slugBase,
      title: `Valorant: ${a} vs ${b} (BO3)`,
      startTime: new Date(this._now).toISOString(),
    }
    const r = mapWinProbability(0, 0, sigmoid(this._strength))
    const titles = ['Match', 'Map 1', 'Map 2', 'Map 3']
    titles.forEach((title, index) => {
      const map = index === 0 ? null : index - 1
      const info: SimMarketInfo = {
        id: String(rng.int(1_000_000, 9_999_999)),
        conditionId: rng.hexId(32),
        question:
          map === null
            ? `Valorant: ${a} vs ${b} (BO3)`
            : `Valorant: ${a} vs ${b} - ${title} Winner`,
        slug: map === null ? slugBase : `${slugBase}-game${map + 1}`,
        outcomes: [a, b],
        tokens: [rng.decimalId(77), rng.decimalId(77)],
        sportsMarketType: map === null ? 'moneyline' : 'child_moneyline',
        groupItemTitle: title,
        tickSize: formatPrice(TICK),
        minOrderSize: '5',
        closed: false,
      }
      const market: SimMarket = {
        info,
        book: new TrueMarket(
          info.conditionId,
          info.tokens[0],
          info.tokens[1],
          TICK,
          this._now as EpochMs,
        ),
        map,
        fair: map === null ? matchWinProbability(0, 0, r, r) : r,
        closed: false,
        open: map === null || map === 0,
        bias: 0,
        vacuum: 0,
        vacuumStart: false,
        push: 0,
        flowToken: 0,
        flowBuys: true,
        flowSteps: 0,
        widen: 0,
        makers: this._makeMakers(),
      }
      this._markets.push(market)
      for (const token of info.tokens) this._byToken.set(token, market)
      // Opening quotes are part of the initial book, not events.
      if (market.open) for (const maker of market.makers) this._requote(market, maker, [])
    })
    this._stepsToRoundEnd = this._steps(PRE_MATCH_MS) + this._roundSteps()
  }

  get done(): boolean {
    return this._done
  }

  now(): EpochMs {
    return this._now as EpochMs
  }

  assetIds(): readonly string[] {
    return this._markets.flatMap((m) => m.info.tokens)
  }

  snapshot(assetId: string): WireBook | undefined {
    const market = this._byToken.get(assetId)
    return market?.book.snapshot(assetId as TokenId, this.now())
  }

  trueBook(assetId: string): OrderBook | undefined {
    return this._byToken.get(assetId)?.book.book(assetId)
  }

  /** Score as `maps A-B, rounds A-B`. */
  score(): string {
    return `${this._maps[0]}-${this._maps[1]} (${this._rounds[0]}-${this._rounds[1]})`
  }

  events(): readonly SimEventInfo[] {
    const mapNo = this._maps[0] + this._maps[1] + 1
    return [
      {
        ...this._event,
        score: `${this._maps[0]}-${this._maps[1]}`,
        period: this._done ? 'FT' : `Map ${mapNo}`,
        live: !this._done,
        ended: this._done,
        markets: this._markets.map((m) => ({ ...m.info, closed: m.closed })),
      },
    ]
  }

  step(): SimFrame[] {
    this._now += this.stepMs
    const frames: SimFrame[] = []
    if (!this._done && --this._stepsToRoundEnd <= 0) this._endRound(frames)
    for (const market of this._markets) this._stepMarket(market, frames)
    return frames
  }

  private _makeMakers(): Maker[] {
    const rng = this._rng
    const count = rng.int(3, 5)
    const makers: Maker[] = []
    for (let i = 0; i < count; i++) {
      makers.push({
        halfSpread: rng.int(1, 4),
        depth: rng.int(2, 6),
        gap: rng.int(1, 2),
        size: rng.int(50, 2000),
        requote: rng.range(0.05, 0.3),
        quotes: [],
      })
    }
    return makers
  }

  private _roundSteps(): number {
    return this._steps(ROUND_MS)
  }

  private _steps(range: readonly [number, number]): number {
    return Math.max(1, Math.round(this._rng.range(range[0], range[1]) / this.stepMs))
  }

  /** A log-normal order size in shares, at least 5 (the minimum order). */
  private _size(shape: readonly [number, number]): number {
    const shares = Math.round(shape[0] * Math.exp(shape[1] * this._rng.normal()))
    return Math.min(MAX_ORDER_SHARES, Math.max(5, shares))
  }

  private _endRound(frames: SimFrame[]): void {
    const rng = this._rng
    this._roundNo++
    this._strength += STRENGTH_DRIFT * rng.normal()
    const winner = rng.chance(sigmoid(this._strength)) ? 0 : 1
    this._rounds[winner]++
    const mapIndex = this._maps[0] + this._maps[1]
    if (this._rounds[winner] >= ROUNDS_TO_WIN) {
      this._maps[winner]++
      this._rounds = [0, 0]
      const mapMarket = this._markets[mapIndex + 1]
      const resolved: SimMarket[] = []
      if (mapMarket !== undefined) {
        mapMarket.fair = winner === 0 ? 1 : 0
        resolved.push(mapMarket)
      }
      if (this._maps[winner] >= 2) {
        this._done = true
        const moneyline = this._markets[0]!
        moneyline.fair = winner === 0 ? 1 : 0
        resolved.push(moneyline)
        // Maps never played resolve to nobody; they just close.
        for (const m of this._markets) {
          if (m.map === null || m.map <= mapIndex) continue
          const changes: WirePriceChange[] = []
          for (const maker of m.makers) this._pull(m, maker, changes)
          if (changes.length > 0) this._pushChanges(m, changes, frames)
          m.closed = true
        }
      }
      this._refreshFair()
      this._stepsToRoundEnd = this._steps(MAP_BREAK_MS) + this._roundSteps()
      for (const market of resolved) this._resolve(market, winner, frames)
      const next = this._markets[mapIndex + 2]
      if (!this._done && next !== undefined) this._open(next, frames)
    } else {
      this._refreshFair()
      this._stepsToRoundEnd = this._roundSteps()
    }
    for (const market of this._markets) {
      if (market.closed || !market.open) continue
      this._snipe(market, frames)
      const changes: WirePriceChange[] = []
      for (const maker of market.makers) this._requote(market, maker, changes)
      if (changes.length > 0) this._pushChanges(market, changes, frames)
    }
    if (!this._done && rng.chance(0.3)) this._crowdEpisode(winner)
  }

  /**
   * Informed takers who saw the round end pick off the quotes it left stale, before the makers
   * requote: one order buying the asks below the new fair value (or selling the bids above it).
   */
  private _snipe(market: SimMarket, frames: SimFrame[]): void {
    const book = market.book.yesBook
    const fairTicks = ((market.fair + market.bias) * 10_000) / TICK
    const ask = book.bestAsk()
    const bid = book.bestBid()
    const buyLimit = (Math.ceil(fairTicks) - 1) * TICK
    const sellLimit = (Math.floor(fairTicks) + 1) * TICK
    const onNo = this._rng.chance(0.5)
    if (ask !== null && ask <= buyLimit) {
      this._take(market, true, onNo, this._size(INFORMED_SIZE), (buyLimit - ask) / TICK, frames)
    } else if (bid !== null && bid >= sellLimit) {
      this._take(market, false, onNo, this._size(INFORMED_SIZE), (bid - sellLimit) / TICK, frames)
    }
  }

  private _refreshFair(): void {
    const p = sigmoid(this._strength)
    const r = mapWinProbability(0, 0, p)
    const current = this._maps[0] + this._maps[1]
    const q = mapWinProbability(this._rounds[0], this._rounds[1], p)
    for (const market of this._markets) {
      if (market.map === null) {
        market.fair = matchWinProbability(this._maps[0], this._maps[1], q, r)
      } else if (market.map === current && !this._done) {
        market.fair = q
      } else if (market.map > current) {
        market.fair = r
      }
    }
  }

  /** Settles a market: final quotes pulled, closed, `market_resolved` for custom-feature clients. */
  private _resolve(market: SimMarket, winner: number, frames: SimFrame[]): void {
    const changes: WirePriceChange[] = []
    for (const maker of market.makers) this._pull(market, maker, changes)
    if (changes.length > 0) this._pushChanges(market, changes, frames)
    market.closed = true
    frames.push({
      assetIds: market.info.tokens,
      customOnly: true,
      payload: {
        event_type: 'market_resolved',
        id: market.info.id,
        market: market.info.conditionId,
        assets_ids: market.info.tokens,
        winning_asset_id: market.info.tokens[winner],
        winning_outcome: market.info.outcomes[winner],
        timestamp: String(this._now),
        tags: ['esports', 'valorant'],
      },
    })
  }

  /**
   * Opens a later map's market: `new_market` to every custom-feature connection (subscribed or
   * not, as the venue announces markets), then the makers' first quotes.
   */
  private _open(market: SimMarket, frames: SimFrame[]): void {
    const info = market.info
    market.open = true
    const [a, b] = this._teams
    frames.push({
      assetIds: info.tokens,
      customOnly: true,
      toAll: true,
      payload: {
        event_type: 'new_market',
        id: info.id,
        question: info.question,
        market: info.conditionId,
        slug: info.slug,
        description: `${info.groupItemTitle} of ${a} vs ${b}; resolves to the team that wins it.`,
        assets_ids: info.tokens,
        outcomes: info.outcomes,
        event_message: {
          id: this._event.id,
          ticker: this._event.slug,
          slug: this._event.slug,
          title: this._event.title,
          description: `${a} vs ${b}, best of three.`,
        },
        timestamp: String(this._now),
        tags: ['esports', 'valorant'],
        condition_id: info.conditionId,
        active: true,
        clob_token_ids: info.tokens,
        sports_market_type: info.sportsMarketType,
        line: '',
        game_start_time: this._event.startTime,
        order_price_min_tick_size: info.tickSize,
        group_item_title: info.groupItemTitle,
      },
    })
    const changes: WirePriceChange[] = []
    for (const maker of market.makers) this._requote(market, maker, changes)
    if (changes.length > 0) this._pushChanges(market, changes, frames)
  }

  private _crowdEpisode(roundWinner: number): void {
    const rng = this._rng
    const moneyline = this._markets[0]!
    const type = rng.pick(['panic_sell', 'fomo_buy', 'liquidity_vacuum'] as const)
    const loser = (1 - roundWinner) as 0 | 1
    const winner = roundWinner as 0 | 1
    // +1 pushes the YES (team A) price up.
    const towardsA = roundWinner === 0 ? 1 : -1
    let assetId: string
    if (type === 'liquidity_vacuum') {
      assetId = moneyline.info.tokens[0]
      moneyline.vacuum = rng.int(20, 80)
      moneyline.vacuumStart = true
    } else {
      // Panic: the loser's holders sell the loser's token. FOMO: chasers buy the winner's.
      const panic = type === 'panic_sell'
      moneyline.flowToken = panic ? loser : winner
      moneyline.flowBuys = !panic
      assetId = moneyline.info.tokens[moneyline.flowToken]
      moneyline.push = towardsA * rng.range(0.05, 0.12)
      moneyline.flowSteps = rng.int(20, 60)
      moneyline.widen = Math.max(moneyline.widen, rng.int(1, 4))
    }
    const label: SimLabel = {
      type,
      asset_id: assetId,
      ts: this._now,
      round: this._roundNo,
      score: this.score(),
    }
    this.labels.push(label)
    this._onLabel?.(label)
  }

  private _stepMarket(market: SimMarket, frames: SimFrame[]): void {
    if (market.closed || !market.open) return
    const rng = this._rng
    const changes: WirePriceChange[] = []
    const wasVacuum = market.vacuum > 0
    if (market.vacuum > 0) market.vacuum--
    // The crowd drags the quoted fair towards its push while it trades, then the push decays
    // (half-life about 25 s) and the price reverts.
    if (market.flowSteps > 0) market.bias += 0.15 * (market.push - market.bias)
    else if (Math.abs(market.bias) > 0.002) market.bias *= 0.986
    else market.bias = 0
    if (market.widen > 0 && rng.chance(0.04)) market.widen--
    const kept = market.vacuum > 0 ? this._widestMaker(market) : -1
    for (let i = 0; i < market.makers.length; i++) {
      const maker = market.makers[i]!
      const pulled = market.vacuum > 0 && i !== kept
      if (pulled) {
        if (maker.quotes.length > 0) this._pull(market, maker, changes)
      } else if (
        (wasVacuum && market.vacuum === 0) ||
        (market.vacuumStart && i === kept) ||
        rng.chance(maker.requote)
      ) {
        this._requote(market, maker, changes)
      }
    }
    market.vacuumStart = false
    if (changes.length > 0) this._pushChanges(market, changes, frames)
    if (market.flowSteps > 0) {
      market.flowSteps--
      if (rng.chance(CROWD_ORDER_PROBABILITY)) {
        const onNo = market.flowToken === 1
        // Buying NO is selling YES and the other way round.
        const buyYes = onNo !== market.flowBuys
        this._take(market, buyYes, onNo, this._size(CROWD_SIZE), CROWD_SWEEP_TICKS, frames)
      }
    }
    if (rng.chance(BACKGROUND_TAKER_PROBABILITY)) {
      this._take(market, rng.chance(0.5), rng.chance(0.5), this._size(BACKGROUND_SIZE), 0, frames)
    }
  }

  /** Index of the maker quoting widest: in a vacuum the tight makers pull first. */
  private _widestMaker(market: SimMarket): number {
    let best = 0
    market.makers.forEach((maker, i) => {
      if (maker.halfSpread > market.makers[best]!.halfSpread) best = i
    })
    return best
  }

  /**
   * Emits the changes as the venue does: one `price_change` per level change, carrying the
   * YES leg and its mirrored NO leg (`setYesLevel` returns them as a pair).
   */
  private _pushChanges(market: SimMarket, changes: WirePriceChange[], frames: SimFrame[]): void {
    for (let i = 0; i < changes.length; i += 2) {
      frames.push({
        assetIds: market.info.tokens,
        payload: {
          event_type: 'price_change',
          market: market.info.conditionId,
          timestamp: String(this._now),
          price_changes: changes.slice(i, i + 2),
        },
      })
    }
  }

  /** Removes a maker's quotes (down to what is left at each level after trades). */
  private _pull(market: SimMarket, maker: Maker, out: WirePriceChange[]): void {
    const book = market.book.yesBook
    for (const quote of maker.quotes) {
      const left = Math.max(0, book.sizeAt(quote.side, quote.price) - quote.size)
      out.push(...market.book.setYesLevel(quote.side, quote.price, left as ShareMicros, this.now()))
    }
    maker.quotes = []
  }

  /** Moves a maker's ladder to the current fair, without a transient gap (maker-requote.ts). */
  private _requote(market: SimMarket, maker: Maker, out: WirePriceChange[]): void {
    const book = market.book.yesBook
    // The maker's own old quotes do not cap its new ones.
    const othersAsk = othersBest(book, maker.quotes, 'ask')
    const othersBid = othersBest(book, maker.quotes, 'bid')
    const fair = Math.min(0.995, Math.max(0.005, market.fair + market.bias))
    // The tightest makers quote the ticks either side of the fair value: a one-tick market, as
    // most in-play quotes of real Valorant match markets are (76 % of the polled quotes in
    // pmus-esports-quotes-2026-07 are one cent wide).
    const fairTicks = (fair * 10_000) / TICK
    const below = Math.ceil(fairTicks) * TICK
    const above = Math.floor(fairTicks) * TICK
    // Makers back off after a shock; the one maker left in a vacuum quotes defensively.
    const defensive = market.vacuum > 0 ? maker.halfSpread + 2 : 0
    const halfSpread = maker.halfSpread + market.widen + defensive
    const quotes: Quote[] = []
    for (let level = 0; level < maker.depth; level++) {
      const offset = (halfSpread + level * maker.gap) * TICK
      const size = Math.round(maker.size * (1 + 0.5 * level) * this._rng.range(0.7, 1.3)) * SHARE
      // Never cross the others' quotes: a stale level from an older fair caps the new one.
      let bid = Math.min(below - offset, MAX_PRICE_QUOTED)
      if (othersAsk !== null) bid = Math.min(bid, othersAsk - TICK)
      if (bid >= MIN_PRICE) quotes.push({ side: 'bid', price: bid as PriceTicks, size })
      let ask = Math.max(above + offset, MIN_PRICE)
      if (othersBid !== null) ask = Math.max(ask, othersBid + TICK)
      if (ask <= MAX_PRICE_QUOTED) quotes.push({ side: 'ask', price: ask as PriceTicks, size })
    }
    for (const target of requoteTargets(book, maker.quotes, quotes)) {
      out.push(...market.book.setYesLevel(target.side, target.price, target.size, this.now()))
    }
    maker.quotes = quotes
  }

  /**
   * A taker order for `shares` that buys (or sells) YES, traded on the YES token or on the
   * mirrored NO token. It fills level by level from the best, at most `sweepTicks` past it;
   * each level filled is one trade print, then one `book` snapshot of the traded token.
   */
  private _take(
    market: SimMarket,
    buyYes: boolean,
    onNo: boolean,
    shares: number,
    sweepTicks: number,
    frames: SimFrame[],
  ): void {
    const book = market.book.yesBook
    // Buying YES lifts the YES ask; selling YES hits the YES bid.
    const side: Side = buyYes ? 'ask' : 'bid'
    const first = buyYes ? book.bestAsk() : book.bestBid()
    if (first === null) return
    const token = market.info.tokens[onNo ? 1 : 0] as TokenId
    const takerSide = onNo !== buyYes ? 'BUY' : 'SELL'
    let left = shares * SHARE
    while (left > 0) {
      const best = buyYes ? book.bestAsk() : book.bestBid()
      if (best === null || Math.abs(best - first) > sweepTicks * TICK) break
      const available = book.sizeAt(side, best)
      const size = Math.min(left, available)
      left -= size
      const price = onNo ? complementPrice(best) : best
      market.book.noteTrade(token, price)
      const changes = market.book.setYesLevel(
        side,
        best,
        (available - size) as ShareMicros,
        this.now(),
      )
      this._pushChanges(market, changes, frames)
      frames.push({
        assetIds: [token],
        payload: {
          event_type: 'last_trade_price',
          asset_id: token,
          market: market.info.conditionId,
          price: formatPrice(price),
          side: takerSide,
          size: formatSize(size as ShareMicros),
          fee_rate_bps: '0',
          timestamp: String(this._now),
        },
      })
    }
    // The venue follows a trade that changed the book with a fresh `book` for the traded token
    // (protocol reference 2.3; the recorded burst in test/fixtures/polymarket ends with one).
    frames.push({ assetIds: [token], payload: market.book.snapshot(token, this.now()) })
  }
}

function short(team: string): string {
  return team
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 6)
}
