import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { LastTrade } from '../book/book-events.js'
import { OrderBook } from '../book/order-book.js'
import { InvariantError } from '../errors.js'
import { asMarketId, asTokenId, type TickSize, type TokenId } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'
import { takerFee } from './fees.js'
import { TRADE_MATCH_WINDOW_MS } from './fill-model.js'
import { fixedLatency } from './latency-model.js'
import { SimVenue, type OrderStatus, type SimVenueMarket } from './sim-venue.js'
import type { Fill, OrderIntent, OrderRejectReason } from './types.js'

const MARKET = asMarketId('0xabc')
const TOKEN = asTokenId('111')
const OTHER = asTokenId('222')
const px = (ticks: number): PriceTicks => ticks as PriceTicks
const sh = (n: number): ShareMicros => Math.round(n * 1_000_000) as ShareMicros
const at = (ms: number): EpochMs => ms as EpochMs
type Lv = [price: number, shares: number]

const BASE: SimVenueMarket = {
  tickSize: 100 as TickSize,
  minSize: sh(5),
  feeRateBps: 500,
  secondsDelay: 0,
}

/** A venue over one token's book, recording everything the listener hears. */
class Harness {
  readonly book = OrderBook.empty(TOKEN, 100 as TickSize)
  readonly fills: Fill[] = []
  readonly rejects: { clientId: string; reason: OrderRejectReason; detail: string }[] = []
  readonly done: { clientId: string; filled: number; status: OrderStatus }[] = []
  readonly venue: SimVenue
  bookMissing = false

  constructor(market: Partial<SimVenueMarket> = {}, latencyMs = 250) {
    const info = { ...BASE, ...market }
    this.venue = new SimVenue(
      { latency: fixedLatency(latencyMs), marketOf: (id) => (id === TOKEN ? info : undefined) },
      {
        onFill: (fill) => this.fills.push(fill),
        onReject: (intent, reason, detail) =>
          this.rejects.push({ clientId: intent.clientId, reason, detail }),
        onDone: (intent, filled, status) =>
          this.done.push({ clientId: intent.clientId, filled, status }),
      },
    )
  }

  snapshot(ts: number, bids: Lv[], asks: Lv[]): void {
    this.run(ts)
    const level = ([p, s]: Lv) => ({ price: px(p), size: sh(s) })
    this.book.replace(bids.map(level), asks.map(level), at(ts))
    this.venue.onBookChanged(this.book)
  }

  level(ts: number, side: 'bid' | 'ask', price: number, shares: number): void {
    this.run(ts)
    this.book.setLevel(side, px(price), sh(shares), at(ts))
    this.venue.onBookChanged(this.book)
  }

  trade(ts: number, side: 'buy' | 'sell', price: number, shares: number): void {
    this.run(ts)
    const trade: LastTrade = {
      type: 'last_trade_price',
      market: MARKET,
      assetId: TOKEN,
      tsVenue: at(ts),
      price: px(price),
      size: sh(shares),
      side,
      feeRateBps: null,
      transactionHash: null,
    }
    this.venue.onTrade(trade)
  }

  run(now: number): void {
    this.venue.executeDue(at(now), (id) =>
      id === TOKEN && !this.bookMissing ? this.book : undefined,
    )
  }

  submit(
    clientId: string,
    decidedAt: number,
    side: 'buy' | 'sell',
    kind: 'market' | 'limit',
    price: number,
    shares: number,
    tokenId: TokenId = TOKEN,
  ): OrderIntent {
    const intent: OrderIntent = {
      clientId,
      market: MARKET,
      tokenId,
      side,
      kind,
      price: px(price),
      size: sh(shares),
      decidedAt: at(decidedAt),
    }
    this.venue.submit(intent)
    return intent
  }

  fillsOf(clientId: string): [number, number, string][] {
    return this.fills
      .filter((f) => f.clientId === clientId)
      .map((f) => [f.price, f.size / 1_000_000, f.liquidity])
  }

