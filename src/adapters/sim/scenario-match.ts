/**
 * Scenario `match`: a synthetic Valorant best-of-three. Maps go to 13 rounds; each round is
 * won by team A with probability sigmoid(strength), and the latent strength drifts between
 * rounds. Markets: the match moneyline and one market per map (YES = team A), tick 0.01.
 *
 * Liquidity: several makers quote a ladder around the fair value implied by the score, each
 * with its own spread, depth and size; takers hit the best levels. After some rounds the crowd
 * over-reacts (panic sells, FOMO buys, or makers pulling their quotes); the push decays and the
 * price reverts. Each such episode is recorded as a ground-truth label.
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
import { Rng } from './rng.js'
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
const ROUNDS_TO_WIN = 13
const MIN_PRICE = TICK
const MAX_PRICE_QUOTED = 10_000 - TICK
const SHARE = 1_000_000

type Quote = { side: Side; price: PriceTicks; size: number }

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
  /** Crowd push on the quoted fair, in probability units; decays each step. */
  bias: number
  /** Steps left with most makers pulled. */
  vacuum: number
  /** Extra taker flow while a crowd episode lasts: +1 buys YES, -1 sells YES. */
  flow: number
  flowSteps: number
  makers: Maker[]
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

/** P(A wins a map from a:b) when A wins each round with probability p. */
export function mapWinProbability(a: number, b: number, p: number): number {
  if (a >= ROUNDS_TO_WIN) return 1
  if (b >= ROUNDS_TO_WIN) return 0
  // Row by row from the end: table[i][j] for i, j < 13.
  const n = ROUNDS_TO_WIN
  const table: number[] = new Array<number>((n + 1) * (n + 1)).fill(0)
  const at = (i: number, j: number): number => table[i * (n + 1) + j]!
  for (let i = n; i >= 0; i--) {
    for (let j = n; j >= 0; j--) {
      let value: number
      if (i === n && j === n) value = 0
      else if (i === n) value = 1
      else if (j === n) value = 0
      else value = p * at(i + 1, j) + (1 - p) * at(i, j + 1)
      table[i * (n + 1) + j] = value
    }
  }
  return at(a, b)
}

