/**
 * Decides which book changes become stored snapshots: at most one per token per interval,
 * measured in event time (the change's own timestamp), so replay stores what live stored.
 * The first change of a token is kept; later ones are kept once `intervalMs` has passed since
 * the last kept one. A change older than the last kept one is dropped.
 */
import type { TokenId } from '../domain/market.js'
import type { EpochMs } from '../domain/units.js'

export const DEFAULT_SNAPSHOT_INTERVAL_MS = 500

export type SnapshotThrottle = {
  /** True when the change at `ts` for `token` should be stored; remembers it if so. */
  admit(token: TokenId, ts: EpochMs): boolean
  /** Forgets a token (after unsubscribe, or a resync that must be stored at once). */
  reset(token: TokenId): void
}

export function createSnapshotThrottle(
  intervalMs: number = DEFAULT_SNAPSHOT_INTERVAL_MS,
): SnapshotThrottle {
  if (!Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new RangeError(`snapshot interval must be a non-negative number of ms, got ${intervalMs}`)
  }
  const lastKept = new Map<TokenId, number>()
  return {
    admit(token, ts) {
      const last = lastKept.get(token)
      if (last !== undefined && ts - last < intervalMs) return false
      lastKept.set(token, ts)
      return true
    },
    reset(token) {
      lastKept.delete(token)
    },
  }
}
