/**
 * The per-token state of the signal engine and what a signal is built from: the vacuum's depth
 * measures and the signal with every input the decision used. Split from `signal-engine.ts`,
 * which holds the detectors themselves.
 */
import type { MarketId, TokenId } from '../../domain/market.js'
import { PRICE_SCALE, type EpochMs } from '../../domain/units.js'
import type { SignalParams } from './config.js'
import type { ReversionTracker } from './reversion-tracker.js'
import { TAKER_BUY, TAKER_SELL, type TokenBaselines } from './token-baselines.js'
import type { TopDepth } from './top-depth.js'
import type { Signal, SignalType } from './types.js'

export const PANIC = 0
export const FOMO = 1
export const VACUUM = 2
const TYPE_NAMES: readonly SignalType[] = ['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM']

export type TokenState = {
  readonly assetId: TokenId
  readonly market: MarketId
  readonly sport: string | null
  readonly params: SignalParams
  readonly base: TokenBaselines
  /** Top-N depth of the token's book, kept between changes. */
  readonly depth: TopDepth
  bestBid: number
  bestAsk: number
  /** Engine time since which the vacuum's book conditions have held; NaN when they do not. */
  vacuumSince: number
  /** Depth the vacuum measures on a fresh one-sided book; NaN while the book has both sides. */
  oneSidedDepth: number
  /** Engine time of the last signal per type (-Infinity before any). */
  readonly lastSignalTs: [number, number, number]
  readonly lastSignalId: [number, number, number]
  /** Open reversions of this token's signals. */
  readonly open: ReversionTracker[]
}

/**
 * Of the depth missing against its baseline, the share the short window's traded volume does
 * not explain: makers withdrew it rather than takers consuming it. 1 when no depth is missing
 * (nothing to explain), 0 when the trades account for all of it.
 */
export function withdrawnShare(baselineDepth: number, depth: number, traded: number): number {
  const missing = baselineDepth - depth
  if (!(missing > 0)) return 1
  return Math.max(0, 1 - traded / missing)
}

/** The vacuum's depth ratio: near-mid depth with `band` (see `TopDepth.bandShares`), else top-N. */
export function vacuumDepthRatio(base: TokenBaselines, band: boolean): number {
  return band ? base.bandDepth / base.baselineBandDepth() : base.depth / base.baselineDepth()
}

/** Price ticks as price units; null stays null (an empty side). */
export function priceOrNull(ticks: number | null): number | null {
  return ticks === null ? null : ticks / PRICE_SCALE
}

/** {@link withdrawnShare} of the depth measure the vacuum uses. */
export function vacuumWithdrawnShare(base: TokenBaselines, band: boolean, traded: number): number {
  return band
    ? withdrawnShare(base.baselineBandDepth(), base.bandDepth, traded)
    : withdrawnShare(base.baselineDepth(), base.depth, traded)
}

/**
 * The signal for `token` at `now`: ratios, price change and every input the decision used
 * (for a vacuum on a one-sided book: no spread, the side left as depth). Allocates; called only
 * when a detector fires.
 */
