/**
 * `tiltmeter backtest --coarse <dir>`: the coarse backtest over the Polymarket US esports quotes
 * month (top of book every ~2 minutes, no depth, no trades, settlement labels). Imports the
 * folder, runs the poll-to-poll fade (`domain/backtest/coarse/`), and reports through the
 * common backtest report with the list of what this mode cannot model at the top of the text,
 * first among the notes, and under `coarse.cannot_model` in the JSON. Breakdowns by game, by
 * contract kind and by label source carry their own clustered intervals.
 */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ImportError } from '../adapters/importers/import-error.js'
import {
  PMUS_GAMES,
  readPmusDataset,
  type PmusDataset,
  type PmusFilter,
} from '../adapters/importers/pmus-quotes.js'
import { runCoarseFade, COARSE_STRATEGY } from '../domain/backtest/coarse/fade.js'
import {
  DEFAULT_COARSE_PARAMS,
  type CoarseCounts,
  type CoarseParams,
  type CoarseTrade,
} from '../domain/backtest/coarse/types.js'
import { InvariantError } from '../domain/errors.js'
import {
  PRICE_SCALE,
  SHARE_SCALE,
  tryParsePrice,
  USDC_SCALE,
  type EpochMs,
  type ShareMicros,
  type UsdcMicros,
} from '../domain/units.js'
import { fixed, iso, money, pct, usdFloat } from './backtest-report-format.js'
import {
  buildBacktestReport,
  reportHtml,
  reportObject,
  reportText,
  type BacktestReport,
  type BacktestReportInput,
} from './backtest-report.js'
import { parseCommandArgs } from './cli-args.js'
import { UsageError, type CliIO } from './cli-io.js'

/**
 * What the coarse mode cannot model. Printed first in the text report, first among the
 * report's notes, and as `coarse.cannot_model` in the JSON.
 */
export const COARSE_CANNOT_MODEL: readonly string[] = [
  'no depth: every entry and exit fills its whole size at the quoted top-of-book price, whatever the size',
  'no trades and no volume: the SPEC signal conditions (volume, trade flow, book imbalance) cannot be evaluated; the detector sees only poll-to-poll mid moves',
  '2-minute granularity: entries and exits happen only at polls; prices between polls are unseen, so stops can gap and targets touched between polls are missed',
  'no in-play delay and no latency below the poll interval: an order is assumed to fill at the next poll’s quote, about 2 minutes after the signal',
  'Polymarket US, not the international CLOB: a different fee schedule (the fee rate here is assumed) and different participants; the complement side is assumed to trade at the mirror of the long side’s book',
  '`convergence` labels are inferred from the price going to 0 or 1 and are biased (only converged contracts have one); prefer the `api` rows of the label-source breakdown',
  'the collector outage (2026-07-17 21:26 to 07-22 14:32 UTC) and the missing source days leave holes; moves across a gap are not signals and positions held across one are flagged',
  '"in play" is inferred from price activity (mid changes in recent polls), not from a match schedule; the match-winner contract’s long side is presumably the first-named team',
]

export const COARSE_DEFAULTS = {
  bankrollUsd: 1000,
  seed: 1,
  resamples: 2000,
} as const

export type CoarseBacktestOptions = {
  readonly dir: string
  readonly filter: PmusFilter
  readonly params: CoarseParams
  readonly bankroll: UsdcMicros
  readonly seed: number
  readonly resamples: number
  readonly json: boolean
  readonly html: string | null
}

