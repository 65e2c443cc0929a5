/**
 * What one trade event (user channel, or a trade read over REST) means for the venue port: the
 * fills to hand on, the fill statuses to send, and the orders it touched. Each of our fills is
 * handed on once per (trade, order), at the first status seen; the statuses after it follow:
 *
 * - MATCHED: a `matched` fill.
 * - MINED, CONFIRMED: a `confirmed` fill, or `fill_status confirmed` for one handed on as matched.
 * - FAILED (the venue put the balances back): `fill_status failed` for each fill handed on (the
 *   order's filled size goes back down), or a `failed` fill for one never handed on (stored for
 *   the record, never booked); reported as a {@link FailedTrade}. A failed fill stays failed.
 *   A FAILED seen again hands the `fill_status failed` on again (nothing counted twice, no
 *   report): the order service ignores it for a fill it took back, and tries again for one it
 *   had to keep booked (a later sale used its shares).
 * - RETRYING carries nothing (the caller logs it).
 */
import type { TokenId } from '../../../domain/market.js'
import type { EpochMs, ShareMicros } from '../../../domain/units.js'
import type { FillStatus, VenueEvent } from '../../../engine/execution/venue.js'
import type { UserTradeEvent } from './user-channel.js'
import { fillIdOf, fillStatusOf, usdOf, venueFillOf, type TrackedOrder } from './venue-orders.js'

/** A trade that failed on chain, with those of its fills that are ours. */
export type FailedTrade = {
  readonly tradeId: string
  readonly fills: readonly {
    readonly fillId: string
    readonly clientOrderId: string
    readonly tokenId: TokenId
  }[]
}

export type TradeOutcome = {
  /** In order: fills and fill statuses for the order service. */
  readonly events: readonly VenueEvent[]
  /** Orders that got new fills (their status may follow). */
  readonly touched: ReadonlySet<TrackedOrder>
  readonly failed: FailedTrade | null
}

/**
 * Applies one trade event to the tracked orders and the fill statuses already sent (`sent`,
 * updated in place); answers what to hand on.
 */
export function applyTrade(
  event: UserTradeEvent,
  byOrder: ReadonlyMap<string, TrackedOrder>,
  sent: Map<string, FillStatus>,
  now: EpochMs,
): TradeOutcome {
  const ts = (event.ts || now) as EpochMs
  const events: VenueEvent[] = []
  const touched = new Set<TrackedOrder>()
  const failed: FailedTrade['fills'][number][] = []
  for (const fill of event.fills) {
    const t = byOrder.get(fill.orderId)
    if (t === undefined) continue
    const fillId = fillIdOf(event.tradeId, fill.orderId)
    const seen = sent.get(fillId)
    if (seen === 'failed') {
      // Told again (a REST read at reconciliation): handed on again, with nothing counted twice,
      // so a failure the order service could not take back yet is retried there.
      if (fillStatusOf(event.status) === 'failed') {
        events.push({
          kind: 'fill_status',
          fillId,
          clientOrderId: t.clientOrderId,
          status: 'failed',
          ts,
        })
      }
      continue
    }
    if (seen === undefined) {
      const vf = venueFillOf(t, event.tradeId, event.status, event.liquidity, fill, ts)
      if (vf === null) continue
      sent.set(fillId, vf.status)
      events.push({ kind: 'fill', fill: vf })
      if (vf.status === 'failed') {
        failed.push({ fillId, clientOrderId: t.clientOrderId, tokenId: vf.tokenId })
        continue
      }
      t.filled = (t.filled + vf.size) as ShareMicros
      t.usd += usdOf(fill)
      touched.add(t)
      continue
    }
    const status = fillStatusOf(event.status)
    if (status === 'failed') {
      sent.set(fillId, 'failed')
      t.filled = Math.max(0, t.filled - fill.size) as ShareMicros
      t.usd = Math.max(0, t.usd - usdOf(fill))
      events.push({ kind: 'fill_status', fillId, clientOrderId: t.clientOrderId, status, ts })
      failed.push({ fillId, clientOrderId: t.clientOrderId, tokenId: fill.tokenId as TokenId })
    } else if (status === 'confirmed' && seen === 'matched') {
      sent.set(fillId, 'confirmed')
      events.push({ kind: 'fill_status', fillId, clientOrderId: t.clientOrderId, status, ts })
    }
  }
  return {
    events,
    touched,
    failed: failed.length === 0 ? null : { tradeId: event.tradeId, fills: failed },
  }
}
