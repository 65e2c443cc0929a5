/**
 * Appends capture records to rotated NDJSON files (docs/CAPTURE_FORMAT.md).
 *
 * `writeFrame` and `writeMarker` are synchronous and only buffer a line; a timer flushes the
 * buffer every `flushMs` (and sooner when it grows large). Each flush ends with a zlib
 * `Z_SYNC_FLUSH`, which closes the current deflate block on a byte boundary, so the file on
 * disk can be read up to the last flush even if the process is killed before `close()`.
 *
 * Errors: a failed flush (disk full, directory removed, ...) puts the writer in a failed state.
 * `flush()` and `close()` reject with a {@link CaptureWriteError}; a failure in a timer flush
 * is passed to the `onError` option (when given) and is never an unhandled rejection; once
 * failed, `writeFrame` and `writeMarker` throw the same error.
 */
import { mkdir, open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { constants as zlibConstants, createGzip } from 'node:zlib'
import type { Gzip } from 'node:zlib'
import {
  encodeFrameLine,
  encodeHeaderLine,
  encodeMarkerLine,
  type MarkerKind,
} from './capture-format.js'

/** Where the writer gets time from; tests pass a fake one. */
export type CaptureClock = {
  /** Wall-clock time, epoch ms. */
  nowMs(): number
  /** Monotonic time, integer µs from an arbitrary origin. */
  monoUs(): number
}

/** The real clock: `Date.now()` and `process.hrtime.bigint()` in µs. */
export const SYSTEM_CAPTURE_CLOCK: CaptureClock = {
  nowMs: () => Date.now(),
  monoUs: () => Number(process.hrtime.bigint() / 1000n),
}

/** What a flush put on disk. */
export type CaptureFlushInfo = {
  /** The file written last. */
  readonly file: string
  /** Frame and marker lines on disk so far, over all files. */
  readonly linesFlushed: number
}

export type CaptureWriterOptions = {
  /** Output directory; created if missing. */
  readonly dir: string
  /** File name prefix; default `capture`. */
  readonly prefix?: string
  /** Start a new file before a line would take the current one past this many uncompressed bytes; default 256 MiB. */
  readonly rotateBytes?: number
  /** Start a new file once a record is this much later (by its local time) than the file's first record; default 1 h. */
  readonly rotateMs?: number
  /** Flush buffered lines at least this often; default 1000. */
  readonly flushMs?: number
  /** Gzip-compress files (`.ndjson.gz`); default true. False writes plain `.ndjson`. */
  readonly gzip?: boolean
  /** Header `started_by`, e.g. `record` or `import`; default `record`. */
  readonly startedBy?: string
  /** Header `source`: where the data comes from. */
  readonly source?: Readonly<Record<string, unknown>>
  readonly clock?: CaptureClock
  /** Called once when a timer flush fails. It must not throw. */
  readonly onError?: (error: CaptureWriteError) => void
  /** Called after each flush that wrote lines. It must not throw. */
  readonly onFlush?: (info: CaptureFlushInfo) => void
}

export type WriteTimes = {
  /** Local receive time, epoch ms; default the clock's now. */
  readonly tLocal?: number
  /** Monotonic time, integer µs; default the clock's now. */
  readonly mono?: number
}

/** A capture could not be written: the directory or a file could not be created or written. */
export class CaptureWriteError extends Error {
  readonly code = 'CAPTURE_WRITE_FAILED'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CaptureWriteError'
  }
}

const DEFAULT_ROTATE_BYTES = 256 * 1024 * 1024
const DEFAULT_ROTATE_MS = 60 * 60 * 1000
const DEFAULT_FLUSH_MS = 1000
/** Buffered bytes that trigger a flush before the timer does, to bound memory. */
const EAGER_FLUSH_BYTES = 8 * 1024 * 1024

/** Lines for one file; `start` is set when the lines begin a new file. */
type Segment = {
  start: { readonly tLocal: number; readonly mono: number } | null
  lines: string[]
}

