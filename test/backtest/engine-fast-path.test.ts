import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { polymarketFrameParser } from '../../src/adapters/polymarket/ws/market-frame-parser.js'
import { fixedLatency } from '../../src/domain/backtest/latency-model.js'
import { SimVenue } from '../../src/domain/backtest/sim-venue.js'
import { OrderBook } from '../../src/domain/book/order-book.js'
import type { TickSize, TokenId } from '../../src/domain/market.js'
import { fomoFade, panicFade, vacuumFade, type Strategy } from '../../src/domain/strategy/index.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../src/domain/units.js'
import { DEFAULT_SIGNAL_CONFIG, parseSignalConfig } from '../../src/engine/signals/index.js'
import { BacktestEngine } from '../../src/engine/backtest/engine.js'
import type { LaneConfig } from '../../src/engine/backtest/lane.js'
import type { VenueFactory } from '../../src/engine/backtest/ports.js'
import { UsableView } from '../../src/engine/backtest/usable-view.js'

const FIXTURE = new URL('../fixtures/backtest/panic-small.ndjson', import.meta.url)
const LINES = readFileSync(FIXTURE, 'utf8').trim().split('\n')
/** The same frames without the book snapshots: every book stays unsynced. */
const UNSYNCED = LINES.filter((line) => !line.includes('"event_type":"book"'))
const MARKET = `0x${'ab'.repeat(32)}`

/**
 * The fixture with a trade on an unrelated market every 100 ms between its frames, so an
 * order executed one frame late would be seen (a different `now` at execution).
 */
const DENSE = LINES.flatMap((line, i) => {
  const ts = (text: string | undefined) => Number(/"timestamp":"(\d+)"/.exec(text ?? '')?.[1])
  const from = ts(line)
  const to = ts(LINES[i + 1])
  const out = [line]
  for (let t = from + 100; t < to; t += 100) {
    out.push(
      JSON.stringify({
        event_type: 'last_trade_price',
        asset_id: '9999',
        market: `0x${'cd'.repeat(32)}`,
        price: '0.5',
        size: '1',
        side: 'BUY',
        fee_rate_bps: '0',
        timestamp: String(t),
      }),
    )
  }
  return out
})
const SHARES = 1_000_000

function lane(strategy: Strategy, latencyMs: number, params: Record<string, string> = {}) {
  const config: LaneConfig = {
    label: `${strategy.name} ${JSON.stringify(params)} latency=${latencyMs}`,
    strategy,
    params: strategy.parseParams(params),
    sizing: { kind: 'fixed', shares: (10 * SHARES) as ShareMicros },
    latencyMs,
    bankroll: (1000 * SHARES) as UsdcMicros,
  }
  return config
}

const LANES = [
  ...[0, 250, 1000, 3000].map((ms) => lane(panicFade, ms)),
  // Deadlines after the entry (decided before the first event at or after them) and before it.
  lane(panicFade, 0, { timeoutS: '5', threshold: '0.1' }),
  lane(panicFade, 250, { timeoutS: '5', threshold: '0.1' }),
  lane(panicFade, 3000, { timeoutS: '1', threshold: '0.1' }),
  lane(vacuumFade, 250, { timeoutS: '2', threshold: '0.1' }),
  lane(fomoFade, 250, { threshold: '0.1' }),
]

const simVenue: VenueFactory = (setup, events) =>
  new SimVenue(
    { latency: fixedLatency(setup.latencyMs), marketOf: (t) => setup.marketOf(t) },
    events,
  )

/** Times at which each lane's venue executed something, in order. */
let executions: string[] = []

/** The venue, logging every `executeDue` that has something due. */
const loggedVenue: VenueFactory = (setup, events) => {
  const venue = simVenue(setup, events)
  const executeDue = venue.executeDue.bind(venue)
  venue.executeDue = (now, bookOf) => {
    const due = venue.nextDue()
    if (due !== null && due <= now) executions.push(`${setup.latencyMs}: ${now}`)
    executeDue(now, bookOf)
  }
  return venue
}

/**
 * The loop without the fast path: a venue that always says something may be due, so every
 * lane is visited and its venue asked to execute before every frame, as the engine once did.
 */
