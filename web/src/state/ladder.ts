/**
 * The price ladder of one token, built from the latest book, the tape, the account's open
 * orders and its position. Pure: the ladder component renders these rows as they are.
 *
 * Units: prices in ticks of 0.0001 (0..10_000), sizes in share micros, money in USDC micros.
 * Rows follow the market's tick (`tick`, in ticks: 100 for a 0.01 market), highest price first.
 */

/** [price ticks, size micros], best first: the socket's book levels. */
export type Level = readonly [number, number]

export interface LadderBook {
  readonly bids: readonly Level[]
  readonly asks: readonly Level[]
}

export interface OwnOrder {
  readonly side: 'buy' | 'sell'
  readonly price: number
  /** Size still working, micros. */
  readonly remaining: number
}

export interface HeldPosition {
  /** Shares held, micros (positions are long a token). */
  readonly size: number
  /** What the shares cost, USDC micros. */
  readonly cost: number
}

export interface LadderRow {
  readonly price: number
  readonly bid: number
  readonly ask: number
  /** Traded on the venue at this price since the page opened, micros. */
  readonly volume: number
  readonly ownBuy: number
  readonly ownSell: number
  /** Gain or loss if the whole position were sold at this price, before fees; null when flat. */
  readonly pnl: number | null
  readonly bestBid: boolean
  readonly bestAsk: boolean
}

export interface LadderInput {
  readonly book: LadderBook | null
  readonly tick: number
  /** Price of the middle row (on the tick grid). */
  readonly center: number
  readonly rows: number
  readonly volumeAt: ReadonlyMap<number, number>
  readonly orders: readonly OwnOrder[]
  readonly position: HeldPosition | null
}

const MAX_PRICE = 10_000

/** Rounds a price to the tick grid. */
export function snapToTick(price: number, tick: number): number {
  return Math.round(price / tick) * tick
}

/** The best bid and ask of a book in ticks, null for an empty side. */
export function touchOf(book: LadderBook | null): { bid: number | null; ask: number | null } {
  return { bid: book?.bids[0]?.[0] ?? null, ask: book?.asks[0]?.[0] ?? null }
}

/**
 * The middle row's price. Keeps `previous` while the touch stays inside the inner part of the
 * visible window (so rows do not move under the mouse), else recentres on the touch.
 */
export function chooseCenter(
  previous: number | null,
  book: LadderBook | null,
  rows: number,
  tick: number,
): number {
  const { bid, ask } = touchOf(book)
  const half = Math.floor(rows / 2)
  const lowest = tick * (half + 1)
  const highest = MAX_PRICE - tick * (half + 1)
  const clamp = (p: number): number => Math.max(lowest, Math.min(highest, p))
  if (bid === null && ask === null) return previous ?? clamp(snapToTick(MAX_PRICE / 2, tick))
  const mid = bid !== null && ask !== null ? (bid + ask) / 2 : (bid ?? ask)!
  const target = clamp(snapToTick(mid, tick))
  if (previous === null) return target
  const margin = Math.max(1, Math.min(3, half - 1))
  const inner = (half - margin) * tick
  const inside = (p: number | null): boolean =>
    p === null || (p >= previous - inner && p <= previous + inner)
  return inside(bid) && inside(ask) ? previous : target
}

/** Sums levels into tick-grid buckets: bids round down, asks round up (a level never looks better). */
function bucket(levels: readonly Level[], tick: number, side: 'bid' | 'ask'): Map<number, number> {
  const out = new Map<number, number>()
  for (const [price, size] of levels) {
    const key = side === 'bid' ? Math.floor(price / tick) * tick : Math.ceil(price / tick) * tick
    out.set(key, (out.get(key) ?? 0) + size)
  }
  return out
}

/** Rows from the highest price down. */
export function buildLadder(input: LadderInput): LadderRow[] {
  const { book, tick, center, rows, volumeAt, orders, position } = input
  const bids = bucket(book?.bids ?? [], tick, 'bid')
  const asks = bucket(book?.asks ?? [], tick, 'ask')
  const { bid: bestBidRaw, ask: bestAskRaw } = touchOf(book)
  const bestBid = bestBidRaw === null ? null : Math.floor(bestBidRaw / tick) * tick
  const bestAsk = bestAskRaw === null ? null : Math.ceil(bestAskRaw / tick) * tick
  const volumes = new Map<number, number>()
  for (const [price, size] of volumeAt) {
    const key = snapToTick(price, tick)
    volumes.set(key, (volumes.get(key) ?? 0) + size)
  }
  const ownBuy = new Map<number, number>()
  const ownSell = new Map<number, number>()
  for (const order of orders) {
    const map = order.side === 'buy' ? ownBuy : ownSell
    const key = snapToTick(order.price, tick)
    map.set(key, (map.get(key) ?? 0) + order.remaining)
  }
  const half = Math.floor(rows / 2)
  const out: LadderRow[] = []
  for (let i = 0; i < rows; i++) {
    const price = center + (half - i) * tick
    if (price <= 0 || price >= MAX_PRICE) continue
    out.push({
      price,
      bid: bids.get(price) ?? 0,
      ask: asks.get(price) ?? 0,
      volume: volumes.get(price) ?? 0,
      ownBuy: ownBuy.get(price) ?? 0,
      ownSell: ownSell.get(price) ?? 0,
      pnl: closePnl(position, price),
      bestBid: price === bestBid,
      bestAsk: price === bestAsk,
    })
  }
  return out
}

/** USDC micros gained (negative: lost) selling the whole position at `price`, before fees. */
export function closePnl(position: HeldPosition | null, price: number): number | null {
  if (position === null || position.size <= 0) return null
  return Math.round((position.size * price) / MAX_PRICE) - position.cost
}

/**
 * Size a one-click order at `price` takes when sized "to what is available": a buy takes every
 * ask at or below the price (what it would match), else joins with the bid resting there; a
 * sell mirrors it. Micros; 0 when nothing is there.
 */
export function availableAt(
  book: LadderBook | null,
  side: 'buy' | 'sell',
  price: number,
  tick: number,
): number {
  if (book === null) return 0
  let take = 0
  if (side === 'buy') {
    for (const [p, size] of book.asks) if (p <= price) take += size
    if (take > 0) return take
    return bucket(book.bids, tick, 'bid').get(price) ?? 0
  }
  for (const [p, size] of book.bids) if (p >= price) take += size
  if (take > 0) return take
  return bucket(book.asks, tick, 'ask').get(price) ?? 0
}
