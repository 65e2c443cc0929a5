/**
 * Feeds the ladders' book store (the terminal's LiveStore, reused read-only) from playback:
 * a `state` replaces every book and tape, `book` and `trade` messages apply on top.
 */
import type { BookMessage, TradeMessage } from '../../../../src/contracts/live.js'
import type { LiveStore } from '../../state/live-store.js'

export function replaceBooks(
  store: LiveStore,
  books: readonly BookMessage[],
  trades: readonly TradeMessage[],
): void {
  const touched = new Set([...store.books.keys(), ...store.tapes.keys()])
  store.books.clear()
  store.tapes.clear()
  store.volumes.clear()
  for (const token of touched) {
    store.touch(`book:${token}`)
    store.touch(`tape:${token}`)
  }
  const now = Date.now()
  for (const book of books) store.apply(book, now)
  for (const trade of trades) store.apply(trade, now)
}
