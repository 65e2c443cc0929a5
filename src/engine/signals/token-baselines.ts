/**
 * Rolling per-token statistics in event time, O(1) amortised per update and allocation-free
 * after construction (rings grow by doubling only when a burst exceeds their capacity).
 *
 * Baselines use closed buckets of `shortWindowMs` (30 s) over `baselineWindowMs` (60 min):
 * - traded volume per bucket (shares), summed over the window and divided by the number of
 *   closed buckets (quiet buckets count as zero);
 * - top-N depth (shares, both sides) and spread (price units), time-weighted: each bucket holds
 *   value × ms for the time the book was usable, so busy moments do not outweigh quiet ones;
 *   time while the book is stale is not counted at all, so a stale book never poisons them;
 * - mid volatility: root mean square of the mid change between consecutive bucket ends.
 * The open (current) bucket is not part of any baseline, so a burst does not dilute its own
 * reference.
 *
 * The short window holds exact trades (time, size, taker side) and mid samples, so the 30 s
 * volume, aggressor shares and price change are exact, not bucket-rounded.
 */

/** A ring of (time, value) pairs with a side tag, growable; capacity a power of two. */
class SampleRing {
  ts: Float64Array
  value: Float64Array
  tag: Uint8Array
  head = 0
  size = 0
  /** Capacity − 1: indices wrap with a mask rather than a division. */
  private _mask: number