/** P(A wins a best-of-three from maps a:b), the current map won with q, later maps with r. */
export function matchWinProbability(a: number, b: number, q: number, r: number): number {
  const future = (x: number, y: number): number => {
    if (x >= 2) return 1
    if (y >= 2) return 0
    return r * future(x + 1, y) + (1 - r) * future(x, y + 1)
  }
  if (a >= 2) return 1
  if (b >= 2) return 0
  return q * future(a + 1, b) + (1 - q) * future(a, b + 1)
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
    this._strength = rng.range(-0.4, 0.4)
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
        bias: 0,
        vacuum: 0,
        flow: 0,
        flowSteps: 0,
        makers: this._makeMakers(),
      }
      this._markets.push(market)
      for (const token of info.tokens) this._byToken.set(token, market)
      // Opening quotes are part of the initial book, not events.
      for (const maker of market.makers) this._requote(market, maker, [])
    })
    this._stepsToRoundEnd = this._roundSteps()
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
    return Math.round(this._rng.range(60_000, 110_000) / this.stepMs)
  }

  private _endRound(frames: SimFrame[]): void {
    const rng = this._rng
    this._roundNo++
    this._strength += 0.08 * rng.normal()
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
      this._stepsToRoundEnd = this._roundSteps()
      for (const market of resolved) this._resolve(market, winner, frames)
    } else {
      this._refreshFair()
      this._stepsToRoundEnd = this._roundSteps()
    }
    for (const market of this._markets) {
      if (market.closed) continue
      const changes: WirePriceChange[] = []
      for (const maker of market.makers) this._requote(market, maker, changes)
      if (changes.length > 0) this._pushChanges(market, changes, frames)
    }
    if (!this._done && rng.chance(0.3)) this._crowdEpisode(winner)
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

  private _crowdEpisode(roundWinner: number): void {
    const rng = this._rng
    const moneyline = this._markets[0]!
    const type = rng.pick(['panic_sell', 'fomo_buy', 'liquidity_vacuum'] as const)
    const loserToken = moneyline.info.tokens[1 - roundWinner]!
    const winnerToken = moneyline.info.tokens[roundWinner]!
    // +1 pushes the YES (team A) price up.
    const towardsA = roundWinner === 0 ? 1 : -1
    let assetId: string
    if (type === 'panic_sell') {
      assetId = loserToken
      moneyline.bias = towardsA * rng.range(0.05, 0.12)
      moneyline.flow = towardsA
      moneyline.flowSteps = rng.int(6, 16)
    } else if (type === 'fomo_buy') {
      assetId = winnerToken
      moneyline.bias = towardsA * rng.range(0.05, 0.12)
      moneyline.flow = towardsA
      moneyline.flowSteps = rng.int(6, 16)
    } else {
      assetId = moneyline.info.tokens[0]
      moneyline.vacuum = rng.int(10, 30)
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
    if (market.closed) return
    const rng = this._rng
    const changes: WirePriceChange[] = []
    const wasVacuum = market.vacuum > 0
    if (market.vacuum > 0) market.vacuum--
    if (Math.abs(market.bias) > 0.002) market.bias *= 0.93
    else market.bias = 0
    for (let i = 0; i < market.makers.length; i++) {
      const maker = market.makers[i]!
      const pulled = market.vacuum > 0 && i > 0
      if (pulled) {
        if (maker.quotes.length > 0) this._pull(market, maker, changes)
      } else if (
        (wasVacuum && market.vacuum === 0) ||
        market.bias !== 0 ||
        rng.chance(maker.requote)
      ) {
        this._requote(market, maker, changes)
      }
    }
    if (changes.length > 0) this._pushChanges(market, changes, frames)
    const takerProbability = market.flowSteps > 0 ? 0.8 : 0.15
    if (rng.chance(takerProbability)) {
      let buyYes = rng.chance(0.5)
      if (market.flowSteps > 0 && rng.chance(0.8)) buyYes = market.flow > 0
      this._take(market, buyYes, frames)
    }
    if (market.flowSteps > 0) market.flowSteps--
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

  private _requote(market: SimMarket, maker: Maker, out: WirePriceChange[]): void {
    this._pull(market, maker, out)
    const fair = Math.min(0.995, Math.max(0.005, market.fair + market.bias))
    const center = Math.round((fair * 10_000) / TICK) * TICK
    const book = market.book.yesBook
    for (let level = 0; level < maker.depth; level++) {
      const offset = (maker.halfSpread + level * maker.gap) * TICK
      const size = Math.round(maker.size * (1 + 0.5 * level) * this._rng.range(0.7, 1.3)) * SHARE
      // Never cross the others' quotes: a stale level from an older fair caps the new one.
      const bestAsk = book.bestAsk()
      let bid = Math.min(center - offset, MAX_PRICE_QUOTED)
      if (bestAsk !== null) bid = Math.min(bid, bestAsk - TICK)
      if (bid >= MIN_PRICE) this._add(market, maker, 'bid', bid as PriceTicks, size, out)
      const bestBid = book.bestBid()
      let ask = Math.max(center + offset, MIN_PRICE)
      if (bestBid !== null) ask = Math.max(ask, bestBid + TICK)
      if (ask <= MAX_PRICE_QUOTED) this._add(market, maker, 'ask', ask as PriceTicks, size, out)
    }
  }

  private _add(
    market: SimMarket,
    maker: Maker,
    side: Side,
    price: PriceTicks,
    size: number,
    out: WirePriceChange[],
  ): void {
    const total = market.book.yesBook.sizeAt(side, price) + size
    out.push(...market.book.setYesLevel(side, price, total as ShareMicros, this.now()))
    maker.quotes.push({ side, price, size })
  }

  /** A taker buys (or sells) YES or the mirrored NO at the best level. */
  private _take(market: SimMarket, buyYes: boolean, frames: SimFrame[]): void {
    const rng = this._rng
    const book = market.book.yesBook
    // Buying YES lifts the YES ask; selling YES hits the YES bid.
    const side: Side = buyYes ? 'ask' : 'bid'
    const best = buyYes ? book.bestAsk() : book.bestBid()
    if (best === null) return
    const available = book.sizeAt(side, best)
    const wanted = rng.int(5, 400) * SHARE
    const size = Math.min(wanted, available)
    // Half the flow trades the NO token: buying NO is selling YES and the other way round.
    const onNo = rng.chance(0.5)
    const token = market.info.tokens[onNo ? 1 : 0]
    const price = onNo ? complementPrice(best) : best
    const takerSide = onNo !== buyYes ? 'BUY' : 'SELL'
    market.book.noteTrade(token as TokenId, price)
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
}

function short(team: string): string {
  return team
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 6)
}
