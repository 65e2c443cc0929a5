/**
 * `tiltmeter capture index <path>`: builds (or checks) the playback index of a capture, the
 * file that lets playback seek anywhere in a recording at once (docs/PLAYBACK.md).
 */
import { resolve } from 'node:path'
import {
  buildCaptureIndex,
  CaptureIndexError,
  loadCaptureIndex,
  type CaptureIndex,
  type CaptureIndexOptions,
} from '../../adapters/capture/capture-index.js'
import {
  verifyCaptureIndex,
  type VerifyResult,
} from '../../adapters/capture/capture-index-verify.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { parseCommandArgs } from '../cli-args.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'

const MAX_PRINTED_WARNINGS = 20

const USAGE = `Usage: tiltmeter capture index <path> [options]

Builds the playback index of a capture: a capture file (.ndjson.gz or .ndjson) or a
directory of rotated capture files, merged as replay merges them. The index holds the
full book state every few seconds of venue time and where to resume reading there, so
playback can show any moment of a long recording at once. It is written beside the
capture (<file>.idx, or capture.idx inside a directory), checked against the capture's
files whenever it is used, and rebuilt when they changed or the index is damaged.
Playback builds it by itself on first use; this command does it ahead of time.

Options:
  --interval <s>   checkpoint every <s> seconds of venue time (default 10; without
                   it an existing index of any spacing counts as up to date)
  --force          rebuild even when the index is up to date
  --index <file>   keep the index here instead of beside the capture
  --verify <n>     then seek to <n> random times and compare each with a full replay
  --seed <n>       seed of the --verify times (default 1)
  --json           print one JSON object instead of text
  -h, --help       this text

Exit status: 0 done, 1 the capture or index could not be read or written, or --verify
found a difference, 2 bad usage.
`

type Options = {
  readonly path: string
  readonly intervalMs: number | undefined
  readonly force: boolean
  readonly indexPath: string | undefined
  readonly verify: number
  readonly seed: number
  readonly json: boolean
}

