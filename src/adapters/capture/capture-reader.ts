/**
 * Reads capture files (docs/CAPTURE_FORMAT.md) fast and forgivingly.
 *
 * Speed: each decompressed chunk is split into lines and decoded synchronously, one
 * JSON.parse per line; the only awaits are per chunk. With `decodeValues: false` (replay), frame
 * lines in the writer's layout skip the JSON.parse: their fixed prefix is scanned by hand and
 * the payload text sliced out, for the consumer to parse. Forgiveness: a crash can leave a torn
 * last line or a gzip stream without its trailer, and a damaged disk block can spoil a line in
 * the middle. Each is reported through `onWarning` and skipped; nothing else is lost. Only a
 * file that is not a capture at all (or cannot be opened) is an error.
 */
import { open, readdir } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { Gunzip } from 'node:zlib'
import { excerptOf, ParseError } from '../../domain/errors.js'
import { decodeCaptureLine, decodeFrameLineLazy, type CaptureRecord } from './capture-format.js'

export type CaptureWarningCode =
  /** A line in the middle of a file did not decode; it was skipped. */
  | 'CORRUPT_LINE'
  /** The last line has no newline and does not decode: the writer stopped mid-line. */
  | 'TORN_LAST_LINE'
  /** The gzip stream ends without its trailer: the writer was killed before closing. */
  | 'TRUNCATED_GZIP'
  /** The gzip data is damaged; everything before the damage was read. */
  | 'CORRUPT_GZIP'
  /** The file holds no complete header (the writer stopped before writing one). */
  | 'EMPTY_FILE'

/** Something wrong in a capture file that did not stop the read. */
export type CaptureWarning = {
  readonly code: CaptureWarningCode
  readonly file: string
  /** 1-based line number in the decompressed text, when the warning is about a line. */
  readonly line?: number
  /** One sentence naming the file (and line) and what was skipped. */
  readonly message: string
}

export type ReadSummary = {
  readonly files: number
  /** Non-blank lines read, headers included, skipped lines included. */
  readonly lines: number
  readonly headers: number
  readonly frames: number
  readonly markers: number
  readonly warnings: number
  /** Decompressed bytes read. */
  readonly bytes: number
  /** Bytes read from disk (compressed size for gzip files). */
  readonly fileBytes: number
}

export type ReadOptions = {
  /** Called for each warning. Without it warnings are only counted in the summary. */
  readonly onWarning?: (warning: CaptureWarning) => void
  /** Called after each read from disk with the total bytes read from disk so far. */
  readonly onProgress?: (fileBytesDone: number) => void
  /**
   * False: frame lines with a verbatim JSON payload, laid out as the writer writes them, are
   * read without decoding the payload (`value` is undefined; parse `raw`), which is several
   * times faster. Their payload is then not checked to be JSON: a damaged one is delivered as
   * frame text that does not parse instead of being skipped with a `CORRUPT_LINE` warning.
   * Default true: every line is decoded whole and `value` holds the decoded frame.
   */
  readonly decodeValues?: boolean
}

/** A file that cannot be read as a capture: missing, unreadable, or not a capture at all. */
export class CaptureFileError extends Error {
  readonly code = 'CAPTURE_FILE_INVALID'
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options)
    this.name = 'CaptureFileError'
    this.file = file
  }
}

const PLAIN_READ_BYTES = 1 << 20
const GZIP_READ_BYTES = 1 << 18
const GUNZIP_CHUNK_BYTES = 1 << 18
/** Decompressed output allowed to wait for the decoder before the pump pauses. */
const QUEUE_LIMIT_BYTES = 4 << 20
/**
 * Text is decoded in windows of about this size: V8 allocates strings past ~128 KiB in its
 * large-object space, which makes decoding several times slower.
 */
const TEXT_WINDOW_BYTES = 1 << 16
/** A header line is small; this much text without a line break means "not a capture". */
const MAX_HEADER_SEARCH_BYTES = 1 << 20
/** Longer lines are treated as damage and skipped rather than held in memory. */
const MAX_LINE_BYTES = 64 << 20
const NEWLINE = 0x0a
const GZIP_MAGIC_0 = 0x1f
const GZIP_MAGIC_1 = 0x8b
const HEADER_PREFIX = '{"k":"header"'

