/**
 * `tiltmeter backtest <capture…> --strategy <name>`: replays recordings through the daemon's
 * market-data and signal code with a strategy trading on the simulated venue, and reports
 * (text, `--json`, `--html`). One pass over the data runs several lanes at once: the run
 * itself, the latency sensitivity table (0/250/1000/3000 ms) and any `--sweep`. Runs and their
 * trades are stored unless `--no-store`; `--list` and `--show` read them back.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { GameEventsCsvError, parseGameEventsCsv } from '../../adapters/importers/events-csv.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings, ReplayInputError } from '../../adapters/replay/recorded-feed.js'
import {
  getBacktestRun,
  listBacktestRuns,
  saveBacktestRun,
} from '../../adapters/storage/backtest-runs.js'
import { StoreError } from '../../adapters/storage/errors.js'
import { openStore, type Store } from '../../adapters/storage/store.js'
import { fixedLatency } from '../../domain/backtest/latency-model.js'
import { computeMetrics } from '../../domain/backtest/metrics.js'
import { SimVenue } from '../../domain/backtest/sim-venue.js'
import { Portfolio } from '../../domain/portfolio/portfolio.js'
import type { ClosedTrade } from '../../domain/backtest/types.js'
import type { GameEvent } from '../../domain/game-events.js'
import type { MarketId } from '../../domain/market.js'
import { STRATEGIES, strategyByName, StrategyParamError } from '../../domain/strategy/index.js'
import type { ParamValue, Sizing, Strategy } from '../../domain/strategy/index.js'
import {
  SHARE_SCALE,
  USDC_SCALE,
  type EpochMs,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import { LookaheadError } from '../../engine/backtest/clock.js'
import {
  BacktestEngine,
  BacktestError,
  DEFAULT_EVENT_WINDOW_MS,
  type MetaDefaults,
} from '../../engine/backtest/engine.js'
import type { LaneConfig } from '../../engine/backtest/lane.js'
import type { VenueFactory } from '../../engine/backtest/ports.js'
import { parseSignalConfig } from '../../engine/signals/index.js'
import {
  buildBacktestReport,
  reportHtml,
  reportJson,
  reportText,
  type BacktestReportInput,
} from '../backtest-report.js'
import { parseCommandArgs } from '../cli-args.js'
import { coarseOptionsFromArgv, COARSE_USAGE, runCoarseBacktest } from '../coarse-backtest.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { ProgressBar } from '../progress.js'

export const LATENCY_TABLE_MS = [0, 250, 1000, 3000] as const
export const DEFAULTS = {
  latencyMs: 250,
  bankrollUsd: 1000,
  sizeShares: 10,
  minSizeShares: 5,
  feeRateBps: 0,
  secondsDelay: 3,
  seed: 1,
} as const

const USAGE = `Usage: tiltmeter backtest <capture…> --strategy <name> [options]
       tiltmeter backtest --list
       tiltmeter backtest --show <run id> [--json]

Replays recordings (captures, directories of captures, raw frame files; import third-party data
with \`tiltmeter import\` first) through the live book and signal code, trades the signals with
a strategy on a simulated venue (latency, in-play delay, book walking, fees, minimum size), and
reports on stdout: text by default, --json for the machine-readable report.

Strategies:
${STRATEGIES.map((s) => `  ${s.name.padEnd(11)} ${s.summary}`).join('\n')}

Options:
  --strategy <name>       the strategy to run (required)
  --threshold <x>         minimum signal score to enter (default 0.7)
  --param <key=value>     any other strategy parameter (repeatable); see docs/BACKTEST.md
  --latency-ms <ms>       decision-to-venue latency (default ${DEFAULTS.latencyMs})
  --bankroll <usd>        starting bankroll in USDC (default ${DEFAULTS.bankrollUsd})
  --size <shares>         fixed size per entry (default ${DEFAULTS.sizeShares} shares)
  --kelly <fraction>      size by this fraction of the Kelly stake instead (0 < x <= 1)
  --events <csv>          game events CSV (ts_ms,type,… see docs/EVENT_STUDY.md): the type of
                          the last event before a signal becomes the trade's substrategy
  --event-window-s <s>    how far back that event may be (default ${DEFAULT_EVENT_WINDOW_MS / 1000})
  --seed <n>              seed of the bootstrap intervals (default ${DEFAULTS.seed})
  --sweep <key=v1,v2,…>   also run every value of a strategy parameter (repeatable: the
                          product of all lists)
  --walk-forward          with --sweep: pick on the earlier half of the matches (in-sample),
                          report the later half (out-of-sample)
  --complement <A=B>      tokens A and B are the two outcomes of one market (repeatable;
                          markets seen with exactly two tokens are paired automatically)
  --match-of <market=key> group a market under a match key for intervals and walk-forward
                          (repeatable; default: each market is its own match)
  --allow-unsynced-books  research switch: trade books that never had a snapshot while the
                          venue's stated top agrees with them (the NHL tick files need it)
  --seconds-delay <s>     in-play hold on marketable orders when not recorded (default ${DEFAULTS.secondsDelay})
  --fee-bps <n>           taker fee rate when trades record none (default ${DEFAULTS.feeRateBps})
  --min-size <shares>     venue minimum order size (default ${DEFAULTS.minSizeShares})
  --json                  print the JSON report instead of text
  --html <file>           also write the HTML report with charts
  --no-store              do not store the run and its trades
  --list                  list stored runs
  --show <id>             show a stored run, recomputed from its stored trades
  --database-url <url>    postgres://… or sqlite:<path> (default: $DATABASE_URL, else
                          ./data/tiltmeter.sqlite)
  --data-dir <dir>        SQLite directory (default ./data)
  --progress / --no-progress   force the progress bar on or off
  -h, --help              this text

Every report carries the latency sensitivity table (${LATENCY_TABLE_MS.join('/')} ms). Market
facts not recorded in the data (in-play delay; fee rate when trades carry none; minimum size)
come from the flags or the defaults above, and the run says which were defaulted.

${COARSE_USAGE}
`

type Options = {
  readonly paths: readonly string[]
  readonly strategy: Strategy
  readonly params: Readonly<Record<string, ParamValue>>
  readonly latencyMs: number
  readonly bankroll: UsdcMicros
  readonly sizing: Sizing
  readonly eventsPath: string | null
  readonly eventWindowMs: number
  readonly seed: number
  readonly sweep: readonly { key: string; values: readonly number[] }[]
  readonly walkForward: boolean
  readonly complements: ReadonlyMap<string, string>
  readonly matchOf: ReadonlyMap<string, string>
  readonly allowUnsynced: boolean
  readonly meta: MetaDefaults
  readonly json: boolean
  readonly html: string | null
  readonly store: boolean
  readonly progress: boolean | null
}

type StorageOptions = { readonly databaseUrl: string | undefined; readonly dataDir: string }

type Mode =
  | { kind: 'run'; options: Options; storage: StorageOptions }
  | { kind: 'list'; storage: StorageOptions }
  | { kind: 'show'; id: number; json: boolean; storage: StorageOptions }

function number(flag: string, text: string, check: (n: number) => boolean, what: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${flag} must be ${what}; got "${text}"`)
  return n
}

function pairs(flag: string, list: readonly string[] | undefined): [string, string][] {
  return (list ?? []).map((item) => {
    const at = item.indexOf('=')
    if (at <= 0 || at === item.length - 1)
      throw new UsageError(`--${flag} takes key=value; got "${item}"`)
    return [item.slice(0, at), item.slice(at + 1)]
  })
}

function parseMode(argv: readonly string[], cwd: string): Mode {
  const { values, positionals } = parseCommandArgs(argv, {
    strategy: { type: 'string' },
    threshold: { type: 'string' },
    param: { type: 'string', multiple: true },
    'latency-ms': { type: 'string' },
    bankroll: { type: 'string' },
    size: { type: 'string' },
    kelly: { type: 'string' },
    events: { type: 'string' },
    'event-window-s': { type: 'string' },
    seed: { type: 'string' },
    sweep: { type: 'string', multiple: true },
    'walk-forward': { type: 'boolean' },
    complement: { type: 'string', multiple: true },
    'match-of': { type: 'string', multiple: true },
    'allow-unsynced-books': { type: 'boolean' },
    'seconds-delay': { type: 'string' },
    'fee-bps': { type: 'string' },
    'min-size': { type: 'string' },
    json: { type: 'boolean' },
    html: { type: 'string' },
    'no-store': { type: 'boolean' },
    list: { type: 'boolean' },
    show: { type: 'string' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    progress: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
  })
  const storage: StorageOptions = {
    databaseUrl: values['database-url'] ?? process.env.DATABASE_URL,
    dataDir: resolve(cwd, values['data-dir'] ?? 'data'),
  }
  if (values.list === true) {
    if (positionals.length > 0 || values.show !== undefined)
      throw new UsageError('--list takes no recordings and no --show')
    return { kind: 'list', storage }
  }
  if (values.show !== undefined) {
    if (positionals.length > 0) throw new UsageError('--show takes no recordings')
    const id = number('show', values.show, (n) => Number.isSafeInteger(n) && n > 0, 'a run id')
    return { kind: 'show', id, json: values.json === true, storage }
  }

  if (values.strategy === undefined)
    throw new UsageError(
      `name a strategy with --strategy (${STRATEGIES.map((s) => s.name).join(', ')})`,
    )
  const strategy = strategyByName(values.strategy)
  if (strategy === undefined)
    throw new UsageError(
      `unknown strategy "${values.strategy}"; known: ${STRATEGIES.map((s) => s.name).join(', ')}`,
    )
  if (positionals.length === 0) throw new UsageError('name at least one recording to backtest')

  const overrides: Record<string, unknown> = Object.fromEntries(pairs('param', values.param))
  if (values.threshold !== undefined) overrides.threshold = values.threshold
  let params: Readonly<Record<string, ParamValue>>
  try {
    params = strategy.parseParams(overrides)
  } catch (e) {
    if (e instanceof StrategyParamError) throw new UsageError(e.message)
    throw e
  }

  const sweep = pairs('sweep', values.sweep).map(([key, list]) => {
    const values = list.split(',').map((v) => v.trim())
    for (const v of values) {
      try {
        strategy.parseParams({ ...overrides, [key]: v })
      } catch (e) {
        if (e instanceof StrategyParamError) throw new UsageError(`--sweep: ${e.message}`)
        throw e
      }
    }
    return { key, values: values.map(Number) }
  })
  if (values['walk-forward'] === true && sweep.length === 0)
    throw new UsageError('--walk-forward needs a --sweep to choose a parameter on')

  if (values.size !== undefined && values.kelly !== undefined)
    throw new UsageError('give either --size or --kelly, not both')
  const sizing: Sizing =
    values.kelly !== undefined
      ? {
          kind: 'kelly',
          fraction: number('kelly', values.kelly, (n) => n > 0 && n <= 1, 'a fraction in (0, 1]'),
        }
      : {
          kind: 'fixed',
          shares: Math.round(
            number('size', values.size ?? String(DEFAULTS.sizeShares), (n) => n > 0, 'shares > 0') *
              SHARE_SCALE,
          ) as ShareMicros,
        }

  const complements = new Map<string, string>()
  for (const [a, b] of pairs('complement', values.complement)) {
    complements.set(a, b)
    complements.set(b, a)
  }
  const sources = {
    feeRateBps: values['fee-bps'] === undefined ? 'default' : 'flag',
    secondsDelay: values['seconds-delay'] === undefined ? 'default' : 'flag',
    minSize: values['min-size'] === undefined ? 'default' : 'flag',
  }
  const meta: MetaDefaults = {
    feeRateBps: number(
      'fee-bps',
      values['fee-bps'] ?? String(DEFAULTS.feeRateBps),
      (n) => Number.isInteger(n) && n >= 0 && n <= 10_000,
      'a whole number of basis points in [0, 10000]',
    ),
    secondsDelay: number(
      'seconds-delay',
      values['seconds-delay'] ?? String(DEFAULTS.secondsDelay),
      (n) => n >= 0 && n <= 600,
      'seconds in [0, 600]',
    ),
    minSize: Math.round(
      number(
        'min-size',
        values['min-size'] ?? String(DEFAULTS.minSizeShares),
        (n) => n > 0,
        'shares > 0',
      ) * SHARE_SCALE,
    ) as ShareMicros,
    sources,
  }
  return {
    kind: 'run',
    storage,
    options: {
      paths: positionals.map((p) => resolve(cwd, p)),
      strategy,
      params,
      latencyMs: number(
        'latency-ms',
        values['latency-ms'] ?? String(DEFAULTS.latencyMs),
        (n) => Number.isInteger(n) && n >= 0 && n <= 600_000,
        'whole milliseconds in [0, 600000]',
      ),
      bankroll: Math.round(
        number(
          'bankroll',
          values.bankroll ?? String(DEFAULTS.bankrollUsd),
          (n) => n > 0,
          'USDC > 0',
        ) * USDC_SCALE,
      ) as UsdcMicros,
      sizing,
      eventsPath: values.events === undefined ? null : resolve(cwd, values.events),
      eventWindowMs:
        number(
          'event-window-s',
          values['event-window-s'] ?? String(DEFAULT_EVENT_WINDOW_MS / 1000),
          (n) => n > 0,
          'seconds > 0',
        ) * 1000,
      seed: number(
        'seed',
        values.seed ?? String(DEFAULTS.seed),
        (n) => Number.isSafeInteger(n) && n >= 0,
        'a whole number >= 0',
      ),
      sweep,
      walkForward: values['walk-forward'] === true,
      complements,
      matchOf: new Map(pairs('match-of', values['match-of'])),
      allowUnsynced: values['allow-unsynced-books'] === true,
      meta,
      json: values.json === true,
      html: values.html === undefined ? null : resolve(cwd, values.html),
      store: values['no-store'] !== true,
      progress: values['no-progress'] === true ? false : values.progress === true ? true : null,
    },
  }
}

/** The SimVenue behind the engine's venue port. */
export const simVenueFactory: VenueFactory = (setup, events) =>
  new SimVenue(
    {
      latency: fixedLatency(setup.latencyMs),
      marketOf: (tokenId) => setup.marketOf(tokenId),
    },
    {
      onFill: (fill) => events.onFill(fill),
      onReject: (intent, reason, detail) => events.onReject(intent, reason, detail),
      onDone: (intent, filled, status) => events.onDone(intent, filled, status),
    },
  )

