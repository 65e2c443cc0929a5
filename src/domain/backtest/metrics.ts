/**
 * Performance figures of a backtest, computed from its closed trades. Pure: the same trades and
 * seed always give the same numbers. Every definition is written out in docs/BACKTEST_REPORT.md;
 * the short version:
 *
 * - Money is summed exactly in USDC micros; ratios are floats.
 * - Trades are taken in equity order: exit time, then entry time, then id.
 * - A trade's return is its profit over its capital at risk, the entry notional
 *   `entryPrice × size` (what the position cost before fees, and the most it can lose on
 *   settlement besides fees).
 * - A figure that is undefined for the data (no trades, one trade, zero variance, no losses) is
 *   null and `reasons[figure]` says why; never NaN, Infinity or a stand-in value.
 */
import type { UsdcMicros } from '../units.js'
import { PRICE_SCALE, SHARE_SCALE } from '../units.js'
import { invariant } from '../errors.js'
import { clusteredBootstrap, type BootstrapInterval } from '../stats/bootstrap.js'
import { mean } from '../stats/quantiles.js'
import type { RandomSource } from '../stats/random.js'
import type { ClosedTrade } from './types.js'

const MS_PER_DAY = 86_400_000
/** Calendar days per year used by the (extrapolated) annualised figures: markets trade daily. */
export const DAYS_PER_YEAR = 365

/** Score buckets of the report: lower bound inclusive, upper exclusive except the last. */
export const SCORE_BUCKETS: readonly { label: string; low: number; high: number }[] = [
  { label: '[0.7,0.8)', low: 0.7, high: 0.8 },
  { label: '[0.8,0.9)', low: 0.8, high: 0.9 },
  { label: '[0.9,1.0]', low: 0.9, high: 1.0 },
]
/** Bucket of scores under the default threshold (shown only when some trade falls in it). */
export const BELOW_BUCKETS_LABEL = '[0,0.7)'
/** Bucket of scores outside [0, 1] (shown only when some trade falls in it). */
export const OUT_OF_RANGE_LABEL = 'outside [0,1]'
/** Substrategy key for trades whose signal had no preceding game event. */
export const NO_SUBSTRATEGY = '(no game event)'

/** Figures that can be undefined for the data; `reasons` is keyed by these names. */
export type NullableFigure =
  | 'winRate'
  | 'avgProfit'
  | 'sharpePerTrade'
  | 'sharpeDaily'
  | 'sortino'
  | 'maxDrawdownPct'
  | 'profitFactor'
  | 'expectancy'
  | 'expectancyReturn'
  | 'avgReversionS'
  | 'kellyFraction'
  | 'recommendedBet'
  | 'annualisedSharpe'
  | 'annualisedProfit'
  | 'payoffRatio'

export type Reasons = Partial<Record<NullableFigure, string>>

/** One point of the realised equity curve: after the trade that exited at `ts`. */
export type EquityPoint = {
  readonly ts: number
  readonly tradeId: number
  readonly equity: UsdcMicros
  /** Running peak minus equity (≥ 0). */
  readonly drawdown: UsdcMicros
  /** drawdown / running peak; null when the peak is not positive. */
  readonly drawdownPct: number | null
}

/** The figures shown for a group of trades (the whole run or one breakdown row). */
export type GroupMetrics = {
  readonly trades: number
  readonly wins: number
  readonly losses: number
  readonly breakeven: number
  readonly winRate: number | null
  readonly totalProfit: UsdcMicros
  /** Mean profit per trade in micros (may be fractional); null without trades. */
  readonly avgProfit: number | null
  readonly grossProfit: UsdcMicros
  /** Sum of losing profits as a positive amount. */
  readonly grossLoss: UsdcMicros
  readonly fees: UsdcMicros
  readonly sharpePerTrade: number | null
  readonly profitFactor: number | null
  readonly reasons: Reasons
}