export function buildSignal(
  token: TokenState,
  id: number,
  type: 0 | 1 | 2,
  ts: number,
  score: number,
  mirrorOf: number | null,
  now: number,
): Signal {
  const base = token.base
  const params = token.params
  const volume = base.buyVolume + base.sellVolume
  const baselineVolume = base.baselineVolume()
  const midBefore = base.midBefore(now)
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)
  const volumeRatio = finite(volume / Math.max(baselineVolume, params.minBaselineVolume))
  const oneSided = !Number.isNaN(token.oneSidedDepth)
  // A one-sided book has no spread (null) and its depth is the side left.
  const spreadRatio = oneSided ? null : finite(base.spread / base.baselineSpread())
  const depthRatio = finite((oneSided ? token.depth.shares : base.depth) / base.baselineDepth())
  const inputs: Record<string, number | string | boolean | null> = {
    sport: token.sport,
    shortWindowMs: params.shortWindowMs,
    baselineWindowMs: params.baselineWindowMs,
    closedBuckets: base.closedBuckets,
    baselineCoveredMs: base.coveredMs(),
    volume,
    buyVolume: base.buyVolume,
    sellVolume: base.sellVolume,
    baselineVolume: finite(baselineVolume),
    minBaselineVolume: params.minBaselineVolume,
    spread: oneSided ? null : base.spread,
    baselineSpread: finite(base.baselineSpread()),
    depth: oneSided ? token.depth.shares : base.depth,
    baselineDepth: finite(base.baselineDepth()),
    depthLevels: params.depthLevels,
    bestBid: oneSided ? priceOrNull(token.depth.bestBid) : token.bestBid / PRICE_SCALE,
    bestAsk: oneSided ? priceOrNull(token.depth.bestAsk) : token.bestAsk / PRICE_SCALE,
    mid: base.mid,
    midBefore,
    midVolatility: finite(base.midVolatility()),
    complementTrades: params.complementTrades,
  }
  if (type === PANIC) {
    const p = params.panicSell
    inputs.thresholdVolumeRatio = p.volumeRatio
    inputs.thresholdSpreadRatio = p.spreadRatio
    inputs.thresholdPriceDrop = p.priceDrop
    inputs.thresholdSellShare = p.sellShare
    inputs.scoreVolumeRatio = p.scoreVolumeRatio
    inputs.largestOrderShare = base.largestOrderShare(TAKER_SELL)
    inputs.largestJump = base.largestJump(now, -1, params.jumpMs)
    inputs.jumpMs = params.jumpMs
    inputs.thresholdMaxOrderShare = p.maxOrderShare
    inputs.excludeJump = p.excludeJump
  } else if (type === FOMO) {
    const p = params.fomoBuy
    inputs.thresholdVolumeRatio = p.volumeRatio
    inputs.thresholdPriceRise = p.priceRise
    inputs.thresholdBuyShare = p.buyShare
    inputs.scoreVolumeRatio = p.scoreVolumeRatio
    inputs.largestOrderShare = base.largestOrderShare(TAKER_BUY)
    inputs.largestJump = base.largestJump(now, 1, params.jumpMs)
    inputs.jumpMs = params.jumpMs
    inputs.thresholdMaxOrderShare = p.maxOrderShare
    inputs.excludeJump = p.excludeJump
  } else {
    const p = params.liquidityVacuum
    inputs.thresholdDepthRatio = p.depthRatio
    inputs.thresholdSpreadRatio = p.spreadRatio
    inputs.withdrawnShare = finite(
      oneSided
        ? withdrawnShare(
            p.bandDepth ? base.baselineBandDepth() : base.baselineDepth(),
            token.oneSidedDepth,
            volume,
          )
        : vacuumWithdrawnShare(base, p.bandDepth, volume),
    )
    inputs.thresholdMinWithdrawnShare = p.minWithdrawnShare
    inputs.excludeCrowd = p.excludeCrowd
    inputs.oneSided = oneSided
    inputs.bandDepth = oneSided ? token.oneSidedDepth : base.bandDepth
    inputs.baselineBandDepth = finite(base.baselineBandDepth())
    inputs.vacuumDepthRatio = finite(
      oneSided
        ? token.oneSidedDepth / (p.bandDepth ? base.baselineBandDepth() : base.baselineDepth())
        : vacuumDepthRatio(base, p.bandDepth),
    )
    inputs.thresholdOneSided = p.oneSided
    inputs.useBandDepth = p.bandDepth
    inputs.heldMs = now - token.vacuumSince
    inputs.holdMs = p.holdMs
  }
  return Object.freeze({
    id,
    type: TYPE_NAMES[type]!,
    assetId: token.assetId,
    market: token.market,
    ts: ts as EpochMs,
    score,
    volumeRatio,
    spreadRatio,
    depthRatio,
    priceChange: base.mid - midBefore,
    refPrice: base.mid,
    mirrorOf,
    inputs: Object.freeze(inputs),
  })
}
