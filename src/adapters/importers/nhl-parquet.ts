/**
 * The NHL tick parquet recordings (Polymarket-Tickscope, see `test/fixtures/real/README.md`) as
 * venue market frames.
 *
 * Each row is one `price_change` leg or one trade, in the order the publisher's socket received
 * them (timestamps step backwards in places; that order is kept because it is what the socket
 * delivered). The frames are synthesised in the current venue shape:
 * - consecutive `PRICE_CHANGE` rows with the same timestamp become one `price_change` frame
 *   whose `price_changes[]` holds one entry per row (`BID` -> `BUY`, `ASK` -> `SELL`);
 * - a `LAST_TRADE` row becomes a `last_trade_price` frame; its `side` column is the taker's side
 *   (`BID` -> `BUY`, `ASK` -> `SELL`); `fee_rate_bps` is absent because the data lacks it.
 * Prices and sizes are written as exact decimal strings (the doubles must sit on the 0.0001 price
 * and 0.000001 share grids, or the row is rejected). A `best_bid` or `best_ask` of 0 or missing
 * is written as the venue's empty-side value: `"0"` for the bid, `"1"` for the ask. The data has
 * no order hashes, so `hash` is `""`, and no condition ids, so `market` is
 * {@link UNKNOWN_MARKET_ID}.
 */
import { parquetRead, type FileMetaData } from 'hyparquet'
import {
  formatPrice,
  formatSize,
  priceFromNumber,
  sizeFromNumber,
  type PriceTicks,
  type ShareMicros,
} from '../../domain/units.js'
import type { ImportFrame } from './clob-frames.js'
import { NHL_TICK_COLUMNS } from './detect.js'
import { ImportError } from './import-error.js'

type NhlColumnName = (typeof NHL_TICK_COLUMNS)[number]

/** Column values as read from the file, one array per column, all of the same length. */
export type NhlRawColumns = Readonly<Record<NhlColumnName, ArrayLike<unknown>>>

/** Row kinds in {@link NhlTickTable.kind}. */
export const ROW_PRICE_CHANGE = 0
export const ROW_LAST_TRADE = 1
/** Sides in {@link NhlTickTable.side}: the message side (`BID`/`BUY` or `ASK`/`SELL`). */
export const SIDE_BUY = 0
export const SIDE_SELL = 1

/** Validated rows, column-wise, in the file's (arrival) order. */
export type NhlTickTable = {
  readonly rows: number
  /** Exchange timestamp of the row's message, epoch ms. */
  readonly timestampMs: Float64Array
  /** {@link ROW_PRICE_CHANGE} or {@link ROW_LAST_TRADE}. */
  readonly kind: Uint8Array
  /** {@link SIDE_BUY} or {@link SIDE_SELL}. */
  readonly side: Uint8Array
  /** Price in ticks (0.0001). */
  readonly price: Uint16Array
  /** Size in share micros. */
  readonly size: Float64Array
  /** Best bid in ticks after the change; 0 when empty or missing (price_change rows only). */
  readonly bestBid: Uint16Array
  /** Best ask in ticks after the change; 0 when empty or missing (price_change rows only). */
  readonly bestAsk: Uint16Array
  /** Index into {@link assets}. */
  readonly asset: Uint32Array
  /** Token ids in order of first appearance. */
  readonly assets: readonly string[]
}

/**
 * The `market` written on synthesised frames: the all-zero condition id, which the venue never
 * issues, standing for "unknown". Not `""`, because the market-channel parser rejects an empty
 * market id and every frame would then be a parse error on replay.
 */
export const UNKNOWN_MARKET_ID = `0x${'0'.repeat(64)}`

const MAX_REPORTED_ROW_ERRORS = 5
const TOKEN_ID = /^[0-9]{1,100}$/

/** Reads and validates an NHL tick parquet file. Throws {@link ImportError}. */
export async function readNhlTicks(
  bytes: Uint8Array,
  metadata: FileMetaData,
  file: string,
): Promise<NhlTickTable> {
  const rows = Number(metadata.num_rows)
  const columns = new Map<string, unknown[]>()
  const filled = new Map<string, number>()
  for (const name of NHL_TICK_COLUMNS) {
    columns.set(name, new Array<unknown>(rows))
    filled.set(name, 0)
  }
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    await parquetRead({
      file: buffer as ArrayBuffer,
      metadata,
      columns: [...NHL_TICK_COLUMNS],
      // Timestamps as epoch ms numbers instead of Date objects.
      parsers: {
        timestampFromMilliseconds: (ms: bigint) => Number(ms),
        timestampFromMicroseconds: (us: bigint) => Number(us / 1000n),
        timestampFromNanoseconds: (ns: bigint) => Number(ns / 1_000_000n),
      },
      onChunk(chunk) {
        const target = columns.get(chunk.columnName)
        if (target === undefined) return
        const data = chunk.columnData
        const end = Math.min(chunk.rowEnd, rows)
        for (let row = chunk.rowStart, i = 0; row < end; row++, i++) target[row] = data[i]
        filled.set(chunk.columnName, (filled.get(chunk.columnName) ?? 0) + (end - chunk.rowStart))
      },
    })
  } catch (e) {
    throw new ImportError(
      file,
      `cannot read the parquet data (${(e as Error).message}); the file may be corrupt`,
      {
        cause: e,
      },
    )
  }
  for (const name of NHL_TICK_COLUMNS) {
    if (filled.get(name) !== rows) {
      throw new ImportError(
        file,
        `parquet column ${name} yielded ${filled.get(name)} values for ${rows} rows; the file may be corrupt`,
      )
    }
  }
  return convertNhlColumns(Object.fromEntries(columns) as unknown as NhlRawColumns, rows, file)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Date) return value.toISOString()
  return String(value)
}