export type BacktestMetrics = GroupMetrics & {
  readonly bankroll: UsdcMicros
  /** Mean return on capital at risk per trade. */
  readonly expectancyReturn: number | null
  /** winRate × avg win − lossRate × avg loss, in micros (equals avgProfit). */
  readonly expectancy: number | null
  readonly avgWin: number | null
  readonly avgLoss: number | null
  /** Mean winning return / |mean losing return| (R of the Kelly formula). */
  readonly payoffRatio: number | null
  readonly sortino: number | null
  /** Calendar days (UTC, by exit time) with at least one exit. */
  readonly tradingDays: number
  readonly sharpeDaily: number | null
  readonly maxDrawdown: UsdcMicros
  readonly maxDrawdownPct: number | null
  /** Peak and trough times of the largest drawdown by amount; null when there is none. */
  readonly maxDrawdownPeakTs: number | null
  readonly maxDrawdownTroughTs: number | null
  readonly longestLosingStreak: number
  readonly avgReversionS: number | null
  readonly reverted: number
  readonly kellyFraction: number | null
  /** max(0, kelly / 2) × bankroll, rounded to the nearest micro. */
  readonly recommendedBet: UsdcMicros | null
  /** sharpeDaily × √365: an extrapolation, flagged as such wherever it is shown. */
  readonly annualisedSharpe: number | null
  /** total profit × 365 / period days: an extrapolation. */
  readonly annualisedProfit: number | null
  readonly periodDays: number | null
  readonly equity: readonly EquityPoint[]
  readonly finalEquity: UsdcMicros
}

export type GroupRow = GroupMetrics & { readonly key: string }

/** Capital at risk of a trade in micros: the entry notional (ticks × share micros / 10^4). */
export function capitalAtRisk(trade: ClosedTrade): number {
  return (trade.entryPrice * trade.size) / PRICE_SCALE
}

/** Profit over capital at risk. */
export function tradeReturn(trade: ClosedTrade): number {
  return trade.profit / capitalAtRisk(trade)
}

/** Equity order: exit time, then entry time, then id. Returns a sorted copy. */
export function inEquityOrder(trades: readonly ClosedTrade[]): ClosedTrade[] {
  return [...trades].sort((a, b) => a.exitTs - b.exitTs || a.entryTs - b.entryTs || a.id - b.id)
}

/** Sample standard deviation (n − 1); null for fewer than two values. */
export function sampleSd(values: readonly number[]): number | null {
  const m = mean(values)
  if (m === null || values.length < 2) return null
  let ss = 0
  for (const v of values) ss += (v - m) * (v - m)
  return Math.sqrt(ss / (values.length - 1))
}

/**
 * mean / sample sd; null with a reason for fewer than two values or zero variance. Variance
 * below 1e-12 of the squared mean scale counts as zero: it is float noise, not a real spread.
 */
export function sharpeOf(
  values: readonly number[],
  what: string,
): { value: number | null; reason: string | null } {
  if (values.length < 2)
    return {
      value: null,
      reason: `needs at least 2 ${what}; there ${values.length === 1 ? 'is 1' : 'are 0'}`,
    }
  const m = mean(values) as number
  const sd = sampleSd(values) as number
  const scale = Math.max(...values.map((v) => Math.abs(v)))
  if (sd === 0 || sd <= scale * 1e-12)
    return {
      value: null,
      reason: `every one of the ${values.length} ${what} is the same (zero variance)`,
    }
  return { value: m / sd, reason: null }
}

/** Gross profit / gross loss; null with a reason when there is no loss. */
function profitFactorOf(
  grossProfit: number,
  grossLoss: number,
  trades: number,
): { value: number | null; reason: string | null } {
  if (trades === 0) return { value: null, reason: 'no trades' }
  if (grossLoss === 0) return { value: null, reason: 'no losing trades: gross loss is 0' }
  return { value: grossProfit / grossLoss, reason: null }
}

function checkTrade(t: ClosedTrade): void {
  invariant(
    Number.isSafeInteger(t.profit) && Number.isSafeInteger(t.fees) && Number.isSafeInteger(t.size),
    `trade ${t.id}: profit, fees and size must be whole micros`,
  )
  invariant(t.size > 0 && t.entryPrice > 0, `trade ${t.id}: size and entry price must be positive`)
  invariant(t.exitTs >= t.entryTs, `trade ${t.id}: exits before it enters`)
}

