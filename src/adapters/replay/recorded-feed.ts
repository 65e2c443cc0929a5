/**
 * Recorded market data as a feed: the replay side of the one code path. Accepts, detected by
 * content rather than by name:
 * - a tiltmeter capture file (plain or gzip) or a directory of them (merged in time order);
 * - a JSON array of raw venue frames, or a single raw frame object (pretty-printed or not);
 * - NDJSON of raw venue frames (plain or gzip).
 * Frames go to `onFrame` in order with their receive time (or, when the visitor has
 * `onFrameBytes`, capture frames in the writer's layout go there as bytes); capture markers go
 * to `onMarker`.
 */
import { readFile, stat } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { excerptOf } from '../../domain/errors.js'
import {
  isCaptureHeaderLine,
  type CaptureMarker,
  type CaptureRecord,
} from '../capture/capture-format.js'
import { listCaptureFiles, readCaptures } from '../capture/capture-reader.js'

export type InputKind = 'capture' | 'capture-dir' | 'json-frames' | 'ndjson-frames'

export type FeedFrame = {
  /** Local receive time (epoch ms); for raw venue files, the frame's own venue timestamp. */
  readonly tLocal: number
  readonly conn: string
  /** The verbatim frame text. */
  readonly raw: string
  /**
   * The decoded JSON value when the reader already has it; undefined otherwise: for text that
   * is not JSON (e.g. PONG) and for frames read from captures, which are handed over undecoded
   * (parse `raw`; the market parser reads the common frames without a full JSON decode).
   */
  readonly value: unknown
}

export type FeedVisitor = {
  onFrame(frame: FeedFrame): void
  /**
   * Optional: capture frames laid out as the capture writer writes them come here instead of
   * to `onFrame`, as the UTF-8 bytes of the frame text (`bytes[start, end)`, valid during the
   * call only), without being decoded to a string. Every other frame still goes to `onFrame`,
   * in the same order. For consumers that parse bytes (`MarketData.onFrameBytes`).
   */
  onFrameBytes?(bytes: Uint8Array, start: number, end: number, tLocal: number, conn: string): void
  onMarker?(marker: CaptureMarker): void
  onWarning?(message: string): void
  /** Bytes of input consumed so far out of the total, for progress bars. */
  onProgress?(doneBytes: number, totalBytes: number): void
}

export type FeedSummary = {
  readonly inputs: readonly { path: string; kind: InputKind }[]
  readonly frames: number
  readonly markers: number
  readonly warnings: number
}

const GZIP_MAGIC_0 = 0x1f
const GZIP_MAGIC_1 = 0x8b

/** Error for an input replay cannot read: says which file and what was expected. */
export class ReplayInputError extends Error {
  readonly code = 'REPLAY_INPUT'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ReplayInputError'
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1
}

/** The venue timestamp of a raw frame (the latest of its events), or NaN when it has none. */
export function frameTimestamp(value: unknown): number {
  if (Array.isArray(value)) {
    let latest = Number.NaN
    for (const item of value) {
      const ts = frameTimestamp(item)
      if (!Number.isNaN(ts) && (Number.isNaN(latest) || ts > latest)) latest = ts
    }
    return latest
  }
  if (typeof value === 'object' && value !== null) {
    const ts = (value as { timestamp?: unknown }).timestamp
    if (typeof ts === 'string' || typeof ts === 'number') {
      const n = Number(ts)
      return Number.isFinite(n) ? n : Number.NaN
    }
  }
  return Number.NaN
}

/** Reads the first text line of a file's (decompressed) content, for detection. */
function firstLine(text: string): string {
  const end = text.indexOf('\n')
  return (end < 0 ? text : text.slice(0, end)).trim()
}

/** Detects what kind of recording a path holds. */
export async function detectInput(path: string): Promise<InputKind> {
  let info
  try {
    info = await stat(path)
  } catch (e) {
    throw new ReplayInputError(`cannot read "${path}": ${(e as Error).message}`, { cause: e })
  }
  if (info.isDirectory()) return 'capture-dir'
  const text = await readTextHead(path)
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[')) return 'json-frames'
  if (trimmed.startsWith('{')) {
    const line = firstLine(trimmed)
    if (isCaptureHeaderLine(line)) return 'capture'
    return 'ndjson-frames'
  }
  throw new ReplayInputError(
    `"${path}" is not a recording replay understands: expected a tiltmeter capture (.ndjson or .ndjson.gz), a JSON array of Polymarket market frames, or NDJSON of frames; it starts with "${excerptOf(trimmed, 40)}"`,
  )
}

/** The first 64 KiB of a file as text, decompressed when gzip. */
async function readTextHead(path: string): Promise<string> {
  const { open } = await import('node:fs/promises')
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const head = buffer.subarray(0, bytesRead)
    if (!isGzip(head)) return head.toString('utf8')
    const { createGunzip, constants } = await import('node:zlib')
    return await new Promise<string>((resolve) => {
      const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })
      const chunks: Buffer[] = []
      gunzip.on('data', (chunk: Buffer) => chunks.push(chunk))
      gunzip.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')))
      gunzip.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      gunzip.end(head)
    })
  } finally {
    await handle.close()
  }
}

