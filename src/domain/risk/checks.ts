/**
 * The pre-trade risk check: one pure function from an order and a {@link RiskContext} to a
 * {@link RiskDecision}. Every order path (terminal, API, automation) calls it before an order
 * leaves the process; cancels never go through it ({@link checkCancel}).
 *
 * Principles (docs/RISK.md has the full table):
 * - Rules limit new exposure; they never trap a person in a position. An order is
 *   *exposure-reducing* when it sells at most the shares held of its token; reduce-only states,
 *   cooldowns, the stale-book, spread, position and approval rules apply to the others only.
 * - A halt stops every order except protective exits (panic close, emulated stops: the caller
 *   sets `protective`), which must also be exposure-reducing.
 * - The first failing rule decides, in the order of {@link DENY_REASONS}.
 * - Approvals return one shared frozen object; only denials allocate.
 */
import { isOnTick, type MarketId, type TickSize, type TokenId } from '../market.js'
import {
  formatPrice,
  formatSize,
  formatUsdc,
  notional,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../units.js'
import { describeDenial, type DenyReason } from './deny-reasons.js'
import { dayStartOf, DAY_MS, type RiskLimits } from './limits.js'
import { isInForce, isoTime, type Restriction } from './trading-state.js'

export type RiskDecision =
  | { readonly ok: true }
  | {
      readonly ok: false
      readonly reason: DenyReason
      /** `key=value` pairs separated by spaces; see deny-reasons.ts. */
      readonly detail: string
      /** The sentence for a person, built from the detail. */
      readonly message: string
    }

/** The single approval value; compare with `decision.ok`. */
export const ALLOW: RiskDecision = Object.freeze({ ok: true })

/** Who sent the order: the terminal, the HTTP API, or automation (strategies, scanners). */
export type OrderOrigin = 'ui' | 'api' | 'automation'

/**
 * The parts of an order risk reads. `OrderIntent` (backtest/types.ts) satisfies it. For a
 * market order `price` is the worst acceptable price (cap for a buy, floor for a sell).
 */
export type RiskOrder = {
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: 'buy' | 'sell'
  readonly kind: 'market' | 'limit'
  readonly price: PriceTicks
  readonly size: ShareMicros
}

/** What risk needs to know about the order's book and market. */
export type BookRisk = {
  /** True when the book is not synced or is resyncing (`BookView.stale`). */
  readonly stale: boolean
  readonly staleReason: string | null
  readonly bestBid: PriceTicks | null
  readonly bestAsk: PriceTicks | null
  readonly tickSize: TickSize
  /** The venue's minimum order size for the market. */
  readonly minSize: ShareMicros
  /** Typical spread in PriceTicks (for example a median over recent minutes); null if unknown. */
  readonly spreadBaselineTicks: number | null
  /** True once the market is closed or resolved. */
  readonly closed: boolean
}

/**
 * Everything {@link checkSubmit} reads, for one order at one instant. The engine keeps one
 * object and overwrites its fields per check (`RiskState.fillContext` writes the bookkeeping
 * half), so a check allocates nothing.
 */
export type RiskContext = {
  /** Event or clock time of the decision. */
  readonly now: EpochMs
  readonly limits: RiskLimits
  /** Restrictions of the account (`TradingStates.restrictionsOf('global')`). */
  readonly globalRestrictions: readonly Restriction[]
  /** Restrictions of the order's market. */
  readonly marketRestrictions: readonly Restriction[]
  readonly book: BookRisk
  /** Shares held of the order's token. */
  readonly heldShares: ShareMicros
  /** Exposure in the order's market: cost of every token held there, USDC micros. */
  readonly marketExposure: UsdcMicros
  /** Time of the last exposure-increasing order sent in this market; null if none. */
  readonly lastEntryTs: EpochMs | null
  /** Realized profit of the current trading day, fees included (negative for a loss). */
  readonly dayRealizedPnl: UsdcMicros
  /** Losing round trips in a row (a trade with profit >= 0 resets it). */
  readonly consecutiveLosses: number
  /** Close time of the most recent losing trade; null if none. */
  readonly lastLossTs: EpochMs | null
  /** Venue requests, and failed ones, within the error-rate window. */
  readonly apiRequests: number
  readonly apiErrors: number
  /** Current equity, and its highest value within the drawdown window (0 when unknown). */
  readonly equity: UsdcMicros
  readonly equityHigh: UsdcMicros
  readonly origin: OrderOrigin
  /** True when a person approved this order (automated orders above the threshold). */
  readonly approved: boolean
  /** Panic close or an emulated stop: allowed through halts when exposure-reducing. */
  readonly protective: boolean
}

function deny(reason: DenyReason, detail: string): RiskDecision {
  return { ok: false, reason, detail, message: describeDenial(reason, detail) }
}

function fromRestriction(r: Restriction): RiskDecision {
  return { ok: false, reason: r.code, detail: r.detail, message: r.message }
}

/** True when `order` only sells shares that are held: it cannot add exposure. */
export function isExposureReducing(order: RiskOrder, heldShares: number): boolean {
  return order.side === 'sell' && order.size <= heldShares
}

/** Cancels are never blocked: this always allows. It exists so the rule is explicit. */
export function checkCancel(): RiskDecision {
  return ALLOW
}

/** The check itself. Pure: same order and context, same decision. */
export function checkSubmit(order: RiskOrder, ctx: RiskContext): RiskDecision {
  const limits = ctx.limits
  const book = ctx.book
  const now = ctx.now

  // Validity: these would be rejected by the venue anyway.
  if (!Number.isSafeInteger(order.size) || order.size <= 0) {
    return deny('INVALID_ORDER', `problem=size_not_positive size=${order.size}`)
  }
  if (!Number.isInteger(order.price) || !isOnTick(order.price, book.tickSize)) {
    return deny('OFF_TICK', `price=${priceText(order.price)} tick=${formatPrice(book.tickSize)}`)
  }
  if (order.size < book.minSize) {
    return deny(
      'BELOW_MIN_SIZE',
      `size=${formatSize(order.size)} min_size=${formatSize(book.minSize)}`,
    )
  }
  if (book.closed) return deny('MARKET_CLOSED', `market=${order.market}`)

  const reducing = isExposureReducing(order, ctx.heldShares)
  const exempt = reducing && ctx.protective

  // Halts: every order except protective exits.
  if (!exempt) {
    const halt =
      firstInForce(ctx.globalRestrictions, now, 'halted') ??
      firstInForce(ctx.marketRestrictions, now, 'halted')
    if (halt !== null) return fromRestriction(halt)
    const drawdown = drawdownDenial(ctx)
    if (drawdown !== null) return drawdown
    const errors = errorRateDenial(ctx)
    if (errors !== null) return errors
  }

  // Reduce-only states and the daily loss: entries only.
  if (!reducing) {
    const reduceOnly =
      firstInForce(ctx.globalRestrictions, now, 'reducing') ??
      firstInForce(ctx.marketRestrictions, now, 'reducing')
    if (reduceOnly !== null) return fromRestriction(reduceOnly)
    const loss = 0 - ctx.dayRealizedPnl
    if (loss >= limits.maxDailyLossUsdc) {
      const dayEnds = dayStartOf(now, limits.dayStartOffsetMs) + DAY_MS
      return deny(
        'DAILY_LOSS',
        `loss_usd=${formatUsdc(loss as UsdcMicros)} max_loss_usd=${formatUsdc(limits.maxDailyLossUsdc)} day_ends=${isoTime(dayEnds)}`,
      )
    }
    if (book.stale) {
      const why = book.staleReason === null ? 'unknown' : book.staleReason.replace(/\s+/g, '_')
      return deny('BOOK_STALE', `token=${order.tokenId} stale_reason=${why}`)
    }
  }

  if (!exempt) {
    const fatFinger = fatFingerDenial(order, book, limits.fatFingerTicks)
    if (fatFinger !== null) return fatFinger
  }

  const value = notional(order.price, order.size, 'up')
  if (!exempt && value > limits.maxOrderUsdc) {
    return deny(
      'MAX_ORDER',
      `order_usd=${formatUsdc(value)} max_usd=${formatUsdc(limits.maxOrderUsdc)}`,
    )
  }

  if (reducing) return ALLOW

  if (
    ctx.lastLossTs !== null &&
    ctx.consecutiveLosses >= limits.maxConsecutiveLosses &&
    now < ctx.lastLossTs + limits.lossCooldownMs
  ) {
    return deny(
      'CONSECUTIVE_LOSSES',
      `losses=${ctx.consecutiveLosses} max_losses=${limits.maxConsecutiveLosses} until=${isoTime(ctx.lastLossTs + limits.lossCooldownMs)}`,
    )
  }
  if (
    ctx.lastEntryTs !== null &&
    limits.tradeCooldownMs > 0 &&
    now - ctx.lastEntryTs < limits.tradeCooldownMs
  ) {
    return deny(
      'COOLDOWN',
      `market=${order.market} elapsed_ms=${now - ctx.lastEntryTs} cooldown_ms=${limits.tradeCooldownMs} until=${isoTime(ctx.lastEntryTs + limits.tradeCooldownMs)}`,
    )
  }
  const baseline = book.spreadBaselineTicks
  if (baseline !== null && baseline > 0 && book.bestBid !== null && book.bestAsk !== null) {
    const spread = book.bestAsk - book.bestBid
    if (spread > limits.maxSpreadMultiple * baseline) {
      return deny(
        'SPREAD_TOO_WIDE',
        `spread=${formatPrice(spread as PriceTicks)} baseline=${formatPrice(Math.round(baseline) as PriceTicks)} max_multiple=${limits.maxSpreadMultiple}`,
      )
    }
  }
  if (order.side === 'buy') {
    const after = ctx.marketExposure + value
    if (after > limits.maxPositionUsdc) {
      return deny(
        'MAX_POSITION',
        `market=${order.market} position_usd=${formatUsdc(ctx.marketExposure)} after_usd=${formatUsdc(after as UsdcMicros)} max_usd=${formatUsdc(limits.maxPositionUsdc)}`,
      )
    }
  }
  if (ctx.origin === 'automation' && !ctx.approved && value > limits.approvalAboveUsdc) {
    return deny(
      'NEEDS_APPROVAL',
      `order_usd=${formatUsdc(value)} approval_usd=${formatUsdc(limits.approvalAboveUsdc)}`,
    )
  }
  return ALLOW
}

function priceText(price: number): string {
  return Number.isInteger(price) && price >= 0 ? formatPrice(price as PriceTicks) : String(price)
}

function firstInForce(
  list: readonly Restriction[],
  now: number,
  mode: 'halted' | 'reducing',
): Restriction | null {
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!
    if (r.mode === mode && isInForce(r, now)) return r
  }
  return null
}

