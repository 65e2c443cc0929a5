/**
 * Exact units. Prices, sizes and money are integers with a brand so that the book never
 * accumulates float drift and a size can never be passed where a price is expected.
 *
 * - {@link PriceTicks}: 0.0001 USDC per share, the finest tick the venue uses (0..10_000).
 * - {@link ShareMicros}: millionths of a share; conditional tokens carry 6 decimals.
 * - {@link UsdcMicros}: millionths of a USDC (pUSD also has 6 decimals).
 * - {@link EpochMs}: milliseconds since the Unix epoch.
 */
import { ParseError } from './errors.js'

declare const unit: unique symbol
export type Brand<T, U extends string> = T & { readonly [unit]: U }

/** Price in 0.0001 USDC per share; 0..10_000 (0.0 to 1.0). */
export type PriceTicks = Brand<number, 'PriceTicks'>
/** Shares in millionths. */
export type ShareMicros = Brand<number, 'ShareMicros'>
/** USDC in millionths. */
export type UsdcMicros = Brand<number, 'UsdcMicros'>
/** Milliseconds since the Unix epoch. */
export type EpochMs = Brand<number, 'EpochMs'>

/** Number of {@link PriceTicks} in one USDC (price 1.0). */
export const PRICE_SCALE = 10_000
/** The highest representable price, 1.0. */
export const MAX_PRICE = PRICE_SCALE as PriceTicks
export const PRICE_DECIMALS = 4
/** Number of {@link ShareMicros} in one share. */
export const SHARE_SCALE = 1_000_000
export const SHARE_DECIMALS = 6
export const USDC_SCALE = 1_000_000

const CHAR_0 = 48
const CHAR_9 = 57
const CHAR_DOT = 46

/**
 * Parses a non-negative decimal string with at most `decimals` fractional digits into an
 * integer scaled by 10^decimals. Returns -1 when the text is not such a number. Hand-written
 * because it runs for every level of every frame.
 */
function parseScaled(text: string, decimals: number, scale: number): number {
  const length = text.length
  if (length === 0) return -1
  let whole = 0
  let i = 0
  let digits = 0
  for (; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === CHAR_DOT) break
    if (c < CHAR_0 || c > CHAR_9) return -1
    whole = whole * 10 + (c - CHAR_0)
    digits++
  }
  let fraction = 0
  let fractionDigits = 0
  if (i < length) {
    i++ // the dot
    for (; i < length; i++) {
      const c = text.charCodeAt(i)
      if (c < CHAR_0 || c > CHAR_9) return -1
      fractionDigits++
      if (fractionDigits > decimals) {
        // Trailing zeros beyond the precision are harmless ("0.5000000"); anything else is not.
        if (c !== CHAR_0) return -1
        continue
      }
      fraction = fraction * 10 + (c - CHAR_0)
    }
    if (fractionDigits === 0 && digits === 0) return -1
  } else if (digits === 0) {
    return -1
  }
  for (let k = Math.min(fractionDigits, decimals); k < decimals; k++) fraction *= 10
  const value = whole * scale + fraction
  return Number.isSafeInteger(value) ? value : -1
}

/** Parses a venue price string ('0.535') into ticks (5350). Throws {@link ParseError}. */
export function parsePrice(text: string): PriceTicks {
  const value = parseScaled(text, PRICE_DECIMALS, PRICE_SCALE)
  if (value < 0 || value > PRICE_SCALE) {
    throw new ParseError(
      `price "${text}" is not a decimal between 0 and 1 with at most 4 places`,
      text,
    )
  }
  return value as PriceTicks
}

/** Like {@link parsePrice} but returns -1 instead of throwing, for hot parsers. */
export function tryParsePrice(text: string): number {
  const value = parseScaled(text, PRICE_DECIMALS, PRICE_SCALE)
  return value > PRICE_SCALE ? -1 : value
}

