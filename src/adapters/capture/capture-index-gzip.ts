/**
 * Decompressed bytes of one capture file from any saved point, for the playback index.
 *
 * Plain files are read from the offset. Gzip files cannot be entered in the middle in
 * general, but the capture writer ends every flush with a zlib `Z_SYNC_FLUSH`, which closes
 * the deflate block on a byte boundary and appends an empty stored block, the bytes
 * `00 00 ff ff`. Right after those bytes a new block starts, and raw inflate can start there
 * given the 32 KiB of text that came before as its dictionary (deflate refers back at most
 * that far). A resume point is such a place: compressed offset, decompressed offset and the
 * window.
 *
 * Finding them (build mode): the compressed data is cut into segments at sync-flush markers
 * at least `minSpacing` bytes apart, and each segment is inflated by a fresh raw inflater
 * primed with the window, so the decompressed offset of each cut is exact. The four marker
 * bytes can also occur by chance inside compressed data. The writer's flushes always fall
 * between whole lines, so a cut is kept only when the text before it ends a line and the text
 * after it starts one (`{"k":"`); otherwise the segment before it is read again past that
 * place. Text is handed out only once its segment passed the check, so what a build reads is
 * always the file's text.
 *
 * Damage is reported as the capture reader reports it: a stream without its end is
 * `TRUNCATED_GZIP` (everything up to the last complete block is read), bad data
 * `CORRUPT_GZIP` (everything before it is read), and a wrong checksum `CORRUPT_GZIP` after
 * all the data. A file of several gzip members (not written by the capture writer) is refused
 * with {@link CaptureIndexError}.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { constants as zlibConstants, crc32, createInflateRaw } from 'node:zlib'
import { CaptureIndexError } from './capture-index-errors.js'
import {
  CompressedInput,
  EMPTY,
  feed,
  GZIP_MAGIC_0,
  GZIP_MAGIC_1,
  gzipHeaderLength,
  HEAD_BYTES,
  lastBytes,
  lastOf,
  PlainByteSource,
  READ_BYTES,
  readFully,
  WINDOW_BYTES,
  type ByteSource,
} from './capture-index-input.js'
import type { CaptureWarningCode } from './capture-read-types.js'
import { CaptureFileError } from './capture-read-types.js'
import { GUNZIP_CHUNK_BYTES } from './capture-sources.js'

export { CaptureIndexError } from './capture-index-errors.js'
export type { ByteSource } from './capture-index-input.js'

/** Where raw inflate can start: a byte-aligned block start and the text before it. */
export type ResumePoint = {
  /** Offset in the file of the first byte of a deflate block. */
  readonly compressed: number
  /** Offset in the decompressed text of the first byte that block produces. */
  readonly decompressed: number
  /** The up to 32 KiB of decompressed text just before `decompressed`. */
  readonly window: Buffer
}

export type SourceWarning = { readonly code: CaptureWarningCode; readonly message: string }

export type ByteSourceOptions = {
  /** Start at this decompressed offset; default 0. */
  readonly offset?: number
  /** For gzip: the resume point to inflate from (at or before `offset`); default the start. */
  readonly point?: ResumePoint | null
  /**
   * Build mode: report resume points (the start of the deflate data first) at least
   * `minSpacing` compressed bytes apart.
   */
  readonly discover?: {
    readonly minSpacing: number
    readonly onPoint: (point: ResumePoint) => void
    /** Cuts known not to be block boundaries (compressed offsets). */
    readonly excluded: ReadonlySet<number>
  }
  readonly onWarning: (warning: SourceWarning) => void
}

const FIRST_READ_BYTES = 16 * 1024
const PLAYBACK_READ_BYTES = 64 * 1024
/** zlib output buffer per call in playback: a 1 MiB one per small read is churn for the GC. */
const PLAYBACK_CHUNK_BYTES = 128 * 1024
const TRAILER_BYTES = 8
const NEWLINE = 0x0a
/** Every line the capture writer writes starts so, and every flush ends a line. */
const LINE_START = Buffer.from('{"k":"', 'latin1')

type Segment = ResumePoint

