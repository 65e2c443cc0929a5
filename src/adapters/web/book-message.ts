/**
 * One token's book as the live socket's `book` message (contracts/live.ts), serialized straight
 * to JSON text: the hub builds it once per dirty token per flush and splices the same text into
 * every subscribed client's batch.
 */
import type { BookHealth } from '../../contracts/live.js'
import type { BookView } from '../../domain/book/order-book.js'

/** Levels per side on the socket (the contract's maximum). */
export const BOOK_LEVELS = 50

/**
 * `{"type":"book",...}` for `book`. `market` is the condition id (may be empty when unknown);
 * `appliedAt` is daemon wall time (ms) when the latest change was applied.
 */
export function bookMessageJson(
  book: BookView,
  market: string,
  health: BookHealth,
  appliedAt: number,
): string {
  return (
    `{"type":"book","tokenId":${JSON.stringify(book.assetId)},"market":${JSON.stringify(market)}` +
    `,"ts":${book.lastUpdateTs},"appliedAt":${Math.round(appliedAt)}` +
    `,"bids":${levelsJson(book, 'bid')},"asks":${levelsJson(book, 'ask')}` +
    `,"health":"${health}"}`
  )
}

function levelsJson(book: BookView, side: 'bid' | 'ask'): string {
  let text = '['
  let count = 0
  book.forEachLevel(side, (price, size) => {
    text += count === 0 ? `[${price},${size}]` : `,[${price},${size}]`
    count++
    return count < BOOK_LEVELS
  })
  return `${text}]`
}