/** Figures of one group of trades (any order). */
export function groupMetrics(trades: readonly ClosedTrade[]): GroupMetrics {
  const reasons: Reasons = {}
  let wins = 0
  let losses = 0
  let total = 0
  let grossProfit = 0
  let grossLoss = 0
  let fees = 0
  for (const t of trades) {
    checkTrade(t)
    total += t.profit
    fees += t.fees
    if (t.profit > 0) {
      wins++
      grossProfit += t.profit
    } else if (t.profit < 0) {
      losses++
      grossLoss -= t.profit
    }
  }
  const n = trades.length
  if (n === 0) {
    reasons.winRate = 'no trades'
    reasons.avgProfit = 'no trades'
  }
  const sharpe = sharpeOf(inEquityOrder(trades).map(tradeReturn), 'trade returns')
  if (sharpe.reason !== null) reasons.sharpePerTrade = sharpe.reason
  const pf = profitFactorOf(grossProfit, grossLoss, n)
  if (pf.reason !== null) reasons.profitFactor = pf.reason
  return {
    trades: n,
    wins,
    losses,
    breakeven: n - wins - losses,
    winRate: n === 0 ? null : wins / n,
    totalProfit: total as UsdcMicros,
    avgProfit: n === 0 ? null : total / n,
    grossProfit: grossProfit as UsdcMicros,
    grossLoss: grossLoss as UsdcMicros,
    fees: fees as UsdcMicros,
    sharpePerTrade: sharpe.value,
    profitFactor: pf.value,
    reasons,
  }
}

/** Realised equity after each exit, starting from the bankroll, with the drawdown from the peak. */
export function equityCurve(trades: readonly ClosedTrade[], bankroll: UsdcMicros): EquityPoint[] {
  let equity = bankroll as number
  let peak = equity
  return inEquityOrder(trades).map((t) => {
    equity += t.profit
    if (equity > peak) peak = equity
    const drawdown = peak - equity
    return {
      ts: t.exitTs,
      tradeId: t.id,
      equity: equity as UsdcMicros,
      drawdown: drawdown as UsdcMicros,
      drawdownPct: peak > 0 ? drawdown / peak : null,
    }
  })
}

export type MetricsOptions = {
  /** Start and end of the data, for the annualised profit; null when unknown. */
  readonly periodStart?: number | null
  readonly periodEnd?: number | null
}

/**
 * Every figure of the report for `trades` and a starting `bankroll` (> 0).
 * @throws InvariantError for a non-positive bankroll or a malformed trade.
 */
