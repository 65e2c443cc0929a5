/**
 * The stages of a capture replay, timed one by one so the report can say where the time goes:
 *
 * 1. decompress: gunzip of every file, synchronously on the main thread (pure zlib cost; in a
 *    real replay zlib runs on a libuv worker thread, overlapped with decoding);
 * 2. read + decode: `readCaptures` with a no-op sink (file reads, gunzip, line splitting), with
 *    frame lines handed over as byte ranges (`onFrameBytes`: the fixed line prefix is scanned in
 *    the bytes, nothing is decoded to a string, as replay reads), read lazily (`decodeValues:
 *    false`: the payload text is sliced out of the decoded line), or with one JSON.parse per
 *    line (the default for other readers);
 * 3. feed: `readRecordings` with a no-op visitor (stage 2, lazy, plus the feed's frame objects);
 * 4. end to end: `readRecordings` into `MarketData` (stage 3 plus parse + apply), exactly what
 *    `tiltmeter replay` does per frame: `onFrameBytes` for capture frames handed over as bytes;
 * 5. parse + apply alone: `MarketData.onFrameBytes` over frames' UTF-8 bytes held in memory
 *    (the scanner reading in place), `MarketData.onFrameText` over frame texts, and
 *    `MarketData.onFrameValue` over frames decoded beforehand (the general parser's path);
 * 6. line JSON.parse alone: `JSON.parse` of capture lines already decompressed into strings, what
 *    a reader that decodes every line pays before any other work.
 */
import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { gunzipSync } from 'node:zlib'
import { polymarketFrameParser } from '../../src/adapters/polymarket/ws/market-frame-parser.js'
import { listCaptureFiles, readCaptures } from '../../src/adapters/capture/capture-reader.js'
import { readRecordings } from '../../src/adapters/replay/recorded-feed.js'
import {
  MarketData,
  type FrameMeta,
  type MarketDataCounters,
} from '../../src/engine/market-data.js'
import { timed, timedAsync } from './measure.js'
import type { RecordedFrame } from './nhl-frames.js'

export type StageTiming = {
  readonly ms: number
  readonly frames: number
  /**
   * Of `ms`, the time the main thread was busy (event loop utilisation), for the stages that
   * wait on gunzip's worker thread; the rest is waiting (or, on a loaded machine, descheduled).
   */
  readonly busyMs?: number
}

/** {@link timedAsync}, also measuring how long the main thread was busy. */
async function timedBusy<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; busyMs: number; result: T }> {
  let busyMs = 0
  const { ms, result } = await timedAsync(async () => {
    const before = performance.eventLoopUtilization()
    const value = await fn()
    busyMs = performance.eventLoopUtilization(before).active
    return value
  })
  return { ms, busyMs, result }
}

export async function timeDecompress(dir: string): Promise<StageTiming & { bytes: number }> {
  const files = await listCaptureFiles(dir)
  const compressed = await Promise.all(files.map((file) => readFile(file)))
  const { ms, result } = await timed(() => {
    let bytes = 0
    for (const data of compressed) bytes += gunzipSync(data).length
    return bytes
  })
  return { ms, frames: 0, bytes: result }
}

/** JSON.parse of the first `limit` capture lines of the first file, held as strings. */
export async function timeLineParse(dir: string, limit: number): Promise<StageTiming> {
  const [first] = await listCaptureFiles(dir)
  if (first === undefined) throw new Error(`no capture files in ${dir}`)
  const text = gunzipSync(await readFile(first))
  const lines: string[] = []
  let start = text.indexOf(0x0a) + 1 // skip the header line
  while (lines.length < limit) {
    const end = text.indexOf(0x0a, start)
    if (end < 0) break
    lines.push(text.toString('utf8', start, end))
    start = end + 1
  }
  const { ms, result } = await timed(() => {
    let checksum = 0
    for (const line of lines) checksum += (JSON.parse(line) as { t: number }).t > 0 ? 1 : 0
    return checksum
  })
  return { ms, frames: result }
}

/**
 * `readCaptures` with a no-op sink: `bytes` hands frame lines over as byte ranges (as replay
 * reads), `lazy` slices each frame's text out of the decoded line, `decode` decodes every line.
 */
