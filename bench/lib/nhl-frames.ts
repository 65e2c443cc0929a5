/**
 * Venue frames derived from the NHL tick recordings through the project's own importer
 * (`importFile`): consecutive price_change legs with one timestamp become one current-shape
 * `price_change` frame, trades become `last_trade_price` frames. The data has no `book`
 * snapshots, so books built from these frames are never synced and the best bid/ask
 * self-check does not run on them; they measure parsing and level updates.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listCaptureFiles } from '../../src/adapters/capture/capture-reader.js'
import { CaptureWriter, type CaptureClock } from '../../src/adapters/capture/capture-writer.js'
import { importFile } from '../../src/adapters/importers/import-run.js'
import { polymarketFrameParser } from '../../src/adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings } from '../../src/adapters/replay/recorded-feed.js'
import { NHL_TICK_FILES } from './nhl-legs.js'

export type RecordedFrame = {
  /** Local (here: venue) time, epoch ms. */
  readonly tLocal: number
  /** One-line JSON text of the frame. */
  readonly raw: string
}

/** Removable scratch directory for temporary captures. */
export async function scratchDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tiltmeter-bench-${label}-`))
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

export type NhlFrames = {
  readonly frames: readonly RecordedFrame[]
  /** Set when the frames had to be adjusted before the parser accepted them, saying how. */
  readonly adjusted: string | null
}

/** A placeholder condition id: `0x` and 64 zeros. */
const PLACEHOLDER_MARKET = `0x${'0'.repeat(64)}`
const EMPTY_MARKET = '"market":""'

/**
 * Imports the NHL tick files and reads the frames back. The data has no condition ids and the
 * importer writes `"market":""`; when the parser rejects that, the frames get a placeholder
 * condition id instead (reported in `adjusted`), so parsing and applying can still be timed.
 * Throws when the parser rejects the frames either way.
 */
export async function loadNhlFrames(): Promise<NhlFrames> {
  const frames = await importNhlFrames()
  if (rejected(frames) === 0) return { frames, adjusted: null }
  const patched = frames.map((f) => ({
    tLocal: f.tLocal,
    raw: f.raw.replace(EMPTY_MARKET, `"market":"${PLACEHOLDER_MARKET}"`),
  }))
  const left = rejected(patched)
  if (left > 0) {
    const sample = polymarketFrameParser.parseText(frames[0]!.raw).errors[0]?.message ?? ''
    throw new Error(
      `the parser rejects the imported NHL frames (${left} of ${frames.length} even with a placeholder market id; first error: ${sample})`,
    )
  }
  return {
    frames: patched,
    adjusted: `"market":"" replaced by a placeholder condition id (0x + 64 zeros): the parser rejects the empty market id the importer writes`,
  }
}

function rejected(frames: readonly RecordedFrame[]): number {
  let count = 0
  for (const frame of frames) {
    if (polymarketFrameParser.parseText(frame.raw).errors.length > 0) count++
  }
  return count
}

/** Imports the NHL tick files into a scratch directory and reads the frames back, in order. */
async function importNhlFrames(): Promise<RecordedFrame[]> {
  const dir = await scratchDir('import')
  try {
    const outputs: string[] = []
    for (const file of NHL_TICK_FILES) {
      const report = await importFile(file, { outDir: dir })
      outputs.push(...report.outputs)
    }
    const frames: RecordedFrame[] = []
    await readRecordings(outputs, {
      onFrame: (frame) => frames.push({ tLocal: frame.tLocal, raw: frame.raw }),
    })
    if (frames.length === 0) throw new Error('the NHL import produced no frames')
    return frames
  } finally {
    await removeDir(dir)
  }
}

const FLUSH_EVERY_FRAMES = 20_000

/**
 * Writes the frames `copies` times into a gzip capture, each copy shifted in receive time past
 * the end of the one before. With `shiftVenueTime`, the frames' venue timestamps move with the
 * copy too (so event-time windows such as the signal engine's keep advancing).
 */
export async function writeCopiesCapture(
  dir: string,
  frames: readonly RecordedFrame[],
  copies: number,
  options: { readonly bench: string; readonly shiftVenueTime: boolean },
): Promise<{ frames: number; files: string[]; bytes: number }> {
  const first = frames[0]!.tLocal
  const span = frames[frames.length - 1]!.tLocal - first + 1000
  let now = first
  const clock: CaptureClock = { nowMs: () => now, monoUs: () => Math.round((now - first) * 1000) }
  const writer = await CaptureWriter.open({
    dir,
    prefix: 'bench',
    startedBy: 'bench',
    source: {
      bench: options.bench,
      note: `NHL tick import written ${copies} times, shifted in time`,
    },
    clock,
  })
  let written = 0
  try {
    for (let copy = 0; copy < copies; copy++) {
      const shift = copy * span
      for (const frame of frames) {
        now = frame.tLocal + shift
        const raw = options.shiftVenueTime
          ? frame.raw.replace(/"timestamp":"(\d+)"/g, (_m, ts: string) => {
              return `"timestamp":"${Number(ts) + shift}"`
            })
          : frame.raw
        writer.writeFrame('nhl', raw, { tLocal: now, mono: clock.monoUs(), isJson: true })
        if (++written % FLUSH_EVERY_FRAMES === 0) await writer.flush()
      }
    }
  } finally {
    await writer.close()
  }
  const files = await listCaptureFiles(dir)
  let bytes = 0
  for (const file of files) bytes += (await stat(file)).size
  return { frames: written, files, bytes }
}
