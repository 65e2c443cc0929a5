/**
 * The strategy interface of the backtester (and, later, of paper and live trading). A strategy
 * is a small pure module: it sees a signal or an open position together with a read-only
 * context, and answers with a decision. The engine owns everything else — order ids, the
 * simulated venue, the portfolio, the clock — and enforces the rules every strategy shares:
 * one open position per market, no entry on a mirror signal or a stale book, and no read of
 * data stamped later than the current event (see docs/BACKTEST.md, "Writing a strategy").
 */
import type { BookView } from '../book/order-book.js'
import type { GameEvent } from '../game-events.js'
import type { MarketId, TickSize, TokenId } from '../market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../units.js'
import type { Sizing } from './sizing.js'

/**
 * What a strategy sees of a signal: the engine's `Signal` (src/engine/signals/types.ts) is
 * assignable to it. Prices are floats in price units (0..1).
 */
export type StrategySignal = {
  readonly id: number
  readonly type: string
  readonly assetId: TokenId
  readonly market: MarketId
  /** Venue time of the triggering event. */
  readonly ts: EpochMs
  /** 0..1. */
  readonly score: number
  /** Signed mid change over the detector's short window. */
  readonly priceChange: number
  /** Mid at the signal. */
  readonly refPrice: number
  /** Id of the complement-token signal this one mirrors, or null. */
  readonly mirrorOf: number | null
}

/** Trading facts of a market, from the recording, flags or documented defaults. */
export type MarketMeta = {
  readonly tickSize: TickSize
  /** Smallest order the venue accepts (5 shares on Polymarket). */
  readonly minSize: ShareMicros
  readonly feeRateBps: number
  /** Seconds the venue holds a marketable order before matching it (in-play markets). */
  readonly secondsDelay: number
}

/** The position a strategy manages, as the engine keeps it. */
export type PositionView = {
  readonly market: MarketId
  readonly tokenId: TokenId
  /** Shares held now (entry fills minus exit fills). */
  readonly size: ShareMicros
  /** The signal that opened it. */
  readonly signal: StrategySignal
  /** Size-weighted entry price in ticks (may be fractional). */
  readonly entryPrice: number
  readonly exit: ExitPlan
}

/** When to leave, decided at entry. Prices in price units (0..1) of the held token's mid. */
export type ExitPlan = {
  /** Take profit when the mid reaches this (at or above). */
  readonly targetMid: number
  /** Cut the loss when the mid falls to this (at or below). */
  readonly stopMid: number
  /** Leave at this venue time whatever the price. */
  readonly deadline: EpochMs
}

/** A request to open a position: a marketable buy (fill-and-kill) no worse than `maxPrice`. */
export type EntryRequest = {
  readonly kind: 'enter'
  readonly tokenId: TokenId
  readonly size: ShareMicros
  readonly maxPrice: PriceTicks
  readonly exit: ExitPlan
}

/** A signal the strategy saw and let pass, with a short lower_snake reason that is counted. */
export type Skip = { readonly kind: 'skip'; readonly reason: string }

export type ExitDecision = 'target' | 'stop' | 'timeout' | null

/**
 * Read-only view of the world at the current event. Every read is checked against the clock:
 * asking for anything stamped later than `now()` throws a `LookaheadError` and fails the run.
 */
export type StrategyContext = {
  /** Venue time of the event being processed (never decreases). */
  now(): EpochMs
  /** The token's book as it stands now, or undefined when none was seen. */
  book(tokenId: TokenId): BookView | undefined
  /** The token's last usable mid at or before `ts`; throws when `ts` is after now. */
  midAt(tokenId: TokenId, ts: EpochMs): number | null
  /** The other outcome of a two-outcome market, when known. */
  complementOf(tokenId: TokenId): TokenId | null
  meta(tokenId: TokenId): MarketMeta
  /** Cash plus open positions at their entry cost (for sizing). */
  equity(): UsdcMicros
  /**
   * The latest game event about `market` (or the token or its complement) with time in
   * [from, until]; throws when `until` is after now.
   */
  lastGameEvent(market: MarketId, tokenId: TokenId, from: EpochMs, until: EpochMs): GameEvent | null
  readonly sizing: Sizing
}

/** A strategy instance with its parameters bound; may keep state across calls. */
export type StrategyInstance = {
  /** Called for every non-mirror signal on a market without an open position. */
  onSignal(signal: StrategySignal, ctx: StrategyContext): EntryRequest | Skip
  /** Called on every book change of an open position's token, and when its deadline passes. */
  onTick(position: PositionView, ctx: StrategyContext): ExitDecision
}

export type ParamValue = number | string | boolean

/** A strategy module: what users write to add their own. */
export type Strategy = {
  readonly name: string
  readonly summary: string
  /** Every parameter with its default; `parseParams` accepts only these keys. */
  readonly defaults: Readonly<Record<string, ParamValue>>
  /** One line per parameter for `--help` and the docs. */
  readonly paramHelp: Readonly<Record<string, string>>
  /** Validates overrides on top of the defaults; throws `StrategyParamError` naming the key. */
  parseParams(overrides: Readonly<Record<string, unknown>>): Readonly<Record<string, ParamValue>>
  create(params: Readonly<Record<string, ParamValue>>): StrategyInstance
}

/** A bad strategy parameter: names the key, what was expected and what was given. */
export class StrategyParamError extends Error {
  readonly code = 'STRATEGY_PARAM'
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message)
    this.name = 'StrategyParamError'
  }
}

/**
 * Validates numeric overrides against numeric defaults: unknown keys and values outside
 * [min, max] are errors. Numbers given as text (from the command line) are accepted.
 */
export function parseNumericParams(
  strategy: string,
  defaults: Readonly<Record<string, number>>,
  bounds: Readonly<Record<string, readonly [min: number, max: number]>>,
  overrides: Readonly<Record<string, unknown>>,
): Record<string, number> {
  const out: Record<string, number> = { ...defaults }
  for (const [key, raw] of Object.entries(overrides)) {
    if (!(key in defaults)) {
      throw new StrategyParamError(
        key,
        `${strategy} has no parameter "${key}"; known: ${Object.keys(defaults).join(', ')}`,
      )
    }
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
    const [min, max] = bounds[key] ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new StrategyParamError(
        key,
        `${strategy} parameter ${key} must be a number in [${min}, ${max}]; got ${JSON.stringify(raw)}`,
      )
    }
    out[key] = value
  }
  return out
}
