/**
 * The four order books the book benchmark compares, each fed in its own idiomatic fast path:
 *
 * - tiltmeter: `OrderBook.setLevel(side, priceTicks, sizeMicros, ts)` with integer units, the
 *   way `MarketData` applies a parsed `LevelChange`;
 * - ccxt (`js/src/base/ws/OrderBook.js`, the book every ccxt pro exchange keeps):
 *   `bids.storeArray([price, size])` / `asks.storeArray(...)` with float deltas, as ccxt's own
 *   `handleDelta` does. `storeArray` keeps the array it is given as the level row and later
 *   overwrites its size, so every run gets freshly built delta arrays (built before timing);
 * - tardis-dev: `OrderBook.update(bookChange)` with one `BookChange` of float levels per delta
 *   (the book copies levels on insert, so the prepared changes are reused across runs); every
 *   book first gets an empty snapshot, without which tardis ignores updates;
 * - naive: `NaiveBook.setLevel`, a Map per side that scans for the best price.
 *
 * After every delta each peer reads its best bid and best ask through its public API, and the
 * loop returns a checksum of what it read so the reads cannot be optimised away.
 */
import { OrderBook as TardisOrderBook, type BookChange, type Exchange } from 'tardis-dev'
import { OrderBook as CcxtOrderBook } from '../../node_modules/ccxt/js/src/base/ws/OrderBook.js'
import { OrderBook } from '../../src/domain/book/order-book.js'
import type { Side, TickSize, TokenId } from '../../src/domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../src/domain/units.js'
import { NaiveBook } from '../../test/support/naive-book.js'
import type { LegStream } from './nhl-legs.js'

/** A level as [price ticks, size micros], the common form for comparing books. */
export type TickLevel = readonly [number, number]

export interface BookPeer {
  readonly name: string
  /** What one delta looks like on this peer's input, for the report. */
  readonly inputForm: string
  /**
   * Builds fresh empty books (one per asset), and fresh input where the peer keeps references
   * into it, then returns the timed loop over every delta. The loop returns a checksum.
   */
  prepare(): () => number
  /** Applies delta `i` to the books of the last {@link prepare}; for lockstep verification. */
  applyOne(i: number): void
  /** Best bid / ask of an asset in ticks, -1 when that side is empty. */
  bestTicks(asset: number): readonly [number, number]
  /** The best `n` levels of one side of an asset, in ticks and micros. */
  topLevels(asset: number, side: Side, n: number): TickLevel[]
}

const TICK_0_01 = 100 as TickSize

/** Float price (0..1) and shares to ticks and micros, for comparisons only (never timed). */
function toTicks(price: number): number {
  return Math.round(price * 10_000)
}
function toMicros(size: number): number {
  return Math.round(size * 1_000_000)
}

type OurDelta = {
  readonly side: Side
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly ts: EpochMs
}

function ourDeltas(stream: LegStream): OurDelta[] {
  const out = new Array<OurDelta>(stream.legs)
  for (let i = 0; i < stream.legs; i++) {
    out[i] = {
      side: stream.isBid[i] === 1 ? 'bid' : 'ask',
      price: stream.priceTicks[i]! as PriceTicks,
      size: stream.sizeMicros[i]! as ShareMicros,
      ts: stream.timestampMs[i]! as EpochMs,
    }
  }
  return out
}

export function tiltmeterPeer(stream: LegStream): BookPeer {
  const deltas = ourDeltas(stream)
  const asset = stream.asset
  let books: OrderBook[] = []
  return {
    name: 'tiltmeter',
    inputForm: "{ side: 'bid'|'ask', price: PriceTicks, size: ShareMicros, ts } (integers)",
    prepare() {
      books = stream.assets.map((id) => OrderBook.empty(id as TokenId, TICK_0_01))
      const own = books
      return () => runTiltmeter(own, deltas, asset)
    },
    applyOne(i) {
      const d = deltas[i]!
      books[asset[i]!]!.setLevel(d.side, d.price, d.size, d.ts)
    },
    bestTicks(a) {
      const book = books[a]!
      return [book.bestBid() ?? -1, book.bestAsk() ?? -1]
    },
    topLevels(a, side, n) {
      return books[a]!.levels(side, n).map((l) => [l.price, l.size] as const)
    },
  }
}

