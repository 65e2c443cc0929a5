/**
 * The playback index file (`<capture>.idx`, docs/PLAYBACK.md): a versioned binary file with a
 * JSON header and packed sections, ending in a CRC-32 of everything before it.
 *
 * ```
 * "TMCIDX\r\n"  u32 format version  u32 header length  header JSON  sections…  u32 CRC-32
 * ```
 * All numbers are little-endian. The header names the capture's files with their size,
 * modification time and a SHA-256 of their first 64 KiB (a changed capture makes the index
 * stale), the build options, the string table, a summary, and each section's byte range:
 *
 * | section | content |
 * |---|---|
 * | `checkpoints` | f64 × 3 per checkpoint: clock, state offset, state length (in `states`) |
 * | `positions` | f64 per checkpoint per file: line offset, -1 not reached, -2 read to the end |
 * | `resume` | f64 × 5 per resume point: file, compressed offset, decompressed offset, window offset, window length (in `windows`) |
 * | `windows` | raw-deflated 32 KiB windows |
 * | `states` | raw-deflated market states (`src/engine/playback/market-state.ts`) |
 * | `trades` | raw-deflated trade log (f64 × 6 per trade) |
 */
import { endianness } from 'node:os'
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib'
import { CaptureIndexError } from './capture-index-gzip.js'

export const INDEX_FORMAT = 'tiltmeter-capture-index'
/** Raised whenever the layout or the meaning of a section changes. */
export const INDEX_VERSION = 1
const MAGIC = Buffer.from('TMCIDX\r\n', 'latin1')
const PREFIX_BYTES = MAGIC.length + 8
const CRC_BYTES = 4

export const SECTION_NAMES = [
  'checkpoints',
  'positions',
  'resume',
  'windows',
  'states',
  'trades',
] as const
export type SectionName = (typeof SECTION_NAMES)[number]

/** What identifies one capture file's content, to tell a stale index. */
export type IndexedFile = {
  /** File name (the index lives beside the capture, so names are enough). */
  readonly name: string
  readonly size: number
  readonly mtimeMs: number
  /** SHA-256 of the first 64 KiB, hex. */
  readonly headSha256: string
  readonly gzip: boolean
  /** Receive time of the first record; null when the file has none. */
  readonly firstT: number | null
}

export type IndexSummary = {
  readonly frames: number
  readonly markers: number
  readonly trades: number
  readonly checkpoints: number
  readonly resumePoints: number
  readonly firstClock: number | null
  readonly lastClock: number | null
  readonly warnings: number
  readonly buildMs: number
}

export type IndexHeader = {
  readonly format: typeof INDEX_FORMAT
  readonly version: number
  /** Layout of the market states (MARKET_STATE_LAYOUT) and the engine build they come from. */
  readonly stateLayout: number
  readonly createdAt: number
  readonly intervalMs: number
  readonly maxFrames: number
  readonly files: readonly IndexedFile[]
  readonly strings: readonly string[]
  readonly summary: IndexSummary
  readonly sections: Readonly<Record<SectionName, readonly [number, number]>>
}

/** The decoded content of an index file; byte sections stay compressed until used. */
export type IndexContent = {
  readonly header: Omit<IndexHeader, 'sections'>
  /** 3 per checkpoint: clock, state offset, state length. */
  readonly checkpoints: Float64Array
  /** One per checkpoint per file. */
  readonly positions: Float64Array
  /** 5 per resume point. */
  readonly resume: Float64Array
  readonly windows: Buffer
  readonly states: Buffer
  /** The packed trade log (6 per trade), decompressed. */
  readonly trades: Float64Array
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') {
    throw new CaptureIndexError(
      'CAPTURE_INDEX_UNSUPPORTED',
      'playback indexes are written on little-endian machines only',
    )
  }
}

function f64Bytes(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength)
}

function bytesF64(bytes: Buffer, what: string): Float64Array {
  if (bytes.length % 8 !== 0) throw corrupt(`section ${what} is not a whole number of f64`)
  const out = new Float64Array(bytes.length / 8)
  new Uint8Array(out.buffer).set(bytes)
  return out
}

function corrupt(why: string, cause?: unknown): CaptureIndexError {
  return new CaptureIndexError(
    'CAPTURE_INDEX_CORRUPT',
    why,
    cause === undefined ? undefined : { cause },
  )
}

/** Raw-deflates `bytes` for a byte section. */
export function pack(bytes: Uint8Array): Buffer {
  return deflateRawSync(bytes, { level: 6 })
}

/** Inflates a packed item of a byte section. */
export function unpack(section: Buffer, offset: number, length: number, what: string): Buffer {
  if (!(offset >= 0 && length >= 0 && offset + length <= section.length)) {
    throw corrupt(`${what} lies outside its section`)
  }
  try {
    return inflateRawSync(section.subarray(offset, offset + length))
  } catch (e) {
    throw corrupt(`${what} does not decompress (${(e as Error).message})`, e)
  }
}

