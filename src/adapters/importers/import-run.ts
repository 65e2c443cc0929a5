/**
 * One import: a third-party recording in, one capture (usually one file) out.
 *
 * Idempotent: the output is named from the input's content hash (`import-<12 hex of sha256>-…`),
 * so importing the same bytes again into the same directory finds it and skips. Atomic: the
 * capture is written into a hidden scratch directory inside the output directory and moved into
 * place only when complete, so a failed import (bad row, full disk, crash) never leaves a file
 * that looks like an import. Input files are read whole into memory.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { CaptureWriter, type CaptureClock } from '../capture/capture-writer.js'
import { importRawFrames, type ImportFrame } from './clob-frames.js'
import { detectInput, type ImportFormat } from './detect.js'
import { ImportError } from './import-error.js'
import {
  nhlFrames,
  readNhlTicks,
  ROW_PRICE_CHANGE,
  UNKNOWN_MARKET_ID,
  type NhlFramesSummary,
} from './nhl-parquet.js'

/** The connection id written on imported frames. */
export const IMPORT_CONN = 'import'
/** Frames buffered between flushes, to bound memory on large inputs. */
const FLUSH_EVERY_FRAMES = 20_000

export type ImportOptions = {
  /** Output directory; created if missing. */
  readonly outDir: string
  /** Relative paths (input and `outDir`) are taken from here; default the process's. */
  readonly cwd?: string
}

export type ImportReport = {
  /** The input path as given. */
  readonly input: string
  /** `skipped` when a capture of the same content already exists in the output directory. */
  readonly status: 'imported' | 'skipped'
  /** Hex sha256 of the input file's bytes. */
  readonly sha256: string
  /** Null when skipped (the input was not parsed). */
  readonly format: ImportFormat | null
  /** Parquet rows read; null for frame files. */
  readonly rowsRead: number | null
  /** Frames read from a frame file; null for parquet. */
  readonly framesRead: number | null
  readonly framesWritten: number
  /** Messages written by event type (`price_change` counts frames; legs are in `priceChangeLegs`). */
  readonly messagesByType: Readonly<Record<string, number>>
  /** `price_change` entries written; null for frame files. */
  readonly priceChangeLegs: number | null
  /** Distinct token ids. */
  readonly assets: number
  /** Earliest and latest venue timestamp in the input, epoch ms; null when skipped. */
  readonly firstTs: number | null
  readonly lastTs: number | null
  /** The capture files (absolute paths), in order; for `skipped`, the ones found. */
  readonly outputs: readonly string[]
}

/** The name prefix every capture of this input gets: `import-` and 12 hex of its sha256. */
export function importPrefix(sha256: string): string {
  return `import-${sha256.slice(0, 12)}`
}

function isCaptureName(name: string): boolean {
  return name.endsWith('.ndjson.gz') || name.endsWith('.ndjson')
}

/** Captures already in `dir` for the input with this hash, sorted by name. */
async function existingImports(dir: string, prefix: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new Error(
      `cannot use output directory '${dir}' (${(e as Error).message}); choose a writable directory`,
      { cause: e },
    )
  }
  return names
    .filter((name) => name.startsWith(`${prefix}-`) && isCaptureName(name))
    .sort()
    .map((name) => join(dir, name))
}

/** The frames to write and what to put in the report and the capture header. */
type Plan = {
  readonly format: ImportFormat
  readonly frames: Iterator<ImportFrame, unknown, void>
  readonly firstTLocal: number
  readonly source: Readonly<Record<string, unknown>>
  readonly report: Omit<ImportReport, 'input' | 'status' | 'sha256' | 'outputs'>
}

