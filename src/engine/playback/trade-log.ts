/**
 * Every trade of a recording in replay order, as packed columns, so playback can show the
 * trades before any moment without reading the recording back. Built by the index builder
 * from the `last_trade_price` events it applies; stored in the capture index.
 */
import type { LastTrade } from '../../domain/book/book-events.js'
import type { TokenId, TradeSide } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'

/** One trade as playback reports it. */
export type PlaybackTrade = {
  readonly assetId: TokenId
  /** The trade's own venue timestamp, epoch ms. */
  readonly tsVenue: EpochMs
  /** Playback clock of the frame that carried it (at least `tsVenue`). */
  readonly clock: number
  readonly price: PriceTicks
  readonly size: ShareMicros
  /** The taker's side. */
  readonly side: TradeSide
}

/** Numbers per trade in the packed form: clock, tsVenue, asset, price, size, side. */
const FIELDS = 6
const SIDE_BUY = 0
const SIDE_SELL = 1

/** Trades in replay order; the clock column never decreases. */
export class TradeLog {
  private constructor(
    private readonly _packed: Float64Array,
    private readonly _strings: readonly string[],
  ) {}

  /**
   * A log from its packed form (six numbers per trade); `strings` resolves the asset column.
   * @throws Error when the packing is not a whole number of trades or the clock decreases.
   */
  static fromPacked(packed: Float64Array, strings: readonly string[]): TradeLog {
    if (packed.length % FIELDS !== 0) {
      throw new Error(`trade log holds ${packed.length} numbers, not a multiple of ${FIELDS}`)
    }
    for (let i = FIELDS; i < packed.length; i += FIELDS) {
      if (packed[i]! < packed[i - FIELDS]!) throw new Error('trade log clock decreases')
    }
    return new TradeLog(packed, strings)
  }

  static empty(): TradeLog {
    return new TradeLog(new Float64Array(0), [])
  }

  get length(): number {
    return this._packed.length / FIELDS
  }

  /** The packed form (shared, not copied). */
  get packed(): Float64Array {
    return this._packed
  }

  /** Trade `i` in replay order. */
  at(i: number): PlaybackTrade {
    const p = this._packed
    const o = i * FIELDS
    return {
      clock: p[o]!,
      tsVenue: p[o + 1]! as EpochMs,
      assetId: this._strings[p[o + 2]!]! as TokenId,
      price: p[o + 3]! as PriceTicks,
      size: p[o + 4]! as ShareMicros,
      side: p[o + 5] === SIDE_SELL ? 'sell' : 'buy',
    }
  }

  /** Number of trades whose clock is at most `clock`. */
  countUpTo(clock: number): number {
    const p = this._packed
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (p[mid * FIELDS]! <= clock) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * The last `limit` trades with clock at most `clock`, oldest first; only `assetId`'s when
   * given.
   */
  before(clock: number, limit: number, assetId?: string): PlaybackTrade[] {
    const out: PlaybackTrade[] = []
    if (limit <= 0) return out
    const wanted = assetId === undefined ? -1 : this._strings.indexOf(assetId)
    if (assetId !== undefined && wanted < 0) return out
    const p = this._packed
    for (let i = this.countUpTo(clock) - 1; i >= 0 && out.length < limit; i--) {
      if (wanted >= 0 && p[i * FIELDS + 2] !== wanted) continue
      out.push(this.at(i))
    }
    return out.reverse()
  }
}

/** Collects trades as they are applied; `strings` interns asset ids. */
export class TradeLogBuilder {
  private _packed = new Float64Array(1024 * FIELDS)
  private _count = 0

  constructor(private readonly _intern: (text: string) => number) {}

  add(trade: LastTrade, clock: number): void {
    if ((this._count + 1) * FIELDS > this._packed.length) {
      const grown = new Float64Array(this._packed.length * 2)
      grown.set(this._packed)
      this._packed = grown
    }
    const o = this._count * FIELDS
    const p = this._packed
    p[o] = clock
    p[o + 1] = trade.tsVenue
    p[o + 2] = this._intern(trade.assetId)
    p[o + 3] = trade.price
    p[o + 4] = trade.size
    p[o + 5] = trade.side === 'sell' ? SIDE_SELL : SIDE_BUY
    this._count++
  }

  get length(): number {
    return this._count
  }

  /** The packed trades (a copy of the filled part). */
  finish(): Float64Array {
    return this._packed.slice(0, this._count * FIELDS)
  }
}
