/**
 * How long an order or a cancel takes from our decision to the venue's matching engine. The
 * simulated venue asks once per submit and once per cancel, in call order, so a seeded model
 * gives the same delays for the same run.
 */
import { invariant } from '../errors.js'
import type { RandomSource } from '../stats/random.js'

/** The default one-way delay from decision to matching engine, in milliseconds. */
export const DEFAULT_LATENCY_MS = 250

export type LatencyModel = {
  /** Milliseconds from the decision to the order (or its cancel) reaching the venue; >= 0. */
  entryMs(clientId: string): number
}

function checkMs(name: string, ms: number): void {
  invariant(
    Number.isFinite(ms) && ms >= 0,
    `${name} ${ms} is not a non-negative number of milliseconds`,
  )
}

/** The same delay for every order: `ms` (an integer number of milliseconds, >= 0). */
export function fixedLatency(ms: number): LatencyModel {
  checkMs('latency', ms)
  invariant(Number.isInteger(ms), `latency ${ms} ms is not a whole number of milliseconds`)
  return { entryMs: () => ms }
}

/**
 * `baseMs` plus a uniform whole number of milliseconds in [0, jitterMs], drawn from `random`
 * (pass `seededRandom(seed)` for reproducible runs). Jitter only ever adds delay, so a jittered
 * run is never faster than the fixed one.
 */
export function jitteredLatency(
  baseMs: number,
  jitterMs: number,
  random: RandomSource,
): LatencyModel {
  checkMs('base latency', baseMs)
  checkMs('latency jitter', jitterMs)
  invariant(
    Number.isInteger(baseMs) && Number.isInteger(jitterMs),
    `latency ${baseMs} ms + jitter ${jitterMs} ms must be whole numbers of milliseconds`,
  )
  return {
    entryMs: () => baseMs + Math.min(jitterMs, Math.floor(random() * (jitterMs + 1))),
  }
}