export function computeMetrics(
  trades: readonly ClosedTrade[],
  bankroll: UsdcMicros,
  options: MetricsOptions = {},
): BacktestMetrics {
  invariant(
    Number.isSafeInteger(bankroll) && bankroll > 0,
    `bankroll must be positive micros; got ${bankroll}`,
  )
  const base = groupMetrics(trades)
  const reasons: Reasons = { ...base.reasons }
  const ordered = inEquityOrder(trades)
  const n = ordered.length
  const returns = ordered.map(tradeReturn)

  // Win/loss averages and expectancy.
  const winReturns = returns.filter((_, i) => (ordered[i] as ClosedTrade).profit > 0)
  const lossReturns = returns.filter((_, i) => (ordered[i] as ClosedTrade).profit < 0)
  const avgWin = base.wins === 0 ? null : base.grossProfit / base.wins
  const avgLoss = base.losses === 0 ? null : base.grossLoss / base.losses
  let expectancy: number | null = null
  if (n === 0) reasons.expectancy = 'no trades'
  else expectancy = (base.wins / n) * (avgWin ?? 0) - (base.losses / n) * (avgLoss ?? 0)
  const expectancyReturn = mean(returns)
  if (expectancyReturn === null) reasons.expectancyReturn = 'no trades'

  // Sortino: mean return over the downside deviation (target 0, over all trades).
  let sortino: number | null = null
  if (n < 2) reasons.sortino = `needs at least 2 trades; there ${n === 1 ? 'is 1' : 'are 0'}`
  else {
    let downside = 0
    for (const r of returns) if (r < 0) downside += r * r
    if (downside === 0) reasons.sortino = 'no losing trades: downside deviation is 0'
    else sortino = (expectancyReturn as number) / Math.sqrt(downside / n)
  }

  // Daily Sharpe over UTC calendar days with at least one exit.
  const byDay = new Map<number, number>()
  for (const t of ordered) {
    const day = Math.floor(t.exitTs / MS_PER_DAY)
    byDay.set(day, (byDay.get(day) ?? 0) + t.profit)
  }
  const daily = sharpeOf([...byDay.values()], 'calendar days with trades')
  if (daily.reason !== null) reasons.sharpeDaily = daily.reason

  // Drawdown and losing streak on the realised equity curve.
  const equity = equityCurve(ordered, bankroll)
  let maxDrawdown = 0
  let maxDrawdownPct: number | null = null
  let troughIndex = -1
  equity.forEach((p, i) => {
    if (p.drawdown > maxDrawdown) {
      maxDrawdown = p.drawdown
      troughIndex = i
    }
    if (p.drawdownPct !== null && (maxDrawdownPct === null || p.drawdownPct > maxDrawdownPct))
      maxDrawdownPct = p.drawdownPct
  })
  if (n === 0) reasons.maxDrawdownPct = 'no trades'
  else if (maxDrawdownPct === null) reasons.maxDrawdownPct = 'equity never had a positive peak'
  let peakTs: number | null = null
  let troughTs: number | null = null
  if (troughIndex >= 0) {
    troughTs = (equity[troughIndex] as EquityPoint).ts
    // The peak is the last point at zero drawdown before the trough (or the start).
    peakTs = (ordered[0] as ClosedTrade).entryTs
    for (let i = troughIndex - 1; i >= 0; i--) {
      if ((equity[i] as EquityPoint).drawdown === 0) {
        peakTs = (equity[i] as EquityPoint).ts
        break
      }
    }
  }
  let streak = 0
  let longestLosingStreak = 0
  for (const t of ordered) {
    streak = t.profit < 0 ? streak + 1 : 0
    if (streak > longestLosingStreak) longestLosingStreak = streak
  }

  // Reversion time over the trades whose price reverted.
  const reversions = ordered.flatMap((t) => (t.reversionS === null ? [] : [t.reversionS]))
  const avgReversionS = mean(reversions)
  if (avgReversionS === null)
    reasons.avgReversionS = n === 0 ? 'no trades' : 'no trade recorded a reversion'

  // Kelly from outcomes: f* = W − (1 − W) / R, R = mean winning return / |mean losing return|.
  let payoffRatio: number | null = null
  let kellyFraction: number | null = null
  if (n === 0) reasons.payoffRatio = 'no trades'
  else if (base.wins === 0) reasons.payoffRatio = 'no winning trades'
  else if (base.losses === 0) reasons.payoffRatio = 'no losing trades'
  else payoffRatio = (mean(winReturns) as number) / -(mean(lossReturns) as number)
  if (payoffRatio === null) reasons.kellyFraction = `payoff ratio undefined: ${reasons.payoffRatio}`
  else {
    const w = base.wins / n
    kellyFraction = w - (1 - w) / payoffRatio
  }
  let recommendedBet: UsdcMicros | null = null
  if (kellyFraction === null) reasons.recommendedBet = 'Kelly fraction undefined'
  else recommendedBet = Math.round(Math.max(0, kellyFraction / 2) * bankroll) as UsdcMicros

  // Extrapolations.
  const annualisedSharpe = daily.value === null ? null : daily.value * Math.sqrt(DAYS_PER_YEAR)
  if (annualisedSharpe === null) reasons.annualisedSharpe = 'daily Sharpe undefined'
  const start = options.periodStart ?? null
  const end = options.periodEnd ?? null
  const periodDays =
    start !== null && end !== null && end > start ? (end - start) / MS_PER_DAY : null
  let annualisedProfit: number | null = null
  if (periodDays === null) reasons.annualisedProfit = 'period unknown or empty'
  else if (n === 0) reasons.annualisedProfit = 'no trades'
  else annualisedProfit = (base.totalProfit * DAYS_PER_YEAR) / periodDays

  return {
    ...base,
    reasons,
    bankroll,
    expectancy,
    expectancyReturn,
    avgWin,
    avgLoss,
    payoffRatio,
    sortino,
    tradingDays: byDay.size,
    sharpeDaily: daily.value,
    maxDrawdown: maxDrawdown as UsdcMicros,
    maxDrawdownPct,
    maxDrawdownPeakTs: peakTs,
    maxDrawdownTroughTs: troughTs,
    longestLosingStreak,
    avgReversionS,
    reverted: reversions.length,
    kellyFraction,
    recommendedBet,
    annualisedSharpe,
    annualisedProfit,
    periodDays,
    equity,
    finalEquity: (bankroll + base.totalProfit) as UsdcMicros,
  }
}

