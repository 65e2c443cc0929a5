/**
 * The vocabulary of capture reading: warnings for damage that did not stop a read, the read
 * summary, the options, and the error for a file that is not a capture at all.
 */
import type { CaptureRecord } from './capture-format.js'

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
  /**
   * Given: frame lines with a verbatim JSON payload, laid out as the writer writes them, go
   * here instead of to `onRecord`, as the payload's UTF-8 bytes in the decompressed data
   * (`bytes[start, end)`), without decoding the line to a string (implies
   * `decodeValues: false`, with the same caveat). Every other line still reaches `onRecord`.
   */
  readonly onFrameBytes?: FrameBytesHandler
}

/**
 * Receives one frame as the bytes of its payload, `bytes[start, end)`: exactly the UTF-8 of
 * the frame text a lazily read {@link CaptureRecord} would carry as `raw`. The bytes are valid
 * during the call only (copy them to keep them).
 */
export type FrameBytesHandler = (
  bytes: Buffer,
  start: number,
  end: number,
  tLocal: number,
  mono: number,
  conn: string,
) => void

/** Where a cursor delivers what it reads; `frameBytes` only in bytes mode. */
export type RecordSink = {
  record(record: CaptureRecord): void
  frameBytes: FrameBytesHandler
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
