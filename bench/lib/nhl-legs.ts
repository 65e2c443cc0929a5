/**
 * The real delta stream the book benchmark replays: every `PRICE_CHANGE` row (one price_change
 * leg) of the NHL tick recordings in `test/fixtures/real/clob-nhl-scf-g4-2026-06-07/`, in file
 * (arrival) order. A row's `size` is the new aggregate size at `price` (0 removes the level).
 *
 * The rows are kept twice, in each book's native units: the file's doubles (price in 0..1,
 * shares) for the float books, and integer ticks and share micros for ours. The doubles in the
 * file are exact 4- and 6-decimal values, checked here row by row.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parquetReadObjects } from 'hyparquet'
import { priceFromNumber, sizeFromNumber } from '../../src/domain/units.js'

const FIXTURE_DIR = new URL('../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/', import.meta.url)

/** The two consecutive NHL tick files, in time order. */
export const NHL_TICK_FILES: readonly string[] = [
  fileURLToPath(new URL('polymarket_ticks_20260607_0130.parquet', FIXTURE_DIR)),
  fileURLToPath(new URL('polymarket_ticks_20260607_0145.parquet', FIXTURE_DIR)),
]

/** One column per field, one entry per leg, in arrival order. */
export type LegStream = {
  readonly legs: number
  /** Token ids in order of first appearance. */
  readonly assets: readonly string[]
  /** Index into {@link assets}. */
  readonly asset: Uint8Array
  /** 1 for a bid leg (`BID`), 0 for an ask leg (`ASK`). */
  readonly isBid: Uint8Array
  /** Exchange timestamp of the leg's message, epoch ms. */
  readonly timestampMs: Float64Array
  /** The file's price double, 0..1. */
  readonly priceFloat: Float64Array
  /** The file's size double, shares. */
  readonly sizeFloat: Float64Array
  /** Price in ticks (0.0001). */
  readonly priceTicks: Uint16Array
  /** Size in share micros. */
  readonly sizeMicros: Float64Array
}

type TickRow = {
  timestamp: Date
  event_type: string
  asset_id: string
  side: string
  price: number
  size: number
}

function fail(file: string, row: number, message: string): never {
  throw new Error(`${file}: row ${row}: ${message}; the benchmark needs the unmodified fixture`)
}

/** Reads the price_change legs of the given tick files, in order. */
export async function loadNhlLegs(files: readonly string[] = NHL_TICK_FILES): Promise<LegStream> {
  const all: TickRow[] = []
  for (const file of files) {
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch (e) {
      throw new Error(`cannot read the NHL tick fixture ${file}: ${(e as Error).message}`, {
        cause: e,
      })
    }
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const rows = (await parquetReadObjects({
      file: buffer as ArrayBuffer,
      columns: ['timestamp', 'event_type', 'asset_id', 'side', 'price', 'size'],
    })) as unknown as TickRow[]
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      if (row.event_type === 'PRICE_CHANGE') all.push(row)
      else if (row.event_type !== 'LAST_TRADE')
        fail(file, i, `unknown event_type ${row.event_type}`)
    }
  }
  const legs = all.length
  const assets: string[] = []
  const assetIndex = new Map<string, number>()
  const asset = new Uint8Array(legs)
  const isBid = new Uint8Array(legs)
  const timestampMs = new Float64Array(legs)
  const priceFloat = new Float64Array(legs)
  const sizeFloat = new Float64Array(legs)
  const priceTicks = new Uint16Array(legs)
  const sizeMicros = new Float64Array(legs)
  for (let i = 0; i < legs; i++) {
    const row = all[i]!
    let index = assetIndex.get(row.asset_id)
    if (index === undefined) {
      index = assets.length
      if (index > 255) fail('input', i, 'more than 256 assets')
      assets.push(row.asset_id)
      assetIndex.set(row.asset_id, index)
    }
    asset[i] = index
    if (row.side === 'BID') isBid[i] = 1
    else if (row.side !== 'ASK') fail('input', i, `side ${row.side} is not BID or ASK`)
    timestampMs[i] = row.timestamp.getTime()
    const ticks = priceFromNumber(row.price)
    const micros = sizeFromNumber(row.size)
    // The float books must see exactly the values our integers stand for.
    if (ticks < 0 || ticks / 10_000 !== row.price)
      fail('input', i, `price ${row.price} is off the 0.0001 grid`)
    if (micros < 0 || micros / 1_000_000 !== row.size)
      fail('input', i, `size ${row.size} is off the 1e-6 grid`)
    priceFloat[i] = row.price
    sizeFloat[i] = row.size
    priceTicks[i] = ticks
    sizeMicros[i] = micros
  }
  return { legs, assets, asset, isBid, timestampMs, priceFloat, sizeFloat, priceTicks, sizeMicros }
}
