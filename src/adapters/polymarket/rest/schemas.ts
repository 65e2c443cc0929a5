/**
 * Schemas for the CLOB's public REST bodies, with the venue's field names. They turn text
 * into domain units on the way in; `clob-rest.ts` alone maps them to domain shapes.
 * Real examples: test/fixtures/polymarket/rest/.
 */
import { z } from 'zod'
import {
  optionalField,
  bpsValue,
  epochMsValue,
  priceText,
  priceValue,
  sizeText,
  sizeValue,
  tickSizeValue,
  venueTime,
} from './codecs.js'

const levelSchema = z.object({ price: priceText, size: sizeText })

/** The server is written in Go: an empty side can arrive as `null` rather than `[]`. */
const levelsSchema = z
  .array(levelSchema)
  .nullable()
  .transform((levels) => levels ?? [])

/** `GET /book` and the items of `POST /books`. Pre-2025 books lack the last four fields. */
export const bookSchema = z.object({
  market: z.string().min(1, 'is empty'),
  asset_id: z.string().min(1, 'is empty'),
  timestamp: epochMsValue,
  hash: optionalField(z.string()),
  bids: levelsSchema,
  asks: levelsSchema,
  min_order_size: optionalField(sizeValue),
  tick_size: optionalField(tickSizeValue),
  neg_risk: optionalField(z.boolean()),
  last_trade_price: optionalField(priceValue),
})
export type PolymarketRestBook = z.output<typeof bookSchema>

export const booksSchema = z.array(z.unknown()).nullable()

/** `GET /tick-size`: `{"minimum_tick_size": 0.01}`. */
export const tickSizeSchema = z.object({ minimum_tick_size: tickSizeValue })

/** `GET /fee-rate`: `{"base_fee": 30}` in basis points (some clients saw `"150"`). */
export const feeRateSchema = z.object({ base_fee: bpsValue })

/** `GET /neg-risk`: `{"neg_risk": false}`. */
export const negRiskSchema = z.object({ neg_risk: z.boolean() })

const clobTokenSchema = z.object({
  token_id: z.string().min(1, 'is empty'),
  outcome: z.string(),
  price: optionalField(priceValue),
  winner: optionalField(z.boolean()),
})

/** `GET /markets/{condition_id}` and the items of `GET /markets`. */
export const clobMarketSchema = z.object({
  condition_id: z.string().min(1, 'is empty'),
  question_id: optionalField(z.string()),
  question: optionalField(z.string()),
  market_slug: optionalField(z.string()),
  tokens: z.array(clobTokenSchema),
  minimum_order_size: optionalField(sizeValue),
  minimum_tick_size: optionalField(tickSizeValue),
  neg_risk: optionalField(z.boolean()),
  active: optionalField(z.boolean()),
  closed: optionalField(z.boolean()),
  archived: optionalField(z.boolean()),
  accepting_orders: optionalField(z.boolean()),
  enable_order_book: optionalField(z.boolean()),
  game_start_time: optionalField(venueTime),
  end_date_iso: optionalField(venueTime),
  seconds_delay: optionalField(z.number().int().nonnegative()),
  maker_base_fee: optionalField(bpsValue),
  taker_base_fee: optionalField(bpsValue),
})
export type PolymarketClobMarket = z.output<typeof clobMarketSchema>

/** `GET /markets`: a cursor page. Items are decoded one by one. */
export const clobMarketsPageSchema = z.object({
  data: z.array(z.unknown()).nullable(),
  next_cursor: optionalField(z.string()),
})