  statusOf(clientId: string): OrderStatus | undefined {
    return this.done.find((d) => d.clientId === clientId)?.status
  }
}

const BIDS: Lv[] = [
  [4900, 10],
  [4800, 30],
]
const ASKS: Lv[] = [
  [5000, 10],
  [5100, 20],
  [5300, 50],
]

describe('marketable orders walk the book', () => {
  test('a market buy fills level by level with per-fill taker fees', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5300, 25)
    h.run(1250)
    expect(h.fillsOf('a')).toEqual([
      [5000, 10, 'taker'],
      [5100, 15, 'taker'],
    ])
    // 10 × 0.05 × 0.5 × 0.5 = 0.125; 15 × 0.05 × 0.51 × 0.49 = 0.187425 -> 0.18743
    expect(h.fills.map((f) => f.fee)).toEqual([125_000, 187_430])
    expect(h.fills.every((f) => f.ts === 1250)).toBe(true)
    expect(h.done).toEqual([{ clientId: 'a', filled: sh(25), status: 'filled' }])
  })

  test('the cap stops the walk and the remainder is killed', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5200, 50)
    h.run(1250)
    expect(h.fillsOf('a')).toEqual([
      [5000, 10, 'taker'],
      [5100, 20, 'taker'],
    ])
    expect(h.done).toEqual([{ clientId: 'a', filled: sh(30), status: 'partially_filled' }])
  })

  test('a buy with nothing at or under its cap is killed, not rejected', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 4900, 10)
    h.run(1250)
    expect(h.fills).toEqual([])
    expect(h.rejects).toEqual([])
    expect(h.statusOf('a')).toBe('killed')
  })

  test('a market sell hits bids down to its floor', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('s', 1000, 'sell', 'market', 4800, 15)
    h.run(1250)
    expect(h.fillsOf('s')).toEqual([
      [4900, 10, 'taker'],
      [4800, 5, 'taker'],
    ])
  })

  test('our own taker fills are not offered again by the unchanged recording', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5300, 10)
    h.submit('b', 1000, 'buy', 'market', 5300, 10)
    h.run(1250)
    expect(h.fillsOf('a')).toEqual([[5000, 10, 'taker']])
    expect(h.fillsOf('b')).toEqual([[5100, 10, 'taker']])
    // The level shrinking below what we took means we can no longer tell: we take the lower
    // bound, then fresh size on top of it is available again.
    h.level(1300, 'ask', 5000, 4)
    h.level(1400, 'ask', 5000, 9)
    h.submit('c', 1500, 'buy', 'market', 5000, 10)
    h.run(1750)
    expect(h.fillsOf('c')).toEqual([[5000, 5, 'taker']])
  })
})

describe('timing: latency and the in-play delay', () => {
  test('the fill uses the book as it stands at decision time plus latency', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5300, 10)
    expect(h.venue.nextDue()).toBe(1250)
    h.level(1100, 'ask', 5000, 0) // the best ask goes before we arrive
    expect(h.fills).toEqual([])
    h.run(1249)
    expect(h.fills).toEqual([])
    h.run(1250)
    expect(h.fillsOf('a')).toEqual([[5100, 10, 'taker']])
    expect(h.venue.nextDue()).toBeNull()
  })

  test('secondsDelay holds a marketable order, which then fills against the later book', () => {
    const h = new Harness({ secondsDelay: 3 })
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5300, 10)
    h.run(1250)
    expect(h.fills).toEqual([])
    expect(h.venue.nextDue()).toBe(4250)
    expect(h.venue.openOrders().map((o) => o.clientId)).toEqual(['a'])
    h.snapshot(2000, BIDS, [[5300, 50]])
    h.run(4250)
    expect(h.fillsOf('a')).toEqual([[5300, 10, 'taker']])
    expect(h.fills[0]!.ts).toBe(4250)
  })

  test('a limit order that does not cross rests at arrival without the in-play delay', () => {
    const h = new Harness({ secondsDelay: 3 })
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4900, 10)
    h.run(1250)
    expect(h.venue.nextDue()).toBeNull()
    h.trade(1300, 'sell', 4900, 15)
    expect(h.fillsOf('l')).toEqual([[4900, 5, 'maker']])
  })

  test('latency 0 executes at the decision time', () => {
    const h = new Harness({}, 0)
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5000, 5)
    expect(h.venue.nextDue()).toBe(1000)
    h.run(1000)
    expect(h.fillsOf('a')).toEqual([[5000, 5, 'taker']])
  })
})

