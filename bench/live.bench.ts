/**
 * Live socket hub benchmark (`node --expose-gc --import tsx bench/live.bench.ts`).
 *
 * 200 tokens with 50-level books; 20 pages each subscribed to 2 tokens. Measures the engine's
 * side (`bookChanged`, called once per book change on the feed callback) and one flush with
 * every token dirty, then the heap growth over many change-and-flush rounds with one page
 * permanently backed up (its memory must stay bounded). Pages are in-memory sockets.
 */
import { performance } from 'node:perf_hooks'
import { silentLogger } from '../src/adapters/log.js'
import { LiveHub, type LiveSocket } from '../src/adapters/web/live-hub.js'
import { OrderBook } from '../src/domain/book/order-book.js'
import type { TickSize, TokenId } from '../src/domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../src/domain/units.js'
import { collectGarbage, machineLine, median, renderTable, settle } from './lib/measure.js'

const TOKENS = 200
const PAGES = 20
const CHANGES = 2_000_000
const ROUNDS = 20_000

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

function sink(slow: boolean): LiveSocket & { bytes: number } {
  return {
    bytes: 0,
    bufferedAmount: slow ? Number.MAX_SAFE_INTEGER : 0,
    readyState: 1,
    send(data: string) {
      this.bytes += data.length
    },
    close() {},
  }
}

async function main(): Promise<void> {
  const ids = Array.from({ length: TOKENS }, (_, i) => String(1_000 + i))
  const books = new Map<string, OrderBook>()
  for (const id of ids) {
    const book = OrderBook.empty(id as TokenId, 100 as TickSize)
    const bids = Array.from({ length: 60 }, (_, i) => ({
      price: (4_900 - i * 10) as PriceTicks,
      size: 1_000_000 as ShareMicros,
    }))
    const asks = Array.from({ length: 60 }, (_, i) => ({
      price: (5_000 + i * 10) as PriceTicks,
      size: 1_000_000 as ShareMicros,
    }))
    book.replace(bids, asks, 1 as EpochMs)
    books.set(id, book)
  }
  const hub = new LiveHub({
    now: () => 1_800_000_000_000,
    book: (t) => books.get(t),
    marketOf: () => `0x${'ab'.repeat(32)}`,
    healthOf: () => 'live',
    tokens: () => ids,
    feedState: () => 'connected',
    hello: () => ({ venue: 'paper', feed: 'bench', version: '0' }),
    account: () => null,
    alerts: () => null,
    latency: () => ({}),
    log: silentLogger(),
  })
  const sockets = Array.from({ length: PAGES }, (_, i) => sink(i === 0))
  for (const [i, socket] of sockets.entries()) {
    const page = hub.connect(socket)
    page.receive(JSON.stringify({ type: 'subscribe', tokens: [ids[i * 2]!, ids[i * 2 + 1]!] }))
  }
  await settle()
  hub.flush()

  collectGarbage()
  await settle()
  let start = performance.now()
  for (let i = 0; i < CHANGES; i++) hub.bookChanged(ids[i % TOKENS]!)
  const changeNs = ((performance.now() - start) * 1e6) / CHANGES

  const flushTimes: number[] = []
  for (let i = 0; i < 1_000; i++) {
    for (const id of ids) hub.bookChanged(id)
    start = performance.now()
    hub.flush()
    flushTimes.push(performance.now() - start)
  }
  const flushMs = median(flushTimes)

  collectGarbage()
  await settle()
  const heapBefore = process.memoryUsage().heapUsed
  for (let r = 0; r < ROUNDS; r++) {
    hub.bookChanged(ids[r % TOKENS]!)
    hub.trade({
      type: 'trade',
      tokenId: ids[0]!,
      market: 'm',
      ts: r,
      price: 5_000,
      size: 1,
      side: 'buy',
    })
    hub.flush()
  }
  collectGarbage()
  await settle()
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6

  log(machineLine())
  log(
    renderTable(
      ['measure', 'value'],
      [
        ['bookChanged (ns per call)', changeNs.toFixed(1)],
        [`flush, ${TOKENS} dirty, ${PAGES} pages x 2 tokens (ms, median)`, flushMs.toFixed(3)],
        [`heap growth over ${ROUNDS} rounds, one page stuck (MB)`, heapGrowthMb.toFixed(2)],
        ['messages dropped for the stuck page', String(hub.counters.dropped)],
      ],
    ),
  )
  log(JSON.stringify({ changeNs, flushMs, heapGrowthMb, dropped: hub.counters.dropped }))
}

await main()
