/**
 * A hand-built backtest result for report tests and the browser check: 42 trades over three
 * matches on two days, each match with two tokens and a mid series every 10 s. Generated from a
 * fixed seed so it is the same on every run; nothing here comes from real data.
 */
import type { BacktestReportInput } from '../../src/app/backtest-report.js'
import type { ClosedTrade, ExitReason } from '../../src/domain/backtest/types.js'
import type { MarketId, TokenId } from '../../src/domain/market.js'
import { seededRandom } from '../../src/domain/stats/random.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../../src/domain/units.js'

const MATCHES = [
  { key: 'vct-emea-fnc-vs-th', start: Date.UTC(2026, 5, 6, 16, 0, 0) },
  { key: 'vct-emea-kc-vs-navi', start: Date.UTC(2026, 5, 6, 19, 30, 0) },
  { key: 'vct-emea-gx-vs-bbl', start: Date.UTC(2026, 5, 7, 17, 0, 0) },
]
const SUBSTRATEGIES = ['round_loss', 'map_loss', 'clutch_loss', null] as const
const EXIT_REASONS: ExitReason[] = ['target', 'target', 'stop', 'timeout', 'target']
const MATCH_MS = 2 * 3_600_000
const STEP_MS = 10_000
const FEE_RATE = 0.02

export function fixtureInput(trades = 42): BacktestReportInput {
  const random = seededRandom(20260607)
  const prices: { tokenId: string; points: [number, number][] }[] = []
  const mids = new Map<string, [number, number][]>()
  for (const [mi, m] of MATCHES.entries()) {
    for (const side of ['a', 'b']) {
      const tokenId = `7${mi}${side === 'a' ? '1' : '2'}0431988${mi}52${side === 'a' ? '18' : '93'}`
      let mid = 0.35 + random() * 0.3
      const points: [number, number][] = []
      for (let ts = m.start; ts <= m.start + MATCH_MS; ts += STEP_MS) {
        mid = Math.min(0.95, Math.max(0.05, mid + (random() - 0.5) * 0.02))
        points.push([ts, Math.round(mid * 10_000) / 10_000])
      }
      prices.push({ tokenId, points })
      mids.set(`${mi}${side}`, points)
    }
  }
  const closed: ClosedTrade[] = []
  for (let i = 0; i < trades; i++) {
    const mi = i % MATCHES.length
    const match = MATCHES[mi]!
    const side = i % 2 === 0 ? 'a' : 'b'
    const points = mids.get(`${mi}${side}`)!
    const entryIndex = Math.floor(random() * (points.length - 30))
    const holdSteps = 3 + Math.floor(random() * 15)
    const [entryTs, entryMid] = points[entryIndex]!
    const [exitTs, exitMid] = points[entryIndex + holdSteps]!
    const entryPrice = Math.round(entryMid * 10_000 + 50)
    const exitPrice = Math.round(exitMid * 10_000 + random() * 300 - 100)
    const size = (10 + Math.floor(random() * 90)) * 1_000_000
    const cost = Math.ceil((entryPrice * size) / 10_000)
    const proceeds = Math.floor((exitPrice * size) / 10_000)
    const fees = Math.ceil(
      FEE_RATE * (size / 1e6) * (entryPrice / 1e4) * (1 - entryPrice / 1e4) * 1e6,
    )
    const score = 0.7 + random() * 0.3
    closed.push({
      id: i + 1,
      market: `0xmarket${mi}` as MarketId,
      tokenId: prices[mi * 2 + (side === 'a' ? 0 : 1)]!.tokenId as TokenId,
      match: match.key,
      strategy: 'panic_fade',
      substrategy: SUBSTRATEGIES[i % SUBSTRATEGIES.length]!,
      signalId: 100 + i,
      signalType: i % 3 === 0 ? 'fomo' : 'panic',
      score: Math.round(score * 1000) / 1000,
      entryTs: entryTs as EpochMs,
      exitTs: exitTs as EpochMs,
      entryPrice,
      exitPrice,
      size: size as ShareMicros,
      fees: fees as UsdcMicros,
      profit: (proceeds - cost - fees) as UsdcMicros,
      exitReason: EXIT_REASONS[i % EXIT_REASONS.length]!,
      reversionS: i % 4 === 3 ? null : holdSteps * 10 - 5,
    })
  }
  return {
    meta: {
      strategy: 'panic_fade',
      params: { threshold: 0.7, timeoutS: 180, latencyMs: 250 },
      seed: 42,
      inputs: ['captures/vct-emea-2026-06-06.jsonl', 'captures/vct-emea-2026-06-07.jsonl'],
      periodStart: MATCHES[0]!.start as EpochMs,
      periodEnd: (MATCHES[2]!.start + MATCH_MS) as EpochMs,
      markets: 3,
      bankroll: 1_000_000_000 as UsdcMicros,
    },
    totalSignals: 97,
    signalsByType: { panic: 61, fomo: 30, vacuum: 6 },
    trades: closed,
    prices,
    latencySensitivity: [
      { latencyMs: 0, trades: 44, totalProfit: 61_250_000 as UsdcMicros, winRate: 0.59 },
      { latencyMs: 250, trades: trades, totalProfit: 40_100_000 as UsdcMicros, winRate: 0.55 },
      { latencyMs: 1000, trades: 39, totalProfit: 12_800_000 as UsdcMicros, winRate: 0.49 },
      { latencyMs: 3000, trades: 35, totalProfit: -20_400_000 as UsdcMicros, winRate: 0.4 },
    ],
    sweep: [
      {
        params: { threshold: 0.7 },
        sample: 'in',
        trades: 30,
        totalProfit: 35_000_000 as UsdcMicros,
        sharpePerTrade: 0.21,
      },
      {
        params: { threshold: 0.8 },
        sample: 'in',
        trades: 18,
        totalProfit: 41_000_000 as UsdcMicros,
        sharpePerTrade: 0.33,
      },
      {
        params: { threshold: 0.8 },
        sample: 'out',
        trades: 9,
        totalProfit: -3_000_000 as UsdcMicros,
        sharpePerTrade: null,
      },
    ],
  }
}
