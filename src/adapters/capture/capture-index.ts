/**
 * The playback index of a capture (a file, or a directory of rotated files): built in one
 * replay pass, written beside the capture, checked against the capture on every load, and
 * rebuilt when the capture changed or the index is damaged. A loaded index is the
 * {@link PlaybackSource} a `PlaybackSession` seeks in. How it works: docs/PLAYBACK.md.
 *
 * Parts: `capture-index-gzip.ts` and `capture-index-input.ts` (decompression from a resume
 * point), `capture-index-lane.ts` (one file's records with their offsets),
 * `capture-index-cursor.ts` (files merged in replay order), `capture-index-format.ts` (the
 * index file), `capture-index-check.ts` (location, identity, staleness),
 * `capture-index-source.ts` (a loaded index), `capture-index-verify.ts` (comparison with a
 * full replay).
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import type { FrameParser } from '../../engine/market-data.js'
import {
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_CHECKPOINT_MAX_FRAMES,
  IndexBuilder,
} from '../../engine/playback/index-builder.js'
import { MARKET_STATE_LAYOUT } from '../../engine/playback/market-state.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import {
  checkStructure,
  identify,
  locateCapture,
  staleReason,
  type CaptureLocation,
  type FileIdentity,
} from './capture-index-check.js'
import { MergedCaptureCursor, type MergeFile } from './capture-index-cursor.js'
import { CaptureIndexError } from './capture-index-errors.js'
import {
  INDEX_FORMAT,
  INDEX_VERSION,
  decodeIndex,
  encodeIndex,
  packF64,
  pack,
  type IndexContent,
} from './capture-index-format.js'
import type { ResumePoint } from './capture-index-gzip.js'
import { CaptureLane } from './capture-index-lane.js'
import { CaptureIndex } from './capture-index-source.js'

export {
  DIRECTORY_INDEX_NAME,
  INDEX_SUFFIX,
  locateCapture,
  type CaptureLocation,
} from './capture-index-check.js'
export { CaptureIndexError } from './capture-index-errors.js'
export { CaptureIndex } from './capture-index-source.js'

/**
 * Compressed bytes between resume points at least: inflating this much (about 1 MiB of text
 * at the writer's compression) is the most a seek spends reaching its checkpoint.
 */
const RESUME_SPACING_BYTES = 128 * 1024
const NO_EXCLUSIONS: ReadonlySet<number> = new Set()

export type CaptureIndexOptions = {
  /** Venue-time spacing of checkpoints, ms; default 10,000. */
  readonly intervalMs?: number
  /** Checkpoint at least every this many frames; default 25,000. */
  readonly maxFrames?: number
  /** Where the index file lives; default beside the capture (see {@link locateCapture}). */
  readonly indexPath?: string
  /**
   * Compressed bytes between resume points at least; default 128 KiB. Smaller makes seeks
   * inflate less and the index larger (32 KiB of window, compressed, per point).
   */
  readonly resumeSpacingBytes?: number
  /** Default: the Polymarket market-channel parser, as replay uses. */
  readonly parser?: FrameParser
  /** Damage met while reading the capture, and a damaged index being replaced. */
  readonly onWarning?: (message: string) => void
}

/** Receive time of the first record of a file, Infinity when it has none. */
async function firstRecordTime(path: string): Promise<number> {
  const lane = await CaptureLane.open(path, {}, () => undefined)
  try {
    return (await lane.refill()) ? lane.times[0]! : Number.POSITIVE_INFINITY
  } finally {
    await lane.close()
  }
}

/**
 * Builds the index of the capture at `path` (a file or a directory) and writes it beside the
 * capture, replacing any index there.
 * @throws CaptureFileError when the capture cannot be read; CaptureIndexError when the index
 *   cannot be written or the capture cannot be indexed.
 */
export async function buildCaptureIndex(
  path: string,
  options: CaptureIndexOptions = {},
): Promise<CaptureIndex> {
  const started = performance.now()
  const location = await locateCapture(path, options.indexPath)
  const identities: FileIdentity[] = []
  for (const file of location.files) identities.push(await identify(file))
  const content = await buildContent(location, identities, options, started)
  const bytes = encodeIndex(content)
  await writeAtomically(location.indexPath, bytes)
  return new CaptureIndex(location, content, bytes.length)
}

