/**
 * `tiltmeter start`: the daemon. One process wiring feed → books → signals → store, with tick
 * capture and HTTP on 127.0.0.1 (`/metrics`, `/api/health`, `/api/events`). `--feed sim` runs
 * the simulator in-process and connects to it exactly as to the venue.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger, type Logger } from '../../adapters/log.js'
import { isSport, SPORTS } from '../../adapters/polymarket/gamma/esports.js'
import type { HttpOptions } from '../../adapters/polymarket/rest/http.js'
import type { MarketConnectionOptions } from '../../adapters/polymarket/ws/connection.js'
import { MAX_MATCHES, TOKENS_PER_MATCH } from '../../adapters/sim/scenario-multi.js'
import { openStore } from '../../adapters/storage/store.js'
import { validateGameEvent } from '../../domain/game-events.js'
import type { Sport } from '../../domain/market-info.js'
import {
  parseSignalConfig,
  SignalConfigError,
  SignalEngine,
  type SignalConfig,
} from '../../engine/signals/index.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { ConfigError, loadConfig, type Config, type ConfigFlags } from '../config.js'
import {
  DaemonStartError,
  startDaemon,
  type DaemonHandle,
  type FeedChoice,
} from '../daemon/daemon.js'
import type { MarketSelection } from '../daemon/discovery.js'
import type { DaemonStore, SignalEngineFactory } from '../daemon/ports.js'
import { VENUE_URL_OPTIONS, VENUE_URL_USAGE } from '../venue-urls.js'
import type { VenueChoice } from '../daemon/trading-setup.js'
import {
  credentialsFromEnv,
  ENV,
  LiveConfigError,
} from '../../adapters/polymarket/trading/credentials.js'

const TOKEN_ID = /^\d+$/

const USAGE = `Usage: tiltmeter start [--feed polymarket|sim|replay:<path>] [--markets <ref,…>]
                      [--sport <name>] [--venue paper|sim|polymarket [--live]]
                      [--port N] [options]

Runs the daemon: subscribes to the market channel, keeps every order book, raises signals,
stores throttled book snapshots, trades and signals, records every frame to a capture,
trades through the risk engine, and serves HTTP on 127.0.0.1: the trading terminal (/), the
match dashboard (/dashboard), the API (/api/…, documented at /docs), /metrics (Prometheus).
Prints one line with its address when ready. Ctrl-C (SIGINT) or SIGTERM stops it cleanly
(capture flushed, store queue drained); a second one exits at once.

Feed:
  --feed polymarket     the live venue (default); say what to watch with --markets,
                        --assets or --sport
  --feed sim            the built-in simulator, in-process on a free loopback port: every
                        simulated market unless --markets/--sport say otherwise
  --feed replay:<path>  a capture file or directory (or raw frame file) through the same
                        book and signal path; HTTP keeps serving after it ends
  --markets <ref,…>     markets by slug or condition id (0x…), comma separated, repeatable
  --assets <id,…>       CLOB token ids, comma separated, repeatable
  --sport <name>        every live and upcoming market of ${SPORTS.join(', ')} (repeatable)
  --sim-matches <N>     simulated matches, 8 tokens each (default 1; 25 = 200 tokens)
  --sim-seed <N>        seed of the first simulated match (default 1)
  --sim-speed <X>       simulated time per real time (default 1)

Venue (where orders go):
  --venue paper         fills simulated against the live books; nothing is sent (default)
  --venue sim           the simulator's exchange, through the same adapter and official client
                        as live trading, with a generated test wallet; needs --feed sim, or
                        venue URLs on 127.0.0.1 (a simulator started elsewhere)
  --venue polymarket    live trading on Polymarket; needs --feed polymarket and --live, and the
                        credentials in the environment: ${ENV.privateKey} (required),
                        ${ENV.signatureType} (0 EOA default, 1 proxy, 2 safe, 3 deposit
                        wallet), ${ENV.funder} (types 1-3), ${ENV.apiKey},
                        ${ENV.apiSecret}, ${ENV.apiPassphrase} (all or none;
                        none = derived at start). See docs/LIVE_TRADING.md
  --live                says yes to real orders with real money; only with --venue polymarket

Options (each also in the config file; flags win over environment over file):
  --config <path>       config file (env TILTMETER_CONFIG; default ./tiltmeter.config.json
                        when it exists)
  --port <N>            HTTP port (env TILTMETER_PORT; default 7300; 0 = any free port)
  --host <addr>         HTTP address (env TILTMETER_HOST; default 127.0.0.1); any other address
                        needs an access token (accessToken / TILTMETER_ACCESS_TOKEN;
                        generated and printed at first start), see docs/WEB_API.md
  --data-dir <dir>      SQLite and captures (env TILTMETER_DATA_DIR; default ./data);
                        PostgreSQL through the environment variable DATABASE_URL
  --capture-dir <dir>   captures (env TILTMETER_CAPTURE_DIR; default <data-dir>/captures)
  --no-capture          do not record frames
  --captures <dir>      more directories of recorded captures for the dashboard's playback,
                        besides the capture directory (repeatable)
  --log-level <lvl>     silent, fatal, error, warn, info (default), debug, trace; JSON lines
                        on stderr (env TILTMETER_LOG_LEVEL)
${VENUE_URL_USAGE}
  -h, --help            this text
`

/** Something the process can be told to stop by (a second signal exits at once). */
export type SignalSource = {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

/** What the command takes from outside, replaceable in tests and benchmarks. */
export type StartDeps = {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly signals?: SignalSource
  /** Immediate exit on a second signal; default `process.exit`. */
  readonly exit?: (code: number) => void
  readonly http?: HttpOptions
  readonly connection?: Pick<
    MarketConnectionOptions,
    'pingIntervalMs' | 'silenceTimeoutMs' | 'dataSilenceMs' | 'backoff' | 'random'
  >
  readonly auditIntervalMs?: number | null
  readonly captureFlushMs?: number
  readonly processMetrics?: boolean
  /** Called once the daemon is up (tests and benchmarks reach its internals through it). */
  readonly onStarted?: (daemon: DaemonHandle) => void
  /** Log destination; default stderr. */
  readonly logDestination?: { write(line: string): unknown }
}

type VenueFlag = 'paper' | 'sim' | 'polymarket'

type Options = {
  readonly feed: FeedChoice
  readonly venue: VenueFlag
  /** More capture directories for playback (`--captures`), as given. */
  readonly captures: readonly string[]
  readonly selection: MarketSelection
  readonly flags: ConfigFlags
}

function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${text}"`)
  }
  return Number(text)
}