type Sink = (record: CaptureRecord) => void
type ChunkSource = {
  /** The next chunk of decompressed bytes, or null at the end. */
  next(): Promise<Buffer | null>
  /** The decompression error that ended the stream early, if any. */
  readonly error: (Error & { code?: string }) | null
  close(): Promise<void>
}

async function readChunk(
  fh: FileHandle,
  size: number,
  onRead: (bytes: number) => void,
): Promise<Buffer | null> {
  const buf = Buffer.allocUnsafe(size)
  const { bytesRead } = await fh.read(buf, 0, size, null)
  if (bytesRead === 0) return null
  onRead(bytesRead)
  return buf.subarray(0, bytesRead)
}

class PlainSource implements ChunkSource {
  readonly error = null
  private _first: Buffer | null
  /** The next read, started before it is asked for so disk and decoding overlap. */
  private _ahead: Promise<Buffer | null> | null = null

  constructor(
    private readonly _fh: FileHandle,
    first: Buffer | null,
    private readonly _onRead: (bytes: number) => void,
  ) {
    this._first = first
  }

  async next(): Promise<Buffer | null> {
    let chunk: Buffer | null
    if (this._first !== null) {
      chunk = this._first
      this._first = null
    } else {
      chunk = await (this._ahead ?? this._read())
    }
    this._ahead = chunk === null ? null : this._read()
    return chunk
  }

  private _read(): Promise<Buffer | null> {
    const read = readChunk(this._fh, PLAIN_READ_BYTES, this._onRead)
    // Observed when awaited by next(); this only keeps an abandoned read from being unhandled.
    read.catch(() => undefined)
    return read
  }

  async close(): Promise<void> {
    await this._ahead?.catch(() => undefined)
    await this._fh.close()
  }
}

/**
 * Decompresses in the background: a pump reads the file and feeds zlib one chunk at a time,
 * waiting for each to be consumed, while the reader decodes earlier output. The pump pauses
 * while `QUEUE_LIMIT_BYTES` of output wait. A stream without its trailer fails only after all
 * input has been consumed (`Z_BUF_ERROR`, "unexpected end of file"), so everything decodable
 * has been delivered by then.
 */
class GzipSource implements ChunkSource {
  error: (Error & { code?: string }) | null = null
  private readonly _gunzip: Gunzip
  private readonly _queue: Buffer[] = []
  private _queueBytes = 0
  private _finished = false
  private _pumpDone = false
  private _closed = false
  private _readError: Error | null = null
  private readonly _stopped: Promise<void>
  private _wakeReader: (() => void) | null = null
  private _wakePump: (() => void) | null = null
  private readonly _pump: Promise<void>

  constructor(
    private readonly _fh: FileHandle,
    first: Buffer,
    private readonly _onRead: (bytes: number) => void,
  ) {
    this._gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES })
    this._gunzip.on('data', (chunk: Buffer) => {
      this._queue.push(chunk)
      this._queueBytes += chunk.length
      this._wake()
    })
    this._stopped = new Promise<void>((resolve) => {
      // Closing early destroys zlib, which then may never call back or emit 'end'.
      this._gunzip.once('close', () => resolve())
      this._gunzip.once('end', () => {
        this._finished = true
        resolve()
      })
      // A persistent listener: zlib may report more than one error while shutting down.
      this._gunzip.on('error', (e: Error) => {
        this.error ??= e
        this._finished = true
        resolve()
      })
    })
    this._pump = this._run(first)
  }

  private _wake(): void {
    const wake = this._wakeReader
    this._wakeReader = null
    wake?.()
  }

  private async _run(first: Buffer): Promise<void> {
    try {
      let input: Buffer | null = first
      for (;;) {
        while (this._queueBytes > QUEUE_LIMIT_BYTES && !this._closed) {
          await new Promise<void>((resolve) => {
            this._wakePump = resolve
          })
        }
        if (this._closed || this._finished) return
        input ??= await readChunk(this._fh, GZIP_READ_BYTES, this._onRead)
        if (this._closed || this._finished) return
        if (input === null) {
          this._gunzip.end()
          await this._stopped
          return
        }
        const chunk: Buffer = input
        input = null
        const written = new Promise<void>((resolve) => {
          this._gunzip.write(chunk, () => resolve())
        })
        await Promise.race([written, this._stopped])
      }
    } catch (e) {
      this._readError = e instanceof Error ? e : new Error(String(e))
    } finally {
      this._pumpDone = true
      this._wake()
    }
  }

  async next(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this._queue.shift()
      if (chunk !== undefined) {
        this._queueBytes -= chunk.length
        if (this._queueBytes <= QUEUE_LIMIT_BYTES) {
          const wake = this._wakePump
          this._wakePump = null
          wake?.()
        }
        return chunk
      }
      if (this._pumpDone) {
        if (this._readError !== null) throw this._readError
        return null
      }
      await new Promise<void>((resolve) => {
        this._wakeReader = resolve
      })
    }
  }

  async close(): Promise<void> {
    this._closed = true
    const wake = this._wakePump
    this._wakePump = null
    wake?.()
    if (!this._finished) this._gunzip.destroy()
    await this._pump
    await this._fh.close()
  }
}

