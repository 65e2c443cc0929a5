/**
 * Reads capture files (docs/CAPTURE_FORMAT.md) fast and forgivingly: one file in file order, or
 * several merged in time order.
 *
 * Speed: each decompressed chunk is split into lines and decoded synchronously, one
 * JSON.parse per line; the only awaits are per chunk. With `decodeValues: false` (replay), frame
 * lines in the writer's layout skip the JSON.parse: their fixed prefix is scanned by hand and
 * the payload text sliced out, for the consumer to parse; with `onFrameBytes` they are not
 * even decoded to strings, and the consumer gets the payload's bytes. Forgiveness: a crash can
 * leave a torn last line or a gzip stream without its trailer, and a damaged disk block can
 * spoil a line in the middle. Each is reported through `onWarning` and skipped; nothing else is
 * lost. Only a file that is not a capture at all (or cannot be opened) is an error.
 *
 * Parts: `capture-sources.ts` (file reads and gunzip), `capture-cursor.ts` (lines to records),
 * `capture-frame-bytes.ts` (frame lines read as bytes), `capture-read-types.ts` (warnings,
 * summary, options, errors).
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { CaptureRecord } from './capture-format.js'
import { addSummary, CaptureCursor, emptySummary, type FrameLineMode } from './capture-cursor.js'
import {
  CaptureFileError,
  type CaptureWarning,
  type FrameBytesHandler,
  type ReadOptions,
  type ReadSummary,
  type RecordSink,
} from './capture-read-types.js'

export {
  CaptureFileError,
  type CaptureWarning,
  type CaptureWarningCode,
  type FrameBytesHandler,
  type ReadOptions,
  type ReadSummary,
} from './capture-read-types.js'

function warningSink(opts: ReadOptions | undefined): (w: CaptureWarning) => void {
  const onWarning = opts?.onWarning
  return onWarning ?? (() => undefined)
}

function modeOf(opts: ReadOptions | undefined): FrameLineMode {
  if (opts?.onFrameBytes !== undefined) return 'bytes'
  return opts?.decodeValues === false ? 'lazy' : 'decode'
}

function ignoreFrameBytes(): void {
  // Only called in bytes mode, where the caller's handler is used instead.
}

/**
 * Reads one capture file (gzip or plain, detected by its first bytes) and calls `onRecord` for
 * each record in file order, headers included (frames read as bytes go to `opts.onFrameBytes`
 * instead). Rejects with {@link CaptureFileError} when the file cannot be opened or is not a
 * capture; damage inside a capture only produces warnings.
 */
export async function readCaptureFile(
  path: string,
  onRecord: (record: CaptureRecord) => void,
  opts?: ReadOptions,
): Promise<ReadSummary> {
  let done = 0
  const onProgress = opts?.onProgress
  const cursor = await CaptureCursor.open(
    path,
    warningSink(opts),
    (bytes) => {
      done += bytes
      onProgress?.(done)
    },
    modeOf(opts),
  )
  const sink: RecordSink = {
    record: onRecord,
    frameBytes: opts?.onFrameBytes ?? ignoreFrameBytes,
  }
  try {
    while (await cursor.step(sink)) {
      // Each step delivers one chunk's records.
    }
  } finally {
    await cursor.close()
  }
  return { ...cursor.summary }
}

/**
 * One file taking part in a merge: its cursor and the records of its current chunk. Entry `i`
 * of the batch is `records[i]`, or, when that is null, a frame read as bytes (kept in the
 * parallel arrays, so reading as bytes allocates nothing per frame here either).
 */
class Lane implements RecordSink {
  readonly records: (CaptureRecord | null)[] = []
  readonly times: number[] = []
  readonly buffers: (Buffer | null)[] = []
  readonly starts: number[] = []
  readonly ends: number[] = []
  readonly monos: number[] = []
  readonly conns: string[] = []
  count = 0
  pos = 0

  constructor(
    readonly cursor: CaptureCursor,
    /** Position in the caller's list; breaks ties between equal times. */
    readonly order: number,
  ) {}

  record(record: CaptureRecord): void {
    const i = this.count++
    this.records[i] = record
    this.times[i] = record.tLocal
    this.buffers[i] = null
  }

  frameBytes(
    bytes: Buffer,
    start: number,
    end: number,
    tLocal: number,
    mono: number,
    conn: string,
  ): void {
    const i = this.count++
    this.records[i] = null
    this.times[i] = tLocal
    this.buffers[i] = bytes
    this.starts[i] = start
    this.ends[i] = end
    this.monos[i] = mono
    this.conns[i] = conn
  }

  /** True when the entry at `pos` is a header record. */
  isHeader(pos: number): boolean {
    const record = this.records[pos]
    return record !== null && record !== undefined && record.kind === 'header'
  }

  /** Hands the entry at `pos` to the caller's callbacks. */
  deliver(
    pos: number,
    onRecord: (record: CaptureRecord) => void,
    onBytes: FrameBytesHandler,
  ): void {
    const record = this.records[pos]
    if (record !== null && record !== undefined) {
      onRecord(record)
      return
    }
    onBytes(
      this.buffers[pos] as Buffer,
      this.starts[pos] as number,
      this.ends[pos] as number,
      this.times[pos] as number,
      this.monos[pos] as number,
      this.conns[pos] as string,
    )
  }