function epochMsOf(value: unknown): number {
  let ms: number
  if (typeof value === 'number') ms = value
  else if (typeof value === 'bigint') ms = Number(value)
  else if (value instanceof Date) ms = value.getTime()
  else return -1
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : -1
}

/** Ticks of an exact 4-decimal price in [0, 1]; -1 when absent, off the grid or out of range. */
function exactPrice(value: unknown): number {
  if (typeof value !== 'number') return -1
  const ticks = priceFromNumber(value)
  if (ticks < 0 || Number(formatPrice(ticks as PriceTicks)) !== value) return -1
  return ticks
}

/** Micros of an exact 6-decimal size >= 0; -1 when absent, off the grid or out of range. */
function exactSize(value: unknown): number {
  if (typeof value !== 'number') return -1
  const micros = sizeFromNumber(value)
  if (micros < 0 || Number(formatSize(micros as ShareMicros)) !== value) return -1
  return micros
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))
}

/**
 * Validates raw column values row by row. Every bad row is counted; the first few are named with
 * their 0-based row index in the error, and any bad row fails the whole import.
 */
export function convertNhlColumns(
  columns: NhlRawColumns,
  rows: number,
  file: string,
): NhlTickTable {
  const timestampMs = new Float64Array(rows)
  const kind = new Uint8Array(rows)
  const side = new Uint8Array(rows)
  const price = new Uint16Array(rows)
  const size = new Float64Array(rows)
  const bestBid = new Uint16Array(rows)
  const bestAsk = new Uint16Array(rows)
  const asset = new Uint32Array(rows)
  const assets: string[] = []
  const assetIndex = new Map<string, number>()
  const problems: string[] = []
  let badRows = 0

  for (let row = 0; row < rows; row++) {
    const issues: string[] = []
    const ts = epochMsOf(columns.timestamp[row])
    if (ts < 0)
      issues.push(`timestamp ${describe(columns.timestamp[row])} is not a time in epoch ms`)
    const eventType = columns.event_type[row]
    if (eventType === 'PRICE_CHANGE') kind[row] = ROW_PRICE_CHANGE
    else if (eventType === 'LAST_TRADE') kind[row] = ROW_LAST_TRADE
    else issues.push(`event_type ${describe(eventType)} is not PRICE_CHANGE or LAST_TRADE`)
    const sideText = columns.side[row]
    if (sideText === 'BID') side[row] = SIDE_BUY
    else if (sideText === 'ASK') side[row] = SIDE_SELL
    else issues.push(`side ${describe(sideText)} is not BID or ASK`)
    const assetId = columns.asset_id[row]
    if (typeof assetId === 'string' && TOKEN_ID.test(assetId)) {
      let index = assetIndex.get(assetId)
      if (index === undefined) {
        index = assets.length
        assets.push(assetId)
        assetIndex.set(assetId, index)
      }
      asset[row] = index
    } else {
      issues.push(`asset_id ${describe(assetId)} is not a decimal token id`)
    }
    const p = exactPrice(columns.price[row])
    if (p < 0)
      issues.push(
        `price ${describe(columns.price[row])} is not a price in 0..1 with at most 4 decimals`,
      )
    else price[row] = p
    const q = exactSize(columns.size[row])
    if (q < 0)
      issues.push(`size ${describe(columns.size[row])} is not a size >= 0 with at most 6 decimals`)
    else size[row] = q
    if (eventType === 'PRICE_CHANGE') {
      for (const [name, target] of [
        ['best_bid', bestBid],
        ['best_ask', bestAsk],
      ] as const) {
        const value = columns[name][row]
        if (isMissing(value)) continue // stays 0: the empty-side convention
        const ticks = exactPrice(value)
        if (ticks < 0)
          issues.push(`${name} ${describe(value)} is not a price in 0..1 with at most 4 decimals`)
        else target[row] = ticks
      }
    }
    timestampMs[row] = ts
    if (issues.length > 0) {
      badRows++
      if (problems.length < MAX_REPORTED_ROW_ERRORS)
        problems.push(`row ${row}: ${issues.join(', ')}`)
    }
  }
  if (badRows > 0) {
    const more = badRows > problems.length ? `; ${badRows} bad rows in all` : ''
    throw new ImportError(
      file,
      `has ${badRows === 1 ? 'an invalid row' : 'invalid rows'} (row numbers count from 0): ${problems.join('; ')}${more}. ` +
        'Nothing was imported; fix or drop those rows first',
    )
  }
  return { rows, timestampMs, kind, side, price, size, bestBid, bestAsk, asset, assets }
}