/** Groups trades by `keyOf`, keys in the order given by `order` then first appearance. */
export function breakdown(
  trades: readonly ClosedTrade[],
  keyOf: (t: ClosedTrade) => string,
  order: readonly string[] = [],
): GroupRow[] {
  const groups = new Map<string, ClosedTrade[]>()
  for (const key of order) groups.set(key, [])
  for (const t of inEquityOrder(trades)) {
    const key = keyOf(t)
    let group = groups.get(key)
    if (group === undefined) {
      group = []
      groups.set(key, group)
    }
    group.push(t)
  }
  return [...groups.entries()].map(([key, group]) => ({ key, ...groupMetrics(group) }))
}

/** Bucket label of a signal score. */
export function scoreBucket(score: number): string {
  if (!(score >= 0 && score <= 1)) return OUT_OF_RANGE_LABEL
  for (const b of SCORE_BUCKETS) {
    if (score >= b.low && (score < b.high || (b.high === 1 && score <= 1))) return b.label
  }
  return BELOW_BUCKETS_LABEL
}

/** By substrategy (the game event before the signal), keys sorted, no-event last. */
export function bySubstrategy(trades: readonly ClosedTrade[]): GroupRow[] {
  const rows = breakdown(trades, (t) => t.substrategy ?? NO_SUBSTRATEGY)
  return rows.sort((a, b) =>
    a.key === NO_SUBSTRATEGY
      ? 1
      : b.key === NO_SUBSTRATEGY
        ? -1
        : a.key < b.key
          ? -1
          : a.key > b.key
            ? 1
            : 0,
  )
}

/** By score bucket: the three report buckets always, the others only when present. */
export function byScoreBucket(trades: readonly ClosedTrade[]): GroupRow[] {
  const rows = breakdown(trades, (t) => scoreBucket(t.score), [
    BELOW_BUCKETS_LABEL,
    ...SCORE_BUCKETS.map((b) => b.label),
    OUT_OF_RANGE_LABEL,
  ])
  return rows.filter((r) => r.trades > 0 || SCORE_BUCKETS.some((b) => b.label === r.key))
}

/** By exit reason, reasons sorted. */
export function byExitReason(trades: readonly ClosedTrade[]): GroupRow[] {
  return breakdown(trades, (t) => t.exitReason).sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  )
}

export type MetricIntervals = {
  /** Mean profit per trade, USD. */
  readonly avgProfitUsd: BootstrapInterval
  /** Total profit, USD (the number of matches is held fixed in every resample). */
  readonly totalProfitUsd: BootstrapInterval
  readonly winRate: BootstrapInterval
  readonly sharpePerTrade: BootstrapInterval
}

/**
 * Clustered bootstrap intervals (cluster = the trade's match). Each figure draws from its own
 * generator, `makeRandom(k)` for k = 0, 1, 2, 3, so adding a figure does not shift the others.
 */
export function metricIntervals(
  trades: readonly ClosedTrade[],
  makeRandom: (stream: number) => RandomSource,
  options: { resamples?: number; level?: number } = {},
): MetricIntervals {
  const ordered = inEquityOrder(trades)
  const withValue = (value: (t: ClosedTrade) => number) =>
    ordered.map((t) => ({ cluster: t.match, value: value(t) }))
  const opts = (k: number) => ({ random: makeRandom(k), ...options })
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)
  return {
    avgProfitUsd: clusteredBootstrap(
      withValue((t) => t.profit / 1e6),
      mean,
      opts(0),
    ),
    totalProfitUsd: clusteredBootstrap(
      withValue((t) => t.profit / 1e6),
      sum,
      opts(1),
    ),
    winRate: clusteredBootstrap(
      withValue((t) => (t.profit > 0 ? 1 : 0)),
      mean,
      opts(2),
    ),
    sharpePerTrade: clusteredBootstrap(
      withValue(tradeReturn),
      (xs) => sharpeOf(xs, 'trade returns').value,
      opts(3),
    ),
  }
}

/** Micros to USD as a float (exact for the shortest decimal of any whole micro amount). */
export function microsToUsd(micros: number): number {
  return micros / 1e6
}

/** Share micros to shares. */
export function sharesOf(size: number): number {
  return size / SHARE_SCALE
}
