/**
 * Streams one capture file, chunk by chunk, into records: splits the decompressed data into
 * lines and decodes each, forgiving the damage a crash or a bad disk block leaves (each is
 * reported as a warning and skipped). Three ways to read frame lines: decode every line whole
 * (`decode`); scan the writer's fixed prefix of a frame line and slice the payload text out
 * (`lazy`); or, without decoding the line to a string at all, hand over the payload's byte
 * range (`bytes`). A line the bytes mode does not read with certainty is decoded to text and
 * read as in lazy mode; one the lazy mode does not read with certainty is decoded whole.
 */
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { excerptOf, ParseError } from '../../domain/errors.js'
import { decodeCaptureLine, decodeFrameLineLazy, type CaptureRecord } from './capture-format.js'
import { FrameLineFields, readFrameLineBytes } from './capture-frame-bytes.js'
import {
  CaptureFileError,
  type CaptureWarning,
  type CaptureWarningCode,
  type ReadSummary,
  type RecordSink,
} from './capture-read-types.js'
import {
  GZIP_READ_BYTES,
  GzipSource,
  PlainSource,
  readChunk,
  type ChunkSource,
} from './capture-sources.js'

/** How frame lines are read; see the module comment. */
export type FrameLineMode = 'decode' | 'lazy' | 'bytes'

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

export type MutableSummary = { -readonly [K in keyof ReadSummary]: ReadSummary[K] }

export function emptySummary(files: number): MutableSummary {
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

export function addSummary(into: MutableSummary, from: ReadSummary): void {
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
export class CaptureCursor {
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
  /** Reused by the bytes mode for each frame line. */
  private readonly _fields = new FrameLineFields()

  private constructor(
    readonly path: string,
    private readonly _source: ChunkSource,
    private readonly _onWarning: (w: CaptureWarning) => void,
    private readonly _mode: FrameLineMode,
  ) {}

  static async open(
    path: string,
    onWarning: (w: CaptureWarning) => void,
    onRead: (bytes: number) => void,
    mode: FrameLineMode = 'decode',
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
      cursor = new CaptureCursor(path, source, onWarning, mode)
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
  async step(sink: RecordSink): Promise<boolean> {
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

  private _consume(chunk: Buffer, sink: RecordSink): void {
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
    if (this._mode === 'bytes') pos = this._linesBytes(chunk, pos, sink)
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

  /**
   * Reads the whole lines of `chunk` from `pos` as bytes: frame lines in the writer's layout go
   * to `sink.frameBytes` without becoming strings; any other line is decoded as text and read
   * as in lazy mode. Returns the position after the last line break.
   */
  private _linesBytes(chunk: Buffer, pos: number, sink: RecordSink): number {
    const fields = this._fields
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos)
      if (nl < 0) return pos
      if (this._sawHeader && readFrameLineBytes(chunk, pos, nl, this._lastConn, fields)) {
        this._lineNo++
        this._sawContent = true
        this.summary.lines++
        this.summary.frames++
        this._lastConn = fields.conn
        sink.frameBytes(
          chunk,
          fields.payloadStart,
          fields.payloadEnd,
          fields.tLocal,
          fields.mono,
          fields.conn,
        )
      } else {
        this._line(chunk.toString('utf8', pos, nl), sink)
      }
      pos = nl + 1
    }
  }

  /** Splits text holding whole lines (no trailing newline) and decodes each. */
  private _lines(text: string, sink: RecordSink): void {
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

  private _line(text: string, sink: RecordSink): void {
    this._lineNo++
    if (text.length === 0 || (text.length === 1 && text === '\r')) return
    this._sawContent = true
    this.summary.lines++
    if (this._mode !== 'decode' && this._sawHeader) {
      const frame = decodeFrameLineLazy(text, this._lastConn)
      if (frame !== null) {
        this._lastConn = frame.conn
        this.summary.frames++
        sink.record(frame)
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
    sink.record(record)
  }

  private _finish(sink: RecordSink): void {
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

  private _finishTail(text: string, sink: RecordSink): void {
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