type MutableSummary = { -readonly [K in keyof ReadSummary]: ReadSummary[K] }

function emptySummary(files: number): MutableSummary {
  return {
    files,
    lines: 0,
    headers: 0,
    frames: 0,
    markers: 0,
    warnings: 0,
    bytes: 0,
    fileBytes: 0,
  }
}

function addSummary(into: MutableSummary, from: ReadSummary): void {
  into.lines += from.lines
  into.headers += from.headers
  into.frames += from.frames
  into.markers += from.markers
  into.warnings += from.warnings
  into.bytes += from.bytes
  into.fileBytes += from.fileBytes
}

function notCapture(path: string, line: string, why: string, cause?: unknown): CaptureFileError {
  return new CaptureFileError(
    path,
    `not a tiltmeter capture file: ${why} (it starts with "${excerptOf(line, 60)}"); expected a first line like {"k":"header","format":"tiltmeter-capture","version":1,...} as written by the capture writer`,
    cause === undefined ? undefined : { cause },
  )
}

/** Streams one capture file, chunk by chunk, into records. */
class CaptureCursor {
  readonly summary: MutableSummary = emptySummary(1)
  private _tail: Buffer[] = []
  private _tailBytes = 0
  private _skippingLongLine = false
  private _lineNo = 0
  private _sawHeader = false
  private _sawContent = false
  private _ended = false
  /** The connection id of the last frame read lazily, shared with the next when equal. */
  private _lastConn: string | undefined = undefined

  private constructor(
    readonly path: string,
    private readonly _source: ChunkSource,
    private readonly _onWarning: (w: CaptureWarning) => void,
    private readonly _lazy: boolean,
  ) {}

  static async open(
    path: string,
    onWarning: (w: CaptureWarning) => void,
    onRead: (bytes: number) => void,
    lazy = false,
  ): Promise<CaptureCursor> {
    let fh: FileHandle
    try {
      fh = await open(path, 'r')
    } catch (e) {
      throw new CaptureFileError(path, `cannot open capture file: ${(e as Error).message}`, {
        cause: e,
      })
    }
    let cursor: CaptureCursor | undefined
    try {
      let fileBytes = 0
      const counted = (bytes: number): void => {
        fileBytes += bytes
        if (cursor !== undefined) cursor.summary.fileBytes = fileBytes
        onRead(bytes)
      }
      const first = await readChunk(fh, GZIP_READ_BYTES, counted)
      const isGzip =
        first !== null &&
        first.length >= 2 &&
        first[0] === GZIP_MAGIC_0 &&
        first[1] === GZIP_MAGIC_1
      const source = isGzip
        ? new GzipSource(fh, first, counted)
        : new PlainSource(fh, first, counted)
      cursor = new CaptureCursor(path, source, onWarning, lazy)
      cursor.summary.fileBytes = fileBytes
      return cursor
    } catch (e) {
      await fh.close()
      if (e instanceof CaptureFileError) throw e
      throw new CaptureFileError(path, `cannot read capture file: ${(e as Error).message}`, {
        cause: e,
      })
    }
  }

