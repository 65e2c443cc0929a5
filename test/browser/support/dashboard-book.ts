/**
 * The book a capture holds at a market time, computed without the daemon: the capture's raw
 * venue frames replayed into the naive reference book (test/support/naive-book.ts), applying
 * every frame whose playback clock (the latest venue time so far) is at most `t` — the rule a
 * seek follows (docs/DASHBOARD_API.md).
 */
import type { Side } from '../../../src/domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../src/domain/units.js'
import { NaiveBook } from '../../support/naive-book.js'
import type { Frame } from '../../support/playback-captures.js'

export type Tops = { readonly bid: number | null; readonly ask: number | null }

type Quote = { readonly price: string; readonly size: string }
type RawFrame = {
  readonly event_type?: string
  readonly asset_id?: string
  readonly timestamp?: string
  readonly bids?: readonly Quote[]
  readonly asks?: readonly Quote[]
  readonly price_changes?: readonly (Quote & { asset_id: string; side: string })[]
}

function ticks(price: string): PriceTicks {
  return Math.round(Number(price) * 10_000) as PriceTicks
}

function micros(size: string): ShareMicros {
  return Math.round(Number(size) * 1_000_000) as ShareMicros
}

function levels(quotes: readonly Quote[] | undefined): { price: PriceTicks; size: ShareMicros }[] {
  return (quotes ?? []).map((q) => ({ price: ticks(q.price), size: micros(q.size) }))
}

/** Best bid and ask (ticks) of `token` after every frame with playback clock ≤ `t`. */
export function topsAt(frames: readonly Frame[], token: string, t: number): Tops {
  const book = new NaiveBook()
  let clock = -Infinity
  for (const frame of frames) {
    if (!frame.raw.startsWith('{')) continue
    const raw = JSON.parse(frame.raw) as RawFrame
    const ts = Number(raw.timestamp)
    if (Number.isFinite(ts)) clock = Math.max(clock, ts)
    if (clock > t) break
    const at = ts as EpochMs
    if (raw.event_type === 'book' && raw.asset_id === token) {
      book.replace(levels(raw.bids), levels(raw.asks), at)
    } else if (raw.event_type === 'price_change') {
      for (const change of raw.price_changes ?? []) {
        if (change.asset_id !== token) continue
        const side: Side = change.side === 'BUY' ? 'bid' : 'ask'
        book.setLevel(side, ticks(change.price), micros(change.size), at)
      }
    }
  }
  return { bid: book.bestBid(), ask: book.bestAsk() }
}

/** A price in ticks as the chart's tooltip writes it (`0.430`). */
export function chartPrice(price: number | null): string {
  return price === null ? '—' : (price / 10_000).toFixed(3)
}