  constructor(capacity: number) {
    if (capacity < 1 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring capacity must be a power of two; got ${capacity}`)
    }
    this.ts = new Float64Array(capacity)
    this.value = new Float64Array(capacity)
    this.tag = new Uint8Array(capacity)
    this._mask = capacity - 1
  }

  push(ts: number, value: number, tag: number): void {
    if (this.size === this.ts.length) this._grow()
    const i = (this.head + this.size) & this._mask
    this.ts[i] = ts
    this.value[i] = value
    this.tag[i] = tag
    this.size++
  }

  /** Index in the arrays of the k-th oldest entry. */
  at(k: number): number {
    return (this.head + k) & this._mask
  }

  shift(): void {
    this.head = (this.head + 1) & this._mask
    this.size--
  }

  private _grow(): void {
    const capacity = this.ts.length * 2
    const ts = new Float64Array(capacity)
    const value = new Float64Array(capacity)
    const tag = new Uint8Array(capacity)
    for (let k = 0; k < this.size; k++) {
      const i = this.at(k)
      ts[k] = this.ts[i]!
      value[k] = this.value[i]!
      tag[k] = this.tag[i]!
    }
    this.ts = ts
    this.value = value
    this.tag = tag
    this.head = 0
    this._mask = capacity - 1
  }
}

export const TAKER_BUY = 0
export const TAKER_SELL = 1

export class TokenBaselines {
  readonly bucketMs: number
  readonly windowBuckets: number
  readonly firstTs: number

  // Closed buckets, one slot per bucket in the window.
  private readonly _volume: Float64Array
  private readonly _depthTime: Float64Array
  private readonly _bandDepthTime: Float64Array
  private readonly _spreadTime: Float64Array
  private readonly _covered: Float64Array
  private readonly _midChangeSq: Float64Array
  private _filled = 0
  private _sumVolume = 0
  private _sumDepthTime = 0
  private _sumBandDepthTime = 0
  private _sumSpreadTime = 0
  private _sumCovered = 0
  private _sumMidChangeSq = 0
  private _midChanges = 0
  private _lastClosedMid = Number.NaN

  // The open bucket.
  private _index: number
  private _curVolume = 0
  private _curDepthTime = 0
  private _curBandDepthTime = 0
  private _curSpreadTime = 0
  private _curCovered = 0
  private _curMid = Number.NaN
  private _accruedTo: number
  /**
   * Start of the bucket after the open one, `(_index + 1) × bucketMs`, for the fast path of
   * {@link advance}; −Infinity (no fast path) when `bucketMs` is not a whole number.
   */
  private _nextBucketTs: number

  // Book state held since the last update.
  usable = false
  depth = 0
  /** Top-N depth within N ticks of the mid, shares (see `TopDepth.bandShares`). */
  bandDepth = 0
  spread = 0
  mid = 0

  // Short window.
  private readonly _trades = new SampleRing(64)
  private readonly _mids = new SampleRing(64)
  buyVolume = 0
  sellVolume = 0

  constructor(bucketMs: number, windowMs: number, firstTs: number) {
    this.bucketMs = bucketMs
    this.windowBuckets = Math.max(1, Math.ceil(windowMs / bucketMs))
    this.firstTs = firstTs
    this._volume = new Float64Array(this.windowBuckets)
    this._depthTime = new Float64Array(this.windowBuckets)
    this._bandDepthTime = new Float64Array(this.windowBuckets)
    this._spreadTime = new Float64Array(this.windowBuckets)
    this._covered = new Float64Array(this.windowBuckets)
    this._midChangeSq = new Float64Array(this.windowBuckets).fill(Number.NaN)
    this._index = Math.floor(firstTs / bucketMs)
    this._nextBucketTs = this._bucketEnd()
    this._accruedTo = firstTs
  }

  /** Closes the buckets that ended by `now` and accrues the held book state up to `now`. */
  advance(now: number): void {
    if (now <= this._accruedTo) return
    // Still inside the open bucket (the usual case): accrue only. For whole numbers this is
    // the `_index < floor(now / bucketMs)` test below without the division.
    if (now < this._nextBucketTs && Number.isInteger(now)) {
      this._accrue(now)
      return
    }
    const target = Math.floor(now / this.bucketMs)
    // After a whole window of identical buckets nothing changes any more: skip the rest.
    let steps = 0
    while (this._index < target) {
      if (steps > this.windowBuckets) {
        this._index = target
        this._accruedTo = target * this.bucketMs
        break
      }
      const end = (this._index + 1) * this.bucketMs
      this._accrue(end)
      this._closeBucket()
      this._index++
      steps++
    }
    this._nextBucketTs = this._bucketEnd()
    this._accrue(now)
  }

  private _bucketEnd(): number {
    const ms = this.bucketMs
    return Number.isInteger(ms) ? (this._index + 1) * ms : Number.NEGATIVE_INFINITY
  }

  private _accrue(to: number): void {
    const dt = to - this._accruedTo
    if (dt > 0 && this.usable) {
      this._curDepthTime += this.depth * dt
      this._curBandDepthTime += this.bandDepth * dt
      this._curSpreadTime += this.spread * dt
      this._curCovered += dt
    }
    if (to > this._accruedTo) this._accruedTo = to
  }

  private _closeBucket(): void {
    const slot = this._index % this.windowBuckets
    if (this._filled === this.windowBuckets) {
      this._sumVolume -= this._volume[slot]!
      this._sumDepthTime -= this._depthTime[slot]!
      this._sumBandDepthTime -= this._bandDepthTime[slot]!
      this._sumSpreadTime -= this._spreadTime[slot]!
      this._sumCovered -= this._covered[slot]!
      const old = this._midChangeSq[slot]!
      if (!Number.isNaN(old)) {
        this._sumMidChangeSq -= old
        this._midChanges--
      }
    } else {
      this._filled++
    }
    const endMid = this.usable ? this.mid : this._curMid
    let changeSq = Number.NaN
    if (!Number.isNaN(endMid)) {
      if (!Number.isNaN(this._lastClosedMid)) {
        const d = endMid - this._lastClosedMid
        changeSq = d * d
        this._sumMidChangeSq += changeSq
        this._midChanges++
      }
      this._lastClosedMid = endMid
    }
    this._volume[slot] = this._curVolume
    this._depthTime[slot] = this._curDepthTime
    this._bandDepthTime[slot] = this._curBandDepthTime
    this._spreadTime[slot] = this._curSpreadTime
    this._covered[slot] = this._curCovered
    this._midChangeSq[slot] = changeSq
    this._sumVolume += this._curVolume
    this._sumDepthTime += this._curDepthTime
    this._sumBandDepthTime += this._curBandDepthTime
    this._sumSpreadTime += this._curSpreadTime
    this._sumCovered += this._curCovered
    this._curVolume = 0
    this._curDepthTime = 0
    this._curBandDepthTime = 0
    this._curSpreadTime = 0
    this._curCovered = 0
    this._curMid = Number.NaN
    // Float sums drift after many add/subtract pairs; clamp tiny negatives.
    if (this._sumVolume < 0) this._sumVolume = 0
    if (this._sumCovered < 0) this._sumCovered = 0
  }

  /**
   * New usable book state at `now` (call {@link advance} first); `bandDepth` is the depth near
   * the mid (default: `depth`).
   */
  setBook(now: number, depth: number, spread: number, mid: number, bandDepth = depth): void {
    this.usable = true
    this.depth = depth
    this.bandDepth = bandDepth
    this.spread = spread
    if (mid !== this.mid || this._mids.size === 0) this._mids.push(now, mid, 0)
    this.mid = mid
    this._curMid = mid
    this._trimMids(now)
  }

  /** The book became stale or one-sided: stop accruing baselines until it is usable again. */
  setUnusable(): void {
    this.usable = false
  }

  /** A trade at `now` (call {@link advance} first); `side` is {@link TAKER_BUY} or {@link TAKER_SELL}. */
  addTrade(now: number, shares: number, side: number): void {
    this._trades.push(now, shares, side)
    this._curVolume += shares
    if (side === TAKER_BUY) this.buyVolume += shares
    else this.sellVolume += shares
  }

  /** Drops trades older than the short window ending at `now`. */
  trimTrades(now: number): void {
    const ring = this._trades
    const cutoff = now - this.bucketMs
    while (ring.size > 0) {
      const i = ring.at(0)
      if (ring.ts[i]! > cutoff) break
      if (ring.tag[i] === TAKER_BUY) this.buyVolume -= ring.value[i]!
      else this.sellVolume -= ring.value[i]!
      ring.shift()
    }
    if (ring.size === 0) {
      this.buyVolume = 0
      this.sellVolume = 0
    }
  }

  /** Keeps exactly one mid sample at or before `now - window`, plus everything after it. */
  private _trimMids(now: number): void {
    const ring = this._mids
    const cutoff = now - this.bucketMs
    while (ring.size > 1 && ring.ts[ring.at(1)]! <= cutoff) ring.shift()
  }

  /**
   * The mid in effect one short window before `now`: the latest sample at or before that time,
   * or the oldest known sample when history is shorter. NaN when no mid was ever seen.
   */
  midBefore(now: number): number {
    const ring = this._mids
    if (ring.size === 0) return Number.NaN
    this._trimMids(now)
    return ring.value[ring.at(0)]!
  }

  /**
   * Share of the short window's `side` volume in its largest taker order, 0..1 (0 without
   * volume on that side). Trades of one side stamped with the same venue time are taken as one
   * taker order: an order that walks several levels prints one trade per level at one time.
   * O(trades in the window); called only when a detector's other conditions hold.
   */
  largestOrderShare(side: number): number {
    const ring = this._trades
    const total = side === TAKER_BUY ? this.buyVolume : this.sellVolume
    if (total <= 0) return 0
    let largest = 0
    let current = 0
    let currentTs = Number.NaN
    for (let k = 0; k < ring.size; k++) {
      const i = ring.at(k)
      if (ring.tag[i] !== side) continue
      const ts = ring.ts[i]!
      if (ts === currentTs) current += ring.value[i]!
      else {
        currentTs = ts
        current = ring.value[i]!
      }
      if (current > largest) largest = current
    }
    return Math.min(largest / total, 1)
  }

  /**
   * The largest mid change in `direction` (+1 up, −1 down) over any interval of at most
   * `jumpMs` inside the short window ending at `now`, price units (≥ 0). A repricing on news is
   * a jump: the makers requote at once. The mid in effect at the window start counts as a
   * sample at the window start. O(mid samples × samples per `jumpMs`); called only when a
   * detector's other conditions hold.
   */
  largestJump(now: number, direction: number, jumpMs: number): number {
    this._trimMids(now)
    const ring = this._mids
    const start = now - this.bucketMs
    let largest = 0
    for (let k = 1; k < ring.size; k++) {
      const j = ring.at(k)
      const tj = ring.ts[j]!
      // A mid replaced at the same venue time never held: skip it as an end and as a start.
      if (k + 1 < ring.size && ring.ts[ring.at(k + 1)] === tj) continue
      const mj = ring.value[j]!
      let nextTs = tj
      for (let m = k - 1; m >= 0; m--) {
        const i = ring.at(m)
        const ti = ring.ts[i]!
        if (ti < nextTs) {
          const move = direction * (mj - ring.value[i]!)
          if (move > largest) largest = move
        }
        nextTs = ti
        // The sample at or before the interval start is the mid in effect at its start.
        if (Math.max(ti, start) <= tj - jumpMs) break
      }
    }
    return largest
  }

  /** Closed buckets in the baseline window. */
  get closedBuckets(): number {
    return this._filled
  }

  /** Mean traded volume per short window, shares; NaN before the first bucket closes. */
  baselineVolume(): number {
    return this._filled === 0 ? Number.NaN : this._sumVolume / this._filled
  }

  /** Time-weighted mean top-N depth, shares; NaN without usable book time. */
  baselineDepth(): number {
    return this._sumCovered > 0 ? this._sumDepthTime / this._sumCovered : Number.NaN
  }

  /** Time-weighted mean top-N depth within N ticks of the mid, shares; NaN without usable book time. */
  baselineBandDepth(): number {
    return this._sumCovered > 0 ? this._sumBandDepthTime / this._sumCovered : Number.NaN
  }

  /** Time-weighted mean spread, price units; NaN without usable book time. */
  baselineSpread(): number {
    return this._sumCovered > 0 ? this._sumSpreadTime / this._sumCovered : Number.NaN
  }

  /** Usable book time in the baseline window, ms. */
  coveredMs(): number {
    return this._sumCovered
  }

  /** RMS mid change per short window, price units; NaN with fewer than one change. */
  midVolatility(): number {
    return this._midChanges === 0
      ? Number.NaN
      : Math.sqrt(Math.max(0, this._sumMidChangeSq) / this._midChanges)
  }
}
