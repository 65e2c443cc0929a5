import { describe, expect, it } from 'vitest'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { MarketData } from '../../engine/market-data.js'
import type { TickSize } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { Rng, simHash } from './rng.js'
import { TrueMarket } from './true-book.js'

const TS = 1_800_000_000_000 as EpochMs
const meta = { tLocal: 0, conn: 'test' }

describe('Rng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = new Rng(7)
    const b = new Rng(7)
    const c = new Rng(8)
    const xs = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs)
    expect(c.next()).not.toBe(xs[0])
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true)
  })

  it('draws ints in range, ids of the right form, and refuses an empty pick', () => {
    const rng = new Rng(1)
    for (let i = 0; i < 100; i++) {
      const n = rng.int(2, 4)
      expect(n >= 2 && n <= 4).toBe(true)
    }
    expect(rng.decimalId(77)).toMatch(/^[1-9][0-9]{76}$/)
    expect(rng.hexId(32)).toMatch(/^0x[0-9a-f]{64}$/)
    expect(Number.isFinite(rng.normal())).toBe(true)
    expect(() => rng.pick([])).toThrow(/non-empty/)
    expect(simHash('a')).toMatch(/^[0-9a-f]{40}$/)
    expect(simHash('a')).not.toBe(simHash('b'))
  })
})

describe('TrueMarket', () => {
  it('mirrors YES levels on NO and emits two-leg changes the engine accepts', () => {
    const m = new TrueMarket('0xabc', '111', '222', 100 as TickSize, TS)
    const md = new MarketData(polymarketFrameParser)
    md.onFrameText(JSON.stringify([m.snapshot(m.tokens[0], TS), m.snapshot(m.tokens[1], TS)]), meta)
    const legs = [
      ...m.setYesLevel('bid', 4000 as PriceTicks, 10_000_000 as ShareMicros, TS),
      ...m.setYesLevel('ask', 4500 as PriceTicks, 5_000_000 as ShareMicros, TS),
      ...m.setYesLevel('bid', 4000 as PriceTicks, 0 as ShareMicros, TS),
    ]
    expect(legs).toHaveLength(6)
    expect(legs[0]).toMatchObject({ asset_id: '111', price: '0.4', side: 'BUY', best_bid: '0.4' })
    expect(legs[0]?.best_ask).toBe('1')
    expect(legs[1]).toMatchObject({ asset_id: '222', price: '0.6', side: 'SELL', best_ask: '0.6' })
    expect(legs[1]?.best_bid).toBe('0')
    expect(m.book('222')?.bestBid()).toBe(5500)
    expect(m.setYesLevel('ask', 4500 as PriceTicks, 5_000_000 as ShareMicros, TS)).toEqual([])
    md.onFrameText(
      JSON.stringify({
        event_type: 'price_change',
        market: m.conditionId,
        timestamp: String(TS),
        price_changes: legs,
      }),
      meta,
    )
    expect(md.counters.mismatches).toBe(0)
    expect(md.counters.parseErrors).toBe(0)
    for (const id of m.tokens) {
      expect(md.book(id)?.levels('bid')).toEqual(m.book(id)?.levels('bid'))
      expect(md.book(id)?.levels('ask')).toEqual(m.book(id)?.levels('ask'))
    }
  })

  it('writes snapshots best last and refuses a foreign token', () => {
    const m = new TrueMarket('0xabc', '111', '222', 100 as TickSize, TS)
    m.setYesLevel('bid', 4000 as PriceTicks, 1_000_000 as ShareMicros, TS)
    m.setYesLevel('bid', 4100 as PriceTicks, 1_000_000 as ShareMicros, TS)
    m.setYesLevel('ask', 4300 as PriceTicks, 1_000_000 as ShareMicros, TS)
    m.setYesLevel('ask', 4200 as PriceTicks, 1_000_000 as ShareMicros, TS)
    m.noteTrade(m.tokens[0], 4200 as PriceTicks)
    const snap = m.snapshot(m.tokens[0], TS)
    expect(snap.bids.map((l) => l.price)).toEqual(['0.4', '0.41'])
    expect(snap.asks.map((l) => l.price)).toEqual(['0.43', '0.42'])
    expect(snap.tick_size).toBe('0.01')
    expect(m.snapshot(m.tokens[1], TS).last_trade_price).toBe('0.58')
    expect(m.book('999')).toBeUndefined()
    expect(() => m.snapshot('999' as never, TS)).toThrow(/not in this market/)
  })
})
