/**
 * The built-in fades: bet that a crowd over-reaction reverts.
 * - `panic_fade`: on PANIC_SELL, buy the token that was dumped.
 * - `fomo_fade`: on FOMO_BUY, sell the token that was chased, i.e. buy its complement (we only
 *   ever hold outcome tokens); skipped when the complement is unknown.
 * - `vacuum`: on LIQUIDITY_VACUUM, fade whatever the mid did over the detector's window (a
 *   fall: buy the token; a rise: buy the complement); no move, no trade.
 * All three share the entry and exit rules: enter when score ≥ threshold on a fresh book;
 * target = the entry mid plus `retrace` × the move, stop = the entry mid minus `stop` × the
 * move, deadline = signal time + `timeoutS`.
 */
import { MAX_PRICE, PRICE_SCALE, type EpochMs, type PriceTicks } from '../units.js'
import type { TokenId } from '../market.js'
import { sharesFor } from './sizing.js'
import {
  parseNumericParams,
  type EntryRequest,
  type ExitDecision,
  type ParamValue,
  type PositionView,
  type Skip,
  type Strategy,
  type StrategyContext,
  type StrategyInstance,
  type StrategySignal,
} from './strategy.js'

export const FADE_DEFAULTS = {
  threshold: 0.7,
  retrace: 0.5,
  stop: 1,
  timeoutS: 180,
  maxSlippage: 0.02,
} as const satisfies Record<string, number>

const FADE_BOUNDS: Record<keyof typeof FADE_DEFAULTS, readonly [number, number]> = {
  threshold: [0, 1],
  retrace: [0.01, 5],
  stop: [0.01, 10],
  timeoutS: [1, 86_400],
  maxSlippage: [0, 1],
}

const FADE_HELP: Record<keyof typeof FADE_DEFAULTS, string> = {
  threshold: 'enter only when the signal score is at least this (0..1)',
  retrace: 'take profit when the mid has retraced this fraction of the move',
  stop: 'stop out when the mid moves a further this × the move against us',
  timeoutS: 'leave after this many seconds from the signal',
  maxSlippage: 'worst entry price = best ask at decision + this (price units)',
}

type FadeParams = { readonly [K in keyof typeof FADE_DEFAULTS]: number }

/** Which token a fade buys for a signal, or why it does not trade it. */
type Side = (signal: StrategySignal, ctx: StrategyContext) => TokenId | Skip

const skip = (reason: string): Skip => ({ kind: 'skip', reason })

function complementOrSkip(tokenId: TokenId, ctx: StrategyContext): TokenId | Skip {
  return ctx.complementOf(tokenId) ?? skip('complement_unknown')
}

function fadeInstance(type: string, side: Side, p: FadeParams): StrategyInstance {
  return {
    onSignal(signal, ctx): EntryRequest | Skip {
      if (signal.type !== type) return skip('other_signal_type')
      if (signal.score < p.threshold) return skip('below_threshold')
      const move = Math.abs(signal.priceChange)
      if (!(move > 0)) return skip('no_move')
      const token = side(signal, ctx)
      if (typeof token !== 'string') return token
      const book = ctx.book(token)
      if (book === undefined || book.stale) return skip('stale_book')
      const mid = book.mid()
      const ask = book.bestAsk()
      if (mid === null || ask === null) return skip('one_sided_book')
      const tick = book.tickSize
      const cap = Math.min(
        Math.floor((ask + p.maxSlippage * PRICE_SCALE) / tick) * tick,
        MAX_PRICE - tick,
      )
      if (cap < ask) return skip('no_room_below_one')
      const targetMid = mid + p.retrace * move
      const stopMid = mid - p.stop * move
      const askUnits = ask / PRICE_SCALE
      const size = sharesFor(ctx.sizing, ask, ctx.equity(), {
        winProbability: signal.score,
        winPerShare: targetMid - askUnits,
        lossPerShare: askUnits - stopMid,
      })
      if (size <= 0) return skip('no_edge')
      if (size < ctx.meta(token).minSize) return skip('below_min_size')
      return {
        kind: 'enter',
        tokenId: token,
        size,
        maxPrice: cap as PriceTicks,
        exit: { targetMid, stopMid, deadline: (signal.ts + p.timeoutS * 1000) as EpochMs },
      }
    },
    onTick(position: PositionView, ctx): ExitDecision {
      if (ctx.now() >= position.exit.deadline) return 'timeout'
      const book = ctx.book(position.tokenId)
      if (book === undefined || book.stale) return null
      const mid = book.mid()
      if (mid === null) return null
      if (mid >= position.exit.targetMid) return 'target'
      if (mid <= position.exit.stopMid) return 'stop'
      return null
    },
  }
}

function fadeStrategy(name: string, summary: string, type: string, side: Side): Strategy {
  return {
    name,
    summary,
    defaults: FADE_DEFAULTS,
    paramHelp: FADE_HELP,
    parseParams(overrides) {
      return parseNumericParams(name, FADE_DEFAULTS, FADE_BOUNDS, overrides)
    },
    create(params: Readonly<Record<string, ParamValue>>) {
      const p = parseNumericParams(name, FADE_DEFAULTS, FADE_BOUNDS, params) as FadeParams
      return fadeInstance(type, side, p)
    },
  }
}

export const panicFade: Strategy = fadeStrategy(
  'panic_fade',
  'on PANIC_SELL buy the panicked token',
  'PANIC_SELL',
  (signal) => signal.assetId,
)

export const fomoFade: Strategy = fadeStrategy(
  'fomo_fade',
  "on FOMO_BUY buy the complement of the chased token (sell the FOMO'd outcome)",
  'FOMO_BUY',
  (signal, ctx) => complementOrSkip(signal.assetId, ctx),
)

export const vacuumFade: Strategy = fadeStrategy(
  'vacuum',
  'on LIQUIDITY_VACUUM fade the mid move (fall: buy the token; rise: buy the complement)',
  'LIQUIDITY_VACUUM',
  (signal, ctx) =>
    signal.priceChange < 0 ? signal.assetId : complementOrSkip(signal.assetId, ctx),
)
