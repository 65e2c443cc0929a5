/**
 * One asset's aggregated order book over the whole price range 0..10_000 {@link PriceTicks}.
 *
 * Layout: a `Float64Array(10_001)` of sizes per side, indexed by price tick (sizes are integer
 * {@link ShareMicros}, exact in float64 up to 2^53), an occupancy bitset per side (one bit per
 * tick in `Uint32Array` words) and the best index per side. Applying a level change is O(1)
 * except when the best level is removed; the next best is then found by scanning bitset words,
 * 32 ticks at a time. Nothing on the update path allocates.
 *
 * Invariants after every public call:
 * - `sizes[p] > 0` exactly when bit `p` of the side's bitset is set;
 * - the level count equals the number of set bits;
 * - the best bid is the highest set bid bit and the best ask the lowest set ask bit (-1 when
 *   the side is empty).
 *
 * A crossed book is stored as given; detecting it ({@link OrderBook.isCrossed}) and resyncing
 * is the caller's job. Prices off the current tick are stored too: the venue's snapshots around
 * a tick size change may hold them, and the book is a mirror, not a validator.
 */
import { InvariantError } from '../errors.js'
import { isTickSize, type Side, type TickSize, type TokenId } from '../market.js'
import {
  MAX_PRICE,
  PRICE_SCALE,
  SHARE_SCALE,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
} from '../units.js'
import type { Level } from './book-events.js'

/** Number of price slots per side: every tick from 0 to 10_000 inclusive. */
export const PRICE_SLOTS = MAX_PRICE + 1
/** 32-bit words in one side's occupancy bitset. */
const WORDS = Math.ceil(PRICE_SLOTS / 32)
/** Price × size (ticks × micros) to USD: 1e-4 × 1e-6. */
const TICK_MICROS_PER_USD = PRICE_SCALE * SHARE_SCALE

/** Stale reason of a book that has not had a snapshot in its current epoch. */
export const STALE_NO_SNAPSHOT = 'no_snapshot'
/** Stale reason right after a tick size change, until the next snapshot. */
export const STALE_TICK_SIZE_CHANGE = 'tick_size_change'

/**
 * The read-only half of an order book: everything detectors, risk, the UI and views such as
 * the complement need. {@link OrderBook} satisfies it; so does `complementView`.
 *
 * Prices are {@link PriceTicks}, sizes {@link ShareMicros}. Research metrics are floats in
 * price units (0..1), shares or USD, and `null` when undefined (for example a one-sided book).
 */
export interface BookView {
  /** The CLOB token whose book this is. */
  readonly assetId: TokenId
  /** Current tick size in ticks. */
  readonly tickSize: TickSize
  /** Book epoch: 0 at creation, +1 on every tick size change. */
  readonly epoch: number
  /** True once a snapshot has been applied in the current epoch. */
  readonly synced: boolean
  /** True when not synced, or marked stale since the last snapshot. Risk denies entries then. */
  readonly stale: boolean
  /** Why the book is stale (`'no_snapshot'`, `'tick_size_change'`, a caller's reason); null when fresh. */
  readonly staleReason: string | null
  /** Venue timestamp of the last applied change; 0 before any. */
  readonly lastUpdateTs: EpochMs
  /** Highest bid price, or null when there are no bids. */
  bestBid(): PriceTicks | null
  /** Lowest ask price, or null when there are no asks. */
  bestAsk(): PriceTicks | null
  /** Size resting at `price` on `side`; 0 when there is no level (or the price is out of range). */
  sizeAt(side: Side, price: PriceTicks): ShareMicros
  /** Number of non-empty levels on `side`. */
  levelCount(side: Side): number
  /** Levels best first (bids descending, asks ascending); at most `n` (all when omitted). */
  levels(side: Side, n?: number): Level[]
  /** Visits levels best first until `fn` returns `false`. `fn` must not modify the book. */
  forEachLevel(side: Side, fn: (price: PriceTicks, size: ShareMicros) => boolean | void): void
  /** Both sides present and best bid >= best ask. */
  isCrossed(): boolean
  /** (bestBid + bestAsk) / 2 in price units; null unless both sides are present. */
  mid(): number | null
  /**
   * Size-weighted mid of the top levels, in price units:
   * (bid × askSize + ask × bidSize) / (bidSize + askSize). Null unless both sides are present.
   */
  microprice(): number | null
  /** bestAsk - bestBid in price units (negative when crossed); null unless both sides exist. */
  spread(): number | null
  /** bestAsk - bestBid in ticks (an integer); null unless both sides exist. */
  spreadTicks(): number | null
  /** spread / mid × 10_000; null unless both sides exist and the mid is above 0. */
  spreadBps(): number | null
  /** Total shares on the best `n` levels of `side` (0 when n <= 0 or the side is empty). */
  depthShares(side: Side, n: number): number
  /** Sum of price × size over the best `n` levels of `side`, in USD. */
  depthUsd(side: Side, n: number): number
  /**
   * (bidShares - askShares) / (bidShares + askShares) over the best `n` levels of each side, in
   * [-1, 1]; null when both are 0.
   */
  imbalance(n: number): number | null
}

