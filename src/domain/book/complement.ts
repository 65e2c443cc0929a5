/**
 * YES and NO are one book seen twice. Buying YES at p is selling NO at 1 - p, so a YES bid at
 * `p` ticks is a NO ask at `10_000 - p` with the same size, and a YES ask is a NO bid. This is
 * the only place that flips a book; callers use these functions instead of re-deriving it.
 */
import { complementPrice, type Side, type TickSize, type TokenId } from '../market.js'
import {
  PRICE_SCALE,
  SHARE_SCALE,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../units.js'
import type { Level } from './book-events.js'
import { micropriceOf, midOf, spreadBpsOf, type BookView } from './order-book.js'

const TICK_MICROS_PER_USD = PRICE_SCALE * SHARE_SCALE

/**
 * Flips each level's price to the other outcome (`10_000 - p`), keeping sizes and order. Since
 * flipping reverses the price order, best-first bids become best-first asks and vice versa.
 */
export function complementLevels(levels: readonly Level[]): Level[] {
  return levels.map((level) => ({ price: complementPrice(level.price), size: level.size }))
}

/**
 * A live read-only view of `book` as the other outcome's book: its bids are the source's asks
 * at `10_000 - p`, its asks the source's bids. It allocates nothing per query beyond what
 * `levels` returns and always reflects the source's current state; staleness, epoch, tick size
 * and timestamps are the source's. Metrics use the same formulas as {@link OrderBook}, so the
 * view of a YES book agrees exactly with an `OrderBook` holding the flipped NO levels.
 *
 * @param assetId the other outcome's token id; when omitted the view reports the source's id,
 *   so it still names the book it reads from.
 */
export function complementView(book: BookView, assetId?: TokenId): BookView {
  return new ComplementView(book, assetId ?? book.assetId)
}

function flip(side: Side): Side {
  return side === 'bid' ? 'ask' : 'bid'
}

class ComplementView implements BookView {
  readonly assetId: TokenId
  private readonly _source: BookView

  constructor(source: BookView, assetId: TokenId) {
    this._source = source
    this.assetId = assetId
  }

  get tickSize(): TickSize {
    return this._source.tickSize
  }

  get epoch(): number {
    return this._source.epoch
  }

  get synced(): boolean {
    return this._source.synced
  }

  get stale(): boolean {
    return this._source.stale
  }

  get staleReason(): string | null {
    return this._source.staleReason
  }

  get lastUpdateTs(): EpochMs {
    return this._source.lastUpdateTs
  }

  bestBid(): PriceTicks | null {
    const ask = this._source.bestAsk()
    return ask === null ? null : complementPrice(ask)
  }

  bestAsk(): PriceTicks | null {
    const bid = this._source.bestBid()
    return bid === null ? null : complementPrice(bid)
  }

  sizeAt(side: Side, price: PriceTicks): ShareMicros {
    return this._source.sizeAt(flip(side), complementPrice(price))
  }

  levelCount(side: Side): number {
    return this._source.levelCount(flip(side))
  }

  levels(side: Side, n?: number): Level[] {
    return complementLevels(this._source.levels(flip(side), n))
  }

  forEachLevel(side: Side, fn: (price: PriceTicks, size: ShareMicros) => boolean | void): void {
    this._source.forEachLevel(flip(side), (price, size) => fn(complementPrice(price), size))
  }

  isCrossed(): boolean {
    // bid' >= ask'  <=>  10000 - ask >= 10000 - bid  <=>  bid >= ask: crossing is symmetric.
    return this._source.isCrossed()
  }

  mid(): number | null {
    const bid = this.bestBid()
    const ask = this.bestAsk()
    return bid === null || ask === null ? null : midOf(bid, ask)
  }

  microprice(): number | null {
    const bid = this.bestBid()
    const ask = this.bestAsk()
    if (bid === null || ask === null) return null
    return micropriceOf(bid, this.sizeAt('bid', bid), ask, this.sizeAt('ask', ask))
  }

  spread(): number | null {
    const ticks = this.spreadTicks()
    return ticks === null ? null : ticks / PRICE_SCALE
  }

  spreadTicks(): number | null {
    const bid = this.bestBid()
    const ask = this.bestAsk()
    return bid === null || ask === null ? null : ask - bid
  }

  spreadBps(): number | null {
    const bid = this.bestBid()
    const ask = this.bestAsk()
    return bid === null || ask === null ? null : spreadBpsOf(bid, ask)
  }

  depthShares(side: Side, n: number): number {
    // Sizes do not change under the flip.
    return this._source.depthShares(flip(side), n)
  }

  depthUsd(side: Side, n: number): number {
    let total = 0
    let count = 0
    if (n <= 0) return 0
    this.forEachLevel(side, (price, size) => {
      total += price * size
      count++
      return count < n
    })
    return total / TICK_MICROS_PER_USD
  }

  imbalance(n: number): number | null {
    // Swapping the sides negates (b - a) / (b + a) exactly; 0 - r keeps a balanced book at +0.
    const source = this._source.imbalance(n)
    return source === null ? null : 0 - source
  }
}
