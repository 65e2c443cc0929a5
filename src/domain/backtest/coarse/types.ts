/**
 * Vocabulary of the coarse backtest: series of top-of-book polls (a quote every ~2 minutes, no
 * depth, no trades) with a settlement label, and what the fade simulation over them returns.
 * Prices are ticks, sizes share micros, money USDC micros, times epoch ms.
 */
import type { EpochMs, PriceTicks, ShareMicros } from '../../units.js'
import type { ClosedTrade } from '../types.js'

/**
 * One poll of a contract's top of book. A side is null when that side of the book was empty
 * (or, for a crossed poll, when the importer discarded both sides as not a tradable quote).
 */
export type QuotePoll = {
  readonly ts: EpochMs
  readonly bid: PriceTicks | null
  readonly ask: PriceTicks | null
  /** Collection segment (1 before the collector outage, 2 after). */
  readonly segment: number
}

/**
 * How the contract settled: `y` 1 when the long side won. `api` labels are the venue's
 * settlement; `convergence` labels were inferred from the price going to 0 or 1 and are biased
 * (only contracts whose price converged have one).
 */
export type SettlementLabel = {
  readonly y: 0 | 1
  readonly source: 'api' | 'convergence'
}

export type LabelSource = SettlementLabel['source'] | 'none'

/** A contract's poll series in time order, with what the report groups it by. */
export type CoarseContract = {
  readonly slug: string
  /** Bootstrap cluster: the event the contract belongs to (match and map contracts share it). */
  readonly match: string
  readonly game: string
  readonly kind: 'match' | 'map'
  readonly polls: readonly QuotePoll[]
  readonly label: SettlementLabel | null
}

/** Which over-reactions to fade. */
export type CoarseDirection = 'panic' | 'fomo' | 'both'

export type CoarseParams = {
  /** Minimum mid move between two consecutive comparable polls that counts as a signal. */
  readonly minMoveTicks: number
  /** Comparable poll pairs looked back over to decide whether the contract is in play. */
  readonly inPlayWindow: number
  /** How many of those pairs must show a mid change for the contract to count as in play. */
  readonly inPlayMinMoves: number
  /** Polls with a wider spread are not used for signals or entries (mid is meaningless). */
  readonly maxSpreadTicks: number
  /** Two polls further apart than this are not consecutive (outage, missing day, delisting). */
  readonly maxGapMs: number
  /** Exit when the bid recovers this fraction of the move (0 < r ≤ 1). */
  readonly retraceFraction: number
  /** Exit when the bid falls this far below the entry price. */
  readonly stopTicks: number
  /** Exit at the first sellable poll once this many polls have passed since entry. */
  readonly timeoutPolls: number
  /** Entries only at asks in [minEntryTicks, maxEntryTicks]. */
  readonly minEntryTicks: number
  readonly maxEntryTicks: number
  readonly direction: CoarseDirection
  /** Fixed size of every entry; the data has no depth, so any size "fills". */
  readonly size: ShareMicros
  /** Taker fee rate in basis points, assumed (the data does not carry the venue's schedule). */
  readonly feeRateBps: number
}

export const DEFAULT_COARSE_PARAMS: CoarseParams = {
  minMoveTicks: 1000,
  inPlayWindow: 5,
  inPlayMinMoves: 2,
  maxSpreadTicks: 500,
  maxGapMs: 300_000,
  retraceFraction: 0.5,
  stopTicks: 1000,
  timeoutPolls: 15,
  minEntryTicks: 500,
  maxEntryTicks: 9500,
  direction: 'both',
  size: 10_000_000 as ShareMicros,
  feeRateBps: 500,
}

/** A move the detector flagged: at poll `index`, the mid moved `moveTicks` from the poll before. */
export type CoarseSignal = {
  readonly index: number
  readonly ts: EpochMs
  /** `drop`: the long side's mid fell (panic); `rise`: it rose (fomo). */
  readonly type: 'drop' | 'rise'
  /** Absolute mid move in ticks (may be a half tick). */
  readonly moveTicks: number
  /** The long side's mids before and after the move, in ticks. */
  readonly midBefore: number
  readonly midAfter: number
}

/** A closed trade with what the coarse report groups it by. */
export type CoarseTrade = {
  readonly trade: ClosedTrade
  readonly game: string
  readonly kind: 'match' | 'map'
  readonly labelSource: LabelSource
  /** The position was held across a gap in the data longer than `maxGapMs`. */
  readonly acrossGap: boolean
}

export type EntrySkipReason =
  | 'next_poll_gap'
  | 'next_poll_unquoted'
  | 'next_poll_wide_spread'
  | 'entry_price_out_of_range'
  | 'already_reverted'
  | 'no_next_poll'

/** What happened over the series, for the report's counts. */
export type CoarseCounts = {
  contracts: number
  contractsTraded: number
  polls: number
  /** Polls with both sides, not crossed. */
  quotedPolls: number
  /** Consecutive quoted, narrow-spread polls within `maxGapMs` (moves are measured on these). */
  comparablePairs: number
  /** Comparable pairs at which the contract counted as in play. */
  inPlayPairs: number
  signals: { drop: number; rise: number }
  /** Signals while a position on the contract was open or an entry pending. */
  signalsWhileBusy: number
  entries: number
  entriesSkipped: Record<EntrySkipReason, number>
  /** Trades held across a data gap (their exit came after the gap). */
  tradesAcrossGap: number
}

export function emptyCounts(): CoarseCounts {
  return {
    contracts: 0,
    contractsTraded: 0,
    polls: 0,
    quotedPolls: 0,
    comparablePairs: 0,
    inPlayPairs: 0,
    signals: { drop: 0, rise: 0 },
    signalsWhileBusy: 0,
    entries: 0,
    entriesSkipped: {
      next_poll_gap: 0,
      next_poll_unquoted: 0,
      next_poll_wide_spread: 0,
      entry_price_out_of_range: 0,
      already_reverted: 0,
      no_next_poll: 0,
    },
    tradesAcrossGap: 0,
  }
}
