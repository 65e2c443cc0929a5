/**
 * The coarse fade: trades the detector's over-reactions on poll series, entering and exiting
 * only at polls.
 *
 * - **Entry** at the poll *after* the signal, never the signal's own poll: a `drop` buys the
 *   long side at that poll's ask; a `rise` buys the complement at `1 − bid` (the complement's
 *   book is taken as the mirror of the long side's). The entry carries a worst-price cap at
 *   the target: when the next poll has already retraced that far, it does not fill. It is also
 *   skipped when that poll is more than `maxGapMs` after the signal, one-sided, crossed, wider
 *   than `maxSpreadTicks`, or its ask is outside `[minEntryTicks, maxEntryTicks]`.
 * - **Exits**, checked from the poll after the entry on, sell at the poll's bid: `target` when
 *   the bid has recovered `retraceFraction` of the move (target = mid after + r × (mid before −
 *   mid after)), `stop` when the bid is `stopTicks` below the entry price, `timeout` once
 *   `timeoutPolls` polls have passed. A poll without a bid cannot be sold into; the position
 *   waits. When the series ends with the position open it settles at 1 or 0 from the label
 *   (`resolution`, no fee, at the last poll's time) or, without a label, is sold at the last
 *   bid seen (`end_of_data`).
 * - Fees: the taker formula on both fills at the assumed rate; none on settlement.
 * - One position per contract; signals while one is open or pending are counted and dropped.
 *
 * Every decision at poll i reads polls up to i only (plus, for the entry, the quote it fills
 * at); the label is read only to settle a position the series ends with.
 */
import { invariant } from '../../errors.js'
import type { MarketId, TokenId } from '../../market.js'
import {
  notional,
  PRICE_SCALE,
  type EpochMs,
  type PriceTicks,
  type UsdcMicros,
} from '../../units.js'
import { takerFee } from '../fees.js'
import type { ClosedTrade, ExitReason } from '../types.js'
import { detectStep, initialDetectorState, isQuoted } from './detector.js'
import {
  emptyCounts,
  type CoarseContract,
  type CoarseCounts,
  type CoarseParams,
  type CoarseSignal,
  type CoarseTrade,
  type QuotePoll,
} from './types.js'

export const COARSE_STRATEGY = 'coarse_fade'

type View = 'long' | 'complement'

type Quote = { bid: number | null; ask: number | null }

/** The poll as seen from the side we hold: the complement's bid is `1 − ask`, its ask `1 − bid`. */
function viewOf(poll: QuotePoll, view: View): Quote {
  if (poll.bid !== null && poll.ask !== null && poll.ask < poll.bid) return { bid: null, ask: null }
  if (view === 'long') return { bid: poll.bid, ask: poll.ask }
  return {
    bid: poll.ask === null ? null : PRICE_SCALE - poll.ask,
    ask: poll.bid === null ? null : PRICE_SCALE - poll.bid,
  }
}

type Open = {
  readonly view: View
  readonly signal: CoarseSignal
  readonly signalId: number
  readonly entryTs: EpochMs
  readonly entryPrice: PriceTicks
  readonly entryFee: UsdcMicros
  readonly target: number
  readonly stopLevel: number
  held: number
  acrossGap: boolean
  reversionTs: number | null
  lastBid: PriceTicks
  lastBidTs: EpochMs
}

