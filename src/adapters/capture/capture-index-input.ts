/**
 * The byte-level parts of reading a capture file for playback: plain files read from an
 * offset, the gzip header, the compressed input cut at sync-flush markers, and feeding a raw
 * inflater. Used by `capture-index-gzip.ts`, which explains resume points.
 */
import type { FileHandle } from 'node:fs/promises'
import type { InflateRaw } from 'node:zlib'
import { CaptureFileError } from './capture-read-types.js'

export const WINDOW_BYTES = 32 * 1024
export const READ_BYTES = 1 << 20
export const HEAD_BYTES = 64 * 1024
export const GZIP_MAGIC_0 = 0x1f
export const GZIP_MAGIC_1 = 0x8b
const SYNC_MARKER = Buffer.from([0x00, 0x00, 0xff, 0xff])
const FLAG_HCRC = 2
const FLAG_EXTRA = 4
const FLAG_NAME = 8
const FLAG_COMMENT = 16
export const EMPTY: Buffer = Buffer.alloc(0)

/** Decompressed text a playback reader consumes, chunk by chunk. */
export interface ByteSource {
  /** Next chunk; its first byte is at decompressed offset `offset` (before the call). */
  next(): Promise<Buffer | null>
  /** Decompressed offset of the next chunk's first byte. */
  readonly offset: number
  close(): Promise<void>
}

export async function readFully(fh: FileHandle, into: Buffer, position: number): Promise<number> {
  let done = 0
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}

export class PlainByteSource implements ByteSource {
  constructor(
    private readonly _fh: FileHandle,
    private readonly _size: number,
    private _offset: number,
  ) {}

  get offset(): number {
    return this._offset
  }

  async next(): Promise<Buffer | null> {
    if (this._offset >= this._size) return null
    const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, this._size - this._offset))
    const read = await readFully(this._fh, chunk, this._offset)
    if (read === 0) return null
    this._offset += read
    return chunk.subarray(0, read)
  }

  async close(): Promise<void> {
    await this._fh.close()
  }
}

/**
 * Length of the gzip header at the start of `head`, or -1 when `head` ends inside it.
 * @throws CaptureFileError when the header is not a deflate gzip header.
 */
export function gzipHeaderLength(path: string, head: Buffer): number {
  if (head.length < 10) return -1
  if (head[2] !== 8) {
    throw new CaptureFileError(
      path,
      `not a readable gzip file (compression method ${head[2]}, expected 8 = deflate); a capture is gzip-compressed or plain NDJSON`,
    )
  }
  const flags = head[3]!
  let p = 10
  if ((flags & FLAG_EXTRA) !== 0) {
    if (p + 2 > head.length) return -1
    p += 2 + head.readUInt16LE(p)
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if ((flags & flag) === 0) continue
    const zero = head.indexOf(0, p)
    if (zero < 0) return -1
    p = zero + 1
  }
  if ((flags & FLAG_HCRC) !== 0) p += 2
  return p > head.length ? -1 : p
}

/** The compressed bytes of a file from a position, cut into segments at sync-flush markers. */
export class CompressedInput {
  private _pending: Buffer = EMPTY
  private _pendingAt: number
  private _readAt: number
  /** The last three bytes handed out, to find a marker split across two reads. */
  private _last3: Buffer = EMPTY
  /** End of the current segment, once found: a cut (after a marker) or the end of the file. */
  segmentEnd = -1

  constructor(
    private readonly _fh: FileHandle,
    private readonly _size: number,
    start: number,
    /** Size of the first read; each later one doubles, up to `_maxRead`. */
    private _readSize = READ_BYTES,
    private readonly _maxRead = READ_BYTES,
  ) {
    this._pendingAt = start
    this._readAt = start
  }

  get atEnd(): boolean {
    return this._pending.length === 0 && this._readAt >= this._size
  }

  /** Starts a segment at the current position; it ends at the first allowed cut. */
  startSegment(): void {
    this.segmentEnd = -1
  }