const alwaysDue: VenueFactory = (setup, events) => {
  const venue = loggedVenue(setup, events)
  return {
    submit: (intent) => venue.submit(intent),
    cancel: (id, now) => venue.cancel(id, now),
    nextDue: () => Number.NEGATIVE_INFINITY as EpochMs,
    executeDue: (now, bookOf) => venue.executeDue(now, bookOf),
    closeMarket: (market) => venue.closeMarket?.(market),
    onTrade: (trade) => venue.onTrade(trade),
    onBookChanged: (book) => venue.onBookChanged(book),
  }
}

function run(lines: readonly string[], venue: VenueFactory, unsynced: boolean): string {
  executions = []
  const e = new BacktestEngine({
    parser: polymarketFrameParser,
    signalConfig: unsynced
      ? parseSignalConfig({ allowUnsyncedBooks: true })
      : DEFAULT_SIGNAL_CONFIG,
    lanes: LANES,
    venue,
    meta: {
      minSize: (5 * SHARES) as ShareMicros,
      feeRateBps: 0,
      secondsDelay: 3,
      sources: { feeRateBps: 'default', secondsDelay: 'default', minSize: 'default' },
    },
  })
  const bytes = Buffer.from(lines.join(''))
  let at = 0
  for (const line of lines) {
    const end = at + Buffer.byteLength(line)
    e.onFrameBytes(bytes, at, end, { tLocal: 0, conn: 'test' })
    at = end
  }
  const totals = e.finish()
  return JSON.stringify({
    totals,
    lanes: e.lanes.map((l) => ({ trades: l.trades, counters: l.counters })),
    prices: e.prices(),
    executions,
  })
}

describe('per-frame fast path', () => {
  test.each([
    ['with snapshots', LINES, false],
    ['with a frame every 100 ms', DENSE, false],
    ['unsynced books (allowUnsyncedBooks)', UNSYNCED, true],
  ] as const)(
    'skipping idle lanes gives the trades, counters and prices of visiting every lane (%s)',
    (_name, lines, unsynced) => {
      const fast = run(lines, loggedVenue, unsynced)
      expect(fast).toBe(run(lines, alwaysDue, unsynced))
      const parsed = JSON.parse(fast) as {
        lanes: { trades: { exitReason: string }[] }[]
        prices: { points: unknown[] }[]
        executions: string[]
      }
      const reasons = parsed.lanes.flatMap((l) => l.trades.map((t) => t.exitReason))
      if (unsynced) {
        // The books were used through their views: mids were recorded.
        expect(parsed.prices.flatMap((p) => p.points).length).toBeGreaterThan(0)
      } else {
        // The comparison means something: trades were taken, some closed by their deadline.
        expect(parsed.executions.length).toBeGreaterThan(0)
        expect(reasons).toContain('timeout')
        expect(reasons).toContain('target')
      }
    },
  )

  test('a venue with nothing due is not asked before every frame', () => {
    let asked = 0
    const counting: VenueFactory = (setup, events) => {
      const venue = simVenue(setup, events)
      const nextDue = venue.nextDue.bind(venue)
      venue.nextDue = () => {
        asked++
        return nextDue()
      }
      return venue
    }
    const e = new BacktestEngine({
      parser: polymarketFrameParser,
      signalConfig: DEFAULT_SIGNAL_CONFIG,
      lanes: [lane(panicFade, 250)],
      venue: counting,
      meta: {
        minSize: (5 * SHARES) as ShareMicros,
        feeRateBps: 0,
        secondsDelay: 3,
        sources: { feeRateBps: 'default', secondsDelay: 'default', minSize: 'default' },
      },
    })
    for (const line of LINES) e.onFrameText(line, { tLocal: 0, conn: 'test' })
    e.finish()
    expect(e.lanes[0]!.trades).toHaveLength(1)
    expect(asked).toBeLessThan(LINES.length / 4)
  })
})

