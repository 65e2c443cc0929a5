/**
 * Reconnect delays of the live socket: capped exponential backoff with jitter, so pages that
 * lost the daemon together do not all come back in the same millisecond.
 */

export const BACKOFF_BASE_MS = 500
export const BACKOFF_MAX_MS = 10_000

/**
 * Delay before reconnect attempt `attempt` (0 = the first after a drop), in ms: base·2^attempt,
 * capped, then scaled into [50 %, 100 %] by `random` (a number in [0, 1)).
 */
export function reconnectDelay(
  attempt: number,
  random: number,
  baseMs = BACKOFF_BASE_MS,
  maxMs = BACKOFF_MAX_MS,
): number {
  const exponent = Math.max(0, Math.min(30, Math.floor(attempt)))
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent)
  const jitter = Math.max(0, Math.min(1, random))
  return Math.round(ceiling * (0.5 + jitter / 2))
}