/** What {@link synthesizeNhlFrames} produced. */
export type NhlFramesSummary = {
  readonly frames: number
  readonly priceChangeFrames: number
  readonly tradeFrames: number
  /** `price_change` entries written (one per PRICE_CHANGE row). */
  readonly legs: number
  readonly trades: number
  /** Earliest and latest row timestamp, epoch ms. */
  readonly firstTs: number
  readonly lastTs: number
  /** Places where a row's timestamp is earlier than the row before it (arrival order kept). */
  readonly backwardSteps: number
}

const SIDE_TEXT = ['BUY', 'SELL'] as const

/**
 * Yields the table as venue frames, in row order, and returns a summary. Local time is the
 * running maximum of the row timestamps, so it never decreases even where the rows step
 * backwards. A generator so that a writer can flush between frames and memory stays bounded.
 */
export function* nhlFrames(table: NhlTickTable): Generator<ImportFrame, NhlFramesSummary, void> {
  const assetJson = table.assets.map((id) => JSON.stringify(id))
  const priceText = new Map<number, string>()
  const priceOf = (ticks: number): string => {
    let text = priceText.get(ticks)
    if (text === undefined) {
      text = formatPrice(ticks as PriceTicks)
      priceText.set(ticks, text)
    }
    return text
  }
  let frames = 0
  let priceChangeFrames = 0
  let tradeFrames = 0
  let legs = 0
  let trades = 0
  let backwardSteps = 0
  let firstTs = Number.POSITIVE_INFINITY
  let lastTs = Number.NEGATIVE_INFINITY
  let running = Number.NEGATIVE_INFINITY
  const rows = table.rows
  let row = 0
  while (row < rows) {
    const ts = table.timestampMs[row] as number
    if (row > 0 && ts < (table.timestampMs[row - 1] as number)) backwardSteps++
    if (ts < firstTs) firstTs = ts
    if (ts > lastTs) lastTs = ts
    if (ts > running) running = ts
    const assetIndex = table.asset[row] as number
    const sideText = SIDE_TEXT[table.side[row] as number] as string
    if (table.kind[row] === ROW_LAST_TRADE) {
      const raw =
        `{"event_type":"last_trade_price","asset_id":${assetJson[assetIndex]},"market":"${UNKNOWN_MARKET_ID}",` +
        `"price":"${priceOf(table.price[row] as number)}","size":"${formatSize(table.size[row] as ShareMicros)}",` +
        `"side":"${sideText}","timestamp":"${ts}"}`
      yield { tLocal: running, raw }
      frames++
      tradeFrames++
      trades++
      row++
      continue
    }
    let entries = ''
    let end = row
    while (
      end < rows &&
      table.kind[end] === ROW_PRICE_CHANGE &&
      (end === row || table.timestampMs[end] === ts)
    ) {
      const bid = table.bestBid[end] as number
      const ask = table.bestAsk[end] as number
      entries +=
        `${end === row ? '' : ','}{"asset_id":${assetJson[table.asset[end] as number]},` +
        `"price":"${priceOf(table.price[end] as number)}","size":"${formatSize(table.size[end] as ShareMicros)}",` +
        `"side":"${SIDE_TEXT[table.side[end] as number]}","hash":"",` +
        `"best_bid":"${priceOf(bid)}","best_ask":"${ask === 0 ? '1' : priceOf(ask)}"}`
      end++
    }
    legs += end - row
    row = end
    const raw = `{"event_type":"price_change","market":"${UNKNOWN_MARKET_ID}","timestamp":"${ts}","price_changes":[${entries}]}`
    yield { tLocal: running, raw }
    frames++
    priceChangeFrames++
  }
  return {
    frames,
    priceChangeFrames,
    tradeFrames,
    legs,
    trades,
    firstTs: rows === 0 ? Number.NaN : firstTs,
    lastTs: rows === 0 ? Number.NaN : lastTs,
    backwardSteps,
  }
}

/** {@link nhlFrames} with a callback, for callers that do not need to pause. */
export function synthesizeNhlFrames(
  table: NhlTickTable,
  onFrame: (frame: ImportFrame) => void,
): NhlFramesSummary {
  const frames = nhlFrames(table)
  for (;;) {
    const step = frames.next()
    if (step.done === true) return step.value
    onFrame(step.value)
  }
}
