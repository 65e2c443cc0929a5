/**
 * Top-N depth of one book (shares on the best `levels` levels of each side), kept up to date
 * from the level changes themselves, so that most book changes cost no scan of the book.
 *
 * Each side keeps its best N levels (price and size, best first). A level change is applied to
 * that list: a new size of a listed level, a new level in front of the N-th, a change behind the
 * N-th (which cannot touch the best N) or the removal of a listed level while the side has fewer
 * than N levels needs nothing else. Only when a listed level is removed from a full list is the
 * side counted again from the book (the next level behind is not known), and so is every side
 * after a snapshot, a tick size change, an unknown event, or a list whose best price disagrees
 * with the book's. The result is the number `BookView.depthShares` gives for both sides: the
 * sizes are integer share micros, so the sums are exact in any order. `top-depth.test.ts` checks
 * that on random books.
 *
 * The lists are only valid while they see every change of their book: call
 * {@link TopDepth.update} for each book change (as `MarketData` reports them) or
 * {@link TopDepth.invalidate} when a change is not followed.
 */
import type { MarketEvent } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import { SHARE_SCALE, type PriceTicks, type ShareMicros } from '../../domain/units.js'

/** The best levels of one side, best first. */
class SideList {
  readonly prices: Float64Array
  readonly sizes: Float64Array
  /** Levels listed: all of the side's levels when fewer than the capacity. */
  length = 0
  /** Sum of the listed sizes, share micros. */
  micros = 0

  constructor(capacity: number) {
    this.prices = new Float64Array(capacity)
    this.sizes = new Float64Array(capacity)
  }

  clear(): void {
    this.length = 0
    this.micros = 0
  }

  /** Appends a level behind the listed ones (a count from the book, best first). */
  push(price: number, size: number): void {
    this.prices[this.length] = price
    this.sizes[this.length] = size
    this.length++
    this.micros += size
  }
}

export class TopDepth {
  readonly levels: number
  /** Top-N depth of both sides at the last update, shares. */
  shares = 0
  private readonly _bids: SideList
  private readonly _asks: SideList
  /** The book the lists describe; null when nothing is known. */
  private _book: BookView | null = null
  /** The side list a count from the book fills. */
  private _filling: SideList
  private readonly _visit: (price: PriceTicks, size: ShareMicros) => boolean

  constructor(levels: number) {
    this.levels = Math.max(0, levels)
    this._bids = new SideList(this.levels)
    this._asks = new SideList(this.levels)
    this._filling = this._bids
    this._visit = (price, size) => {
      const list = this._filling
      list.push(price, size)
      return list.length < this.levels
    }
  }

  /** Shares on the best `levels` bids at the last update. */
  get bidShares(): number {
    return this._bids.micros / SHARE_SCALE
  }

  /** Best bid at the last update, price ticks; null when the side is empty. */
  get bestBid(): number | null {
    return this._bids.length > 0 ? this._bids.prices[0]! : null
  }

  /** Best ask at the last update, price ticks; null when the side is empty. */
  get bestAsk(): number | null {
    return this._asks.length > 0 ? this._asks.prices[0]! : null
  }

  /** Shares on the best `levels` asks at the last update. */
  get askShares(): number {
    return this._asks.micros / SHARE_SCALE
  }

  /**
   * Shares on the best `levels` levels of both sides that lie within `levels` ticks of the mid
   * (`bestBid`, `bestAsk` and `tick` in price ticks, as at the last update). On a full book (one
   * level per tick from a one- or two-tick spread) this is {@link TopDepth.shares}; when the
   * makers near the mid have pulled their quotes, the far levels that moved up into the best N
   * are not counted. O(levels), no allocation.
   */
  bandShares(bestBid: number, bestAsk: number, tick: number): number {
    return this.bandSharesAround(bestBid + bestAsk, tick)
  }

  /**
   * {@link TopDepth.bandShares} around a given centre, `mid2` = twice the mid in price ticks
   * (for a one-sided book: the last mid the book had).
   */
  bandSharesAround(mid2: number, tick: number): number {
    // Doubled prices keep the mid on the integer grid: a bid counts when mid − price ≤ N ticks.
    const sum2 = mid2
    const reach2 = 2 * this.levels * tick
    let micros = 0
    const bids = this._bids
    for (let i = 0; i < bids.length; i++) {
      if (sum2 - 2 * bids.prices[i]! > reach2) break
      micros += bids.sizes[i]!
    }
    const asks = this._asks
    for (let i = 0; i < asks.length; i++) {
      if (2 * asks.prices[i]! - sum2 > reach2) break
      micros += asks.sizes[i]!
    }
    return micros / SHARE_SCALE
  }

