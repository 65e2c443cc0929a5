/**
 * The two halves of the fill model, as pure functions over a {@link BookView}:
 *
 * - **Walking the book** for the marketable part of an order: level by level from the best
 *   price, never past the order's limit, using the recorded size minus what our own earlier
 *   orders already took from that level (the recording cannot show our impact).
 * - **Queue position** of a resting order: it joins behind everything recorded at its price and
 *   moves up only on trades and cancellations there. A level decrease is first matched against
 *   trades printed at that level; what is left is a cancellation and is attributed to the orders
 *   *behind* us first, so it only moves us up once the level shrinks below our queue-ahead.
 *
 * See docs/FILL_MODEL.md for what is modelled, what is not, and why each choice is conservative.
 */
import type { BookView } from '../book/order-book.js'
import type { Side } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'
import type { OrderSide } from './types.js'

/** An execution of part of an order against one price level. */
export type LevelFill = { readonly price: PriceTicks; readonly size: ShareMicros }

/**
 * How long a level decrease waits for a trade print that explains it, and a trade print for the
 * level decrease it caused, before the two are treated as unrelated. The venue sends both for
 * one match with (nearly) the same timestamp, in either order.
 */
export const TRADE_MATCH_WINDOW_MS = 1000

/** The book side an order takes liquidity from: a buy lifts asks, a sell hits bids. */
export function takenSide(side: OrderSide): Side {
  return side === 'buy' ? 'ask' : 'bid'
}

/** The book side an order rests on: a buy joins the bids, a sell the asks. */
export function restingSide(side: OrderSide): Side {
  return side === 'buy' ? 'bid' : 'ask'
}

/** True when `price` is at or better than `limit` for the order side (a buy: not above it). */
export function isWithinLimit(side: OrderSide, price: PriceTicks, limit: PriceTicks): boolean {
  return side === 'buy' ? price <= limit : price >= limit
}

/** Size our own earlier orders already took from a level of the side being walked. */
export type ConsumedAt = (price: PriceTicks) => number

const NOTHING_CONSUMED: ConsumedAt = () => 0

/**
 * Walks the side of `book` that an order of `side` takes from, best price first, and returns the
 * fills of up to `size` share micros at prices at or inside `limit`. Each level offers its
 * recorded size minus `consumed(price)` (never less than 0). Returns an empty list when nothing
 * is available inside the limit. The book is not modified.
 */
export function walkBook(
  book: BookView,
  side: OrderSide,
  limit: PriceTicks,
  size: ShareMicros,
  consumed: ConsumedAt = NOTHING_CONSUMED,
): LevelFill[] {
  const fills: LevelFill[] = []
  let remaining: number = size
  if (remaining <= 0) return fills
  book.forEachLevel(takenSide(side), (price, levelSize) => {
    if (!isWithinLimit(side, price, limit)) return false
    const available = levelSize - consumed(price)
    if (available > 0) {
      const take = Math.min(available, remaining)
      fills.push({ price, size: take as ShareMicros })
      remaining -= take
    }
    return remaining > 0
  })
  return fills
}

/**
 * True when an order of `side` limited at `limit` would take something from `book` right now
 * (some level inside the limit has size left after `consumed`).
 */
export function isMarketable(
  book: BookView,
  side: OrderSide,
  limit: PriceTicks,
  consumed: ConsumedAt = NOTHING_CONSUMED,
): boolean {
  let marketable = false
  book.forEachLevel(takenSide(side), (price, levelSize) => {
    if (!isWithinLimit(side, price, limit)) return false
    if (levelSize - consumed(price) > 0) marketable = true
    return !marketable
  })
  return marketable
}

/** Sum of the sizes of a list of fills. */
export function filledSize(fills: readonly LevelFill[]): ShareMicros {
  let total = 0
  for (const fill of fills) total += fill.size
  return total as ShareMicros
}

/**
 * Queue position of one resting order at its price, in share micros. Mutable; owned by the
 * venue and changed only through {@link queueOnTrade} and {@link queueOnLevel}.
 */
