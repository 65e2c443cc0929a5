/**
 * NDJSON records written by `tiltmeter replay` (and `record --emit final-book`). Prices and
 * sizes are exact decimal strings in `final-book`; `top` carries plain numbers for plotting.
 */
import type { OrderBook } from '../domain/book/order-book.js'
import {
  formatPrice,
  formatSize,
  PRICE_SCALE,
  SHARE_SCALE,
  type PriceTicks,
} from '../domain/units.js'
import type { VenueTop } from '../engine/market-data.js'

const TOP_DEPTH_LEVELS = 5

function priceOrNull(price: PriceTicks | null): string {
  return price === null ? 'null' : String(price / PRICE_SCALE)
}

/**
 * One `--emit top` line. A book that never had a snapshot (a recording that starts mid-stream,
 * like the NHL ticks) is missing the levels nobody touched, so its best bid/ask come from the
 * venue's own best_bid/best_ask fields when the venue sent them; such lines say `stale:true`.
 */
export function topLine(book: OrderBook, venueTop: VenueTop | undefined, ts: number): string {
  let bid = book.bestBid()
  let ask = book.bestAsk()
  if (!book.synced && venueTop !== undefined) {
    bid = venueTop.bestBid
    ask = venueTop.bestAsk
  }
  const mid = bid !== null && ask !== null ? String((bid + ask) / 2 / PRICE_SCALE) : 'null'
  const spread = bid !== null && ask !== null ? String((ask - bid) / PRICE_SCALE) : 'null'
  const bidDepth = book.depthShares('bid', TOP_DEPTH_LEVELS)
  const askDepth = book.depthShares('ask', TOP_DEPTH_LEVELS)
  return (
    `{"ts":${ts},"asset_id":${JSON.stringify(book.assetId)},"best_bid":${priceOrNull(bid)},` +
    `"best_ask":${priceOrNull(ask)},"mid":${mid},"spread":${spread},` +
    `"bid_depth5":${roundShares(bidDepth)},"ask_depth5":${roundShares(askDepth)},"stale":${book.stale}}`
  )
}

/** Shares rounded to the venue's 6 decimals so float sums print cleanly. */
function roundShares(shares: number): number {
  return Math.round(shares * SHARE_SCALE) / SHARE_SCALE
}

/** One `--emit final-book` line: every level, best first, as decimal strings. */
export function finalBookLine(book: OrderBook): string {
  const side = (which: 'bid' | 'ask'): string => {
    const parts: string[] = []
    book.forEachLevel(which, (price, size) => {
      parts.push(`["${formatPrice(price)}","${formatSize(size)}"]`)
    })
    return `[${parts.join(',')}]`
  }
  return `{"asset_id":${JSON.stringify(book.assetId)},"bids":${side('bid')},"asks":${side('ask')}}`
}
