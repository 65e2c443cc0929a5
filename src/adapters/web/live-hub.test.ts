import { describe, expect, test } from 'vitest'
import { ServerBatch, type ServerMessage } from '../../contracts/live.js'
import { OrderBook } from '../../domain/book/order-book.js'
import type { TickSize, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { silentLogger } from '../log.js'
import {
  LiveHub,
  type AccountSource,
  type AlertLike,
  type AlertSource,
  type LiveHubOptions,
  type LiveSocket,
} from './live-hub.js'

const A = '111'
const B = '222'
const MARKET = `0x${'ab'.repeat(32)}`

class FakeSocket implements LiveSocket {
  bufferedAmount = 0
  readyState = 1
  readonly sent: string[] = []
  closedWith: { code: number; reason: string } | null = null
  send(data: string): void {
    this.sent.push(data)
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason }
    this.readyState = 3
  }
  /** Every message received so far, each batch checked against the contract. */
  messages(): ServerMessage[] {
    return this.sent.flatMap((text) => ServerBatch.parse(JSON.parse(text)))
  }
  take(): ServerMessage[] {
    const out = this.messages()
    this.sent.length = 0
    return out
  }
}

function book(token: string, bid: number, ask: number): OrderBook {
  const b = OrderBook.empty(token as TokenId, 100 as TickSize)
  b.replace(
    [{ price: bid as PriceTicks, size: 1_000_000 as ShareMicros }],
    [{ price: ask as PriceTicks, size: 2_000_000 as ShareMicros }],
    1_000 as EpochMs,
  )
  return b
}

function setup(
  options: {
    account?: AccountSource | null
    alerts?: AlertSource | null
    hub?: LiveHubOptions
  } = {},
) {
  const books = new Map([
    [A, book(A, 5000, 5100)],
    [B, book(B, 4900, 5000)],
  ])
  const health = new Map<string, 'live' | 'stale'>([
    [A, 'live'],
    [B, 'live'],
  ])
  let clock = 1_700_000_000_000
  const hub = new LiveHub(
    {
      now: () => clock++,
      book: (t) => books.get(t),
      marketOf: () => MARKET,
      healthOf: (t) => health.get(t) ?? 'disconnected',
      tokens: () => books.keys(),
      feedState: () => 'connected',
      hello: () => ({ venue: 'paper', feed: 'sim', version: '1.2.3' }),
      account: () => options.account ?? null,
      alerts: () => options.alerts ?? null,
      latency: () => ({ receive_to_book: { p50: 0.01, p99: 0.2, count: 5 } }),
      log: silentLogger(),
    },
    options.hub,
  )
  return { hub, books, health }
}

/** Lets the hub's pending promises (greeting, account builds) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((done) => setImmediate(done))
}

async function connected(hub: LiveHub, tokens: string[] = []) {
  const socket = new FakeSocket()
  const conn = hub.connect(socket)
  await settle()
  if (tokens.length > 0) conn.receive(JSON.stringify({ type: 'subscribe', tokens }))
  return { socket, conn }
}

/** Minimal sources for a hub with nothing to show. */
function quietSources() {
  return {
    now: () => 1,
    book: () => undefined,
    marketOf: () => '',
    healthOf: () => 'live' as const,
    tokens: () => [],
    feedState: () => 'replay' as const,
    hello: () => ({ venue: 'paper', feed: 'replay', version: '0' }),
    account: () => null,
    alerts: () => null,
    latency: () => ({}),
    log: silentLogger(),
  }
}

function account(counter: { builds: number }): AccountSource {
  return {
    build: () => {
      counter.builds++
      return Promise.resolve({
        orders: { orders: [] },
        positions: { positions: [], n: counter.builds },
        risk: { global: { mode: 'active' } },
      })
    },
  }
}

