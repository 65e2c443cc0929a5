/** REST and socket shapes → the dashboard's shapes (events, signals, fills). */
import type { FillJson, GameEventJson } from '../../../../src/contracts/api.js'
import type { GameEventMessage, SignalMessage } from '../../../../src/contracts/live.js'
import type { CaptureEvent, CaptureSignal } from '../../../../src/contracts/playback.js'
import { decimalToMicros, decimalToTicks } from '../../state/format.js'
import type { DashboardEvent, DashboardSignal } from './dashboard-store.js'

export function eventFromCapture(e: CaptureEvent): DashboardEvent {
  return {
    id: e.id,
    tsMs: e.ts_ms,
    tsVideoMs: e.ts_video_ms,
    type: e.type,
    team: e.team,
    score: e.score,
    map: e.map === null ? null : String(e.map),
    note: e.note,
    market: e.market,
    assetId: e.asset_id,
  }
}

export function eventFromRest(e: GameEventJson & { id: number }): DashboardEvent {
  return eventFromCapture({ ...e })
}

export function eventFromSocket(e: GameEventMessage): DashboardEvent {
  return {
    id: e.id,
    tsMs: e.ts,
    tsVideoMs: null,
    type: e.eventType,
    team: e.team,
    score: e.score,
    map: e.map,
    note: null,
    market: e.market,
    assetId: null,
  }
}

export function signalFromCapture(s: CaptureSignal): DashboardSignal {
  return {
    id: s.id,
    type: s.type,
    ts: s.ts,
    assetId: s.asset_id,
    market: s.market,
    score: s.score,
    volumeRatio: s.volume_ratio,
    spreadRatio: s.spread_ratio,
    depthRatio: s.depth_ratio,
    priceChange: s.price_change,
    reverted: s.reverted,
    reversionS: s.reversion_s,
  }
}

/** A live signal: the socket carries no ratios or reversion (not settled yet). */
export function signalFromSocket(s: SignalMessage): DashboardSignal {
  return {
    id: `${s.tokenId}:${s.signalType}:${s.ts}`,
    type: s.signalType,
    ts: s.ts,
    assetId: s.tokenId,
    market: s.market,
    score: s.score,
    volumeRatio: null,
    spreadRatio: null,
    depthRatio: null,
    priceChange: s.priceChange,
    reverted: null,
    reversionS: null,
  }
}

/** One own fill as the chart draws it (ticks, share micros). */
export interface DashboardFill {
  readonly id: string
  readonly ts: number
  readonly tokenId: string
  readonly market: string
  readonly side: 'buy' | 'sell'
  readonly price: number
  readonly size: number
}

/** The fills of the given tokens, oldest first; fills with unreadable numbers are left out. */
export function fillsOf(fills: readonly FillJson[], tokens: readonly string[]): DashboardFill[] {
  const wanted = new Set(tokens)
  const out: DashboardFill[] = []
  for (const f of fills) {
    if (!wanted.has(f.token_id)) continue
    const price = decimalToTicks(f.price)
    const size = decimalToMicros(f.size)
    if (price === null || size === null) continue
    out.push({
      id: f.id,
      ts: f.ts_ms,
      tokenId: f.token_id,
      market: f.market,
      side: f.side,
      price,
      size,
    })
  }
  return out.sort((a, b) => a.ts - b.ts)
}
