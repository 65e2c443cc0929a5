/**
 * The captures in the dashboard's capture directories, as files on disk: which entries are
 * recordings (a capture file, or a directory of rotated capture files played as one), their
 * sizes and identity (a fingerprint that changes whenever a file grows or is rewritten), the
 * header of their first file, and a parser wrapper that counts what it parses so indexing and
 * scanning can report progress.
 */
import { createReadStream } from 'node:fs'
import { open, readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { createGunzip } from 'node:zlib'
import { decodeCaptureLine, type CaptureHeader } from '../../adapters/capture/capture-format.js'
import { listCaptureFiles } from '../../adapters/capture/capture-reader.js'
import type { FrameParser } from '../../engine/market-data.js'

/** One recording found in a capture directory. */
export type CaptureEntry = {
  /** Its file or directory name: the capture's name in the API. */
  readonly name: string
  readonly dir: string
  readonly path: string
  readonly kind: 'file' | 'directory'
  /** The capture files, in replay order. */
  readonly files: readonly string[]
  readonly sizeBytes: number
  readonly modifiedMs: number
  /** Changes whenever a file is added, removed, grown or rewritten. */
  readonly fingerprint: string
}

export type ListedDir = { readonly path: string; readonly error: string | null }

const CAPTURE_FILE = /\.ndjson(\.gz)?$/
/** A header line longer than this is not a header. */
const MAX_HEADER_BYTES = 1024 * 1024

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Every capture in `dirs`, in directory order then name order; a name already taken by an
 * earlier directory is skipped (the first one wins). A missing or unreadable directory is
 * reported in `dirs`, not thrown.
 */
export async function findCaptures(
  dirs: readonly string[],
): Promise<{ entries: CaptureEntry[]; dirs: ListedDir[] }> {
  const entries: CaptureEntry[] = []
  const listed: ListedDir[] = []
  const names = new Set<string>()
  for (const dir of dirs) {
    let items
    try {
      items = await readdir(dir, { withFileTypes: true })
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      listed.push({
        path: dir,
        error:
          code === 'ENOENT'
            ? 'directory does not exist (yet): nothing recorded there'
            : `cannot list it: ${messageOf(e)}`,
      })
      continue
    }
    listed.push({ path: dir, error: null })
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const item of items) {
      if (names.has(item.name)) continue
      const path = join(dir, item.name)
      let files: string[]
      let kind: CaptureEntry['kind']
      if (item.isFile() && CAPTURE_FILE.test(item.name)) {
        files = [path]
        kind = 'file'
      } else if (item.isDirectory()) {
        try {
          files = await listCaptureFiles(path)
        } catch {
          // An unreadable subdirectory is not a recording we can offer; it is simply not listed.
          continue
        }
        if (files.length === 0) continue
        kind = 'directory'
      } else {
        continue
      }
      const entry = await describeFiles(item.name, dir, path, kind, files)
      if (entry === null) continue
      names.add(item.name)
      entries.push(entry)
    }
  }
  return { entries, dirs: listed }
}

async function describeFiles(
  name: string,
  dir: string,
  path: string,
  kind: CaptureEntry['kind'],
  files: readonly string[],
): Promise<CaptureEntry | null> {
  let sizeBytes = 0
  let modifiedMs = 0
  const parts: string[] = []
  for (const file of files) {
    let info
    try {
      info = await stat(file)
    } catch {
      // Removed between the listing and now: the capture is listed again next time.
      return null
    }
    sizeBytes += info.size
    modifiedMs = Math.max(modifiedMs, Math.round(info.mtimeMs))
    parts.push(`${basename(file)}:${info.size}:${info.mtimeMs}`)
  }
  return { name, dir, path, kind, files, sizeBytes, modifiedMs, fingerprint: parts.join('|') }
}

/**
 * The header line of a capture file (gzip or plain).
 * @throws Error naming the file when it cannot be read or does not start with a header.
 */