describe('LiveHub', () => {
  test('a page gets hello, health, account and recent alerts on connect', async () => {
    const alerts: AlertLike[] = [
      { id: 'a2', ts: 20, severity: 'warning', code: 'BOOK_STALE', message: 'm', market: null },
      { id: 'a1', ts: 10, severity: 'info', code: 'X', message: 'n', market: MARKET },
    ]
    const { hub } = setup({
      account: account({ builds: 0 }),
      alerts: { recent: () => alerts, subscribe: () => () => {} },
    })
    const { socket } = await connected(hub)
    const messages = socket.take()
    expect(messages.map((m) => m.type)).toEqual(['hello', 'health', 'account', 'alert', 'alert'])
    expect(messages[0]).toMatchObject({ venue: 'paper', feed: 'sim', version: '1.2.3' })
    expect(messages[1]).toMatchObject({ books: { [A]: 'live', [B]: 'live' }, feed: 'connected' })
    expect(messages[2]).toMatchObject({ orders: { orders: [] }, risk: { global: {} } })
    expect(messages.slice(3).map((m) => (m as { id: string }).id)).toEqual(['a1', 'a2'])
  })

  test('many book changes give one message per token per flush, latest state', async () => {
    const { hub, books } = setup()
    const { socket } = await connected(hub, [A, B])
    hub.flush()
    socket.take()
    const a = books.get(A)!
    for (let i = 0; i < 500; i++) {
      a.setLevel('bid', (5000 - (i % 40)) as PriceTicks, (i + 1) as ShareMicros, 2_000 as EpochMs)
      hub.bookChanged(A)
    }
    a.setLevel('bid', 5050 as PriceTicks, 7 as ShareMicros, 3_000 as EpochMs)
    hub.bookChanged(A)
    hub.bookChanged(B)
    hub.flush()
    expect(socket.sent).toHaveLength(1)
    const batch = socket.take()
    const booksSent = batch.filter((m) => m.type === 'book')
    expect(booksSent.map((m) => m.tokenId).sort()).toEqual([A, B])
    const sentA = booksSent.find((m) => m.tokenId === A)!
    expect(sentA).toMatchObject({ ts: 3_000, market: MARKET, health: 'live' })
    expect(sentA.bids[0]).toEqual([5050, 7])
    expect(sentA.bids.length).toBeLessThanOrEqual(50)
    // Nothing changed since: the next flush sends nothing.
    hub.flush()
    expect(socket.sent).toHaveLength(0)
  })

  test('a book message holds at most 50 levels a side, best first', async () => {
    const { hub, books } = setup()
    const { socket } = await connected(hub, [A])
    const a = books.get(A)!
    for (let p = 100; p < 4000; p += 10)
      a.setLevel('bid', p as PriceTicks, 1 as ShareMicros, 5 as EpochMs)
    hub.bookChanged(A)
    hub.flush()
    const sent = socket.take().find((m) => m.type === 'book')!
    expect(sent.bids).toHaveLength(50)
    expect(sent.bids[0]![0]).toBe(5000)
    expect(sent.asks).toEqual([[5100, 2_000_000]])
  })

  test('pages get only the books and trades of tokens they subscribed to', async () => {
    const { hub } = setup()
    const one = await connected(hub, [A])
    const two = await connected(hub, [B])
    const none = await connected(hub)
    hub.flush()
    const tokensOf = (messages: ServerMessage[]) =>
      messages.flatMap((m) => (m.type === 'book' ? [m.tokenId] : []))
    expect(tokensOf(one.socket.take())).toEqual([A])
    expect(tokensOf(two.socket.take())).toEqual([B])
    none.socket.take()
    hub.bookChanged(A)
    hub.bookChanged(B)
    hub.trade({
      type: 'trade',
      tokenId: B,
      market: MARKET,
      ts: 9,
      price: 5000,
      size: 3,
      side: 'buy',
    })
    hub.signal({
      type: 'signal',
      signalType: 'PANIC_SELL',
      tokenId: A,
      market: MARKET,
      ts: 9,
      score: 2,
      priceChange: -0.1,
    })
    hub.flush()
    const first = one.socket.take()
    expect(first.map((m) => m.type)).toEqual(['book', 'signal'])
    expect(first[0]).toMatchObject({ tokenId: A })
    expect(two.socket.take().map((m) => m.type)).toEqual(['book', 'trade', 'signal'])
    expect(none.socket.take().map((m) => m.type)).toEqual(['signal'])
    // Re-subscribing replaces the set.
    one.conn.receive(JSON.stringify({ type: 'subscribe', tokens: [B] }))
    hub.flush()
    expect(tokensOf(one.socket.take())).toEqual([B])
    hub.bookChanged(A)
    hub.flush()
    expect(one.socket.sent).toEqual([])
  })

  test('a slow page is skipped, its backlog stays bounded, and it catches up on recovery', async () => {
    const counter = { builds: 0 }
    const { hub, books } = setup({
      account: account(counter),
      hub: { maxBufferedBytes: 1_000, maxBacklog: 10, maxBacklogBytes: 100_000 },
    })
    const slow = await connected(hub, [A])
    const fast = await connected(hub, [A])
    hub.flush()
    slow.socket.take()
    fast.socket.take()
    slow.socket.bufferedAmount = 5_000
    const a = books.get(A)!
    for (let i = 0; i < 1_000; i++) {
      a.setLevel('ask', 5100 as PriceTicks, (i + 1) as ShareMicros, (10_000 + i) as EpochMs)
      hub.bookChanged(A)
      hub.trade({
        type: 'trade',
        tokenId: A,
        market: MARKET,
        ts: i,
        price: 5100,
        size: 1,
        side: 'sell',
      })
      hub.flush()
    }
    expect(slow.socket.sent).toEqual([])
    expect(hub.counters.skipped).toBe(1)
    expect(hub.counters.dropped).toBe(990)
    expect(fast.socket.take().filter((m) => m.type === 'book')).toHaveLength(1_000)
    slow.socket.bufferedAmount = 0
    hub.flush()
    const caughtUp = slow.socket.take()
    expect(caughtUp.map((m) => m.type)).toEqual([
      'health',
      'account',
      'book',
      ...Array<string>(10).fill('trade'),
    ])
    expect(caughtUp[2]).toMatchObject({ ts: 10_999, asks: [[5100, 1000]] })
    hub.flush()
    expect(slow.socket.sent).toEqual([])
  })

  test('account changes go out at most once per flush; fallback polls when not reported', async () => {
    const counter = { builds: 0 }
    let notify: () => void = () => {}
    const source: AccountSource = {
      ...account(counter),
      subscribe: (listener) => {
        notify = listener
        return () => {}
      },
    }
    const { hub } = setup({ account: source })
    const { socket } = await connected(hub)
    await settle()
    hub.flush()
    await settle()
    hub.flush()
    socket.take()
    const before = counter.builds
    for (let i = 0; i < 20; i++) notify()
    hub.flush()
    await settle()
    hub.flush()
    expect(counter.builds).toBe(before + 1)
    expect(socket.take().filter((m) => m.type === 'account')).toHaveLength(1)

    const polled = { builds: 0 }
    const poll = setup({ account: account(polled) })
    const page = await connected(poll.hub)
    page.socket.take()
    poll.hub.tick()
    await settle()
    poll.hub.flush()
    // The poll's account differs (its `n` counts builds), so it is sent.
    expect(page.socket.take().map((m) => m.type)).toEqual(['account'])
  })

  test('health goes out when a book changes state, not otherwise', async () => {
    const { hub, health } = setup()
    const { socket } = await connected(hub)
    socket.take()
    hub.tick()
    hub.flush()
    expect(socket.take()).toEqual([])
    health.set(B, 'stale')
    hub.tick()
    hub.flush()
    expect(socket.take()).toMatchObject([{ type: 'health', books: { [A]: 'live', [B]: 'stale' } }])
  })

  test('latency figures are queued for every page', async () => {
    const { hub } = setup()
    const { socket } = await connected(hub)
    socket.take()
    await hub.sendLatency()
    hub.flush()
    expect(socket.take()).toMatchObject([
      { type: 'latency', stages: { receive_to_book: { p50: 0.01, p99: 0.2, count: 5 } } },
    ])
  })

  test('ping is answered with pong at once', async () => {
    const { hub } = setup()
    const { socket, conn } = await connected(hub)
    socket.take()
    conn.receive(JSON.stringify({ type: 'ping', t: 42.5 }))
    expect(socket.take()).toMatchObject([{ type: 'pong', t: 42.5 }])
  })

  test.each([
    ['not JSON', '{subscribe', /not JSON/],
    ['an unknown type', '{"type":"buy"}', /invalid message/],
    [
      'too many tokens',
      JSON.stringify({ type: 'subscribe', tokens: Array(21).fill('1') }),
      /tokens/,
    ],
    ['a bad token id', JSON.stringify({ type: 'subscribe', tokens: ['abc'] }), /tokens\.0/],
    ['an oversized message', 'x'.repeat(5_000), /longer than/],
  ])('%s closes the socket with 1008 and a reason', async (_what, text, reason) => {
    const { hub } = setup()
    const { socket, conn } = await connected(hub)
    socket.take()
    conn.receive(text)
    expect(socket.closedWith?.code).toBe(1008)
    expect(socket.closedWith?.reason).toMatch(reason)
    expect(Buffer.byteLength(socket.closedWith!.reason)).toBeLessThanOrEqual(123)
    expect(hub.clientCount).toBe(0)
    expect(hub.counters.badMessages).toBe(1)
  })

  test('alerts reported by the source are pushed to every page', async () => {
    let push: (a: AlertLike) => void = () => {}
    const { hub } = setup({
      alerts: {
        recent: () => [],
        subscribe: (l) => {
          push = l
          return () => {}
        },
      },
    })
    const { socket } = await connected(hub, [A])
    hub.flush()
    socket.take()
    push({
      id: 'x',
      ts: 5,
      severity: 'critical',
      code: 'DAILY_LOSS',
      message: 'halted',
      market: null,
    })
    hub.flush()
    expect(socket.take()).toMatchObject([{ type: 'alert', code: 'DAILY_LOSS' }])
  })

  test('connections beyond the limit are refused; stop closes every page', async () => {
    const { hub } = setup({ hub: { maxClients: 1 } })
    const first = await connected(hub)
    const second = await connected(hub)
    expect(second.socket.closedWith?.code).toBe(1013)
    hub.stop()
    expect(first.socket.closedWith).toEqual({ code: 1001, reason: 'daemon stopping' })
    expect(hub.clientCount).toBe(0)
  })

  test('with no page connected, flushes drop the work and the tape still records', () => {
    const { hub } = setup()
    for (let i = 0; i < 100; i++) {
      hub.bookChanged(A)
      hub.trade({
        type: 'trade',
        tokenId: A,
        market: MARKET,
        ts: i,
        price: 10,
        size: 1,
        side: 'buy',
      })
    }
    hub.flush()
    expect(hub.tape.recent(A, 3).map((t) => t.ts)).toEqual([99, 98, 97])
  })

  test('failures: an account that cannot be built is left out, a latency read is skipped', async () => {
    const { hub } = setup({
      account: { build: () => Promise.reject(new Error('database is locked')) },
    })
    const { socket } = await connected(hub)
    expect(socket.take().map((m) => m.type)).toEqual(['hello', 'health'])
    const failing = new LiveHub(
      {
        now: () => 1,
        book: () => undefined,
        marketOf: () => '',
        healthOf: () => 'live',
        tokens: () => [],
        feedState: () => 'replay',
        hello: () => {
          throw new Error('no hello')
        },
        account: () => null,
        alerts: () => null,
        latency: () => Promise.reject(new Error('registry gone')),
        log: silentLogger(),
      },
      {},
    )
    const page = new FakeSocket()
    failing.connect(page)
    await settle()
    expect(page.closedWith).toEqual({ code: 1011, reason: 'daemon error; see the daemon log' })
    expect(failing.clientCount).toBe(0)
    // A latency read that fails sends nothing and does not throw.
    const broken = new LiveHub({
      ...quietSources(),
      latency: () => Promise.reject(new Error('registry gone')),
    })
    const watcher = await connected(broken)
    watcher.socket.take()
    await expect(broken.sendLatency()).resolves.toBeUndefined()
    broken.flush()
    expect(watcher.socket.take()).toEqual([])
  })
})