async function readWholeText(path: string): Promise<{ text: string; bytes: number }> {
  const bytes = await readFile(path)
  if (!isGzip(bytes)) return { text: bytes.toString('utf8'), bytes: bytes.length }
  try {
    return { text: gunzipSync(bytes).toString('utf8'), bytes: bytes.length }
  } catch (e) {
    throw new ReplayInputError(
      `"${path}" is gzip but does not decompress: ${(e as Error).message}`,
      {
        cause: e,
      },
    )
  }
}

/**
 * Reads a JSON array of raw frames, a single frame object, or NDJSON of frames. Receive time
 * is the frame's venue timestamp, kept monotonic (a frame without one inherits the last).
 */
async function readRawFrames(path: string, kind: InputKind, visitor: FeedVisitor): Promise<number> {
  const { text, bytes } = await readWholeText(path)
  let lastT = 0
  let frames = 0
  const emit = (value: unknown, raw: string): void => {
    const ts = frameTimestamp(value)
    if (ts > lastT) lastT = ts
    frames++
    visitor.onFrame({ tLocal: lastT, conn: 'file', raw, value })
  }
  const trimmed = text.trim()
  if (kind === 'json-frames') {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch (e) {
      throw new ReplayInputError(
        `"${path}" starts like a JSON array but is not valid JSON: ${(e as Error).message}`,
        { cause: e },
      )
    }
    if (!Array.isArray(parsed))
      throw new ReplayInputError(`"${path}" is not a JSON array of frames`)
    for (const element of parsed) emit(element, JSON.stringify(element))
    visitor.onProgress?.(bytes, bytes)
    return frames
  }
  // NDJSON, or one (possibly pretty-printed) frame object.
  const lines = trimmed.split('\n')
  const firstValue = tryJson(lines[0] ?? '')
  if (firstValue === undefined) {
    const whole = tryJson(trimmed)
    if (whole === undefined) {
      throw new ReplayInputError(
        `"${path}": the first line is not a JSON frame and the file is not one JSON value either (${excerptOf(lines[0] ?? '', 60)})`,
      )
    }
    emit(whole, JSON.stringify(whole))
    visitor.onProgress?.(bytes, bytes)
    return frames
  }
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim()
    if (line.length === 0) continue
    const value = tryJson(line)
    if (value === undefined) {
      // Keep it as text: the parser counts it as a malformed frame (or ignores PONG).
      visitor.onWarning?.(`${path}:${i + 1}: line is not JSON; passed on as a text frame`)
    }
    emit(value, line)
  }
  visitor.onProgress?.(bytes, bytes)
  return frames
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/**
 * Replays the given paths. Captures (files and directories) are merged in time order; raw
 * venue files are read in the order given, before or after the captures as listed.
 */
export async function readRecordings(
  paths: readonly string[],
  visitor: FeedVisitor,
): Promise<FeedSummary> {
  if (paths.length === 0)
    throw new ReplayInputError(
      'no input given: name at least one capture file, directory or frame file',
    )
  const inputs: { path: string; kind: InputKind }[] = []
  for (const path of paths) inputs.push({ path, kind: await detectInput(path) })

  let frames = 0
  let markers = 0
  let warnings = 0
  const onWarning = (message: string): void => {
    warnings++
    visitor.onWarning?.(message)
  }
  const wrapped: FeedVisitor = { ...visitor, onWarning }

  const captureFiles: string[] = []
  for (const input of inputs) {
    if (input.kind === 'capture') captureFiles.push(input.path)
    else if (input.kind === 'capture-dir') {
      const files = await listCaptureFiles(input.path)
      if (files.length === 0)
        throw new ReplayInputError(
          `directory "${input.path}" holds no capture files (*.ndjson, *.ndjson.gz)`,
        )
      captureFiles.push(...files)
    }
  }
  if (captureFiles.length > 0) {
    let totalBytes = 0
    for (const file of captureFiles) totalBytes += (await stat(file)).size
    const onFrameBytes = visitor.onFrameBytes?.bind(visitor)
    await readCaptures(
      captureFiles,
      (record: CaptureRecord) => {
        if (record.kind === 'frame') {
          frames++
          // A capture frame already has the feed frame's fields.
          visitor.onFrame(record)
        } else if (record.kind !== 'header') {
          markers++
          visitor.onMarker?.(record)
        }
      },
      {
        onWarning: (w) => onWarning(typeof w === 'string' ? w : w.message),
        onProgress: (done: number) => visitor.onProgress?.(done, totalBytes),
        decodeValues: false,
        onFrameBytes:
          onFrameBytes === undefined
            ? undefined
            : (bytes, start, end, tLocal, _mono, conn) => {
                frames++
                onFrameBytes(bytes, start, end, tLocal, conn)
              },
      },
    )
  }
  for (const input of inputs) {
    if (input.kind === 'json-frames' || input.kind === 'ndjson-frames') {
      frames += await readRawFrames(input.path, input.kind, wrapped)
    }
  }
  return { inputs, frames, markers, warnings }
}
