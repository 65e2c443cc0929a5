/**
 * Where a capture reader gets its decompressed bytes: a plain file read ahead in 1 MiB chunks,
 * or a gzip file decompressed by zlib on a libuv worker thread while the reader decodes earlier
 * output.
 */
import type { FileHandle } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import type { Gunzip } from 'node:zlib'

const PLAIN_READ_BYTES = 1 << 20
export const GZIP_READ_BYTES = 1 << 18
/**
 * Decompressed output per zlib callback: 1 MiB (about 1,500 frame lines) rather than 256 KiB
 * means a quarter of the callbacks and fresh output buffers per frame (docs/BENCHMARKS.md).
 */
export const GUNZIP_CHUNK_BYTES = 1 << 20
/** Decompressed output allowed to wait for the decoder before the pump pauses. */
const QUEUE_LIMIT_BYTES = 4 << 20

export type ChunkSource = {
  /** The next chunk of decompressed bytes, or null at the end. */
  next(): Promise<Buffer | null>
  /** The decompression error that ended the stream early, if any. */
  readonly error: (Error & { code?: string }) | null
  close(): Promise<void>
}

export async function readChunk(
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

export class PlainSource implements ChunkSource {
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
export class GzipSource implements ChunkSource {
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
