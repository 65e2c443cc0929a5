/**
 * The bookkeeping behind the risk context: the day's realized PnL, the losing streak, the venue
 * error-rate window, the equity high within the drawdown window, the last entry per market, and
 * the trading states the breakers set. Time always comes in as an argument (event or clock
 * time); it should not go backwards, and when it does, the day never rolls back.
 *
 * Breakers trip here, as restrictions in {@link TradingStates} plus an event; `checkSubmit`
 * reads both the restrictions and the raw figures ({@link RiskState.fillContext}). Events queue
 * until the engine takes them ({@link RiskState.takeEvents}) to store, log and alert.
 */
import type { MarketId } from '../market.js'
import { formatUsdc, type EpochMs, type UsdcMicros } from '../units.js'
import { formatDetail, type DenyReason } from './deny-reasons.js'
import type { BookRisk, RiskContext } from './checks.js'
import { dayStartOf, DAY_MS, type RiskLimits } from './limits.js'
import {
  isInForce,
  isoTime,
  ruleRestriction,
  stateRestriction,
  TradingStates,
  type LiftedBy,
  type Restriction,
  type RiskScope,
} from './trading-state.js'

/**
 * Something for the store and the alert feed:
 * - `breach`: a risk rule tripped and restricted trading;
 * - `restricted`: a person or the engine restricted trading directly (code HALTED or REDUCING);
 * - `lifted`: a restriction ended (expired, day roll-over, or a person resumed).
 */
