/**
 * What the signal engine reports: crowd-behaviour signals (SPEC 2.4) and, later, whether each
 * one's price move reverted. Prices here are floats in price units (0..1), research metrics.
 */
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'

export type SignalType = 'PANIC_SELL' | 'FOMO_BUY' | 'LIQUIDITY_VACUUM'

export const SIGNAL_TYPES: readonly SignalType[] = ['PANIC_SELL', 'FOMO_BUY', 'LIQUIDITY_VACUUM']

export type Signal = {
  /** 1, 2, … per engine, in emission order. */
  readonly id: number
  readonly type: SignalType
  readonly assetId: TokenId
  readonly market: MarketId
  /** Venue time of the triggering event. */
  readonly ts: EpochMs
  /** 0..1. */
  readonly score: number
  /** Short-window traded volume over its baseline; null when there is no baseline yet. */
  readonly volumeRatio: number | null
  /** Spread over its time-weighted baseline; null without a baseline. */
  readonly spreadRatio: number | null
  /** Top-N depth (both sides, shares) over its time-weighted baseline; null without one. */
  readonly depthRatio: number | null
  /** Signed mid change over the short window, price units. */
  readonly priceChange: number
  /** Mid at the signal, price units. */
  readonly refPrice: number
  /** Id of the complement-token signal this one mirrors (the same crowd move), or null. */
  readonly mirrorOf: number | null
  /** Everything the decision used: baselines, thresholds, book state. */
  readonly inputs: Readonly<Record<string, number | string | boolean | null>>
}

export type Reversion = {
  /** The price retraced at least the configured fraction of the move within the horizon. */
  readonly reverted: boolean
  /** Ms of event time from the signal to the reversion; null when it did not revert. */
  readonly reversionMs: number | null
  /** Fraction of the move retraced: the maximum within the horizon (or up to resolution). */
  readonly retrace: number
  /** Max favourable excursion of a fade entered at the signal's mid, price units (>= 0). */
  readonly mfe: number
  /** Max adverse excursion of that fade, price units (>= 0). */
  readonly mae: number
  /** Event time at which the outcome was settled. */
  readonly resolvedTs: EpochMs
}

export type SignalListener = {
  onSignal?(signal: Signal): void
  /** Once per signal, when its reversion is settled (in settlement order, not signal order). */
  onReversion?(signal: Signal, reversion: Reversion): void
}

export type SignalCounters = {
  signals: number
  panicSell: number
  fomoBuy: number
  liquidityVacuum: number
  /** Signals with `mirrorOf` set. */
  mirrored: number
  /** Detector conditions that held but fell inside the type's cooldown. */
  cooldownSuppressed: number
  reversionsResolved: number
  reverted: number
  /** Book updates ignored because the book was stale (or unusable). */
  staleBookUpdates: number
  /** Events whose venue time was earlier than one already seen (time is held, not rewound). */
  timeRewinds: number
  tokens: number
}
