/**
 * How a simulated maker moves its ladder without opening a gap in the book: the book sees the
 * net change per level, new quotes placed before the old ones are cancelled, except old quotes
 * in the way of the new ones (which would cross them), which go first. On the real NHL
 * moneyline, hundreds of book updates per 30 s leave the spread at one tick, so real requotes do
 * not show transient gaps either.
 */
import type { OrderBook } from '../../domain/book/order-book.js'
import type { Side } from '../../domain/market.js'
import type { PriceTicks, ShareMicros } from '../../domain/units.js'

/** One resting quote of a maker; `size` in share micros. */
export type Quote = { readonly side: Side; readonly price: PriceTicks; readonly size: number }

/** A level of the (YES) book set to an absolute size, in the order to apply it. */
export type LevelTarget = {
  readonly side: Side
  readonly price: PriceTicks
  readonly size: ShareMicros
}

function key(side: Side, price: number): number {
  return side === 'bid' ? price : -price
}

function sizes(quotes: readonly Quote[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const q of quotes)
    out.set(key(q.side, q.price), (out.get(key(q.side, q.price)) ?? 0) + q.size)
  return out
}

/** The best price of `side` left by everyone but the owner of `own` quotes, or null. */
export function othersBest(book: OrderBook, own: readonly Quote[], side: Side): PriceTicks | null {
  const mine = sizes(own)
  let best: PriceTicks | null = null
  book.forEachLevel(side, (price, size) => {
    if (size - (mine.get(key(side, price)) ?? 0) <= 0) return true
    best = price
    return false
  })
  return best
}

/**
 * The level updates that replace `old` quotes with `fresh` ones on `book`, in a safe order:
 * first cancels of old quotes the new ones would cross, then every increase, then the other
 * decreases. Trades may have taken part of the old quotes; only what is left is cancelled.
 * `fresh` must not cross the other makers' quotes (see {@link othersBest}).
 */
export function requoteTargets(
  book: OrderBook,
  old: readonly Quote[],
  fresh: readonly Quote[],
): LevelTarget[] {
  const before = sizes(old)
  const after = sizes(fresh)
  let highestBid = Number.NEGATIVE_INFINITY
  let lowestAsk = Number.POSITIVE_INFINITY
  for (const q of fresh) {
    if (q.side === 'bid') highestBid = Math.max(highestBid, q.price)
    else lowestAsk = Math.min(lowestAsk, q.price)
  }
  const ranked: { target: LevelTarget; rank: number }[] = []
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const side: Side = k > 0 ? 'bid' : 'ask'
    const price = Math.abs(k) as PriceTicks
    const now = book.sizeAt(side, price)
    const next = Math.max(0, now - (before.get(k) ?? 0)) + (after.get(k) ?? 0)
    if (next === now) continue
    const inTheWay = side === 'ask' ? price <= highestBid : price >= lowestAsk
    const rank = next < now && inTheWay ? 0 : next > now ? 1 : 2
    ranked.push({ target: { side, price, size: next as ShareMicros }, rank })
  }
  // Array.prototype.sort is stable, so each group keeps the quotes' order.
  ranked.sort((a, b) => a.rank - b.rank)
  return ranked.map((r) => r.target)
}