async function plan(bytes: Uint8Array, path: string, sha256: string): Promise<Plan> {
  const detected = detectInput(bytes, path)
  const file = basename(path)
  if (detected.format === 'nhl-ticks-parquet') {
    const table = await readNhlTicks(bytes, detected.metadata, path)
    let legs = 0
    let trades = 0
    for (let row = 0; row < table.rows; row++) {
      if (table.kind[row] === ROW_PRICE_CHANGE) legs++
      else trades++
    }
    // Counting frames needs a dry pass over the table; it is cheap next to writing.
    const dry = nhlFrames(table)
    let summary: NhlFramesSummary
    for (;;) {
      const step = dry.next()
      if (step.done === true) {
        summary = step.value
        break
      }
    }
    return {
      format: detected.format,
      frames: nhlFrames(table),
      firstTLocal: table.rows > 0 ? (table.timestampMs[0] as number) : 0,
      source: {
        importer: 'nhl-ticks-parquet',
        file,
        sha256,
        format: detected.format,
        derived: true,
        rows: table.rows,
        price_change_rows: legs,
        last_trade_rows: trades,
        price_change_frames: summary.priceChangeFrames,
        last_trade_price_frames: summary.tradeFrames,
        assets: table.assets.length,
        first_ts: summary.firstTs,
        last_ts: summary.lastTs,
        market: null,
        note:
          'frames synthesised from price_change legs and trades in arrival order; the market (condition id) ' +
          `is not in the data and is written as ${UNKNOWN_MARKET_ID}; order hashes are written as ""`,
      },
      report: {
        format: detected.format,
        rowsRead: table.rows,
        framesRead: null,
        framesWritten: summary.frames,
        messagesByType: {
          price_change: summary.priceChangeFrames,
          last_trade_price: summary.tradeFrames,
        },
        priceChangeLegs: summary.legs,
        assets: table.assets.length,
        firstTs: table.rows > 0 ? summary.firstTs : null,
        lastTs: table.rows > 0 ? summary.lastTs : null,
      },
    }
  }
  const result = importRawFrames(detected.frames, path)
  const reserialised = detected.frames.filter((f) => f.text === null).length
  return {
    format: detected.format,
    frames: result.frames[Symbol.iterator](),
    firstTLocal: result.frames[0]?.tLocal ?? 0,
    source: {
      importer: 'clob-frames',
      file,
      sha256,
      format: detected.format,
      derived: false,
      frames: result.frames.length,
      reserialised_frames: reserialised,
      messages_by_type: result.messagesByType,
      assets: result.assets.size,
      first_ts: result.firstTs,
      last_ts: result.lastTs,
    },
    report: {
      format: detected.format,
      rowsRead: null,
      framesRead: detected.frames.length,
      framesWritten: result.frames.length,
      messagesByType: result.messagesByType,
      priceChangeLegs: null,
      assets: result.assets.size,
      firstTs: result.firstTs,
      lastTs: result.lastTs,
    },
  }
}

/**
 * Imports one file into `opts.outDir`. Throws {@link ImportError} for bad input (nothing is
 * written) and the capture writer's error when the output cannot be written (nothing is left).
 */
export async function importFile(path: string, opts: ImportOptions): Promise<ImportReport> {
  const cwd = opts.cwd ?? process.cwd()
  const outDir = resolve(cwd, opts.outDir)
  let bytes: Uint8Array
  try {
    bytes = await readFile(resolve(cwd, path))
  } catch (e) {
    throw new ImportError(path, `cannot be read (${(e as Error).message})`, { cause: e })
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const prefix = importPrefix(sha256)
  const found = await existingImports(outDir, prefix)
  if (found.length > 0) {
    return {
      input: path,
      status: 'skipped',
      sha256,
      format: null,
      rowsRead: null,
      framesRead: null,
      framesWritten: 0,
      messagesByType: {},
      priceChangeLegs: null,
      assets: 0,
      firstTs: null,
      lastTs: null,
      outputs: found,
    }
  }
  const planned = await plan(bytes, path, sha256)
  const outputs = await writeCapture(planned, prefix, outDir)
  return { input: path, status: 'imported', sha256, ...planned.report, outputs }
}

/** Writes the planned frames into a scratch directory, then moves the files into `outDir`. */
async function writeCapture(planned: Plan, prefix: string, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true })
  const scratch = join(
    outDir,
    `.partial-${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`,
  )
  // Data time, not wall time: the file name stamp and header times depend only on the input,
  // so the same input always gives the same capture.
  const origin = planned.firstTLocal
  let now = origin
  const clock: CaptureClock = { nowMs: () => now, monoUs: () => Math.round((now - origin) * 1000) }
  const moved: string[] = []
  let writer: CaptureWriter | null = null
  try {
    writer = await CaptureWriter.open({
      dir: scratch,
      prefix,
      gzip: true,
      startedBy: 'import',
      source: planned.source,
      clock,
    })
    let sinceFlush = 0
    for (;;) {
      const step = planned.frames.next()
      if (step.done === true) break
      now = step.value.tLocal
      writer.writeFrame(IMPORT_CONN, step.value.raw, {
        tLocal: now,
        mono: clock.monoUs(),
        isJson: true,
      })
      if (++sinceFlush >= FLUSH_EVERY_FRAMES) {
        sinceFlush = 0
        await writer.flush()
      }
    }
    await writer.close()
    for (const file of writer.files) {
      const target = join(outDir, basename(file))
      await rename(file, target)
      moved.push(target)
    }
    return moved
  } catch (e) {
    await writer?.close().catch(() => undefined) // the first error is the one to report
    for (const target of moved) await unlink(target).catch(() => undefined)
    throw e
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
