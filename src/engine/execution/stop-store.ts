/**
 * The storage port of emulated stops. A stop is written when it is created, on every change of
 * state (a trigger before its exit order is sent) and when its trailing reference moves, so a
 * restart finds every stop where it was. The adapter (src/adapters/storage/stops-repo.ts) writes
 * them to SQLite or PostgreSQL.
 */
import type { Stop, StopState } from '../../domain/orders/stops.js'

export type StopFilter = {
  /** Only stops in these states. */
  readonly states?: readonly StopState[]
  /** Only stops protecting this entry order. */
  readonly entryOrderId?: string
  /** At most this many, newest first; default 500. */
  readonly limit?: number
}

export type StopStore = {
  insertStop(stop: Stop): Promise<void>
  /** Writes the whole stop over the stored one (same id). */
  updateStop(stop: Stop): Promise<void>
  getStop(id: string): Promise<Stop | null>
  /** Newest first (by creation time, then id). */
  listStops(filter?: StopFilter): Promise<Stop[]>
}
