/**
 * The dashboard chart's data for one token of a scanned capture: the top of book sampled on a
 * time grid (exactly what a seek to each grid time shows, from the scan's record of every top
 * change), the trades in the range from the capture's trade log, and the recomputed signals.
 */
import { PlaybackQueryError } from '../../adapters/web/playback-types.js'
import type {
  CaptureDetail,
  CaptureSignal,
  CaptureSignalsQuery,
  SeriesAnswer,
  SeriesPoint,
  SeriesQuery,
  SeriesTrade,
} from '../../contracts/playback.js'
import type { TradeLog } from '../../engine/playback/trade-log.js'
import { NO_PRICE, type CaptureScan } from './playback-scan.js'

/** Points per answer at most; a finer step asked for is raised to fit. */
export const MAX_SERIES_POINTS = 5_000
/** Points when no step is asked for. */
export const DEFAULT_SERIES_POINTS = 1_000
/** Trades per answer at most; beyond, the trades of each step are merged. */
export const MAX_SERIES_TRADES = 2_000

const SIGNAL_TYPES = new Set(['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM'])

/**
 * @throws PlaybackQueryError (400) when the token is not in the capture, the capture has no
 *   timed frames, or the range is reversed or lies outside the capture.
 */
export function seriesOf(
  detail: CaptureDetail,
  scan: CaptureScan,
  trades: TradeLog,
  query: SeriesQuery,
): SeriesAnswer {
  const token = query.token_id
  if (!detail.tokens.includes(token)) {
    throw new PlaybackQueryError(400, 'bad query', [
      `token_id ${token} is not in this capture; its tokens: ${detail.tokens.slice(0, 20).join(', ')}`,
    ])
  }
  const first = detail.first_ms
  const last = detail.last_ms
  if (first === null || last === null) {
    throw new PlaybackQueryError(400, 'this capture has no timed frames: there is nothing to chart')
  }
  const from = query.from ?? first
  const to = query.to ?? last
  const problems: string[] = []
  if (from > to) problems.push(`from ${from} is after to ${to}; swap them`)
  else if (to < first || from > last) {
    problems.push(
      `the range ${from}..${to} lies outside the capture (${first}..${last}); ask within it`,
    )
  }
  if (problems.length > 0) throw new PlaybackQueryError(400, 'bad query', problems)

  const span = to - from
  let step = query.step_ms ?? Math.max(1, Math.ceil(span / (DEFAULT_SERIES_POINTS - 1)))
  let downsampled = false
  if (Math.floor(span / step) + 1 > MAX_SERIES_POINTS) {
    step = Math.ceil(span / (MAX_SERIES_POINTS - 1))
    downsampled = true
  }

  const points: SeriesPoint[] = []
  const tops = scan.tops.get(token)
  let k = -1
  for (let t = from; t <= to; t += step) {
    if (tops !== undefined) {
      while (k + 1 < tops.clocks.length && tops.clocks[k + 1]! <= t) k++
    }
    const bid = tops === undefined || k < 0 ? NO_PRICE : tops.bids[k]!
    const ask = tops === undefined || k < 0 ? NO_PRICE : tops.asks[k]!
    points.push({
      t,
      best_bid: bid === NO_PRICE ? null : bid,
      best_ask: ask === NO_PRICE ? null : ask,
      mid: bid === NO_PRICE || ask === NO_PRICE ? null : (bid + ask) / 2,
    })
  }

  const raw: SeriesTrade[] = []
  const start = trades.countUpTo(from - 1)
  const end = trades.countUpTo(to)
  for (let i = start; i < end; i++) {
    const trade = trades.at(i)
    if (trade.assetId !== token) continue
    raw.push({
      t: trade.clock,
      ts: trade.tsVenue,
      price: trade.price,
      size: trade.size,
      side: trade.side,
      count: 1,
    })
  }
  const merged = raw.length > MAX_SERIES_TRADES
  return {
    token_id: token,
    from,
    to,
    step_ms: step,
    downsampled: downsampled || merged,
    points,
    trades: merged ? mergeTrades(raw, from, step) : raw,
    trades_merged: merged,
  }
}

/** One entry per step holding trades: last price, total size, side of the larger volume. */
function mergeTrades(trades: readonly SeriesTrade[], from: number, step: number): SeriesTrade[] {
  const out: SeriesTrade[] = []
  let bucket = Number.NaN
  let buy = 0
  let sell = 0
  for (const trade of trades) {
    const b = Math.floor((trade.t - from) / step)
    const current = out[out.length - 1]
    if (b !== bucket || current === undefined) {
      bucket = b
      buy = 0
      sell = 0
      out.push({ ...trade })
    } else {
      out[out.length - 1] = {
        t: trade.t,
        ts: trade.ts,
        price: trade.price,
        size: current.size + trade.size,
        side: current.side,
        count: current.count + 1,
      }
    }
    if (trade.side === 'buy') buy += trade.size
    else sell += trade.size
    const last = out[out.length - 1]!
    out[out.length - 1] = { ...last, side: buy >= sell ? 'buy' : 'sell' }
  }
  return out
}

/** The scan's signals as the API answers them, filtered, oldest first. */
export function signalsOf(scan: CaptureScan, query: CaptureSignalsQuery): CaptureSignal[] {
  const out: CaptureSignal[] = []
  for (const s of scan.signals) {
    if (!SIGNAL_TYPES.has(s.type)) continue
    if (query.token_id !== undefined && s.assetId !== query.token_id) continue
    if (query.from !== undefined && s.ts < query.from) continue
    if (query.to !== undefined && s.ts > query.to) continue
    const r = s.reversion
    out.push({
      id: s.id,
      type: s.type as CaptureSignal['type'],
      ts: s.ts,
      asset_id: s.assetId,
      market: s.market,
      score: s.score,
      volume_ratio: s.volumeRatio,
      spread_ratio: s.spreadRatio,
      depth_ratio: s.depthRatio,
      price_change: s.priceChange,
      ref_price: s.refPrice,
      mirror_of: s.mirrorOf,
      reverted: r === null ? null : r.reverted,
      reversion_s: r === null || r.reversionMs === null ? null : r.reversionMs / 1000,
      retrace: r === null ? null : r.retrace,
      mfe: r === null ? null : r.mfe,
      mae: r === null ? null : r.mae,
    })
  }
  return out
}