/** Mid of two tick prices in price units. Shared by every {@link BookView} so views agree exactly. */
export function midOf(bid: PriceTicks, ask: PriceTicks): number {
  return (bid + ask) / (2 * PRICE_SCALE)
}

/**
 * Microprice in price units from the top of each side. Sizes may be in any common unit (the
 * book passes micros). Requires `bidSize + askSize > 0`, which holds for present levels.
 */
export function micropriceOf(
  bid: PriceTicks,
  bidSize: number,
  ask: PriceTicks,
  askSize: number,
): number {
  return (bid * askSize + ask * bidSize) / ((bidSize + askSize) * PRICE_SCALE)
}

/** Spread over mid in basis points; null when the mid is 0 (both prices 0). */
export function spreadBpsOf(bid: PriceTicks, ask: PriceTicks): number | null {
  const sum = bid + ask
  if (sum === 0) return null
  // spread / mid × 1e4 = (ask - bid) / ((ask + bid) / 2) × 1e4, computed on integer ticks.
  return ((ask - bid) * 20_000) / sum
}

/** Imbalance from two depth totals in the same unit; null when both are 0. */
export function imbalanceOf(bidDepth: number, askDepth: number): number | null {
  const total = bidDepth + askDepth
  return total === 0 ? null : (bidDepth - askDepth) / total
}

/** Highest set bit at or below `from` (from <= 10_000), or -1. */
function highestAtOrBelow(bits: Uint32Array, from: number): number {
  if (from < 0) return -1
  let w = from >>> 5
  // Keep bits 0..(from & 31) of the first word. For a shift of 31, 2 << 31 is 0 and 0 - 1 keeps all.
  let word = bits[w]! & ((2 << (from & 31)) - 1)
  while (word === 0) {
    if (w === 0) return -1
    w--
    word = bits[w]!
  }
  return (w << 5) + 31 - Math.clz32(word)
}

/** Lowest set bit at or above `from` (from >= 0), or -1. */
function lowestAtOrAbove(bits: Uint32Array, from: number): number {
  if (from > MAX_PRICE) return -1
  let w = from >>> 5
  let word = bits[w]! & (-1 << (from & 31))
  while (word === 0) {
    w++
    if (w === WORDS) return -1
    word = bits[w]!
  }
  // word & -word isolates the lowest set bit.
  return (w << 5) + 31 - Math.clz32(word & -word)
}

function checkPrice(book: OrderBook, side: Side, price: number): void {
  // Integer in 0..10000; NaN fails the range test.
  if (!(price >= 0 && price <= MAX_PRICE) || Math.floor(price) !== price) {
    throw new InvariantError(
      `book ${book.assetId}: ${side} price ${price} is not an integer tick in 0..${MAX_PRICE}; ` +
        'convert venue prices with parsePrice before they reach the book',
    )
  }
}

function checkSize(book: OrderBook, side: Side, price: number, size: number): void {
  if (!(size >= 0) || !Number.isSafeInteger(size)) {
    throw new InvariantError(
      `book ${book.assetId}: ${side} size ${size} at price ${price} is not a non-negative ` +
        'integer of share micros; convert venue sizes with parseSize before they reach the book',
    )
  }
}

