/**
 * Checks at the storage edge: records are validated before any write, rows after every read.
 * A bad record is refused whole (nothing written) with the field path in the message.
 */
import { z } from 'zod'
import { StoreError } from './errors.js'
import { SNAPSHOT_LEVELS } from './records.js'

const MAX_EPOCH_MS = 8_640_000_000_000_000

const id = z.string().min(1).max(200)
const label = z.string().min(1).max(200)
const optionalText = z.string().max(2_000).nullable()
const price = z.int().min(0).max(10_000)
const micros = z.int().min(0)
const epochMs = z.int().min(0).max(MAX_EPOCH_MS)
const level = z.tuple([price, micros])

export const marketRecordSchema = z.object({
  conditionId: id,
  slug: label,
  question: z.string().max(2_000),
  sport: label.nullable(),
  marketType: label,
  tickSize: z.int().min(1).max(10_000).nullable(),
  minOrderSize: micros.nullable(),
  negRisk: z.boolean(),
  gameStartTime: epochMs.nullable(),
  secondsDelay: z.int().min(0).nullable(),
  raw: z.unknown(),
})

export const tokenRecordSchema = z.object({
  tokenId: id,
  outcome: z.string().max(200),
  outcomeIndex: z.int().min(0).max(100),
})

export const bookSnapshotRecordSchema = z.object({
  tokenId: id,
  tsVenue: epochMs.nullable(),
  tsLocal: epochMs,
  bestBid: price.nullable(),
  bestAsk: price.nullable(),
  mid: z.number().min(0).max(10_000).nullable(),
  spread: price.nullable(),
  depth5BidShares: micros,
  depth5AskShares: micros,
  depth5BidUsdc: micros,
  depth5AskUsdc: micros,
  imbalance: z.number().min(-1).max(1).nullable(),
  stale: z.boolean(),
  bids: z.array(level).max(SNAPSHOT_LEVELS),
  asks: z.array(level).max(SNAPSHOT_LEVELS),
})

export const tradeRecordSchema = z.object({
  tokenId: id,
  ts: epochMs,
  price,
  size: micros,
  takerSide: z.enum(['buy', 'sell']).nullable(),
  feeBps: z.int().min(0).max(10_000).nullable(),
  dedupeKey: z.string().min(1).max(500),
})

const ratio = z.number().finite().nullable()

export const signalReversionRecordSchema = z.object({
  reverted: z.boolean(),
  reversionMs: z.int().min(0).nullable(),
  retrace: z.number().finite(),
  mfe: z.number().finite().min(0),
  mae: z.number().finite().min(0),
  resolvedTs: epochMs,
})

export const signalRecordSchema = z.object({
  type: label,
  tokenId: id,
  market: id.nullable(),
  ts: epochMs,
  score: z.number().finite(),
  volumeRatio: ratio,
  spreadRatio: ratio,
  depthRatio: ratio,
  priceChange: ratio,
  refPrice: ratio,
  mirrorOf: z.int().min(1).nullable(),
  inputs: z.record(z.string(), z.unknown()),
  reversion: signalReversionRecordSchema.nullable().optional(),
})

export const gameEventRecordSchema = z
  .object({
    market: id.nullable(),
    assetId: id.nullable(),
    type: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case event type'),
    team: optionalText,
    player: optionalText,
    score: optionalText,
    mapNumber: z.int().min(0).max(100).nullable(),
    note: optionalText,
    ts: epochMs,
    tsVideo: z.int().min(0).nullable(),
    source: label,
  })
  .refine((e) => e.market !== null || e.assetId !== null, {
    message: 'market or assetId must be set',
    path: ['market'],
  })

const flag = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1)

export const marketRowSchema = z.object({
  condition_id: z.string(),
  slug: z.string(),
  question: z.string(),
  sport: z.string().nullable(),
  market_type: z.string(),
  tick_size: z.int().nullable(),
  min_order_size: z.int().nullable(),
  neg_risk: flag,
  game_start_ms: z.int().nullable(),
  seconds_delay: z.int().nullable(),
  raw_json: z.string(),
})

export const tokenRowSchema = z.object({
  token_id: z.string(),
  outcome: z.string(),
  outcome_index: z.int(),
})

export const gameEventRowSchema = z.object({
  id: z.coerce.number().int(),
  condition_id: z.string().nullable(),
  asset_id: z.string().nullable(),
  type: z.string(),
  team: z.string().nullable(),
  player: z.string().nullable(),
  score: z.string().nullable(),
  map_number: z.int().nullable(),
  note: z.string().nullable(),
  ts: z.coerce.number().int(),
  ts_video: z.coerce.number().int().nullable(),
  source: z.string(),
})

const real = z.coerce.number().nullable()

export const signalRowSchema = z.object({
  id: z.coerce.number().int(),
  type: z.string(),
  token_id: z.string(),
  market: z.string().nullable(),
  ts: z.coerce.number().int(),
  score: z.coerce.number(),
  inputs_json: z.string(),
  mirror_of: z.coerce.number().int().nullable(),
  volume_ratio: real,
  spread_ratio: real,
  depth_ratio: real,
  price_change: real,
  ref_price: real,
  reverted: z.union([z.literal(0), z.literal(1)]).nullable(),
  reversion_ms: z.coerce.number().int().nullable(),
  retrace: real,
  mfe: real,
  mae: real,
  resolved_ts: z.coerce.number().int().nullable(),
})

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map(
      (issue) => `${issue.path.length === 0 ? '(record)' : issue.path.join('.')}: ${issue.message}`,
    )
    .join('; ')
}

/** Validates one record to be written; `what` names it in the error (`trade 3`). */
export function checkRecord<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new StoreError(
    'STORE_BAD_RECORD',
    `${what} rejected, nothing was written: ${describeIssues(result.error)}`,
  )
}

/** Validates one row read back; `what` names the table and key. */
export function checkRow<T>(schema: z.ZodType<T, unknown>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new StoreError(
    'STORE_BAD_ROW',
    `${what} in the database does not have the expected shape: ${describeIssues(result.error)}; ` +
      'the schema may have been changed by hand',
  )
}