  /** Refills the batch; false when the file is done. */
  async refill(): Promise<boolean> {
    this.count = 0
    this.pos = 0
    while (this.count === 0) {
      if (!(await this.cursor.step(this))) return false
    }
    return true
  }
}

type PendingFile = { readonly path: string; readonly order: number; readonly firstT: number }

/** Time of the first non-header record in a file; Infinity when it has none. */
async function firstRecordTime(path: string): Promise<number> {
  const cursor = await CaptureCursor.open(
    path,
    () => undefined,
    () => undefined,
  )
  let firstT = Number.POSITIVE_INFINITY
  try {
    let found = false
    const sink: RecordSink = {
      record: (r: CaptureRecord): void => {
        if (!found && r.kind !== 'header') {
          found = true
          firstT = r.tLocal
        }
      },
      frameBytes: ignoreFrameBytes,
    }
    while (!found && (await cursor.step(sink))) {
      // Read until the first data record.
    }
  } finally {
    await cursor.close()
  }
  return firstT
}

function isBefore(t: number, order: number, otherT: number, otherOrder: number): boolean {
  return t < otherT || (t === otherT && order < otherOrder)
}

/**
 * Reads several capture files as one stream in time order (by `tLocal`; equal times keep the
 * order of `paths`, and each file's own order is always kept). Headers are delivered just
 * before their file's next record. Files are streamed: a file is opened only once the merge
 * reaches the time of its first record and closed when done, so the files of one recorder
 * (which follow each other) are read one at a time. Every file is checked to be a capture
 * before any record is delivered. Frames read as bytes (`opts.onFrameBytes`) take their place
 * in the same order.
 */
export async function readCaptures(
  paths: readonly string[],
  onRecord: (record: CaptureRecord) => void,
  opts?: ReadOptions,
): Promise<ReadSummary> {
  const total = emptySummary(paths.length)
  if (paths.length === 0) return total
  if (paths.length === 1) return readCaptureFile(paths[0] as string, onRecord, opts)

  const pending: PendingFile[] = []
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string
    pending.push({ path, order: i, firstT: await firstRecordTime(path) })
  }
  pending.sort((a, b) => a.firstT - b.firstT || a.order - b.order)

  const onWarning = warningSink(opts)
  const onProgress = opts?.onProgress
  const onBytes = opts?.onFrameBytes ?? ignoreFrameBytes
  const mode = modeOf(opts)
  let done = 0
  const onRead = (bytes: number): void => {
    done += bytes
    onProgress?.(done)
  }
  const active: Lane[] = []
  let next = 0
  try {
    for (;;) {
      // Give every active lane a data record at its head; headers go out as soon as reached.
      for (let i = 0; i < active.length;) {
        const lane = active[i] as Lane
        let alive = true
        for (;;) {
          if (lane.pos >= lane.count) {
            alive = await lane.refill()
            if (!alive) break
          } else if (lane.isHeader(lane.pos)) {
            lane.deliver(lane.pos++, onRecord, onBytes)
          } else break
        }
        if (alive) {
          i++
        } else {
          active.splice(i, 1)
          await lane.cursor.close()
          addSummary(total, lane.cursor.summary)
        }
      }
      let best: Lane | undefined
      let bestT = 0
      let limitT = Number.POSITIVE_INFINITY
      let limitOrder = Number.POSITIVE_INFINITY
      for (const lane of active) {
        const t = lane.times[lane.pos] as number
        if (best === undefined || isBefore(t, lane.order, bestT, best.order)) {
          if (best !== undefined) {
            limitT = bestT
            limitOrder = best.order
          }
          best = lane
          bestT = t
        } else if (isBefore(t, lane.order, limitT, limitOrder)) {
          limitT = t
          limitOrder = lane.order
        }
      }
      const upcoming = pending[next]
      if (
        upcoming !== undefined &&
        (best === undefined || !isBefore(bestT, best.order, upcoming.firstT, upcoming.order))
      ) {
        next++
        active.push(
          new Lane(
            await CaptureCursor.open(upcoming.path, onWarning, onRead, mode),
            upcoming.order,
          ),
        )
        continue
      }
      if (best === undefined) break
      if (upcoming !== undefined && isBefore(upcoming.firstT, upcoming.order, limitT, limitOrder)) {
        limitT = upcoming.firstT
        limitOrder = upcoming.order
      }
      // Deliver the best lane's records while they stay ahead of every other lane.
      const order = best.order
      const count = best.count
      const times = best.times
      let pos = best.pos
      while (pos < count && !best.isHeader(pos)) {
        if (!isBefore(times[pos] as number, order, limitT, limitOrder)) break
        best.pos = pos + 1
        best.deliver(pos, onRecord, onBytes)
        pos++
      }
    }
  } finally {
    for (const lane of active) await lane.cursor.close()
  }
  return total
}

/** The capture files (`*.ndjson.gz`, `*.ndjson`) directly in `dir`, sorted by name. */
export async function listCaptureFiles(dir: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (e) {
    throw new CaptureFileError(dir, `cannot list capture directory: ${(e as Error).message}`, {
      cause: e,
    })
  }
  const names = entries
    .filter((d) => d.isFile() && (d.name.endsWith('.ndjson.gz') || d.name.endsWith('.ndjson')))
    .map((d) => d.name)
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return names.map((name) => join(dir, name))
}