function positiveInt(name: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}; got "${text}"`)
  }
  return n
}

function parseOptions(argv: readonly string[], cwd: string): Options {
  const { values, positionals } = parseCommandArgs(argv, {
    interval: { type: 'string' },
    force: { type: 'boolean', default: false },
    index: { type: 'string' },
    verify: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  })
  const [sub, path, ...extra] = positionals
  if (sub === undefined) throw new UsageError('name a subcommand: capture index <path>')
  if (sub !== 'index') throw new UsageError(`unknown subcommand "${sub}"; the one there is: index`)
  if (path === undefined) throw new UsageError('name the capture file or directory to index')
  if (extra.length > 0)
    throw new UsageError(`one capture at a time; also got "${extra.join('", "')}"`)
  const interval = positiveInt('interval', values.interval, 86_400)
  return {
    path: resolve(cwd, path),
    intervalMs: interval === undefined ? undefined : interval * 1000,
    force: values.force === true,
    indexPath: values.index === undefined ? undefined : resolve(cwd, values.index),
    verify: positiveInt('verify', values.verify, 100_000) ?? 0,
    seed: positiveInt('seed', values.seed, 2 ** 31 - 1) ?? 1,
    json: values.json === true,
  }
}

/** Seeded uniform times over the recording's venue-time span. */
function verifyTimes(index: CaptureIndex, count: number, seed: number): number[] {
  const first = index.header.summary.firstClock
  const last = index.header.summary.lastClock
  if (first === null || last === null) return []
  let x = seed >>> 0
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0
    times.push(Math.round(first + (x / 2 ** 32) * (last - first)))
  }
  return times
}

const count = (n: number): string => n.toLocaleString('en-US')

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

function span(first: number | null, last: number | null): string {
  if (first === null || last === null) return 'no timed frames'
  const seconds = Math.round((last - first) / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const length =
    h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`
  return `${new Date(first).toISOString()} .. ${new Date(last).toISOString()} (${length} of venue time)`
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseOptions(argv, io.cwd)
  let warnings = 0
  const indexOptions: CaptureIndexOptions = {
    intervalMs: options.intervalMs,
    indexPath: options.indexPath,
    onWarning: (message) => {
      warnings++
      if (warnings <= MAX_PRINTED_WARNINGS) io.stderr.write(`warning: ${message}\n`)
      else if (warnings === MAX_PRINTED_WARNINGS + 1)
        io.stderr.write('(further warnings are counted in the summary only)\n')
    },
  }
  let index: CaptureIndex | null = null
  let status: string
  if (options.force) {
    status = 'rebuilt (--force)'
  } else {
    try {
      index = await loadCaptureIndex(options.path, indexOptions)
      status = 'up to date'
    } catch (e) {
      if (!(e instanceof CaptureIndexError)) throw e
      if (e.code === 'CAPTURE_INDEX_CORRUPT') io.stderr.write(`${e.message}; rebuilding it\n`)
      else if (e.code !== 'CAPTURE_INDEX_MISSING' && e.code !== 'CAPTURE_INDEX_STALE') throw e
      status =
        e.code === 'CAPTURE_INDEX_MISSING'
          ? 'built'
          : e.code === 'CAPTURE_INDEX_STALE'
            ? `rebuilt (${e.message.slice(e.message.indexOf(': ') + 2)})`
            : 'rebuilt (the old one was damaged)'
    }
  }
  index ??= await buildCaptureIndex(options.path, indexOptions)
  let verified: VerifyResult | null = null
  if (options.verify > 0) {
    verified = await verifyCaptureIndex(
      index,
      verifyTimes(index, options.verify, options.seed),
      polymarketFrameParser,
    )
  }
  const h = index.header
  const s = h.summary
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({
        index: index.location.indexPath,
        status,
        files: h.files.length,
        capture_bytes: h.files.reduce((n, f) => n + f.size, 0),
        frames: s.frames,
        markers: s.markers,
        trades: s.trades,
        first_clock: s.firstClock,
        last_clock: s.lastClock,
        checkpoints: s.checkpoints,
        interval_ms: h.intervalMs,
        resume_points: s.resumePoints,
        index_bytes: index.sizeBytes,
        build_ms: s.buildMs,
        warnings: s.warnings,
        verified: verified === null ? null : verified.checked,
        mismatches: verified === null ? null : verified.mismatches,
      })}\n`,
    )
  } else {
    const lines = [
      `index        ${index.location.indexPath} (${status})`,
      `capture      ${count(h.files.length)} file(s), ${size(h.files.reduce((n, f) => n + f.size, 0))}`,
      `frames       ${count(s.frames)} (${count(s.trades)} trades, ${count(s.markers)} markers, ${count(s.warnings)} warnings)`,
      `span         ${span(s.firstClock, s.lastClock)}`,
      `checkpoints  ${count(s.checkpoints)}, every ${h.intervalMs / 1000} s of venue time; ${count(s.resumePoints)} resume point(s)`,
      `index size   ${size(index.sizeBytes)}`,
      `build took   ${(s.buildMs / 1000).toFixed(1)} s`,
    ]
    if (verified !== null) {
      lines.push(
        verified.mismatches.length === 0
          ? `verified     ${count(verified.checked)} seeks give the replay's state`
          : `verified     ${count(verified.mismatches.length)} of ${count(verified.checked)} seeks differ from the replay; first at ${verified.mismatches[0]!.t}: ${verified.mismatches[0]!.difference}`,
      )
    }
    io.stdout.write(`${lines.join('\n')}\n`)
  }
  return verified !== null && verified.mismatches.length > 0 ? 1 : 0
}

export const captureCommand: Command = {
  name: 'capture',
  summary: 'capture tools: `capture index <path>` builds the playback index',
  usage: USAGE,
  run,
}
