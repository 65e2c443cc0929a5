import { describe, expect, test } from 'vitest'
import type { Fill, OrderIntent } from '../../domain/backtest/types.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import { panicFade, fomoFade, vacuumFade } from '../../domain/strategy/fade.js'
import type { Strategy, StrategyContext, StrategySignal } from '../../domain/strategy/strategy.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import { Lane, type LaneConfig, type LaneHost } from './lane.js'
import type { VenueEvents, VenuePort } from './ports.js'

const M = 'm1' as MarketId
const M2 = 'm2' as MarketId
const Y = 'y' as TokenId
const N = 'n' as TokenId
const Y2 = 'y2' as TokenId
const SHARES = 1_000_000

type Top = { bid: number; ask: number; stale?: boolean }

function fakeBook(tokenId: TokenId, top: Top): BookView {
  return {
    assetId: tokenId,
    tickSize: 100 as TickSize,
    stale: top.stale === true,
    staleReason: top.stale === true ? 'no_snapshot' : null,
    lastUpdateTs: 0 as EpochMs,
    bestBid: () => top.bid as PriceTicks,
    bestAsk: () => top.ask as PriceTicks,
    mid: () => (top.bid + top.ask) / 20_000,
  } as unknown as BookView
}

/** A venue double that fills market orders at once at the touch (or not at all). */
class InstantVenue implements VenuePort {
  readonly submitted: OrderIntent[] = []
  readonly cancelled: string[] = []
  fillNext = true
  constructor(
    private readonly events: VenueEvents,
    private readonly books: Map<string, Top>,
  ) {}
  submit(intent: OrderIntent): void {
    this.submitted.push(intent)
    const top = this.books.get(intent.tokenId)!
    if (!this.fillNext) {
      this.events.onDone(intent, 0 as ShareMicros, 'killed')
      return
    }
    const price = (intent.side === 'buy' ? top.ask : top.bid) as PriceTicks
    const fill: Fill = {
      clientId: intent.clientId,
      market: intent.market,
      tokenId: intent.tokenId,
      side: intent.side,
      price,
      size: intent.size,
      fee: 0 as UsdcMicros,
      liquidity: 'taker',
      ts: intent.decidedAt,
    }
    this.events.onFill(fill)
    this.events.onDone(intent, intent.size, 'filled')
  }
  cancel(clientId: string): void {
    this.cancelled.push(clientId)
  }
  nextDue(): EpochMs | null {
    return null
  }
  executeDue(): void {}
  onTrade(): void {}
  onBookChanged(): void {}
}

function setup(strategy: Strategy = panicFade, params: Record<string, unknown> = {}) {
  let now = 1_000 as EpochMs
  const books = new Map<string, Top>([
    [Y, { bid: 4400, ask: 4500 }],
    [N, { bid: 5500, ask: 5600 }],
    [Y2, { bid: 3000, ask: 3100 }],
  ])
  let venue: InstantVenue | undefined
  const config: LaneConfig = {
    label: 'test',
    strategy,
    params: strategy.parseParams(params),
    sizing: { kind: 'fixed', shares: (10 * SHARES) as ShareMicros },
    latencyMs: 0,
    bankroll: (1000 * SHARES) as UsdcMicros,
  }
  const ctx = (): StrategyContext => ({
    now: () => now,
    book: (t) => (books.has(t) ? fakeBook(t, books.get(t)!) : undefined),
    midAt: () => null,
    complementOf: (t) => (t === Y ? N : t === N ? Y : null),
    meta: () => ({
      tickSize: 100 as TickSize,
      minSize: (5 * SHARES) as ShareMicros,
      feeRateBps: 0,
      secondsDelay: 0,
    }),
    equity: () => lane.equity(),
    lastGameEvent: () => null,
    sizing: config.sizing,
  })
  const host: LaneHost = {
    now: () => now,
    usableBook: (t) => (books.has(t) ? fakeBook(t, books.get(t)!) : undefined),
    context: () => ctx(),
    matchOf: (m) => `match-${m}`,
    substrategyOf: () => 'round_loss',
    positionKey: (m) => m,
  }
  const lane: Lane = new Lane(
    config,
    host,
    (_setup, events) => (venue = new InstantVenue(events, books)),
    () => ({
      tickSize: 100 as TickSize,
      minSize: (5 * SHARES) as ShareMicros,
      feeRateBps: 0,
      secondsDelay: 0,
    }),
    null,
  )
  return {
    lane,
    venue: venue!,
    books,
    setNow: (t: number) => (now = t as EpochMs),
    tick: (token: TokenId) => lane.onBookChanged(fakeBook(token, books.get(token)!)),
  }
}

function signal(over: Partial<StrategySignal> = {}): StrategySignal {
  return {
    id: 1,
    type: 'PANIC_SELL',
    assetId: Y,
    market: M,
    ts: 1_000 as EpochMs,
    score: 0.9,
    priceChange: -0.06,
    refPrice: 0.445,
    mirrorOf: null,
    ...over,
  }
}

