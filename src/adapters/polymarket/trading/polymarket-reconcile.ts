/**
 * Reading the order state back from the Polymarket venue: one order (after an answer that never
 * came, or at a restart) and the whole reconciliation, run at start, after the user channel
 * reconnects and after the heartbeats lapsed (src/app/daemon/trading-setup.ts).
 *
 * One pass reads, in order: the open orders; every trade of ours since the oldest working order
 * or the oldest stored fill still `matched`, whichever is older (less a day), each handed to the
 * venue as if the user channel had brought it, so fills not stored yet are booked and fill
 * statuses missed (CONFIRMED, FAILED) are applied; then it closes orders that ended while nobody
 * listened (e.g. cancelled by the dead-man switch). The funder's collateral balance is read by the
 * caller afterwards, just before it becomes the account's cash (trading-setup.ts). It throws
 * when any read fails: a partial picture is no reconciliation.
 */
import type { EpochMs } from '../../../domain/units.js'
import {
  FINAL_STATUSES,
  type OrderStatus,
  type VenueOrderState,
} from '../../../engine/execution/venue.js'
import type { PolymarketTrading, VenueTrade } from './polymarket-trading.js'
import type { UserTradeEvent } from './user-channel.js'
import { afterMatch, isComplete, usdOf, type TrackedOrder } from './venue-orders.js'

export type ReconcileReport = {
  /** Open orders at the venue that no stored order names (placed elsewhere). */
  readonly foreignOrders: readonly string[]
  /** Fills found at the venue that were not stored yet, now handed on. */
  readonly fillsAdded: number
  /** Orders whose status the reconciliation changed. */
  readonly updated: number
}

/** What one pass needs of the venue: its reads, its tracked orders and its event path. */
export type ReconcileHost = {
  readonly trading: Pick<PolymarketTrading, 'openOrders' | 'trades' | 'resolve'>
  now(): EpochMs
  /** Every order the venue tracks (stored or sent since the start). */
  tracked(): Iterable<TrackedOrder>
  byOrderId(orderId: string): TrackedOrder | undefined
  /** Handles a trade read over REST like one from the user channel. */
  onTrade(trade: VenueTrade): void
  /** A REST trade as the user channel would bring it (null when it is not ours or malformed). */
  parseTrade(trade: VenueTrade): UserTradeEvent | null
  /** How many fills have been handed on (or were stored) so far. */
  fillCount(): number
  /** When the oldest fill still `matched` (not settled, not failed) was booked; null if none. */
  oldestUnsettledMs(): EpochMs | null
  /** Sets an order's status and tells the order service. */
  setStatus(t: TrackedOrder, status: OrderStatus): void
}

/** Trades older than this before the oldest working order or unsettled fill are not read again. */
export const TRADE_LOOKBACK_MS = 24 * 3600_000

export async function reconcileVenue(host: ReconcileHost): Promise<ReconcileReport> {
  const open = await host.trading.openOrders()
  const working = [...host.tracked()].filter((t) => !FINAL_STATUSES.has(t.status))
  const unsettled = host.oldestUnsettledMs()
  const oldest = Math.min(host.now(), unsettled ?? host.now(), ...working.map((t) => t.createdMs))
  const trades = await host.trading.trades({
    afterS: Math.max(0, Math.floor((oldest - TRADE_LOOKBACK_MS) / 1000)),
  })
  const before = host.fillCount()
  for (const trade of trades) host.onTrade(trade)
  const foreign: string[] = []
  const openIds = new Set<string>()
  let updated = 0
  for (const row of open) {
    openIds.add(row.orderId)
    const t = host.byOrderId(row.orderId)
    if (t === undefined) {
      foreign.push(row.orderId)
      continue
    }
    if (t.status !== 'open') {
      host.setStatus(t, 'open')
      updated++
    }
  }
  for (const t of working) {
    if (t.orderId === null || openIds.has(t.orderId)) continue
    if (t.status === 'open') {
      // ended while nobody listened (e.g. cancelled when the heartbeats stopped)
      host.setStatus(t, afterMatch(t, isComplete(t), true))
      updated++
    }
  }
  return { foreignOrders: foreign, fillsAdded: host.fillCount() - before, updated }
}

/**
 * Reads one order's state at the venue and hands on what changed (its trades, its status);
 * false when the venue has no record of it.
 */
export async function settleOrder(host: ReconcileHost, t: TrackedOrder): Promise<boolean> {
  if (t.orderId === null) return false
  const found = await host.trading.resolve(t.orderId, t.tokenId)
  if (found.state === 'absent') return false
  if (found.state === 'traded') {
    for (const trade of found.trades) host.onTrade(trade)
    // said again even when unchanged here: the order service may have marked it unknown since
    host.setStatus(t, afterMatch(t, isComplete(t), true))
    return true
  }
  for (const trade of await host.trading.trades({ tokenId: t.tokenId })) {
    if (trade.orderIds.includes(t.orderId)) host.onTrade(trade)
  }
  host.setStatus(t, 'open')
  return true
}

/**
 * What the venue knows of an order, without handing anything on (the order service asks at
 * start). `filled` is what the stored fills say; fills missing from the store come with the
 * reconciliation. Failed trades do not count.
 */
export async function lookupOrder(
  host: ReconcileHost,
  t: TrackedOrder,
): Promise<VenueOrderState | null> {
  if (t.orderId === null) return null
  const found = await host.trading.resolve(t.orderId, t.tokenId)
  if (found.state === 'absent') return null
  if (found.state === 'open') {
    t.status = 'open'
    return { clientOrderId: t.clientOrderId, status: 'open', filled: t.filled }
  }
  let shares = 0
  let usd = 0
  for (const trade of found.trades) {
    const parsed = host.parseTrade(trade)
    if (parsed === null || parsed.status === 'FAILED') continue
    for (const fill of parsed.fills) {
      if (fill.orderId !== t.orderId) continue
      shares += fill.size
      usd += usdOf(fill)
    }
  }
  t.status = afterMatch(t, isComplete(t, shares, usd), true)
  return { clientOrderId: t.clientOrderId, status: t.status, filled: t.filled }
}
