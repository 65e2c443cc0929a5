import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvariantError } from '../errors.js'
import { asMarketId, asTokenId, type TickSize } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../units.js'
import {
  addEntryFill,
  canTransition,
  cancelStop,
  evaluateStop,
  exitSide,
  exitWorstPrice,
  failStop,
  hasOffsets,
  newStop,
  offsetProblems,
  recordExitFill,
  releaseStop,
  stopLevels,
  withExitOrder,
  type Quote,
  type Stop,
  type StopOffsets,
  type StopSide,
  type StopState,
} from './stops.js'

const MARKET = asMarketId('0xmarket')
const TOKEN = asTokenId('111')
const TICK = 100 as TickSize
const T0 = 1_800_000_000_000 as EpochMs
const px = (n: number): PriceTicks => n as PriceTicks
const sh = (n: number): ShareMicros => (n * 1_000_000) as ShareMicros
const at = (n: number): EpochMs => (T0 + n) as EpochMs
const bid = (b: number | null): Quote => ({ bestBid: b as PriceTicks | null, bestAsk: null })
const ask = (a: number | null): Quote => ({ bestBid: null, bestAsk: a as PriceTicks | null })

const NONE: StopOffsets = { stopLossTicks: null, takeProfitTicks: null, trailingStopTicks: null }

function armed(offsets: Partial<StopOffsets>, entry = 5000, side: StopSide = 'long'): Stop {
  const pending = newStop({
    id: 's1',
    market: MARKET,
    tokenId: TOKEN,
    side,
    entryOrderId: 'e1',
    tickSize: TICK,
    offsets: { ...NONE, ...offsets },
    now: T0,
  })
  return addEntryFill(pending, { price: px(entry), size: sh(10) }, T0)
}

describe('offsets', () => {
  test('integers ≥ 1, at least one', () => {
    expect(offsetProblems({ ...NONE, stopLossTicks: 3 })).toEqual([])
    expect(offsetProblems(NONE)).toEqual([
      'a stop needs at least one of stop_loss_ticks, take_profit_ticks, trailing_stop_ticks',
    ])
    expect(
      offsetProblems({ stopLossTicks: 0, takeProfitTicks: 1.5, trailingStopTicks: -2 }),
    ).toEqual([
      'stop_loss_ticks: must be a whole number of ticks, at least 1',
      'take_profit_ticks: must be a whole number of ticks, at least 1',
      'trailing_stop_ticks: must be a whole number of ticks, at least 1',
    ])
    expect(hasOffsets(NONE)).toBe(false)
    expect(hasOffsets({ ...NONE, trailingStopTicks: 1 })).toBe(true)
    expect(() =>
      newStop({
        id: 'x',
        market: MARKET,
        tokenId: TOKEN,
        side: 'long',
        entryOrderId: 'e',
        tickSize: TICK,
        offsets: NONE,
        now: T0,
      }),
    ).toThrow(InvariantError)
  })
})

describe('arming from entry fills', () => {
  test('pending until the first fill; fills average the entry and add up the size', () => {
    const pending = newStop({
      id: 's1',
      market: MARKET,
      tokenId: TOKEN,
      side: 'long',
      entryOrderId: 'e1',
      tickSize: 1000 as TickSize,
      offsets: { ...NONE, stopLossTicks: 2 },
      now: T0,
    })
    expect(pending).toMatchObject({ state: 'pending', size: 0, entryPrice: 0, extreme: null })
    expect(stopLevels(pending)).toEqual({ stopLoss: null, takeProfit: null, trailingStop: null })
    expect(evaluateStop(pending, bid(1), at(1))).toBe(pending)
    const one = addEntryFill(pending, { price: px(5000), size: sh(10), tickSize: TICK }, at(1))
    expect(one).toMatchObject({ state: 'armed', size: sh(10), entryPrice: 5000, tickSize: TICK })
    const two = addEntryFill(
      one,
      { price: px(5300), size: sh(20), tickSize: 10 as TickSize },
      at(2),
    )
    // (5000 × 10 + 5300 × 20) / 30 = 5200; the tick stays the one at arming.
    expect(two).toMatchObject({ size: sh(30), entryPrice: 5200, tickSize: TICK, extreme: 5200 })
    expect(stopLevels(two).stopLoss).toBe(5000)
  })

  test('an entry fill on a stop that has moved on throws', () => {
    const fired = evaluateStop(armed({ stopLossTicks: 1 }), bid(4900), at(1))
    expect(() => addEntryFill(fired, { price: px(5000), size: sh(1) }, at(2))).toThrow(
      /only arm a pending or armed stop/,
    )
    expect(() =>
      addEntryFill(armed({ stopLossTicks: 1 }), { price: px(1), size: sh(0) }, at(2)),
    ).toThrow(/positive size/)
  })
})