function list(values: readonly string[] | undefined): string[] {
  const out: string[] = []
  for (const value of values ?? []) {
    for (const part of value.split(',')) {
      const item = part.trim()
      if (item !== '' && !out.includes(item)) out.push(item)
    }
  }
  return out
}

function parseOptions(argv: readonly string[]): Options {
  let parsed
  try {
    parsed = parseArgsStrict(argv)
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values } = parsed
  const feedText = values.feed ?? 'polymarket'
  const markets = list(values.markets)
  const assets = list(values.assets)
  for (const id of assets) {
    if (!TOKEN_ID.test(id)) {
      throw new UsageError(
        `--assets: "${id}" is not a CLOB token id (decimal digits); \`tiltmeter markets --json\` lists them`,
      )
    }
  }
  const sports: Sport[] = []
  for (const name of values.sport ?? []) {
    const sport = name.trim().toLowerCase()
    if (!isSport(sport)) {
      throw new UsageError(`--sport must be one of ${SPORTS.join(', ')}; got "${name}"`)
    }
    if (!sports.includes(sport)) sports.push(sport)
  }
  const selection = { markets, assets, sports }
  const nothingChosen = markets.length === 0 && assets.length === 0 && sports.length === 0
  const simFlags = (['sim-matches', 'sim-seed', 'sim-speed'] as const).filter(
    (f) => values[f] !== undefined,
  )
  let feed: FeedChoice
  if (feedText === 'sim') {
    let speed = 1
    const speedText = values['sim-speed']
    if (speedText !== undefined) {
      speed = Number(speedText)
      if (speedText.trim() === '' || !Number.isFinite(speed) || speed <= 0 || speed > 1000) {
        throw new UsageError(
          `--sim-speed must be a number above 0 and at most 1000; got "${speedText}"`,
        )
      }
    }
    feed = {
      kind: 'sim',
      matches: wholeNumber('sim-matches', values['sim-matches'], 1, 1, MAX_MATCHES),
      seed: wholeNumber('sim-seed', values['sim-seed'], 1, 0, 0xffff_ffff),
      speed,
    }
  } else if (feedText === 'polymarket') {
    if (nothingChosen) {
      throw new UsageError(
        'say what to watch: --markets <slug|condition id>, --assets <id,…> or --sport <name> ' +
          '(or try the simulator: --feed sim)',
      )
    }
    feed = { kind: 'polymarket' }
  } else if (feedText.startsWith('replay:') && feedText.length > 'replay:'.length) {
    if (!nothingChosen) {
      throw new UsageError(
        '--markets, --assets and --sport do not apply to a replay: it plays what was recorded',
      )
    }
    feed = { kind: 'replay', path: feedText.slice('replay:'.length) }
  } else {
    throw new UsageError(`--feed must be polymarket, sim or replay:<path>; got "${feedText}"`)
  }
  if (feed.kind !== 'sim' && simFlags.length > 0) {
    throw new UsageError(`--${simFlags[0]} needs --feed sim`)
  }
  const venue = venueOf(values.venue, values.live === true, feed)
  return {
    feed,
    venue,
    captures: values.captures ?? [],
    selection,
    flags: {
      config: values.config,
      port: values.port,
      host: values.host,
      'data-dir': values['data-dir'],
      'capture-dir': values['capture-dir'],
      'no-capture': values['no-capture'],
      'log-level': values['log-level'],
      'ws-url': values['ws-url'],
      'rest-url': values['rest-url'],
      'gamma-url': values['gamma-url'],
    },
  }
}

