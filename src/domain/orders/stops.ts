/**
 * Emulated stops. The venue has no stop orders, so the daemon watches the book and, when a
 * level is reached, sends a marketable exit order itself. This module is the pure half: one
 * {@link Stop} per entry order, the levels it watches, and every change of state as a function
 * from the old value to a new one (nothing is mutated).
 *
 * A stop protects the shares an entry order bought. Its offsets count the market's ticks (the
 * tick at the first entry fill) from the entry price, the size-weighted price of the entry's
 * fills:
 * - `long` (shares held, watched on their own book through the best bid, the price they could be
 *   sold at): stop-loss at `entry − N`, take-profit at `entry + N`, trailing stop at
 *   `highest bid seen − N` (the highest bid starts at the entry price);
 * - `short` (the mirror, for a position watched through the complement's book, e.g. NO shares
 *   seen on the YES book, through the best ask): stop-loss at `entry + N`, take-profit at
 *   `entry − N`, trailing stop at `lowest ask seen + N`.
 *
 * A level is reached when the quote is at or beyond it, so a quote that jumps past a level (a
 * gap) still triggers, once: only an `armed` stop can trigger, and triggering leaves `armed`.
 *
 * States:
 * - `pending`: the entry order has not filled yet (size 0);
 * - `armed`: watching the book;
 * - `triggered`: a level was reached; the exit order is about to be sent (stored first);
 * - `released`: the exit order was accepted; `exitFilled` follows its fills;
 * - `cancelled`: by a person, or because nothing was left to protect;
 * - `failed`: the exit order was refused (risk, venue).
 */
import { invariant } from '../errors.js'
import type { MarketId, TickSize, TokenId } from '../market.js'
import { MAX_PRICE, type EpochMs, type PriceTicks, type ShareMicros } from '../units.js'

export type StopSide = 'long' | 'short'

export type StopState = 'pending' | 'armed' | 'triggered' | 'released' | 'cancelled' | 'failed'

/** Which level fired. */
export type StopTrigger = 'stop_loss' | 'take_profit' | 'trailing_stop'

/** Offsets in market ticks; null = that level is not used. At least one is set. */
export type StopOffsets = {
  readonly stopLossTicks: number | null
  readonly takeProfitTicks: number | null
  readonly trailingStopTicks: number | null
}

export type Stop = StopOffsets & {
  readonly id: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: StopSide
  /** Client order id of the entry order whose fills the stop protects. */
  readonly entryOrderId: string
  /** Size-weighted price of the entry fills, rounded to the nearest PriceTick; 0 while pending. */
  readonly entryPrice: PriceTicks
  /** Shares protected: the entry fills so far. */
  readonly size: ShareMicros
  /** PriceTicks per market tick, fixed at arming (the offsets are counted in it). */
  readonly tickSize: TickSize
  /** Best quote seen in the position's favour since arming; the trailing stop's reference. */
  readonly extreme: PriceTicks | null
  readonly state: StopState
  readonly trigger: StopTrigger | null
  /** The quote that reached the level (the best bid for `long`). */
  readonly triggerPrice: PriceTicks | null
  readonly triggeredMs: EpochMs | null
  /** Client order id of the exit order once one is decided. */
  readonly exitOrderId: string | null
  /** Shares the exit order has filled. */
  readonly exitFilled: ShareMicros
  /** Why a stop was cancelled or failed: a stable code and a sentence. */
  readonly reasonCode: string | null
  readonly reasonMessage: string | null
  readonly createdMs: EpochMs
  readonly updatedMs: EpochMs
}

/** The best prices of the watched book; null for an empty side. */
export type Quote = { readonly bestBid: PriceTicks | null; readonly bestAsk: PriceTicks | null }

/** Where each level stands now, in PriceTicks (may fall outside 0..10 000: never reached). */
export type StopLevels = {
  readonly stopLoss: number | null
  readonly takeProfit: number | null
  readonly trailingStop: number | null
}

const TRANSITIONS: Readonly<Record<StopState, readonly StopState[]>> = {
  pending: ['armed', 'cancelled'],
  armed: ['triggered', 'cancelled'],
  // A triggered stop with nothing left to sell is cancelled rather than released.
  triggered: ['released', 'failed', 'cancelled'],
  released: [],
  cancelled: [],
  failed: [],
}

/** States a stop never leaves. */
export const FINAL_STOP_STATES: ReadonlySet<StopState> = new Set([
  'released',
  'cancelled',
  'failed',
])

export function canTransition(from: StopState, to: StopState): boolean {
  return TRANSITIONS[from].includes(to)
}

