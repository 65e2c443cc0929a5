/**
 * The backtest report in three forms: text (stdout), JSON (`--json`) and a self-contained HTML
 * page (`--html`, built in `backtest-report-html.ts`) with inline SVG charts. The figures come
 * from `domain/backtest/metrics.ts`; their definitions are in docs/BACKTEST_REPORT.md. The JSON
 * carries the full trade list so every figure can be recomputed from it, and is byte-identical
 * for the same input and seed.
 */
import type { ClosedTrade } from '../domain/backtest/types.js'
import {
  byExitReason,
  byScoreBucket,
  bySubstrategy,
  capitalAtRisk,
  computeMetrics,
  inEquityOrder,
  metricIntervals,
  tradeReturn,
  type BacktestMetrics,
  type GroupRow,
  type MetricIntervals,
  type Reasons,
} from '../domain/backtest/metrics.js'
import type { BootstrapInterval } from '../domain/stats/bootstrap.js'
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../domain/stats/bootstrap.js'
import { seededRandom } from '../domain/stats/random.js'
import type { EpochMs, UsdcMicros } from '../domain/units.js'
import {
  fixed,
  iso,
  money,
  paramsText,
  pct,
  sortKeys,
  usdFloat,
  withReason,
} from './backtest-report-format.js'

export { reportHtml } from './backtest-report-html.js'
export { money } from './backtest-report-format.js'

export type BacktestReportInput = {
  meta: {
    strategy: string
    params: Record<string, unknown>
    seed: number
    inputs: string[]
    periodStart: EpochMs | null
    periodEnd: EpochMs | null
    markets: number
    bankroll: UsdcMicros
  }
  totalSignals: number
  signalsByType: Record<string, number>
  trades: ClosedTrade[]
  /** `[ts, mid]` per token (mid in price units, 0..1) for the trade-markers chart. */
  prices?: { tokenId: string; points: [number, number][] }[]
  latencySensitivity?: {
    latencyMs: number
    trades: number
    totalProfit: UsdcMicros
    winRate: number | null
  }[]
  sweep?: {
    params: Record<string, unknown>
    sample: 'in' | 'out'
    trades: number
    totalProfit: UsdcMicros
    sharpePerTrade: number | null
  }[]
  /**
   * Limits of the run that a reader must see before any figure (e.g. what a coarse mode cannot
   * model); shown first in the text, at the top of the page, and as `caveats` in the JSON.
   */
  caveats?: readonly string[]
}

export type BacktestReport = {
  readonly meta: BacktestReportInput['meta']
  readonly resamples: number
  readonly level: number
  readonly totalSignals: number
  readonly signalsByType: Readonly<Record<string, number>>
  /** Distinct matches (bootstrap clusters) among the trades. */
  readonly matches: number
  readonly metrics: BacktestMetrics
  readonly bySubstrategy: readonly GroupRow[]
  readonly byScoreBucket: readonly GroupRow[]
  readonly byExitReason: readonly GroupRow[]
  readonly intervals: MetricIntervals
  /** Trades in equity order (exit time, entry time, id). */
  readonly trades: readonly ClosedTrade[]
  readonly prices: readonly { tokenId: string; points: readonly (readonly [number, number])[] }[]
  readonly latencySensitivity: BacktestReportInput['latencySensitivity'] | null
  readonly sweep: BacktestReportInput['sweep'] | null
  /** Things the reader must know before trusting a figure. */
  readonly notes: readonly string[]
  readonly caveats: readonly string[]
}

/** Streams of the seeded generator, one per bootstrap figure (see `metricIntervals`). */
function streamRandom(seed: number) {
  return (stream: number) => seededRandom((seed + Math.imul(stream, 0x9e3779b9)) >>> 0)
}

function fail(message: string): never {
  throw new RangeError(`backtest report: ${message}`)
}

const isWhole = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n)

