/**
 * Capture replay benchmark (`npm run bench:replay [-- --json] [-- --runs N --copies N]`).
 *
 * Imports the NHL tick recording with the project's importer, writes its frames `copies`
 * times over (shifted in time, so the capture stays in time order) into a gzip capture of at
 * least a million frames in a scratch directory, then replays it the way `tiltmeter replay`
 * does: read, decompress, decode, parse and apply every frame. Also times the stages on their
 * own and, when the project is built, the CLI itself. The scratch directory is removed at the
 * end, also on failure.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  formatCount,
  intOption,
  machineLine,
  median,
  perSecond,
  renderTable,
  timedAsync,
} from './lib/measure.js'
import { loadNhlFrames, removeDir, scratchDir, writeCopiesCapture } from './lib/nhl-frames.js'
import {
  timeDecompress,
  timeEndToEnd,
  timeFeed,
  timeLineParse,
  timeParseApply,
  timeParseApplyBytes,
  timeParseApplyText,
  timeReadDecode,
  type EndToEnd,
} from './lib/replay-stages.js'

const MIN_FRAMES = 1_000_000
/** Frames per second the end-to-end replay should reach on one core. */
const TARGET_FRAMES_PER_S = 500_000
/** Capture lines held in memory for the JSON.parse-only stage. */
const LINE_PARSE_SAMPLE = 200_000

const argv = process.argv.slice(2)
const wantJson = argv.includes('--json')
const runs = intOption(argv, '--runs', 3)

const CLI = fileURLToPath(new URL('../bin/tiltmeter.js', import.meta.url))
const BUILT_CLI = fileURLToPath(new URL('../dist/app/cli.js', import.meta.url))

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

/** Runs a stage `runs` times and returns the run with the median time. */
async function medianRun<T extends { ms: number }>(stage: () => Promise<T>): Promise<T> {
  const results: T[] = []
  for (let r = 0; r < runs; r++) results.push(await stage())
  results.sort((a, b) => a.ms - b.ms)
  return results[results.length >> 1]!
}

/** Runs `tiltmeter replay <dir> --emit final-book --quiet` and times it, start-up included. */
async function timeCli(dir: string): Promise<{ ms: number; lines: number } | null> {
  if (!existsSync(BUILT_CLI)) return null
  return (
    await timedAsync(
      () =>
        new Promise<{ ms: number; lines: number }>((resolve, reject) => {
          const start = performance.now()
          const child = spawn(
            process.execPath,
            [CLI, 'replay', dir, '--emit', 'final-book', '--quiet', '--no-progress'],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          )
          let lines = 0
          let stderr = ''
          child.stdout.on('data', (chunk: Buffer) => {
            for (const byte of chunk) if (byte === 0x0a) lines++
          })
          child.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString('utf8')
          })
          child.on('error', reject)
          child.on('close', (code) => {
            if (code === 0) resolve({ ms: performance.now() - start, lines })
            else reject(new Error(`tiltmeter replay exited with ${code}: ${stderr.trim()}`))
          })
        }),
    )
  ).result
}

