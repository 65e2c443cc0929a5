/**
 * Playback seek benchmark (`npm run bench:seek [-- --json] [-- --hours N --seeks N --seed N]`).
 *
 * Target (SPEC 2.7, playback of recorded matches): seeking anywhere in a 2-hour recording
 * shows the right book in under 200 ms.
 *
 * Builds a capture of about `hours` of venue time from the NHL tick recording (imported with
 * the project's importer, written over and over, shifted in receive and venue time), twice:
 * once flushed every second of capture time as the recorder does, once flushed every 20,000
 * frames as the importer does (far fewer places to resume decompression). For each: builds
 * the playback index (time, size), opens a playback session, seeks to `seeks` random times
 * (p50/p99/max against the target), checks a few seeks against a full replay, and times
 * playing forward at 20× from one of them. The scratch directories are removed at the end.
 */
import { stat } from 'node:fs/promises'
import {
  buildCaptureIndex,
  loadCaptureIndex,
  type CaptureIndex,
} from '../src/adapters/capture/capture-index.js'
import { verifyCaptureIndex } from '../src/adapters/capture/capture-index-verify.js'
import { listCaptureFiles } from '../src/adapters/capture/capture-reader.js'
import { CaptureWriter, type CaptureClock } from '../src/adapters/capture/capture-writer.js'
import { polymarketFrameParser } from '../src/adapters/polymarket/ws/market-frame-parser.js'
import { PlaybackSession } from '../src/engine/playback/playback-session.js'
import {
  formatCount,
  intOption,
  machineLine,
  median,
  renderTable,
  settle,
  timedAsync,
} from './lib/measure.js'
import {
  loadNhlFrames,
  removeDir,
  scratchDir,
  writeCopiesCapture,
  type RecordedFrame,
} from './lib/nhl-frames.js'

const TARGET_MS = 200
/** Playback speed timed after a seek, and the wall time between two advances at it. */
const SPEED = 20
const TICK_MS = 50
const TICKS = 200
/** Seeks compared with a full replay (one replay pass for all of them). */
const VERIFIED_SEEKS = 8

const argv = process.argv.slice(2)
const wantJson = argv.includes('--json')
const hours = intOption(argv, '--hours', 2)
const seekCount = intOption(argv, '--seeks', 200)
const seed = intOption(argv, '--seed', 7)

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

/** Deterministic times, so runs are comparable. */
function randomTimes(first: number, last: number, count: number, from: number): number[] {
  let x = from >>> 0
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0
    out.push(Math.round(first + (x / 2 ** 32) * (last - first)))
  }
  return out
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function shiftTimestamps(raw: string, shift: number): string {
  return raw.replace(
    /"timestamp":"(\d+)"/g,
    (_m, ts: string) => `"timestamp":"${Number(ts) + shift}"`,
  )
}

/**
 * Writes the frames `copies` times as a recorder would: one writer, rotating every hour of
 * receive time, a sync flush each time the receive clock passes a whole second.
 */
async function writeRecorderCapture(
  dir: string,
  frames: readonly RecordedFrame[],
  copies: number,
): Promise<void> {
  const first = frames[0]!.tLocal
  const span = frames[frames.length - 1]!.tLocal - first + 1000
  let now = first
  const clock: CaptureClock = { nowMs: () => now, monoUs: () => Math.round((now - first) * 1000) }
  const writer = await CaptureWriter.open({
    dir,
    prefix: 'bench',
    startedBy: 'bench',
    source: { bench: 'seek', note: `NHL tick import written ${copies} times, shifted in time` },
    clock,
    flushMs: 3_600_000,
  })
  let lastSecond = Math.floor(now / 1000)
  try {
    for (let copy = 0; copy < copies; copy++) {
      const shift = copy * span
      for (const frame of frames) {
        now = frame.tLocal + shift
        const second = Math.floor(now / 1000)
        if (second !== lastSecond) {
          await writer.flush()
          lastSecond = second
        }
        writer.writeFrame('nhl', shiftTimestamps(frame.raw, shift), {
          tLocal: now,
          mono: clock.monoUs(),
          isJson: true,
        })
      }
    }
  } finally {
    await writer.close()
  }
}

