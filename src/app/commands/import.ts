/**
 * `tiltmeter import <file…> --out <dir> [--json]`: turns third-party recordings into captures.
 */
import { performance } from 'node:perf_hooks'
import { basename, join } from 'node:path'
import { importFile, type ImportReport } from '../../adapters/importers/import-run.js'
import { parseCommandArgs } from '../cli-args.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'

const USAGE = `Usage: tiltmeter import <file…> --out <dir> [--json]

Turns third-party recordings into tiltmeter captures (one capture per input) that replay,
backtests and the terminal read like any recording. Inputs are detected by content, not by
file name:
  - an NHL tick parquet file (columns timestamp, price, size, best_bid, best_ask, side,
    event_type, asset_id; one row per price_change leg or trade): rows become current-shape
    price_change frames (consecutive legs of one timestamp grouped into one frame) and
    last_trade_price frames, in the file's (arrival) order. The data has no market ids: the
    frames carry the all-zero condition id 0x000…000 for "unknown"; order hashes are "".
    Local time is the running maximum of the row timestamps.
  - a JSON array of raw Polymarket market-channel frames, or one raw frame
  - NDJSON of raw frames (plain or gzip)
  Raw frames are written as they are, each with its own venue timestamp as local time (a
  running maximum, so it never goes backwards). Pretty-printed frames are re-serialised
  compactly, since a capture line holds one single-line frame.

Options:
  --out <dir>   where the captures go (created if missing); required
  --json        print one JSON object per input instead of the text summary
  -h, --help    this text

A capture is named import-<first 12 hex of the input's sha256>-…; importing the same content
into the same directory again is skipped ("already imported"). A bad input (unreadable, unknown
format, parquet without the tick columns, a row with an invalid value) is reported and leaves
no output; the other inputs are still imported, and the exit code is 1.
`

type Options = {
  readonly paths: readonly string[]
  readonly out: string
  readonly json: boolean
}

function parseOptions(argv: readonly string[]): Options {
  const parsed = parseCommandArgs(argv, {
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
  })
  const { values, positionals } = parsed
  if (positionals.length === 0) throw new UsageError('name at least one file to import')
  if (values.out === undefined || values.out.length === 0) {
    throw new UsageError('--out <dir> is required: the directory the captures go to')
  }
  return { paths: positionals, out: values.out, json: values.json === true }
}

function iso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString()
}

const count = (n: number): string => n.toLocaleString('en-US')
const frames = (n: number): string => `${count(n)} frame${n === 1 ? '' : 's'}`

function byType(messages: Readonly<Record<string, number>>): string {
  return Object.entries(messages)
    .map(([type, n]) => `${count(n)} ${type}`)
    .join(', ')
}

function textSummary(report: ImportReport, outputs: readonly string[], elapsedMs: number): string {
  if (report.status === 'skipped') {
    return `already imported: ${report.input} (same content as ${outputs.join(', ')}); skipped\n`
  }
  const lines = [`imported ${report.input}`]
  if (report.rowsRead !== null) {
    lines.push(`  format   ${report.format} (frames synthesised from rows)`)
    const trades = report.messagesByType.last_trade_price ?? 0
    lines.push(
      `  read     ${count(report.rowsRead)} rows: ${count(report.priceChangeLegs ?? 0)} price_change legs, ${count(trades)} trades`,
    )
  } else {
    lines.push(`  format   ${report.format}`)
    lines.push(`  read     ${frames(report.framesRead ?? 0)} (${byType(report.messagesByType)})`)
  }
  const written =
    report.rowsRead !== null
      ? `${frames(report.framesWritten)} (${byType(report.messagesByType)})`
      : frames(report.framesWritten)
  lines.push(`  wrote    ${written}`)
  lines.push(`  assets   ${count(report.assets)}`)
  lines.push(`  span     ${iso(report.firstTs) ?? '?'} .. ${iso(report.lastTs) ?? '?'}`)
  for (const output of outputs) lines.push(`  output   ${output}`)
  lines.push(`  took     ${(elapsedMs / 1000).toFixed(1)} s`)
  return `${lines.join('\n')}\n`
}

function jsonSummary(report: ImportReport, outputs: readonly string[], elapsedMs: number): string {
  return `${JSON.stringify({
    input: report.input,
    status: report.status,
    sha256: report.sha256,
    format: report.format,
    rows_read: report.rowsRead,
    frames_read: report.framesRead,
    frames_written: report.framesWritten,
    messages_by_type: report.messagesByType,
    price_change_legs: report.priceChangeLegs,
    assets: report.assets,
    first_ts: report.firstTs,
    last_ts: report.lastTs,
    first_time: iso(report.firstTs),
    last_time: iso(report.lastTs),
    outputs,
    elapsed_ms: Math.round(elapsedMs),
  })}\n`
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseOptions(argv)
  let failed = 0
  for (const path of options.paths) {
    const started = performance.now()
    try {
      const report = await importFile(path, { outDir: options.out, cwd: io.cwd })
      // Outputs are shown under --out as typed, not as absolute paths.
      const outputs = report.outputs.map((file) => join(options.out, basename(file)))
      const elapsed = performance.now() - started
      io.stdout.write(
        options.json
          ? jsonSummary(report, outputs, elapsed)
          : textSummary(report, outputs, elapsed),
      )
    } catch (e) {
      failed++
      const message = e instanceof Error ? e.message : String(e)
      io.stderr.write(`tiltmeter import: ${message}\n`)
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ input: path, status: 'failed', error: message })}\n`)
      }
    }
  }
  return failed > 0 ? 1 : 0
}

export const importCommand: Command = {
  name: 'import',
  summary: 'turn third-party recordings (NHL tick parquet, raw frame files) into captures',
  usage: USAGE,
  run,
}
