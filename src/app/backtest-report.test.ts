import { describe, expect, test } from 'vitest'
import { fixtureInput } from '../../test/support/backtest-fixture.js'
import { recomputeFromJson, type TradeRow } from '../../test/support/recompute-metrics.js'
import type { ClosedTrade } from '../domain/backtest/types.js'
import type { UsdcMicros } from '../domain/units.js'
import {
  buildBacktestReport,
  reportHtml,
  reportJson,
  reportText,
  type BacktestReportInput,
} from './backtest-report.js'

const RESAMPLES = 200

type ReportDocument = Record<string, unknown> & {
  bankroll_micros: number
  trade_list: TradeRow[]
  null_reasons: Record<string, string>
  confidence_intervals: Record<string, { low: number | null; reason: string | null }>
  by_substrategy: { key: string; trades: number; total_profit_micros: number }[]
  by_score_bucket: { key: string; trades: number; total_profit_micros: number }[]
}

function jsonOf(input: BacktestReportInput): ReportDocument {
  return JSON.parse(
    reportJson(buildBacktestReport(input, { resamples: RESAMPLES })),
  ) as ReportDocument
}

function withTrades(trades: ClosedTrade[]): BacktestReportInput {
  return { ...fixtureInput(), trades, prices: [], latencySensitivity: undefined, sweep: undefined }
}

describe('JSON report', () => {
  test('the same input and seed give byte-identical JSON, whatever the trade order', () => {
    const input = fixtureInput()
    const one = reportJson(buildBacktestReport(input, { resamples: RESAMPLES }))
    const two = reportJson(buildBacktestReport(fixtureInput(), { resamples: RESAMPLES }))
    const reversed = reportJson(
      buildBacktestReport(
        {
          ...input,
          trades: [...input.trades].reverse(),
          meta: { ...input.meta, params: { timeoutS: 180, latencyMs: 250, threshold: 0.7 } },
        },
        { resamples: RESAMPLES },
      ),
    )
    expect(two).toBe(one)
    expect(reversed).toBe(one)
    const otherSeed = reportJson(
      buildBacktestReport(
        { ...input, meta: { ...input.meta, seed: 43 } },
        { resamples: RESAMPLES },
      ),
    )
    expect(otherSeed).not.toBe(one)
  })

  test('has every figure the issue asks for, money in USD and micros', () => {
    const doc = jsonOf(fixtureInput())
    for (const key of [
      'total_signals',
      'trades',
      'win_rate',
      'avg_profit',
      'total_profit',
      'sharpe_per_trade',
      'sharpe_daily',
      'sortino',
      'max_drawdown',
      'profit_factor',
      'expectancy',
      'avg_reversion_s',
      'kelly_fraction',
      'recommended_bet',
      'by_substrategy',
      'by_score_bucket',
      'trade_list',
    ]) {
      expect(doc, key).toHaveProperty(key)
    }
    expect(doc.total_signals).toBe(97)
    expect(doc.trades).toBe(42)
    expect(doc.total_profit).toBe((doc.total_profit_micros as number) / 1e6)
    expect(doc.extrapolated).toMatchObject({ is_extrapolation: true })
    const row = doc.trade_list[0] as unknown as Record<string, unknown>
    for (const key of [
      'market',
      'token_id',
      'side',
      'entry_ts',
      'exit_ts',
      'entry_price',
      'exit_price',
      'size',
      'fees',
      'profit',
    ])
      expect(row, key).toHaveProperty(key)
  })

  test('every figure agrees with an independent recomputation from trade_list', () => {
    const doc = jsonOf(fixtureInput())
    const again = recomputeFromJson(doc)
    expect(again.trades).toBe(doc.trades)
    expect(again.wins).toBe(doc.wins)
    expect(again.total_profit_micros).toBe(doc.total_profit_micros)
    expect(again.fees_micros / 1e6).toBeCloseTo(doc.fees as number, 6)
    expect(again.max_drawdown_micros).toBe(doc.max_drawdown_micros)
    expect(again.longest_losing_streak).toBe(doc.longest_losing_streak)
    expect(again.recommended_bet_micros).toBe(doc.recommended_bet_micros)
    const close: [keyof typeof again, string][] = [
      ['win_rate', 'win_rate'],
      ['avg_profit', 'avg_profit'],
      ['sharpe_per_trade', 'sharpe_per_trade'],
      ['sharpe_daily', 'sharpe_daily'],
      ['sortino', 'sortino'],
      ['max_drawdown_pct', 'max_drawdown_pct'],
      ['profit_factor', 'profit_factor'],
      ['expectancy', 'expectancy'],
      ['avg_reversion_s', 'avg_reversion_s'],
      ['kelly_fraction', 'kelly_fraction'],
    ]
    for (const [mine, theirs] of close) {
      expect(again[mine], mine).not.toBeNull()
      expect(again[mine] as number, mine).toBeCloseTo(doc[theirs] as number, 5)
    }
    for (const row of doc.by_substrategy) {
      expect(again.by_substrategy[row.key], row.key).toEqual({
        trades: row.trades,
        total_profit_micros: row.total_profit_micros,
      })
    }
    for (const row of doc.by_score_bucket) {
      expect(again.by_score_bucket[row.key] ?? { trades: 0, total_profit_micros: 0 }).toEqual({
        trades: row.trades,
        total_profit_micros: row.total_profit_micros,
      })
    }
  })

  test('no trades: figures null with reasons, no interval, never NaN or Infinity', () => {
    const report = buildBacktestReport(withTrades([]), { resamples: RESAMPLES })
    const json = reportJson(report)
    const doc = JSON.parse(json) as ReportDocument
    expect(doc).toMatchObject({
      trades: 0,
      win_rate: null,
      sharpe_per_trade: null,
      kelly_fraction: null,
      profit_factor: null,
    })
    expect(doc.null_reasons).toMatchObject({ win_rate: 'no trades', profit_factor: 'no trades' })
    expect(doc.confidence_intervals.avg_profit).toMatchObject({
      low: null,
      reason: 'no observations',
    })
    for (const text of [json, reportText(report), reportHtml(report)])
      expect(text).not.toMatch(/NaN|Infinity/)
    expect(reportText(report)).toMatch(/no trades were taken/)
  })

  test('one match: estimates but no clustered interval, and the report says so', () => {
    const trades = fixtureInput().trades.filter((t) => t.match === 'vct-emea-fnc-vs-th')
    const report = buildBacktestReport(withTrades(trades), { resamples: RESAMPLES })
    const doc = JSON.parse(reportJson(report)) as ReportDocument
    expect(doc.confidence_intervals.win_rate!.low).toBeNull()
    expect(doc.confidence_intervals.win_rate!.reason).toMatch(/only 1 match/)
    expect(reportText(report)).toMatch(/no interval: only 1 match/)
    expect(reportText(report)).toMatch(/1 match\(es\) traded: no bootstrap confidence interval/)
    expect(reportHtml(report)).toMatch(/only 1 match \(cluster\)/)
  })

  test('no losing trades: profit factor and Kelly are null with their reasons', () => {
    const trades = fixtureInput().trades.filter((t) => t.profit > 0)
    const doc = jsonOf(withTrades(trades))
    expect(doc.profit_factor).toBeNull()
    expect(doc.null_reasons.profit_factor).toBe('no losing trades: gross loss is 0')
    expect(doc.recommended_bet).toBeNull()
    expect(doc.null_reasons.kelly_fraction).toMatch(/no losing trades/)
  })
})