export async function timeReadDecode(
  dir: string,
  mode: 'bytes' | 'lazy' | 'decode',
): Promise<StageTiming> {
  const files = await listCaptureFiles(dir)
  const { ms, busyMs, result } = await timedBusy(async () => {
    let frames = 0
    await readCaptures(
      files,
      (record) => {
        if (record.kind === 'frame') frames++
      },
      {
        decodeValues: mode === 'decode',
        onFrameBytes:
          mode === 'bytes'
            ? () => {
                frames++
              }
            : undefined,
      },
    )
    return frames
  })
  return { ms, busyMs, frames: result }
}

export async function timeFeed(dir: string): Promise<StageTiming> {
  const { ms, busyMs, result } = await timedBusy(async () => {
    let frames = 0
    await readRecordings([dir], {
      onFrame: () => {
        frames++
      },
      onFrameBytes: () => {
        frames++
      },
    })
    return frames
  })
  return { ms, busyMs, frames: result }
}

export type EndToEnd = StageTiming & { readonly counters: MarketDataCounters; books: number }

/** The replay command's per-frame work, without its output. */
export async function timeEndToEnd(dir: string): Promise<EndToEnd> {
  const market = new MarketData(polymarketFrameParser)
  const { ms, busyMs, result } = await timedBusy(async () => {
    const summary = await readRecordings([dir], {
      onFrame: (frame) => {
        const meta: FrameMeta = { tLocal: frame.tLocal, conn: frame.conn }
        if (frame.value === undefined) market.onFrameText(frame.raw, meta)
        else market.onFrameValue(frame.value, frame.raw, meta)
      },
      onFrameBytes: (bytes, start, end, tLocal, conn) =>
        market.onFrameBytes(bytes, start, end, { tLocal, conn }),
    })
    return summary.frames
  })
  return { ms, busyMs, frames: result, counters: { ...market.counters }, books: market.books.size }
}

/** Parse + apply alone, from the frame texts (the replay's path since captures are read lazily). */
export async function timeParseApplyText(frames: readonly RecordedFrame[]): Promise<StageTiming> {
  const texts = frames.map((frame) => frame.raw)
  const market = new MarketData(polymarketFrameParser)
  const meta: FrameMeta = { tLocal: 0, conn: 'bench' }
  const { ms } = await timed(() => {
    for (let i = 0; i < texts.length; i++) market.onFrameText(texts[i]!, meta)
  })
  return { ms, frames: frames.length }
}

/**
 * Parse + apply alone, from the frames' UTF-8 bytes (the replay's path for capture frames), held
 * one after another in one buffer, as the reader hands them over from a decompressed chunk.
 */
export async function timeParseApplyBytes(frames: readonly RecordedFrame[]): Promise<StageTiming> {
  const bytes = Buffer.from(frames.map((frame) => frame.raw).join('\n'), 'utf8')
  const starts: number[] = []
  const ends: number[] = []
  let at = 0
  for (const frame of frames) {
    const length = Buffer.byteLength(frame.raw, 'utf8')
    starts.push(at)
    ends.push(at + length)
    at += length + 1
  }
  const market = new MarketData(polymarketFrameParser)
  const meta: FrameMeta = { tLocal: 0, conn: 'bench' }
  const { ms } = await timed(() => {
    for (let i = 0; i < starts.length; i++) market.onFrameBytes(bytes, starts[i]!, ends[i]!, meta)
  })
  return { ms, frames: frames.length }
}

/** Parse + apply alone, on frames decoded before the clock starts. */
export async function timeParseApply(frames: readonly RecordedFrame[]): Promise<StageTiming> {
  const values = frames.map((frame) => JSON.parse(frame.raw) as unknown)
  const market = new MarketData(polymarketFrameParser)
  const meta: FrameMeta = { tLocal: 0, conn: 'bench' }
  const { ms } = await timed(() => {
    for (let i = 0; i < frames.length; i++) market.onFrameValue(values[i], frames[i]!.raw, meta)
  })
  return { ms, frames: frames.length }
}