export const COARSE_USAGE = `Usage: tiltmeter backtest --coarse <dir> [options]

Coarse backtest over the Polymarket US esports quotes month (a folder holding
pmus_esports_quotes_moneyline_map.csv.gz, pmus_esports_markets.csv, pmus_esports_labels.csv).
Fades large poll-to-poll mid moves while a contract is in play, entering at the NEXT poll's
quote. It cannot model depth, trades, latency or the in-play delay: read the report's list.

Options:
  --game <g[,g…]>        games to keep: ${PMUS_GAMES.join(', ')} (repeatable; default all)
  --kind <match|map>     contract kind to keep (default both)
  --from <date>          keep polls at or after this UTC date/time (ISO 8601)
  --to <date>            keep polls before this UTC date/time
  --min-move <price>     mid move between consecutive polls that signals (default ${DEFAULT_COARSE_PARAMS.minMoveTicks / PRICE_SCALE})
  --direction <d>        panic (buy after a drop), fomo (buy the complement after a rise) or
                         both (default ${DEFAULT_COARSE_PARAMS.direction})
  --in-play-window <n>   pairs looked back over for "in play" (default ${DEFAULT_COARSE_PARAMS.inPlayWindow})
  --in-play-moves <n>    of which at least this many changed the mid (default ${DEFAULT_COARSE_PARAMS.inPlayMinMoves})
  --max-spread <price>   widest usable spread (default ${DEFAULT_COARSE_PARAMS.maxSpreadTicks / PRICE_SCALE})
  --max-gap-s <s>        polls further apart are not consecutive (default ${DEFAULT_COARSE_PARAMS.maxGapMs / 1000})
  --retrace <fraction>   exit when the bid recovers this share of the move (default ${DEFAULT_COARSE_PARAMS.retraceFraction})
  --stop <price>         exit when the bid is this far below the entry (default ${DEFAULT_COARSE_PARAMS.stopTicks / PRICE_SCALE})
  --timeout-polls <n>    exit after this many polls (default ${DEFAULT_COARSE_PARAMS.timeoutPolls}, about 30 minutes)
  --min-entry <price>    lowest entry price (default ${DEFAULT_COARSE_PARAMS.minEntryTicks / PRICE_SCALE})
  --max-entry <price>    highest entry price (default ${DEFAULT_COARSE_PARAMS.maxEntryTicks / PRICE_SCALE})
  --size <shares>        fixed size per entry (default ${DEFAULT_COARSE_PARAMS.size / SHARE_SCALE})
  --fee-bps <n>          ASSUMED taker fee rate in basis points (default ${DEFAULT_COARSE_PARAMS.feeRateBps};
                         the venue's schedule is not in the data)
  --bankroll <usd>       starting bankroll (default ${COARSE_DEFAULTS.bankrollUsd})
  --seed <n>             bootstrap seed (default ${COARSE_DEFAULTS.seed})
  --resamples <n>        bootstrap resamples (default ${COARSE_DEFAULTS.resamples})
  --json                 print the JSON report
  --html <file>          also write the HTML report
`

function numberFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
  what: string,
): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${flag} must be ${what}; got "${text}"`)
  return n
}

function priceFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const ticks = tryParsePrice(text.trim())
  if (ticks <= 0 || ticks >= PRICE_SCALE)
    throw new UsageError(
      `--${flag} must be a price strictly between 0 and 1 with at most 4 decimals; got "${text}"`,
    )
  return ticks
}

function dateFlag(flag: string, text: string | undefined): EpochMs | undefined {
  if (text === undefined) return undefined
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : /(Z|[+-]\d{2}:\d{2})$/.test(text)
      ? text
      : `${text}Z`
  const ms = Date.parse(withZone)
  if (!Number.isFinite(ms))
    throw new UsageError(`--${flag} must be an ISO 8601 date or time (UTC); got "${text}"`)
  return ms as EpochMs
}

const whole = (n: number) => Number.isSafeInteger(n)

/**
 * Parses the coarse mode's command line (`--coarse <dir>` plus the options in
 * {@link COARSE_USAGE}).
 * @throws UsageError naming the bad flag.
 */
export function coarseOptionsFromArgv(argv: readonly string[], cwd: string): CoarseBacktestOptions {
  const { values, positionals } = parseCommandArgs(argv, {
    coarse: { type: 'string' },
    game: { type: 'string', multiple: true },
    kind: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'min-move': { type: 'string' },
    direction: { type: 'string' },
    'in-play-window': { type: 'string' },
    'in-play-moves': { type: 'string' },
    'max-spread': { type: 'string' },
    'max-gap-s': { type: 'string' },
    retrace: { type: 'string' },
    stop: { type: 'string' },
    'timeout-polls': { type: 'string' },
    'min-entry': { type: 'string' },
    'max-entry': { type: 'string' },
    size: { type: 'string' },
    'fee-bps': { type: 'string' },
    bankroll: { type: 'string' },
    seed: { type: 'string' },
    resamples: { type: 'string' },
    json: { type: 'boolean' },
    html: { type: 'string' },
  })
  if (values.coarse === undefined || values.coarse === '')
    throw new UsageError('--coarse <dir> is required: the folder holding the esports quotes month')
  if (positionals.length > 0)
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; the coarse mode reads only the --coarse folder`,
    )
  const games = (values.game ?? []).flatMap((g) => g.split(',')).map((g) => g.trim())
  for (const g of games)
    if (!(PMUS_GAMES as readonly string[]).includes(g))
      throw new UsageError(`--game "${g}" is not one of ${PMUS_GAMES.join(', ')}`)
  const kind = values.kind
  if (kind !== undefined && kind !== 'match' && kind !== 'map')
    throw new UsageError(`--kind must be match or map; got "${kind}"`)
  const direction = values.direction ?? DEFAULT_COARSE_PARAMS.direction
  if (direction !== 'panic' && direction !== 'fomo' && direction !== 'both')
    throw new UsageError(`--direction must be panic, fomo or both; got "${direction}"`)
  const from = dateFlag('from', values.from)
  const to = dateFlag('to', values.to)
  if (from !== undefined && to !== undefined && to <= from)
    throw new UsageError(`--to (${values.to ?? ''}) must be after --from (${values.from ?? ''})`)
  const d = DEFAULT_COARSE_PARAMS
  const inPlayWindow = numberFlag(
    'in-play-window',
    values['in-play-window'],
    d.inPlayWindow,
    (n) => whole(n) && n >= 1 && n <= 100,
    'a whole number from 1 to 100',
  )
  const inPlayMinMoves = numberFlag(
    'in-play-moves',
    values['in-play-moves'],
    Math.min(d.inPlayMinMoves, inPlayWindow),
    (n) => whole(n) && n >= 0 && n <= inPlayWindow,
    `a whole number from 0 to the window (${inPlayWindow})`,
  )
  const minEntryTicks = priceFlag('min-entry', values['min-entry'], d.minEntryTicks)
  const maxEntryTicks = priceFlag('max-entry', values['max-entry'], d.maxEntryTicks)
  if (maxEntryTicks < minEntryTicks)
    throw new UsageError('--max-entry must not be below --min-entry')
  const sizeShares = numberFlag(
    'size',
    values.size,
    d.size / SHARE_SCALE,
    (n) => n > 0 && n <= 1e9,
    'a positive number of shares',
  )
  const params: CoarseParams = {
    minMoveTicks: priceFlag('min-move', values['min-move'], d.minMoveTicks),
    inPlayWindow,
    inPlayMinMoves,
    maxSpreadTicks: priceFlag('max-spread', values['max-spread'], d.maxSpreadTicks),
    maxGapMs:
      numberFlag(
        'max-gap-s',
        values['max-gap-s'],
        d.maxGapMs / 1000,
        (n) => whole(n) && n >= 1,
        'a whole number of seconds ≥ 1',
      ) * 1000,
    retraceFraction: numberFlag(
      'retrace',
      values.retrace,
      d.retraceFraction,
      (n) => n > 0 && n <= 1,
      'a fraction in (0, 1]',
    ),
    stopTicks: priceFlag('stop', values.stop, d.stopTicks),
    timeoutPolls: numberFlag(
      'timeout-polls',
      values['timeout-polls'],
      d.timeoutPolls,
      (n) => whole(n) && n >= 1,
      'a whole number ≥ 1',
    ),
    minEntryTicks,
    maxEntryTicks,
    direction: direction,
    size: Math.round(sizeShares * SHARE_SCALE) as ShareMicros,
    feeRateBps: numberFlag(
      'fee-bps',
      values['fee-bps'],
      d.feeRateBps,
      (n) => whole(n) && n >= 0 && n <= 10_000,
      'a whole number of basis points from 0 to 10000',
    ),
  }
  const bankrollUsd = numberFlag(
    'bankroll',
    values.bankroll,
    COARSE_DEFAULTS.bankrollUsd,
    (n) => n > 0 && n <= 1e9,
    'a positive amount of USDC',
  )
  return {
    dir: resolve(cwd, values.coarse),
    filter: {
      ...(games.length > 0 ? { games } : {}),
      ...(kind !== undefined ? { kinds: [kind] } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    },
    params,
    bankroll: Math.round(bankrollUsd * USDC_SCALE) as UsdcMicros,
    seed: numberFlag('seed', values.seed, COARSE_DEFAULTS.seed, whole, 'a whole number'),
    resamples: numberFlag(
      'resamples',
      values.resamples,
      COARSE_DEFAULTS.resamples,
      (n) => whole(n) && n >= 1 && n <= 100_000,
      'a whole number from 1 to 100000',
    ),
    json: values.json === true,
    html: values.html === undefined ? null : resolve(cwd, values.html),
  }
}