export function naivePeer(stream: LegStream): BookPeer {
  const deltas = ourDeltas(stream)
  const asset = stream.asset
  let books: NaiveBook[] = []
  return {
    name: 'naive',
    inputForm: 'same objects as tiltmeter (integers)',
    prepare() {
      books = stream.assets.map(() => new NaiveBook(TICK_0_01))
      const own = books
      return () => runNaive(own, deltas, asset)
    },
    applyOne(i) {
      const d = deltas[i]!
      books[asset[i]!]!.setLevel(d.side, d.price, d.size, d.ts)
    },
    bestTicks(a) {
      const book = books[a]!
      return [book.bestBid() ?? -1, book.bestAsk() ?? -1]
    },
    topLevels(a, side, n) {
      return books[a]!.levels(side, n).map((l) => [l.price, l.size] as const)
    },
  }
}

/** The parts of a ccxt book side the benchmark uses (the package types them as `any`). */
type CcxtSide = {
  readonly length: number
  readonly [index: number]: [number, number]
  storeArray(delta: [number, number]): void
}
type CcxtBook = { readonly bids: CcxtSide; readonly asks: CcxtSide }

function newCcxtBook(): CcxtBook {
  // The same constructor ccxt's Exchange.orderBook() calls; no depth limit.
  return new CcxtOrderBook({})
}

function ccxtLevels(side: CcxtSide, n: number): TickLevel[] {
  const out: TickLevel[] = []
  for (let i = 0; i < side.length && i < n; i++) {
    const row = side[i]!
    out.push([toTicks(row[0]), toMicros(row[1])])
  }
  return out
}

export function ccxtPeer(stream: LegStream): BookPeer {
  const asset = stream.asset
  const isBid = stream.isBid
  const prices = stream.priceFloat
  const sizes = stream.sizeFloat
  let books: CcxtBook[] = []
  let deltas: [number, number][] = []
  return {
    name: 'ccxt',
    inputForm: '[price, size] (floats), side chosen by bids/asks',
    prepare() {
      books = stream.assets.map(() => newCcxtBook())
      // Fresh rows every run: storeArray keeps and mutates them.
      deltas = new Array<[number, number]>(stream.legs)
      for (let i = 0; i < stream.legs; i++) deltas[i] = [prices[i]!, sizes[i]!]
      const own = books
      const input = deltas
      return () => runCcxt(own, input, asset, isBid)
    },
    applyOne(i) {
      const book = books[asset[i]!]!
      if (isBid[i] === 1) book.bids.storeArray(deltas[i]!)
      else book.asks.storeArray(deltas[i]!)
    },
    bestTicks(a) {
      const { bids, asks } = books[a]!
      return [
        bids.length > 0 ? toTicks(bids[0]![0]) : -1,
        asks.length > 0 ? toTicks(asks[0]![0]) : -1,
      ]
    },
    topLevels(a, side, n) {
      const book = books[a]!
      return ccxtLevels(side === 'bid' ? book.bids : book.asks, n)
    },
  }
}

export function tardisPeer(stream: LegStream): BookPeer {
  const asset = stream.asset
  const none: BookChange['bids'] = []
  const epoch = new Date(0)
  const changes = new Array<BookChange>(stream.legs)
  for (let i = 0; i < stream.legs; i++) {
    const level = [{ price: stream.priceFloat[i]!, amount: stream.sizeFloat[i]! }]
    const bid = stream.isBid[i] === 1
    changes[i] = {
      type: 'book_change',
      symbol: stream.assets[asset[i]!]!,
      exchange: 'polymarket' as Exchange,
      isSnapshot: false,
      bids: bid ? level : none,
      asks: bid ? none : level,
      timestamp: epoch,
      localTimestamp: epoch,
    }
  }
  let books: TardisOrderBook[] = []
  return {
    name: 'tardis',
    inputForm: 'BookChange { bids: [{ price, amount }], asks: [] } (floats)',
    prepare() {
      books = stream.assets.map((id) => {
        const book = new TardisOrderBook()
        // tardis ignores updates until a snapshot arrives; start from an empty one.
        book.update({ ...changes[0]!, symbol: id, isSnapshot: true, bids: [], asks: [] })
        return book
      })
      const own = books
      return () => runTardis(own, changes, asset)
    },
    applyOne(i) {
      books[asset[i]!]!.update(changes[i]!)
    },
    bestTicks(a) {
      const book = books[a]!
      const bid = book.bestBid()
      const ask = book.bestAsk()
      return [
        bid === undefined ? -1 : toTicks(bid.price),
        ask === undefined ? -1 : toTicks(ask.price),
      ]
    },
    topLevels(a, side, n) {
      const out: TickLevel[] = []
      const book = books[a]!
      for (const level of side === 'bid' ? book.bids() : book.asks()) {
        if (out.length >= n) break
        out.push([toTicks(level.price), toMicros(level.amount)])
      }
      return out
    },
  }
}

