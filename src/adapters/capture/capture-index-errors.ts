/** The error of the playback index: it cannot be built, read or used. */
/** A playback index cannot be built, read or used; `code` says why. */
export class CaptureIndexError extends Error {
  constructor(
    readonly code:
      | 'CAPTURE_INDEX_CORRUPT'
      | 'CAPTURE_INDEX_STALE'
      | 'CAPTURE_INDEX_MISSING'
      | 'CAPTURE_INDEX_UNSUPPORTED'
      | 'CAPTURE_INDEX_WRITE_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'CaptureIndexError'
  }
}
