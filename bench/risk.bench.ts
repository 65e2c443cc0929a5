/**
 * Risk check latency (`node --expose-gc --import tsx bench/risk.bench.ts [--json] [--checks N]
 * [--runs N]`).
 *
 * Builds a seeded, realistic mix of orders over 64 markets before timing: mostly small entries
 * on the touch from the terminal and from automation, exits of held shares, protective exits,
 * and a share of orders that trip a rule (fat finger, off tick, below minimum, oversize, needing
 * approval, stale or thin books, cooldowns, a reduce-only market, a halted market, an
 * error-rate window over the limit). Every market carries a restriction list like the live
 * daemon would (an expired cooldown, sometimes a timed state in force).
 *
 * Two figures:
 * - `checkSubmit` alone, one call timed at a time (two `performance.now()` reads around it;
 *   their own cost, measured on an empty body, is reported and not subtracted), into a
 *   histogram: p50, p99, p99.9, max. The issue 6 target is p99 < 50 µs.
 * - the order path's whole risk step: `RiskState.fillContext` into one reused context, the
 *   book and holding fields, then `checkSubmit`, timed the same way.
 * Plus an untimed-per-call loop for the mean cost per check.
 */
import { createHistogram, performance } from 'node:perf_hooks'
import { asMarketId, asTokenId, type MarketId, type TickSize } from '../src/domain/market.js'
import {
  checkSubmit,
  type BookRisk,
  type RiskContext,
  type RiskOrder,
} from '../src/domain/risk/checks.js'
import { DEFAULT_RISK_LIMITS } from '../src/domain/risk/limits.js'
import {
  newRiskContext,
  RiskState,
  type MutableRiskContext,
} from '../src/domain/risk/risk-state.js'
import {
  ruleRestriction,
  stateRestriction,
  type Restriction,
} from '../src/domain/risk/trading-state.js'
import { seededRandom, type RandomSource } from '../src/domain/stats/random.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../src/domain/units.js'
import { formatCount, intOption, machineLine, median, renderTable, settle } from './lib/measure.js'

/** Issue 6: risk check p99 under this many µs. */
const TARGET_P99_US = 50
const MARKETS = 64
const T0 = Date.UTC(2026, 10, 24, 18)

const argv = process.argv.slice(2)
const wantJson = argv.includes('--json')
const checks = intOption(argv, '--checks', 200_000)
const runs = intOption(argv, '--runs', 5)

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

type Case = { readonly order: RiskOrder; readonly ctx: RiskContext; readonly kind: string }

type MarketFixture = {
  readonly market: MarketId
  readonly book: BookRisk
  readonly restrictions: readonly Restriction[]
  readonly heldShares: number
  readonly exposure: number
}

