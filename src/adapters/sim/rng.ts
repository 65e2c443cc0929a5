/**
 * Seeded pseudo-random numbers for the simulator (mulberry32: a 32-bit state advanced by a
 * Weyl increment, then mixed). Same seed, same sequence, on every platform.
 */
export class Rng {
  private _state: number

  constructor(seed: number) {
    this._state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this._state = (this._state + 0x6d2b79f5) >>> 0
    let t = this._state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min)
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next()
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)]
    if (item === undefined) throw new RangeError('Rng.pick needs a non-empty list')
    return item
  }

  /** `digits` decimal digits, the first non-zero (token ids look like this). */
  decimalId(digits: number): string {
    let out = String(this.int(1, 9))
    for (let i = 1; i < digits; i++) out += String(this.int(0, 9))
    return out
  }

  /** `0x` and `bytes` × 2 hex digits (condition ids look like this). */
  hexId(bytes: number): string {
    let out = '0x'
    for (let i = 0; i < bytes; i++) out += this.int(0, 255).toString(16).padStart(2, '0')
    return out
  }
}

/** A 40-hex-digit digest of a string (FNV-1a, five lanes); stands in for the venue's book hash. */
export function simHash(text: string): string {
  let out = ''
  for (let lane = 0; lane < 5; lane++) {
    let h = (0x811c9dc5 ^ Math.imul(lane + 1, 0x9e3779b1)) >>> 0
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
    out += h.toString(16).padStart(8, '0')
  }
  return out
}
