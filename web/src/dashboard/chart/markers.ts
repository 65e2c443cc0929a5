/**
 * Chart markers for signals, game events and own fills, placed on the bar nearest their venue
 * time (markers must sit on a bar), sorted by time as the chart wants them, and the lookup of
 * the marker under the mouse. Pure.
 */
import type { DashboardEvent, DashboardSignal } from '../state/dashboard-store.js'
import type { DashboardFill } from '../state/convert.js'
import { nearestBar } from './chart-data.js'

export type MarkerKind = 'signal' | 'event' | 'fill'
export type MarkerShape = 'circle' | 'square' | 'arrowUp' | 'arrowDown'
export type MarkerPosition = 'aboveBar' | 'belowBar' | 'inBar'

export interface ChartMarker {
  /** `signal:<id>`, `event:<id or time>`, `fill:<id>`: unique. */
  readonly id: string
  readonly kind: MarkerKind
  /** Venue ms of what it marks (a click seeks there). */
  readonly ts: number
  /** Bar index and its time (seconds). */
  readonly bar: number
  readonly time: number
  readonly shape: MarkerShape
  readonly position: MarkerPosition
  readonly color: string
  /** Short text drawn beside it. */
  readonly text: string
  /** One line for the tooltip. */
  readonly label: string
}

export const SIGNAL_STYLE: Readonly<
  Record<
    DashboardSignal['type'],
    { shape: MarkerShape; position: MarkerPosition; color: string; short: string }
  >
> = {
  PANIC_SELL: { shape: 'arrowDown', position: 'aboveBar', color: '#ef5350', short: 'PS' },
  FOMO_BUY: { shape: 'arrowUp', position: 'belowBar', color: '#26a69a', short: 'FB' },
  LIQUIDITY_VACUUM: { shape: 'circle', position: 'aboveBar', color: '#ffb74d', short: 'LV' },
}

const EVENT_COLORS: Readonly<Record<string, string>> = {
  round_win: '#42a5f5',
  map_win: '#1e88e5',
  round_loss: '#ab47bc',
  map_loss: '#8e24aa',
  clutch: '#ffee58',
  ace: '#ffee58',
  pistol_round: '#4fc3f7',
  eco_round: '#81c784',
  goal: '#42a5f5',
}
const EVENT_DEFAULT_COLOR = '#b0bec5'

export function eventColor(type: string): string {
  return EVENT_COLORS[type] ?? EVENT_DEFAULT_COLOR
}

/** `round_win` → `RW`, `goal` → `GO`. */
export function eventShort(type: string): string {
  const words = type.split(/[_\s-]+/).filter((w) => w !== '')
  if (words.length >= 2) return words.map((w) => w[0]!.toUpperCase()).join('')
  return (words[0] ?? '?').slice(0, 2).toUpperCase()
}

function price(ticks: number): string {
  return (ticks / 10_000).toFixed(3)
}

export interface MarkerInput {
  readonly times: readonly number[]
  readonly token: string | null
  readonly signals: readonly DashboardSignal[]
  readonly events: readonly DashboardEvent[]
  readonly fills: readonly DashboardFill[]
}

export function buildMarkers(input: MarkerInput): ChartMarker[] {
  const { times, token } = input
  const out: ChartMarker[] = []
  const place = (ts: number): { bar: number; time: number } | null => {
    const bar = nearestBar(times, ts / 1000)
    return bar < 0 ? null : { bar, time: times[bar]! }
  }
  for (const s of input.signals) {
    if (s.assetId !== token) continue
    const at = place(s.ts)
    if (at === null) continue
    const style = SIGNAL_STYLE[s.type]
    out.push({
      id: `signal:${s.id}`,
      kind: 'signal',
      ts: s.ts,
      ...at,
      shape: style.shape,
      position: style.position,
      color: style.color,
      text: style.short,
      label: `${s.type} score ${s.score.toFixed(2)}${s.reverted === true ? ' · reverted' : ''}`,
    })
  }
  input.events.forEach((e, index) => {
    const at = place(e.tsMs)
    if (at === null) return
    const who = e.team === null ? '' : ` ${e.team}`
    const team = e.team === null ? '' : ` ${e.team.slice(0, 3).toUpperCase()}`
    out.push({
      id: `event:${e.id ?? `n${index}:${e.tsMs}`}`,
      kind: 'event',
      ts: e.tsMs,
      ...at,
      shape: 'square',
      position: 'belowBar',
      color: eventColor(e.type),
      text: `${eventShort(e.type)}${team}`,
      label: `${e.type}${who}${e.score === null ? '' : ` ${e.score}`}`,
    })
  })
  for (const f of input.fills) {
    if (f.tokenId !== token) continue
    const at = place(f.ts)
    if (at === null) continue
    const buy = f.side === 'buy'
    out.push({
      id: `fill:${f.id}`,
      kind: 'fill',
      ts: f.ts,
      ...at,
      shape: buy ? 'arrowUp' : 'arrowDown',
      position: buy ? 'belowBar' : 'aboveBar',
      color: buy ? '#4dd0e1' : '#f06292',
      text: `${buy ? 'B' : 'S'} ${price(f.price)}`,
      label: `own ${f.side} ${(f.size / 1_000_000).toFixed(2)} @ ${price(f.price)}`,
    })
  }
  return out.sort((a, b) => a.time - b.time || a.ts - b.ts)
}

export function countByKind(markers: readonly ChartMarker[]): Record<MarkerKind, number> {
  const counts: Record<MarkerKind, number> = { signal: 0, event: 0, fill: 0 }
  for (const m of markers) counts[m.kind] += 1
  return counts
}

/**
 * The marker nearest a mouse position given as a fractional bar index, within `maxPx` pixels
 * (`pxPerBar` = the chart's bar spacing). Ties go to the marker closest in venue time.
 */
export function nearestMarker(
  markers: readonly ChartMarker[],
  logical: number,
  pxPerBar: number,
  maxPx = 10,
): ChartMarker | null {
  let best: ChartMarker | null = null
  let bestPx = Infinity
  for (const m of markers) {
    const px = Math.abs(m.bar - logical) * pxPerBar
    if (px > maxPx) continue
    if (px < bestPx) {
      best = m
      bestPx = px
    }
  }
  return best
}