/**
 * Mutable order book of one asset. Create with {@link OrderBook.empty}; feed snapshots with
 * {@link OrderBook.replace}, deltas with {@link OrderBook.setLevel} and tick size changes with
 * {@link OrderBook.changeTickSize}. Methods that take prices or sizes throw
 * {@link InvariantError} for values outside the units' ranges and leave the book unchanged.
 */
export class OrderBook implements BookView {
  /** The CLOB token whose book this is. */
  readonly assetId: TokenId
  private _tickSize: TickSize
  private _epoch = 0
  private _synced = false
  private _staleReason: string | null = STALE_NO_SNAPSHOT
  private _lastUpdateTs = 0 as EpochMs
  private readonly _bidSizes = new Float64Array(PRICE_SLOTS)
  private readonly _askSizes = new Float64Array(PRICE_SLOTS)
  private readonly _bidBits = new Uint32Array(WORDS)
  private readonly _askBits = new Uint32Array(WORDS)
  private _bestBid = -1
  private _bestAsk = -1
  private _bidCount = 0
  private _askCount = 0

  private constructor(assetId: TokenId, tickSize: TickSize) {
    this.assetId = assetId
    this._tickSize = tickSize
  }

  /**
   * An empty book in epoch 0: not synced, stale with reason `'no_snapshot'`.
   * @throws InvariantError when `tickSize` is not one of the venue's tick sizes.
   */
  static empty(assetId: TokenId, tickSize: TickSize): OrderBook {
    checkTickSize(assetId, tickSize)
    return new OrderBook(assetId, tickSize)
  }

  /** Current tick size in ticks. */
  get tickSize(): TickSize {
    return this._tickSize
  }

  /** Increments on every tick size change. Starts at 0. */
  get epoch(): number {
    return this._epoch
  }

  /** True once a snapshot has been applied in the current epoch. */
  get synced(): boolean {
    return this._synced
  }

  /** True when not synced or {@link OrderBook.markStale} was called since the last snapshot. */
  get stale(): boolean {
    return this._staleReason !== null
  }

  /**
   * Why the book is stale: `'no_snapshot'` before the first snapshot of an epoch,
   * `'tick_size_change'` after a tick size change, or the latest reason given to
   * {@link OrderBook.markStale}. Null when the book is fresh.
   */
  get staleReason(): string | null {
    return this._staleReason
  }

  /** Venue timestamp of the last applied replace, setLevel or changeTickSize; 0 before any. */
  get lastUpdateTs(): EpochMs {
    return this._lastUpdateTs
  }

  /**
   * Snapshot replace: clears both sides, then applies each entry in order as an absolute level
   * size. So size-0 entries add nothing, levels may come in any order, and with duplicate
   * prices the last entry wins. Afterwards the book is synced and fresh.
   * @throws InvariantError on an out-of-range price or size; the book is then unchanged.
   */
  replace(bids: readonly Level[], asks: readonly Level[], ts: EpochMs): void {
    // Validate everything first so a bad snapshot cannot leave half a book behind.
    for (const level of bids) {
      checkPrice(this, 'bid', level.price)
      checkSize(this, 'bid', level.price, level.size)
    }
    for (const level of asks) {
      checkPrice(this, 'ask', level.price)
      checkSize(this, 'ask', level.price, level.size)
    }
    this._clear()
    for (const level of bids) this._setBid(level.price, level.size)
    for (const level of asks) this._setAsk(level.price, level.size)
    this._synced = true
    this._staleReason = null
    this._lastUpdateTs = ts
  }

  /**
   * Sets the absolute size at one level; size 0 removes it. Applies whether or not the book is
   * synced: a never-snapshotted book is built from deltas but stays stale (`'no_snapshot'`).
   * Does not change the stale state.
   * @throws InvariantError on an out-of-range price or size; the book is then unchanged.
   */
  setLevel(side: Side, price: PriceTicks, size: ShareMicros, ts: EpochMs): void {
    checkPrice(this, side, price)
    checkSize(this, side, price, size)
    if (side === 'bid') this._setBid(price, size)
    else this._setAsk(price, size)
    this._lastUpdateTs = ts
  }