type Figures = {
  name: string
  frames: number
  files: number
  captureBytes: number
  spanHours: number
  buildMs: number
  indexBytes: number
  checkpoints: number
  resumePoints: number
  loadMs: number
  openMs: number
  seekMs: { p50: number; p99: number; max: number; mean: number }
  verified: number
  mismatches: number
  tickMs: { median: number; max: number }
}

async function measure(name: string, dir: string): Promise<Figures> {
  const files = await listCaptureFiles(dir)
  let captureBytes = 0
  for (const file of files) captureBytes += (await stat(file)).size
  const build = await timedAsync(() => buildCaptureIndex(dir))
  const load = await timedAsync(() => loadCaptureIndex(dir))
  const index: CaptureIndex = load.result
  const summary = index.header.summary
  const first = summary.firstClock!
  const last = summary.lastClock!
  const open = await timedAsync(() => PlaybackSession.open(index, polymarketFrameParser))
  const session = open.result
  const times = randomTimes(first, last, seekCount, seed)
  // One seek off the clock, so the first timed one does not pay for loading code.
  await session.seek(times[times.length - 1]!)
  await settle()
  const took: number[] = []
  for (const t of times) {
    const start = performance.now()
    const view = await session.seek(t)
    took.push(performance.now() - start)
    if (view.market.books.size === 0 && t > first + 60_000) {
      throw new Error(`seek to ${t} shows no books`)
    }
  }
  // Playing forward at 20×: one advance per 50 ms tick covers 1 s of venue time.
  await session.seek(times[0]!)
  const ticks: number[] = []
  let at = times[0]!
  for (let i = 0; i < TICKS && !session.atEnd; i++) {
    at += TICK_MS * SPEED
    const start = performance.now()
    await session.advance(at)
    ticks.push(performance.now() - start)
  }
  await session.close()
  const check = await verifyCaptureIndex(
    index,
    times.slice(0, VERIFIED_SEEKS),
    polymarketFrameParser,
  )
  const sorted = [...took].sort((a, b) => a - b)
  return {
    name,
    frames: summary.frames,
    files: files.length,
    captureBytes,
    spanHours: (last - first) / 3_600_000,
    buildMs: build.ms,
    indexBytes: index.sizeBytes,
    checkpoints: summary.checkpoints,
    resumePoints: summary.resumePoints,
    loadMs: load.ms,
    openMs: open.ms,
    seekMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]!,
      mean: took.reduce((a, b) => a + b, 0) / took.length,
    },
    verified: check.checked,
    mismatches: check.mismatches.length,
    tickMs: { median: median(ticks), max: Math.max(...ticks) },
  }
}

/** Writes the two ~`hours` captures; returns how the frames had to be adjusted, if at all. */
async function writeCaptures(recorderDir: string, importDir: string): Promise<string | null> {
  const { frames, adjusted } = await loadNhlFrames()
  if (adjusted !== null) log(`note: ${adjusted}`)
  const span = frames[frames.length - 1]!.tLocal - frames[0]!.tLocal + 1000
  const copies = Math.max(1, Math.round((hours * 3_600_000) / span))
  log(
    `capture: ${formatCount(frames.length)} NHL-derived frames (${(span / 60_000).toFixed(1)} min) × ${copies}, shifted in receive and venue time`,
  )
  await writeRecorderCapture(recorderDir, frames, copies)
  await writeCopiesCapture(importDir, frames, copies, { bench: 'seek', shiftVenueTime: true })
  return adjusted
}

const ms = (v: number): string => v.toFixed(1)
const ratio = (v: number): string => `${(v / TARGET_MS).toFixed(3)}×`

