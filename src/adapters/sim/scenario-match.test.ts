import { describe, expect, it } from 'vitest'
import { MarketData } from '../../engine/market-data.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { MatchScenario, mapWinProbability, matchWinProbability } from './scenario-match.js'
import type { SimLabel } from './scenario.js'

const meta = { tLocal: 0, conn: 'sim' }

function run(seed: number, steps: number): string[] {
  const scenario = new MatchScenario({ seed })
  const out: string[] = []
  for (let i = 0; i < steps; i++) for (const f of scenario.step()) out.push(JSON.stringify(f))
  return out
}

describe('win probabilities', () => {
  it('are symmetric, bounded and follow the score', () => {
    expect(mapWinProbability(0, 0, 0.5)).toBeCloseTo(0.5, 10)
    expect(mapWinProbability(13, 5, 0.1)).toBe(1)
    expect(mapWinProbability(5, 13, 0.9)).toBe(0)
    expect(mapWinProbability(12, 0, 0.5)).toBeGreaterThan(0.99)
    expect(mapWinProbability(3, 0, 0.5)).toBeGreaterThan(mapWinProbability(0, 3, 0.5))
    expect(matchWinProbability(0, 0, 0.5, 0.5)).toBeCloseTo(0.5, 10)
    expect(matchWinProbability(2, 0, 0, 0)).toBe(1)
    expect(matchWinProbability(0, 2, 1, 1)).toBe(0)
    expect(matchWinProbability(1, 0, 0.5, 0.5)).toBeCloseTo(0.75, 10)
  })
})

describe('MatchScenario', () => {
  it('produces the same frames for the same seed and different frames for another', () => {
    const a = run(42, 400)
    expect(a.length).toBeGreaterThan(50)
    expect(run(42, 400)).toEqual(a)
    expect(run(43, 400)).not.toEqual(a)
  })

  it('describes a Valorant Bo3: a moneyline and three map markets, tick 0.01', () => {
    const scenario = new MatchScenario({ seed: 1 })
    const [event] = scenario.events()
    expect(event?.markets.map((m) => m.sportsMarketType)).toEqual([
      'moneyline',
      'child_moneyline',
      'child_moneyline',
      'child_moneyline',
    ])
    expect(scenario.assetIds()).toHaveLength(8)
    expect(event?.markets.every((m) => m.tickSize === '0.01')).toBe(true)
    expect(scenario.snapshot('nope')).toBeUndefined()
    expect(scenario.trueBook('nope')).toBeUndefined()
  })

  it('keeps a MarketData fed with its frames equal to the true books, never crossed', () => {
    const scenario = new MatchScenario({ seed: 7 })
    const md = new MarketData(polymarketFrameParser)
    const snaps = scenario.assetIds().map((id) => scenario.snapshot(id))
    md.onFrameText(JSON.stringify(snaps), meta)
    let trades = 0
    for (let i = 0; i < 3000; i++) {
      for (const frame of scenario.step()) {
        const payload = frame.payload as { event_type: string }
        if (payload.event_type === 'last_trade_price') trades++
        md.onFrameText(JSON.stringify(frame.payload), meta)
      }
    }
    expect(trades).toBeGreaterThan(100)
    expect(md.counters.parseErrors).toBe(0)
    expect(md.counters.mismatches).toBe(0)
    expect(md.counters.crossedBooks).toBe(0)
    for (const id of scenario.assetIds()) {
      const ours = md.book(id)
      const truth = scenario.trueBook(id)
      expect(ours?.levels('bid')).toEqual(truth?.levels('bid'))
      expect(ours?.levels('ask')).toEqual(truth?.levels('ask'))
      expect(truth?.isCrossed()).toBe(false)
    }
  })

  it('plays the match to the end and labels crowd episodes with score and round', () => {
    const seen: SimLabel[] = []
    const scenario = new MatchScenario({ seed: 3, onLabel: (l) => seen.push(l) })
    let steps = 0
    const resolved: { winning_asset_id: string; assets_ids: string[] }[] = []
    while (!scenario.done && steps < 200_000) {
      for (const frame of scenario.step()) {
        const payload = frame.payload as { event_type: string }
        if (payload.event_type === 'market_resolved') {
          expect(frame.customOnly).toBe(true)
          resolved.push(payload as never)
        }
      }
      steps++
    }
    expect(scenario.done).toBe(true)
    const event = scenario.events()[0]
    expect(event?.ended).toBe(true)
    expect(event?.markets.every((m) => m.closed)).toBe(true)
    const maps = scenario.score().slice(0, 3).split('-').map(Number)
    expect(resolved).toHaveLength((maps[0] ?? 0) + (maps[1] ?? 0) + 1)
    for (const r of resolved) expect(r.assets_ids).toContain(r.winning_asset_id)
    const countBefore = steps
    expect(scenario.step().length).toBe(0)
    expect(countBefore).toBeGreaterThan(0)
    for (const id of scenario.assetIds()) expect(scenario.trueBook(id)?.levelCount('bid')).toBe(0)
    expect(scenario.score()).toMatch(/^(2-[01]|[01]-2) \(0-0\)$/)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen).toEqual(scenario.labels)
    const ids = new Set(scenario.assetIds())
    for (const label of seen) {
      expect(['panic_sell', 'fomo_buy', 'liquidity_vacuum']).toContain(label.type)
      expect(ids.has(label.asset_id)).toBe(true)
      expect(label.round).toBeGreaterThan(0)
      expect(label.score).toMatch(/^\d-\d \(\d+-\d+\)$/)
    }
  })
})