function pick<T>(random: RandomSource, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

function buildMarkets(random: RandomSource): MarketFixture[] {
  const out: MarketFixture[] = []
  for (let m = 0; m < MARKETS; m++) {
    const market = asMarketId(`0x${m.toString(16).padStart(64, '0')}`)
    const tick = (m % 8 === 0 ? 10 : 100) as TickSize
    const bid = (Math.floor(random() * 80 + 10) * 100) as PriceTicks
    const spreadTicks = tick * (1 + Math.floor(random() * 3))
    const thin = m % 16 === 5
    const restrictions: Restriction[] = [
      // An expired cooldown left in the list, as between prunes.
      ruleRestriction(
        'CONSECUTIVE_LOSSES',
        'reducing',
        (T0 - 900_000) as EpochMs,
        (T0 - 600_000) as EpochMs,
        false,
        'losses=3 max_losses=3 until=x',
      ),
    ]
    if (m % 21 === 3)
      restrictions.push(stateRestriction(market, 'reducing', 'MANUAL', (T0 - 1000) as EpochMs))
    if (m % 29 === 7)
      restrictions.push(
        stateRestriction(
          market,
          'halted',
          'INVARIANT',
          (T0 - 1000) as EpochMs,
          (T0 + 3_600_000) as EpochMs,
        ),
      )
    out.push({
      market,
      book: {
        stale: m % 31 === 11,
        staleReason: m % 31 === 11 ? 'best_bid_mismatch' : null,
        bestBid: bid,
        bestAsk: Math.min(9_900, bid + (thin ? spreadTicks * 20 : spreadTicks)) as PriceTicks,
        tickSize: tick,
        minSize: 5_000_000 as ShareMicros,
        spreadBaselineTicks: spreadTicks,
        closed: false,
      },
      restrictions,
      heldShares: m % 2 === 0 ? Math.floor(random() * 800) * 1_000_000 : 0,
      exposure: Math.floor(random() * 600) * 1_000_000,
    })
  }
  return out
}

const KINDS = [
  ['entry-ui', 40],
  ['entry-automation', 20],
  ['exit', 15],
  ['protective-exit', 3],
  ['fat-finger', 4],
  ['off-tick', 2],
  ['below-min', 2],
  ['oversize', 3],
  ['needs-approval', 3],
  ['cooldown', 5],
  ['error-window', 3],
] as const

function buildCases(random: RandomSource, markets: readonly MarketFixture[], n: number): Case[] {
  const weights = KINDS.map(([, w]) => w)
  const total = weights.reduce((a, b) => a + b, 0)
  const cases: Case[] = []
  for (let i = 0; i < n; i++) {
    let r = random() * total
    let k = 0
    while (r >= weights[k]!) r -= weights[k++]!
    const kind = KINDS[k]![0]
    const m = pick(random, markets)
    const tick = m.book.tickSize
    const bid = m.book.bestBid!
    const ask = m.book.bestAsk!
    const shares = (5 + Math.floor(random() * 200)) * 1_000_000
    let side: 'buy' | 'sell' = 'buy'
    let price = ask as number
    let size = shares
    let origin: RiskContext['origin'] = 'ui'
    let protective = false
    let held = m.heldShares
    let lastEntryTs: number | null = random() < 0.5 ? T0 - 60_000 : null
    let apiRequests = Math.floor(random() * 40)
    let apiErrors = Math.floor(apiRequests * 0.05)
    switch (kind) {
      case 'entry-ui':
        break
      case 'entry-automation':
        origin = 'automation'
        break
      case 'exit':
      case 'protective-exit':
        side = 'sell'
        price = bid
        size = Math.min(shares, m.heldShares || shares)
        held = Math.max(m.heldShares, size)
        protective = kind === 'protective-exit'
        break
      case 'fat-finger':
        price = Math.min(9_900, ask + tick * 12)
        break
      case 'off-tick':
        price = ask + (tick === 100 ? 50 : 5)
        break
      case 'below-min':
        size = 1_000_000
        break
      case 'oversize':
        size = 3_000 * 1_000_000
        break
      case 'needs-approval':
        origin = 'automation'
        size = Math.floor((700 * 1_000_000 * 10_000) / ask)
        break
      case 'cooldown':
        lastEntryTs = T0 - 1000
        break
      case 'error-window':
        apiRequests = 30
        apiErrors = 6
        break
    }
    const ctx = newRiskContext(DEFAULT_RISK_LIMITS, m.book)
    ctx.now = T0 as EpochMs
    ctx.marketRestrictions = m.restrictions
    ctx.heldShares = held as ShareMicros
    ctx.marketExposure = m.exposure as UsdcMicros
    ctx.lastEntryTs = lastEntryTs as EpochMs | null
    ctx.dayRealizedPnl = -120_000_000 as UsdcMicros
    ctx.consecutiveLosses = 1
    ctx.lastLossTs = (T0 - 200_000) as EpochMs
    ctx.apiRequests = apiRequests
    ctx.apiErrors = apiErrors
    ctx.equity = 4_800_000_000 as UsdcMicros
    ctx.equityHigh = 5_000_000_000 as UsdcMicros
    ctx.origin = origin
    ctx.protective = protective
    const order: RiskOrder = {
      market: m.market,
      tokenId: asTokenId(String(7e20 + markets.indexOf(m))),
      side,
      kind: random() < 0.3 ? 'market' : 'limit',
      price: price as PriceTicks,
      size: size as ShareMicros,
    }
    cases.push({ order, ctx, kind })
  }
  return cases
}

type Latency = { p50: number; p99: number; p999: number; max: number; mean: number }

function summarize(h: ReturnType<typeof createHistogram>): Latency {
  const us = (ns: number): number => Number((ns / 1000).toFixed(3))
  return {
    p50: us(h.percentile(50)),
    p99: us(h.percentile(99)),
    p999: us(h.percentile(99.9)),
    max: us(h.max),
    mean: us(h.mean),
  }
}

/** Each checkSubmit timed on its own. */
function timeChecks(cases: readonly Case[]): { latency: Latency; denials: number } {
  const h = createHistogram({ lowest: 1, highest: 1e10, figures: 3 })
  let denials = 0
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!
    const t0 = performance.now()
    const decision = checkSubmit(c.order, c.ctx)
    const t1 = performance.now()
    h.record(Math.max(1, Math.round((t1 - t0) * 1e6)))
    if (!decision.ok) denials++
  }
  return { latency: summarize(h), denials }
}