describe('long: watched through the best bid', () => {
  test('stop-loss fires at entry − N ticks, not above', () => {
    const s = armed({ stopLossTicks: 3 })
    expect(stopLevels(s).stopLoss).toBe(4700)
    expect(evaluateStop(s, bid(4800), at(1)).state).toBe('armed')
    const fired = evaluateStop(s, bid(4700), at(2))
    expect(fired).toMatchObject({
      state: 'triggered',
      trigger: 'stop_loss',
      triggerPrice: 4700,
      triggeredMs: at(2),
    })
  })

  test('a gap through the stop triggers at the gapped price, once', () => {
    const s = armed({ stopLossTicks: 3 })
    const fired = evaluateStop(s, bid(3000), at(1))
    expect(fired).toMatchObject({ state: 'triggered', triggerPrice: 3000 })
    expect(evaluateStop(fired, bid(2000), at(2))).toBe(fired)
  })

  test('take-profit fires at entry + N ticks', () => {
    const s = armed({ takeProfitTicks: 2 })
    expect(evaluateStop(s, bid(5100), at(1)).state).toBe('armed')
    expect(evaluateStop(s, bid(5200), at(1))).toMatchObject({
      state: 'triggered',
      trigger: 'take_profit',
      triggerPrice: 5200,
    })
  })

  test('trailing stop follows the highest bid and fires N ticks below it', () => {
    let s = armed({ trailingStopTicks: 2 })
    expect(stopLevels(s).trailingStop).toBe(4800)
    s = evaluateStop(s, bid(5400), at(1))
    expect(s).toMatchObject({ state: 'armed', extreme: 5400 })
    expect(stopLevels(s).trailingStop).toBe(5200)
    s = evaluateStop(s, bid(5300), at(2))
    expect(s).toMatchObject({ state: 'armed', extreme: 5400 })
    s = evaluateStop(s, bid(5200), at(3))
    expect(s).toMatchObject({ state: 'triggered', trigger: 'trailing_stop', triggerPrice: 5200 })
  })

  test('stop-loss wins over the trailing stop; no bid changes nothing', () => {
    const s = armed({ stopLossTicks: 1, trailingStopTicks: 1 })
    expect(evaluateStop(s, bid(4900), at(1)).trigger).toBe('stop_loss')
    expect(evaluateStop(s, bid(null), at(1))).toBe(s)
    expect(evaluateStop(s, { bestBid: null, bestAsk: px(100) }, at(1))).toBe(s)
  })

  test('an unchanged quote returns the same object', () => {
    const s = armed({ stopLossTicks: 5 })
    expect(evaluateStop(s, bid(4900), at(1))).toBe(s)
  })
})