describe('input validation', () => {
  const base = fixtureInput()
  const first = base.trades[0]!
  const cases: [string, BacktestReportInput, RegExp][] = [
    [
      'bankroll',
      { ...base, meta: { ...base.meta, bankroll: 0 as UsdcMicros } },
      /bankroll must be a positive/,
    ],
    ['seed', { ...base, meta: { ...base.meta, seed: 1.5 } }, /seed must be a whole number/],
    ['duplicate id', { ...base, trades: [first, first] }, /trade 1 appears twice/],
    [
      'size',
      { ...base, trades: [{ ...first, size: 0 as ClosedTrade['size'] }] },
      /trade 1 has size 0/,
    ],
    ['entry price', { ...base, trades: [{ ...first, entryPrice: 0 }] }, /entry price 0 ticks/],
    [
      'exit price',
      { ...base, trades: [{ ...first, exitPrice: 12_000 }] },
      /exit price 12000 ticks/,
    ],
    [
      'profit',
      { ...base, trades: [{ ...first, profit: 0.5 as UsdcMicros }] },
      /profit 0.5; it must be whole micros/,
    ],
    ['fees', { ...base, trades: [{ ...first, fees: -1 as UsdcMicros }] }, /fees -1/],
    [
      'times',
      { ...base, trades: [{ ...first, exitTs: (first.entryTs - 1) as ClosedTrade['exitTs'] }] },
      /before its entry/,
    ],
    ['score', { ...base, trades: [{ ...first, score: Number.NaN }] }, /non-finite score/],
    ['reversion', { ...base, trades: [{ ...first, reversionS: -3 }] }, /reversion time -3/],
    ['match', { ...base, trades: [{ ...first, match: '' }] }, /has no match key/],
    [
      'period',
      { ...base, meta: { ...base.meta, periodEnd: 1 as ClosedTrade['exitTs'] } },
      /period ends/,
    ],
    ['signals', { ...base, totalSignals: -1 }, /totalSignals/],
  ]
  test.each(cases)('rejects a bad %s with a message naming it', (_name, input, message) => {
    expect(() => buildBacktestReport(input)).toThrow(message)
  })

  test('rejects a bad resample count', () => {
    expect(() => buildBacktestReport(base, { resamples: 0 })).toThrow(
      /resamples must be a positive/,
    )
  })
})

