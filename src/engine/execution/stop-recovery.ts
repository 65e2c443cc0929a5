/**
 * What a restart makes of each unfinished stop (the stop manager applies the decision):
 * - `triggered`: its exit order is looked up: found means it was sent (`exit-found`), not found
 *   means the process stopped before sending it (`await-release`: it goes out on the token's
 *   next usable book);
 * - `pending` or `armed`: the entry order is looked up and the entry fills stored while the
 *   stop was not listening are added (`resume`); a pending stop whose entry was never stored
 *   (`entry-not-sent`) or ended without a fill (`entry-ended`) is cancelled.
 */
import { addEntryFill, type Stop } from '../../domain/orders/stops.js'
import type { EpochMs, ShareMicros } from '../../domain/units.js'
import type { OrderRecord, OrderStore } from './order-store.js'
import { exitOrderIdOf } from './stop-port.js'
import type { StopStore } from './stop-store.js'
import { FINAL_STATUSES, type VenueFill } from './venue.js'

export type RecoveryDecision =
  | { readonly kind: 'await-release' }
  | { readonly kind: 'exit-found'; readonly order: OrderRecord }
  | { readonly kind: 'entry-not-sent' }
  | { readonly kind: 'entry-ended'; readonly entry: OrderRecord }
  | { readonly kind: 'resume'; readonly stop: Stop; readonly fillIds: readonly string[] }

export class StopRecovery {
  private _fills: VenueFill[] | null = null

  constructor(
    private readonly _stops: Pick<StopStore, 'listStops'>,
    private readonly _orders: Pick<OrderStore, 'getOrder' | 'listFills'>,
    private readonly _now: () => EpochMs,
  ) {}

  async decide(stop: Stop): Promise<RecoveryDecision> {
    if (stop.state === 'triggered') {
      const order = await this._orders.getOrder(stop.exitOrderId ?? exitOrderIdOf(stop.id))
      return order === null ? { kind: 'await-release' } : { kind: 'exit-found', order }
    }
    const entry = await this._orders.getOrder(stop.entryOrderId)
    this._fills ??= await this._orders.listFills()
    const siblings = await this._stops.listStops({ entryOrderId: stop.entryOrderId })
    const caughtUp =
      siblings[0]?.id === stop.id
        ? catchUpEntryFills(stop, siblings, this._fills, this._now())
        : { stop, fillIds: [] }
    if (caughtUp.stop.state === 'pending') {
      if (entry === null) return { kind: 'entry-not-sent' }
      if (FINAL_STATUSES.has(entry.status) && entry.filled === 0) {
        return { kind: 'entry-ended', entry }
      }
    }
    return { kind: 'resume', ...caughtUp }
  }
}

/**
 * Adds to `stop` (the newest stop of its entry) the entry's buy fills beyond what all the
 * entry's stops (`siblings`, `stop` included) have counted. Fills of one order are stored in
 * order, so the uncounted ones are the last. Returns the stop (the same object when nothing was
 * missing) and the ids of the entry's fills.
 */
export function catchUpEntryFills(
  stop: Stop,
  siblings: readonly Stop[],
  fills: readonly VenueFill[],
  now: EpochMs,
): { readonly stop: Stop; readonly fillIds: readonly string[] } {
  const counted = siblings.reduce((sum, s) => sum + s.size, 0)
  const fillIds: string[] = []
  let seen = 0
  let next = stop
  for (const fill of fills) {
    if (fill.clientOrderId !== stop.entryOrderId || fill.side !== 'buy') continue
    if (fill.status === 'failed') continue
    fillIds.push(fill.fillId)
    const before = seen
    seen += fill.size
    if (seen <= counted) continue
    const size = (seen - Math.max(before, counted)) as ShareMicros
    next = addEntryFill(next, { price: fill.price, size }, now)
  }
  return { stop: next, fillIds }
}
