/**
 * Chart data from the price series. lightweight-charts counts time in whole seconds
 * (UTCTimestamp) and wants strictly ascending times, so venue ms become seconds
 * (`Math.floor(ms / 1000)`) and the latest point of each second wins. Every line gets the same
 * times (an empty side is a whitespace point) so a bar index means the same moment in every
 * series; trades are summed onto those times as a volume histogram. Prices are shown as venue
 * decimals (ticks / 10_000), volume in shares.
 */
import type { ChartPoint, ChartTrade } from '../state/series.js'

export interface LinePoint {
  readonly time: number
  readonly value?: number
}

export interface VolumeBar {
  readonly time: number
  readonly value: number
  readonly color: string
}

export interface ChartFrame {
  /** Seconds, strictly ascending: the chart's bars. */
  readonly times: number[]
  readonly mid: LinePoint[]
  readonly bid: LinePoint[]
  readonly ask: LinePoint[]
  readonly volume: VolumeBar[]
}

export const BUY_VOLUME = 'rgba(38, 166, 154, 0.55)'
export const SELL_VOLUME = 'rgba(239, 83, 80, 0.55)'

export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}

export function priceOf(ticks: number | null): number | undefined {
  return ticks === null ? undefined : ticks / 10_000
}

function line(time: number, ticks: number | null): LinePoint {
  const value = priceOf(ticks)
  return value === undefined ? { time } : { time, value }
}

/** The latest point of each second, ascending. */
export function pointsPerSecond(points: readonly ChartPoint[]): ChartPoint[] {
  const out: ChartPoint[] = []
  let lastSecond = -Infinity
  for (const p of points) {
    const second = toSeconds(p.t)
    if (second < lastSecond) continue
    if (second === lastSecond) out[out.length - 1] = p
    else out.push(p)
    lastSecond = second
  }
  return out
}

/**
 * Index of the bar a time (seconds) belongs to: the last bar at or before it (the first bar
 * for earlier times); -1 without bars.
 */
export function barAtOrBefore(times: readonly number[], second: number): number {
  if (times.length === 0) return -1
  let lo = 0
  let hi = times.length - 1
  let found = 0
  while (lo <= hi) {
    const middle = (lo + hi) >> 1
    if (times[middle]! <= second) {
      found = middle
      lo = middle + 1
    } else {
      hi = middle - 1
    }
  }
  return found
}

/** Index of the bar nearest a time (seconds); -1 without bars. */
export function nearestBar(times: readonly number[], second: number): number {
  const before = barAtOrBefore(times, second)
  if (before < 0) return -1
  const after = before + 1
  if (after < times.length && times[after]! - second < second - times[before]!) return after
  return before
}

/** Per-bar traded shares, coloured by the side with more taker volume. */
export function volumeBars(times: readonly number[], trades: readonly ChartTrade[]): VolumeBar[] {
  const buy = new Map<number, number>()
  const sell = new Map<number, number>()
  for (const trade of trades) {
    const index = barAtOrBefore(times, toSeconds(trade.t))
    if (index < 0) continue
    const map = trade.side === 'buy' ? buy : sell
    map.set(index, (map.get(index) ?? 0) + trade.size)
  }
  const indexes = [...new Set([...buy.keys(), ...sell.keys()])].sort((a, b) => a - b)
  return indexes.map((index) => {
    const b = buy.get(index) ?? 0
    const s = sell.get(index) ?? 0
    return {
      time: times[index]!,
      value: (b + s) / 1_000_000,
      color: b >= s ? BUY_VOLUME : SELL_VOLUME,
    }
  })
}

export function buildFrame(
  points: readonly ChartPoint[],
  trades: readonly ChartTrade[],
): ChartFrame {
  const perSecond = pointsPerSecond(points)
  const times = perSecond.map((p) => toSeconds(p.t))
  return {
    times,
    mid: perSecond.map((p) => line(toSeconds(p.t), p.mid)),
    bid: perSecond.map((p) => line(toSeconds(p.t), p.bid)),
    ask: perSecond.map((p) => line(toSeconds(p.t), p.ask)),
    volume: volumeBars(times, trades),
  }
}

/**
 * The fractional bar index of a moment (venue ms): between two bars it is interpolated, so
 * the playback cursor glides instead of stepping once a second. Null without bars.
 */
export function logicalAt(times: readonly number[], ms: number): number | null {
  if (times.length === 0) return null
  const second = ms / 1000
  const index = barAtOrBefore(times, Math.floor(second))
  const at = times[index]!
  if (second <= at) return index === 0 ? Math.max(-1, second - at) : index
  const next = times[index + 1]
  if (next === undefined) return index + Math.min(1, second - at)
  return index + (second - at) / (next - at)
}