/** One row of a coarse breakdown, with the group's own clustered intervals. */
export type CoarseGroupRow = {
  readonly key: string
  readonly trades: number
  readonly matches: number
  readonly winRate: number | null
  readonly totalProfit: UsdcMicros
  readonly avgProfit: number | null
  readonly fees: UsdcMicros
  readonly report: BacktestReport
}

export type CoarseReport = {
  readonly report: BacktestReport
  readonly byGame: readonly CoarseGroupRow[]
  readonly byKind: readonly CoarseGroupRow[]
  readonly byLabelSource: readonly CoarseGroupRow[]
  /** By signal type: `coarse_drop` (panic fade) and `coarse_rise` (fomo fade). */
  readonly bySignal: readonly CoarseGroupRow[]
  readonly simulation: CoarseCounts
  readonly dataset: Pick<PmusDataset, 'counts' | 'badRows' | 'gaps' | 'firstTs' | 'lastTs'>
}

function paramsRecord(p: CoarseParams, options: CoarseBacktestOptions): Record<string, unknown> {
  return {
    min_move: p.minMoveTicks / PRICE_SCALE,
    direction: p.direction,
    in_play_window: p.inPlayWindow,
    in_play_moves: p.inPlayMinMoves,
    max_spread: p.maxSpreadTicks / PRICE_SCALE,
    max_gap_s: p.maxGapMs / 1000,
    retrace: p.retraceFraction,
    stop: p.stopTicks / PRICE_SCALE,
    timeout_polls: p.timeoutPolls,
    min_entry: p.minEntryTicks / PRICE_SCALE,
    max_entry: p.maxEntryTicks / PRICE_SCALE,
    size_shares: p.size / SHARE_SCALE,
    fee_bps_assumed: p.feeRateBps,
    games: options.filter.games ?? 'all',
    kinds: options.filter.kinds ?? 'all',
    from: options.filter.from === undefined ? null : iso(options.filter.from),
    to: options.filter.to === undefined ? null : iso(options.filter.to),
  }
}

function groupRows(
  trades: readonly CoarseTrade[],
  keyOf: (t: CoarseTrade) => string,
  base: BacktestReportInput,
  resamples: number,
): CoarseGroupRow[] {
  const groups = new Map<string, CoarseTrade[]>()
  for (const t of trades) {
    const key = keyOf(t)
    const list = groups.get(key) ?? []
    list.push(t)
    groups.set(key, list)
  }
  return [...groups.keys()].sort().map((key) => {
    const subset = (groups.get(key) as CoarseTrade[]).map((t) => t.trade)
    const report = buildBacktestReport({ ...base, trades: subset }, { resamples })
    const m = report.metrics
    return {
      key,
      trades: m.trades,
      matches: report.matches,
      winRate: m.winRate,
      totalProfit: m.totalProfit,
      avgProfit: m.avgProfit,
      fees: m.fees,
      report,
    }
  })
}

function simulationNotes(
  c: CoarseCounts,
  d: PmusDataset['counts'],
  params: CoarseParams,
): string[] {
  const skipped = Object.values(c.entriesSkipped).reduce((a, b) => a + b, 0)
  return [
    `fee rate ${params.feeRateBps} bps is ASSUMED (taker formula shares × rate × p × (1 − p)); Polymarket US publishes its own schedule, not in this data`,
    `in play: ${c.inPlayPairs} of ${c.comparablePairs} comparable poll pairs (≥ ${params.inPlayMinMoves} mid changes in the previous ${params.inPlayWindow} pairs)`,
    `${c.signals.drop + c.signals.rise} signals (${c.signals.drop} drops, ${c.signals.rise} rises); ${c.signalsWhileBusy} while a position was open; ${c.entries} entries; ${skipped} entries skipped at the next poll`,
    `${c.tradesAcrossGap} trade(s) were held across a data gap longer than ${params.maxGapMs / 1000} s`,
    `import: ${d.rows} rows, ${d.badRows} unreadable, ${d.bothSidesEmpty} with both sides empty, ${d.bidOnly + d.askOnly} one-sided, ${d.crossed} crossed (ask < bid, sides dropped); ${d.contractsWithoutLabel} of ${d.contracts} contracts have no label (labels: ${d.labels.api} api, ${d.labels.convergence} convergence)`,
  ]
}

