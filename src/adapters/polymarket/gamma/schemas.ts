/**
 * Schemas for Gamma (discovery API) bodies, with Gamma's field names, limited to the fields
 * tiltmeter reads; unknown fields are ignored. Gamma quirks handled here: arrays encoded as
 * JSON inside strings (`outcomes`, `outcomePrices`, `clobTokenIds`), numbers sent as strings
 * (`liquidity`), ids sent as strings or numbers, `null` for absent values, and the
 * `2026-04-05 15:10:00+00` time format. Real examples: test/fixtures/polymarket/gamma/.
 */
import { z } from 'zod'
import {
  decimalNumber,
  jsonStringArray,
  optionalField,
  priceValue,
  roundedPriceText,
  sizeValue,
  tickSizeValue,
  tokenIdText,
  usdValue,
  venueTime,
} from '../rest/codecs.js'

/** Ids come as strings (`"1878152"`) or numbers (`gameId: 1427074`); kept as strings. */
const idValue = z.union([z.string(), z.number()]).transform((value) => String(value))

/** A comma-separated list in a string (`"1,100639,64,100780"`), or a number for one id. */
const commaList = z.union([z.string(), z.number()]).transform((value) =>
  String(value)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== ''),
)

const feeScheduleSchema = z.object({
  rate: decimalNumber,
  exponent: decimalNumber,
  takerOnly: optionalField(z.boolean()),
  rebateRate: optionalField(decimalNumber),
})

const seriesRefSchema = z.object({ id: idValue, slug: optionalField(z.string()) })
const tagRefSchema = z.object({ id: idValue, slug: optionalField(z.string()) })

/** An event as embedded in a market (`events[]`) or listed by `/events` (then with markets). */
export const gammaEventSchema = z.object({
  id: idValue,
  slug: optionalField(z.string()),
  title: optionalField(z.string()),
  startTime: optionalField(venueTime),
  startDate: optionalField(venueTime),
  endDate: optionalField(venueTime),
  seriesSlug: optionalField(z.string()),
  series: optionalField(z.array(seriesRefSchema)),
  tags: optionalField(z.array(tagRefSchema)),
  gameId: optionalField(idValue),
  active: optionalField(z.boolean()),
  closed: optionalField(z.boolean()),
  live: optionalField(z.boolean()),
  ended: optionalField(z.boolean()),
  score: optionalField(z.string()),
  period: optionalField(z.string()),
  /** Decoded one by one (see `decodeItems`) so one bad market does not hide the event. */
  markets: optionalField(z.array(z.unknown())),
})
export type GammaEventBody = z.output<typeof gammaEventSchema>

/**
 * A market from `/markets` or inside an event from `/events`. It must name its CLOB tokens,
 * one per outcome, in the same order; anything else cannot be traded and is reported.
 */
export const gammaMarketSchema = z
  .object({
    id: idValue,
    conditionId: z.string().min(1, 'is empty'),
    questionID: optionalField(z.string()),
    slug: optionalField(z.string()),
    question: optionalField(z.string()),
    outcomes: optionalField(jsonStringArray),
    outcomePrices: optionalField(jsonStringArray.pipe(z.array(roundedPriceText))),
    clobTokenIds: optionalField(jsonStringArray.pipe(z.array(tokenIdText))),
    active: optionalField(z.boolean()),
    closed: optionalField(z.boolean()),
    archived: optionalField(z.boolean()),
    acceptingOrders: optionalField(z.boolean()),
    enableOrderBook: optionalField(z.boolean()),
    negRisk: optionalField(z.boolean()),
    orderPriceMinTickSize: optionalField(tickSizeValue),
    orderMinSize: optionalField(sizeValue),
    liquidity: optionalField(usdValue),
    liquidityNum: optionalField(usdValue),
    liquidityClob: optionalField(usdValue),
    volume24hr: optionalField(usdValue),
    volume24hrClob: optionalField(usdValue),
    bestBid: optionalField(priceValue),
    bestAsk: optionalField(priceValue),
    spread: optionalField(priceValue),
    lastTradePrice: optionalField(priceValue),
    gameStartTime: optionalField(venueTime),
    eventStartTime: optionalField(venueTime),
    startDate: optionalField(venueTime),
    endDate: optionalField(venueTime),
    secondsDelay: optionalField(z.number().int().nonnegative()),
    clearBookOnStart: optionalField(z.boolean()),
    sportsMarketType: optionalField(z.string()),
    groupItemTitle: optionalField(z.string()),
    line: optionalField(decimalNumber),
    gameId: optionalField(idValue),
    feesEnabled: optionalField(z.boolean()),
    feeSchedule: optionalField(feeScheduleSchema),
    events: optionalField(z.array(gammaEventSchema)),
  })
  .superRefine((market, ctx) => {
    const tokens = market.clobTokenIds ?? []
    if (tokens.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['clobTokenIds'],
        message: 'missing: the market lists no CLOB tokens (no order book)',
      })
      return
    }
    const counted = [
      ['outcomes', market.outcomes],
      ['outcomePrices', market.outcomePrices],
    ] as const
    for (const [field, list] of counted) {
      if (field === 'outcomes' && list == null) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'missing (expected outcome names)' })
      } else if (list != null && list.length !== tokens.length) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `has ${list.length} entries but clobTokenIds has ${tokens.length}`,
        })
      }
    }
  })
export type GammaMarketBody = z.output<typeof gammaMarketSchema>

/** A list endpoint's body: an array, decoded item by item. */
export const gammaListSchema = z.array(z.unknown())

/**
 * A `/sports` row: `{"id":37,"sport":"cs2","tags":"1,100639,64,100780","series":"10310",…}`.
 */
export const gammaSportSchema = z.object({
  id: idValue,
  sport: z.string().min(1, 'is empty'),
  tags: optionalField(commaList),
  series: optionalField(commaList),
  primaryTagId: optionalField(idValue),
})
export type GammaSportBody = z.output<typeof gammaSportSchema>
