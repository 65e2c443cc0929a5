/**
 * Venue frames derived from the NHL tick recordings through the project's own importer
 * (`importFile`): consecutive price_change legs with one timestamp become one current-shape
 * `price_change` frame, trades become `last_trade_price` frames. The data has no `book`
 * snapshots, so books built from these frames are never synced and the best bid/ask
 * self-check does not run on them; they measure parsing and level updates.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