/** Builds the report from an imported dataset (no output). */
export function buildCoarseReport(
  dataset: PmusDataset,
  options: CoarseBacktestOptions,
): CoarseReport {
  const { trades, counts } = runCoarseFade(dataset.contracts(), options.params)
  const closed = trades.map((t) => t.trade)
  // Price charts for the eight most traded tokens (a second, cheap pass over those contracts).
  const perToken = new Map<string, number>()
  for (const t of closed) perToken.set(t.tokenId, (perToken.get(t.tokenId) ?? 0) + 1)
  const charted = [...perToken.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 8)
    .map(([token]) => token)
  const prices: { tokenId: string; points: [number, number][] }[] = []
  for (const contract of dataset.contracts()) {
    for (const token of charted) {
      const complement = token === `${contract.slug}:no`
      if (token !== contract.slug && !complement) continue
      const points: [number, number][] = []
      for (const p of contract.polls) {
        if (p.bid === null || p.ask === null) continue
        const mid = (p.bid + p.ask) / 2 / PRICE_SCALE
        points.push([p.ts, complement ? 1 - mid : mid])
      }
      prices.push({ tokenId: token, points })
    }
  }
  const base: BacktestReportInput = {
    meta: {
      strategy: COARSE_STRATEGY,
      params: paramsRecord(options.params, options),
      seed: options.seed,
      inputs: [options.dir],
      periodStart: dataset.firstTs,
      periodEnd: dataset.lastTs,
      markets: dataset.counts.contracts,
      bankroll: options.bankroll,
    },
    totalSignals: counts.signals.drop + counts.signals.rise,
    signalsByType: { coarse_drop: counts.signals.drop, coarse_rise: counts.signals.rise },
    trades: closed,
  }
  const built = buildBacktestReport(
    { ...base, prices, caveats: COARSE_CANNOT_MODEL.map((n) => `CANNOT MODEL: ${n}`) },
    { resamples: options.resamples },
  )
  const report: BacktestReport = {
    ...built,
    notes: [...simulationNotes(counts, dataset.counts, options.params), ...built.notes],
  }
  return {
    report,
    byGame: groupRows(trades, (t) => t.game, base, options.resamples),
    byKind: groupRows(trades, (t) => t.kind, base, options.resamples),
    byLabelSource: groupRows(trades, (t) => t.labelSource, base, options.resamples),
    bySignal: groupRows(trades, (t) => t.trade.signalType, base, options.resamples),
    simulation: counts,
    dataset: {
      counts: dataset.counts,
      badRows: dataset.badRows,
      gaps: dataset.gaps,
      firstTs: dataset.firstTs,
      lastTs: dataset.lastTs,
    },
  }
}

function ciText(low: number | null, high: number | null, format: (v: number) => string): string {
  return low === null || high === null ? '–' : `[${format(low)}, ${format(high)}]`
}

function groupText(title: string, rows: readonly CoarseGroupRow[]): string[] {
  const out = ['', `${title} (95 % intervals clustered by match):`]
  out.push(
    `  ${'key'.padEnd(13)}${'trades'.padStart(7)}${'matches'.padStart(8)}${'win rate'.padStart(10)}` +
      `${'total'.padStart(12)}  ${'total 95 %'.padEnd(24)}${'average'.padStart(9)}  avg 95 %`,
  )
  for (const r of rows) {
    const ci = r.report.intervals
    out.push(
      `  ${r.key.padEnd(13)}${String(r.trades).padStart(7)}${String(r.matches).padStart(8)}` +
        `${pct(r.winRate, 1).padStart(10)}${money(r.totalProfit).padStart(12)}  ` +
        `${ciText(ci.totalProfitUsd.low, ci.totalProfitUsd.high, usdFloat).padEnd(24)}` +
        `${money(r.avgProfit === null ? null : Math.round(r.avgProfit)).padStart(9)}  ` +
        `${ciText(ci.avgProfitUsd.low, ci.avgProfitUsd.high, usdFloat)}`,
    )
  }
  return out
}