/** Validates the input at the edge so a bad engine result is named, not crashed on. */
function validate(input: BacktestReportInput): void {
  const m = input.meta
  if (!isWhole(m.bankroll) || m.bankroll <= 0)
    fail(`bankroll must be a positive whole number of USDC micros; got ${String(m.bankroll)}`)
  if (!isWhole(m.seed)) fail(`seed must be a whole number; got ${String(m.seed)}`)
  if (!isWhole(m.markets) || m.markets < 0)
    fail(`markets must be a non-negative count; got ${String(m.markets)}`)
  if (!isWhole(input.totalSignals) || input.totalSignals < 0)
    fail(`totalSignals must be a non-negative count; got ${String(input.totalSignals)}`)
  if (m.periodStart !== null && m.periodEnd !== null && m.periodEnd < m.periodStart)
    fail(`period ends (${m.periodEnd}) before it starts (${m.periodStart})`)
  const ids = new Set<number>()
  for (const t of input.trades) {
    const what = `trade ${String(t.id)}`
    if (ids.has(t.id)) fail(`${what} appears twice; trade ids must be unique`)
    ids.add(t.id)
    if (!(isWhole(t.size) && t.size > 0)) fail(`${what} has size ${t.size}; it must be > 0 micros`)
    if (!(Number.isFinite(t.entryPrice) && t.entryPrice > 0 && t.entryPrice <= 10_000))
      fail(`${what} has entry price ${t.entryPrice} ticks; it must be in (0, 10000]`)
    if (!(Number.isFinite(t.exitPrice) && t.exitPrice >= 0 && t.exitPrice <= 10_000))
      fail(`${what} has exit price ${t.exitPrice} ticks; it must be in [0, 10000]`)
    if (!isWhole(t.profit)) fail(`${what} has profit ${t.profit}; it must be whole micros`)
    if (!(isWhole(t.fees) && t.fees >= 0)) fail(`${what} has fees ${t.fees}; it must be ≥ 0 micros`)
    if (!(isWhole(t.entryTs) && isWhole(t.exitTs) && t.exitTs >= t.entryTs))
      fail(`${what} exits at ${t.exitTs}, before its entry at ${t.entryTs}`)
    if (!Number.isFinite(t.score)) fail(`${what} has a non-finite score`)
    if (t.reversionS !== null && !(Number.isFinite(t.reversionS) && t.reversionS >= 0))
      fail(`${what} has reversion time ${t.reversionS}; it must be ≥ 0 seconds or null`)
    if (typeof t.match !== 'string' || t.match === '') fail(`${what} has no match key`)
  }
}

/**
 * Computes every figure of the report. Bootstrap intervals use `options.resamples` (default
 * 2,000) draws from generators seeded by `meta.seed`.
 * @throws RangeError naming the bad field when the input is malformed.
 */