/** Inflates a packed item holding f64 numbers. */
export function unpackF64(
  section: Buffer,
  offset: number,
  length: number,
  what: string,
): Float64Array {
  return bytesF64(unpack(section, offset, length, what), what)
}

/** Packs f64 numbers for a byte section. */
export function packF64(values: Float64Array): Buffer {
  assertLittleEndian()
  return pack(f64Bytes(values))
}

/** Serialises an index. */
export function encodeIndex(content: IndexContent): Buffer {
  assertLittleEndian()
  const bodies: Record<SectionName, Buffer> = {
    checkpoints: f64Bytes(content.checkpoints),
    positions: f64Bytes(content.positions),
    resume: f64Bytes(content.resume),
    windows: content.windows,
    states: content.states,
    trades: pack(f64Bytes(content.trades)),
  }
  const sections = {} as Record<SectionName, readonly [number, number]>
  let offset = 0
  for (const name of SECTION_NAMES) {
    sections[name] = [offset, bodies[name].length]
    offset += bodies[name].length
  }
  const header: IndexHeader = { ...content.header, sections }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const prefix = Buffer.alloc(PREFIX_BYTES)
  MAGIC.copy(prefix, 0)
  prefix.writeUInt32LE(INDEX_VERSION, MAGIC.length)
  prefix.writeUInt32LE(json.length, MAGIC.length + 4)
  const body = Buffer.concat([prefix, json, ...SECTION_NAMES.map((name) => bodies[name])])
  const crc = Buffer.alloc(CRC_BYTES)
  crc.writeUInt32LE(crc32(body) >>> 0, 0)
  return Buffer.concat([body, crc])
}

/**
 * Reads an index file's bytes.
 * @throws CaptureIndexError `CAPTURE_INDEX_CORRUPT` when the bytes are not a whole, undamaged
 *   index; `CAPTURE_INDEX_STALE` when it is an index of another format version.
 */
export function decodeIndex(bytes: Buffer): IndexContent {
  assertLittleEndian()
  if (bytes.length < PREFIX_BYTES + CRC_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt('not a playback index file (wrong magic bytes or too short)')
  }
  const version = bytes.readUInt32LE(MAGIC.length)
  if (version !== INDEX_VERSION) {
    throw new CaptureIndexError(
      'CAPTURE_INDEX_STALE',
      `index format version ${version}, this build reads version ${INDEX_VERSION}`,
    )
  }
  const stored = bytes.readUInt32LE(bytes.length - CRC_BYTES)
  if (crc32(bytes.subarray(0, bytes.length - CRC_BYTES)) >>> 0 !== stored) {
    throw corrupt('checksum mismatch (the file is damaged or was cut short)')
  }
  const jsonLength = bytes.readUInt32LE(MAGIC.length + 4)
  const bodyStart = PREFIX_BYTES + jsonLength
  const bodyEnd = bytes.length - CRC_BYTES
  if (bodyStart > bodyEnd) throw corrupt('header runs past the end of the file')
  let header: IndexHeader
  try {
    header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, bodyStart)) as IndexHeader
  } catch (e) {
    throw corrupt(`header is not JSON (${(e as Error).message})`, e)
  }
  checkHeader(header)
  const section = (name: SectionName): Buffer => {
    const range = header.sections[name]
    const start = bodyStart + range[0]
    const end = start + range[1]
    if (!(range[0] >= 0 && range[1] >= 0 && end <= bodyEnd)) {
      throw corrupt(`section ${name} lies outside the file`)
    }
    return bytes.subarray(start, end)
  }
  const { sections: _sections, ...rest } = header
  const tradesPacked = section('trades')
  return {
    header: rest,
    checkpoints: bytesF64(section('checkpoints'), 'checkpoints'),
    positions: bytesF64(section('positions'), 'positions'),
    resume: bytesF64(section('resume'), 'resume'),
    windows: section('windows'),
    states: section('states'),
    trades: bytesF64(unpack(tradesPacked, 0, tradesPacked.length, 'trade log'), 'trades'),
  }
}

function checkHeader(header: IndexHeader): void {
  const ok =
    typeof header === 'object' &&
    header !== null &&
    header.format === INDEX_FORMAT &&
    Array.isArray(header.files) &&
    Array.isArray(header.strings) &&
    typeof header.intervalMs === 'number' &&
    typeof header.maxFrames === 'number' &&
    typeof header.stateLayout === 'number' &&
    typeof header.summary === 'object' &&
    typeof header.sections === 'object' &&
    header.sections !== null &&
    SECTION_NAMES.every((name) => {
      const range: unknown = header.sections[name]
      return Array.isArray(range) && range.length === 2 && range.every(Number.isSafeInteger)
    })
  if (!ok) throw corrupt('header does not describe a playback index')
}