/** The text form: the cannot-model list first, then the common report, then the breakdowns. */
export function coarseReportText(c: CoarseReport): string {
  const lines = ['COARSE MODE: top of book every ~2 minutes; read what it CANNOT model:']
  for (const item of COARSE_CANNOT_MODEL) lines.push(`  - ${item}`)
  const d = c.dataset
  lines.push('')
  lines.push(
    `data: ${d.counts.kept} polls of ${d.counts.contracts} contracts kept (${d.counts.filteredOut} filtered out, ${d.counts.badRows} unreadable rows)`,
  )
  for (const gap of d.gaps)
    lines.push(
      `  gap: no rows ${iso(gap.fromTs) ?? ''} .. ${iso(gap.toTs) ?? ''} (${fixed(gap.seconds / 3600, 1)} h)`,
    )
  for (const row of d.badRows.slice(0, 10))
    lines.push(`  unreadable: ${row.file} line ${row.line}: ${row.reason}`)
  lines.push('')
  const body = reportText(c.report)
  return (
    `${lines.join('\n')}\n${body}` +
    `${[
      ...groupText(
        'by label source (api labels are authoritative; convergence labels are biased)',
        c.byLabelSource,
      ),
      ...groupText('by game', c.byGame),
      ...groupText('by contract kind', c.byKind),
      ...groupText('by signal (drop: panic fade; rise: fomo fade)', c.bySignal),
    ].join('\n')}\n`
  )
}

function groupJson(rows: readonly CoarseGroupRow[]): Record<string, unknown>[] {
  return rows.map((r) => {
    const o = reportObject(r.report)
    return {
      key: r.key,
      trades: o.trades,
      matches: o.matches,
      win_rate: o.win_rate,
      total_profit: o.total_profit,
      avg_profit: o.avg_profit,
      fees: o.fees,
      profit_factor: o.profit_factor,
      confidence_intervals: o.confidence_intervals,
    }
  })
}

/** Copies an object with camelCase keys turned to snake_case (recursively). */
function snakeKeys(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value as Record<string, unknown>))
    out[key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)] =
      v !== null && typeof v === 'object' && !Array.isArray(v) ? snakeKeys(v) : v
  return out
}

/** The JSON form: the common report document plus a `coarse` section. */
export function coarseReportJson(c: CoarseReport): string {
  const d = c.dataset
  const doc = {
    ...reportObject(c.report),
    coarse: {
      cannot_model: COARSE_CANNOT_MODEL,
      import: {
        ...snakeKeys(d.counts),
        gaps: d.gaps.map((g) => ({
          from: iso(g.fromTs),
          to: iso(g.toTs),
          seconds: g.seconds,
        })),
        bad_rows: d.badRows,
      },
      simulation: snakeKeys(c.simulation),
      by_label_source: groupJson(c.byLabelSource),
      by_game: groupJson(c.byGame),
      by_kind: groupJson(c.byKind),
      by_signal: groupJson(c.bySignal),
    },
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}

/**
 * Runs the coarse backtest and prints the report (text, or JSON with `json`), writing the HTML
 * page when asked. Resolves to the exit code: 0, or 1 with a message on stderr when the data
 * cannot be read.
 */
export async function runCoarseBacktest(
  options: CoarseBacktestOptions,
  io: CliIO,
): Promise<number> {
  let dataset: PmusDataset
  try {
    dataset = await readPmusDataset(options.dir, { filter: options.filter })
  } catch (e) {
    if (e instanceof ImportError) {
      io.stderr.write(`tiltmeter backtest --coarse: ${e.message}\n`)
      return 1
    }
    throw e
  }
  if (dataset.counts.kept === 0) {
    io.stderr.write(
      `tiltmeter backtest --coarse: no polls left after the filters (${dataset.counts.rows} rows read); widen --game/--kind/--from/--to\n`,
    )
    return 1
  }
  let report: CoarseReport
  try {
    report = buildCoarseReport(dataset, options)
  } catch (e) {
    if (e instanceof InvariantError || e instanceof RangeError) {
      io.stderr.write(`tiltmeter backtest --coarse: ${e.message}\n`)
      return 1
    }
    throw e
  }
  if (options.html !== null) await writeFile(options.html, reportHtml(report.report))
  io.stdout.write(options.json ? coarseReportJson(report) : coarseReportText(report))
  return 0
}