describe('validation and rejections', () => {
  test('below the minimum size is rejected at submit', () => {
    const h = new Harness()
    h.submit('a', 1000, 'buy', 'market', 5000, 4.99)
    expect(h.rejects).toEqual([
      { clientId: 'a', reason: 'BELOW_MIN_SIZE', detail: 'size=4.99 min=5' },
    ])
    expect(h.done).toEqual([{ clientId: 'a', filled: 0, status: 'rejected' }])
    expect(h.venue.nextDue()).toBeNull()
  })

  test('sizes are rounded down to 0.01 shares before the minimum check', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5000, 4.999999)
    expect(h.rejects[0]?.reason).toBe('BELOW_MIN_SIZE')
    h.submit('b', 1000, 'buy', 'market', 5000, 5.009)
    h.run(1250)
    expect(h.done.at(-1)).toEqual({ clientId: 'b', filled: sh(5), status: 'filled' })
  })

  test('a size that rounds to nothing is rejected even without a market minimum', () => {
    const h = new Harness({ minSize: 0 as ShareMicros })
    h.submit('a', 1000, 'buy', 'market', 5000, 0.009)
    expect(h.rejects).toEqual([{ clientId: 'a', reason: 'BELOW_MIN_SIZE', detail: 'size=0 min=0' }])
  })

  test('an off-tick price is rejected, as are the extremes 0 and 1', () => {
    const h = new Harness()
    h.submit('a', 1000, 'buy', 'limit', 5050, 10)
    h.submit('b', 1000, 'buy', 'limit', 10_000, 10)
    h.submit('c', 1000, 'sell', 'market', 0, 10)
    expect(h.rejects.map((r) => r.reason)).toEqual([
      'PRICE_OFF_TICK',
      'PRICE_OFF_TICK',
      'PRICE_OFF_TICK',
    ])
    expect(h.rejects[0]!.detail).toBe('price=0.505 tick=0.01')
  })

  test('an unknown token is rejected', () => {
    const h = new Harness()
    h.submit('a', 1000, 'buy', 'limit', 5000, 10, OTHER)
    expect(h.rejects[0]).toEqual({
      clientId: 'a',
      reason: 'UNKNOWN_TOKEN',
      detail: 'token=222 is not a known market token',
    })
  })

  test('a stale book at execution rejects with BOOK_STALE, never fills', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5300, 10)
    h.book.markStale('hash_mismatch')
    h.run(1250)
    expect(h.fills).toEqual([])
    expect(h.rejects[0]).toEqual({
      clientId: 'a',
      reason: 'BOOK_STALE',
      detail: 'token=111 reason=hash_mismatch',
    })
    expect(h.statusOf('a')).toBe('rejected')
  })

  test('a book that goes stale during the in-play hold rejects at match time', () => {
    const h = new Harness({ secondsDelay: 2 })
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'market', 5300, 10)
    h.run(1250)
    h.book.changeTickSize(10 as TickSize, at(2000))
    h.run(3250)
    expect(h.rejects.map((r) => r.reason)).toEqual(['BOOK_STALE'])
  })

  test('a missing book rejects with NO_LIQUIDITY', () => {
    const h = new Harness()
    h.bookMissing = true
    h.submit('a', 1000, 'buy', 'market', 5300, 10)
    h.run(1250)
    expect(h.rejects.map((r) => r.reason)).toEqual(['NO_LIQUIDITY'])
  })

  test('a tick size change between submit and arrival rejects a now off-tick price', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('a', 1000, 'buy', 'limit', 4700, 10)
    h.book.changeTickSize(1000 as TickSize, at(1100))
    h.book.replace([{ price: px(4000), size: sh(5) }], [{ price: px(6000), size: sh(5) }], at(1100))
    h.run(1250)
    expect(h.rejects[0]).toMatchObject({ reason: 'PRICE_OFF_TICK', detail: 'price=0.47 tick=0.1' })
  })

  test('a closed market cancels open orders and rejects new ones', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10)
    h.submit('m', 1000, 'buy', 'market', 5300, 10)
    h.run(1250)
    h.submit('x', 1300, 'buy', 'market', 5300, 10)
    h.venue.closeMarket(MARKET)
    expect(h.statusOf('l')).toBe('cancelled')
    expect(h.statusOf('x')).toBe('cancelled')
    h.submit('y', 1400, 'buy', 'market', 5300, 10)
    expect(h.rejects.at(-1)?.reason).toBe('MARKET_CLOSED')
    h.run(5000)
    expect(h.venue.openOrders()).toEqual([])
  })

  test('a reused client id or a malformed size is a caller bug', () => {
    const h = new Harness()
    h.submit('a', 1000, 'buy', 'limit', 4800, 10)
    expect(() => h.submit('a', 1000, 'buy', 'limit', 4800, 10)).toThrow(InvariantError)
    expect(() => h.submit('b', 1000, 'buy', 'limit', 4800, 0)).toThrow(/size 0/)
    expect(() => h.submit('c', 1000, 'buy', 'limit', 1.5, 10)).toThrow(/price 1.5/)
  })
})