export async function readCaptureHeader(file: string): Promise<CaptureHeader> {
  const head = await firstLine(file)
  let record
  try {
    record = decodeCaptureLine(head)
  } catch (e) {
    throw new Error(`${file}: not a capture file (${messageOf(e)})`, { cause: e })
  }
  if (record.kind !== 'header') {
    throw new Error(`${file}: not a capture file (its first line is not a header)`)
  }
  return record
}

async function firstLine(file: string): Promise<string> {
  const magic = Buffer.alloc(2)
  const handle = await open(file, 'r')
  try {
    await handle.read(magic, 0, 2, 0)
  } finally {
    await handle.close()
  }
  const raw = createReadStream(file)
  const stream = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw
  const chunks: Buffer[] = []
  let length = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const newline = chunk.indexOf(0x0a)
      if (newline >= 0) {
        chunks.push(chunk.subarray(0, newline))
        return Buffer.concat(chunks).toString('utf8')
      }
      chunks.push(chunk)
      length += chunk.length
      if (length > MAX_HEADER_BYTES) break
    }
  } catch (e) {
    throw new Error(`${file}: cannot read its first line (${messageOf(e)})`, { cause: e })
  } finally {
    raw.destroy()
    if (stream !== raw) stream.destroy()
  }
  if (length === 0) throw new Error(`${file}: the file is empty; it is not a capture yet`)
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Roughly how many bytes of text the capture holds: a plain file's size, a gzip file's size
 * as its trailer states (mod 4 GiB), or five times the compressed size when the trailer is not
 * believable (a file cut short).
 */
export async function estimateTextBytes(files: readonly string[]): Promise<number> {
  let total = 0
  for (const file of files) {
    const handle = await open(file, 'r')
    try {
      const { size } = await handle.stat()
      const head = Buffer.alloc(2)
      await handle.read(head, 0, 2, 0)
      if (!(head[0] === 0x1f && head[1] === 0x8b) || size < 8) {
        total += size
        continue
      }
      const tail = Buffer.alloc(4)
      await handle.read(tail, 0, 4, size - 4)
      const stated = tail.readUInt32LE(0)
      total += stated >= size && stated <= size * 50 ? stated : size * 5
    } finally {
      await handle.close()
    }
  }
  return total
}

/** Counts frames and frame bytes parsed through it; parses exactly as `inner` does. */
export class CountingParser implements FrameParser {
  frames = 0
  bytes = 0
  readonly scanBytes?: FrameParser['scanBytes']
  readonly parseBytes?: FrameParser['parseBytes']
  private _lastBytes: Uint8Array | null = null
  private _lastStart = -1

  constructor(
    private readonly _inner: FrameParser,
    private readonly _onFrame: () => void,
  ) {
    if (_inner.scanBytes !== undefined) {
      this.scanBytes = (bytes, start, end) => {
        this._count(bytes, start, end)
        return _inner.scanBytes!(bytes, start, end)
      }
    }
    if (_inner.parseBytes !== undefined) {
      this.parseBytes = (bytes, start, end) => {
        this._count(bytes, start, end)
        return _inner.parseBytes!(bytes, start, end)
      }
    }
  }

  parseText(text: string): ReturnType<FrameParser['parseText']> {
    this._counted(text.length)
    return this._inner.parseText(text)
  }

  parseValue(value: unknown, rawText: string): ReturnType<FrameParser['parseValue']> {
    this._counted(rawText.length)
    return this._inner.parseValue(value, rawText)
  }

  /** `scanBytes` that finds nothing is followed by `parseBytes` on the same frame. */
  private _count(bytes: Uint8Array, start: number, end: number): void {
    if (bytes === this._lastBytes && start === this._lastStart) return
    this._lastBytes = bytes
    this._lastStart = start
    this._counted(end - start)
  }

  private _counted(length: number): void {
    this.frames++
    this.bytes += length
    this._onFrame()
  }
}
