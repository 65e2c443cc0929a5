/**
 * Checks a playback index against the replay itself: replays the capture the way
 * `tiltmeter replay` does (same reader, same parser entry points), records the full market
 * state at chosen venue times, and compares what a playback session's seeks give there.
 * Used by `tiltmeter capture index --verify` and by the tests.
 */
import type { FrameParser } from '../../engine/market-data.js'
import { MarketData } from '../../engine/market-data.js'
import { collectEventAssets } from '../../engine/playback/market-state.js'
import type { PlaybackMarket } from '../../engine/playback/playback-session.js'
import { PlaybackSession } from '../../engine/playback/playback-session.js'
import { readRecordings } from '../replay/recorded-feed.js'
import type { CaptureIndex } from './capture-index.js'

/** Everything observable about a MarketData, as plain data. */
export type MarketDescription = {
  readonly books: readonly unknown[]
  readonly tops: Readonly<Record<string, unknown>>
  readonly trades: Readonly<Record<string, unknown>>
  readonly counters: Readonly<Record<string, number>>
}

/** Describes `market`: every book in order, and the tops and trade stats of `assets`. */
export function describeMarket(
  market: PlaybackMarket,
  assets: Iterable<string>,
): MarketDescription {
  const books = [...market.books.values()].map((b) => ({
    assetId: b.assetId,
    tickSize: b.tickSize,
    epoch: b.epoch,
    synced: b.synced,
    staleReason: b.staleReason,
    lastUpdateTs: b.lastUpdateTs,
    bids: b.levels('bid'),
    asks: b.levels('ask'),
  }))
  const tops: Record<string, unknown> = {}
  const trades: Record<string, unknown> = {}
  for (const id of [...assets].sort()) {
    const top = market.venueTop(id)
    if (top !== undefined) tops[id] = { ...top }
    const stats = market.tradeStats(id)
    if (stats !== undefined) trades[id] = { ...stats }
  }
  return { books, tops, trades, counters: { ...market.counters } }
}

export type ReplayStates = {
  /** The state after every frame with playback clock at most `times[i]`. */
  readonly states: readonly MarketDescription[]
  /** Every asset any event mentioned. */
  readonly assets: readonly string[]
  /** The playback clock after each frame that moved it, in order. */
  readonly clocks: readonly number[]
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Replays `paths` (capture files, merged as replay merges them) and describes the state at
 * each of `times` (any order). A frame's venue time is read with the parser's text entry
 * point; frames are applied through the byte entry point, as replay applies them.
 */
export async function replayStatesAt(
  paths: readonly string[],
  times: readonly number[],
  parser: FrameParser,
): Promise<ReplayStates> {
  const order = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t)
  const assets = new Set<string>()
  const market = new MarketData(parser, { onEvent: (event) => collectEventAssets(event, assets) })
  const described: MarketDescription[] = new Array<MarketDescription>(times.length)
  const clocks: number[] = []
  let clock = Number.NEGATIVE_INFINITY
  let next = 0
  const pending = (): { t: number; i: number } | undefined => order[next]
  const before = (frameTime: number): void => {
    const moved = frameTime > clock ? frameTime : clock
    for (let p = pending(); p !== undefined && p.t < moved; p = pending()) {
      described[p.i] = describeMarket(market, assets)
      next++
    }
    if (moved > clock) clocks.push(moved)
    clock = moved
  }
  const timeOf = (text: string): number => {
    let latest = Number.NaN
    for (const event of parser.parseText(text).events) {
      if (!(event.tsVenue <= latest)) latest = event.tsVenue
    }
    return latest
  }
  await readRecordings(paths, {
    onFrame: (frame) => {
      before(timeOf(frame.raw))
      const meta = { tLocal: frame.tLocal, conn: frame.conn }
      if (frame.value === undefined) market.onFrameText(frame.raw, meta)
      else market.onFrameValue(frame.value, frame.raw, meta)
    },
    onFrameBytes: (bytes, start, end, tLocal, conn) => {
      before(timeOf(UTF8.decode(bytes.subarray(start, end))))
      market.onFrameBytes(bytes, start, end, { tLocal, conn })
    },
  })
  for (let p = pending(); p !== undefined; p = pending()) {
    described[p.i] = describeMarket(market, assets)
    next++
  }
  return { states: described, assets: [...assets], clocks }
}

export type VerifyResult = {
  readonly checked: number
  /** Times whose seek disagreed with the replay, with the first difference found. */
  readonly mismatches: readonly { readonly t: number; readonly difference: string }[]
}

/** Seeks `index` to each of `times` (in the given order) and compares with a full replay. */
export async function verifyCaptureIndex(
  index: CaptureIndex,
  times: readonly number[],
  parser: FrameParser,
): Promise<VerifyResult> {
  const reference = await replayStatesAt(index.location.files, times, parser)
  const session = await PlaybackSession.open(index, parser)
  const mismatches: { t: number; difference: string }[] = []
  try {
    for (let i = 0; i < times.length; i++) {
      const view = await session.seek(times[i]!)
      const difference = firstDifference(
        reference.states[i],
        describeMarket(view.market, reference.assets),
      )
      if (difference !== null) mismatches.push({ t: times[i]!, difference })
    }
  } finally {
    await session.close()
  }
  return { checked: times.length, mismatches }
}

/** Where two JSON-like values first differ, as `path: a != b`; null when equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (Object.is(a, b)) return null
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path}: ${String(JSON.stringify(a))} != ${String(JSON.stringify(b))}`
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array != object`
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    )
    if (d !== null) return d
  }
  return null
}