describe('limit orders and the queue model', () => {
  test('a crossing limit takes what it can, then rests behind the recorded size', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 5000, 15)
    h.run(1250)
    expect(h.fillsOf('l')).toEqual([[5000, 10, 'taker']])
    expect(h.venue.openOrders().map((o) => o.clientId)).toEqual(['l'])
    // Our bid at 0.50 now rests with nothing ahead; the next sell at 0.50 fills us.
    h.trade(1300, 'sell', 5000, 3)
    expect(h.fillsOf('l').at(-1)).toEqual([5000, 3, 'maker'])
    expect(h.fills.at(-1)!.fee).toBe(0)
  })

  test('trades ahead of us fill nothing until queue-ahead is consumed', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10) // 30 shares ahead at 0.48
    h.run(1250)
    h.trade(1300, 'sell', 4800, 20)
    h.level(1300, 'bid', 4800, 10)
    expect(h.fills).toEqual([])
    h.trade(1400, 'buy', 4800, 50) // wrong side: a taker buy does not hit bids
    h.trade(1500, 'sell', 4800, 15)
    expect(h.fillsOf('l')).toEqual([[4800, 5, 'maker']])
    h.trade(1600, 'sell', 4800, 100)
    expect(h.fillsOf('l').at(-1)).toEqual([4800, 5, 'maker'])
    expect(h.done).toEqual([{ clientId: 'l', filled: sh(10), status: 'filled' }])
  })

  test('a book decrease reported before its trade is not counted twice', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10)
    h.run(1250)
    h.level(1300, 'bid', 4800, 10)
    h.trade(1300, 'sell', 4800, 20)
    h.trade(1400, 'sell', 4800, 10)
    expect(h.fills).toEqual([]) // exactly the 30 ahead were consumed
    h.trade(1500, 'sell', 4800, 4)
    expect(h.fillsOf('l')).toEqual([[4800, 4, 'maker']])
  })

  test('cancellations move us up only once they must have come from ahead of us', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10) // 30 ahead
    h.run(1250)
    h.level(1300, 'bid', 4800, 70) // 40 join behind us
    h.level(1400, 'bid', 4800, 30) // 40 cancel: assume all from behind
    h.level(3000, 'bid', 4800, 25) // 5 more: now the level is below what was ahead
    // No print explains the last 5 within the match window, so they were cancellations.
    h.trade(4500, 'sell', 4800, 25)
    expect(h.fills).toEqual([]) // 25 were left ahead
    h.level(4500, 'bid', 4800, 0)
    h.trade(4600, 'sell', 4800, 6)
    expect(h.fillsOf('l')).toEqual([[4800, 6, 'maker']])
  })

  test('a trade through our price fills us first', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10)
    h.run(1250)
    h.trade(1300, 'sell', 4700, 8)
    expect(h.fillsOf('l')).toEqual([[4800, 8, 'maker']])
  })

  test('one print is shared among our orders, never counted twice', () => {
    const h = new Harness()
    h.snapshot(0, [], ASKS)
    h.submit('a', 1000, 'buy', 'limit', 4800, 10)
    h.submit('b', 1000, 'buy', 'limit', 4900, 10)
    h.run(1250)
    h.trade(1300, 'sell', 4700, 12)
    expect(h.fillsOf('b')).toEqual([[4900, 10, 'maker']]) // better price first
    expect(h.fillsOf('a')).toEqual([[4800, 2, 'maker']])
  })

  test('an opposite order recorded through our resting price fills us as maker', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4900, 10)
    h.run(1250)
    h.level(1300, 'bid', 4900, 0)
    h.level(1300, 'ask', 4900, 4)
    expect(h.fillsOf('l')).toEqual([[4900, 4, 'maker']])
    h.level(1400, 'ask', 4900, 6) // 2 new shares on top of the 4 we took
    expect(h.fillsOf('l').at(-1)).toEqual([4900, 2, 'maker'])
  })

  test('a stale book neither moves the queue nor fills by crossing', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10)
    h.run(1250)
    h.book.markStale('gap')
    h.level(1300, 'bid', 4800, 0)
    h.level(1300, 'ask', 4700, 50)
    h.level(5000, 'ask', 4700, 50)
    expect(h.fills).toEqual([])
    h.snapshot(6000, [[4800, 30]], ASKS)
    h.trade(6100, 'sell', 4800, 30)
    expect(h.fills).toEqual([])
  })

  test('a cancel takes effect after latency and reports what had filled', () => {
    const h = new Harness()
    h.snapshot(0, [], ASKS)
    h.submit('l', 1000, 'buy', 'limit', 4800, 10)
    h.run(1250)
    h.trade(1300, 'sell', 4800, 4)
    h.venue.cancel('l', at(2000))
    expect(h.venue.nextDue()).toBe(2250)
    h.trade(2100, 'sell', 4800, 1) // still resting
    h.run(2250)
    expect(h.done).toEqual([{ clientId: 'l', filled: sh(5), status: 'cancelled' }])
    h.trade(2300, 'sell', 4800, 5)
    expect(h.fills.length).toBe(2)
    h.venue.cancel('l', at(2400)) // finished: ignored
    h.venue.cancel('nope', at(2400))
    expect(h.venue.nextDue()).toBeNull()
  })

  test('a cancel that overtakes its order cancels it on arrival', () => {
    const h = new Harness()
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 5000, 10)
    h.venue.cancel('l', at(900))
    h.run(1250)
    expect(h.fills).toEqual([])
    expect(h.done).toEqual([{ clientId: 'l', filled: 0, status: 'cancelled' }])
  })

  test('a cancel during the in-play hold applies to the remainder after matching', () => {
    const h = new Harness({ secondsDelay: 3 })
    h.snapshot(0, BIDS, ASKS)
    h.submit('l', 1000, 'buy', 'limit', 5000, 15)
    h.run(1250)
    h.venue.cancel('l', at(1500))
    h.run(4250)
    expect(h.fillsOf('l')).toEqual([[5000, 10, 'taker']])
    expect(h.done).toEqual([{ clientId: 'l', filled: sh(10), status: 'cancelled' }])
  })
})