export type QueueState = {
  /** Recorded size that was at our price before us and is still there. */
  ahead: number
  /** The recorded size at our price (our side) as last seen. */
  levelSize: number
  /** Trade volume printed at our price whose level decrease has not been seen yet. */
  tradeCredit: number
  creditSince: number
  /** Level decreases not (yet) explained by a trade print; held back from moving us up. */
  pendingDecrease: number
  pendingSince: number
}

/** A fresh queue: everything recorded at our price (`levelSize`) is ahead of us. */
export function newQueue(levelSize: ShareMicros): QueueState {
  return {
    ahead: levelSize,
    levelSize,
    tradeCredit: 0,
    creditSince: -1,
    pendingDecrease: 0,
    pendingSince: -1,
  }
}

/**
 * Ages out unmatched trade credit and pending decreases older than
 * {@link TRADE_MATCH_WINDOW_MS}. A pending decrease that no trade explained becomes a
 * cancellation: orders behind us leave first, so queue-ahead drops only to the level's size.
 */
export function queueExpire(queue: QueueState, now: EpochMs): void {
  if (queue.pendingSince >= 0 && now - queue.pendingSince >= TRADE_MATCH_WINDOW_MS) {
    queue.pendingDecrease = 0
    queue.pendingSince = -1
    if (queue.ahead > queue.levelSize) queue.ahead = queue.levelSize
  }
  if (queue.creditSince >= 0 && now - queue.creditSince >= TRADE_MATCH_WINDOW_MS) {
    queue.tradeCredit = 0
    queue.creditSince = -1
  }
}

/**
 * A trade of `tradeSize` printed against our side. `atOurPrice` false means it printed beyond
 * our price (below our bid, above our ask): the taker went through our level, so we were first in
 * line. Consumes queue-ahead first, then fills us; returns how much of `remaining` it fills.
 */
export function queueOnTrade(
  queue: QueueState,
  tradeSize: number,
  atOurPrice: boolean,
  remaining: number,
  now: EpochMs,
): number {
  queueExpire(queue, now)
  if (!atOurPrice) {
    queue.ahead = 0
    return Math.min(remaining, tradeSize)
  }
  // Part of this trade may already have shown up as a level decrease (book before trade).
  const explained = Math.min(tradeSize, queue.pendingDecrease)
  queue.pendingDecrease -= explained
  if (queue.pendingDecrease === 0) queue.pendingSince = -1
  const unseen = tradeSize - explained
  if (unseen > 0) {
    if (queue.tradeCredit === 0) queue.creditSince = now
    queue.tradeCredit += unseen
  }
  const fill = Math.min(remaining, Math.max(0, tradeSize - queue.ahead))
  queue.ahead = Math.max(0, queue.ahead - tradeSize)
  return fill
}

/**
 * The recorded size at our price (our side) is now `levelSize`. Increases are orders joining
 * behind us. A decrease is matched against trade credit first (already applied by
 * {@link queueOnTrade}); the rest waits up to {@link TRADE_MATCH_WINDOW_MS} for a trade that
 * explains it, then counts as a cancellation behind us first.
 */
export function queueOnLevel(queue: QueueState, levelSize: ShareMicros, now: EpochMs): void {
  queueExpire(queue, now)
  const decrease = queue.levelSize - levelSize
  queue.levelSize = levelSize
  if (decrease > 0) {
    const explained = Math.min(decrease, queue.tradeCredit)
    queue.tradeCredit -= explained
    if (queue.tradeCredit === 0) queue.creditSince = -1
    const unexplained = decrease - explained
    if (unexplained > 0) {
      if (queue.pendingDecrease === 0) queue.pendingSince = now
      queue.pendingDecrease += unexplained
    }
  }
  // Whatever is ahead of us is part of the recorded level (plus decreases still on hold).
  const bound = levelSize + queue.pendingDecrease
  if (queue.ahead > bound) queue.ahead = bound
}
