/**
 * Market model: ids stay strings exactly as the venue sends them (token ids are ~77 decimal
 * digits and must never go through `Number`), tick sizes are a closed set.
 */
import { ParseError } from './errors.js'
import { PRICE_SCALE, tryParsePrice, type Brand, type PriceTicks } from './units.js'

/** CLOB token id (one outcome's ERC-1155 position id), a decimal string. */
export type TokenId = Brand<string, 'TokenId'>
/** Condition id of a market, `0x` + 64 hex characters. */
export type MarketId = Brand<string, 'MarketId'>

export type Side = 'bid' | 'ask'
/** The taker's side of a trade, or the side of an order. */
export type TradeSide = 'buy' | 'sell'

/** Tick sizes the venue uses, in {@link PriceTicks}: 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001. */
export const TICK_SIZES = [1000, 100, 50, 25, 10, 1] as const
export type TickSize = (typeof TICK_SIZES)[number] & PriceTicks

/** The venue's string for each tick size. */
export const TICK_SIZE_TEXT: Readonly<Record<number, string>> = {
  1000: '0.1',
  100: '0.01',
  50: '0.005',
  25: '0.0025',
  10: '0.001',
  1: '0.0001',
}

export function isTickSize(value: number): value is TickSize {
  return (TICK_SIZES as readonly number[]).includes(value)
}

/** Parses a venue tick size ('0.001'); throws {@link ParseError} for any other value. */
export function parseTickSize(text: string): TickSize {
  const value = tryParsePrice(text)
  if (!isTickSize(value)) {
    throw new ParseError(
      `tick size "${text}" is not one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001`,
      text,
    )
  }
  return value
}

/** True when `price` is a multiple of `tick` strictly inside (0, 1). */
export function isOnTick(price: PriceTicks, tick: TickSize): boolean {
  return price > 0 && price < PRICE_SCALE && price % tick === 0
}

/**
 * The same price seen from the other outcome: a YES bid at p is a NO ask at 1 - p.
 * Exact on integer ticks.
 */
export function complementPrice(price: PriceTicks): PriceTicks {
  return (PRICE_SCALE - price) as PriceTicks
}

export function oppositeSide(side: Side): Side {
  return side === 'bid' ? 'ask' : 'bid'
}

export function asTokenId(text: string): TokenId {
  return text as TokenId
}

export function asMarketId(text: string): MarketId {
  return text as MarketId
}