/** Checks offsets: integers ≥ 1 or null, at least one set. Returns the problems (empty = fine). */
export function offsetProblems(offsets: StopOffsets): string[] {
  const problems: string[] = []
  const named: [string, number | null][] = [
    ['stop_loss_ticks', offsets.stopLossTicks],
    ['take_profit_ticks', offsets.takeProfitTicks],
    ['trailing_stop_ticks', offsets.trailingStopTicks],
  ]
  for (const [name, value] of named) {
    if (value !== null && (!Number.isSafeInteger(value) || value < 1)) {
      problems.push(`${name}: must be a whole number of ticks, at least 1`)
    }
  }
  if (named.every(([, value]) => value === null)) {
    problems.push(
      'a stop needs at least one of stop_loss_ticks, take_profit_ticks, trailing_stop_ticks',
    )
  }
  return problems
}

/** True when at least one offset is set. */
export function hasOffsets(offsets: StopOffsets): boolean {
  return (
    offsets.stopLossTicks !== null ||
    offsets.takeProfitTicks !== null ||
    offsets.trailingStopTicks !== null
  )
}

/** A stop waiting for its entry order to fill. Throws `InvariantError` for bad offsets. */
export function newStop(input: {
  readonly id: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: StopSide
  readonly entryOrderId: string
  readonly tickSize: TickSize
  readonly offsets: StopOffsets
  readonly now: EpochMs
}): Stop {
  const problems = offsetProblems(input.offsets)
  invariant(problems.length === 0, `stop ${input.id}: ${problems.join('; ')}`)
  invariant(input.tickSize > 0, `stop ${input.id}: tick size must be positive`)
  return {
    id: input.id,
    market: input.market,
    tokenId: input.tokenId,
    side: input.side,
    entryOrderId: input.entryOrderId,
    entryPrice: 0 as PriceTicks,
    size: 0 as ShareMicros,
    tickSize: input.tickSize,
    stopLossTicks: input.offsets.stopLossTicks,
    takeProfitTicks: input.offsets.takeProfitTicks,
    trailingStopTicks: input.offsets.trailingStopTicks,
    extreme: null,
    state: 'pending',
    trigger: null,
    triggerPrice: null,
    triggeredMs: null,
    exitOrderId: null,
    exitFilled: 0 as ShareMicros,
    reasonCode: null,
    reasonMessage: null,
    createdMs: input.now,
    updatedMs: input.now,
  }
}

/**
 * Adds one entry fill: the size grows and the entry price becomes the size-weighted average.
 * The first fill arms a pending stop, with the tick in force then; the trailing reference starts
 * at the entry price and never moves back. Fills after the stop has left `pending`/`armed`
 * are not its business (the caller protects them with a new stop) and throw.
 */
export function addEntryFill(
  stop: Stop,
  fill: { readonly price: PriceTicks; readonly size: ShareMicros; readonly tickSize?: TickSize },
  now: EpochMs,
): Stop {
  invariant(
    stop.state === 'pending' || stop.state === 'armed',
    `stop ${stop.id} is ${stop.state}; an entry fill can only arm a pending or armed stop`,
  )
  invariant(fill.size > 0, `stop ${stop.id}: an entry fill must have a positive size`)
  const size = stop.size + fill.size
  const entry = Math.round((stop.entryPrice * stop.size + fill.price * fill.size) / size)
  const better = stop.side === 'long' ? Math.max : Math.min
  const extreme = stop.extreme === null ? entry : better(stop.extreme, entry)
  return {
    ...stop,
    tickSize: stop.state === 'pending' ? (fill.tickSize ?? stop.tickSize) : stop.tickSize,
    size: size as ShareMicros,
    entryPrice: entry as PriceTicks,
    extreme: extreme as PriceTicks,
    state: 'armed',
    updatedMs: now,
  }
}

/** The levels of an armed (or later) stop; null for unused levels and before arming. */
export function stopLevels(stop: Stop): StopLevels {
  if (stop.state === 'pending') return { stopLoss: null, takeProfit: null, trailingStop: null }
  const dir = stop.side === 'long' ? 1 : -1
  const tick = stop.tickSize
  const at = (from: number, ticks: number | null, away: 1 | -1): number | null =>
    ticks === null ? null : from + away * dir * ticks * tick
  return {
    stopLoss: at(stop.entryPrice, stop.stopLossTicks, -1),
    takeProfit: at(stop.entryPrice, stop.takeProfitTicks, 1),
    trailingStop: stop.extreme === null ? null : at(stop.extreme, stop.trailingStopTicks, -1),
  }
}