  /**
   * Tick size change: a new epoch starts, both sides are cleared and the book is stale
   * (`'tick_size_change'`) and not synced until the next {@link OrderBook.replace}. Every call
   * starts a new epoch, even with the current tick size, since the venue said the book changed.
   * @throws InvariantError when `tick` is not one of the venue's tick sizes.
   */
  changeTickSize(tick: TickSize, ts: EpochMs): void {
    checkTickSize(this.assetId, tick)
    this._clear()
    this._tickSize = tick
    this._epoch++
    this._synced = false
    this._staleReason = STALE_TICK_SIZE_CHANGE
    this._lastUpdateTs = ts
  }

  /**
   * Marks the book stale (for example after a best-bid mismatch) until the next snapshot.
   * The levels stay as they are; a later call replaces the reason.
   */
  markStale(reason: string): void {
    this._staleReason = reason
  }

  /** Highest bid price, or null when there are no bids. */
  bestBid(): PriceTicks | null {
    return this._bestBid < 0 ? null : (this._bestBid as PriceTicks)
  }

  /** Lowest ask price, or null when there are no asks. */
  bestAsk(): PriceTicks | null {
    return this._bestAsk < 0 ? null : (this._bestAsk as PriceTicks)
  }

  /** Size at `price` on `side`; 0 when there is no level or the price is outside 0..10_000. */
  sizeAt(side: Side, price: PriceTicks): ShareMicros {
    const size = (side === 'bid' ? this._bidSizes : this._askSizes)[price]
    return (size ?? 0) as ShareMicros
  }

  /** Number of non-empty levels on `side`. */
  levelCount(side: Side): number {
    return side === 'bid' ? this._bidCount : this._askCount
  }

  /** Levels best first (bids descending, asks ascending); at most `n` (all when omitted). */
  levels(side: Side, n?: number): Level[] {
    const out: Level[] = []
    const limit = n ?? PRICE_SLOTS
    if (limit <= 0) return out
    this.forEachLevel(side, (price, size) => {
      out.push({ price, size })
      return out.length < limit
    })
    return out
  }

  /** Visits levels best first until `fn` returns `false`. `fn` must not modify the book. */
  forEachLevel(side: Side, fn: (price: PriceTicks, size: ShareMicros) => boolean | void): void {
    if (side === 'bid') {
      const sizes = this._bidSizes
      const bits = this._bidBits
      for (let p = this._bestBid; p >= 0; p = highestAtOrBelow(bits, p - 1)) {
        if (fn(p as PriceTicks, sizes[p]! as ShareMicros) === false) return
      }
    } else {
      const sizes = this._askSizes
      const bits = this._askBits
      for (let p = this._bestAsk; p >= 0; p = lowestAtOrAbove(bits, p + 1)) {
        if (fn(p as PriceTicks, sizes[p]! as ShareMicros) === false) return
      }
    }
  }

  /** Both sides present and best bid >= best ask. */
  isCrossed(): boolean {
    return this._bestBid >= 0 && this._bestAsk >= 0 && this._bestBid >= this._bestAsk
  }

  /** (bestBid + bestAsk) / 2 in price units; null unless both sides are present. */
  mid(): number | null {
    if (this._bestBid < 0 || this._bestAsk < 0) return null
    return midOf(this._bestBid as PriceTicks, this._bestAsk as PriceTicks)
  }

  /** (bid × askSize + ask × bidSize) / (bidSize + askSize) on the top levels, in price units. */
  microprice(): number | null {
    const bid = this._bestBid
    const ask = this._bestAsk
    if (bid < 0 || ask < 0) return null
    return micropriceOf(
      bid as PriceTicks,
      this._bidSizes[bid]!,
      ask as PriceTicks,
      this._askSizes[ask]!,
    )
  }

  /** bestAsk - bestBid in price units (negative when crossed); null unless both sides exist. */
  spread(): number | null {
    if (this._bestBid < 0 || this._bestAsk < 0) return null
    return (this._bestAsk - this._bestBid) / PRICE_SCALE
  }

  /** bestAsk - bestBid in ticks; null unless both sides exist. */
  spreadTicks(): number | null {
    if (this._bestBid < 0 || this._bestAsk < 0) return null
    return this._bestAsk - this._bestBid
  }