describe('usable view of an unsynced book', () => {
  const leg = (price: string, size: string, side: string, bid: string, ask: string) => ({
    asset_id: '1111',
    price,
    size,
    side,
    hash: 'h',
    best_bid: bid,
    best_ask: ask,
  })
  const frame = (ts: number, ...legs: ReturnType<typeof leg>[]) =>
    JSON.stringify({
      event_type: 'price_change',
      market: MARKET,
      timestamp: String(ts),
      price_changes: legs,
    })

  test('presented as fresh while the top equals the venue top, and follows that top', () => {
    const e = new BacktestEngine({
      parser: polymarketFrameParser,
      signalConfig: parseSignalConfig({ allowUnsyncedBooks: true }),
      lanes: [lane(panicFade, 250)],
      venue: simVenue,
      meta: {
        minSize: (5 * SHARES) as ShareMicros,
        feeRateBps: 0,
        secondsDelay: 3,
        sources: { feeRateBps: 'default', secondsDelay: 'default', minSize: 'default' },
      },
    })
    const meta = { tLocal: 0, conn: 'test' }
    const token = '1111' as TokenId
    e.onFrameText(
      frame(
        1000,
        leg('0.49', '100', 'BUY', '0.49', '0.51'),
        leg('0.51', '100', 'SELL', '0.49', '0.51'),
      ),
      meta,
    )
    const view = e.usableBook(token)
    expect(view).toBeInstanceOf(UsableView)
    expect(view!.stale).toBe(false)
    expect(view!.staleReason).toBeNull()
    expect(e.market.book(token)!.stale).toBe(true)
    // The venue says the best bid is still 0.49 while ours is 0.50: not usable.
    e.onFrameText(frame(2000, leg('0.50', '100', 'BUY', '0.49', '0.51')), meta)
    expect(e.usableBook(token)).toBe(e.market.book(token))
    expect(e.usableBook(token)!.stale).toBe(true)
    // Agreeing again: the same view object as before.
    e.onFrameText(frame(3000, leg('0.50', '0', 'BUY', '0.49', '0.51')), meta)
    expect(e.usableBook(token)).toBe(view)
    e.finish()
  })

  test('reads every member through to the live book', () => {
    const book = OrderBook.empty('1111' as TokenId, 100 as TickSize)
    book.replace(
      [
        { price: 4800 as PriceTicks, size: 5_000_000 as ShareMicros },
        { price: 4900 as PriceTicks, size: 2_000_000 as ShareMicros },
      ],
      [{ price: 5100 as PriceTicks, size: 3_000_000 as ShareMicros }],
      1234 as EpochMs,
    )
    const view = new UsableView(book)
    expect([view.assetId, view.tickSize, view.epoch, view.synced, view.lastUpdateTs]).toEqual([
      book.assetId,
      book.tickSize,
      book.epoch,
      book.synced,
      book.lastUpdateTs,
    ])
    expect([view.stale, view.staleReason]).toEqual([false, null])
    const sides = ['bid', 'ask'] as const
    for (const side of sides) {
      expect(view.sizeAt(side, 4900 as PriceTicks)).toBe(book.sizeAt(side, 4900 as PriceTicks))
      expect(view.levelCount(side)).toBe(book.levelCount(side))
      expect(view.levels(side)).toEqual(book.levels(side))
      expect(view.levels(side, 1)).toEqual(book.levels(side, 1))
      expect(view.depthShares(side, 2)).toBe(book.depthShares(side, 2))
      expect(view.depthUsd(side, 2)).toBe(book.depthUsd(side, 2))
      const seen: number[] = []
      view.forEachLevel(side, (price) => {
        seen.push(price)
      })
      expect(seen).toEqual(book.levels(side).map((l) => l.price))
    }
    expect([
      view.bestBid(),
      view.bestAsk(),
      view.isCrossed(),
      view.mid(),
      view.microprice(),
      view.spread(),
      view.spreadTicks(),
      view.spreadBps(),
      view.imbalance(2),
    ]).toEqual([
      book.bestBid(),
      book.bestAsk(),
      book.isCrossed(),
      book.mid(),
      book.microprice(),
      book.spread(),
      book.spreadTicks(),
      book.spreadBps(),
      book.imbalance(2),
    ])
  })
})
