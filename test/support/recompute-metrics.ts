/**
 * An independent, deliberately naive recomputation of the backtest report's figures from the
 * JSON document alone (its `trade_list` and `bankroll_micros`), following the definitions in
 * docs/BACKTEST_REPORT.md. It shares no code with src/domain/backtest/metrics.ts: plain loops,
 * day keys from the ISO exit time, costs from the printed entry price and size. Tests compare
 * its results with the report's own figures.
 */

export type TradeRow = {
  id: number
  match: string
  substrategy: string | null
  score: number
  entry_ts: number
  exit_ts: number
  exit_time: string
  entry_price: number
  size: number
  profit_micros: number
  fees_micros: number
  reversion_s: number | null
}

export type Recomputed = {
  trades: number
  wins: number
  losses: number
  win_rate: number | null
  total_profit_micros: number
  avg_profit: number | null
  fees_micros: number
  sharpe_per_trade: number | null
  sharpe_daily: number | null
  sortino: number | null
  max_drawdown_micros: number
  max_drawdown_pct: number | null
  longest_losing_streak: number
  profit_factor: number | null
  expectancy: number | null
  avg_reversion_s: number | null
  kelly_fraction: number | null
  recommended_bet_micros: number | null
  by_substrategy: Record<string, { trades: number; total_profit_micros: number }>
  by_score_bucket: Record<string, { trades: number; total_profit_micros: number }>
}

function average(xs: number[]): number {
  let total = 0
  for (let i = 0; i < xs.length; i++) total = total + xs[i]!
  return total / xs.length
}

/** mean / sample sd, or null for fewer than two values or (near) zero spread. */
function sharpe(xs: number[]): number | null {
  if (xs.length < 2) return null
  const m = average(xs)
  let squares = 0
  for (const x of xs) squares = squares + (x - m) ** 2
  const sd = Math.sqrt(squares / (xs.length - 1))
  let biggest = 0
  for (const x of xs) biggest = Math.max(biggest, Math.abs(x))
  if (sd <= biggest * 1e-12) return null
  return m / sd
}

function bucketOf(score: number): string {
  if (score < 0 || score > 1) return 'outside [0,1]'
  if (score >= 0.9) return '[0.9,1.0]'
  if (score >= 0.8) return '[0.8,0.9)'
  if (score >= 0.7) return '[0.7,0.8)'
  return '[0,0.7)'
}

export function recomputeFromJson(document: {
  bankroll_micros: number
  trade_list: TradeRow[]
}): Recomputed {
  const rows = [...document.trade_list]
  // Equity order: exit time, entry time, id.
  rows.sort((a, b) => {
    if (a.exit_ts !== b.exit_ts) return a.exit_ts < b.exit_ts ? -1 : 1
    if (a.entry_ts !== b.entry_ts) return a.entry_ts < b.entry_ts ? -1 : 1
    return a.id - b.id
  })
  const n = rows.length
  const returns: number[] = []
  const winReturns: number[] = []
  const lossReturns: number[] = []
  let wins = 0
  let losses = 0
  let total = 0
  let fees = 0
  let won = 0
  let lost = 0
  const days: Record<string, number> = {}
  const reversions: number[] = []
  for (const row of rows) {
    const costMicros = row.entry_price * row.size * 1e6
    const r = row.profit_micros / costMicros
    returns.push(r)
    total += row.profit_micros
    fees += row.fees_micros
    if (row.profit_micros > 0) {
      wins++
      won += row.profit_micros
      winReturns.push(r)
    }
    if (row.profit_micros < 0) {
      losses++
      lost += -row.profit_micros
      lossReturns.push(r)
    }
    const day = row.exit_time.slice(0, 10)
    days[day] = (days[day] ?? 0) + row.profit_micros
    if (row.reversion_s !== null) reversions.push(row.reversion_s)
  }

  let sortino: number | null = null
  if (n >= 2) {
    let downside = 0
    for (const r of returns) if (r < 0) downside += r * r
    if (downside > 0) sortino = average(returns) / Math.sqrt(downside / n)
  }

  let equity = document.bankroll_micros
  let peak = equity
  let maxDrawdown = 0
  let maxDrawdownPct: number | null = null
  let streak = 0
  let longest = 0
  for (const row of rows) {
    equity += row.profit_micros
    peak = Math.max(peak, equity)
    maxDrawdown = Math.max(maxDrawdown, peak - equity)
    if (peak > 0) maxDrawdownPct = Math.max(maxDrawdownPct ?? 0, (peak - equity) / peak)
    streak = row.profit_micros < 0 ? streak + 1 : 0
    longest = Math.max(longest, streak)
  }

  let kelly: number | null = null
  if (wins > 0 && losses > 0) {
    const ratio = average(winReturns) / Math.abs(average(lossReturns))
    kelly = wins / n - (1 - wins / n) / ratio
  }

  const bySub: Record<string, { trades: number; total_profit_micros: number }> = {}
  const byBucket: Record<string, { trades: number; total_profit_micros: number }> = {}
  for (const row of rows) {
    const sub = row.substrategy ?? '(no game event)'
    bySub[sub] ??= { trades: 0, total_profit_micros: 0 }
    bySub[sub].trades++
    bySub[sub].total_profit_micros += row.profit_micros
    const bucket = bucketOf(row.score)
    byBucket[bucket] ??= { trades: 0, total_profit_micros: 0 }
    byBucket[bucket].trades++
    byBucket[bucket].total_profit_micros += row.profit_micros
  }

  return {
    trades: n,
    wins,
    losses,
    win_rate: n === 0 ? null : wins / n,
    total_profit_micros: total,
    avg_profit: n === 0 ? null : total / n / 1e6,
    fees_micros: fees,
    sharpe_per_trade: sharpe(returns),
    sharpe_daily: sharpe(Object.values(days)),
    sortino,
    max_drawdown_micros: maxDrawdown,
    max_drawdown_pct: n === 0 ? null : maxDrawdownPct,
    longest_losing_streak: longest,
    profit_factor: n === 0 || lost === 0 ? null : won / lost,
    expectancy:
      n === 0
        ? null
        : ((wins / n) * (wins ? won / wins : 0) - (losses / n) * (losses ? lost / losses : 0)) /
          1e6,
    avg_reversion_s: reversions.length === 0 ? null : average(reversions),
    kelly_fraction: kelly,
    recommended_bet_micros:
      kelly === null ? null : Math.round(Math.max(0, kelly / 2) * document.bankroll_micros),
    by_substrategy: bySub,
    by_score_bucket: byBucket,
  }
}
