/**
 * The HTML form of the backtest report: one self-contained page (inline CSS and SVG, no scripts,
 * no external assets, dark theme) with the figures, intervals, extrapolations, equity and
 * drawdown charts, trade markers on price, the breakdown tables and the trade list.
 */
import type { GroupRow } from '../domain/backtest/metrics.js'
import type { ClosedTrade } from '../domain/backtest/types.js'
import type { BootstrapInterval } from '../domain/stats/bootstrap.js'
import { escapeHtml, THEME, timeChartSvg, type Marker, type Segment } from './backtest-charts.js'
import { fixed, iso, money, paramsText, pct, sortKeys, usdFloat } from './backtest-report-format.js'
import type { BacktestReport } from './backtest-report.js'

function cell(text: string, title?: string): string {
  return title === undefined
    ? `<td>${escapeHtml(text)}</td>`
    : `<td title="${escapeHtml(title)}">${escapeHtml(text)}<sup>?</sup></td>`
}

function groupTableHtml(id: string, title: string, rows: readonly GroupRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.key)}</th>${cell(String(r.trades))}` +
        `${cell(pct(r.winRate, 0), r.reasons.winRate)}${cell(money(r.totalProfit))}` +
        `${cell(money(r.avgProfit), r.reasons.avgProfit)}${cell(fixed(r.sharpePerTrade), r.reasons.sharpePerTrade)}` +
        `${cell(fixed(r.profitFactor), r.reasons.profitFactor)}${cell(money(r.fees))}</tr>`,
    )
    .join('\n')
  return `<h2>${escapeHtml(title)}</h2>
<table id="${id}">
<thead><tr><th></th><th>trades</th><th>win rate</th><th>total profit</th><th>average</th><th>Sharpe / trade</th><th>profit factor</th><th>fees</th></tr></thead>
<tbody>
${body}
</tbody>
</table>`
}

function figureRow(name: string, value: string, reason: string | undefined, note = ''): string {
  const shown =
    reason === undefined ? escapeHtml(value) : `– <span class="why">${escapeHtml(reason)}</span>`
  return `<tr><th scope="row">${escapeHtml(name)}</th><td>${shown}</td><td class="note">${escapeHtml(note)}</td></tr>`
}

function intervalHtml(name: string, ci: BootstrapInterval, format: (v: number) => string): string {
  const text = ci.low === null || ci.high === null ? null : `${format(ci.low)} … ${format(ci.high)}`
  const estimate = ci.estimate === null ? '–' : format(ci.estimate)
  return `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(estimate)}</td><td>${text === null ? `<span class="why">${escapeHtml(ci.reason ?? 'undefined')}</span>` : escapeHtml(text)}</td></tr>`
}

const MAX_PRICE_CHARTS = 8

/** Trade markers on the price of each traded token (up to eight tokens, most trades first). */
function priceChartsHtml(report: BacktestReport): string {
  const byToken = new Map<string, ClosedTrade[]>()
  for (const t of report.trades) {
    const list = byToken.get(t.tokenId) ?? []
    list.push(t)
    byToken.set(t.tokenId, list)
  }
  const tokens = [...byToken.entries()].sort(
    (a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  )
  if (tokens.length === 0) return '<p class="muted">No trades to mark.</p>'
  const charts = tokens.slice(0, MAX_PRICE_CHARTS).map(([tokenId, trades]) => {
    const series = report.prices.find((p) => p.tokenId === tokenId)
    const markers: Marker[] = []
    const segments: Segment[] = []
    for (const t of trades) {
      const colour = t.profit > 0 ? THEME.win : t.profit < 0 ? THEME.loss : THEME.flat
      const entry = t.entryPrice / 10_000
      const exit = t.exitPrice / 10_000
      markers.push({
        ts: t.entryTs,
        value: entry,
        shape: 'up',
        colour,
        title: `#${t.id} buy ${(t.size / 1e6).toFixed(2)} @ ${entry.toFixed(4)} (${t.substrategy ?? 'no event'}, score ${t.score.toFixed(2)})`,
      })
      markers.push({
        ts: t.exitTs,
        value: exit,
        shape: 'circle',
        colour,
        title: `#${t.id} exit @ ${exit.toFixed(4)} (${t.exitReason}), profit ${money(t.profit)}`,
      })
      segments.push({ from: [t.entryTs, entry], to: [t.exitTs, exit], colour })
    }
    const label = `${trades[0]?.match ?? ''} · token ${tokenId.length > 14 ? `${tokenId.slice(0, 6)}…${tokenId.slice(-6)}` : tokenId} · ${trades.length} trade(s)${series === undefined ? ' · no price series given' : ''}`
    return timeChartSvg({
      label,
      yLabel: 'price (mid)',
      series:
        series === undefined ? [] : [{ points: series.points, colour: THEME.line, width: 1.2 }],
      markers,
      segments,
      formatY: (v) => v.toFixed(3),
      height: 240,
    })
  })
  const more =
    tokens.length > MAX_PRICE_CHARTS
      ? `<p class="muted">${tokens.length - MAX_PRICE_CHARTS} more token(s) not plotted; see the trade list.</p>`
      : ''
  return `${charts.join('\n')}\n${more}`
}

