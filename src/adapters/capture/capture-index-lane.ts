/**
 * One capture file read for playback: its records, chunk by chunk, each with the decompressed
 * offset where its line starts, so a reader can be reopened right before any record.
 *
 * Lines are read by the same rules as the capture reader in its bytes mode
 * (`capture-cursor.ts`): frame lines in the writer's layout are handed over as the bytes of
 * their payload; any other line is decoded as text (lazily for frame lines, else whole);
 * blank lines are skipped; damaged lines are skipped with `CORRUPT_LINE`, a torn last line
 * with `TORN_LAST_LINE`; a file that is not a capture is a {@link CaptureFileError}. A reader
 * reopened in the middle of a file takes its header as read.
 */
import { excerptOf, ParseError } from '../../domain/errors.js'
import {
  decodeCaptureLine,
  decodeFrameLineLazy,
  type CaptureMarker,
  type CaptureRecord,
} from './capture-format.js'
import { FrameLineFields, readFrameLineBytes } from './capture-frame-bytes.js'
import {
  openByteSource,
  type ByteSource,
  type ByteSourceOptions,
  type SourceWarning,
} from './capture-index-gzip.js'
import { CaptureFileError } from './capture-read-types.js'

export const ENTRY_BYTES = 0
export const ENTRY_TEXT = 1
export const ENTRY_MARKER = 2

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d
const MAX_HEADER_SEARCH_BYTES = 1 << 20
const MAX_LINE_BYTES = 64 << 20
const HEADER_PREFIX = '{"k":"header"'

function notCapture(path: string, line: string, why: string, cause?: unknown): CaptureFileError {
  return new CaptureFileError(
    path,
    `not a tiltmeter capture file: ${why} (it starts with "${excerptOf(line, 60)}"); expected a first line like {"k":"header","format":"tiltmeter-capture","version":1,...} as written by the capture writer`,
    cause === undefined ? undefined : { cause },
  )
}

/**
 * The records of one file in batches of one decompressed chunk. Entry `i` of the batch has
 * kind `kinds[i]`, time `times[i]`, line offset `offsets[i]` and, by kind, a byte range
 * (`buffers`, `starts`, `ends`, `conns`), text (`raws`, `values`, `conns`) or a marker.
 */
export class CaptureLane {
  readonly kinds: number[] = []
  readonly times: number[] = []
  readonly offsets: number[] = []
  readonly buffers: (Buffer | null)[] = []
  readonly starts: number[] = []
  readonly ends: number[] = []
  readonly conns: string[] = []
  readonly raws: (string | null)[] = []
  readonly values: unknown[] = []
  readonly markers: (CaptureMarker | null)[] = []
  count = 0
  pos = 0
  /** Where the line scanner continues: the start of the unfinished line. */
  private _scanOffset: number
  private _tail: Buffer[] = []
  private _tailBytes = 0
  private _skippingLongLine = false
  private _sawHeader: boolean
  private _sawContent: boolean
  private _ended = false
  /** 1-based number of the last line read, when the file was read from its start. */
  private _lineNo = 0
  private readonly _countLines: boolean
  private _lastConn: string | undefined = undefined
  private readonly _fields = new FrameLineFields()

  private constructor(
    readonly path: string,
    private readonly _source: ByteSource,
    startOffset: number,
    private readonly _onWarning: (message: string) => void,
  ) {
    this._scanOffset = startOffset
    this._sawHeader = startOffset > 0
    this._sawContent = startOffset > 0
    this._countLines = startOffset === 0
  }

  /**
   * Opens `path` at a line start (`options.offset`, default 0; from `options.point` for gzip).
   */
  static async open(
    path: string,
    options: Omit<ByteSourceOptions, 'onWarning'>,
    onWarning: (message: string) => void,
  ): Promise<CaptureLane> {
    const source = await openByteSource(path, {
      ...options,
      onWarning: (w: SourceWarning) => onWarning(w.message),
    })
    return new CaptureLane(path, source, options.offset ?? 0, onWarning)
  }

  /** Offset of the line of the entry at the head, or where reading continues. */
  headOffset(): number {
    return this.pos < this.count ? this.offsets[this.pos]! : this._scanOffset
  }

  /** Reads the next chunk's records into the batch; false once the file is done. */
  async refill(): Promise<boolean> {
    this.count = 0
    this.pos = 0
    while (this.count === 0) {
      if (this._ended) return false
      const at = this._source.offset
      const chunk = await this._source.next()
      if (chunk === null) {
        this._ended = true
        this._finish()
        return this.count > 0
      }
      this._consume(chunk, at)
    }
    return true
  }

  async close(): Promise<void> {
    await this._source.close()
  }