async function buildContent(
  location: CaptureLocation,
  identities: readonly FileIdentity[],
  options: CaptureIndexOptions,
  started: number,
): Promise<IndexContent> {
  const files = location.files
  const parser = options.parser ?? polymarketFrameParser
  let warnings = 0
  const warn = (message: string): void => {
    warnings++
    options.onWarning?.(message)
  }
  const merge: MergeFile[] = []
  for (const file of files) merge.push({ path: file, firstT: await firstRecordTime(file) })

  const discovered: ResumePoint[][] = files.map(() => [])
  const chosen = new Map<ResumePoint, number>()
  const chosenList: { file: number; point: ResumePoint }[] = []
  const choose = (file: number, offset: number): void => {
    const points = discovered[file]!
    let j = points.length - 1
    while (j > 0 && points[j]!.decompressed > offset) j--
    const point = points[j]
    if (point === undefined || point.decompressed > offset) return
    if (!chosen.has(point)) {
      chosen.set(point, chosenList.length)
      chosenList.push({ file, point })
    }
    // Later checkpoints are further on: earlier points can no longer be chosen.
    points.splice(0, j)
  }

  const checkpoints: number[] = []
  const positions: number[] = []
  const states: Buffer[] = []
  let statesBytes = 0
  let cursor: MergedCaptureCursor | null = null
  const builder = new IndexBuilder(
    parser,
    () => cursor!.position(),
    (checkpoint) => {
      const packed = packF64(checkpoint.state)
      checkpoints.push(checkpoint.clock, statesBytes, packed.length)
      states.push(packed)
      statesBytes += packed.length
      checkpoint.position.forEach((offset, file) => {
        positions.push(offset)
        if (offset >= 0 && identities[file]!.gzip) choose(file, offset)
      })
    },
    { intervalMs: options.intervalMs, maxFrames: options.maxFrames },
  )
  cursor = await MergedCaptureCursor.open(
    merge,
    null,
    () => (i, offset) =>
      CaptureLane.open(
        files[i]!,
        {
          offset,
          discover: {
            minSpacing: options.resumeSpacingBytes ?? RESUME_SPACING_BYTES,
            onPoint: (point) => discovered[i]!.push(point),
            excluded: NO_EXCLUSIONS,
          },
        },
        warn,
      ),
  )
  try {
    builder.begin()
    await cursor.read(builder)
  } finally {
    await cursor.close()
  }

  chosenList.sort((a, b) => a.file - b.file || a.point.decompressed - b.point.decompressed)
  const resume: number[] = []
  const windows: Buffer[] = []
  let windowBytes = 0
  for (const { file, point } of chosenList) {
    const packed = pack(point.window)
    resume.push(file, point.compressed, point.decompressed, windowBytes, packed.length)
    windows.push(packed)
    windowBytes += packed.length
  }
  const summary = builder.summary()
  return {
    header: {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      stateLayout: MARKET_STATE_LAYOUT,
      createdAt: Date.now(),
      intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
      maxFrames: options.maxFrames ?? DEFAULT_CHECKPOINT_MAX_FRAMES,
      files: identities.map((identity, i) => ({
        ...identity,
        firstT: merge[i]!.firstT === Number.POSITIVE_INFINITY ? null : merge[i]!.firstT,
      })),
      strings: builder.strings.strings,
      summary: {
        ...summary,
        resumePoints: chosenList.length,
        warnings,
        buildMs: Math.round(performance.now() - started),
      },
    },
    checkpoints: Float64Array.from(checkpoints),
    positions: Float64Array.from(positions),
    resume: Float64Array.from(resume),
    windows: Buffer.concat(windows),
    states: Buffer.concat(states),
    trades: builder.trades.finish(),
  }
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, bytes)
    await rename(temporary, path)
  } catch (e) {
    await unlink(temporary).catch(() => undefined)
    throw new CaptureIndexError(
      'CAPTURE_INDEX_WRITE_FAILED',
      `${path}: cannot write the playback index (${(e as Error).message}); make the capture's directory writable or name another place for the index`,
      { cause: e },
    )
  }
}

/**
 * Loads the index of the capture at `path` and checks it against the capture.
 * @throws CaptureIndexError `CAPTURE_INDEX_MISSING` (no index yet), `CAPTURE_INDEX_STALE` (the
 *   capture or the build options changed, or an older index format), `CAPTURE_INDEX_CORRUPT`
 *   (the index file is damaged).
 */
export async function loadCaptureIndex(
  path: string,
  options: CaptureIndexOptions = {},
): Promise<CaptureIndex> {
  const location = await locateCapture(path, options.indexPath)
  const where = location.indexPath
  let bytes: Buffer
  try {
    bytes = await readFile(where)
  } catch (e) {
    throw new CaptureIndexError(
      'CAPTURE_INDEX_MISSING',
      `${where}: no playback index (${(e as Error).message}); build it with \`tiltmeter capture index ${path}\``,
      { cause: e },
    )
  }
  let content: IndexContent
  try {
    content = decodeIndex(bytes)
    checkStructure(content, location.files.length)
  } catch (e) {
    if (!(e instanceof CaptureIndexError)) throw e
    throw new CaptureIndexError(e.code, `${where}: ${e.message}`, { cause: e })
  }
  const stale = await staleReason(content, location, options)
  if (stale !== null) {
    throw new CaptureIndexError('CAPTURE_INDEX_STALE', `${where}: index is out of date: ${stale}`)
  }
  return new CaptureIndex(location, content, bytes.length)
}

/** What {@link ensureCaptureIndex} did. */
export type EnsuredIndex = {
  readonly index: CaptureIndex
  /** True when the index was (re)built by this call. */
  readonly built: boolean
  /** Why it was built: the missing, stale or damaged index's message; null when loaded. */
  readonly reason: string | null
}

/**
 * Loads the capture's index, building it when missing or stale and rebuilding it when
 * damaged (reported through `onWarning`).
 */
export async function ensureCaptureIndex(
  path: string,
  options: CaptureIndexOptions = {},
): Promise<EnsuredIndex> {
  try {
    return { index: await loadCaptureIndex(path, options), built: false, reason: null }
  } catch (e) {
    if (!(e instanceof CaptureIndexError)) throw e
    if (e.code === 'CAPTURE_INDEX_CORRUPT') options.onWarning?.(`${e.message}; rebuilding it`)
    else if (e.code !== 'CAPTURE_INDEX_MISSING' && e.code !== 'CAPTURE_INDEX_STALE') throw e
    return { index: await buildCaptureIndex(path, options), built: true, reason: e.message }
  }
}

/** The capture at `path` ready for a `PlaybackSession` (its index loaded or built first). */
export async function openCapturePlayback(
  path: string,
  options: CaptureIndexOptions = {},
): Promise<CaptureIndex> {
  return (await ensureCaptureIndex(path, options)).index
}