// The timed loops. Each is one long-lived function (not a closure per run) so the JIT
// optimises it once and every run measures the same code. Integer checksums are XORs: a sum
// would overflow int32 and deoptimise the loop in the middle of a run.

function runTiltmeter(
  books: readonly OrderBook[],
  deltas: readonly OurDelta[],
  asset: Uint8Array,
): number {
  let checksum = 0
  for (let i = 0; i < deltas.length; i++) {
    const book = books[asset[i]!]!
    const d = deltas[i]!
    book.setLevel(d.side, d.price, d.size, d.ts)
    checksum ^= (book.bestBid() ?? -1) + (book.bestAsk() ?? -1) * 16_384
  }
  return checksum
}

function runNaive(
  books: readonly NaiveBook[],
  deltas: readonly OurDelta[],
  asset: Uint8Array,
): number {
  let checksum = 0
  for (let i = 0; i < deltas.length; i++) {
    const book = books[asset[i]!]!
    const d = deltas[i]!
    book.setLevel(d.side, d.price, d.size, d.ts)
    checksum ^= (book.bestBid() ?? -1) + (book.bestAsk() ?? -1) * 16_384
  }
  return checksum
}

function runCcxt(
  books: readonly CcxtBook[],
  deltas: readonly [number, number][],
  asset: Uint8Array,
  isBid: Uint8Array,
): number {
  let checksum = 0
  for (let i = 0; i < deltas.length; i++) {
    const book = books[asset[i]!]!
    if (isBid[i] === 1) book.bids.storeArray(deltas[i]!)
    else book.asks.storeArray(deltas[i]!)
    const bids = book.bids
    const asks = book.asks
    checksum += (bids.length > 0 ? bids[0]![0] : -1) + (asks.length > 0 ? asks[0]![0] : -1)
  }
  return checksum
}

function runTardis(
  books: readonly TardisOrderBook[],
  changes: readonly BookChange[],
  asset: Uint8Array,
): number {
  let checksum = 0
  for (let i = 0; i < changes.length; i++) {
    const book = books[asset[i]!]!
    book.update(changes[i]!)
    checksum += (book.bestBid()?.price ?? -1) + (book.bestAsk()?.price ?? -1)
  }
  return checksum
}

/** All four peers, tiltmeter first. */
export function allPeers(stream: LegStream): BookPeer[] {
  return [tiltmeterPeer(stream), ccxtPeer(stream), tardisPeer(stream), naivePeer(stream)]
}

/**
 * Applies the whole stream to every peer in lockstep and compares best bid and ask after every
 * delta. Throws on the first disagreement, naming the delta, asset and values.
 */
export function verifyLockstep(peers: readonly BookPeer[], stream: LegStream): void {
  for (const peer of peers) peer.prepare()
  const [reference, ...others] = peers
  if (reference === undefined) return
  for (let i = 0; i < stream.legs; i++) {
    for (const peer of peers) peer.applyOne(i)
    const a = stream.asset[i]!
    const [bid, ask] = reference.bestTicks(a)
    for (const peer of others) {
      const [otherBid, otherAsk] = peer.bestTicks(a)
      if (otherBid !== bid || otherAsk !== ask) {
        throw new Error(
          `books disagree after delta ${i} (asset ${stream.assets[a]}): ${reference.name} best bid/ask ` +
            `${bid}/${ask} ticks, ${peer.name} ${otherBid}/${otherAsk}`,
        )
      }
    }
  }
}

/**
 * Compares the top `n` levels of both sides of every asset across peers (after each has run
 * the whole stream). Throws with the first difference.
 */
export function verifyTopLevels(peers: readonly BookPeer[], stream: LegStream, n: number): void {
  const [reference, ...others] = peers
  if (reference === undefined) return
  for (let a = 0; a < stream.assets.length; a++) {
    for (const side of ['bid', 'ask'] as const) {
      const expected = JSON.stringify(reference.topLevels(a, side, n))
      for (const peer of others) {
        const actual = JSON.stringify(peer.topLevels(a, side, n))
        if (actual !== expected) {
          throw new Error(
            `final top ${n} ${side} levels of asset ${stream.assets[a]} differ: ${reference.name} ` +
              `${expected}, ${peer.name} ${actual} ([ticks, micros])`,
          )
        }
      }
    }
  }
}