  private _where(offset: number): string {
    return this._countLines ? `${this.path}:${this._lineNo}` : `${this.path} (byte ${offset})`
  }

  private _consume(chunk: Buffer, at: number): void {
    let pos = 0
    const length = chunk.length
    if (this._tailBytes > 0 || this._skippingLongLine) {
      const nl = chunk.indexOf(NEWLINE)
      if (nl < 0) {
        this._appendTail(chunk)
        return
      }
      const lineStart = this._scanOffset
      if (this._skippingLongLine) {
        this._skippingLongLine = false
      } else {
        this._tail.push(chunk.subarray(0, nl))
        const line = Buffer.concat(this._tail)
        this._tail = []
        this._tailBytes = 0
        this._line(line, 0, line.length, lineStart)
      }
      pos = nl + 1
      this._scanOffset = at + pos
    }
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos)
      if (nl < 0) break
      this._line(chunk, pos, nl, at + pos)
      pos = nl + 1
      this._scanOffset = at + pos
    }
    if (pos < length) this._appendTail(chunk.subarray(pos))
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
      this._lineNo++
      this._onWarning(
        `${this._where(this._scanOffset)}: line longer than ${MAX_LINE_BYTES} bytes; treated as damage and skipped`,
      )
    }
  }

  /** One complete line `b[start, end)` (without its newline) starting at file offset `at`. */
  private _line(b: Buffer, start: number, end: number, at: number): void {
    this._lineNo++
    if (start === end || (end - start === 1 && b[start] === CARRIAGE_RETURN)) return
    this._sawContent = true
    const fields = this._fields
    if (this._sawHeader && readFrameLineBytes(b, start, end, this._lastConn, fields)) {
      this._lastConn = fields.conn
      const i = this.count++
      this.kinds[i] = ENTRY_BYTES
      this.times[i] = fields.tLocal
      this.offsets[i] = at
      this.buffers[i] = b
      this.starts[i] = fields.payloadStart
      this.ends[i] = fields.payloadEnd
      this.conns[i] = fields.conn
      return
    }
    this._text(b.toString('utf8', start, end), at)
  }

  private _text(text: string, at: number): void {
    if (this._sawHeader) {
      const frame = decodeFrameLineLazy(text, this._lastConn)
      if (frame !== null) {
        this._lastConn = frame.conn
        this._pushText(frame.raw, undefined, frame.tLocal, frame.conn, at)
        return
      }
    }
    let record: CaptureRecord
    try {
      record = decodeCaptureLine(text)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
      if (!this._sawHeader) throw notCapture(this.path, text, e.message, e)
      this._onWarning(`${this._where(at)}: ${e.message}; line skipped`)
      return
    }
    if (record.kind === 'header') {
      this._sawHeader = true
      return
    }
    if (!this._sawHeader)
      throw notCapture(this.path, text, 'the first line is not a capture header')
    if (record.kind === 'frame') {
      this._pushText(record.raw, record.value, record.tLocal, record.conn, at)
      return
    }
    const i = this.count++
    this.kinds[i] = ENTRY_MARKER
    this.times[i] = record.tLocal
    this.offsets[i] = at
    this.buffers[i] = null
    this.markers[i] = record
  }

  private _pushText(raw: string, value: unknown, tLocal: number, conn: string, at: number): void {
    const i = this.count++
    this.kinds[i] = ENTRY_TEXT
    this.times[i] = tLocal
    this.offsets[i] = at
    this.buffers[i] = null
    this.raws[i] = raw
    this.values[i] = value
    this.conns[i] = conn
  }

  private _finish(): void {
    if (this._tailBytes > 0 && !this._skippingLongLine) {
      const text = Buffer.concat(this._tail).toString('utf8')
      this._tail = []
      this._tailBytes = 0
      this._finishTail(text)
    }
    if (!this._sawHeader) {
      this._onWarning(
        `${this.path}: holds no complete capture header (the writer stopped before writing one); nothing to read`,
      )
    }
  }

  private _finishTail(text: string): void {
    const at = this._scanOffset
    let record: CaptureRecord | undefined
    try {
      record = decodeCaptureLine(text)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
    }
    if (record !== undefined && (this._sawHeader || record.kind === 'header')) {
      // A complete last line that merely lacks its newline.
      const bytes = Buffer.from(text, 'utf8')
      this._line(bytes, 0, bytes.length, at)
      return
    }
    if (!this._sawHeader && !this._sawContent && !text.startsWith(HEADER_PREFIX)) {
      throw notCapture(this.path, text, 'the first line is not a capture header')
    }
    this._lineNo++
    this._onWarning(
      `${this._where(at)}: last line is incomplete (the writer stopped mid-line); skipped`,
    )
  }
}