describe('short: the mirror, watched through the best ask', () => {
  test('stop-loss above, take-profit below, trailing from the lowest ask', () => {
    const s = armed({ stopLossTicks: 3, takeProfitTicks: 2, trailingStopTicks: 4 }, 5000, 'short')
    expect(stopLevels(s)).toEqual({ stopLoss: 5300, takeProfit: 4800, trailingStop: 5400 })
    expect(evaluateStop(s, ask(5300), at(1))).toMatchObject({
      trigger: 'stop_loss',
      triggerPrice: 5300,
    })
    expect(evaluateStop(s, ask(4800), at(1))).toMatchObject({ trigger: 'take_profit' })
    const trailing = armed({ trailingStopTicks: 2 }, 5000, 'short')
    const low = evaluateStop(trailing, ask(4500), at(1))
    expect(low).toMatchObject({ state: 'armed', extreme: 4500 })
    expect(evaluateStop(low, ask(4700), at(2))).toMatchObject({ trigger: 'trailing_stop' })
    expect(evaluateStop(s, bid(1), at(1))).toBe(s)
    expect(exitSide(s)).toBe('buy')
    expect(exitSide(trailing)).toBe('buy')
    expect(exitSide(armed({ stopLossTicks: 1 }))).toBe('sell')
  })

  test('entry fills move the lowest-ask reference down only', () => {
    const s = armed({ trailingStopTicks: 1 }, 5000, 'short')
    expect(addEntryFill(s, { price: px(5400), size: sh(10) }, at(1)).extreme).toBe(5000)
    expect(addEntryFill(s, { price: px(4600), size: sh(10) }, at(1)).extreme).toBe(4800)
  })
})

describe('exit worst price', () => {
  test('slippage ticks beyond the trigger, on the grid, inside the range', () => {
    expect(exitWorstPrice('sell', px(4700), 5, TICK)).toBe(4200)
    expect(exitWorstPrice('sell', px(300), 5, TICK)).toBe(100)
    expect(exitWorstPrice('sell', px(4750), 0, TICK)).toBe(4700)
    expect(exitWorstPrice('buy', px(5300), 5, TICK)).toBe(5800)
    expect(exitWorstPrice('buy', px(9800), 5, TICK)).toBe(9900)
    expect(exitWorstPrice('buy', px(5250), 0, TICK)).toBe(5300)
    expect(() => exitWorstPrice('sell', px(5000), -1, TICK)).toThrow(InvariantError)
    expect(() => exitWorstPrice('sell', px(5000), 1.5, TICK)).toThrow(InvariantError)
  })
})

describe('transitions', () => {
  test('the table', () => {
    const states: StopState[] = ['pending', 'armed', 'triggered', 'released', 'cancelled', 'failed']
    const allowed = states.flatMap((from) =>
      states.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    )
    expect(allowed).toEqual([
      'pending>armed',
      'pending>cancelled',
      'armed>triggered',
      'armed>cancelled',
      'triggered>released',
      'triggered>cancelled',
      'triggered>failed',
    ])
  })

  test('release, fail, cancel and exit fills', () => {
    const fired = evaluateStop(armed({ stopLossTicks: 1 }), bid(4900), at(1))
    const named = withExitOrder(fired, 's1.x', at(2))
    expect(named).toMatchObject({ state: 'triggered', exitOrderId: 's1.x' })
    const released = releaseStop(named, 's1.x', at(3))
    expect(released).toMatchObject({ state: 'released', exitOrderId: 's1.x', updatedMs: at(3) })
    const partly = recordExitFill(released, sh(4), at(4))
    expect(partly.exitFilled).toBe(sh(4))
    expect(recordExitFill(partly, sh(3), at(5))).toBe(partly)
    expect(failStop(fired, 'MARKET_CLOSED', 'closed', at(2))).toMatchObject({
      state: 'failed',
      reasonCode: 'MARKET_CLOSED',
    })
    expect(cancelStop(fired, 'POSITION_CLOSED', 'flat', at(2)).state).toBe('cancelled')
    expect(() => cancelStop(released, 'X', 'x', at(5))).toThrow(/cannot go from released/)
    expect(() => releaseStop(armed({ stopLossTicks: 1 }), 'x', at(1))).toThrow(InvariantError)
    expect(() => withExitOrder(released, 'y', at(1))).toThrow(/not triggered/)
  })
})

