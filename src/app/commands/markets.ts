/**
 * `tiltmeter markets`: lists the open esports markets on Polymarket (from Gamma), most liquid
 * first, as a table or as NDJSON.
 */
import { parseArgs } from 'node:util'
import { VenueError } from '../../adapters/polymarket/errors.js'
import {
  discoverEsportsMarkets,
  isSport,
  marketStatus,
  SPORTS,
  type DiscoveryResult,
} from '../../adapters/polymarket/gamma/esports.js'
import { GammaClient } from '../../adapters/polymarket/gamma/gamma-client.js'
import type { HttpOptions } from '../../adapters/polymarket/rest/http.js'
import type { MarketInfo, MarketStatusFilter, Sport } from '../../domain/market-info.js'
import { TICK_SIZE_TEXT } from '../../domain/market.js'
import { formatPrice, formatSize, usdcToNumber, type UsdcMicros } from '../../domain/units.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { LineWriter } from '../line-writer.js'
import { VENUE_URL_OPTIONS, VENUE_URL_USAGE, type VenueUrls } from '../venue-urls.js'
import { resolveCommandVenueUrls } from '../config.js'

const STATUSES: readonly MarketStatusFilter[] = ['live', 'upcoming', 'all']
const DEFAULT_LIMIT = 50
const MAX_SHOWN_PROBLEMS = 3

const USAGE = `Usage: tiltmeter markets [--sport valorant|cs2|lol|dota2] [--status live|upcoming|all]
                        [--limit N] [--json] [--gamma-url <url>]

Lists open esports markets from Polymarket's discovery API (Gamma), most liquid first: the
outcomes (teams), market type (match = series winner, map = one map or game, other =
handicaps, totals, props), status, start time, liquidity, 24 h volume, spread and the CLOB
token ids. Series ids (Valorant 10369, CS2 10310, LoL 10311, Dota 2 10309) are checked
against Gamma's /sports first.

Options:
  --sport <name>      only this title (repeatable); default all four
  --status <status>   live (started, match not over), upcoming (not started) or all
                      (default: every open market, including matches that are over and
                      await resolution, shown as "ended")
  --limit <N>         show at most N markets (default ${DEFAULT_LIMIT})
  --json              one JSON object per market (NDJSON), full token ids
${VENUE_URL_USAGE}
  --config <file>     config file (env TILTMETER_CONFIG; default ./tiltmeter.config.json
                      when present); its "venue" keys sit below the flags and environment
                      (this command reads only Gamma; the other two are checked, not used)
  -h, --help          this text

No network? Run the simulator (\`tiltmeter sim\`) and point --gamma-url at it.
`

type Options = {
  readonly sports: readonly Sport[]
  readonly status: MarketStatusFilter
  readonly limit: number
  readonly json: boolean
  readonly urls: VenueUrls
}

/** What the command takes from outside, replaceable in tests. */
export type MarketsDeps = {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly now?: () => number
  /** Fetch, sleep, timeout and retry settings for the Gamma client. */
  readonly http?: HttpOptions
}