async function main(): Promise<void> {
  log(`tiltmeter replay benchmark: ${machineLine()}`)
  log()
  const { frames, adjusted } = await loadNhlFrames()
  if (adjusted !== null) log(`note: ${adjusted}`)
  const copies = intOption(argv, '--copies', Math.ceil(MIN_FRAMES / frames.length))
  const dir = await scratchDir('replay')
  try {
    const write = await timedAsync(() =>
      writeCopiesCapture(dir, frames, copies, { bench: 'replay', shiftVenueTime: false }),
    )
    const capture = write.result
    log(
      `capture: ${formatCount(capture.frames)} frames (${formatCount(frames.length)} NHL-derived frames × ${copies}), ` +
        `${capture.files.length} gzip file(s), ${(capture.bytes / 1e6).toFixed(1)} MB on disk; ` +
        `written in ${(write.ms / 1000).toFixed(1)} s (${formatCount(perSecond(capture.frames, write.ms))} frames/s)`,
    )
    log()

    // Warm the code paths once on the real input before timing.
    await timeEndToEnd(dir)

    const decompress = await medianRun(() => timeDecompress(dir))
    const readDecode = await medianRun(() => timeReadDecode(dir, 'bytes'))
    const readDecodeLazy = await medianRun(() => timeReadDecode(dir, 'lazy'))
    const readDecodeFull = await medianRun(() => timeReadDecode(dir, 'decode'))
    const lineParse = await medianRun(() => timeLineParse(dir, LINE_PARSE_SAMPLE))
    const feed = await medianRun(() => timeFeed(dir))
    const ends: EndToEnd[] = []
    for (let r = 0; r < runs; r++) ends.push(await timeEndToEnd(dir))
    const endMs = median(ends.map((e) => e.ms))
    const end = ends[0]!
    if (end.frames !== capture.frames) {
      throw new Error(`replay read ${end.frames} frames, the capture has ${capture.frames}`)
    }
    if (end.counters.parseErrors > 0) {
      throw new Error(`replay hit ${end.counters.parseErrors} parse errors on a valid capture`)
    }
    const parseApplyRuns = []
    for (let r = 0; r < runs; r++) parseApplyRuns.push(await timeParseApplyBytes(frames))
    const parseApplyMs = median(parseApplyRuns.map((r) => r.ms))
    const parseApplyTextRuns = []
    for (let r = 0; r < runs; r++) parseApplyTextRuns.push(await timeParseApplyText(frames))
    const parseApplyTextMs = median(parseApplyTextRuns.map((r) => r.ms))
    const parseApplyValueRuns = []
    for (let r = 0; r < runs; r++) parseApplyValueRuns.push(await timeParseApply(frames))
    const parseApplyValueMs = median(parseApplyValueRuns.map((r) => r.ms))
    let cli: { ms: number; lines: number } | null = null
    let cliSkipped: string | null = null
    try {
      cli = await timeCli(dir)
      if (cli === null) cliSkipped = 'dist/ is not built; run npm run build'
    } catch (e) {
      cliSkipped = (e as Error).message
    }

    const perFrameUs = (ms: number, n: number): string => ((ms * 1000) / n).toFixed(2)
    const n = capture.frames
    const rows: string[][] = [
      [
        'end to end: readRecordings + MarketData (as tiltmeter replay)',
        formatCount(perSecond(n, endMs)),
        (endMs / 1000).toFixed(2),
        perFrameUs(endMs, n),
      ],
      [
        '  stage: gunzip alone (main thread, sync)',
        formatCount(perSecond(n, decompress.ms)),
        (decompress.ms / 1000).toFixed(2),
        perFrameUs(decompress.ms, n),
      ],
      [
        '  stage: readCaptures as bytes, no-op sink (read+gunzip+split+prefix scan)',
        formatCount(perSecond(n, readDecode.ms)),
        (readDecode.ms / 1000).toFixed(2),
        perFrameUs(readDecode.ms, n),
      ],
      [
        '  (ref.) readCaptures lazy text (lines decoded to strings), no-op sink',
        formatCount(perSecond(n, readDecodeLazy.ms)),
        (readDecodeLazy.ms / 1000).toFixed(2),
        perFrameUs(readDecodeLazy.ms, n),
      ],
      [
        '  (ref.) readCaptures decoding every line, no-op sink',
        formatCount(perSecond(n, readDecodeFull.ms)),
        (readDecodeFull.ms / 1000).toFixed(2),
        perFrameUs(readDecodeFull.ms, n),
      ],
      [
        `  stage: JSON.parse of ${formatCount(lineParse.frames)} capture lines in memory`,
        formatCount(perSecond(lineParse.frames, lineParse.ms)),
        (lineParse.ms / 1000).toFixed(2),
        perFrameUs(lineParse.ms, lineParse.frames),
      ],
      [
        '  stage: readRecordings, no-op visitor (+ feed frames)',
        formatCount(perSecond(n, feed.ms)),
        (feed.ms / 1000).toFixed(2),
        perFrameUs(feed.ms, n),
      ],
      [
        `  stage: parse + apply alone, onFrameBytes (${formatCount(frames.length)} frames as bytes)`,
        formatCount(perSecond(frames.length, parseApplyMs)),
        (parseApplyMs / 1000).toFixed(2),
        perFrameUs(parseApplyMs, frames.length),
      ],
      [
        `  (ref.) parse + apply, onFrameText (${formatCount(frames.length)} frame texts)`,
        formatCount(perSecond(frames.length, parseApplyTextMs)),
        (parseApplyTextMs / 1000).toFixed(2),
        perFrameUs(parseApplyTextMs, frames.length),
      ],
      [
        `  (ref.) parse + apply, onFrameValue (${formatCount(frames.length)} pre-decoded frames)`,
        formatCount(perSecond(frames.length, parseApplyValueMs)),
        (parseApplyValueMs / 1000).toFixed(2),
        perFrameUs(parseApplyValueMs, frames.length),
      ],
    ]
    if (cli !== null) {
      rows.push([
        'CLI: tiltmeter replay --emit final-book (incl. start-up)',
        formatCount(perSecond(n, cli.ms)),
        (cli.ms / 1000).toFixed(2),
        perFrameUs(cli.ms, n),
      ])
    }
    // Main-thread busy time per frame: the stages that wait on gunzip's worker thread are
    // busy for less than their wall time; synchronous stages are busy throughout.
    const busyUs = (t: { ms: number; busyMs?: number }, count: number): string =>
      perFrameUs(t.busyMs ?? t.ms, count)
    const endBusyMs = median(ends.map((e) => e.busyMs ?? e.ms))
    const busy = [
      perFrameUs(endBusyMs, n),
      busyUs(decompress, n),
      busyUs(readDecode, n),
      busyUs(readDecodeLazy, n),
      busyUs(readDecodeFull, n),
      busyUs(lineParse, lineParse.frames),
      busyUs(feed, n),
      perFrameUs(parseApplyMs, frames.length),
      perFrameUs(parseApplyTextMs, frames.length),
      perFrameUs(parseApplyValueMs, frames.length),
      '-',
    ]
    const table = rows.map((row, k) => [...row, busy[k] ?? '-'])
    log(renderTable(['what', 'frames/s', 'seconds', 'µs/frame', 'main busy µs/frame'], table))
    log()
    log(
      `every row but the CLI (one run) is the median of ${runs} runs; end to end: ${ends.map((e) => formatCount(perSecond(n, e.ms))).join(', ')} frames/s; ` +
        `${formatCount(end.counters.levelChanges)} level changes, ${formatCount(end.counters.trades)} trades, ` +
        `${end.books} books, ${end.counters.parseErrors} parse errors`,
    )
    log(
      `decompressed ${(decompress.bytes / 1e6).toFixed(0)} MB; in a replay gunzip runs on a libuv worker ` +
        'thread, so on 2+ cores it overlaps with decoding rather than adding to it',
    )
    if (cliSkipped !== null) log(`CLI: skipped (${cliSkipped})`)
    log()
    const us = (ms: number, count: number): number => (ms * 1000) / count
    const endUs = us(endMs, n)
    const lineUs = us(lineParse.ms, lineParse.frames)
    const readUs = us(readDecode.busyMs ?? readDecode.ms, n)
    const feedUs = us(feed.busyMs ?? feed.ms, n)
    const endBusyUs = us(endBusyMs, n)
    const applyUs = us(parseApplyMs, frames.length)
    log(
      `where the time goes, main thread busy, µs per frame (end to end ${endUs.toFixed(2)} wall, ${endBusyUs.toFixed(2)} busy):`,
    )
    log(
      `  read as bytes                        ${readUs.toFixed(2)}  (file reads, gunzip callbacks, line split, prefix scan)`,
    )
    log(`  feed                                 ${Math.max(0, feedUs - readUs).toFixed(2)}`)
    log(
      `  parse + apply                        ${applyUs.toFixed(2)}  (measured alone; end-to-end busy minus feed: ${(endBusyUs - feedUs).toFixed(2)})`,
    )
    log(
      `  gunzip                               ${us(decompress.ms, n).toFixed(2)}  (on a worker thread, overlapped)`,
    )
    log(
      `  not paid any more: JSON.parse of the capture line ${lineUs.toFixed(2)}; full decode of every line ${us(readDecodeFull.ms, n).toFixed(2)}, lazy text ${us(readDecodeLazy.ms, n).toFixed(2)}, vs bytes ${readUs.toFixed(2)}`,
    )
    const endRate = perSecond(n, endMs)
    log()
    log(
      `target: end-to-end replay ≥ ${formatCount(TARGET_FRAMES_PER_S)} frames/s: ${formatCount(endRate)} ` +
        `${endRate >= TARGET_FRAMES_PER_S ? 'MET' : 'MISSED'}`,
    )

    if (wantJson) {
      const summary = {
        replay_frames_per_s: Math.round(endRate),
        frames: n,
        capture_files: capture.files.length,
        capture_mb: Number((capture.bytes / 1e6).toFixed(1)),
        stages_frames_per_s: {
          gunzip_sync: Math.round(perSecond(n, decompress.ms)),
          read_decode: Math.round(perSecond(n, readDecode.ms)),
          read_decode_lazy_text: Math.round(perSecond(n, readDecodeLazy.ms)),
          read_decode_full: Math.round(perSecond(n, readDecodeFull.ms)),
          line_json_parse: Math.round(perSecond(lineParse.frames, lineParse.ms)),
          feed: Math.round(perSecond(n, feed.ms)),
          parse_apply: Math.round(perSecond(frames.length, parseApplyMs)),
          parse_apply_text: Math.round(perSecond(frames.length, parseApplyTextMs)),
          parse_apply_value: Math.round(perSecond(frames.length, parseApplyValueMs)),
        },
        main_busy_us_per_frame: {
          end_to_end: Number(endBusyUs.toFixed(3)),
          read_decode: Number(readUs.toFixed(3)),
          feed: Number(feedUs.toFixed(3)),
        },
        cli_frames_per_s: cli === null ? null : Math.round(perSecond(n, cli.ms)),
        runs,
        frames_adjusted: adjusted,
        node: process.version,
      }
      log(JSON.stringify(summary))
    }
  } finally {
    await removeDir(dir)
  }
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench:replay failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  )
  process.exitCode = 1
})
