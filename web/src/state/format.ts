/**
 * Display conversions for the terminal. The socket speaks integer units (price ticks of
 * 0.0001, share micros); the REST API decimal strings. Exact parsing and formatting come from
 * the domain's units module; this file only shapes text for a trader's eye.
 */
import {
  PRICE_SCALE,
  SHARE_SCALE,
  formatPrice,
  tryParsePrice,
  tryParseSize,
  type PriceTicks,
} from '../../../src/domain/units.js'

/** Decimal places a price needs at a market tick (in ticks): 100 → 2, 10 → 3, 1 → 4. */
export function tickDecimals(tickTicks: number): number {
  if (tickTicks >= 100) return 2
  if (tickTicks >= 10) return 3
  return 4
}

/** Price ticks as a venue decimal with the market's places: (3400, 100) → "0.34". */
export function priceText(ticks: number, tickTicks = 100): string {
  return (ticks / PRICE_SCALE).toFixed(tickDecimals(tickTicks))
}

/** Price ticks as the shortest exact decimal, for request bodies: 3450 → "0.345". */
export function priceDecimal(ticks: number): string {
  return formatPrice(ticks as PriceTicks)
}

/** A venue price decimal ("0.345") as ticks, or null when it is not one. */
export function decimalToTicks(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const value = tryParsePrice(text.trim())
  return value < 0 ? null : value
}

/** A non-negative share decimal ("12.5") as micros, or null when it is not one. */
export function decimalToMicros(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const value = tryParseSize(text.trim())
  return value < 0 ? null : value
}

/** Share micros as short text: 12_500_000 → "12.5", 12_345_000_000 → "12.3k". */
export function sharesText(micros: number): string {
  const shares = micros / SHARE_SCALE
  const abs = Math.abs(shares)
  if (abs >= 1_000_000) return `${trim((shares / 1_000_000).toFixed(2))}M`
  if (abs >= 10_000) return `${trim((shares / 1000).toFixed(1))}k`
  if (abs >= 100) return shares.toFixed(0)
  return trim(shares.toFixed(2))
}

/** Share micros as an exact decimal for request bodies: 12_500_000 → "12.5". */
export function sharesDecimal(micros: number): string {
  const whole = Math.floor(micros / SHARE_SCALE)
  const fraction = micros - whole * SHARE_SCALE
  if (fraction === 0) return String(whole)
  return `${whole}.${trimZeros(String(fraction).padStart(6, '0'))}`
}

/** USDC micros as money: -3_250_000 → "-$3.25"; `signed` adds "+" to gains. */
export function usdMicrosText(micros: number, signed = false): string {
  return usdText(micros / SHARE_SCALE, signed)
}

/** A USDC amount (number or decimal text) as money: "12.3456" → "$12.35". */
export function usdText(value: number | string | null | undefined, signed = false): string {
  if (value === null || value === undefined) return '—'
  const amount = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(amount)) return '—'
  const abs = Math.abs(amount)
  const body =
    abs >= 100_000
      ? `${(abs / 1000).toFixed(1)}k`
      : abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  const sign = amount < 0 && abs >= 0.005 ? '-' : signed && amount >= 0.005 ? '+' : ''
  return `${sign}$${body}`
}

/** Milliseconds as a countdown: 65_000 → "1:05", 4_200 → "4.2s". */
export function countdownText(ms: number): string {
  if (ms <= 0) return '0s'
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`
  const seconds = Math.ceil(ms / 1000)
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
  return `${minutes}:${String(rest).padStart(2, '0')}`
}

/** Epoch ms as local wall time "14:03:07". */
export function clockText(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text
}

function trimZeros(text: string): string {
  return text.replace(/0+$/, '')
}