type LaneRole =
  | { kind: 'main' }
  | { kind: 'latency'; latencyMs: number }
  | { kind: 'sweep'; params: Record<string, number> }

function paramLabel(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
}

/** Every combination of the sweep lists, in the order given. */
function combinations(sweep: Options['sweep']): Record<string, number>[] {
  let out: Record<string, number>[] = [{}]
  for (const { key, values } of sweep) {
    out = out.flatMap((base) => values.map((v) => ({ ...base, [key]: v })))
  }
  return out
}

function planLanes(o: Options): { config: LaneConfig; roles: LaneRole[] }[] {
  const lanes: { config: LaneConfig; roles: LaneRole[] }[] = []
  const add = (params: Readonly<Record<string, ParamValue>>, latencyMs: number, role: LaneRole) => {
    const label = `${paramLabel(params)} latency=${latencyMs}`
    const found = lanes.find((l) => l.config.label === label)
    if (found !== undefined) return found.roles.push(role)
    lanes.push({
      config: {
        label,
        strategy: o.strategy,
        params,
        sizing: o.sizing,
        latencyMs,
        bankroll: o.bankroll,
      },
      roles: [role],
    })
  }
  add(o.params, o.latencyMs, { kind: 'main' })
  for (const ms of LATENCY_TABLE_MS) add(o.params, ms, { kind: 'latency', latencyMs: ms })
  for (const combo of combinations(o.sweep)) {
    add(o.strategy.parseParams({ ...o.params, ...combo }), o.latencyMs, {
      kind: 'sweep',
      params: combo,
    })
  }
  return lanes
}