async function main(): Promise<void> {
  log(`tiltmeter playback seek benchmark: ${machineLine()}`)
  log()
  const results: Figures[] = []
  const recorderDir = await scratchDir('seek-recorder')
  const importDir = await scratchDir('seek-import')
  let adjusted: string | null
  try {
    // The source frames are dropped before measuring: they hold a large heap, and full
    // garbage collections over it would be timed with the seeks.
    adjusted = await writeCaptures(recorderDir, importDir)
    await settle()
    results.push(await measure('recorder (sync flush each second)', recorderDir))
    results.push(await measure('importer (sync flush each 20,000 frames)', importDir))
  } finally {
    await removeDir(recorderDir)
    await removeDir(importDir)
  }
  log()
  log(
    renderTable(
      ['capture', 'frames', 'files', 'MB', 'hours', 'build s', 'index KiB', 'ckpts', 'resume'],
      results.map((r) => [
        r.name,
        formatCount(r.frames),
        String(r.files),
        (r.captureBytes / 1e6).toFixed(1),
        r.spanHours.toFixed(2),
        (r.buildMs / 1000).toFixed(2),
        formatCount(r.indexBytes / 1024),
        formatCount(r.checkpoints),
        formatCount(r.resumePoints),
      ]),
    ),
  )
  log()
  log(
    renderTable(
      ['seek (ms)', 'p50', 'p99', 'max', 'mean', 'p99 / target', 'max / target', 'load', 'open'],
      results.map((r) => [
        r.name,
        ms(r.seekMs.p50),
        ms(r.seekMs.p99),
        ms(r.seekMs.max),
        ms(r.seekMs.mean),
        ratio(r.seekMs.p99),
        ratio(r.seekMs.max),
        ms(r.loadMs),
        ms(r.openMs),
      ]),
    ),
  )
  log()
  for (const r of results) {
    log(
      `${r.name}: ${r.verified} seeks compared with a full replay, ${r.mismatches} differ; ` +
        `playing at ${SPEED}× (${TICK_MS} ms ticks): median ${ms(r.tickMs.median)} ms, max ${ms(r.tickMs.max)} ms per tick`,
    )
  }
  const worst = Math.max(...results.map((r) => r.seekMs.max))
  const ok = worst < TARGET_MS && results.every((r) => r.mismatches === 0)
  log()
  log(
    `target: every seek in a ${hours}-hour recording < ${TARGET_MS} ms with the replay's books: ` +
      `worst ${ms(worst)} ms (${ratio(worst)} of the target) ${ok ? 'MET' : 'MISSED'}`,
  )
  if (wantJson) {
    log(
      JSON.stringify({
        target_ms: TARGET_MS,
        seeks: seekCount,
        seed,
        hours,
        results: results.map((r) => ({
          capture: r.name,
          frames: r.frames,
          files: r.files,
          capture_bytes: r.captureBytes,
          span_hours: Number(r.spanHours.toFixed(3)),
          index_build_ms: Math.round(r.buildMs),
          index_bytes: r.indexBytes,
          checkpoints: r.checkpoints,
          resume_points: r.resumePoints,
          index_load_ms: Number(r.loadMs.toFixed(2)),
          session_open_ms: Number(r.openMs.toFixed(2)),
          seek_ms: {
            p50: Number(r.seekMs.p50.toFixed(2)),
            p99: Number(r.seekMs.p99.toFixed(2)),
            max: Number(r.seekMs.max.toFixed(2)),
            mean: Number(r.seekMs.mean.toFixed(2)),
          },
          seek_ratio_to_target: {
            p50: Number((r.seekMs.p50 / TARGET_MS).toFixed(4)),
            p99: Number((r.seekMs.p99 / TARGET_MS).toFixed(4)),
            max: Number((r.seekMs.max / TARGET_MS).toFixed(4)),
          },
          verified_seeks: r.verified,
          mismatches: r.mismatches,
          advance_tick_ms: {
            median: Number(r.tickMs.median.toFixed(2)),
            max: Number(r.tickMs.max.toFixed(2)),
          },
        })),
        met: ok,
        frames_adjusted: adjusted,
        node: process.version,
      }),
    )
  }
  if (!ok) process.exitCode = 1
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench:seek failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  )
  process.exitCode = 1
})
