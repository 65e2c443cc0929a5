/**
 * The view of a book the research switch (`allowUnsyncedBooks`) lets decisions use: a book
 * stale only for lack of a snapshot, whose top equals the venue's stated best bid and ask. It
 * reads through to the live book and presents it as fresh, for the strategy and the venue
 * alike. One class for every view, so the venue and strategies see one object shape.
 */
import type { Level } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { Side, TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'

export class UsableView implements BookView {
  readonly book: BookView
  readonly stale = false
  readonly staleReason = null

  constructor(book: BookView) {
    this.book = book
  }

  get assetId(): TokenId {
    return this.book.assetId
  }
  get tickSize(): TickSize {
    return this.book.tickSize
  }
  get epoch(): number {
    return this.book.epoch
  }
  get synced(): boolean {
    return this.book.synced
  }
  get lastUpdateTs(): EpochMs {
    return this.book.lastUpdateTs
  }
  bestBid(): PriceTicks | null {
    return this.book.bestBid()
  }
  bestAsk(): PriceTicks | null {
    return this.book.bestAsk()
  }
  sizeAt(side: Side, price: PriceTicks): ShareMicros {
    return this.book.sizeAt(side, price)
  }
  levelCount(side: Side): number {
    return this.book.levelCount(side)
  }
  levels(side: Side, n?: number): Level[] {
    return n === undefined ? this.book.levels(side) : this.book.levels(side, n)
  }
  forEachLevel(side: Side, fn: (price: PriceTicks, size: ShareMicros) => boolean | void): void {
    this.book.forEachLevel(side, fn)
  }
  isCrossed(): boolean {
    return this.book.isCrossed()
  }
  mid(): number | null {
    return this.book.mid()
  }
  microprice(): number | null {
    return this.book.microprice()
  }
  spread(): number | null {
    return this.book.spread()
  }
  spreadTicks(): number | null {
    return this.book.spreadTicks()
  }
  spreadBps(): number | null {
    return this.book.spreadBps()
  }
  depthShares(side: Side, n: number): number {
    return this.book.depthShares(side, n)
  }
  depthUsd(side: Side, n: number): number {
    return this.book.depthUsd(side, n)
  }
  imbalance(n: number): number | null {
    return this.book.imbalance(n)
  }
}
