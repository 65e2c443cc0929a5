/**
 * A simulator scenario for the feed benchmark that can send frames far faster than the
 * `match` scenario can compute them. One seeded match is stepped to its end once, off the
 * clock, and its frames are kept with their ready JSON text. The scenario then plays that
 * match over and over, one frame per step; every cycle after the first opens with a `book`
 * snapshot per asset taken before the match's first step, so each cycle rebuilds the books
 * from the same start and every cycle ends on the same books. Venue timestamps therefore
 * repeat from one cycle to the next.
 *
 * The server sends a client with `custom_feature_enabled` (as the feed asks) a `best_bid_ask`
 * message after every `price_change`, so one step can put two messages on the wire;
 * {@link CyclingMatchScenario.wireFrames} counts them.
 *
 * `snapshot` (the initial dump and REST `/book`) serves the books the client should hold now,
 * but only at a cycle boundary, where the benchmark asks: the starting books before anything
 * was sent, the match's final books at the end of a cycle. Mid-cycle it knows no book.
 */
import type { OrderBook } from '../../src/domain/book/order-book.js'
import type { EpochMs } from '../../src/domain/units.js'
import type { Scenario, SimEventInfo, SimFrame, SimLabel } from '../../src/adapters/sim/scenario.js'
import { MatchScenario } from '../../src/adapters/sim/scenario-match.js'
import type { WireBook } from '../../src/adapters/sim/true-book.js'

export type FeedFrameStats = {
  /** Scenario frames in one played match (the first cycle). */
  readonly matchFrames: number
  /** WebSocket messages one match puts on the wire to a custom-feature client. */
  readonly matchWireFrames: number
  /** `book` frames that open every later cycle. */
  readonly bookFrames: number
  /** JSON bytes per scenario frame of one match (the best_bid_ask messages not included). */
  readonly bytesPerFrame: { readonly mean: number; readonly median: number; readonly p90: number }
  /** Level changes per `price_change` frame. */
  readonly legsPerPriceChange: { readonly mean: number; readonly median: number }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0
}

export class CyclingMatchScenario implements Scenario {
  readonly name = 'feed-bench-cycle'
  readonly stepMs: number
  readonly labels: readonly SimLabel[] = []
  readonly stats: FeedFrameStats
  private readonly _assetIds: readonly string[]
  private readonly _start: ReadonlyMap<string, WireBook>
  private readonly _end: ReadonlyMap<string, WireBook>
  private readonly _match: readonly SimFrame[]
  /** Wire messages each match frame makes. */
  private readonly _wire: readonly number[]
  private readonly _books: readonly SimFrame[]
  private readonly _events: readonly SimEventInfo[]
  private _now: number
  /** Cycles fully sent. */
  private _cycle = 0
  /** Position inside the current cycle (book frames first on every cycle but the first). */
  private _pos = 0

  constructor(seed: number) {
    const match = new MatchScenario({ seed })
    this.stepMs = match.stepMs
    this._assetIds = [...match.assetIds()]
    const copy = (id: string): WireBook =>
      JSON.parse(JSON.stringify(match.snapshot(id))) as WireBook
    this._start = new Map(this._assetIds.map((id) => [id, copy(id)]))
    this._now = match.now()
    const frames: SimFrame[] = []
    const wire: number[] = []
    const sizes: number[] = []
    const legs: number[] = []
    while (!match.done) {
      for (const frame of match.step()) {
        const raw = frame.raw ?? JSON.stringify(frame.payload)
        frames.push({ ...frame, raw })
        sizes.push(raw.length)
        const event = frame.payload as { event_type?: string; price_changes?: unknown[] }
        const changes = event.event_type === 'price_change' ? event.price_changes : undefined
        if (Array.isArray(changes) && changes.length > 0) {
          legs.push(changes.length)
          wire.push(2)
        } else {
          wire.push(1)
        }
      }
    }
    this._match = frames
    this._wire = wire
    this._end = new Map(this._assetIds.map((id) => [id, copy(id)]))
    this._events = match.events()
    this._books = this._assetIds.map((id) => ({
      assetIds: [id],
      payload: this._start.get(id),
      raw: JSON.stringify(this._start.get(id)),
    }))
    sizes.sort((a, b) => a - b)
    legs.sort((a, b) => a - b)
    const mean = (values: readonly number[]): number =>
      values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length)
    this.stats = {
      matchFrames: frames.length,
      matchWireFrames: wire.reduce((sum, n) => sum + n, 0),
      bookFrames: this._books.length,
      bytesPerFrame: { mean: mean(sizes), median: quantile(sizes, 0.5), p90: quantile(sizes, 0.9) },
      legsPerPriceChange: { mean: mean(legs), median: quantile(legs, 0.5) },
    }
  }

  /** WebSocket messages the next `cycles` cycles send to one client, from a cycle boundary. */
  wireFramesInCycles(cycles: number): number {
    let total = 0
    for (let c = 0; c < cycles; c++) {
      total += this.stats.matchWireFrames + (this._cycle + c === 0 ? 0 : this._books.length)
    }
    return total
  }

  /** Whole cycles sent so far. */
  get cyclesSent(): number {
    return this._cycle
  }

  get done(): boolean {
    return false
  }

  now(): EpochMs {
    return this._now as EpochMs
  }

  assetIds(): readonly string[] {
    return this._assetIds
  }

  snapshot(assetId: string): WireBook | undefined {
    // Mid-cycle the books are not known; the benchmark's book check then reports the asset.
    if (this._pos !== 0) return undefined
    return (this._cycle === 0 ? this._start : this._end).get(assetId)
  }

  trueBook(): OrderBook | undefined {
    return undefined
  }

  events(): readonly SimEventInfo[] {
    return this._events
  }

  step(): SimFrame[] {
    const lead = this._cycle === 0 ? 0 : this._books.length
    const frame = this._pos < lead ? this._books[this._pos]! : this._match[this._pos - lead]!
    this._pos++
    this._now += this.stepMs
    if (this._pos === lead + this._match.length) {
      this._pos = 0
      this._cycle++
    }
    return [frame]
  }
}