describe('text report', () => {
  test('labels the Sharpe figures and flags extrapolations', () => {
    const text = reportText(buildBacktestReport(fixtureInput(), { resamples: RESAMPLES }))
    expect(text).toMatch(
      /Sharpe per trade +-?\d+\.\d\d +\[mean\/sd of return on cost, not annualised\]/,
    )
    expect(text).toMatch(/Sharpe daily .*over 2 UTC day\(s\) with trades, not annualised/)
    expect(text).toMatch(/EXTRAPOLATION/)
    expect(text).toMatch(/trades taken +42/)
    expect(text).toMatch(/recommended bet .*half-Kelly of \$1,000\.00/)
    expect(text).toMatch(/OUT-of-sample/)
    expect(text).toMatch(/^ +round_loss +11 /m)
    expect(text.endsWith('\n')).toBe(true)
  })
})

/** Rows of the `<tbody>` of the table with `id`, each as its cells' text. */
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html)
  expect(table, `table ${id}`).not.toBeNull()
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table![1]!)![1]!
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
      c[1]!.replace(/<[^>]+>/g, '').trim(),
    ),
  )
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length
}

describe('HTML report', () => {
  const input = fixtureInput()
  const html = reportHtml(buildBacktestReport(input, { resamples: RESAMPLES }))

  test('self-contained: no scripts, no external assets', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/)
    const urls = [...html.matchAll(/https?:\/\/[^\s"']+/g)].map((m) => m[0])
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']))
  })

  test('charts: equity, drawdown and one price chart per traded token, with trade markers', () => {
    expect(count(html, /<svg /g)).toBe(2 + 6)
    expect(count(html, /<\/svg>/g)).toBe(8)
    expect(html).toMatch(/aria-label="Equity \(realised at each exit\)"/)
    expect(html).toMatch(/aria-label="Drawdown from the running peak"/)
    // An entry and an exit marker for every trade.
    expect(count(html, /class="marker"/g)).toBe(2 * input.trades.length)
    expect(count(html, /<polyline /g)).toBe(2 + 6)
  })

  test('tags are balanced', () => {
    for (const tag of ['table', 'tr', 'tbody', 'thead', 'svg', 'ul', 'div']) {
      expect(count(html, new RegExp(`<${tag}[ >]`, 'g')), tag).toBe(
        count(html, new RegExp(`</${tag}>`, 'g')),
      )
    }
  })

  test('breakdown tables hold the right rows', () => {
    expect(tableRows(html, 'by-substrategy').map((r) => [r[0], r[1]])).toEqual([
      ['clutch_loss', '10'],
      ['map_loss', '11'],
      ['round_loss', '11'],
      ['(no game event)', '10'],
    ])
    expect(tableRows(html, 'by-score-bucket').map((r) => r[0])).toEqual([
      '[0.7,0.8)',
      '[0.8,0.9)',
      '[0.9,1.0]',
    ])
    const buckets = tableRows(html, 'by-score-bucket').map((r) => Number(r[1]))
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(42)
    expect(tableRows(html, 'trade-list')).toHaveLength(42)
    expect(tableRows(html, 'latency').map((r) => r[0])).toEqual([
      '0 ms',
      '250 ms',
      '1000 ms',
      '3000 ms',
    ])
    expect(tableRows(html, 'sweep').map((r) => r[0])).toEqual([
      'in-sample',
      'in-sample',
      'out-of-sample',
    ])
    const figures = tableRows(html, 'figures').map((r) => r[0])
    for (const name of [
      'win rate',
      'Sharpe (per trade)',
      'Sharpe (daily)',
      'Sortino (per trade)',
      'max drawdown',
      'profit factor',
      'Kelly fraction',
      'recommended bet',
    ])
      expect(figures).toContain(name)
    expect(tableRows(html, 'extrapolated').map((r) => r[0])).toEqual([
      'annualised daily Sharpe',
      'annualised profit',
    ])
  })

  test('undefined figures show their reason; untrusted text is escaped', () => {
    const page = reportHtml(
      buildBacktestReport(
        { ...withTrades([]), meta: { ...input.meta, strategy: '<script>x</script>' } },
        { resamples: RESAMPLES },
      ),
    )
    expect(page).not.toMatch(/<script>/)
    expect(page).toMatch(/&lt;script&gt;/)
    expect(page).toMatch(/<span class="why">no trades<\/span>/)
    expect(page).toMatch(/No trades to mark/)
    expect(page).toMatch(/no data to plot/)
  })
})