/** Denials by code (untimed), and latency split by outcome. */
function outcomes(cases: readonly Case[]): {
  byCode: Map<string, number>
  approved: Latency
  denied: Latency
} {
  const byCode = new Map<string, number>()
  const approved = createHistogram({ lowest: 1, highest: 1e10, figures: 3 })
  const denied = createHistogram({ lowest: 1, highest: 1e10, figures: 3 })
  for (const c of cases) {
    const t0 = performance.now()
    const decision = checkSubmit(c.order, c.ctx)
    const ns = Math.max(1, Math.round((performance.now() - t0) * 1e6))
    if (decision.ok) {
      approved.record(ns)
    } else {
      denied.record(ns)
      byCode.set(decision.reason, (byCode.get(decision.reason) ?? 0) + 1)
    }
  }
  return { byCode, approved: summarize(approved), denied: summarize(denied) }
}

/** The whole risk step of the order path: fill the context from the state, then check. */
function timeRiskStep(cases: readonly Case[], state: RiskState): Latency {
  const h = createHistogram({ lowest: 1, highest: 1e10, figures: 3 })
  const ctx: MutableRiskContext = newRiskContext(DEFAULT_RISK_LIMITS, cases[0]!.ctx.book)
  let sink = 0
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!
    const t0 = performance.now()
    state.fillContext(ctx, c.order.market, (T0 + i) as EpochMs)
    ctx.book = c.ctx.book
    ctx.heldShares = c.ctx.heldShares
    ctx.marketExposure = c.ctx.marketExposure
    ctx.origin = c.ctx.origin
    ctx.approved = c.ctx.approved
    ctx.protective = c.ctx.protective
    const decision = checkSubmit(c.order, ctx)
    const t1 = performance.now()
    h.record(Math.max(1, Math.round((t1 - t0) * 1e6)))
    if (decision.ok) sink++
  }
  if (sink < 0) log('unreachable')
  return summarize(h)
}

/** Cost of the two clock reads alone. */
function timerCost(n: number): Latency {
  const h = createHistogram({ lowest: 1, highest: 1e10, figures: 3 })
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    const t1 = performance.now()
    h.record(Math.max(1, Math.round((t1 - t0) * 1e6)))
  }
  return summarize(h)
}

/** Mean ns per check without per-call clock reads. */
function loopMeanNs(cases: readonly Case[]): number {
  let ok = 0
  const start = performance.now()
  for (let i = 0; i < cases.length; i++) if (checkSubmit(cases[i]!.order, cases[i]!.ctx).ok) ok++
  const ms = performance.now() - start
  if (ok < 0) log('unreachable')
  return (ms * 1e6) / cases.length
}

function riskStateFor(): RiskState {
  const state = new RiskState(DEFAULT_RISK_LIMITS, T0 as EpochMs)
  const random = seededRandom(7)
  for (let i = 0; i < 200; i++)
    state.recordApiResult(random() > 0.03, (T0 - 200_000 + i * 1000) as EpochMs)
  for (let i = 0; i < 60; i++)
    state.recordEquity(
      (5_000_000_000 + Math.floor(random() * 1e8)) as UsdcMicros,
      (T0 - 3_000_000 + i * 50_000) as EpochMs,
    )
  state.recordClosedTrade(-20_000_000 as UsdcMicros, (T0 - 100_000) as EpochMs)
  state.takeEvents()
  return state
}