function parseArgsStrict(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      feed: { type: 'string' },
      markets: { type: 'string', multiple: true },
      assets: { type: 'string', multiple: true },
      sport: { type: 'string', multiple: true },
      'sim-matches': { type: 'string' },
      'sim-seed': { type: 'string' },
      'sim-speed': { type: 'string' },
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'capture-dir': { type: 'string' },
      'no-capture': { type: 'boolean' },
      captures: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      venue: { type: 'string' },
      live: { type: 'boolean' },
      ...VENUE_URL_OPTIONS,
    },
  })
}

/** `--venue` and `--live`, checked against each other and the feed. */
function venueOf(text: string | undefined, live: boolean, feed: FeedChoice): VenueFlag {
  const venue = text ?? 'paper'
  if (venue !== 'paper' && venue !== 'sim' && venue !== 'polymarket') {
    throw new UsageError(`--venue must be paper, sim or polymarket; got "${venue}"`)
  }
  if (live && venue !== 'polymarket') {
    throw new UsageError(
      `--live only applies to --venue polymarket (the venue is ${venue}); leave it out, or trade live with --venue polymarket --live`,
    )
  }
  if (venue === 'polymarket') {
    if (!live) {
      throw new UsageError(
        '--venue polymarket sends real orders with real money: add --live to say so (without it, use --venue paper or --venue sim)',
      )
    }
    if (feed.kind !== 'polymarket') {
      throw new UsageError(
        `--venue polymarket needs --feed polymarket (the books must be the venue's own), not --feed ${feed.kind}`,
      )
    }
  }
  if (venue === 'sim' && feed.kind === 'replay') {
    throw new UsageError(
      '--venue sim needs a simulator to trade with: use --feed sim (or --feed polymarket with venue URLs on 127.0.0.1)',
    )
  }
  return venue
}

/** Only a simulator on this machine may receive the sim venue's test wallet orders. */
function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1'
  } catch {
    return false
  }
}

export function createStartCommand(deps: StartDeps = {}): Command {
  return {
    name: 'start',
    summary: 'run the daemon: feed, books, signals, store, capture and /metrics on 127.0.0.1',
    usage: USAGE,
    run: (argv, io) => run(argv, io, deps),
  }
}

export const startCommand: Command = createStartCommand()

/** The signal engine behind the daemon's small factory type. */
function signalEngineFor(config: SignalConfig): SignalEngineFactory {
  return (_value, callbacks, options) =>
    new SignalEngine(
      config,
      {
        onSignal: (signal) => callbacks.onSignal(signal),
        onReversion: (signal, reversion) => callbacks.onReversion(signal, reversion),
      },
      { complementOf: (assetId) => options.complementOf(assetId) ?? null },
    )
}