export type RiskEvent = {
  readonly kind: 'breach' | 'restricted' | 'lifted'
  readonly code: DenyReason
  readonly scope: RiskScope
  readonly ts: EpochMs
  readonly detail: string
  readonly message: string
  /** For `lifted`: who lifted it (`system` also covers expiry). Null otherwise. */
  readonly by: LiftedBy | null
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
/** The reusable context object the engine keeps and refills per check. */
export type MutableRiskContext = Mutable<RiskContext>

/** A context with nothing held, no history and an empty fresh book; fields are overwritten. */
export function newRiskContext(limits: RiskLimits, book: BookRisk): MutableRiskContext {
  return {
    now: 0 as EpochMs,
    limits,
    globalRestrictions: [],
    marketRestrictions: [],
    book,
    heldShares: 0 as RiskContext['heldShares'],
    marketExposure: 0 as UsdcMicros,
    lastEntryTs: null,
    dayRealizedPnl: 0 as UsdcMicros,
    consecutiveLosses: 0,
    lastLossTs: null,
    apiRequests: 0,
    apiErrors: 0,
    equity: 0 as UsdcMicros,
    equityHigh: 0 as UsdcMicros,
    origin: 'ui',
    approved: false,
    protective: false,
  }
}

/** Figures for the `/api/risk` view. */
export type RiskSummary = {
  readonly dayStart: EpochMs
  readonly dayRealizedPnl: UsdcMicros
  readonly consecutiveLosses: number
  readonly lastLossTs: EpochMs | null
  readonly apiRequests: number
  readonly apiErrors: number
  readonly equity: UsdcMicros
  readonly equityHigh: UsdcMicros
}

export class RiskState {
  readonly states = new TradingStates()
  private _limits: RiskLimits
  private _now: number
  private _dayStart: number
  private _dayPnl = 0
  private _streak = 0
  private _lastLossTs: number | null = null
  private readonly _lastEntry = new Map<MarketId, number>()
  // Venue request results in the error window, oldest first.
  private _apiTs: number[] = []
  private _apiOk: boolean[] = []
  private _apiErrors = 0
  // Equity samples kept as a monotonic queue: values strictly decreasing, so the front is the
  // window's high; `_equity` is the latest sample.
  private _highTs: number[] = []
  private _highValue: number[] = []
  private _equity = 0
  private _events: RiskEvent[] = []

  constructor(limits: RiskLimits, now: EpochMs) {
    this._limits = limits
    this._now = now
    this._dayStart = dayStartOf(now, limits.dayStartOffsetMs)
  }

  get limits(): RiskLimits {
    return this._limits
  }

  /** New limits apply to the next check and the next recorded result; trips stay as they are. */
  setLimits(limits: RiskLimits): void {
    this._limits = limits
  }

  /** Events since the last call, oldest first. */
  takeEvents(): RiskEvent[] {
    const events = this._events
    this._events = []
    return events
  }

  /**
   * Moves time to `now`: rolls the trading day (the day's PnL restarts at 0 and the daily-loss
   * state ends), drops expired restrictions and samples that left their windows.
   */
  advance(now: EpochMs): void {
    if (now <= this._now) return
    this._now = now
    const limits = this._limits
    const dayStart = dayStartOf(now, limits.dayStartOffsetMs)
    if (dayStart > this._dayStart) {
      this._dayStart = dayStart
      this._dayPnl = 0
      this._lifted('global', this.states.lift('global', 'DAILY_LOSS', 'system'), 'system')
    }
    for (const { scope, restriction } of this.states.prune(now)) {
      this._events.push(liftedEvent(restriction, scope, now, 'system'))
    }
    this._pruneApi(now)
    this._pruneEquity(now)
  }

  /** An exposure-increasing order in `market` was sent (starts the per-market cooldown). */
  recordEntrySent(market: MarketId, ts: EpochMs): void {
    this.advance(ts)
    this._lastEntry.set(market, ts)
  }

  /**
   * A round trip closed with `profit` (proceeds − cost − fees, USDC micros). A loss (profit
   * below 0) extends the streak; anything else resets it. May trip CONSECUTIVE_LOSSES (global
   * reduce-only until the cooldown ends) and DAILY_LOSS (global reduce-only until the day ends).
   */
  recordClosedTrade(profit: UsdcMicros, ts: EpochMs): void {
    this.advance(ts)
    const limits = this._limits
    this._dayPnl += profit
    if (profit < 0) {
      this._streak++
      this._lastLossTs = ts
    } else {
      this._streak = 0
    }
    if (profit < 0 && this._streak >= limits.maxConsecutiveLosses) {
      const until = ts + limits.lossCooldownMs
      this._breach(
        ruleRestriction(
          'CONSECUTIVE_LOSSES',
          'reducing',
          ts,
          until as EpochMs,
          false,
          formatDetail({
            losses: this._streak,
            max_losses: limits.maxConsecutiveLosses,
            until: isoTime(until),
          }),
        ),
      )
    }
    const loss = -this._dayPnl
    if (loss >= limits.maxDailyLossUsdc && !this._inForce('DAILY_LOSS', ts)) {
      const dayEnds = this._dayStart + DAY_MS
      this._breach(
        ruleRestriction(
          'DAILY_LOSS',
          'reducing',
          ts,
          dayEnds as EpochMs,
          false,
          formatDetail({
            loss_usd: formatUsdc(loss as UsdcMicros),
            max_loss_usd: formatUsdc(limits.maxDailyLossUsdc),
            day_ends: isoTime(dayEnds),
            until: isoTime(dayEnds),
          }),
        ),
      )
    }
  }

  /**
   * The outcome of one venue request (order, cancel, query). Once the window holds at least the
   * minimum sample and the error rate is strictly above the limit, new orders halt globally for
   * `apiErrorHaltMs` (not extended while in force; re-armed after it ends).
   */
  recordApiResult(ok: boolean, ts: EpochMs): void {
    this.advance(ts)
    this._apiTs.push(ts)
    this._apiOk.push(ok)
    if (!ok) this._apiErrors++
    const limits = this._limits
    const requests = this._apiTs.length
    if (ok || requests < limits.apiErrorMinSample) return
    if (this._apiErrors * 100 <= limits.maxApiErrorRatePct * requests) return
    if (this._inForce('API_ERROR_RATE', ts)) return
    const until = ts + limits.apiErrorHaltMs
    this._breach(
      ruleRestriction(
        'API_ERROR_RATE',
        'halted',
        ts,
        until as EpochMs,
        false,
        formatDetail({
          errors: this._apiErrors,
          requests,
          rate_pct: Math.round((this._apiErrors * 1000) / requests) / 10,
          max_pct: limits.maxApiErrorRatePct,
          until: isoTime(until),
        }),
      ),
    )
  }

  /**
   * An equity sample (cash plus positions marked to the price they could be sold at). When the
   * drop from the window's high is strictly above the limit, trading halts globally until a
   * person resumes it.
   */
  recordEquity(equity: UsdcMicros, ts: EpochMs): void {
    this.advance(ts)
    while (this._highValue.length > 0 && this._highValue[this._highValue.length - 1]! <= equity) {
      this._highValue.pop()
      this._highTs.pop()
    }
    this._highValue.push(equity)
    this._highTs.push(ts)
    this._equity = equity
    const high = this._highValue[0]!
    const limits = this._limits
    const drop = high - equity
    if (high <= 0 || drop * 100 <= limits.maxDrawdownPct * high) return
    if (this._inForce('DRAWDOWN_HALT', ts)) return
    this._breach(
      ruleRestriction(
        'DRAWDOWN_HALT',
        'halted',
        ts,
        null,
        true,
        formatDetail({
          high_usd: formatUsdc(high as UsdcMicros),
          equity_usd: formatUsdc(equity),
          drawdown_pct: Math.round((drop * 10_000) / high) / 100,
          max_pct: limits.maxDrawdownPct,
          window_min: limits.drawdownWindowMs / 60_000,
          until: 'none',
        }),
      ),
    )
  }

  /**
   * Cash that came or went without a trade (a deposit, a withdrawal, the wallet's balance taking
   * the place of the configured bankroll): the equity samples move with it, so it is neither a
   * gain nor a drawdown. Nothing to move before the first sample.
   */
  shiftEquity(delta: UsdcMicros): void {
    if (this._highValue.length === 0) return
    for (let i = 0; i < this._highValue.length; i++) this._highValue[i]! += delta
    this._equity += delta
  }

  /**
   * A person or the engine restricts `scope` directly (a person's halt, or a market halted
   * after an invariant broke). A person's halt without expiry needs a person's resume.
   */
  restrict(
    scope: RiskScope,
    mode: 'reducing' | 'halted',
    cause: string,
    now: EpochMs,
    until: EpochMs | null = null,
  ): void {
    this.advance(now)
    const r = stateRestriction(scope, mode, cause, now, until)
    this.states.restrict(scope, r)
    this._events.push(eventOf('restricted', r, scope, now, null))
  }

  /** The engine lifts its own restriction (for example after a resync); not person-only ones. */
  lift(scope: RiskScope, cause: string, now: EpochMs): boolean {
    this.advance(now)
    const lifted = this.states.lift(scope, cause, 'system')
    this._lifted(scope, lifted, 'system')
    return lifted !== null
  }

  /**
   * A person resumes trading in `scope`. Lifts every restriction there except the daily loss,
   * which lasts until the day ends (raise `maxDailyLossUsd` to trade on). Resuming globally
   * also restarts the drawdown window from the latest equity, the error-rate window and the
   * losing streak, so the same figures do not trip again at once. Returns what was lifted.
   */
  resume(scope: RiskScope, now: EpochMs): Restriction[] {
    this.advance(now)
    const lifted: Restriction[] = []
    for (const r of this.states.restrictionsOf(scope)) {
      if (r.cause === 'DAILY_LOSS' && isInForce(r, now)) continue
      const done = this.states.lift(scope, r.cause, 'person')
      if (done !== null) {
        lifted.push(done)
        this._events.push(liftedEvent(done, scope, now, 'person'))
      }
    }
    if (scope === 'global') {
      this._highValue = this._highValue.length > 0 ? [this._equity] : []
      this._highTs = this._highTs.length > 0 ? [now] : []
      this._apiTs = []
      this._apiOk = []
      this._apiErrors = 0
      this._streak = 0
      this._lastLossTs = null
    }
    return lifted
  }

  /**
   * Writes the bookkeeping half of the context for an order in `market` at `now` (advancing
   * time first). The caller sets the book, holdings, origin, approval and protective fields.
   */
  fillContext(ctx: MutableRiskContext, market: MarketId, now: EpochMs): void {
    this.advance(now)
    ctx.now = now
    ctx.limits = this._limits
    ctx.globalRestrictions = this.states.restrictionsOf('global')
    ctx.marketRestrictions = this.states.restrictionsOf(market)
    ctx.lastEntryTs = (this._lastEntry.get(market) ?? null) as EpochMs | null
    ctx.dayRealizedPnl = this._dayPnl as UsdcMicros
    ctx.consecutiveLosses = this._streak
    ctx.lastLossTs = this._lastLossTs as EpochMs | null
    ctx.apiRequests = this._apiTs.length
    ctx.apiErrors = this._apiErrors
    ctx.equity = this._equity as UsdcMicros
    ctx.equityHigh = (this._highValue[0] ?? 0) as UsdcMicros
  }

  summary(): RiskSummary {
    return {
      dayStart: this._dayStart as EpochMs,
      dayRealizedPnl: this._dayPnl as UsdcMicros,
      consecutiveLosses: this._streak,
      lastLossTs: this._lastLossTs as EpochMs | null,
      apiRequests: this._apiTs.length,
      apiErrors: this._apiErrors,
      equity: this._equity as UsdcMicros,
      equityHigh: (this._highValue[0] ?? 0) as UsdcMicros,
    }
  }

  private _inForce(cause: string, now: number): boolean {
    return this.states.restrictionsOf('global').some((r) => r.cause === cause && isInForce(r, now))
  }

  private _breach(r: Restriction): void {
    this.states.restrict('global', r)
    this._events.push(eventOf('breach', r, 'global', r.since, null))
  }

  private _lifted(scope: RiskScope, r: Restriction | null, by: LiftedBy): void {
    if (r !== null) this._events.push(liftedEvent(r, scope, this._now, by))
  }

  /** Samples count while `now - ts <= windowMs`. */
  private _pruneApi(now: number): void {
    const oldest = now - this._limits.apiErrorWindowMs
    let drop = 0
    while (drop < this._apiTs.length && this._apiTs[drop]! < oldest) {
      if (!this._apiOk[drop]!) this._apiErrors--
      drop++
    }
    if (drop > 0) {
      this._apiTs.splice(0, drop)
      this._apiOk.splice(0, drop)
    }
  }

  private _pruneEquity(now: number): void {
    const oldest = now - this._limits.drawdownWindowMs
    let drop = 0
    // Keep the latest sample even when old: it is the current equity.
    while (drop < this._highTs.length - 1 && this._highTs[drop]! < oldest) drop++
    if (drop > 0) {
      this._highTs.splice(0, drop)
      this._highValue.splice(0, drop)
    }
  }
}

function eventOf(
  kind: RiskEvent['kind'],
  r: Restriction,
  scope: RiskScope,
  ts: number,
  by: LiftedBy | null,
): RiskEvent {
  return { kind, code: r.code, scope, ts: ts as EpochMs, detail: r.detail, message: r.message, by }
}

function liftedEvent(r: Restriction, scope: RiskScope, ts: number, by: LiftedBy): RiskEvent {
  return eventOf('lifted', r, scope, ts, by)
}