/** Drawdown from the window's equity high, strictly above the limit. */
function drawdownDenial(ctx: RiskContext): RiskDecision | null {
  const high = ctx.equityHigh
  if (high <= 0) return null
  const drop = high - ctx.equity
  const limits = ctx.limits
  // drop / high > pct / 100, cross-multiplied: exact for integers below 2^53 / 100.
  if (drop * 100 <= limits.maxDrawdownPct * high) return null
  return deny(
    'DRAWDOWN_HALT',
    `high_usd=${formatUsdc(high)} equity_usd=${formatUsdc(ctx.equity)} drawdown_pct=${roundTo((drop * 100) / high, 2)} max_pct=${limits.maxDrawdownPct} window_min=${limits.drawdownWindowMs / 60_000} until=none`,
  )
}

/** Error rate in the window, strictly above the limit once the minimum sample is reached. */
function errorRateDenial(ctx: RiskContext): RiskDecision | null {
  const requests = ctx.apiRequests
  const limits = ctx.limits
  if (requests < limits.apiErrorMinSample) return null
  if (ctx.apiErrors * 100 <= limits.maxApiErrorRatePct * requests) return null
  return deny(
    'API_ERROR_RATE',
    `errors=${ctx.apiErrors} requests=${requests} rate_pct=${roundTo((ctx.apiErrors * 100) / requests, 1)} max_pct=${limits.maxApiErrorRatePct} until=clear`,
  )
}

/**
 * A buy more than `maxTicks` market ticks above the best ask (or the best bid when there are
 * no asks), or a sell as far below the best bid (or best ask). Exactly `maxTicks` through passes.
 */
function fatFingerDenial(order: RiskOrder, book: BookRisk, maxTicks: number): RiskDecision | null {
  const buy = order.side === 'buy'
  const touch = buy ? (book.bestAsk ?? book.bestBid) : (book.bestBid ?? book.bestAsk)
  if (touch === null) return null
  const through = buy ? order.price - touch : touch - order.price
  if (through <= maxTicks * book.tickSize) return null
  return deny(
    'FAT_FINGER',
    `side=${order.side} price=${formatPrice(order.price)} touch=${formatPrice(touch)} ticks_through=${roundTo(through / book.tickSize, 2)} max_ticks=${maxTicks}`,
  )
}

function roundTo(value: number, places: number): number {
  const scale = 10 ** places
  return Math.round(value * scale) / scale
}