  /** Forget what is known: the next update counts both sides from the book. */
  invalidate(): void {
    this._book = null
  }

  /**
   * `book` was changed by `event` (and by nothing else since the last update): brings the lists
   * and {@link TopDepth.shares} up to date.
   */
  update(book: BookView, event: MarketEvent): void {
    this.updateWithTop(book, event, book.bestBid(), book.bestAsk())
  }

  /**
   * {@link TopDepth.update} for a caller that has just read the book's best bid and ask
   * (`book.bestBid()`, `book.bestAsk()`, after the change): spares reading them again.
   */
  updateWithTop(
    book: BookView,
    event: MarketEvent,
    bestBid: number | null,
    bestAsk: number | null,
  ): void {
    const known = this._book === book && event.type === 'price_change'
    // Invalid while updating, so that a failure half-way never leaves a wrong list behind.
    this._book = null
    let countBids = !known
    let countAsks = !known
    if (known && this.levels > 0) {
      const changes = event.changes
      const assetId = book.assetId
      for (let i = 0; i < changes.length; i++) {
        const change = changes[i]!
        if (change.side === 'bid') {
          if (!countBids && this._behindBid(change.price) === false) {
            if (change.assetId === assetId) countBids = this._apply(this._bids, 1, change)
          }
        } else if (!countAsks && this._behindAsk(change.price) === false) {
          if (change.assetId === assetId) countAsks = this._apply(this._asks, -1, change)
        }
      }
    }
    const bids = this._bids
    const asks = this._asks
    // A list that disagrees with the book's best price was not told of every change.
    if (!countBids) {
      countBids =
        bestBid === null ? bids.length !== 0 : bids.length === 0 || bids.prices[0] !== bestBid
    }
    if (!countAsks) {
      countAsks =
        bestAsk === null ? asks.length !== 0 : asks.length === 0 || asks.prices[0] !== bestAsk
    }
    if (countBids) this._count(book, bids, 'bid')
    if (countAsks) this._count(book, asks, 'ask')
    this._book = book
    this.shares = bids.micros / SHARE_SCALE + asks.micros / SHARE_SCALE
  }

  /** A bid at `price` is behind the best N bids (cannot change their depth). */
  private _behindBid(price: number): boolean {
    const list = this._bids
    return list.length === this.levels && price < list.prices[list.length - 1]!
  }

  private _behindAsk(price: number): boolean {
    const list = this._asks
    return list.length === this.levels && price > list.prices[list.length - 1]!
  }

  /**
   * Applies one level change in front of (or at) the N-th level of `list`; `dir` is +1 for bids
   * (higher is better) and −1 for asks. Returns true when the side must be counted from the book.
   */
  private _apply(
    list: SideList,
    dir: number,
    change: { readonly price: number; readonly size: number },
  ): boolean {
    const prices = list.prices
    const sizes = list.sizes
    const price = change.price
    const size = change.size
    const n = list.length
    let i = 0
    // First listed level not better than `price`.
    while (i < n && dir * (prices[i]! - price) > 0) i++
    if (i < n && prices[i] === price) {
      if (size > 0) {
        list.micros += size - sizes[i]!
        sizes[i] = size
        return false
      }
      // A full list does not know the level behind its last one.
      if (n === this.levels) return true
      list.micros -= sizes[i]!
      for (let k = i + 1; k < n; k++) {
        prices[k - 1] = prices[k]!
        sizes[k - 1] = sizes[k]!
      }
      list.length = n - 1
      return false
    }
    // Removing a level that is not there changes nothing.
    if (size <= 0) return false
    let last = n
    if (n === this.levels) {
      // The N-th level drops out behind the new one.
      last = n - 1
      list.micros -= sizes[last]!
    } else {
      list.length = n + 1
    }
    for (let k = last; k > i; k--) {
      prices[k] = prices[k - 1]!
      sizes[k] = sizes[k - 1]!
    }
    prices[i] = price
    sizes[i] = size
    list.micros += size
    return false
  }

  private _count(book: BookView, list: SideList, side: 'bid' | 'ask'): void {
    list.clear()
    if (this.levels === 0) return
    this._filling = list
    book.forEachLevel(side, this._visit)
  }
}