/** `2026-06-06 16:01:30` (UTC) for the trade table; the full ISO time is the cell's title. */
function shortTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function tradeListHtml(trades: readonly ClosedTrade[]): string {
  const rows = trades
    .map((t) => {
      const cls = t.profit > 0 ? 'win' : t.profit < 0 ? 'loss' : ''
      return (
        `<tr class="${cls}"><td>${t.id}</td><td class="id" title="${escapeHtml(t.match)}">${escapeHtml(t.match)}</td><td class="id" title="${escapeHtml(t.tokenId)}">${escapeHtml(t.tokenId)}</td>` +
        `<td>${escapeHtml(t.substrategy ?? '–')}</td><td>${t.score.toFixed(2)}</td>` +
        `<td title="${iso(t.entryTs) ?? ''}">${shortTime(t.entryTs)}</td><td title="${iso(t.exitTs) ?? ''}">${shortTime(t.exitTs)}</td>` +
        `<td>${(t.entryPrice / 10_000).toFixed(4)}</td><td>${(t.exitPrice / 10_000).toFixed(4)}</td>` +
        `<td>${(t.size / 1e6).toFixed(2)}</td><td>${money(t.fees)}</td><td>${money(t.profit)}</td><td>${escapeHtml(t.exitReason)}</td></tr>`
      )
    })
    .join('\n')
  return `<table id="trade-list">
<thead><tr><th>#</th><th>match</th><th>token</th><th>substrategy</th><th>score</th><th>entry (UTC)</th><th>exit (UTC)</th><th>entry</th><th>exit</th><th>shares</th><th>fees</th><th>profit</th><th>exit reason</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}

/** The self-contained HTML page (dark theme, inline SVG, no external assets). */
export function reportHtml(report: BacktestReport): string {
  const m = report.metrics
  const r = m.reasons
  const meta = report.meta
  const ci = report.intervals
  const level = `${Math.round(report.level * 100)} %`
  // No trades, no curve: a lone bankroll point would look like a result.
  const startTs = report.trades[0]?.entryTs ?? null
  const equityPoints: [number, number][] = []
  if (startTs !== null && startTs !== undefined) equityPoints.push([startTs, meta.bankroll / 1e6])
  for (const p of m.equity) equityPoints.push([p.ts, p.equity / 1e6])
  const drawdownPoints: [number, number][] = []
  if (startTs !== null && startTs !== undefined) drawdownPoints.push([startTs, 0])
  for (const p of m.equity) drawdownPoints.push([p.ts, -(p.drawdown as number) / 1e6])
  const usdAxis = (v: number): string => money(Math.round(v * 1e6))
  const equitySvg = timeChartSvg({
    label: 'Equity (realised at each exit)',
    yLabel: 'equity (USD)',
    series: [{ points: equityPoints, colour: THEME.equity, step: true, width: 2 }],
    reference: meta.bankroll / 1e6,
    formatY: usdAxis,
  })
  const drawdownSvg = timeChartSvg({
    label: 'Drawdown from the running peak',
    yLabel: 'drawdown (USD)',
    series: [{ points: drawdownPoints, colour: THEME.drawdown, step: true, fillToZero: true }],
    includeY: [0],
    formatY: usdAxis,
    height: 180,
  })
  const signalsByType = Object.entries(report.signalsByType)
    .map(([k, v]) => `${escapeHtml(k)} ${v}`)
    .join(', ')
  const figures = [
    figureRow(
      'trades taken',
      `${m.trades} (${m.wins} won, ${m.losses} lost, ${m.breakeven} even)`,
      undefined,
      `of ${report.totalSignals} signals`,
    ),
    figureRow('win rate', pct(m.winRate), r.winRate),
    figureRow('total profit', money(m.totalProfit), undefined, `after ${money(m.fees)} fees`),
    figureRow('average profit', money(m.avgProfit), r.avgProfit, 'per trade'),
    figureRow(
      'Sharpe (per trade)',
      fixed(m.sharpePerTrade),
      r.sharpePerTrade,
      'mean / sd of return on cost; not annualised',
    ),
    figureRow(
      'Sharpe (daily)',
      fixed(m.sharpeDaily),
      r.sharpeDaily,
      `over ${m.tradingDays} UTC day(s) with trades; not annualised`,
    ),
    figureRow(
      'Sortino (per trade)',
      fixed(m.sortino),
      r.sortino,
      'mean return / downside deviation',
    ),
    figureRow(
      'max drawdown',
      money(m.maxDrawdown),
      undefined,
      'from the running peak of realised equity',
    ),
    figureRow('max drawdown %', pct(m.maxDrawdownPct, 2), r.maxDrawdownPct, 'of the running peak'),
    figureRow(
      'longest losing streak',
      String(m.longestLosingStreak),
      undefined,
      'consecutive losing trades',
    ),
    figureRow('profit factor', fixed(m.profitFactor), r.profitFactor, 'gross profit / gross loss'),
    figureRow(
      'expectancy',
      money(m.expectancy),
      r.expectancy,
      `per trade; ${pct(m.expectancyReturn, 2)} of cost`,
    ),
    figureRow(
      'average reversion time',
      m.avgReversionS === null ? '–' : `${m.avgReversionS.toFixed(1)} s`,
      r.avgReversionS,
      `${m.reverted} of ${m.trades} trades reverted`,
    ),
    figureRow(
      'Kelly fraction',
      fixed(m.kellyFraction, 3),
      r.kellyFraction,
      `W − (1−W)/R with R = ${fixed(m.payoffRatio)}`,
    ),
    figureRow(
      'recommended bet',
      money(m.recommendedBet),
      r.recommendedBet,
      `half-Kelly of ${money(meta.bankroll)}, floored at 0`,
    ),
  ].join('\n')
  const extrapolated = [
    figureRow(
      'annualised daily Sharpe',
      fixed(m.annualisedSharpe),
      r.annualisedSharpe,
      'daily Sharpe × √365',
    ),
    figureRow(
      'annualised profit',
      money(m.annualisedProfit === null ? null : Math.round(m.annualisedProfit)),
      r.annualisedProfit,
      'total profit × 365 / period days',
    ),
  ].join('\n')
  const latency = report.latencySensitivity
    ? `<h2>Latency sensitivity</h2>
<table id="latency">
<thead><tr><th>latency</th><th>trades</th><th>total profit</th><th>win rate</th></tr></thead>
<tbody>
${report.latencySensitivity.map((row) => `<tr><th scope="row">${row.latencyMs} ms</th><td>${row.trades}</td><td>${money(row.totalProfit)}</td><td>${pct(row.winRate, 0)}</td></tr>`).join('\n')}
</tbody>
</table>`
    : ''
  const sweep = report.sweep
    ? `<h2>Parameter sweep (walk-forward)</h2>
<p class="muted">In-sample rows are fitted on the matches they are measured on; only out-of-sample rows estimate what the parameters would do next.</p>
<table id="sweep">
<thead><tr><th>sample</th><th>parameters</th><th>trades</th><th>total profit</th><th>Sharpe / trade</th></tr></thead>
<tbody>
${report.sweep.map((row) => `<tr class="${row.sample === 'out' ? 'out' : 'in'}"><th scope="row">${row.sample === 'out' ? 'out-of-sample' : 'in-sample'}</th><td class="id">${escapeHtml(paramsText(sortKeys(row.params) as Record<string, unknown>))}</td><td>${row.trades}</td><td>${money(row.totalProfit)}</td><td>${fixed(row.sharpePerTrade)}</td></tr>`).join('\n')}
</tbody>
</table>`
    : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tiltmeter backtest: ${escapeHtml(meta.strategy)}</title>
<style>
:root { color-scheme: dark; }
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 960px; padding: 0 16px; background: ${THEME.background}; color: ${THEME.text}; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 16px; margin: 28px 0 6px; border-bottom: 1px solid ${THEME.grid}; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid ${THEME.grid}; padding: 3px 8px; text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: ${THEME.panel}; color: ${THEME.muted}; font-weight: 600; }
tbody th { text-align: left; font-weight: 500; }
td.note, .muted { color: ${THEME.muted}; font-size: 12px; text-align: left; }
.why { color: #e0b050; font-size: 12px; }
td.id { font-family: ui-monospace, monospace; font-size: 11px; max-width: 12em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: left; }
tr.win td:nth-last-child(2) { color: ${THEME.win}; }
tr.loss td:nth-last-child(2) { color: ${THEME.loss}; }
tr.in th { color: #e0b050; }
.extrapolation { border: 1px dashed #e0b050; padding: 4px 12px 8px; margin-top: 16px; }
.extrapolation h2 { color: #e0b050; border: none; }
svg { display: block; margin: 10px 0; max-width: 100%; height: auto; border-radius: 4px; }
sup { color: #e0b050; }
.scroll { max-height: 480px; overflow: auto; }
#trade-list { font-size: 12px; }
#trade-list td, #trade-list th { white-space: nowrap; }
tr.out th { color: ${THEME.win}; }
</style>
</head>
<body>
<h1>Backtest: ${escapeHtml(meta.strategy)}</h1>
<p class="muted">Period ${escapeHtml(iso(meta.periodStart) ?? '–')} to ${escapeHtml(iso(meta.periodEnd) ?? '–')} ·
${meta.markets} market(s) · ${report.matches} match(es) traded · bankroll ${money(meta.bankroll)} · seed ${meta.seed}<br>
Parameters: ${escapeHtml(paramsText(meta.params))}<br>
Signals: ${report.totalSignals}${signalsByType === '' ? '' : ` (${signalsByType})`} · inputs: ${meta.inputs.map(escapeHtml).join(', ') || '–'}</p>
${
  report.caveats.length === 0
    ? ''
    : `<div class="extrapolation" id="caveats"><h2>Caveats: read before any figure</h2><ul>
${report.caveats.map((c) => `<li>${escapeHtml(c)}</li>`).join('\n')}
</ul></div>`
}
<h2>Summary</h2>
<table id="figures">
<tbody>
${figures}
</tbody>
</table>
<h2>${level} confidence intervals</h2>
<p class="muted">Percentile bootstrap clustered by match (whole matches resampled), ${report.resamples} resamples, ${report.matches} match(es).</p>
<table id="intervals">
<thead><tr><th></th><th>estimate</th><th>interval</th></tr></thead>
<tbody>
${intervalHtml('average profit', ci.avgProfitUsd, usdFloat)}
${intervalHtml('total profit', ci.totalProfitUsd, usdFloat)}
${intervalHtml('win rate', ci.winRate, (v) => pct(v))}
${intervalHtml('Sharpe per trade', ci.sharpePerTrade, (v) => v.toFixed(2))}
</tbody>
</table>
<div class="extrapolation">
<h2>Extrapolation, not a result</h2>
<p class="muted">These scale a short sample to a year. They assume the sample repeats unchanged, which nothing here shows.</p>
<table id="extrapolated">
<tbody>
${extrapolated}
</tbody>
</table>
</div>
<h2>Equity and drawdown</h2>
${equitySvg}
${drawdownSvg}
<h2>Trades on price</h2>
<p class="muted">▲ entry (buy), ○ exit; green won, red lost, grey even. Hover a marker for details.</p>
${priceChartsHtml(report)}
${groupTableHtml('by-substrategy', 'By substrategy (game event before the signal)', report.bySubstrategy)}
${groupTableHtml('by-score-bucket', 'By score bucket', report.byScoreBucket)}
${groupTableHtml('by-exit-reason', 'By exit reason', report.byExitReason)}
${latency}
${sweep}
<h2>Notes</h2>
<ul>
${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}
</ul>
<h2>Trades (in exit order; the JSON trade_list has every field)</h2>
<div class="scroll">
${tradeListHtml(report.trades)}
</div>
</body>
</html>
`
}
