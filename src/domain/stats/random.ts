/**
 * Seeded uniform random numbers for research statistics. Statistics take the generator as a
 * plain function (`() => number` in [0, 1)) so tests and reports pass a seeded one and get the
 * same numbers on every run and platform.
 */

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number

/**
 * Mulberry32: a 32-bit state advanced by a Weyl increment, then mixed. Fast, tiny and good
 * enough for resampling (not for anything secret). `seed` is taken modulo 2^32.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A whole number in [0, n) from `random`; `n` must be a positive integer. */
export function randomIndex(random: RandomSource, n: number): number {
  const i = Math.floor(random() * n)
  // Guards a source that returns exactly 1.
  return i >= n ? n - 1 : i
}
