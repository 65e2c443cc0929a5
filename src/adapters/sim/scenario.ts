/**
 * What the simulator server needs from a scenario: a stepped clock, the books it serves and
 * the frames each step produces. Scenarios are synchronous and own their clock, so tests step
 * them without real time and a seed fixes every frame.
 */
import type { OrderBook } from '../../domain/book/order-book.js'
import type { EpochMs } from '../../domain/units.js'
import type { WireBook } from './true-book.js'

/** One outgoing market-channel message and the assets it concerns (for subscription filtering). */
export type SimFrame = {
  readonly assetIds: readonly string[]
  /** A venue-shaped event object (or an array of them), sent as JSON. */
  readonly payload: unknown
  /** The exact text to send instead of serialising `payload` (recorded frames). */
  readonly raw?: string
  /** Sent only to connections with `custom_feature_enabled` (`market_resolved`, …). */
  readonly customOnly?: boolean
  /**
   * Sent to every eligible connection whatever assets it subscribed to: `new_market` announces
   * tokens a client cannot have subscribed to yet.
   */
  readonly toAll?: boolean
}

/** A ground-truth crowd event, one NDJSON line in the labels file. */
export type SimLabel = {
  readonly type: 'panic_sell' | 'fomo_buy' | 'liquidity_vacuum'
  readonly asset_id: string
  readonly ts: number
  readonly round: number
  readonly score: string
}

/** A binary market as the discovery and REST routes describe it. */
export type SimMarketInfo = {
  readonly id: string
  readonly conditionId: string
  readonly question: string
  readonly slug: string
  readonly outcomes: readonly [string, string]
  readonly tokens: readonly [string, string]
  /** 'moneyline' for the match, 'child_moneyline' for a map. */
  readonly sportsMarketType: string
  readonly groupItemTitle: string
  readonly tickSize: string
  readonly minOrderSize: string
  readonly closed: boolean
}

/** The event (match) that groups the markets, for Gamma. */
export type SimEventInfo = {
  readonly id: string
  readonly slug: string
  readonly title: string
  readonly startTime: string
  readonly score: string
  readonly period: string
  readonly live: boolean
  readonly ended: boolean
  readonly markets: readonly SimMarketInfo[]
}

export interface Scenario {
  readonly name: string
  /** Simulated milliseconds per step. */
  readonly stepMs: number
  /** Current simulated time. */
  now(): EpochMs
  /** Every token the scenario serves. */
  assetIds(): readonly string[]
  /** The venue-shaped snapshot of a token's book, or undefined for an unknown token. */
  snapshot(assetId: string): WireBook | undefined
  /** The scenario's authoritative book for a token. */
  trueBook(assetId: string): OrderBook | undefined
  /** Events for Gamma (empty when the scenario has none, e.g. a replay). */
  events(): readonly SimEventInfo[]
  /** Advances the clock by one step and returns the frames it produced, in order. */
  step(): SimFrame[]
  /** True when nothing more will happen. */
  readonly done: boolean
  /** Labels produced so far. */
  readonly labels: readonly SimLabel[]
}