describe('properties', () => {
  const arbSide = fc.constantFrom<StopSide>('long', 'short')
  const arbOffset = fc.option(fc.integer({ min: 1, max: 30 }), { nil: null })
  const arbOffsets = fc
    .record({ stopLossTicks: arbOffset, takeProfitTicks: arbOffset, trailingStopTicks: arbOffset })
    .filter(hasOffsets)
  const arbQuote = fc.record({
    bestBid: fc.option(fc.integer({ min: 100, max: 9900 }), { nil: null }),
    bestAsk: fc.option(fc.integer({ min: 100, max: 9900 }), { nil: null }),
  }) as fc.Arbitrary<Quote>

  test('the trailing level never moves against the position', () => {
    fc.assert(
      fc.property(
        arbSide,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 100, max: 9900 }),
        fc.array(arbQuote, { maxLength: 200 }),
        (side, ticks, entry, quotes) => {
          let s = armed({ trailingStopTicks: ticks }, entry, side)
          let level = stopLevels(s).trailingStop!
          for (const [i, q] of quotes.entries()) {
            s = evaluateStop(s, q, at(i))
            const next = stopLevels(s).trailingStop!
            if (side === 'long') expect(next).toBeGreaterThanOrEqual(level)
            else expect(next).toBeLessThanOrEqual(level)
            level = next
          }
        },
      ),
    )
  })

  test('fires exactly once, at the first quote at or past a level, as a naive model says', () => {
    fc.assert(
      fc.property(
        arbSide,
        arbOffsets,
        fc.integer({ min: 100, max: 9900 }),
        fc.array(arbQuote, { maxLength: 200 }),
        (side, offsets, entry, quotes) => {
          let s = armed(offsets, entry, side)
          // Naive model: recompute everything from the quotes seen so far.
          let best = entry
          let expected: number | null = null
          for (const [i, q] of quotes.entries()) {
            const p = side === 'long' ? q.bestBid : q.bestAsk
            if (p === null) continue
            best = side === 'long' ? Math.max(best, p) : Math.min(best, p)
            const dir = side === 'long' ? 1 : -1
            const against = (level: number) => (side === 'long' ? p <= level : p >= level)
            const hit =
              (offsets.stopLossTicks !== null &&
                against(entry - dir * offsets.stopLossTicks * TICK)) ||
              (offsets.trailingStopTicks !== null &&
                against(best - dir * offsets.trailingStopTicks * TICK)) ||
              (offsets.takeProfitTicks !== null &&
                (side === 'long'
                  ? p >= entry + offsets.takeProfitTicks * TICK
                  : p <= entry - offsets.takeProfitTicks * TICK))
            if (hit) {
              expected = i
              break
            }
          }
          let fires = 0
          let firedAt: number | null = null
          for (const [i, q] of quotes.entries()) {
            const before = s.state
            s = evaluateStop(s, q, at(i))
            if (before === 'armed' && s.state === 'triggered') {
              fires++
              firedAt = i
            }
          }
          expect(firedAt).toBe(expected)
          expect(fires).toBe(expected === null ? 0 : 1)
          if (firedAt !== null) {
            const q = quotes[firedAt]!
            expect(s.triggerPrice).toBe(side === 'long' ? q.bestBid : q.bestAsk)
          }
        },
      ),
    )
  })

  test('an exit worst price stays inside (0, 1) for a trigger at either bound', () => {
    expect(exitWorstPrice('sell', 10_000 as PriceTicks, 0, 1 as TickSize)).toBe(9_999)
    expect(exitWorstPrice('buy', 0 as PriceTicks, 0, 100 as TickSize)).toBe(100)
  })

  test('an exit worst price is on the grid and inside the range', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
        fc.constantFrom(1, 10, 100, 1000),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 50 }),
        (side, tick, price, slippage) => {
          const p = exitWorstPrice(side, price as PriceTicks, slippage, tick as TickSize)
          expect(p % tick).toBe(0)
          expect(p).toBeGreaterThanOrEqual(tick)
          expect(p).toBeLessThanOrEqual(10_000 - tick)
        },
      ),
    )
  })
})
