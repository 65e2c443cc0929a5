import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { polymarketFrameParser } from '../../src/adapters/polymarket/ws/market-frame-parser.js'
import { fixedLatency } from '../../src/domain/backtest/latency-model.js'
import { SimVenue } from '../../src/domain/backtest/sim-venue.js'
import type { Fill } from '../../src/domain/backtest/types.js'
import type { GameEvent } from '../../src/domain/game-events.js'
import type { MarketId } from '../../src/domain/market.js'
import { Portfolio } from '../../src/domain/portfolio/portfolio.js'
import { panicFade } from '../../src/domain/strategy/fade.js'
import type { Strategy } from '../../src/domain/strategy/strategy.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../../src/domain/units.js'
import type { FrameParser } from '../../src/engine/market-data.js'
import { DEFAULT_SIGNAL_CONFIG } from '../../src/engine/signals/index.js'
import { LookaheadError } from '../../src/engine/backtest/clock.js'
import {
  BacktestEngine,
  BacktestError,
  type BacktestEngineOptions,
} from '../../src/engine/backtest/engine.js'
import type { LaneConfig } from '../../src/engine/backtest/lane.js'
import type { VenueFactory } from '../../src/engine/backtest/ports.js'

const FIXTURE = new URL('../fixtures/backtest/panic-small.ndjson', import.meta.url)
const LINES = readFileSync(FIXTURE, 'utf8').trim().split('\n')
const MARKET = `0x${'ab'.repeat(32)}` as MarketId
const SHARES = 1_000_000

function lane(strategy: Strategy = panicFade, latencyMs = 250): LaneConfig {
  return {
    label: `${strategy.name}-${latencyMs}`,
    strategy,
    params: strategy.parseParams({}),
    sizing: { kind: 'fixed', shares: (10 * SHARES) as ShareMicros },
    latencyMs,
    bankroll: (1000 * SHARES) as UsdcMicros,
  }
}

const simVenue: VenueFactory = (setup, events) =>
  new SimVenue(
    { latency: fixedLatency(setup.latencyMs), marketOf: (t) => setup.marketOf(t) },
    events,
  )

function engine(over: Partial<BacktestEngineOptions> = {}): BacktestEngine {
  return new BacktestEngine({
    parser: polymarketFrameParser,
    signalConfig: DEFAULT_SIGNAL_CONFIG,
    lanes: [lane()],
    venue: simVenue,
    meta: {
      minSize: (5 * SHARES) as ShareMicros,
      feeRateBps: 0,
      secondsDelay: 3,
      sources: { feeRateBps: 'default', secondsDelay: 'default', minSize: 'default' },
    },
    ...over,
  })
}

function feed(e: BacktestEngine, lines: readonly string[] = LINES): void {
  for (const line of lines) e.onFrameText(line, { tLocal: 0, conn: 'test' })
}

describe('backtest engine on the panic fixture', () => {
  test('one panic, one trade: bought after latency + in-play delay, sold at the target', () => {
    const e = engine()
    feed(e)
    const totals = e.finish()
    expect(totals.signalsByType.PANIC_SELL).toBe(1)
    const trades = e.lanes[0]!.trades
    expect(trades).toHaveLength(1)
    const t = trades[0]!
    // PANIC_SELL at 1800000683000 → due 250 ms + 3 s later.
    expect(t).toMatchObject({
      signalType: 'PANIC_SELL',
      entryTs: 1_800_000_686_250,
      entryPrice: 4800,
      exitPrice: 4900,
      exitReason: 'target',
      profit: 100_000,
      match: MARKET,
    })
  })

  test('the portfolio sees the same fills: its cash is the bankroll plus the trade profits', () => {
    const e = engine({ portfolio: (bankroll) => new Portfolio(bankroll) })
    feed(e)
    e.finish()
    const lane = e.lanes[0]!
    const profit = lane.trades.reduce((sum, t) => sum + t.profit, 0)
    expect(lane.trades).toHaveLength(1)
    expect(lane.portfolio!.cash()).toBe(1000 * SHARES + profit)
    expect(lane.equity()).toBe(1000 * SHARES + profit)
  })

  test('latency changes the fills: each lane has its own venue', () => {
    const e = engine({ lanes: [lane(panicFade, 0), lane(panicFade, 3000)] })
    feed(e)
    e.finish()
    expect(e.lanes.map((l) => l.trades[0]?.entryTs)).toEqual([1_800_000_686_000, 1_800_000_689_000])
  })

  test('orders due at d execute after every event ≤ d and before the first event > d', () => {
    const log: string[] = []
    const parser: FrameParser = {
      parseText(text) {
        const result = polymarketFrameParser.parseText(text)
        log.push(`event ${result.events[0]?.tsVenue}`)
        return result
      },
      parseValue: (value, raw) => polymarketFrameParser.parseValue(value, raw),
    }
    const fills: Fill[] = []
    const spy: VenueFactory = (setup, events) => {
      const venue = simVenue(setup, {
        ...events,
        onFill: (fill) => {
          fills.push(fill)
          events.onFill(fill)
        },
      })
      return {
        ...venue,
        submit: (intent) => venue.submit(intent),
        cancel: (id, now) => venue.cancel(id, now),
        nextDue: () => venue.nextDue(),
        onTrade: (trade) => venue.onTrade(trade),
        onBookChanged: (book) => venue.onBookChanged(book),
        executeDue: (now, bookOf) => {
          const due = venue.nextDue()
          if (due !== null && due <= now) log.push(`execute ${now}`)
          venue.executeDue(now, bookOf)
        },
      }
    }
    const e = engine({ parser, venue: spy })
    feed(e)
    e.finish()
    const entry = fills[0]!
    const at = log.indexOf(
      `execute ${log[log.findIndex((l) => l.startsWith('execute'))]!.slice(8)}`,
    )
    const before = Number(log[at - 1]!.slice(6))
    const previous = log
      .slice(0, at - 1)
      .reverse()
      .find((l) => l.startsWith('event'))!
    // The event that triggered the execution is later than the due time; the one before is not.
    expect(before).toBeGreaterThan(entry.ts)
    expect(Number(previous.slice(6))).toBeLessThanOrEqual(entry.ts)
    expect(Number(log[at]!.slice(8))).toBe(before - 1)
  })

  test('the substrategy is the last game event within the window before the signal', () => {
    const events: GameEvent[] = [
      gameEvent('round_win', 1_800_000_300_000),
      gameEvent('round_loss', 1_800_000_660_000),
      gameEvent('timeout', 1_800_000_700_000),
    ]
    const e = engine({ gameEvents: events })
    feed(e)
    e.finish()
    expect(e.lanes[0]!.trades[0]!.substrategy).toBe('round_loss')
    const narrow = engine({ gameEvents: events, eventWindowMs: 5_000 })
    feed(narrow)
    narrow.finish()
    expect(narrow.lanes[0]!.trades[0]!.substrategy).toBeNull()
  })

  test('same frames, same trades', () => {
    const runs = [engine(), engine()].map((e) => {
      feed(e)
      e.finish()
      return JSON.stringify(e.lanes[0]!.trades)
    })
    expect(runs[0]).toBe(runs[1])
  })
})