  /**
   * Reads one chunk and hands its records to `sink`. Resolves false once the file is done
   * (end-of-file warnings already reported). Rejects with {@link CaptureFileError} when the
   * file turns out not to be a capture, or with whatever `sink` throws.
   */
  async step(sink: Sink): Promise<boolean> {
    if (this._ended) return false
    let chunk: Buffer | null
    try {
      chunk = await this._source.next()
    } catch (e) {
      throw new CaptureFileError(this.path, `cannot read capture file: ${(e as Error).message}`, {
        cause: e,
      })
    }
    if (chunk === null) {
      this._ended = true
      this._finish(sink)
      return false
    }
    this.summary.bytes += chunk.length
    this._consume(chunk, sink)
    return true
  }

  async close(): Promise<void> {
    await this._source.close()
  }

  private _warn(code: CaptureWarningCode, message: string, line?: number): void {
    this.summary.warnings++
    const where = line === undefined ? this.path : `${this.path}:${line}`
    const warning: CaptureWarning =
      line === undefined
        ? { code, file: this.path, message: `${where}: ${message}` }
        : { code, file: this.path, line, message: `${where}: ${message}` }
    this._onWarning(warning)
  }

  private _consume(chunk: Buffer, sink: Sink): void {
    const firstNl = chunk.indexOf(NEWLINE)
    if (firstNl < 0) {
      this._appendTail(chunk)
      return
    }
    if (this._skippingLongLine) {
      this._skippingLongLine = false
    } else if (this._tailBytes > 0) {
      this._tail.push(chunk.subarray(0, firstNl))
      const text = Buffer.concat(this._tail).toString('utf8')
      this._tail = []
      this._tailBytes = 0
      this._line(text, sink)
    } else {
      this._line(chunk.toString('utf8', 0, firstNl), sink)
    }
    let pos = firstNl + 1
    const length = chunk.length
    while (pos < length) {
      const windowEnd = pos + TEXT_WINDOW_BYTES
      let nl =
        windowEnd >= length ? chunk.lastIndexOf(NEWLINE) : chunk.lastIndexOf(NEWLINE, windowEnd)
      if (nl < pos) nl = chunk.indexOf(NEWLINE, windowEnd)
      if (nl < 0) break
      this._lines(chunk.toString('utf8', pos, nl), sink)
      pos = nl + 1
    }
    if (pos < length) this._appendTail(chunk.subarray(pos))
  }

