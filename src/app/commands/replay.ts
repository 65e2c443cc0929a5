/**
 * `tiltmeter replay <path…> --emit top|final-book|frames|signals`: runs recordings through the
 * same parser, book and signal code as the live feed and writes NDJSON to stdout.
 */
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings } from '../../adapters/replay/recorded-feed.js'
import { MarketData, type FrameMeta } from '../../engine/market-data.js'
import {
  DEFAULT_SIGNAL_CONFIG,
  parseSignalConfig,
  SignalEngine,
  type SignalConfig,
} from '../../engine/signals/index.js'
import { parseCommandArgs } from '../cli-args.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { ConfigError, parseConfigFile, readConfigFile } from '../config.js'
import { LineWriter } from '../line-writer.js'
import { ProgressBar } from '../progress.js'
import { finalBookLine, topLine } from '../replay-output.js'
import { SignalLineEmitter } from '../signal-output.js'

const EMITS = ['top', 'final-book', 'frames', 'signals'] as const
type Emit = (typeof EMITS)[number]

const MAX_PRINTED_PROBLEMS = 20

const USAGE = `Usage: tiltmeter replay <path…> [--emit top|final-book|frames|signals] [options]

Replays recorded market data through the live parser and order-book code and writes NDJSON
to stdout. Inputs are detected by content:
  - a tiltmeter capture file (.ndjson or .ndjson.gz) or a directory of captures
    (merged in receive-time order)
  - a JSON array of raw Polymarket market-channel frames, or one frame object
  - NDJSON of raw frames (plain or gzip)

Options:
  --emit top          one line per book-changing event per asset (default):
                      {"ts","asset_id","best_bid","best_ask","mid","spread",
                       "bid_depth5","ask_depth5","stale"}  (ts = venue ms; numbers)
  --emit final-book   one line per asset at the end, best level first, decimal strings:
                      {"asset_id","bids":[["0.45","88"],…],"asks":[…]}
  --emit frames       the raw frames, one per line, in replay order (exports a capture
                      to NDJSON that replay itself reads back)
  --emit signals      one line per signal (PANIC_SELL, FOMO_BUY, LIQUIDITY_VACUUM), in
                      signal order, once its reversion is known (or at the end):
                      {"type","asset_id","ts","score","volume_ratio","spread_ratio",
                       "depth_ratio","price_change","ref_price","reverted","reversion_s",
                       "retrace","mfe","mae"}  (see docs/SIGNALS.md)
  --config <file>     signal parameters from this config file's "signals" section
                      (default ./tiltmeter.config.json when present, env TILTMETER_CONFIG)
  --allow-unsynced-books
                      let signals use books that never had a snapshot while the venue's
                      best bid/ask agree with them (recordings that start mid-stream, such
                      as the NHL tick import); off by default
  --asset <id>        only this asset (repeatable); applies to top, final-book and signals
  --progress          draw the progress bar even when stderr is not a terminal
  --no-progress       never draw it (by default it shows on a terminal after 1 s)
  --quiet             no summary on stderr
  -h, --help          this text

The summary on stderr counts frames, events, parse errors, book mismatches and resync
requests; malformed frames are reported (the first ${MAX_PRINTED_PROBLEMS}) and skipped, never applied.
`

type Options = {
  readonly paths: readonly string[]
  readonly emit: Emit
  readonly assets: ReadonlySet<string> | null
  readonly progress: boolean | null
  readonly quiet: boolean
  readonly config: string | undefined
  readonly allowUnsyncedBooks: boolean
}

function parseOptions(argv: readonly string[]): Options {
  const parsed = parseCommandArgs(argv, {
    emit: { type: 'string', default: 'top' },
    asset: { type: 'string', multiple: true },
    progress: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    quiet: { type: 'boolean', default: false },
    config: { type: 'string' },
    'allow-unsynced-books': { type: 'boolean' },
  })
  const { values, positionals } = parsed
  const emit = values.emit
  if (!(EMITS as readonly string[]).includes(emit)) {
    throw new UsageError(`--emit must be one of ${EMITS.join(', ')}; got "${emit}"`)
  }
  if (positionals.length === 0) throw new UsageError('name at least one recording to replay')
  const progress = values['no-progress'] === true ? false : values.progress === true ? true : null
  return {
    paths: positionals,
    emit: emit as Emit,
    assets: values.asset === undefined ? null : new Set(values.asset),
    progress,
    quiet: values.quiet === true,
    config: values.config,
    allowUnsyncedBooks: values['allow-unsynced-books'] === true,
  }
}