describe('no lookahead', () => {
  const peeking = (peek: 'midAt' | 'lastGameEvent'): Strategy => ({
    ...panicFade,
    name: 'peeking',
    create: () => ({
      onSignal(signal, ctx) {
        const later = (ctx.now() + 1_000) as EpochMs
        if (peek === 'midAt') ctx.midAt(signal.assetId, later)
        else ctx.lastGameEvent(signal.market, signal.assetId, ctx.now(), later)
        return { kind: 'skip', reason: 'never' }
      },
      onTick: () => null,
    }),
  })

  test.each(['midAt', 'lastGameEvent'] as const)(
    'a strategy reading %s after now fails the run loudly',
    (peek) => {
      const e = engine({ lanes: [lane(peeking(peek))] })
      let error: unknown = null
      try {
        feed(e)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(LookaheadError)
      expect((error as Error).message).toMatch(
        new RegExp(`^lookahead: ${peek} asked for data at \\d+, 1000 ms after the current event`),
      )
      // The run stays failed: nothing is silently skipped.
      expect(() => e.finish()).toThrow(LookaheadError)
    },
  )

  test('reads at or before now are allowed', () => {
    const honest: Strategy = {
      ...panicFade,
      create: () => ({
        onSignal(signal, ctx) {
          const mid = ctx.midAt(signal.assetId, ctx.now())
          const earlier = ctx.midAt(signal.assetId, (ctx.now() - 60_000) as EpochMs)
          return { kind: 'skip', reason: `mid_${mid}_${earlier}` }
        },
        onTick: () => null,
      }),
    }
    const e = engine({ lanes: [lane(honest)] })
    feed(e)
    e.finish()
    expect(Object.keys(e.lanes[0]!.counters.skips)).toContain('mid_0.455_0.5')
  })

  test('a failing strategy stops the run with the venue time in the message', () => {
    const broken: Strategy = {
      ...panicFade,
      create: () => ({
        onSignal() {
          throw new Error('boom')
        },
        onTick: () => null,
      }),
    }
    const e = engine({ lanes: [lane(broken)] })
    expect(() => feed(e)).toThrow(BacktestError)
    expect(() => e.finish()).toThrow(/failed at venue time 18000006\d+: boom/)
  })
})

describe('simulated clock', () => {
  test('never goes backwards: earlier stamps are held at the running maximum and counted', () => {
    const e = engine()
    const frame = (ts: number) =>
      JSON.stringify({
        event_type: 'last_trade_price',
        asset_id: '1111',
        market: MARKET,
        price: '0.5',
        size: '1',
        side: 'BUY',
        fee_rate_bps: '0',
        timestamp: String(ts),
      })
    const seen: number[] = []
    for (const ts of [1000, 3000, 2000, 2500, 4000]) {
      e.onFrameText(frame(ts), { tLocal: 0, conn: 'test' })
      seen.push(e.clock.now())
    }
    expect(seen).toEqual([1000, 3000, 3000, 3000, 4000])
    expect(e.finish().clockRewinds).toBe(2)
  })
})

function gameEvent(type: string, ts: number): GameEvent {
  return {
    market: MARKET,
    assetId: null,
    type,
    team: null,
    player: null,
    score: null,
    mapNumber: null,
    note: null,
    ts: ts as EpochMs,
    tsVideo: null,
    source: 'csv',
  }
}