  /** spread / mid × 10_000; null unless both sides exist and the mid is above 0. */
  spreadBps(): number | null {
    if (this._bestBid < 0 || this._bestAsk < 0) return null
    return spreadBpsOf(this._bestBid as PriceTicks, this._bestAsk as PriceTicks)
  }

  /** Total shares on the best `n` levels of `side`. */
  depthShares(side: Side, n: number): number {
    return this._depthMicros(side, n) / SHARE_SCALE
  }

  /** Sum of price × size over the best `n` levels of `side`, in USD. */
  depthUsd(side: Side, n: number): number {
    let total = 0
    let count = 0
    if (side === 'bid') {
      const sizes = this._bidSizes
      const bits = this._bidBits
      for (let p = this._bestBid; p >= 0 && count < n; p = highestAtOrBelow(bits, p - 1)) {
        total += p * sizes[p]!
        count++
      }
    } else {
      const sizes = this._askSizes
      const bits = this._askBits
      for (let p = this._bestAsk; p >= 0 && count < n; p = lowestAtOrAbove(bits, p + 1)) {
        total += p * sizes[p]!
        count++
      }
    }
    return total / TICK_MICROS_PER_USD
  }

  /** (bidShares - askShares) / (bidShares + askShares) over the best `n` levels; null when both are 0. */
  imbalance(n: number): number | null {
    return imbalanceOf(this._depthMicros('bid', n), this._depthMicros('ask', n))
  }

  private _depthMicros(side: Side, n: number): number {
    let total = 0
    let count = 0
    if (side === 'bid') {
      const sizes = this._bidSizes
      const bits = this._bidBits
      for (let p = this._bestBid; p >= 0 && count < n; p = highestAtOrBelow(bits, p - 1)) {
        total += sizes[p]!
        count++
      }
    } else {
      const sizes = this._askSizes
      const bits = this._askBits
      for (let p = this._bestAsk; p >= 0 && count < n; p = lowestAtOrAbove(bits, p + 1)) {
        total += sizes[p]!
        count++
      }
    }
    return total
  }

  private _setBid(price: number, size: number): void {
    const sizes = this._bidSizes
    const previous = sizes[price]!
    if (size === 0) {
      if (previous === 0) return
      sizes[price] = 0
      this._bidBits[price >>> 5]! &= ~(1 << (price & 31))
      this._bidCount--
      if (price === this._bestBid) this._bestBid = highestAtOrBelow(this._bidBits, price - 1)
      return
    }
    sizes[price] = size
    if (previous !== 0) return
    this._bidBits[price >>> 5]! |= 1 << (price & 31)
    this._bidCount++
    if (price > this._bestBid) this._bestBid = price
  }

  private _setAsk(price: number, size: number): void {
    const sizes = this._askSizes
    const previous = sizes[price]!
    if (size === 0) {
      if (previous === 0) return
      sizes[price] = 0
      this._askBits[price >>> 5]! &= ~(1 << (price & 31))
      this._askCount--
      if (price === this._bestAsk) this._bestAsk = lowestAtOrAbove(this._askBits, price + 1)
      return
    }
    sizes[price] = size
    if (previous !== 0) return
    this._askBits[price >>> 5]! |= 1 << (price & 31)
    this._askCount++
    if (this._bestAsk < 0 || price < this._bestAsk) this._bestAsk = price
  }

  /** Empties both sides, touching only occupied words rather than all 10_001 slots. */
  private _clear(): void {
    clearSide(this._bidSizes, this._bidBits)
    clearSide(this._askSizes, this._askBits)
    this._bestBid = -1
    this._bestAsk = -1
    this._bidCount = 0
    this._askCount = 0
  }
}

function clearSide(sizes: Float64Array, bits: Uint32Array): void {
  for (let w = 0; w < WORDS; w++) {
    let word = bits[w]!
    if (word === 0) continue
    while (word !== 0) {
      const low = word & -word
      sizes[(w << 5) + 31 - Math.clz32(low)] = 0
      word ^= low
    }
    bits[w] = 0
  }
}

function checkTickSize(assetId: TokenId, tick: number): void {
  if (!isTickSize(tick)) {
    throw new InvariantError(
      `book ${assetId}: tick size ${tick} is not one of 1000, 100, 50, 25, 10, 1 ticks; ` +
        'convert venue tick sizes with parseTickSize',
    )
  }
}