  /**
   * The next bytes of the current segment, or null when it has ended (see `segmentEnd`).
   * A cut is the position right after a marker, at or past `minEnd` and not excluded.
   */
  async nextSlice(minEnd: number, excluded: ReadonlySet<number>): Promise<Buffer | null> {
    if (this.segmentEnd >= 0) return null
    if (this._pending.length === 0) {
      if (this._readAt >= this._size) {
        this.segmentEnd = this._readAt
        return null
      }
      const chunk = Buffer.allocUnsafe(Math.min(this._readSize, this._size - this._readAt))
      this._readSize = Math.min(this._maxRead, this._readSize * 2)
      const read = await readFully(this._fh, chunk, this._readAt)
      if (read === 0) {
        this.segmentEnd = this._readAt
        return null
      }
      this._pending = chunk.subarray(0, read)
      this._pendingAt = this._readAt
      this._readAt += read
    }
    const data = this._pending
    const at = this._pendingAt
    const cut = this._findCut(data, at, minEnd, excluded)
    if (cut < 0) {
      this._handOut(data)
      this._pending = EMPTY
      this._pendingAt = at + data.length
      return data
    }
    const local = cut - at
    const slice = data.subarray(0, local)
    this._handOut(slice)
    this._pending = data.subarray(local)
    this._pendingAt = cut
    this.segmentEnd = cut
    return slice
  }

  private _handOut(slice: Buffer): void {
    if (slice.length >= 3) this._last3 = slice.subarray(slice.length - 3)
    else this._last3 = Buffer.concat([this._last3, slice]).subarray(-3)
  }

  /** First allowed cut within `data` (file offset), or -1. */
  private _findCut(
    data: Buffer,
    at: number,
    minEnd: number,
    excluded: ReadonlySet<number>,
  ): number {
    if (minEnd === Number.POSITIVE_INFINITY) return -1
    // A marker that straddles the previous slice and this one.
    const carried = this._last3.length
    if (carried > 0) {
      const joined = Buffer.concat([this._last3, data.subarray(0, 3)])
      for (let i = 0; i + 4 <= joined.length; i++) {
        const end = i + 4
        if (end <= carried) continue
        if (joined.subarray(i, end).equals(SYNC_MARKER)) {
          const cut = at + end - carried
          if (cut >= minEnd && !excluded.has(cut)) return cut
        }
      }
    }
    let from = 0
    for (;;) {
      const i = data.indexOf(SYNC_MARKER, from)
      if (i < 0) return -1
      const cut = at + i + 4
      if (cut >= minEnd && !excluded.has(cut)) return cut
      from = i + 1
    }
  }
}

/** Writes the slices `next` gives into `inflater` (with backpressure), then ends it. */
export async function feed(
  inflater: InflateRaw,
  next: () => Promise<Buffer | null>,
): Promise<void> {
  try {
    for (;;) {
      const slice = await next()
      if (slice === null) break
      if (inflater.destroyed) return
      if (slice.length === 0) continue
      if (!inflater.write(slice)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            inflater.off('drain', done)
            inflater.off('close', done)
            resolve()
          }
          inflater.on('drain', done)
          inflater.on('close', done)
        })
      }
    }
    if (!inflater.destroyed) inflater.end()
  } catch (e) {
    inflater.destroy(e as Error)
    throw e
  }
}

/** The last `count` bytes of `chunks` (which hold `bytes` in all; count <= bytes). */
export function lastOf(chunks: readonly Buffer[], bytes: number, count: number): Buffer {
  const last = chunks[chunks.length - 1]!
  if (count <= last.length) return last.subarray(last.length - count)
  return Buffer.concat(chunks).subarray(bytes - count)
}

/** The last {@link WINDOW_BYTES} of `previous` followed by `chunks`. */
export function lastBytes(chunks: readonly Buffer[], bytes: number, previous: Buffer): Buffer {
  const joined =
    bytes >= WINDOW_BYTES ? Buffer.concat(chunks) : Buffer.concat([previous, ...chunks])
  return Buffer.from(joined.subarray(Math.max(0, joined.length - WINDOW_BYTES)))
}