type OpenFile = {
  readonly path: string
  readonly handle: FileHandle
  readonly gzip: Gzip | null
  /** Compressed output waiting to be written to `handle`. */
  out: Buffer[]
  gzipError: Error | null
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** `yyyymmddThhmmssSSSZ` in UTC. */
export function formatFileStamp(ms: number): string {
  const d = new Date(ms)
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}` +
    `${pad(d.getUTCMilliseconds(), 3)}Z`
  )
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function checkPositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`capture writer option ${name} must be a positive number, got ${value}`)
  }
  return value
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset)
    offset += bytesWritten
  }
}

export class CaptureWriter {
  private readonly _dir: string
  private readonly _prefix: string
  private readonly _rotateBytes: number
  private readonly _rotateMs: number
  private readonly _gzip: boolean
  private readonly _startedBy: string
  private readonly _source: Readonly<Record<string, unknown>> | undefined
  private readonly _clock: CaptureClock
  private readonly _onError: ((error: CaptureWriteError) => void) | undefined
  private readonly _onFlush: ((info: CaptureFlushInfo) => void) | undefined

  /** Segments waiting for a flush; the last one receives new lines. */
  private _segments: Segment[]
  private _pendingBytes = 0
  /** Uncompressed bytes of the file the next line goes to (header included). */
  private _fileBytes = 0
  /** Local time of the first frame or marker in that file; null while it has none. */
  private _fileFirstT: number | null = null
  private _current: OpenFile | null = null
  private _nextSeq = 1
  /** Sequence number the next planned file is expected to get (for size accounting). */
  private _plannedSeq = 1
  private _chain: Promise<void> = Promise.resolve()
  private _flushQueued = false
  private _failure: CaptureWriteError | null = null
  private _failureReported = false
  private _closing: Promise<void> | null = null
  private _timer: NodeJS.Timeout | null = null
  private readonly _files: string[] = []
  private _linesWritten = 0
  private _linesFlushed = 0

  private constructor(opts: CaptureWriterOptions) {
    this._dir = opts.dir
    this._prefix = opts.prefix ?? 'capture'
    this._rotateBytes = checkPositive('rotateBytes', opts.rotateBytes ?? DEFAULT_ROTATE_BYTES)
    this._rotateMs = checkPositive('rotateMs', opts.rotateMs ?? DEFAULT_ROTATE_MS)
    this._gzip = opts.gzip ?? true
    this._startedBy = opts.startedBy ?? 'record'
    this._source = opts.source
    this._clock = opts.clock ?? SYSTEM_CAPTURE_CLOCK
    this._onError = opts.onError
    this._onFlush = opts.onFlush
    this._segments = [this._newSegment()]
  }

  /**
   * Creates the directory if needed and the first file with its header, flushed to disk.
   * Rejects with {@link CaptureWriteError} when either cannot be created, and with RangeError
   * for a bad option.
   */
  static async open(opts: CaptureWriterOptions): Promise<CaptureWriter> {
    const flushMs = checkPositive('flushMs', opts.flushMs ?? DEFAULT_FLUSH_MS)
    if (opts.prefix !== undefined && !/^[\w.-]+$/.test(opts.prefix)) {
      throw new RangeError(
        `capture writer prefix must be letters, digits, '.', '_' or '-', got ${JSON.stringify(opts.prefix)}`,
      )
    }
    const writer = new CaptureWriter(opts)
    try {
      await mkdir(opts.dir, { recursive: true })
    } catch (e) {
      throw new CaptureWriteError(
        `cannot create capture directory '${opts.dir}': ${messageOf(e)}; choose a writable directory`,
        { cause: e },
      )
    }
    try {
      await writer._enqueueFlush()
    } catch (e) {
      // Release a file that may have been created; the flush error is the one to report.
      await writer.close().catch(() => undefined)
      throw e
    }
    writer._timer = setInterval(() => writer._onTimer(), flushMs)
    writer._timer.unref()
    return writer
  }

  /** Paths of every file this writer has created, oldest first. */
  get files(): readonly string[] {
    return this._files
  }

  /** Frame and marker lines accepted so far (buffered or on disk). */
  get linesWritten(): number {
    return this._linesWritten
  }

  /** Frame and marker lines on disk so far. */
  get linesFlushed(): number {
    return this._linesFlushed
  }

  /**
   * Buffers one frame. `raw` is stored verbatim: inline as JSON when it is JSON on one line,
   * otherwise as a JSON string. Pass `isJson` when the caller has already parsed the text.
   * Throws the writer's failure if a flush has failed, and an Error after `close()`.
   */
  writeFrame(conn: string, raw: string, opts?: WriteTimes & { readonly isJson?: boolean }): void {
    this._checkWritable()
    const tLocal = opts?.tLocal ?? this._clock.nowMs()
    const mono = opts?.mono ?? this._clock.monoUs()
    this._append(encodeFrameLine(tLocal, mono, conn, raw, opts?.isJson), tLocal)
  }

  /** Buffers one marker; `detail` adds fields such as `url`, `reason`, `code`, `asset_ids`. */
  writeMarker(
    kind: MarkerKind,
    conn: string,
    detail?: Readonly<Record<string, unknown>>,
    opts?: WriteTimes,
  ): void {
    this._checkWritable()
    const tLocal = opts?.tLocal ?? this._clock.nowMs()
    const mono = opts?.mono ?? this._clock.monoUs()
    this._append(encodeMarkerLine(kind, tLocal, mono, conn, detail), tLocal)
  }

  /** Writes everything buffered to disk (with a sync flush). Rejects with the writer's failure. */
  flush(): Promise<void> {
    if (this._failure !== null) return Promise.reject(this._failure)
    return this._enqueueFlush()
  }

  /**
   * Flushes, ends the gzip stream with its trailer and closes the file. Idempotent. Rejects
   * with {@link CaptureWriteError} if anything could not be written.
   */
  close(): Promise<void> {
    this._closing ??= this._close()
    return this._closing
  }

  private async _close(): Promise<void> {
    if (this._timer !== null) clearInterval(this._timer)
    this._timer = null
    // Run after any flush in progress; a failure is reported after the file is released.
    await this._enqueueFlush().catch(() => undefined)
    const current = this._current
    this._current = null
    if (current === null) {
      if (this._failure !== null) throw this._failure
      return
    }
    if (this._failure !== null) {
      try {
        await current.handle.close()
      } catch (e) {
        throw new CaptureWriteError(
          `${this._failure.message}; closing '${current.path}' also failed: ${messageOf(e)}`,
          { cause: this._failure },
        )
      }
      throw this._failure
    }
    try {
      await this._finishFile(current)
    } catch (e) {
      throw this._fail(e, `cannot finish capture file '${current.path}'`)
    }
  }

  private _checkWritable(): void {
    if (this._failure !== null) throw this._failure
    if (this._closing !== null) throw new Error('capture writer is closed; open a new one')
  }

  /** Starts the lines of a new file; counts its header towards the file's size. */
  private _newSegment(): Segment {
    const tLocal = this._clock.nowMs()
    const mono = this._clock.monoUs()
    // The sequence number is final only when the file is created (a taken name moves it on),
    // so the header size is an estimate that is off by a digit at most.
    const header = encodeHeaderLine({
      tLocal,
      mono,
      fileSeq: this._plannedSeq++,
      startedBy: this._startedBy,
      ...(this._source === undefined ? {} : { source: this._source }),
    })
    this._fileBytes = Buffer.byteLength(header) + 1
    this._fileFirstT = null
    return { start: { tLocal, mono }, lines: [] }
  }

  private _append(line: string, tLocal: number): void {
    const bytes = Buffer.byteLength(line) + 1
    const firstT = this._fileFirstT
    if (
      firstT !== null &&
      (this._fileBytes + bytes > this._rotateBytes || tLocal - firstT >= this._rotateMs)
    ) {
      this._segments.push(this._newSegment())
    }
    const segment = this._segments[this._segments.length - 1] as Segment
    this._fileFirstT ??= tLocal
    segment.lines.push(line)
    this._fileBytes += bytes
    this._pendingBytes += bytes
    this._linesWritten++
    if (this._pendingBytes >= EAGER_FLUSH_BYTES && !this._flushQueued) this._onTimer()
  }

  private _onTimer(): void {
    if (this._failure !== null || this._flushQueued) return
    const hasWork = this._segments.some((s) => s.start !== null || s.lines.length > 0)
    if (!hasWork) return
    this._enqueueFlush().catch((e: unknown) => this._report(e))
  }

  private _report(e: unknown): void {
    if (this._failureReported) return
    this._failureReported = true
    const error = e instanceof CaptureWriteError ? e : this._fail(e, 'capture flush failed')
    this._onError?.(error)
  }

  private _enqueueFlush(): Promise<void> {
    this._flushQueued = true
    const run = this._chain.then(() => {
      this._flushQueued = false
      return this._doFlush()
    })
    this._chain = run.catch(() => undefined)
    return run
  }

  private _fail(e: unknown, what: string): CaptureWriteError {
    if (this._failure === null) {
      this._failure =
        e instanceof CaptureWriteError
          ? e
          : new CaptureWriteError(`${what}: ${messageOf(e)}`, { cause: e })
    }
    return this._failure
  }

  private async _doFlush(): Promise<void> {
    if (this._failure !== null) throw this._failure
    const segments = this._segments
    this._segments = [{ start: null, lines: [] }]
    this._pendingBytes = 0
    let wrote = false
    try {
      for (const segment of segments) {
        if (segment.start !== null) {
          if (this._current !== null) {
            const previous = this._current
            this._current = null
            await this._finishFile(previous)
          }
          this._current = await this._openFile(segment.start.tLocal, segment.start.mono)
          wrote = true
        }
        if (segment.lines.length > 0) {
          const current = this._current
          if (current === null) throw new Error('no open capture file')
          this._put(current, `${segment.lines.join('\n')}\n`)
          await this._syncFlush(current)
          this._linesFlushed += segment.lines.length
          wrote = true
        }
      }
    } catch (e) {
      throw this._fail(e, `cannot write capture file in '${this._dir}'`)
    }
    const current = this._current
    if (wrote && current !== null) {
      this._onFlush?.({ file: current.path, linesFlushed: this._linesFlushed })
    }
  }

  private async _openFile(tLocal: number, mono: number): Promise<OpenFile> {
    const ext = this._gzip ? '.ndjson.gz' : '.ndjson'
    const stamp = formatFileStamp(tLocal)
    for (;;) {
      const seq = this._nextSeq++
      const path = join(this._dir, `${this._prefix}-${stamp}-${pad(seq, 4)}${ext}`)
      let handle: FileHandle
      try {
        // 'wx' fails when the file exists: an existing capture is never overwritten.
        handle = await open(path, 'wx')
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue
        throw new CaptureWriteError(`cannot create capture file '${path}': ${messageOf(e)}`, {
          cause: e,
        })
      }
      const file: OpenFile = {
        path,
        handle,
        // Level 1: about twice the speed of the default level for ~15 % larger files; the
        // recorder's CPU matters more than disk (docs/BENCHMARKS.md, feed throughput).
        gzip: this._gzip ? createGzip({ level: 1 }) : null,
        out: [],
        gzipError: null,
      }
      const gzip = file.gzip
      if (gzip !== null) {
        gzip.on('data', (chunk: Buffer) => file.out.push(chunk))
        gzip.on('error', (e: Error) => {
          file.gzipError ??= e
        })
      }
      this._files.push(path)
      const header = encodeHeaderLine({
        tLocal,
        mono,
        fileSeq: seq,
        startedBy: this._startedBy,
        ...(this._source === undefined ? {} : { source: this._source }),
      })
      this._put(file, `${header}\n`)
      await this._syncFlush(file)
      return file
    }
  }

  private _put(file: OpenFile, text: string): void {
    const data = Buffer.from(text, 'utf8')
    if (file.gzip === null) file.out.push(data)
    else file.gzip.write(data)
  }

  /** Compresses what was put so far up to a byte boundary and writes it to the file. */
  private async _syncFlush(file: OpenFile): Promise<void> {
    const gzip = file.gzip
    if (gzip !== null) {
      await new Promise<void>((resolve, reject) => {
        gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => {
          if (file.gzipError !== null) reject(file.gzipError)
          else resolve()
        })
      })
    }
    await this._drain(file)
  }

  private async _drain(file: OpenFile): Promise<void> {
    if (file.out.length === 0) return
    const data = file.out.length === 1 ? (file.out[0] as Buffer) : Buffer.concat(file.out)
    file.out = []
    await writeAll(file.handle, data)
  }

  /** Ends the gzip stream (writing its trailer), syncs and closes the file. */
  private async _finishFile(file: OpenFile): Promise<void> {
    try {
      const gzip = file.gzip
      if (file.gzipError !== null) throw file.gzipError
      if (gzip !== null) {
        await new Promise<void>((resolve, reject) => {
          gzip.once('end', () => resolve())
          gzip.once('error', reject)
          gzip.end()
        })
      }
      await this._drain(file)
      await file.handle.sync()
    } finally {
      await file.handle.close()
    }
  }
}