async function run(argv: readonly string[], io: CliIO, deps: StartDeps): Promise<number> {
  const options = parseOptions(argv)
  const env = deps.env ?? process.env
  let config: Config
  try {
    config = loadConfig(io.cwd, env, options.flags)
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    io.stderr.write(`tiltmeter start: ${e.message}\n`)
    return 1
  }
  let signalConfig: SignalConfig
  try {
    signalConfig = parseSignalConfig(config.signals)
  } catch (e) {
    if (!(e instanceof SignalConfigError)) throw e
    const where = config.file === null ? 'config' : `config file ${config.file}`
    io.stderr.write(`tiltmeter start: ${where}: ${e.message}\n`)
    return 1
  }
  let venue: VenueChoice = { kind: 'paper' }
  if (options.venue === 'sim') {
    if (options.feed.kind === 'polymarket' && !isLoopbackUrl(config.venue.restUrl)) {
      io.stderr.write(
        `tiltmeter start: --venue sim trades with a test wallet and only talks to a simulator on 127.0.0.1, but the REST URL is ${config.venue.restUrl}: use --feed sim, or point --rest-url/--ws-url at a local simulator\n`,
      )
      return 1
    }
    venue = { kind: 'sim' }
  } else if (options.venue === 'polymarket') {
    try {
      venue = { kind: 'polymarket', credentials: credentialsFromEnv(env) }
    } catch (e) {
      if (!(e instanceof LiveConfigError)) throw e
      io.stderr.write(`tiltmeter start: --live: ${e.message}\n`)
      return 1
    }
  }
  const log: Logger = createLogger({
    level: config.logLevel,
    destination: deps.logDestination ?? io.stderr,
    base: { app: 'tiltmeter' },
  })
  let daemon: DaemonHandle
  try {
    daemon = await startDaemon({
      config,
      feed: options.feed,
      selection: options.selection,
      log,
      openStore: (o) => openStore(o) satisfies Promise<DaemonStore>,
      validateGameEvent: (input) => validateGameEvent(input),
      signalEngine: signalEngineFor(signalConfig),
      venue,
      captureDirs: options.captures.map((dir) => resolve(io.cwd, dir)),
      ...(deps.http === undefined ? {} : { http: deps.http }),
      ...(deps.connection === undefined ? {} : { connection: deps.connection }),
      ...(deps.auditIntervalMs === undefined ? {} : { auditIntervalMs: deps.auditIntervalMs }),
      ...(deps.captureFlushMs === undefined ? {} : { captureFlushMs: deps.captureFlushMs }),
      ...(deps.processMetrics === undefined ? {} : { processMetrics: deps.processMetrics }),
    })
  } catch (e) {
    if (e instanceof DaemonStartError) {
      log.fatal({ err: e.message }, 'cannot start')
      io.stderr.write(`tiltmeter start: ${e.message}\n`)
      return 1
    }
    throw e
  }
  io.stdout.write(`${readyLine(daemon, options.feed, config)}\n`)
  io.stdout.write(
    `tiltmeter: open ${daemon.url}/ for the trading terminal, ${daemon.url}/dashboard for the ` +
      `match dashboard; API documentation at ${daemon.url}/docs\n`,
  )
  // the venue and the risk limits in force, one block
  if (daemon.trading !== null) io.stdout.write(`${daemon.trading.banner}\n`)
  deps.onStarted?.(daemon)

  const signals = deps.signals ?? process
  const exit = deps.exit ?? ((code: number) => process.exit(code))
  let received: string | null = null
  let wake: (name: string) => void = () => {}
  const stopRequested = new Promise<string>((done) => (wake = done))
  const on = (name: string): void => {
    if (received !== null) {
      log.warn({ signal: name }, 'second signal, exiting without cleanup')
      exit(130)
      return
    }
    received = name
    wake(name)
  }
  const onSigint = (): void => on('SIGINT')
  const onSigterm = (): void => on('SIGTERM')
  signals.on('SIGINT', onSigint)
  signals.on('SIGTERM', onSigterm)
  const reason = await stopRequested
  let summary
  try {
    summary = await daemon.stop(reason)
  } finally {
    signals.off('SIGINT', onSigint)
    signals.off('SIGTERM', onSigterm)
  }
  const written = Object.entries(summary.rowsWritten)
    .map(([table, rows]) => `${rows} ${table}`)
    .join(', ')
  const dropped = Object.values(summary.rowsDropped).reduce((a, b) => a + b, 0)
  io.stderr.write(
    `tiltmeter start: stopped by ${reason} after ${summary.uptimeSeconds.toFixed(1)} s; ` +
      `${summary.frames} frames; stored ${written === '' ? 'nothing' : written}` +
      `${dropped > 0 ? `; ${dropped} rows DROPPED (store too slow)` : ''}; ` +
      `capture ${summary.captureLines} lines in ${summary.captureFiles.length} file(s)\n`,
  )
  for (const problem of summary.problems) io.stderr.write(`tiltmeter start: ${problem}\n`)
  return summary.problems.length > 0 ? 1 : 0
}

function readyLine(daemon: DaemonHandle, feed: FeedChoice, config: Config): string {
  const base = `tiltmeter: serving ${daemon.url} (terminal /, dashboard /dashboard, /api, /metrics); store ${daemon.storeLocation}`
  if (feed.kind === 'sim' && daemon.sim !== null) {
    return (
      `${base}; feed sim: ${feed.matches} match${feed.matches === 1 ? '' : 'es'}, ` +
      `${daemon.assetIds.length} of ${feed.matches * TOKENS_PER_MATCH} tokens; ` +
      `sim ws ${daemon.sim.wsUrl} rest ${daemon.sim.restUrl} gamma ${daemon.sim.gammaUrl}`
    )
  }
  if (feed.kind === 'replay') return `${base}; feed replay: ${feed.path}`
  return `${base}; feed polymarket: ${daemon.assetIds.length} tokens from ${config.venue.wsUrl}`
}