/** Checks the parameters once; the CLI validates flags before and names them. */
export function checkCoarseParams(p: CoarseParams): void {
  const whole = (n: number, min: number) => Number.isSafeInteger(n) && n >= min
  invariant(whole(p.minMoveTicks, 1) && p.minMoveTicks <= PRICE_SCALE, 'minMoveTicks out of range')
  invariant(whole(p.inPlayWindow, 1), 'inPlayWindow must be a whole number ≥ 1')
  invariant(
    whole(p.inPlayMinMoves, 0) && p.inPlayMinMoves <= p.inPlayWindow,
    'inPlayMinMoves must be in 0..inPlayWindow',
  )
  invariant(whole(p.maxSpreadTicks, 0), 'maxSpreadTicks must be ≥ 0')
  invariant(whole(p.maxGapMs, 1), 'maxGapMs must be ≥ 1')
  invariant(p.retraceFraction > 0 && p.retraceFraction <= 1, 'retraceFraction must be in (0, 1]')
  invariant(whole(p.stopTicks, 1), 'stopTicks must be ≥ 1')
  invariant(whole(p.timeoutPolls, 1), 'timeoutPolls must be ≥ 1')
  invariant(
    whole(p.minEntryTicks, 1) &&
      p.minEntryTicks <= p.maxEntryTicks &&
      p.maxEntryTicks < PRICE_SCALE,
    'entry price range must be within (0, 1)',
  )
  invariant(whole(p.size, 1), 'size must be ≥ 1 share micro')
}

/** Numbering shared across contracts so ids are unique and deterministic over a run. */
export type CoarseIds = { nextTradeId: number; nextSignalId: number }

/**
 * Simulates one contract. Adds to `counts` and `ids`; returns the contract's closed trades.
 */
