/**
 * Where a capture's playback index lives, what identifies the capture's files, and the
 * checks a loaded index must pass: its structure, and that it still describes the capture
 * and the options asked for.
 */
import { createHash } from 'node:crypto'
import { open, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { MARKET_STATE_LAYOUT } from '../../engine/playback/market-state.js'
import type { IndexContent, IndexedFile } from './capture-index-format.js'
import { CaptureIndexError } from './capture-index-errors.js'
import { CaptureFileError } from './capture-read-types.js'
import { listCaptureFiles } from './capture-reader.js'

/** Index file of a directory capture, inside the directory. */
export const DIRECTORY_INDEX_NAME = 'capture.idx'
export const INDEX_SUFFIX = '.idx'
const HEAD_HASH_BYTES = 64 * 1024

/** A capture and the place of its index. */
export type CaptureLocation = {
  readonly path: string
  readonly isDirectory: boolean
  /** The capture files, in the order replay lists them. */
  readonly files: readonly string[]
  readonly indexPath: string
}

/**
 * Finds a capture's files and its index path: `<file>.idx` beside a capture file, or
 * `capture.idx` inside a capture directory.
 * @throws CaptureFileError when the path does not exist or a directory holds no captures.
 */
export async function locateCapture(path: string, indexPath?: string): Promise<CaptureLocation> {
  let info
  try {
    info = await stat(path)
  } catch (e) {
    throw new CaptureFileError(path, `cannot read capture: ${(e as Error).message}`, { cause: e })
  }
  if (info.isDirectory()) {
    const files = await listCaptureFiles(path)
    if (files.length === 0) {
      throw new CaptureFileError(
        path,
        'directory holds no capture files (*.ndjson, *.ndjson.gz); name a capture file or a directory of them',
      )
    }
    return {
      path,
      isDirectory: true,
      files,
      indexPath: indexPath ?? join(path, DIRECTORY_INDEX_NAME),
    }
  }
  return {
    path,
    isDirectory: false,
    files: [path],
    indexPath: indexPath ?? `${path}${INDEX_SUFFIX}`,
  }
}

export type FileIdentity = Omit<IndexedFile, 'firstT'>

export async function identify(path: string): Promise<FileIdentity> {
  try {
    const info = await stat(path)
    const fh = await open(path, 'r')
    try {
      const head = Buffer.alloc(Math.min(info.size, HEAD_HASH_BYTES))
      let done = 0
      while (done < head.length) {
        const { bytesRead } = await fh.read(head, done, head.length - done, done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return {
        name: basename(path),
        size: info.size,
        mtimeMs: info.mtimeMs,
        headSha256: createHash('sha256').update(head.subarray(0, done)).digest('hex'),
        gzip: done >= 2 && head[0] === 0x1f && head[1] === 0x8b,
      }
    } finally {
      await fh.close()
    }
  } catch (e) {
    throw new CaptureFileError(path, `cannot read capture file: ${(e as Error).message}`, {
      cause: e,
    })
  }
}

export function checkStructure(content: IndexContent, files: number): void {
  const { header, checkpoints, positions, resume } = content
  const count = checkpoints.length / 3
  const fail = (why: string): never => {
    throw new CaptureIndexError('CAPTURE_INDEX_CORRUPT', why)
  }
  if (header.files.length !== files) return // reported as stale: another file list
  if (!Number.isInteger(count) || count < 1) fail('it holds no checkpoints')
  if (positions.length !== count * files) fail('its positions do not match its checkpoints')
  if (resume.length % 5 !== 0) fail('its resume table is damaged')
  if (checkpoints[0] !== Number.NEGATIVE_INFINITY) fail('its first checkpoint is not the start')
  for (let i = 1; i < count; i++) {
    if (!(checkpoints[i * 3]! >= checkpoints[(i - 1) * 3]!)) fail('its checkpoint times go back')
  }
  for (let r = 0; r < resume.length / 5; r++) {
    const file = resume[r * 5]!
    if (!Number.isInteger(file) || file < 0 || file >= files) fail('its resume table names no file')
    if (r > 0 && resume[(r - 1) * 5] === file && resume[(r - 1) * 5 + 2]! > resume[r * 5 + 2]!) {
      fail('its resume table is out of order')
    }
  }
}

export async function staleReason(
  content: IndexContent,
  location: CaptureLocation,
  options: { readonly intervalMs?: number; readonly maxFrames?: number },
): Promise<string | null> {
  const header = content.header
  if (header.stateLayout !== MARKET_STATE_LAYOUT) {
    return `market state layout ${header.stateLayout}, this build writes ${MARKET_STATE_LAYOUT}`
  }
  if (options.intervalMs !== undefined && options.intervalMs !== header.intervalMs) {
    return `checkpoint interval ${header.intervalMs} ms, ${options.intervalMs} ms asked for`
  }
  if (options.maxFrames !== undefined && options.maxFrames !== header.maxFrames) {
    return `checkpoint frame limit ${header.maxFrames}, ${options.maxFrames} asked for`
  }
  const names = location.files.map((f) => basename(f))
  const indexed = header.files.map((f) => f.name)
  if (names.join('\n') !== indexed.join('\n')) {
    return `the capture's files changed (indexed: ${indexed.join(', ')}; now: ${names.join(', ')})`
  }
  for (let i = 0; i < location.files.length; i++) {
    const now = await identify(location.files[i]!)
    const then = header.files[i]!
    if (now.size !== then.size) return `${now.name} changed size (${then.size} → ${now.size} bytes)`
    if (now.mtimeMs !== then.mtimeMs) return `${now.name} was modified since it was indexed`
    if (now.headSha256 !== then.headSha256) return `${now.name} starts differently`
  }
  return null
}
