/**
 * `tiltmeter replay <path…> --emit top|final-book|frames`: runs recordings through the same
 * parser and book code as the live feed and writes NDJSON to stdout.
 */
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings } from '../../adapters/replay/recorded-feed.js'
import { MarketData, type FrameMeta } from '../../engine/market-data.js'
import { parseCommandArgs } from '../cli-args.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { LineWriter } from '../line-writer.js'
import { ProgressBar } from '../progress.js'
import { finalBookLine, topLine } from '../replay-output.js'

const EMITS = ['top', 'final-book', 'frames'] as const
type Emit = (typeof EMITS)[number]

const MAX_PRINTED_PROBLEMS = 20

const USAGE = `Usage: tiltmeter replay <path…> [--emit top|final-book|frames] [options]

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
  --asset <id>        only this asset (repeatable); applies to top and final-book
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
}

function parseOptions(argv: readonly string[]): Options {
  const parsed = parseCommandArgs(argv, {
    emit: { type: 'string', default: 'top' },
    asset: { type: 'string', multiple: true },
    progress: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    quiet: { type: 'boolean', default: false },
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
  }
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseOptions(argv)
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

  const market = new MarketData(polymarketFrameParser, {
    onBookChanged:
      options.emit === 'top'
        ? (book, event) => {
            if (wanted(book.assetId))
              out.line(topLine(book, market.venueTop(book.assetId), event.tsVenue))
          }
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