/** Opens `path` for reading decompressed text; detects gzip by its first two bytes. */
export async function openByteSource(
  path: string,
  options: ByteSourceOptions,
): Promise<ByteSource> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (e) {
    throw new CaptureFileError(path, `cannot open capture file: ${(e as Error).message}`, {
      cause: e,
    })
  }
  try {
    const size = (await fh.stat()).size
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES))
    await readFully(fh, head, 0)
    const offset = options.offset ?? 0
    if (head.length < 2 || head[0] !== GZIP_MAGIC_0 || head[1] !== GZIP_MAGIC_1) {
      return new PlainByteSource(fh, size, offset)
    }
    return new GzipByteSource(path, fh, size, head, offset, options)
  } catch (e) {
    await fh.close()
    throw e
  }
}

class GzipByteSource implements ByteSource {
  private readonly _chunks: AsyncGenerator<Buffer, void, undefined>
  private _offset: number

  constructor(
    private readonly _path: string,
    private readonly _fh: FileHandle,
    private readonly _size: number,
    head: Buffer,
    offset: number,
    private readonly _options: ByteSourceOptions,
  ) {
    this._offset = offset
    this._chunks = this._run(head, offset)
  }

  get offset(): number {
    return this._offset
  }

  async next(): Promise<Buffer | null> {
    const step = await this._chunks.next()
    if (step.done === true) return null
    this._offset += step.value.length
    return step.value
  }

  async close(): Promise<void> {
    await this._chunks.return(undefined)
    await this._fh.close()
  }

  private _warn(code: CaptureWarningCode, message: string): void {
    this._options.onWarning({ code, message: `${this._path}: ${message}` })
  }

