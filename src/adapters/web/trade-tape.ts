/**
 * The recent venue trades of each token (the tape), kept in a fixed-size ring per token so the
 * page can fill its tape on load (`GET /api/trades`) before the socket's trade messages take
 * over. Memory is bounded: {@link TradeTape.capacity} trades per token, oldest overwritten.
 */
import type { TradeMessage } from '../../contracts/live.js'

export const DEFAULT_TAPE_CAPACITY = 500

type Ring = { readonly items: (TradeMessage | undefined)[]; next: number; size: number }

export class TradeTape {
  readonly capacity: number
  private readonly _rings = new Map<string, Ring>()

  constructor(capacity = DEFAULT_TAPE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`tape capacity must be a whole number >= 1; got ${capacity}`)
    }
    this.capacity = capacity
  }

  add(trade: TradeMessage): void {
    let ring = this._rings.get(trade.tokenId)
    if (ring === undefined) {
      ring = { items: new Array<TradeMessage | undefined>(this.capacity), next: 0, size: 0 }
      this._rings.set(trade.tokenId, ring)
    }
    ring.items[ring.next] = trade
    ring.next = (ring.next + 1) % this.capacity
    if (ring.size < this.capacity) ring.size++
  }

  /** The token's latest trades, newest first, at most `limit`. */
  recent(tokenId: string, limit: number): TradeMessage[] {
    const ring = this._rings.get(tokenId)
    if (ring === undefined) return []
    const out: TradeMessage[] = []
    const n = Math.min(limit, ring.size)
    for (let i = 1; i <= n; i++) {
      const item = ring.items[(ring.next - i + this.capacity) % this.capacity]
      if (item !== undefined) out.push(item)
    }
    return out
  }
}
