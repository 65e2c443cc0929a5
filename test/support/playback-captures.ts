/**
 * Small real captures for the dashboard's tests, written with the project's capture writer:
 * the backtest fixture's panic (one PANIC_SELL with the default signal parameters) and
 * pseudo-random venue frames of every kind playback meets.
 */
import { readFileSync } from 'node:fs'
import { mkdir, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { CaptureWriter, type CaptureClock } from '../../src/adapters/capture/capture-writer.js'

export const PANIC_MARKET = `0x${'ab'.repeat(32)}`
export const PANIC_TOKENS = ['1111', '2222'] as const
export const RANDOM_MARKET = `0x${'cd'.repeat(32)}`
export const RANDOM_TOKENS = ['5550001', '5550002', '5550003'] as const
const RANDOM_START = 1_790_000_000_000

export type Frame = { readonly tLocal: number; readonly raw: string }

/** The backtest fixture's frames, received 40 ms after their venue time. */
export function panicFrames(): Frame[] {
  const path = new URL('../fixtures/backtest/panic-small.ndjson', import.meta.url)
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((raw) => {
      const ts = Number((JSON.parse(raw) as { timestamp: string }).timestamp)
      return { tLocal: ts + 40, raw }
    })
}

function prng(seed: number): () => number {
  let x = seed >>> 0
  return () => {
    x = (x * 1_103_515_245 + 12_345) >>> 0
    return x / 4_294_967_296
  }
}

/**
 * `count` frames over three tokens: snapshots, price changes (venue tops usually right),
 * trades, a tick size change, PONGs; venue times that repeat, jump and now and then go back.
 */
export function randomFrames(seed: number, count: number): Frame[] {
  const random = prng(seed)
  const frames: Frame[] = []
  let venue = RANDOM_START
  const cents = (n: number): string => (n / 100).toFixed(2)
  type Levels = Map<number, number>
  const books = new Map<string, { bids: Levels; asks: Levels }>()
  for (let i = 0; i < count; i++) {
    const r = random()
    venue += r < 0.15 ? 0 : r < 0.95 ? Math.floor(random() * 300) : Math.floor(random() * 20_000)
    const ts = random() < 0.04 ? venue - Math.floor(random() * 3_000) : venue
    const token = RANDOM_TOKENS[Math.floor(random() * RANDOM_TOKENS.length)]!
    const book = books.get(token) ?? {
      bids: new Map<number, number>(),
      asks: new Map<number, number>(),
    }
    books.set(token, book)
    const kind = random()
    let raw: string
    if (kind < 0.08 || book.bids.size + book.asks.size === 0) {
      book.bids.clear()
      book.asks.clear()
      const mid = 30 + Math.floor(random() * 40)
      for (let k = 1; k <= 3; k++) {
        book.bids.set(mid - k, 100 * k)
        book.asks.set(mid + k, 100 * k)
      }
      const level = (p: number, s: number): string => `{"price":"${cents(p)}","size":"${s}"}`
      raw =
        `{"event_type":"book","asset_id":"${token}","market":"${RANDOM_MARKET}",` +
        `"bids":[${[...book.bids].map(([p, s]) => level(p, s)).join(',')}],` +
        `"asks":[${[...book.asks].map(([p, s]) => level(p, s)).join(',')}],` +
        `"timestamp":"${ts}","hash":"h${i}"}`
    } else if (kind < 0.75) {
      const side = random() < 0.5 ? 'BUY' : 'SELL'
      const levels = side === 'BUY' ? book.bids : book.asks
      const p = 5 + Math.floor(random() * 90)
      const size = random() < 0.3 ? 0 : 10 + Math.floor(random() * 500)
      if (size === 0) levels.delete(p)
      else levels.set(p, size)
      const bestBid = Math.max(-1, ...book.bids.keys())
      const bestAsk = Math.min(101, ...book.asks.keys())
      raw =
        `{"market":"${RANDOM_MARKET}","price_changes":[{"asset_id":"${token}","price":"${cents(p)}",` +
        `"size":"${size}","side":"${side}","hash":"x",` +
        `"best_bid":"${bestBid < 0 ? '0' : cents(bestBid)}","best_ask":"${bestAsk > 100 ? '0' : cents(bestAsk)}"}],` +
        `"timestamp":"${ts}","event_type":"price_change"}`
    } else if (kind < 0.93) {
      raw =
        `{"asset_id":"${token}","event_type":"last_trade_price","fee_rate_bps":"0",` +
        `"market":"${RANDOM_MARKET}","price":"${cents(10 + Math.floor(random() * 80))}",` +
        `"side":"${random() < 0.5 ? 'BUY' : 'SELL'}","size":"${1 + Math.floor(random() * 300)}",` +
        `"timestamp":"${ts}"}`
    } else if (kind < 0.94) {
      raw =
        `{"event_type":"tick_size_change","asset_id":"${token}","market":"${RANDOM_MARKET}",` +
        `"old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"${ts}"}`
    } else {
      raw = 'PONG'
    }
    frames.push({ tLocal: venue + 25, raw })
  }
  return frames
}

export type WriteOptions = {
  readonly gzip?: boolean
  /** Rotate after this many ms of receive time (several files). */
  readonly rotateMs?: number
  readonly source?: Readonly<Record<string, unknown>>
  /** Flush after this many frames (each flush is a gzip resume point). */
  readonly flushEvery?: number
}

/**
 * Writes `frames` as a capture into `dir` (created) and returns the files written. With a
 * `name`, the one file is renamed to it (a capture file), else the writer's names are kept.
 */
export async function writeCapture(
  dir: string,
  frames: readonly Frame[],
  options: WriteOptions = {},
  name?: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  let now = frames[0]?.tLocal ?? RANDOM_START
  let mono = 1_000_000
  const clock: CaptureClock = { nowMs: () => now, monoUs: () => mono }
  const writer = await CaptureWriter.open({
    dir,
    clock,
    gzip: options.gzip ?? true,
    flushMs: 3_600_000,
    startedBy: 'test',
    source: options.source ?? { venue: 'test' },
    ...(options.rotateMs === undefined ? {} : { rotateMs: options.rotateMs }),
  })
  let n = 0
  for (const frame of frames) {
    now = frame.tLocal
    mono += 1_000
    writer.writeFrame('c1', frame.raw, { tLocal: frame.tLocal, mono })
    if (options.flushEvery !== undefined && ++n % options.flushEvery === 0) await writer.flush()
  }
  await writer.close()
  const files = [...writer.files]
  if (name !== undefined && files.length === 1) {
    const target = join(dir, name)
    await rename(files[0]!, target)
    return [target]
  }
  return (await readdir(dir)).filter((f) => f.includes('.ndjson')).map((f) => join(dir, f))
}