export function buildBacktestReport(
  input: BacktestReportInput,
  options: { resamples?: number } = {},
): BacktestReport {
  validate(input)
  const resamples = options.resamples ?? DEFAULT_RESAMPLES
  if (!isWhole(resamples) || resamples < 1)
    fail(`resamples must be a positive whole number; got ${resamples}`)
  const { meta } = input
  const trades = inEquityOrder(input.trades)
  const metrics = computeMetrics(trades, meta.bankroll, {
    periodStart: meta.periodStart,
    periodEnd: meta.periodEnd,
  })
  const intervals = metricIntervals(trades, streamRandom(meta.seed), { resamples })
  const matches = new Set(trades.map((t) => t.match)).size
  const notes: string[] = []
  if (trades.length === 0) notes.push('no trades were taken: every trading figure is undefined')
  if (matches < 2)
    notes.push(
      `${matches} match(es) traded: no bootstrap confidence interval (clustering by match needs at least 2)`,
    )
  else if (matches < 5)
    notes.push(
      `only ${matches} matches: clustered intervals from so few clusters are rough and too narrow`,
    )
  if (trades.length > 0 && trades.length < 30)
    notes.push(`only ${trades.length} trades: every figure is noisy; read the intervals`)
  if (metrics.tradingDays < 2 && trades.length > 0)
    notes.push(
      `trades exit on ${metrics.tradingDays} calendar day: the daily Sharpe needs at least 2`,
    )
  notes.push(
    'equity is realised at each exit (no mark-to-market while a position is open), so drawdowns inside a trade are not seen',
  )
  notes.push(
    'annualised figures are extrapolations of a short sample to a year, not results; treat them as scale, not forecast',
  )
  return {
    meta: { ...meta, params: sortKeys(meta.params) as Record<string, unknown> },
    resamples,
    level: DEFAULT_LEVEL,
    totalSignals: input.totalSignals,
    signalsByType: sortKeys(input.signalsByType) as Record<string, number>,
    matches,
    metrics,
    bySubstrategy: bySubstrategy(trades),
    byScoreBucket: byScoreBucket(trades),
    byExitReason: byExitReason(trades),
    intervals,
    trades,
    prices: [...(input.prices ?? [])].sort((a, b) =>
      a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : 0,
    ),
    latencySensitivity: input.latencySensitivity
      ? [...input.latencySensitivity].sort((a, b) => a.latencyMs - b.latencyMs)
      : null,
    sweep: input.sweep ?? null,
    notes,
    caveats: [...(input.caveats ?? [])],
  }
}

// ---------------------------------------------------------------------------------------------
// JSON

/** A float rounded to 6 decimals (stable text); null stays null; -0 becomes 0. */
function num(value: number | null, decimals = 6): number | null {
  if (value === null) return null
  const r = Number(value.toFixed(decimals))
  return r === 0 ? 0 : r
}

/** Micros as USD: exact for whole micros, rounded to 6 decimals for fractional ones. */
function usd(micros: number | null): number | null {
  return micros === null ? null : num(micros / 1e6)
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function reasonsJson(reasons: Reasons): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(reasons).sort())
    out[snake(key)] = reasons[key as keyof Reasons] as string
  return out
}

function groupJson(row: GroupRow): Record<string, unknown> {
  return {
    key: row.key,
    trades: row.trades,
    wins: row.wins,
    losses: row.losses,
    breakeven: row.breakeven,
    win_rate: num(row.winRate),
    total_profit: usd(row.totalProfit),
    total_profit_micros: row.totalProfit,
    avg_profit: usd(row.avgProfit),
    gross_profit: usd(row.grossProfit),
    gross_loss: usd(row.grossLoss),
    fees: usd(row.fees),
    sharpe_per_trade: num(row.sharpePerTrade),
    profit_factor: num(row.profitFactor),
    null_reasons: reasonsJson(row.reasons),
  }
}

function ciJson(ci: BootstrapInterval): Record<string, unknown> {
  return { estimate: num(ci.estimate), low: num(ci.low), high: num(ci.high), reason: ci.reason }
}

/** One row of `trade_list`: enough to recompute every figure of the report. */
function tradeJson(t: ClosedTrade): Record<string, unknown> {
  return {
    id: t.id,
    match: t.match,
    market: t.market,
    token_id: t.tokenId,
    side: 'buy',
    strategy: t.strategy,
    substrategy: t.substrategy,
    signal_id: t.signalId,
    signal_type: t.signalType,
    score: num(t.score),
    entry_ts: t.entryTs,
    entry_time: iso(t.entryTs),
    exit_ts: t.exitTs,
    exit_time: iso(t.exitTs),
    entry_price: num(t.entryPrice / 10_000, 8),
    exit_price: num(t.exitPrice / 10_000, 8),
    size: num(t.size / 1e6),
    size_micros: t.size,
    cost: usd(capitalAtRisk(t)),
    fees: usd(t.fees),
    fees_micros: t.fees,
    profit: usd(t.profit),
    profit_micros: t.profit,
    return_on_cost: num(tradeReturn(t), 8),
    exit_reason: t.exitReason,
    reversion_s: num(t.reversionS),
  }
}