  /** Splits text holding whole lines (no trailing newline) and decodes each. */
  private _lines(text: string, sink: Sink): void {
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) {
        this._line(text.slice(start), sink)
        return
      }
      this._line(text.slice(start, nl), sink)
      start = nl + 1
    }
  }

  private _appendTail(part: Buffer): void {
    if (this._skippingLongLine) return
    this._tail.push(part)
    this._tailBytes += part.length
    if (!this._sawHeader && this._tailBytes > MAX_HEADER_SEARCH_BYTES) {
      const start = Buffer.concat(this._tail).toString('utf8', 0, 200)
      throw notCapture(this.path, start, 'no line break in the first 1 MiB')
    }
    if (this._tailBytes > MAX_LINE_BYTES) {
      this._tail = []
      this._tailBytes = 0
      this._skippingLongLine = true
      this.summary.lines++
      this._warn(
        'CORRUPT_LINE',
        `line longer than ${MAX_LINE_BYTES} bytes; treated as damage and skipped`,
        this._lineNo + 1,
      )
      this._lineNo++
    }
  }

  private _line(text: string, sink: Sink): void {
    this._lineNo++
    if (text.length === 0 || (text.length === 1 && text === '\r')) return
    this._sawContent = true
    this.summary.lines++
    if (this._lazy && this._sawHeader) {
      const frame = decodeFrameLineLazy(text, this._lastConn)
      if (frame !== null) {
        this._lastConn = frame.conn
        this.summary.frames++
        sink(frame)
        return
      }
    }
    let record: CaptureRecord
    try {
      record = decodeCaptureLine(text)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
      if (!this._sawHeader) throw notCapture(this.path, text, e.message, e)
      this._warn('CORRUPT_LINE', `${e.message}; line skipped`, this._lineNo)
      return
    }
    if (record.kind === 'frame') {
      this.summary.frames++
    } else if (record.kind === 'marker') {
      this.summary.markers++
    } else {
      this.summary.headers++
      this._sawHeader = true
    }
    if (!this._sawHeader) {
      throw notCapture(this.path, text, 'the first line is not a capture header')
    }
    sink(record)
  }

  private _finish(sink: Sink): void {
    const error = this._source.error
    if (error !== null) {
      if (error.code === 'Z_BUF_ERROR') {
        this._warn(
          'TRUNCATED_GZIP',
          'gzip stream ends without its trailer (the writer was stopped before closing the file); read up to the last flushed block',
        )
      } else if (this._sawHeader) {
        this._warn(
          'CORRUPT_GZIP',
          `gzip data is damaged after ${this.summary.bytes} decompressed bytes (${error.message}); the rest of the file was skipped`,
        )
      } else {
        throw new CaptureFileError(
          this.path,
          `not a readable gzip file (${error.message}); a capture is gzip-compressed or plain NDJSON`,
          { cause: error },
        )
      }
    }
    if (this._tailBytes > 0 && !this._skippingLongLine) {
      const text = Buffer.concat(this._tail).toString('utf8')
      this._tail = []
      this._tailBytes = 0
      this._finishTail(text, sink)
    }
    if (!this._sawHeader) {
      this._warn(
        'EMPTY_FILE',
        'holds no complete capture header (the writer stopped before writing one); nothing to read',
      )
    }
  }

  private _finishTail(text: string, sink: Sink): void {
    let record: CaptureRecord | undefined
    try {
      record = decodeCaptureLine(text)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
    }
    if (record !== undefined && (this._sawHeader || record.kind === 'header')) {
      // A complete last line that merely lacks its newline.
      this._line(text, sink)
      return
    }
    if (!this._sawHeader && !this._sawContent && !text.startsWith(HEADER_PREFIX)) {
      throw notCapture(this.path, text, 'the first line is not a capture header')
    }
    this._lineNo++
    this.summary.lines++
    this._warn(
      'TORN_LAST_LINE',
      'last line is incomplete (the writer stopped mid-line); skipped',
      this._lineNo,
    )
  }
}

function warningSink(opts: ReadOptions | undefined): (w: CaptureWarning) => void {
  const onWarning = opts?.onWarning
  return onWarning ?? (() => undefined)
}

/**
 * Reads one capture file (gzip or plain, detected by its first bytes) and calls `onRecord` for
 * each record in file order, headers included. Rejects with {@link CaptureFileError} when the
 * file cannot be opened or is not a capture; damage inside a capture only produces warnings.
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
    opts?.decodeValues === false,
  )
  try {
    while (await cursor.step(onRecord)) {
      // Each step delivers one chunk's records.
    }
  } finally {
    await cursor.close()
  }
  return { ...cursor.summary }
}

/** One file taking part in a merge: its cursor and the records of its current chunk. */
class Lane {
  batch: CaptureRecord[] = []
  pos = 0

  constructor(
    readonly cursor: CaptureCursor,
    /** Position in the caller's list; breaks ties between equal times. */
    readonly order: number,
  ) {}

  /** Refills the batch; false when the file is done. */
  async refill(): Promise<boolean> {
    const batch: CaptureRecord[] = []
    this.batch = batch
    this.pos = 0
    while (batch.length === 0) {
      if (!(await this.cursor.step((r) => batch.push(r)))) return false
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
    const sink = (r: CaptureRecord): void => {
      if (!found && r.kind !== 'header') {
        found = true
        firstT = r.tLocal
      }
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
 * before any record is delivered.
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
  const lazy = opts?.decodeValues === false
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
          const head = lane.batch[lane.pos]
          if (head === undefined) {
            alive = await lane.refill()
            if (!alive) break
          } else if (head.kind === 'header') {
            lane.pos++
            onRecord(head)
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
        const t = (lane.batch[lane.pos] as CaptureRecord).tLocal
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
            await CaptureCursor.open(upcoming.path, onWarning, onRead, lazy),
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
      const batch = best.batch
      const order = best.order
      let pos = best.pos
      for (;;) {
        const record = batch[pos]
        if (record === undefined || record.kind === 'header') break
        if (!isBefore(record.tLocal, order, limitT, limitOrder)) break
        pos++
        best.pos = pos
        onRecord(record)
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