describe('determinism', () => {
  type Step =
    | { kind: 'order'; side: 'buy' | 'sell'; market: boolean; price: number; shares: number }
    | { kind: 'level'; side: 'bid' | 'ask'; price: number; shares: number }
    | { kind: 'trade'; side: 'buy' | 'sell'; price: number; shares: number }
    | { kind: 'cancel'; index: number }
  const price = fc.integer({ min: 45, max: 55 }).map((p) => p * 100)
  const shares = fc.integer({ min: 0, max: 4000 }).map((n) => n / 100)
  const side = fc.constantFrom('buy' as const, 'sell' as const)
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('order' as const), side, market: fc.boolean(), price, shares }),
    fc.record({
      kind: fc.constant('level' as const),
      side: fc.constantFrom('bid' as const, 'ask' as const),
      price,
      shares,
    }),
    fc.record({ kind: fc.constant('trade' as const), side, price, shares }),
    fc.record({ kind: fc.constant('cancel' as const), index: fc.nat(30) }),
  )

  function play(steps: readonly Step[], delay: number): Harness {
    const h = new Harness({ secondsDelay: delay })
    h.snapshot(0, BIDS, ASKS)
    let t = 0
    let n = 0
    for (const s of steps) {
      t += 100
      if (s.kind === 'order') {
        if (s.shares >= 5) {
          h.submit(`o${n++}`, t, s.side, s.market ? 'market' : 'limit', s.price, s.shares)
        }
      } else if (s.kind === 'level') h.level(t, s.side, s.price, s.shares)
      else if (s.kind === 'trade') h.trade(t, s.side, s.price, Math.max(s.shares, 0.01))
      else h.venue.cancel(`o${s.index}`, at(t))
    }
    h.run(t + 10_000)
    return h
  }

  test('the same inputs give identical fills, and fills respect every order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.constantFrom(0, 1), (steps, delay) => {
        const first = play(steps, delay)
        const second = play(steps, delay)
        expect(second.fills).toEqual(first.fills)
        expect(second.done).toEqual(first.done)
        const byId = new Map<string, number>()
        for (const fill of first.fills) {
          byId.set(fill.clientId, (byId.get(fill.clientId) ?? 0) + fill.size)
          expect(fill.size).toBeGreaterThan(0)
          expect(fill.fee).toBe(
            fill.liquidity === 'taker' ? takerFee(fill.size, fill.price, 500) : 0,
          )
        }
        for (const d of first.done) expect(d.filled).toBe(byId.get(d.clientId) ?? 0)
        // Every order ends exactly once and nothing is left open after the run.
        expect(new Set(first.done.map((d) => d.clientId)).size).toBe(first.done.length)
        expect(first.venue.openOrders().every((o) => o.kind === 'limit')).toBe(true)
      }),
    )
  })

  test('fills never exceed the order or cross its limit', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const h = play(steps, 0)
        const intents = new Map<string, { side: string; price: number; size: number }>()
        let n = 0
        for (const s of steps) {
          if (s.kind === 'order' && s.shares >= 5) {
            intents.set(`o${n++}`, { side: s.side, price: s.price, size: sh(s.shares) })
          }
        }
        const totals = new Map<string, number>()
        for (const fill of h.fills) {
          const intent = intents.get(fill.clientId)!
          if (intent.side === 'buy') expect(fill.price).toBeLessThanOrEqual(intent.price)
          else expect(fill.price).toBeGreaterThanOrEqual(intent.price)
          totals.set(fill.clientId, (totals.get(fill.clientId) ?? 0) + fill.size)
        }
        for (const [id, total] of totals) expect(total).toBeLessThanOrEqual(intents.get(id)!.size)
      }),
    )
  })
})

test('a decrease followed by a print within the match window is read as that trade', () => {
  const h = new Harness()
  h.snapshot(0, BIDS, ASKS)
  h.submit('l', 1000, 'buy', 'limit', 4800, 10) // 30 ahead
  h.run(1250)
  h.level(2000, 'bid', 4800, 20)
  h.trade(2000 + TRADE_MATCH_WINDOW_MS - 1, 'sell', 4800, 10)
  h.trade(4000, 'sell', 4800, 20)
  expect(h.fills).toEqual([]) // 10 + 20 = the 30 ahead
  h.trade(4100, 'sell', 4800, 1)
  expect(h.fillsOf('l')).toEqual([[4800, 1, 'maker']])
})