/** The signal parameters: the config file's `signals` section (if any), then the flag. */
function signalConfigFor(options: Options, io: CliIO): SignalConfig {
  let config = DEFAULT_SIGNAL_CONFIG
  const file = readConfigFile(io.cwd, process.env, options.config)
  if (file !== null) {
    const section = parseConfigFile(file).signals
    if (section !== undefined) {
      try {
        config = parseSignalConfig(section)
      } catch (e) {
        throw new ConfigError(`config file ${file.path}: ${(e as Error).message}`)
      }
    }
  }
  return options.allowUnsyncedBooks ? { ...config, allowUnsyncedBooks: true } : config
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseOptions(argv)
  const signalConfig = options.emit === 'signals' ? signalConfigFor(options, io) : null
  const out = new LineWriter(io.stdout)
  let problems = 0
  const report = (message: string): void => {
    problems++
    if (problems <= MAX_PRINTED_PROBLEMS) io.stderr.write(`${message}\n`)
    else if (problems === MAX_PRINTED_PROBLEMS + 1)
      io.stderr.write('(further problems are counted in the summary only)\n')
  }
  const wanted = (assetId: string): boolean =>
    options.assets === null || options.assets.has(assetId)

  const emitter =
    signalConfig === null ? null : new SignalLineEmitter(out, { wanted: (id) => wanted(id) })
  const signals =
    signalConfig === null || emitter === null
      ? null
      : new SignalEngine(signalConfig, emitter.listener)

  const market = new MarketData(polymarketFrameParser, {
    onEvent: signals === null ? undefined : (event) => signals.onEvent(event),
    onBookChanged:
      options.emit === 'top'
        ? (book, event) => {
            if (wanted(book.assetId))
              out.line(topLine(book, market.venueTop(book.assetId), event.tsVenue))
          }
        : signals !== null
          ? (book, event) => signals.onBookChanged(book, event)
          : undefined,
    onParseError: (error, meta) =>
      report(
        `parse error (conn ${meta.conn}, t ${meta.tLocal}): ${error.message} [${error.excerpt}]`,
      ),
  })

  const bar = new ProgressBar(io.stderr, 'replay', options.progress ?? io.stderrIsTTY)
  const summary = await readRecordings(options.paths, {
    onFrame: (frame) => {
      const meta: FrameMeta = { tLocal: frame.tLocal, conn: frame.conn }
      if (options.emit === 'frames')
        out.line(frame.raw.includes('\n') ? compact(frame.raw, frame.value) : frame.raw)
      if (frame.value === undefined) market.onFrameText(frame.raw, meta)
      else market.onFrameValue(frame.value, frame.raw, meta)
    },
    // Without frame output, capture frames reach the parser as bytes, never decoded to text.
    onFrameBytes:
      options.emit === 'frames'
        ? undefined
        : (bytes, start, end, tLocal, conn) =>
            market.onFrameBytes(bytes, start, end, { tLocal, conn }),
    onWarning: (message) => report(`warning: ${message}`),
    onProgress: (done, total) => bar.update(done, total, `${market.counters.frames} frames`),
  })
  bar.finish()

  if (signals !== null && emitter !== null) {
    signals.finish()
    emitter.finish()
  }
  if (options.emit === 'final-book') {
    for (const book of market.books.values())
      if (wanted(book.assetId)) out.line(finalBookLine(book))
  }
  await out.end()

  if (!options.quiet) {
    const c = market.counters
    io.stderr.write(
      `replay: ${summary.inputs.length} input(s), ${c.frames} frames (${c.ignoredFrames} non-JSON ignored), ` +
        `${c.events} events, ${market.books.size} books, ${c.parseErrors} parse errors, ` +
        `${c.mismatches} best bid/ask mismatches, ${c.crossedBooks} crossed books, ` +
        `${c.resyncRequests} resync requests, ${summary.warnings} warnings, ${out.lines} lines written\n`,
    )
    if (signals !== null) {
      const s = signals.counters
      io.stderr.write(
        `signals: ${s.signals} (PANIC_SELL ${s.panicSell}, FOMO_BUY ${s.fomoBuy}, ` +
          `LIQUIDITY_VACUUM ${s.liquidityVacuum}), ${s.mirrored} mirrored, ` +
          `${s.reverted} of ${s.reversionsResolved} reverted\n`,
      )
    }
  }
  return 0
}

/** A multi-line raw frame re-serialised on one line (NDJSON cannot hold newlines). */
function compact(raw: string, value: unknown): string {
  return value === undefined ? JSON.stringify(raw) : JSON.stringify(value)
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay captures or raw frame files through the book; NDJSON on stdout',
  usage: USAGE,
  run,
}