async function loadEvents(path: string): Promise<GameEvent[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read --events "${path}": ${(e as Error).message}`)
  }
  try {
    return parseGameEventsCsv(text)
  } catch (e) {
    if (e instanceof GameEventsCsvError) throw new UsageError(`--events "${path}": ${e.message}`)
    throw e
  }
}

type RunResult = {
  readonly input: BacktestReportInput
  readonly stderrLines: string[]
}

/** Runs the backtest; the result feeds the report writer. Exported for the bench and tests. */
export async function runBacktest(o: Options, io: CliIO): Promise<RunResult> {
  const events = o.eventsPath === null ? [] : await loadEvents(o.eventsPath)
  const plan = planLanes(o)
  const engine = new BacktestEngine({
    parser: polymarketFrameParser,
    signalConfig: parseSignalConfig({ allowUnsyncedBooks: o.allowUnsynced }),
    lanes: plan.map((l) => l.config),
    venue: simVenueFactory,
    portfolio: (bankroll) => new Portfolio(bankroll),
    meta: o.meta,
    gameEvents: events,
    eventWindowMs: o.eventWindowMs,
    complements: o.complements,
    matchOf: (market) => o.matchOf.get(market),
  })
  const bar = new ProgressBar(io.stderr, 'backtest', o.progress ?? io.stderrIsTTY)
  const warnings: string[] = []
  await readRecordings(o.paths, {
    onFrame: (frame) => {
      const meta = { tLocal: frame.tLocal, conn: frame.conn }
      if (frame.value === undefined) engine.onFrameText(frame.raw, meta)
      else engine.onFrameValue(frame.value, frame.raw, meta)
    },
    onFrameBytes: (bytes, start, end, tLocal, conn) =>
      engine.onFrameBytes(bytes, start, end, { tLocal, conn }),
    onWarning: (message) => warnings.push(message),
    onProgress: (done, total) => bar.update(done, total, `${engine.market.counters.frames} frames`),
  })
  bar.finish()
  const totals = engine.finish()

  const lines: string[] = []
  for (const w of warnings.slice(0, 10)) lines.push(`warning: ${w}`)
  const defaulted: string[] = []
  if (o.meta.sources.secondsDelay === 'default')
    defaulted.push(`in-play delay ${o.meta.secondsDelay} s (not recorded; --seconds-delay)`)
  if (o.meta.sources.minSize === 'default')
    defaulted.push(`minimum size ${o.meta.minSize / SHARE_SCALE} shares (--min-size)`)
  if (!engine.feesRecorded && o.meta.sources.feeRateBps === 'default')
    defaulted.push(`fee rate ${o.meta.feeRateBps} bps (no trade recorded one; --fee-bps)`)
  if (defaulted.length > 0) lines.push(`defaulted: ${defaulted.join('; ')}`)

  const mainIndex = plan.findIndex((l) => l.roles.some((r) => r.kind === 'main'))
  const main = engine.lanes[mainIndex]!
  const c = main.counters
  const skips = Object.entries(c.skips)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  const rejects = Object.entries(c.rejects)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  lines.push(
    `backtest: ${totals.frames} frames, ${totals.events} events, ${totals.signals} signals, ` +
      `${c.entries} entries, ${main.trades.length} trades, ${c.fills} fills` +
      (skips === '' ? '' : `; skipped: ${skips}`) +
      (rejects === '' ? '' : `; venue rejects: ${rejects}`) +
      (totals.clockRewinds > 0 ? `; ${totals.clockRewinds} events stamped before the clock` : ''),
  )

  const latencySensitivity = LATENCY_TABLE_MS.map((ms) => {
    const i = plan.findIndex((l) => l.roles.some((r) => r.kind === 'latency' && r.latencyMs === ms))
    const trades = engine.lanes[i]!.trades
    const m = computeMetrics(trades, o.bankroll)
    return {
      latencyMs: ms,
      trades: trades.length,
      totalProfit: m.totalProfit,
      winRate: m.winRate,
    }
  })

  let sweep: BacktestReportInput['sweep']
  if (o.sweep.length > 0) {
    const order = [...engine.marketsFirstSeen]
    const matchFirst = new Map<string, number>()
    for (const [market, ts] of order) {
      const key = o.matchOf.get(market) ?? market
      if (!matchFirst.has(key)) matchFirst.set(key, ts)
    }
    const matches = [...matchFirst].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    let train: Set<string> | null = null
    if (o.walkForward) {
      if (matches.length < 2)
        throw new UsageError(
          `--walk-forward needs at least 2 matches to split; the recordings hold ${matches.length} (group markets with --match-of)`,
        )
      train = new Set(matches.slice(0, Math.floor(matches.length / 2)).map(([k]) => k))
    }
    sweep = []
    let best: { label: string; profit: number } | null = null
    // Rows in the order the sweep lists its values (a lane may also serve the run itself).
    for (const combo of combinations(o.sweep)) {
      const i = plan.findIndex((l) =>
        l.roles.some((r) => r.kind === 'sweep' && paramLabel(r.params) === paramLabel(combo)),
      )
      const trades = engine.lanes[i]!.trades
      const inSample = train === null ? trades : trades.filter((t) => train.has(t.match))
      const row = (sample: 'in' | 'out', list: ClosedTrade[]) => {
        const m = computeMetrics(list, o.bankroll)
        return {
          params: combo,
          sample,
          trades: list.length,
          totalProfit: m.totalProfit,
          sharpePerTrade: m.sharpePerTrade,
        }
      }
      const rowIn = row('in', inSample)
      sweep.push(rowIn)
      if (best === null || rowIn.totalProfit > best.profit)
        best = { label: paramLabel(combo), profit: rowIn.totalProfit }
      if (train !== null)
        sweep.push(
          row(
            'out',
            trades.filter((t) => !train.has(t.match)),
          ),
        )
    }
    if (train !== null && best !== null) {
      lines.push(
        `walk-forward: ${train.size} earlier match(es) in-sample, ${matches.length - train.size} later out-of-sample; best in-sample: ${best.label}`,
      )
    }
  }

  const traded = new Set(main.trades.map((t) => t.tokenId as string))
  return {
    stderrLines: lines,
    input: {
      meta: {
        strategy: o.strategy.name,
        params: { ...o.params, latencyMs: o.latencyMs, sizing: sizingLabel(o.sizing) },
        seed: o.seed,
        inputs: [...o.paths],
        periodStart: totals.periodStart as EpochMs | null,
        periodEnd: totals.periodEnd as EpochMs | null,
        markets: totals.markets,
        bankroll: o.bankroll,
      },
      totalSignals: totals.signals,
      signalsByType: totals.signalsByType,
      trades: main.trades,
      prices: engine.prices().filter((p) => traded.has(p.tokenId)),
      latencySensitivity,
      ...(sweep === undefined ? {} : { sweep }),
    },
  }
}

function sizingLabel(s: Sizing): string {
  return s.kind === 'fixed' ? `fixed ${s.shares / SHARE_SCALE} shares` : `kelly x${s.fraction}`
}

async function withStore<T>(storage: StorageOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

function usd(micros: number): string {
  return (micros / USDC_SCALE).toFixed(2)
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  // The coarse mode reads quote polls, not captures: its own options and runner.
  if (argv.some((arg) => arg === '--coarse' || arg.startsWith('--coarse=')))
    return runCoarseBacktest(coarseOptionsFromArgv(argv, io.cwd), io)
  const mode = parseMode(argv, io.cwd)
  try {
    if (mode.kind === 'list') return await listRuns(mode.storage, io)
    if (mode.kind === 'show') return await showRun(mode.id, mode.json, mode.storage, io)
    return await runAndReport(mode.options, mode.storage, io)
  } catch (e) {
    if (e instanceof LookaheadError) {
      io.stderr.write(`tiltmeter backtest: run failed: ${e.message}\n`)
      return 1
    }
    if (
      e instanceof BacktestError ||
      e instanceof ReplayInputError ||
      e instanceof StoreError ||
      e instanceof RangeError
    ) {
      io.stderr.write(`tiltmeter backtest: ${e.message}\n`)
      return 1
    }
    throw e
  }
}

async function runAndReport(o: Options, storage: StorageOptions, io: CliIO): Promise<number> {
  const startedMs = Date.now()
  const result = await runBacktest(o, io)
  for (const line of result.stderrLines) io.stderr.write(`${line}\n`)
  const report = buildBacktestReport(result.input)
  if (o.html !== null) await writeFile(o.html, reportHtml(report))
  io.stdout.write(o.json ? reportJson(report) : reportText(report))
  if (o.store) {
    const { prices: _prices, ...stored } = result.input
    const id = await withStore(storage, (store) =>
      saveBacktestRun(store, {
        name: `${o.strategy.name} ${paramLabel(o.params)}`,
        strategy: o.strategy.name,
        startedMs,
        finishedMs: Date.now(),
        configJson: JSON.stringify({ meta: stored.meta, argv: o }, storedValue),
        reportJson: JSON.stringify({ ...stored, trades: undefined }),
        trades: result.input.trades,
      }),
    )
    io.stderr.write(`stored as run ${id} (tiltmeter backtest --show ${id})\n`)
  }
  return 0
}

/** JSON replacer for options: maps and strategy modules as plain values. */
function storedValue(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value)
  if (typeof value === 'object' && value !== null && 'create' in value && 'name' in value)
    return (value as Strategy).name
  return value
}

async function listRuns(storage: StorageOptions, io: CliIO): Promise<number> {
  const runs = await withStore(storage, listBacktestRuns)
  if (runs.length === 0) {
    io.stdout.write('no stored backtest runs\n')
    return 0
  }
  const lines = ['id  started (UTC)         trades  profit USD  name']
  for (const r of runs) {
    lines.push(
      `${String(r.id).padEnd(3)} ${new Date(r.startedMs).toISOString().slice(0, 19).replace('T', ' ')}  ` +
        `${String(r.trades).padStart(6)}  ${usd(r.totalProfit).padStart(10)}  ${r.name}`,
    )
  }
  io.stdout.write(`${lines.join('\n')}\n`)
  return 0
}

async function showRun(id: number, json: boolean, storage: StorageOptions, io: CliIO) {
  const run = await withStore(storage, (store) => getBacktestRun(store, id))
  if (run === null) {
    io.stderr.write(`tiltmeter backtest: no stored run ${id} (see tiltmeter backtest --list)\n`)
    return 1
  }
  const stored = JSON.parse(run.reportJson ?? '{}') as Partial<BacktestReportInput>
  const config = JSON.parse(run.configJson) as { meta: BacktestReportInput['meta'] }
  // Recomputed from the stored trades, not copied from the stored report.
  const report = buildBacktestReport({
    meta: config.meta,
    totalSignals: stored.totalSignals ?? 0,
    signalsByType: stored.signalsByType ?? {},
    trades: run.tradeList,
    ...(stored.latencySensitivity === undefined
      ? {}
      : { latencySensitivity: stored.latencySensitivity }),
    ...(stored.sweep === undefined ? {} : { sweep: stored.sweep }),
  })
  io.stdout.write(json ? reportJson(report) : reportText(report))
  return 0
}

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'backtest a strategy on recordings; report, store and list runs',
  usage: USAGE,
  run,
}

export type { MarketId }