describe('lane: panic_fade entry and exits', () => {
  test('enters on a panic above the threshold and exits at the reversion target', () => {
    const s = setup()
    s.lane.onSignal(signal())
    expect(s.venue.submitted).toHaveLength(1)
    expect(s.venue.submitted[0]).toMatchObject({ side: 'buy', tokenId: Y, size: 10 * SHARES })
    // entry mid 0.445; target 0.445 + 0.5 × 0.06 = 0.475
    s.books.set(Y, { bid: 4700, ask: 4750 })
    s.setNow(20_000)
    s.tick(Y)
    expect(s.lane.trades).toHaveLength(0)
    s.books.set(Y, { bid: 4750, ask: 4800 })
    s.setNow(30_000)
    s.tick(Y)
    expect(s.lane.trades).toHaveLength(1)
    const t = s.lane.trades[0]!
    expect(t).toMatchObject({
      exitReason: 'target',
      entryPrice: 4500,
      exitPrice: 4750,
      profit: 250_000,
      substrategy: 'round_loss',
      match: 'match-m1',
      reversionS: 29,
    })
  })

  test('stops out when the mid falls a further 1 × the move', () => {
    const s = setup()
    s.lane.onSignal(signal())
    // stop at 0.445 − 0.06 = 0.385
    s.books.set(Y, { bid: 3800, ask: 3880 })
    s.tick(Y)
    expect(s.lane.trades[0]).toMatchObject({ exitReason: 'stop', exitPrice: 3800 })
  })

  test('times out 180 s after the signal, decided before the next event', () => {
    const s = setup()
    s.lane.onSignal(signal())
    s.lane.beforeEvent(180_999 as EpochMs)
    expect(s.lane.trades).toHaveLength(0)
    s.setNow(181_000)
    s.lane.beforeEvent(181_000 as EpochMs)
    expect(s.lane.trades[0]).toMatchObject({ exitReason: 'timeout', exitTs: 181_000 })
  })

  test('skips a score below the threshold, a mirror, a stale book and a second position', () => {
    const s = setup()
    s.lane.onSignal(signal({ score: 0.69 }))
    s.lane.onSignal(signal({ mirrorOf: 7 }))
    s.books.set(Y, { bid: 4400, ask: 4500, stale: true })
    s.lane.onSignal(signal())
    s.books.set(Y, { bid: 4400, ask: 4500 })
    s.lane.onSignal(signal({ id: 2 }))
    s.lane.onSignal(signal({ id: 3 }))
    expect(s.lane.counters.skips).toEqual({
      below_threshold: 1,
      mirror: 1,
      stale_book: 1,
      position_open: 1,
    })
    expect(s.venue.submitted).toHaveLength(1)
  })

  test('one position per market, but another market can open', () => {
    const s = setup()
    s.lane.onSignal(signal())
    s.lane.onSignal(signal({ id: 2, assetId: N }))
    s.lane.onSignal(signal({ id: 3, assetId: Y2, market: M2 }))
    expect(s.venue.submitted.map((i) => i.tokenId)).toEqual([Y, Y2])
    expect(s.lane.openPositions).toBe(2)
  })

  test('an unfilled entry leaves no position and counts the miss', () => {
    const s = setup()
    s.venue.fillNext = false
    s.lane.onSignal(signal())
    expect(s.lane.openPositions).toBe(0)
    expect(s.lane.counters.skips).toEqual({ entry_unfilled: 1 })
    s.venue.fillNext = true
    s.lane.onSignal(signal({ id: 2 }))
    expect(s.lane.openPositions).toBe(1)
  })

  test('resolution settles at 1 for the winner and 0 for the loser', () => {
    const s = setup()
    s.lane.onSignal(signal())
    s.lane.onSignal(signal({ id: 2, assetId: Y2, market: M2 }))
    s.lane.onResolved(M, Y, 50_000 as EpochMs)
    s.lane.onResolved(M2, N, 60_000 as EpochMs)
    expect(s.lane.trades.map((t) => [t.tokenId, t.exitReason, t.exitPrice, t.profit])).toEqual([
      [Y, 'resolution', 10_000, 5_500_000],
      [Y2, 'resolution', 0, -3_100_000],
    ])
    expect(s.lane.equity()).toBe(1000 * SHARES + 2_400_000)
  })

  test('end of data values an open position at the best bid', () => {
    const s = setup()
    s.lane.onSignal(signal())
    s.books.set(Y, { bid: 4600, ask: 4700 })
    s.lane.finish(90_000 as EpochMs)
    expect(s.lane.trades[0]).toMatchObject({
      exitReason: 'end_of_data',
      exitPrice: 4600,
      profit: 100_000,
    })
  })
})

describe('lane: fomo_fade and vacuum', () => {
  test('fomo_fade buys the complement of the chased token', () => {
    const s = setup(fomoFade)
    s.lane.onSignal(signal({ type: 'FOMO_BUY', assetId: Y, priceChange: 0.06 }))
    expect(s.venue.submitted[0]).toMatchObject({ tokenId: N, side: 'buy', market: M })
  })

  test('fomo_fade skips when the complement is unknown', () => {
    const s = setup(fomoFade)
    s.lane.onSignal(signal({ type: 'FOMO_BUY', assetId: Y2, market: M2, priceChange: 0.06 }))
    expect(s.lane.counters.skips).toEqual({ complement_unknown: 1 })
  })

  test('vacuum fades the move: a fall buys the token, a rise the complement, none skips', () => {
    const s = setup(vacuumFade)
    s.lane.onSignal(signal({ type: 'LIQUIDITY_VACUUM', priceChange: -0.05 }))
    s.lane.onSignal(
      signal({ id: 2, type: 'LIQUIDITY_VACUUM', market: M2, assetId: Y2, priceChange: 0 }),
    )
    expect(s.venue.submitted.map((i) => i.tokenId)).toEqual([Y])
    const t = setup(vacuumFade)
    t.lane.onSignal(signal({ type: 'LIQUIDITY_VACUUM', priceChange: 0.05 }))
    expect(t.venue.submitted.map((i) => i.tokenId)).toEqual([N])
    expect(s.lane.counters.skips).toEqual({ no_move: 1 })
  })

  test('a strategy ignores other signal types', () => {
    const s = setup(panicFade)
    s.lane.onSignal(signal({ type: 'FOMO_BUY' }))
    expect(s.lane.counters.skips).toEqual({ other_signal_type: 1 })
  })
})