  private async *_run(head: Buffer, offset: number): AsyncGenerator<Buffer, void, undefined> {
    const headerLength = gzipHeaderLength(this._path, head)
    if (headerLength < 0) {
      this._warnTruncated()
      return
    }
    const first: Segment = this._options.point ?? {
      compressed: headerLength,
      decompressed: 0,
      window: EMPTY,
    }
    if (first.decompressed > offset) {
      throw new Error(`resume point at ${first.decompressed} is after the wanted offset ${offset}`)
    }
    const discover = this._options.discover
    const rejected = new Set<number>(discover?.excluded ?? [])
    const checkCrc = first.decompressed === 0
    let crc = 0
    /** Decompressed bytes up to here have been checksummed and, past `offset`, handed out. */
    let delivered = first.decompressed
    /** The segment being read, and the last one known to start at a block boundary. */
    let segment = first
    let trusted = first
    let validated = true
    if (this._options.point == null) discover?.onPoint(first)
    // Playback reads little at a time: zlib inflates all of a read at once, whatever the
    // reader needs (a 1 MiB read is about 14 MiB of capture text), and a seek wants only the
    // text near its resume point.
    const firstRead = discover === undefined ? FIRST_READ_BYTES : READ_BYTES
    const maxRead = discover === undefined ? PLAYBACK_READ_BYTES : READ_BYTES
    let input = new CompressedInput(this._fh, this._size, segment.compressed, firstRead, maxRead)
    for (;;) {
      input.startSegment()
      const minEnd =
        discover === undefined ? Number.POSITIVE_INFINITY : segment.compressed + discover.minSpacing
      const inflater = createInflateRaw({
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        chunkSize: discover === undefined ? PLAYBACK_CHUNK_BYTES : GUNZIP_CHUNK_BYTES,
        ...(segment.window.length > 0 ? { dictionary: segment.window } : {}),
      })
      const feeding = feed(inflater, () => input.nextSlice(minEnd, rejected))
      // Awaited below; this only keeps a failure from being unhandled if reading stops early.
      feeding.catch(() => undefined)
      const recent: Buffer[] = []
      let recentBytes = 0
      let total = segment.decompressed
      let falseCut = false
      try {
        for await (const chunk of inflater as AsyncIterable<Buffer>) {
          total += chunk.length
          recent.push(chunk)
          recentBytes += chunk.length
          if (!validated) {
            // Held back until the text is seen to start a capture line.
            if (total - segment.decompressed < LINE_START.length) continue
            const start = Buffer.concat(recent, LINE_START.length)
            if (!start.equals(LINE_START)) {
              falseCut = true
              break
            }
            validated = true
            trusted = segment
            discover?.onPoint(segment)
          }
          if (total > delivered) {
            const fresh = lastOf(recent, recentBytes, total - delivered)
            if (checkCrc) crc = crc32(fresh, crc)
            delivered = total
            if (total > offset) yield fresh.subarray(Math.max(0, offset - (total - fresh.length)))
          }
          while (recent.length > 1 && recentBytes - recent[0]!.length >= WINDOW_BYTES) {
            recentBytes -= recent.shift()!.length
          }
        }
      } catch (e) {
        const readError = await feeding.catch((f: unknown) => f)
        if (readError instanceof Error) {
          throw new CaptureFileError(this._path, `cannot read capture file: ${readError.message}`, {
            cause: readError,
          })
        }
        if (validated) {
          this._warn(
            'CORRUPT_GZIP',
            `gzip data is damaged after ${total} decompressed bytes (${(e as Error).message}); the rest of the file was skipped`,
          )
          return
        }
        falseCut = true
      } finally {
        inflater.destroy()
      }
      await feeding.catch(() => undefined)
      const fed = input.segmentEnd - segment.compressed
      const consumed = inflater.bytesWritten
      const ended = !falseCut && input.segmentEnd >= 0 && consumed < fed
      if (!validated && !(ended && total === segment.decompressed)) falseCut = true
      if (falseCut) {
        // The four marker bytes occurred by chance inside compressed data: read the segment
        // before it again, past that place.
        rejected.add(segment.compressed)
        segment = trusted
        validated = true
        input = new CompressedInput(this._fh, this._size, segment.compressed, firstRead, maxRead)
        continue
      }
      if (ended) {
        // The deflate stream ended inside this segment: the trailer follows.
        const intact = await this._checkTrailer(
          segment.compressed + consumed,
          checkCrc ? crc : null,
          total,
        )
        if (!intact) this._warnCorrupt(total)
        return
      }
      if (input.atEnd) {
        this._warnTruncated()
        return
      }
      const cut = input.segmentEnd
      const window = lastBytes(recent, recentBytes, segment.window)
      if (window.length > 0 && window[window.length - 1] !== NEWLINE) {
        // The writer flushes whole lines, so this marker is not one of its flushes: read this
        // segment again, past it.
        rejected.add(cut)
        input = new CompressedInput(this._fh, this._size, segment.compressed, firstRead, maxRead)
        continue
      }
      segment = { compressed: cut, decompressed: total, window }
      validated = discover === undefined
    }
  }

  private _warnTruncated(): void {
    this._warn(
      'TRUNCATED_GZIP',
      'gzip stream ends without its trailer (the writer was stopped before closing the file); read up to the last flushed block',
    )
  }

  private _warnCorrupt(total: number): void {
    this._warn(
      'CORRUPT_GZIP',
      `gzip data is damaged after ${total} decompressed bytes (incorrect data check); the rest of the file was skipped`,
    )
  }

  /**
   * Checks the gzip trailer at `at` against the data read; false when the checksum or length
   * disagrees (a missing trailer is reported as truncation and counts as intact).
   */
  private async _checkTrailer(at: number, crc: number | null, total: number): Promise<boolean> {
    const trailer = Buffer.alloc(TRAILER_BYTES + 2)
    const read = await readFully(this._fh, trailer, at)
    if (read < TRAILER_BYTES) {
      this._warnTruncated()
      return true
    }
    if (read >= TRAILER_BYTES + 2 && trailer[8] === GZIP_MAGIC_0 && trailer[9] === GZIP_MAGIC_1) {
      throw new CaptureIndexError(
        'CAPTURE_INDEX_UNSUPPORTED',
        `${this._path}: the file holds more than one gzip member, which the capture writer never writes and the playback index cannot enter; recompress it as one member (gunzip -c file | gzip -1 > new.ndjson.gz)`,
      )
    }
    if (crc === null) return true
    return trailer.readUInt32LE(0) === crc >>> 0 && trailer.readUInt32LE(4) === total % 2 ** 32
  }
}