/**
 * One book update for an armed stop. Returns the same object when nothing changed; otherwise a
 * new stop whose trailing reference moved and/or which is now `triggered`. Levels are checked in
 * the order stop-loss, trailing stop, take-profit, after the trailing reference has taken the
 * new quote (so a quote never triggers the trailing stop against itself). A missing side (no
 * bids for a long) changes nothing: there is nothing to sell into.
 */
export function evaluateStop(stop: Stop, quote: Quote, now: EpochMs): Stop {
  if (stop.state !== 'armed') return stop
  const long = stop.side === 'long'
  const price = long ? quote.bestBid : quote.bestAsk
  if (price === null) return stop
  const reference = stop.extreme ?? stop.entryPrice
  const extreme = (long ? Math.max(reference, price) : Math.min(reference, price)) as PriceTicks
  const moved = extreme !== stop.extreme ? { ...stop, extreme } : stop
  const levels = stopLevels(moved)
  // "Against the position": down for a long, up for a short.
  const reachedAgainst = (level: number | null): boolean =>
    level !== null && (long ? price <= level : price >= level)
  const reachedFor = (level: number | null): boolean =>
    level !== null && (long ? price >= level : price <= level)
  let trigger: StopTrigger | null = null
  if (reachedAgainst(levels.stopLoss)) trigger = 'stop_loss'
  else if (reachedAgainst(levels.trailingStop)) trigger = 'trailing_stop'
  else if (reachedFor(levels.takeProfit)) trigger = 'take_profit'
  if (trigger === null) return moved === stop ? stop : { ...moved, updatedMs: now }
  return {
    ...moved,
    state: 'triggered',
    trigger,
    triggerPrice: price,
    triggeredMs: now,
    updatedMs: now,
  }
}

/** The side of the exit order: a long sells its shares, a short buys. */
export function exitSide(stop: Stop): 'buy' | 'sell' {
  return stop.side === 'long' ? 'sell' : 'buy'
}

/**
 * The exit order's worst price: `slippageTicks` market ticks beyond the trigger quote (below it
 * for a sell, above for a buy), kept on the tick grid and inside the tradable range
 * (`tick .. 10 000 − tick`).
 */
export function exitWorstPrice(
  side: 'buy' | 'sell',
  triggerPrice: PriceTicks,
  slippageTicks: number,
  tick: TickSize,
): PriceTicks {
  invariant(
    Number.isSafeInteger(slippageTicks) && slippageTicks >= 0,
    `slippage must be a whole number of ticks ≥ 0, got ${slippageTicks}`,
  )
  // Either way the price stays strictly inside (0, 1), even for a trigger at a bound.
  const worst =
    side === 'sell'
      ? Math.floor((triggerPrice - slippageTicks * tick) / tick) * tick
      : Math.ceil((triggerPrice + slippageTicks * tick) / tick) * tick
  return Math.min(Math.max(worst, tick), MAX_PRICE - tick) as PriceTicks
}

function moveTo(stop: Stop, to: StopState, now: EpochMs, change: Partial<Stop> = {}): Stop {
  invariant(canTransition(stop.state, to), `stop ${stop.id} cannot go from ${stop.state} to ${to}`)
  return { ...stop, ...change, state: to, updatedMs: now }
}

/** Names the exit order of a triggered stop (before it is sent). */
export function withExitOrder(stop: Stop, exitOrderId: string, now: EpochMs): Stop {
  invariant(stop.state === 'triggered', `stop ${stop.id} is ${stop.state}, not triggered`)
  return { ...stop, exitOrderId, updatedMs: now }
}

/** A triggered stop whose exit order was accepted. */
export function releaseStop(stop: Stop, exitOrderId: string, now: EpochMs): Stop {
  return moveTo(stop, 'released', now, { exitOrderId })
}

/** A triggered stop whose exit order was refused. */
export function failStop(stop: Stop, code: string, message: string, now: EpochMs): Stop {
  return moveTo(stop, 'failed', now, { reasonCode: code, reasonMessage: message })
}

/** A pending, armed or (with nothing left to sell) triggered stop that will not act. */
export function cancelStop(stop: Stop, code: string, message: string, now: EpochMs): Stop {
  return moveTo(stop, 'cancelled', now, { reasonCode: code, reasonMessage: message })
}

/** Records what the exit order has filled so far (never decreases). */
export function recordExitFill(stop: Stop, filled: ShareMicros, now: EpochMs): Stop {
  if (filled <= stop.exitFilled) return stop
  return { ...stop, exitFilled: filled, updatedMs: now }
}