/** The report as a plain object with snake_case keys in a fixed order. */
export function reportObject(report: BacktestReport): Record<string, unknown> {
  const m = report.metrics
  const meta = report.meta
  const ci = report.intervals
  return {
    report: 'tiltmeter backtest',
    format_version: 1,
    strategy: meta.strategy,
    params: meta.params,
    seed: meta.seed,
    inputs: meta.inputs,
    period: {
      start_ts: meta.periodStart,
      end_ts: meta.periodEnd,
      start: iso(meta.periodStart),
      end: iso(meta.periodEnd),
      days: num(m.periodDays),
    },
    markets: meta.markets,
    matches: report.matches,
    bankroll: usd(meta.bankroll),
    bankroll_micros: meta.bankroll,
    total_signals: report.totalSignals,
    signals_by_type: report.signalsByType,
    trades: m.trades,
    wins: m.wins,
    losses: m.losses,
    breakeven: m.breakeven,
    win_rate: num(m.winRate),
    avg_profit: usd(m.avgProfit),
    total_profit: usd(m.totalProfit),
    total_profit_micros: m.totalProfit,
    gross_profit: usd(m.grossProfit),
    gross_loss: usd(m.grossLoss),
    fees: usd(m.fees),
    final_equity: usd(m.finalEquity),
    sharpe_per_trade: num(m.sharpePerTrade),
    sharpe_daily: num(m.sharpeDaily),
    sharpe_daily_days: m.tradingDays,
    sortino: num(m.sortino),
    max_drawdown: usd(m.maxDrawdown),
    max_drawdown_micros: m.maxDrawdown,
    max_drawdown_pct: num(m.maxDrawdownPct),
    max_drawdown_peak_ts: m.maxDrawdownPeakTs,
    max_drawdown_trough_ts: m.maxDrawdownTroughTs,
    longest_losing_streak: m.longestLosingStreak,
    profit_factor: num(m.profitFactor),
    expectancy: usd(m.expectancy),
    expectancy_return: num(m.expectancyReturn),
    avg_win: usd(m.avgWin),
    avg_loss: usd(m.avgLoss),
    payoff_ratio: num(m.payoffRatio),
    avg_reversion_s: num(m.avgReversionS),
    reverted_trades: m.reverted,
    kelly_fraction: num(m.kellyFraction),
    recommended_bet: usd(m.recommendedBet),
    recommended_bet_micros: m.recommendedBet,
    extrapolated: {
      is_extrapolation: true,
      note: 'scaled from the sample to a year; not a result',
      annualised_sharpe_daily: num(m.annualisedSharpe),
      annualised_profit: usd(m.annualisedProfit),
    },
    null_reasons: reasonsJson(m.reasons),
    confidence_intervals: {
      method: 'percentile bootstrap clustered by match',
      level: report.level,
      resamples: report.resamples,
      clusters: report.matches,
      avg_profit: ciJson(ci.avgProfitUsd),
      total_profit: ciJson(ci.totalProfitUsd),
      win_rate: ciJson(ci.winRate),
      sharpe_per_trade: ciJson(ci.sharpePerTrade),
    },
    by_substrategy: report.bySubstrategy.map(groupJson),
    by_score_bucket: report.byScoreBucket.map(groupJson),
    by_exit_reason: report.byExitReason.map(groupJson),
    latency_sensitivity:
      report.latencySensitivity?.map((r) => ({
        latency_ms: r.latencyMs,
        trades: r.trades,
        total_profit: usd(r.totalProfit),
        win_rate: num(r.winRate),
      })) ?? null,
    sweep:
      report.sweep?.map((r) => ({
        params: sortKeys(r.params),
        sample: r.sample,
        trades: r.trades,
        total_profit: usd(r.totalProfit),
        sharpe_per_trade: num(r.sharpePerTrade),
      })) ?? null,
    equity_curve: m.equity.map((p) => ({
      ts: p.ts,
      trade_id: p.tradeId,
      equity: usd(p.equity),
      drawdown: usd(p.drawdown),
      drawdown_pct: num(p.drawdownPct),
    })),
    notes: report.notes,
    caveats: report.caveats,
    trade_list: report.trades.map(tradeJson),
  }
}

