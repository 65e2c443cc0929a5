/**
 * `tiltmeter record`: subscribes to the live market channel for some markets and writes every
 * frame, with its receive time and connection id, to a capture directory until stopped
 * (Ctrl-C, SIGTERM or --duration). The capture replays with `tiltmeter replay`.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  CaptureWriteError,
  CaptureWriter,
  type CaptureClock,
} from '../../adapters/capture/capture-writer.js'
import { createLogger, type LogLevel } from '../../adapters/log.js'
import { VenueError } from '../../adapters/polymarket/errors.js'
import { isSport, SPORTS } from '../../adapters/polymarket/gamma/esports.js'
import { ClobRestClient } from '../../adapters/polymarket/rest/clob-rest.js'
import type { HttpOptions } from '../../adapters/polymarket/rest/http.js'
import type { MarketConnectionOptions } from '../../adapters/polymarket/ws/connection.js'
import {
  ASSET_HEALTH_STATES,
  MarketFeed,
  type ResyncMethod,
} from '../../adapters/polymarket/ws/market-feed.js'
import type { Sport } from '../../domain/market-info.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { DiscoveryFailure, discoverMarkets, explainGammaError } from '../daemon/discovery.js'
import { LineWriter } from '../line-writer.js'
import { finalBookLine } from '../replay-output.js'
import { VENUE_URL_OPTIONS, VENUE_URL_USAGE, type VenueUrls } from '../venue-urls.js'
import { resolveCommandVenueUrls } from '../config.js'

const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug', 'trace']
const RESYNC_METHODS: readonly ResyncMethod[] = ['resubscribe', 'rest']
const TOKEN_ID = /^\d+$/
/** Sockets have been seen to freeze with PONGs flowing; 5 min without data replaces one. */
const DEFAULT_DATA_SILENCE_S = 300
/** One REST /book per 5 s is far inside the venue's /book rate limit. */
const DEFAULT_AUDIT_S = 5

const USAGE = `Usage: tiltmeter record (--market <slug|condition id> | --assets <id,…> | --sport <s>)
                       --out <dir> [--duration <s>] [--emit final-book] [options]

Records the live Polymarket market channel: every frame as received, with its local receive
time, a monotonic stamp and the connection id, plus connect, disconnect, subscribe, resync and
health markers, to rotated gzip NDJSON files in <dir>. Stops on Ctrl-C (SIGINT), SIGTERM or
after --duration, flushing and closing the capture cleanly. Replay it with
\`tiltmeter replay <dir>\`.

What to record (repeatable, combinable):
  --market <ref>      one market by slug or condition id (0x…), both outcome tokens
  --assets <id,…>     CLOB token ids, comma separated
  --sport <name>      every live and upcoming market of ${SPORTS.join(', ')}

Options:
  --out <dir>         capture directory (created if missing)
  --duration <s>      stop after this many seconds
  --emit final-book   at the end, print every book as \`replay --emit final-book\` does
  --data-silence <s>  replace a socket that sends no data (only PONG) for this long
                      (default ${DEFAULT_DATA_SILENCE_S}; 0 turns it off)
  --resync <method>   resubscribe (default) or rest: how an out-of-sync book is repaired
  --audit <s>         every this many seconds, compare one asset's book (in turn) with a
                      REST /book snapshot and resync on any difference; catches a dropped
                      delta below the top of book (default ${DEFAULT_AUDIT_S}; 0 turns it off)
  --log-level <lvl>   ${LOG_LEVELS.join(', ')} (default info); JSON lines on stderr
  --quiet             no summary on stderr
${VENUE_URL_USAGE}
  --config <file>     config file (env TILTMETER_CONFIG; default ./tiltmeter.config.json
                      when present); its "venue" keys sit below the flags and environment
  -h, --help          this text

Assets are spread over sockets of at most 200 each; each socket pings every 10 s, is
replaced after 30 s without any inbound frame, and reconnects with capped backoff,
resubscribing for fresh snapshots.
`

type Options = {
  readonly markets: readonly string[]
  readonly assets: readonly string[]
  readonly sports: readonly Sport[]
  readonly out: string
  readonly durationMs: number | null
  readonly dataSilenceMs: number | null
  readonly auditIntervalMs: number | null
  readonly emitFinalBook: boolean
  readonly resync: ResyncMethod
  readonly logLevel: LogLevel
  readonly quiet: boolean
  readonly urls: VenueUrls
}

