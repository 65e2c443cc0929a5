/**
 * The venue's taker fee (Fee Structure V2, see docs/POLYMARKET_NOTES.md and the protocol
 * reference, section 8): `fee = shares × rate × (p × (1 − p))^exponent`, exponent 1 today,
 * charged in USDC to the taker at match time and rounded to 5 decimals (at least 0.00001 when the
 * rate is not zero). Makers pay nothing.
 *
 * Rates arrive as basis points: `rateBps = rate × 10_000`, so the sports rate 0.05 is 500 bps.
 */
import { invariant } from '../errors.js'
import { PRICE_SCALE, type PriceTicks, type ShareMicros, type UsdcMicros } from '../units.js'

/** The venue charges fees to 5 decimals: one unit is 10 USDC micros. */
export const FEE_QUANTUM_MICROS = 10

/** Basis points in a rate of 1.0. */
export const BPS_SCALE = 10_000

// shares (1e-6) × rate (1e-4) × p (1e-4) × (1 − p) (1e-4) = 1e-18 USDC = 1e-12 USDC micros;
// rounding to 5 decimals divides by a further 10.
const FEE_DIVISOR = 10n ** 13n

/**
 * Taker fee in USDC micros for `size` shares at `price` with the market's rate in basis points:
 * `size × rateBps / 10_000 × p × (1 − p)`, computed exactly and rounded **up** to the venue's
 * 5 decimals (a multiple of {@link FEE_QUANTUM_MICROS}). Rounding up means we never charge
 * ourselves less than the venue would. Zero when the rate, the size or `p × (1 − p)` is zero.
 * @throws InvariantError when `rateBps` is not an integer in 0..10_000, or the price or size is
 *   outside its unit's range.
 */
export function takerFee(size: ShareMicros, price: PriceTicks, rateBps: number): UsdcMicros {
  invariant(
    Number.isInteger(rateBps) && rateBps >= 0 && rateBps <= BPS_SCALE,
    `fee rate ${rateBps} bps is not an integer in 0..${BPS_SCALE}; convert the market's rate ` +
      'with feeRateBpsOf',
  )
  invariant(
    Number.isInteger(price) && price >= 0 && price <= PRICE_SCALE,
    `fee price ${price} is not an integer tick in 0..${PRICE_SCALE}`,
  )
  invariant(
    Number.isSafeInteger(size) && size >= 0,
    `fee size ${size} is not a non-negative integer of share micros`,
  )
  const numerator = BigInt(size) * BigInt(rateBps) * BigInt(price) * BigInt(PRICE_SCALE - price)
  if (numerator === 0n) return 0 as UsdcMicros
  let quanta = numerator / FEE_DIVISOR
  if (quanta * FEE_DIVISOR !== numerator) quanta += 1n
  return (Number(quanta) * FEE_QUANTUM_MICROS) as UsdcMicros
}

/**
 * Converts a venue fee rate given as a fraction (Gamma `feeSchedule.rate`, e.g. `0.05`) to whole
 * basis points (500). Returns -1 when the rate is not a finite number in [0, 1]; rates finer than
 * a basis point are rounded to the nearest one.
 */
export function feeRateBpsOf(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) return -1
  return Math.round(rate * BPS_SCALE)
}