/** The `--json` document, two-space indented, ending in a newline. */
export function reportJson(report: BacktestReport): string {
  return `${JSON.stringify(reportObject(report), null, 2)}\n`
}

// ---------------------------------------------------------------------------------------------
// Text

function intervalText(ci: BootstrapInterval, format: (v: number) => string): string {
  if (ci.low === null || ci.high === null) return `no interval: ${ci.reason ?? 'undefined'}`
  return `[${format(ci.low)}, ${format(ci.high)}]`
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

function groupTable(title: string, rows: readonly GroupRow[]): string[] {
  const lines = ['', `${title}:`]
  lines.push(
    `  ${pad('', 22)}${pad('trades', 7, true)}${pad('win rate', 10, true)}${pad('total', 13, true)}` +
      `${pad('average', 12, true)}${pad('Sharpe/trade', 14, true)}${pad('profit factor', 15, true)}`,
  )
  for (const r of rows) {
    lines.push(
      `  ${pad(r.key, 22)}${pad(String(r.trades), 7, true)}${pad(pct(r.winRate, 0), 10, true)}` +
        `${pad(money(r.totalProfit), 13, true)}${pad(money(r.avgProfit), 12, true)}` +
        `${pad(fixed(r.sharpePerTrade), 14, true)}${pad(fixed(r.profitFactor), 15, true)}`,
    )
  }
  return lines
}

/** The stdout report. */
export function reportText(report: BacktestReport): string {
  const m = report.metrics
  const meta = report.meta
  const r = m.reasons
  const ci = report.intervals
  const level = `${Math.round(report.level * 100)} %`
  const lines: string[] = []
  lines.push(`backtest: ${meta.strategy} ${paramsText(meta.params)} (seed ${meta.seed})`)
  lines.push(`period:   ${iso(meta.periodStart) ?? '–'} .. ${iso(meta.periodEnd) ?? '–'}`)
  lines.push(`inputs:   ${meta.inputs.join(', ') || '–'}`)
  lines.push(
    `markets:  ${meta.markets}; matches traded: ${report.matches}; bankroll ${money(meta.bankroll)}`,
  )
  const byType = Object.entries(report.signalsByType)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  lines.push(`signals:  ${report.totalSignals}${byType === '' ? '' : ` (${byType})`}`)
  lines.push('')
  if (report.caveats.length > 0) {
    lines.push('CAVEATS (read before any figure):')
    for (const caveat of report.caveats) lines.push(`  - ${caveat}`)
    lines.push('')
  }
  lines.push(
    `trades taken          ${m.trades} (${m.wins} won, ${m.losses} lost, ${m.breakeven} even)`,
  )
  lines.push(`win rate              ${withReason(pct(m.winRate), r.winRate)}`)
  lines.push(`total profit          ${money(m.totalProfit)} (fees ${money(m.fees)})`)
  lines.push(`average profit        ${withReason(money(m.avgProfit), r.avgProfit)}`)
  lines.push(
    `Sharpe per trade      ${withReason(fixed(m.sharpePerTrade), r.sharpePerTrade)}  [mean/sd of return on cost, not annualised]`,
  )
  lines.push(
    `Sharpe daily          ${withReason(fixed(m.sharpeDaily), r.sharpeDaily)}  [over ${m.tradingDays} UTC day(s) with trades, not annualised]`,
  )
  lines.push(`Sortino per trade     ${withReason(fixed(m.sortino), r.sortino)}`)
  lines.push(
    `max drawdown          ${money(m.maxDrawdown)} / ${withReason(pct(m.maxDrawdownPct, 2), r.maxDrawdownPct)} of peak equity; longest losing streak ${m.longestLosingStreak}`,
  )
  lines.push(`profit factor         ${withReason(fixed(m.profitFactor), r.profitFactor)}`)
  lines.push(
    `expectancy            ${withReason(money(m.expectancy), r.expectancy)} per trade (${withReason(pct(m.expectancyReturn, 2), r.expectancyReturn)} of cost)`,
  )
  lines.push(
    `avg reversion time    ${withReason(m.avgReversionS === null ? '–' : `${m.avgReversionS.toFixed(1)} s`, r.avgReversionS)} (${m.reverted} of ${m.trades} reverted)`,
  )
  lines.push(
    `Kelly fraction        ${withReason(fixed(m.kellyFraction, 3), r.kellyFraction)}  [W − (1−W)/R, R = ${fixed(m.payoffRatio)}]`,
  )
  lines.push(
    `recommended bet       ${withReason(money(m.recommendedBet), r.recommendedBet)}  [half-Kelly of ${money(meta.bankroll)}, floored at 0]`,
  )
  lines.push('')
  lines.push(
    `${level} intervals (bootstrap clustered by match, ${report.matches} match(es), ${report.resamples} resamples):`,
  )
  lines.push(`  average profit     ${intervalText(ci.avgProfitUsd, usdFloat)}`)
  lines.push(`  total profit       ${intervalText(ci.totalProfitUsd, usdFloat)}`)
  lines.push(`  win rate           ${intervalText(ci.winRate, (v) => pct(v))}`)
  lines.push(`  Sharpe per trade   ${intervalText(ci.sharpePerTrade, (v) => v.toFixed(2))}`)
  lines.push('')
  lines.push('EXTRAPOLATION (a short sample scaled to a year, not a result):')
  lines.push(
    `  annualised daily Sharpe ×√365  ${withReason(fixed(m.annualisedSharpe), r.annualisedSharpe)}`,
  )
  lines.push(
    `  annualised profit              ${withReason(money(m.annualisedProfit === null ? null : Math.round(m.annualisedProfit)), r.annualisedProfit)}`,
  )
  lines.push(...groupTable('by substrategy (game event before the signal)', report.bySubstrategy))
  lines.push(...groupTable('by score bucket', report.byScoreBucket))
  lines.push(...groupTable('by exit reason', report.byExitReason))
  if (report.latencySensitivity) {
    lines.push('', 'latency sensitivity:')
    lines.push(
      `  ${pad('latency', 10)}${pad('trades', 7, true)}${pad('total', 13, true)}${pad('win rate', 10, true)}`,
    )
    for (const row of report.latencySensitivity)
      lines.push(
        `  ${pad(`${row.latencyMs} ms`, 10)}${pad(String(row.trades), 7, true)}${pad(money(row.totalProfit), 13, true)}${pad(pct(row.winRate, 0), 10, true)}`,
      )
  }
  if (report.sweep) {
    lines.push(
      '',
      'parameter sweep (in = fitted on these matches; only "out" rows estimate skill):',
    )
    for (const row of report.sweep)
      lines.push(
        `  ${pad(row.sample === 'in' ? 'in-sample' : 'OUT-of-sample', 14)}${pad(String(row.trades), 6, true)}` +
          `${pad(money(row.totalProfit), 13, true)}${pad(fixed(row.sharpePerTrade), 8, true)}  ${paramsText(sortKeys(row.params) as Record<string, unknown>)}`,
      )
  }
  lines.push('')
  for (const note of report.notes) lines.push(`note: ${note}`)
  return `${lines.join('\n')}\n`
}