export function simulateContract(
  contract: CoarseContract,
  params: CoarseParams,
  counts: CoarseCounts,
  ids: CoarseIds,
): CoarseTrade[] {
  const polls = contract.polls
  const detector = initialDetectorState()
  const trades: CoarseTrade[] = []
  let open: Open | null = null
  let pending: { signal: CoarseSignal; view: View; signalId: number } | null = null
  counts.contracts++

  const close = (o: Open, exitPrice: number, exitTs: number, reason: ExitReason, fee: number) => {
    const cost = notional(o.entryPrice, params.size, 'up')
    const proceeds = notional(exitPrice as PriceTicks, params.size, 'down')
    const fees = o.entryFee + fee
    const tokenId = o.view === 'long' ? contract.slug : `${contract.slug}:no`
    const trade: ClosedTrade = {
      id: ids.nextTradeId++,
      market: contract.slug as MarketId,
      tokenId: tokenId as TokenId,
      match: contract.match,
      strategy: COARSE_STRATEGY,
      substrategy: null,
      signalId: o.signalId,
      signalType: o.signal.type === 'drop' ? 'coarse_drop' : 'coarse_rise',
      score: Math.min(1, o.signal.moveTicks / (2 * params.minMoveTicks)),
      entryTs: o.entryTs,
      exitTs: exitTs as EpochMs,
      entryPrice: o.entryPrice,
      exitPrice,
      size: params.size,
      fees: fees as UsdcMicros,
      profit: (proceeds - cost - fees) as UsdcMicros,
      exitReason: reason,
      reversionS: o.reversionTs === null ? null : (o.reversionTs - o.signal.ts) / 1000,
    }
    if (o.acrossGap) counts.tradesAcrossGap++
    trades.push({
      trade,
      game: contract.game,
      kind: contract.kind,
      labelSource: contract.label?.source ?? 'none',
      acrossGap: o.acrossGap,
    })
  }

  for (let i = 0; i < polls.length; i++) {
    const poll = polls[i] as QuotePoll
    counts.polls++
    if (isQuoted(poll)) counts.quotedPolls++
    const gap = i === 0 ? 0 : poll.ts - (polls[i - 1] as QuotePoll).ts

    if (open !== null) {
      open.held++
      if (gap > params.maxGapMs) open.acrossGap = true
      const q = viewOf(poll, open.view)
      if (q.bid !== null && q.ask !== null && open.reversionTs === null) {
        if ((q.bid + q.ask) / 2 >= open.target) open.reversionTs = poll.ts
      }
      if (q.bid !== null) {
        const bid = q.bid as PriceTicks
        open.lastBid = bid
        open.lastBidTs = poll.ts
        const reason: ExitReason | null =
          bid >= open.target
            ? 'target'
            : bid <= open.stopLevel
              ? 'stop'
              : open.held >= params.timeoutPolls
                ? 'timeout'
                : null
        if (reason !== null) {
          close(open, bid, poll.ts, reason, takerFee(params.size, bid, params.feeRateBps))
          open = null
        }
      }
    }

    if (pending !== null) {
      const { signal, view, signalId } = pending
      pending = null
      const q = viewOf(poll, view)
      const before = view === 'long' ? signal.midBefore : PRICE_SCALE - signal.midBefore
      const after = view === 'long' ? signal.midAfter : PRICE_SCALE - signal.midAfter
      const target = after + params.retraceFraction * (before - after)
      let skip: keyof CoarseCounts['entriesSkipped'] | null = null
      if (gap > params.maxGapMs) skip = 'next_poll_gap'
      else if (q.bid === null || q.ask === null) skip = 'next_poll_unquoted'
      else if (q.ask - q.bid > params.maxSpreadTicks) skip = 'next_poll_wide_spread'
      else if (q.ask < params.minEntryTicks || q.ask > params.maxEntryTicks)
        skip = 'entry_price_out_of_range'
      else if (q.ask >= target) skip = 'already_reverted'
      if (skip !== null || q.bid === null || q.ask === null) {
        counts.entriesSkipped[skip ?? 'next_poll_unquoted']++
      } else {
        const ask = q.ask as PriceTicks
        counts.entries++
        open = {
          view,
          signal,
          signalId,
          entryTs: poll.ts,
          entryPrice: ask,
          entryFee: takerFee(params.size, ask, params.feeRateBps),
          target,
          stopLevel: ask - params.stopTicks,
          held: 0,
          acrossGap: false,
          reversionTs: null,
          lastBid: q.bid as PriceTicks,
          lastBidTs: poll.ts,
        }
      }
    }

    const step = detectStep(detector, poll, i, params)
    if (step.comparable) counts.comparablePairs++
    if (step.comparable && step.inPlay) counts.inPlayPairs++
    const signal = step.signal
    if (signal === null) continue
    const view: View = signal.type === 'drop' ? 'long' : 'complement'
    const wanted =
      params.direction === 'both' || (params.direction === 'panic') === (view === 'long')
    if (!wanted) continue
    counts.signals[signal.type]++
    const signalId = ids.nextSignalId++
    if (open !== null) counts.signalsWhileBusy++
    else pending = { signal, view, signalId }
  }

  if (pending !== null) counts.entriesSkipped.no_next_poll++
  if (open !== null) {
    const last = polls[polls.length - 1] as QuotePoll
    if (contract.label !== null) {
      const won = open.view === 'long' ? contract.label.y === 1 : contract.label.y === 0
      close(open, won ? PRICE_SCALE : 0, last.ts, 'resolution', 0)
    } else {
      const bid = open.lastBid
      close(open, bid, open.lastBidTs, 'end_of_data', takerFee(params.size, bid, params.feeRateBps))
    }
  }
  if (trades.length > 0) counts.contractsTraded++
  return trades
}

export type CoarseResult = { trades: CoarseTrade[]; counts: CoarseCounts }

/**
 * Runs the fade over every contract, in the order given (the importer yields them sorted by
 * slug, so trade ids are deterministic).
 * @throws InvariantError when a parameter is out of range or a series is not in time order.
 */
export function runCoarseFade(
  contracts: Iterable<CoarseContract>,
  params: CoarseParams,
): CoarseResult {
  checkCoarseParams(params)
  const counts = emptyCounts()
  const ids: CoarseIds = { nextTradeId: 1, nextSignalId: 1 }
  const trades: CoarseTrade[] = []
  for (const contract of contracts) {
    for (let i = 1; i < contract.polls.length; i++)
      invariant(
        (contract.polls[i] as QuotePoll).ts > (contract.polls[i - 1] as QuotePoll).ts,
        `polls of ${contract.slug} are not in strictly increasing time order at index ${i}`,
      )
    for (const t of simulateContract(contract, params, counts, ids)) trades.push(t)
  }
  return { trades, counts }
}
