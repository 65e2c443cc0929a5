/**
 * The one error an import raises for bad input: an unreadable file, an unknown format, a
 * parquet file without the expected columns, or a row with an invalid value. The message
 * always names the file and says what was expected.
 */
export class ImportError extends Error {
  readonly code = 'IMPORT_ERROR'
  /** The input file the error is about. */
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options)
    this.name = 'ImportError'
    this.file = file
  }
}