/** Parses a venue size string ('35.106382') into share micros. Throws {@link ParseError}. */
export function parseSize(text: string): ShareMicros {
  const value = parseScaled(text, SHARE_DECIMALS, SHARE_SCALE)
  if (value < 0) {
    throw new ParseError(`size "${text}" is not a non-negative decimal with at most 6 places`, text)
  }
  return value as ShareMicros
}

/** Like {@link parseSize} but returns -1 instead of throwing, for hot parsers. */
export function tryParseSize(text: string): number {
  return parseScaled(text, SHARE_DECIMALS, SHARE_SCALE)
}

/** Formats an integer scaled by 10^decimals as the shortest exact decimal string. */
function formatScaled(value: number, decimals: number, scale: number): string {
  const negative = value < 0
  const abs = Math.abs(value)
  const whole = Math.floor(abs / scale)
  const fraction = abs - whole * scale
  let text = String(whole)
  if (fraction !== 0) {
    let digits = String(fraction).padStart(decimals, '0')
    let end = digits.length
    while (end > 0 && digits.charCodeAt(end - 1) === CHAR_0) end--
    digits = digits.slice(0, end)
    text = `${text}.${digits}`
  }
  return negative ? `-${text}` : text
}

/** 5350 -> '0.535'. Inverse of {@link parsePrice}. */
export function formatPrice(price: PriceTicks): string {
  return formatScaled(price, PRICE_DECIMALS, PRICE_SCALE)
}

/** 35106382 -> '35.106382'. Inverse of {@link parseSize}. */
export function formatSize(size: ShareMicros): string {
  return formatScaled(size, SHARE_DECIMALS, SHARE_SCALE)
}

/** 1500000 -> '1.5'. */
export function formatUsdc(amount: UsdcMicros): string {
  return formatScaled(amount, SHARE_DECIMALS, USDC_SCALE)
}

/** Price as a float in [0, 1], for research metrics and display only. */
export function priceToNumber(price: PriceTicks): number {
  return price / PRICE_SCALE
}

/** Shares as a float, for research metrics and display only. */
export function sizeToNumber(size: ShareMicros): number {
  return size / SHARE_SCALE
}

/** USDC as a float, for research metrics and display only. */
export function usdcToNumber(amount: UsdcMicros): number {
  return amount / USDC_SCALE
}

/**
 * Converts a float price (from a research file, e.g. parquet doubles) to ticks, rounding to
 * the nearest tick. Returns -1 outside [0, 1] or for non-finite input.
 */
export function priceFromNumber(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) return -1
  return Math.round(value * PRICE_SCALE)
}

/** Converts a float share count to micros, rounding to the nearest micro; -1 when invalid. */
export function sizeFromNumber(value: number): number {
  if (!Number.isFinite(value) || value < 0) return -1
  const micros = Math.round(value * SHARE_SCALE)
  return Number.isSafeInteger(micros) ? micros : -1
}

const TEN_THOUSAND = 10_000n

/**
 * Notional value of `size` shares at `price`: price × size, in USDC micros. Rounding is always
 * named: 'up' for cost we pay, 'down' for proceeds we receive.
 */
export function notional(price: PriceTicks, size: ShareMicros, round: 'up' | 'down'): UsdcMicros {
  // ticks (1e-4) × micros (1e-6 shares) = 1e-10 USDC; divide by 1e4 for USDC micros.
  const product = price * size
  if (Number.isSafeInteger(product)) {
    const quotient = Math.floor(product / PRICE_SCALE)
    const exact = quotient * PRICE_SCALE === product
    return (round === 'up' && !exact ? quotient + 1 : quotient) as UsdcMicros
  }
  const big = BigInt(price) * BigInt(size)
  let quotient = big / TEN_THOUSAND
  if (round === 'up' && quotient * TEN_THOUSAND !== big) quotient += 1n
  return Number(quotient) as UsdcMicros
}

/** Parses a venue timestamp string in epoch milliseconds ('1790658661234'). */
export function parseEpochMs(text: string): EpochMs {
  const value = parseScaled(text, 0, 1)
  if (value < 0) throw new ParseError(`timestamp "${text}" is not epoch milliseconds`, text)
  return value as EpochMs
}
