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

describe('MatchScenario timeline and crowd flow', () => {
  it('trades before the first round, lasts like a real Bo3 and opens later maps with new_market', () => {
    const scenario = new MatchScenario({ seed: 5 })
    const start = scenario.now()
    const opened: string[] = []
    const crowd = new Map<SimLabel, { same: number; other: number }>()
    let firstTrade: number | null = null
    while (!scenario.done) {
      for (const frame of scenario.step()) {
        const p = frame.payload as {
          event_type: string
          asset_id?: string
          side?: string
          size?: string
          market?: string
        }
        if (p.event_type === 'new_market') {
          expect(frame.customOnly).toBe(true)
          expect(frame.toAll).toBe(true)
          opened.push(p.market!)
        }
        if (p.event_type !== 'last_trade_price') continue
        firstTrade ??= scenario.now()
        // Crowd orders in the 30 s after a panic (FOMO) label: sells (buys) of the labelled token.
        for (const label of scenario.labels) {
          if (label.type === 'liquidity_vacuum' || scenario.now() - label.ts > 30_000) continue
          const wanted = label.type === 'panic_sell' ? 'SELL' : 'BUY'
          const tally = crowd.get(label) ?? { same: 0, other: 0 }
          if (p.asset_id === label.asset_id && p.side === wanted) tally.same += Number(p.size)
          else tally.other += Number(p.size)
          crowd.set(label, tally)
        }
      }
    }
    expect(firstTrade! - start).toBeLessThan(60_000)
    const minutes = (scenario.now() - start) / 60_000
    expect(minutes).toBeGreaterThan(80)
    expect(minutes).toBeLessThan(240)
    // The pre-match period is at least 15 minutes: no round (and no label) before it.
    for (const label of scenario.labels) expect(label.ts - start).toBeGreaterThan(15 * 60_000)
    const markets = scenario.events()[0]!.markets
    const played = Number(scenario.score()[0]) + Number(scenario.score()[2])
    expect(opened).toEqual(markets.slice(2, played + 1).map((m) => m.conditionId))
    expect(crowd.size).toBeGreaterThan(0)
    let same = 0
    let other = 0
    for (const t of crowd.values()) {
      same += t.same
      other += t.other
    }
    expect(same).toBeGreaterThan(other)
  })
})