function parseOptions(argv: readonly string[], env: MarketsDeps['env'], cwd: string): Options {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        sport: { type: 'string', multiple: true },
        status: { type: 'string', default: 'all' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...VENUE_URL_OPTIONS,
        config: { type: 'string' },
      },
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values } = parsed
  const sports: Sport[] = []
  for (const name of values.sport ?? []) {
    const sport = name.toLowerCase()
    if (!isSport(sport)) {
      throw new UsageError(`--sport must be one of ${SPORTS.join(', ')}; got "${name}"`)
    }
    if (!sports.includes(sport)) sports.push(sport)
  }
  const status = values.status
  if (!(STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}; got "${status}"`)
  }
  let limit = DEFAULT_LIMIT
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit) || Number(values.limit) < 1) {
      throw new UsageError(`--limit must be a positive whole number; got "${values.limit}"`)
    }
    limit = Number(values.limit)
  }
  return {
    sports: sports.length === 0 ? SPORTS : sports,
    status: status as MarketStatusFilter,
    limit,
    json: values.json === true,
    urls: resolveCommandVenueUrls(values, env ?? process.env, cwd),
  }
}

/** Builds the command; `marketsCommand` is the one wired to the real world. */
export function createMarketsCommand(deps: MarketsDeps = {}): Command {
  return {
    name: 'markets',
    summary: 'list live and upcoming esports markets by liquidity (from Gamma)',
    usage: USAGE,
    run: (argv, io) => run(argv, io, deps),
  }
}

export const marketsCommand: Command = createMarketsCommand()

async function run(argv: readonly string[], io: CliIO, deps: MarketsDeps): Promise<number> {
  const options = parseOptions(argv, deps.env, io.cwd)
  const nowMs = (deps.now ?? Date.now)()
  const gamma = new GammaClient({ ...deps.http, baseUrl: options.urls.gammaUrl })
  let result: DiscoveryResult
  try {
    result = await discoverEsportsMarkets(gamma, {
      sports: options.sports,
      status: options.status,
      nowMs,
    })
  } catch (e) {
    if (!(e instanceof VenueError)) throw e
    io.stderr.write(`tiltmeter markets: ${explain(e, options.urls.gammaUrl)}\n`)
    return 1
  }

  for (const note of result.notes) io.stderr.write(`note: ${note}\n`)
  reportProblems(io, result)
  const markets = [...result.markets].sort(byLiquidity).slice(0, options.limit)
  const out = new LineWriter(io.stdout)
  if (options.json) {
    for (const market of markets) out.line(JSON.stringify(marketJson(market, nowMs)))
  } else if (markets.length > 0) {
    for (const line of table(markets, nowMs)) out.line(line)
  }
  await out.end()
  if (markets.length === 0) {
    io.stderr.write(
      `no ${options.status === 'all' ? 'open' : options.status} markets for ${options.sports.join(', ')}\n`,
    )
  } else if (!options.json && result.markets.length > markets.length) {
    io.stderr.write(
      `showing ${markets.length} of ${result.markets.length} markets (raise --limit for more)\n`,
    )
  }
  return 0
}

/** One line for a venue failure; an unreachable venue gets the ways out. */
function explain(e: VenueError, gammaUrl: string): string {
  if (e.code === 'NETWORK' || e.code === 'TIMEOUT') {
    return (
      `cannot reach Gamma at ${gammaUrl} (${e.message}). Check the address or pass ` +
      '--gamma-url (or set TILTMETER_GAMMA_URL); to work offline, start the simulator with ' +
      '`tiltmeter sim` and point --gamma-url at it.'
    )
  }
  return e.message
}

function reportProblems(io: CliIO, result: DiscoveryResult): void {
  const count = result.problems.length
  if (count > 0) {
    io.stderr.write(
      `warning: skipped ${count} market${count === 1 ? '' : 's'} that Gamma sent in an unexpected shape:\n`,
    )
    for (const problem of result.problems.slice(0, MAX_SHOWN_PROBLEMS)) {
      io.stderr.write(`  ${problem.id ?? `item ${problem.index}`}: ${problem.error.message}\n`)
    }
    if (count > MAX_SHOWN_PROBLEMS) io.stderr.write(`  (and ${count - MAX_SHOWN_PROBLEMS} more)\n`)
  }
  if (result.truncated) {
    io.stderr.write('warning: a listing stopped at the page limit; some markets may be missing\n')
  }
}

/** Most liquid first; unknown liquidity last; then by 24 h volume, then by slug. */
function byLiquidity(a: MarketInfo, b: MarketInfo): number {
  const liquidity = (b.liquidityUsd ?? -1) - (a.liquidityUsd ?? -1)
  if (liquidity !== 0) return liquidity
  const volume = (b.volume24hUsd ?? -1) - (a.volume24hUsd ?? -1)
  if (volume !== 0) return volume
  return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0
}

/** The NDJSON record: venue-style snake_case, prices as decimal strings, dollars as numbers. */
export function marketJson(market: MarketInfo, nowMs: number): Record<string, unknown> {
  const price = (p: MarketInfo['bestBid']): string | null => (p === null ? null : formatPrice(p))
  const time = (ms: number | null): string | null =>
    ms === null ? null : new Date(ms).toISOString()
  return {
    condition_id: market.conditionId,
    question_id: market.questionId ?? null,
    gamma_id: market.gammaId,
    slug: market.slug,
    question: market.question,
    event_slug: market.eventSlug,
    event_title: market.eventTitle,
    sport: market.sport,
    market_type: market.marketType,
    sports_market_type: market.sportsMarketType,
    line: market.line,
    status: marketStatus(market, nowMs),
    outcomes: market.outcomes.map((o) => ({
      name: o.name,
      token_id: o.tokenId,
      price: price(o.price),
    })),
    tick_size: market.tickSize === null ? null : (TICK_SIZE_TEXT[market.tickSize] ?? null),
    min_order_size: market.minOrderSize === null ? null : formatSize(market.minOrderSize),
    neg_risk: market.negRisk,
    game_start_time: time(market.gameStartTime),
    start_date: time(market.startDate),
    end_date: time(market.endDate),
    active: market.active,
    closed: market.closed,
    accepting_orders: market.acceptingOrders,
    liquidity_usd: dollars(market.liquidityUsd),
    volume_24h_usd: dollars(market.volume24hUsd),
    best_bid: price(market.bestBid),
    best_ask: price(market.bestAsk),
    spread: price(market.spread),
    last_trade_price: price(market.lastTradePrice),
    seconds_delay: market.secondsDelay,
    clear_book_on_start: market.clearBookOnStart,
    fees_enabled: market.feesEnabled,
    fee_schedule:
      market.feeSchedule === null
        ? null
        : {
            rate: market.feeSchedule.rate,
            exponent: market.feeSchedule.exponent,
            taker_only: market.feeSchedule.takerOnly,
            rebate_rate: market.feeSchedule.rebateRate,
          },
    game_id: market.gameId,
  }
}

function dollars(amount: UsdcMicros | null): number | null {
  return amount === null ? null : Math.round(usdcToNumber(amount) * 100) / 100
}

const COLUMNS = [
  'SPORT',
  'OUTCOMES',
  'TYPE',
  'STATUS',
  'START (UTC)',
  'LIQUIDITY',
  'VOL 24H',
  'SPREAD',
  'TOKENS',
  'QUESTION',
] as const
/** Right-aligned columns: the numbers. */
const RIGHT = new Set(['LIQUIDITY', 'VOL 24H', 'SPREAD'])
const MAX_OUTCOMES_CHARS = 32
const MAX_QUESTION_CHARS = 60

function table(markets: readonly MarketInfo[], nowMs: number): string[] {
  const rows = markets.map((m) => [
    m.sport ?? '-',
    clip(m.outcomes.map((o) => o.name).join(' vs '), MAX_OUTCOMES_CHARS),
    typeLabel(m),
    marketStatus(m, nowMs),
    m.gameStartTime === null
      ? '-'
      : new Date(m.gameStartTime).toISOString().slice(0, 16).replace('T', ' '),
    money(m.liquidityUsd),
    money(m.volume24hUsd),
    m.spread === null ? '-' : formatPrice(m.spread),
    m.outcomes.map((o) => shortId(o.tokenId)).join(' '),
    clip(m.question, MAX_QUESTION_CHARS),
  ])
  const widths = COLUMNS.map((name, c) =>
    Math.max(name.length, ...rows.map((r) => (r[c] ?? '').length)),
  )
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => {
        const width = widths[c] ?? 0
        if (c === cells.length - 1) return cell
        return RIGHT.has(COLUMNS[c] ?? '') ? cell.padStart(width) : cell.padEnd(width)
      })
      .join('  ')
      .trimEnd()
  return [render(COLUMNS), ...rows.map(render)]
}

function typeLabel(market: MarketInfo): string {
  const raw = market.sportsMarketType
  if (market.marketType !== 'other' || raw === null) return market.marketType
  return market.line === null ? `other:${raw}` : `other:${raw} ${market.line}`
}

function money(amount: UsdcMicros | null): string {
  if (amount === null) return '-'
  return `$${Math.round(usdcToNumber(amount)).toLocaleString('en-US')}`
}

/** `89972346…1398`: enough to tell tokens apart in a table; --json has them in full. */
function shortId(id: string): string {
  return id.length <= 14 ? id : `${id.slice(0, 8)}…${id.slice(-4)}`
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`
}
