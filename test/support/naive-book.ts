/**
 * A deliberately naive order book: one `Map<price, size>` per side, sorted on every read. It is
 * slow on purpose and simple enough to be obviously right, so it serves as the model in the
 * order book's property tests and as the baseline peer in the book benchmark.
 *
 * Semantics mirror `OrderBook`: a snapshot clears both sides and applies its entries in order,
 * size 0 removes a level, a tick size change clears the book and starts a new epoch, and the
 * book is stale until a snapshot arrives in the current epoch or after `markStale`.
 */
import type { Level } from '../../src/domain/book/book-events.js'
import type { Side, TickSize } from '../../src/domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../src/domain/units.js'

export class NaiveBook {
  /** Price ticks -> size in share micros; only non-zero sizes are kept. */
  readonly bids = new Map<number, number>()
  readonly asks = new Map<number, number>()
  tickSize: TickSize
  /** Tick size changes seen so far. */
  epoch = 0
  /** A snapshot arrived in the current epoch. */
  synced = false
  /** Null when fresh. */
  staleReason: string | null = 'no_snapshot'
  lastUpdateTs = 0 as EpochMs

  constructor(tickSize: TickSize = 100 as TickSize) {
    this.tickSize = tickSize
  }

  get stale(): boolean {
    return this.staleReason !== null
  }

  /** Clears both sides and applies every entry in order, as a venue snapshot. */
  replace(bids: readonly Level[], asks: readonly Level[], ts: EpochMs): void {
    this.bids.clear()
    this.asks.clear()
    for (const level of bids) this._setSize(this.bids, level.price, level.size)
    for (const level of asks) this._setSize(this.asks, level.price, level.size)
    this.synced = true
    this.staleReason = null
    this.lastUpdateTs = ts
  }

  /** Absolute size at one level; 0 removes it. */
  setLevel(side: Side, price: PriceTicks, size: ShareMicros, ts: EpochMs): void {
    this._setSize(this._map(side), price, size)
    this.lastUpdateTs = ts
  }

  /** New epoch, empty book, stale until the next snapshot. */
  changeTickSize(tick: TickSize, ts: EpochMs): void {
    this.bids.clear()
    this.asks.clear()
    this.tickSize = tick
    this.epoch++
    this.synced = false
    this.staleReason = 'tick_size_change'
    this.lastUpdateTs = ts
  }

  markStale(reason: string): void {
    this.staleReason = reason
  }

  /** Levels best first: bids by price descending, asks ascending. Sorts on every call. */
  levels(side: Side, n?: number): Level[] {
    const entries = [...this._map(side).entries()]
    entries.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]))
    const all = entries.map(([price, size]) => ({
      price: price as PriceTicks,
      size: size as ShareMicros,
    }))
    return n === undefined ? all : all.slice(0, Math.max(0, n))
  }

  bestBid(): PriceTicks | null {
    let best: number | null = null
    for (const price of this.bids.keys()) if (best === null || price > best) best = price
    return best as PriceTicks | null
  }

  bestAsk(): PriceTicks | null {
    let best: number | null = null
    for (const price of this.asks.keys()) if (best === null || price < best) best = price
    return best as PriceTicks | null
  }

  sizeAt(side: Side, price: PriceTicks): ShareMicros {
    return (this._map(side).get(price) ?? 0) as ShareMicros
  }

  levelCount(side: Side): number {
    return this._map(side).size
  }

  isCrossed(): boolean {
    const bid = this.bestBid()
    const ask = this.bestAsk()
    return bid !== null && ask !== null && bid >= ask
  }

  /** Sum of sizes (share micros) of the best `n` levels. */
  depthMicros(side: Side, n: number): number {
    return this.levels(side, n).reduce((sum, level) => sum + level.size, 0)
  }

  private _map(side: Side): Map<number, number> {
    return side === 'bid' ? this.bids : this.asks
  }

  private _setSize(map: Map<number, number>, price: number, size: number): void {
    if (size === 0) map.delete(price)
    else map.set(price, size)
  }
}