function fmt(v: number): string {
  return v.toFixed(2)
}

async function main(): Promise<void> {
  log(`bench:risk — ${machineLine()}`)
  const random = seededRandom(42)
  const markets = buildMarkets(random)
  const cases = buildCases(random, markets, checks)
  const byKind = new Map<string, number>()
  for (const c of cases) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1)
  log(
    `input: ${formatCount(cases.length)} orders over ${MARKETS} markets, seeded; mix: ${[...byKind].map(([k, n]) => `${k} ${((100 * n) / cases.length).toFixed(0)} %`).join(', ')}`,
  )

  // Warm-up so the figures describe optimized code, as in a running daemon.
  for (let i = 0; i < 3; i++) loopMeanNs(cases)

  const checkRuns: { latency: Latency; denials: number }[] = []
  const stepRuns: Latency[] = []
  const means: number[] = []
  for (let r = 0; r < runs; r++) {
    await settle()
    checkRuns.push(timeChecks(cases))
    await settle()
    stepRuns.push(timeRiskStep(cases, riskStateFor()))
    await settle()
    means.push(loopMeanNs(cases))
  }
  await settle()
  const timer = timerCost(checks)
  const mid = (values: readonly Latency[], key: keyof Latency): number =>
    median(values.map((v) => v[key]))
  const checkLat = checkRuns.map((c) => c.latency)
  const row = (name: string, list: readonly Latency[]): string[] => [
    name,
    fmt(mid(list, 'p50')),
    fmt(mid(list, 'p99')),
    fmt(mid(list, 'p999')),
    fmt(Math.max(...list.map((l) => l.max))),
    fmt(mid(list, 'mean')),
  ]
  log()
  log(`latency per order, µs (median of ${runs} runs; max over all runs):`)
  log(
    renderTable(
      ['stage', 'p50', 'p99', 'p99.9', 'max', 'mean'],
      [
        row('checkSubmit', checkLat),
        row('fillContext + checkSubmit', stepRuns),
        row('clock reads alone', [timer]),
      ],
    ),
  )
  await settle()
  const split = outcomes(cases)
  log(
    `  approvals p50 ${fmt(split.approved.p50)} / p99 ${fmt(split.approved.p99)} µs; denials (build detail and sentence) p50 ${fmt(split.denied.p50)} / p99 ${fmt(split.denied.p99)} µs`,
  )
  log(
    `  denials by code: ${[...split.byCode]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${formatCount(n)}`)
      .join(', ')}`,
  )
  const meanNs = median(means)
  const denialShare = checkRuns[0]!.denials / cases.length
  log(
    `  mean without per-call clock reads: ${meanNs.toFixed(0)} ns per check; denials ${(denialShare * 100).toFixed(1)} % of orders`,
  )
  const p99 = mid(checkLat, 'p99')
  const met = p99 < TARGET_P99_US
  log()
  log(
    `target (issue 6): risk check p99 < ${TARGET_P99_US} µs: ${fmt(p99)} µs ${met ? 'MET' : 'MISSED'}`,
  )

  if (wantJson) {
    log(
      JSON.stringify({
        checks: cases.length,
        runs,
        markets: MARKETS,
        denial_share: Number(denialShare.toFixed(4)),
        check_us: {
          p50: mid(checkLat, 'p50'),
          p99,
          p999: mid(checkLat, 'p999'),
          max: Math.max(...checkLat.map((l) => l.max)),
        },
        risk_step_us: {
          p50: mid(stepRuns, 'p50'),
          p99: mid(stepRuns, 'p99'),
          p999: mid(stepRuns, 'p999'),
          max: Math.max(...stepRuns.map((l) => l.max)),
        },
        approved_us: { p50: split.approved.p50, p99: split.approved.p99 },
        denied_us: { p50: split.denied.p50, p99: split.denied.p99 },
        denials_by_code: Object.fromEntries(split.byCode),
        clock_reads_us: { p50: timer.p50, p99: timer.p99 },
        mean_ns_per_check: Math.round(meanNs),
        p99_target_us: TARGET_P99_US,
        p99_target_met: met,
        node: process.version,
      }),
    )
  }
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench:risk failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  )
  process.exitCode = 1
})