/** Something the process can be told to stop by. */
export type SignalSource = {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

/** What the command takes from outside, replaceable in tests. */
export type RecordDeps = {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly now?: () => number
  /** Fetch, retry and sleep settings for Gamma and REST. */
  readonly http?: HttpOptions
  /** Socket intervals (ping, silence, backoff). */
  readonly connection?: Pick<
    MarketConnectionOptions,
    'pingIntervalMs' | 'silenceTimeoutMs' | 'backoff' | 'random'
  >
  readonly signals?: SignalSource
  readonly captureClock?: CaptureClock
  readonly flushMs?: number
}

function parseOptions(argv: readonly string[], env: RecordDeps['env'], cwd: string): Options {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        market: { type: 'string', multiple: true },
        assets: { type: 'string', multiple: true },
        sport: { type: 'string', multiple: true },
        out: { type: 'string' },
        duration: { type: 'string' },
        'data-silence': { type: 'string' },
        audit: { type: 'string' },
        emit: { type: 'string' },
        resync: { type: 'string', default: 'resubscribe' },
        'log-level': { type: 'string', default: 'info' },
        quiet: { type: 'boolean', default: false },
        ...VENUE_URL_OPTIONS,
        config: { type: 'string' },
      },
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values } = parsed
  const markets = (values.market ?? []).map((m) => m.trim())
  for (const market of markets) {
    if (market === '') throw new UsageError('--market needs a slug or a condition id (0x…)')
  }
  const assets: string[] = []
  for (const list of values.assets ?? []) {
    for (const part of list.split(',')) {
      const id = part.trim()
      if (id === '') continue
      if (!TOKEN_ID.test(id)) {
        throw new UsageError(
          `--assets: "${id}" is not a CLOB token id (decimal digits); \`tiltmeter markets --json\` lists them`,
        )
      }
      if (!assets.includes(id)) assets.push(id)
    }
  }
  const sports: Sport[] = []
  for (const name of values.sport ?? []) {
    const sport = name.toLowerCase()
    if (!isSport(sport)) {
      throw new UsageError(`--sport must be one of ${SPORTS.join(', ')}; got "${name}"`)
    }
    if (!sports.includes(sport)) sports.push(sport)
  }
  if (markets.length === 0 && assets.length === 0 && sports.length === 0) {
    throw new UsageError(
      'say what to record: --market <slug|condition id>, --assets <id,…> or --sport <name>',
    )
  }
  if (values.out === undefined || values.out.trim() === '') {
    throw new UsageError('--out <dir> is required: the directory the capture is written to')
  }
  let durationMs: number | null = null
  if (values.duration !== undefined) {
    const seconds = Number(values.duration)
    if (!/^\d+(\.\d+)?$/.test(values.duration) || !(seconds > 0)) {
      throw new UsageError(
        `--duration must be a positive number of seconds; got "${values.duration}"`,
      )
    }
    durationMs = Math.round(seconds * 1000)
  }
  let dataSilenceMs: number | null = DEFAULT_DATA_SILENCE_S * 1000
  const dataSilence = values['data-silence']
  if (dataSilence !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(dataSilence)) {
      throw new UsageError(
        `--data-silence must be a number of seconds (0 = off); got "${dataSilence}"`,
      )
    }
    const seconds = Number(dataSilence)
    dataSilenceMs = seconds === 0 ? null : Math.round(seconds * 1000)
  }
  let auditIntervalMs: number | null = DEFAULT_AUDIT_S * 1000
  const audit = values.audit
  if (audit !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(audit)) {
      throw new UsageError(`--audit must be a number of seconds (0 = off); got "${audit}"`)
    }
    const seconds = Number(audit)
    auditIntervalMs = seconds === 0 ? null : Math.round(seconds * 1000)
  }
  if (values.emit !== undefined && values.emit !== 'final-book') {
    throw new UsageError(`--emit must be final-book; got "${values.emit}"`)
  }
  const resync = values.resync
  if (!(RESYNC_METHODS as readonly string[]).includes(resync)) {
    throw new UsageError(`--resync must be one of ${RESYNC_METHODS.join(', ')}; got "${resync}"`)
  }
  const logLevel = values['log-level']
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`)
  }
  return {
    markets,
    assets,
    sports,
    out: values.out,
    durationMs,
    dataSilenceMs,
    auditIntervalMs,
    emitFinalBook: values.emit === 'final-book',
    resync: resync as ResyncMethod,
    logLevel: logLevel as LogLevel,
    quiet: values.quiet === true,
    urls: resolveCommandVenueUrls(values, env ?? process.env, cwd),
  }
}

/** Builds the command; `recordCommand` is the one wired to the real world. */
export function createRecordCommand(deps: RecordDeps = {}): Command {
  return {
    name: 'record',
    summary: 'record the live market channel to a capture directory',
    usage: USAGE,
    run: (argv, io) => run(argv, io, deps),
  }
}

export const recordCommand: Command = createRecordCommand()

async function run(argv: readonly string[], io: CliIO, deps: RecordDeps): Promise<number> {
  const options = parseOptions(argv, deps.env, io.cwd)
  const now = deps.now ?? Date.now
  let assetIds: string[]
  let labels: string[]
  try {
    const found = await discoverMarkets(options, {
      gammaUrl: options.urls.gammaUrl,
      http: deps.http,
      nowMs: now(),
      what: 'record',
    })
    for (const note of found.notes) io.stderr.write(`note: ${note}\n`)
    ;({ assetIds, labels } = found)
  } catch (e) {
    if (e instanceof DiscoveryFailure) {
      io.stderr.write(`tiltmeter record: ${e.message}\n`)
      return 1
    }
    if (e instanceof VenueError) {
      io.stderr.write(`tiltmeter record: ${explainGammaError(e, options.urls.gammaUrl)}\n`)
      return 1
    }
    throw e
  }

  const log = createLogger({ level: options.logLevel, destination: io.stderr })
  const dir = resolve(io.cwd, options.out)
  let captureError: unknown = null
  let stopNow: ((reason: string) => void) | null = null
  const failCapture = (e: unknown): void => {
    captureError ??= e
    stopNow?.('capture failed')
  }
  let writer: CaptureWriter
  try {
    writer = await CaptureWriter.open({
      dir,
      startedBy: 'record',
      source: {
        venue: 'polymarket',
        ws_url: options.urls.wsUrl,
        markets: labels,
        assets: assetIds,
      },
      onError: failCapture,
      ...(deps.captureClock === undefined ? {} : { clock: deps.captureClock }),
      ...(deps.flushMs === undefined ? {} : { flushMs: deps.flushMs }),
    })
  } catch (e) {
    if (!(e instanceof CaptureWriteError)) throw e
    io.stderr.write(`tiltmeter record: ${e.message}\n`)
    return 1
  }
  const feed = new MarketFeed({
    url: options.urls.wsUrl,
    assetIds,
    connection: {
      ...(options.dataSilenceMs === null ? {} : { dataSilenceMs: options.dataSilenceMs }),
      ...deps.connection,
    },
    now,
    log,
    capture: writer,
    onCaptureError: failCapture,
    resyncMethod: options.resync,
    rest: new ClobRestClient({ ...deps.http, baseUrl: options.urls.restUrl }),
    ...(options.auditIntervalMs === null ? {} : { auditIntervalMs: options.auditIntervalMs }),
  })

  const signals = deps.signals ?? process
  const startedAt = now()
  const stopReason = await new Promise<string>((done) => {
    let timer: NodeJS.Timeout | null = null
    const onSigint = (): void => finish('SIGINT')
    const onSigterm = (): void => finish('SIGTERM')
    function finish(reason: string): void {
      if (timer !== null) clearTimeout(timer)
      signals.off('SIGINT', onSigint)
      signals.off('SIGTERM', onSigterm)
      stopNow = null
      done(reason)
    }
    stopNow = finish
    signals.once('SIGINT', onSigint)
    signals.once('SIGTERM', onSigterm)
    const durationMs = options.durationMs
    if (durationMs !== null) {
      timer = setTimeout(() => finish(`--duration ${durationMs / 1000}s`), durationMs)
    }
    log.info({ assets: assetIds.length, dir }, 'recording')
    feed.start()
  })
  await feed.stop()
  let closeError: unknown = null
  try {
    await writer.close()
  } catch (e) {
    closeError = e
  }

  if (options.emitFinalBook) {
    const out = new LineWriter(io.stdout)
    for (const book of feed.market.books.values()) out.line(finalBookLine(book))
    await out.end()
  }
  const failure = captureError ?? closeError
  if (!options.quiet) writeSummary(io, feed, writer, dir, stopReason, now() - startedAt)
  if (failure !== null) {
    io.stderr.write(`tiltmeter record: the capture is incomplete: ${messageOf(failure)}\n`)
    return 1
  }
  return 0
}

function writeSummary(
  io: CliIO,
  feed: MarketFeed,
  writer: CaptureWriter,
  dir: string,
  stopReason: string,
  elapsedMs: number,
): void {
  const c = feed.market.counters
  const f = feed.counters
  const health = feed.healthCounts()
  const reconnects = feed.connections.reduce(
    (sum, conn) => sum + Math.max(0, conn.counters.connects - 1),
    0,
  )
  io.stderr.write(
    `record: stopped by ${stopReason} after ${(elapsedMs / 1000).toFixed(1)} s; ` +
      `${feed.assetIds.length} assets on ${f.connections} connection(s), ${reconnects} reconnects; ` +
      `${c.frames} frames (${c.ignoredFrames} non-JSON), ${c.events} events, ${feed.market.books.size} books, ` +
      `${c.parseErrors} parse errors, ${c.mismatches} best bid/ask mismatches, ${f.resyncs} resyncs ` +
      `(${f.resyncTimeouts} timed out); health at stop: ` +
      `${ASSET_HEALTH_STATES.map((s) => `${health[s]} ${s}`).join(', ')}; ` +
      `${writer.linesWritten} lines in ${writer.files.length} file(s) under ${dir}\n`,
  )
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
