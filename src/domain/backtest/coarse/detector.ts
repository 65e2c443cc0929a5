/**
 * The coarse over-reaction detector: a large mid move between two consecutive polls while the
 * contract is in play.
 *
 * - A poll is **quoted** when it has both sides and the ask is not below the bid; its mid is
 *   `(bid + ask) / 2`. Mids are kept doubled (`bid + ask`) so they stay whole ticks.
 * - Two polls are **comparable** when both are quoted, both spreads are at most
 *   `maxSpreadTicks`, and they are at most `maxGapMs` apart. Any other poll breaks the chain.
 * - **In play** has no schedule behind it (the data has none): the contract counts as in play
 *   at a pair when at least `inPlayMinMoves` of the `inPlayWindow` comparable pairs *before*
 *   it showed a mid change. The triggering move itself does not count, so one jump out of a
 *   flat pre-match market is not a signal. This is a proxy: a busy pre-match market passes it
 *   and a quiet stretch of a live game fails it.
 * - A **signal** is a comparable, in-play pair whose mid moved by at least `minMoveTicks`:
 *   `drop` when the long side fell, `rise` when it rose.
 *
 * The detector is a step function over polls in time order: it sees one poll at a time and
 * keeps only what it has seen, so it cannot look ahead.
 */
import type { CoarseParams, CoarseSignal, QuotePoll } from './types.js'

/** A view of a poll as doubled mid and spread, or null when it cannot be used for moves. */
export function usableQuote(
  poll: QuotePoll,
  maxSpreadTicks: number,
): { midX2: number; spread: number } | null {
  if (poll.bid === null || poll.ask === null || poll.ask < poll.bid) return null
  const spread = poll.ask - poll.bid
  if (spread > maxSpreadTicks) return null
  return { midX2: poll.bid + poll.ask, spread }
}

export function isQuoted(poll: QuotePoll): boolean {
  return poll.bid !== null && poll.ask !== null && poll.ask >= poll.bid
}

export type DetectorState = {
  /** The last usable poll, or null after a break. */
  prev: { ts: number; midX2: number } | null
  /** Whether each of the most recent comparable pairs (oldest first) changed the mid. */
  recent: boolean[]
}

export function initialDetectorState(): DetectorState {
  return { prev: null, recent: [] }
}

export type DetectorStep = {
  readonly comparable: boolean
  readonly inPlay: boolean
  readonly signal: CoarseSignal | null
}

/**
 * Feeds poll `index` to the detector (mutates `state`). Returns whether it formed a comparable
 * pair with the previous poll, whether the contract counted as in play, and any signal.
 */
export function detectStep(
  state: DetectorState,
  poll: QuotePoll,
  index: number,
  params: CoarseParams,
): DetectorStep {
  const quote = usableQuote(poll, params.maxSpreadTicks)
  if (quote === null) {
    state.prev = null
    state.recent = []
    return { comparable: false, inPlay: false, signal: null }
  }
  const prev = state.prev
  state.prev = { ts: poll.ts, midX2: quote.midX2 }
  if (prev === null || poll.ts - prev.ts > params.maxGapMs) {
    state.recent = []
    return { comparable: false, inPlay: false, signal: null }
  }
  const moves = state.recent.reduce((n, moved) => (moved ? n + 1 : n), 0)
  const inPlay = moves >= params.inPlayMinMoves
  const deltaX2 = quote.midX2 - prev.midX2
  state.recent.push(deltaX2 !== 0)
  if (state.recent.length > params.inPlayWindow) state.recent.shift()
  let signal: CoarseSignal | null = null
  if (inPlay && Math.abs(deltaX2) >= 2 * params.minMoveTicks) {
    signal = {
      index,
      ts: poll.ts,
      type: deltaX2 < 0 ? 'drop' : 'rise',
      moveTicks: Math.abs(deltaX2) / 2,
      midBefore: prev.midX2 / 2,
      midAfter: quote.midX2 / 2,
    }
  }
  return { comparable: true, inPlay, signal }
}

/** Every signal over a whole series (for inspection and tests; the simulation steps itself). */
export function detectMoves(polls: readonly QuotePoll[], params: CoarseParams): CoarseSignal[] {
  const state = initialDetectorState()
  const out: CoarseSignal[] = []
  polls.forEach((poll, i) => {
    const step = detectStep(state, poll, i, params)
    if (step.signal !== null) out.push(step.signal)
  })
  return out
}
