/**
 * Trading state, globally and per market: `active | reducing | halted`.
 *
 * A scope (the whole account, or one market) holds a short list of restrictions, each with the
 * denial code it answers with, a cause, the time it started, an optional expiry, and whether only
 * a person may lift it. The scope's mode is the most severe restriction in force: `halted` over
 * `reducing` over `active`. Keeping restrictions apart (instead of one mode per scope) means a
 * five-minute halt that expires falls back to the reduce-only state it interrupted.
 *
 * Time is an argument everywhere; nothing here reads a clock.
 */
import type { MarketId } from '../market.js'
import type { EpochMs } from '../units.js'
import { describeDenial, formatDetail, type DenyReason } from './deny-reasons.js'

export type TradingMode = 'active' | 'reducing' | 'halted'

/** `'global'` or a market's condition id (which always starts with `0x`). */
export type RiskScope = 'global' | MarketId

/** Who lifts a restriction: the engine (day roll-over, expiry) or a person (resume). */
export type LiftedBy = 'system' | 'person'

export type Restriction = {
  readonly mode: 'reducing' | 'halted'
  /** The code an order denied by this restriction carries. */
  readonly code: DenyReason
  /** What caused it: a rule code, `MANUAL` (a person) or `INVARIANT` (a broken assumption). */
  readonly cause: string
  readonly since: EpochMs
  /** First instant at which it no longer applies; null when it lasts until lifted. */
  readonly until: EpochMs | null
  /** True when only a person can lift it (the drawdown halt, a person's own halt). */
  readonly manualResumeOnly: boolean
  /** `key=value` detail of the denial, built once when the restriction starts. */
  readonly detail: string
  /** The sentence for {@link detail}. */
  readonly message: string
}

/** Whether `r` applies at `now`: expiry is exclusive, so at `until` it no longer applies. */
export function isInForce(r: Restriction, now: number): boolean {
  return r.until === null || now < r.until
}

/** The mode of a list of restrictions at `now`. */
export function modeOf(restrictions: readonly Restriction[], now: number): TradingMode {
  let mode: TradingMode = 'active'
  for (const r of restrictions) {
    if (!isInForce(r, now)) continue
    if (r.mode === 'halted') return 'halted'
    mode = 'reducing'
  }
  return mode
}

/** ISO-8601 UTC text of an epoch ms time, for details and sentences. */
export function isoTime(ts: number): string {
  return new Date(ts).toISOString()
}

/**
 * A restriction a person or the engine imposes directly (not a risk rule): it answers with
 * `HALTED` or `REDUCING`. `cause` is a single word such as `MANUAL` or `INVARIANT`.
 */
export function stateRestriction(
  scope: RiskScope,
  mode: 'reducing' | 'halted',
  cause: string,
  since: EpochMs,
  until: EpochMs | null = null,
): Restriction {
  const code: DenyReason = mode === 'halted' ? 'HALTED' : 'REDUCING'
  const detail = formatDetail({
    scope,
    cause,
    since: isoTime(since),
    until: until === null ? 'none' : isoTime(until),
  })
  return {
    mode,
    code,
    cause,
    since,
    until,
    manualResumeOnly: until === null && cause === 'MANUAL',
    detail,
    message: describeDenial(code, detail),
  }
}

/** A restriction that comes from a risk rule: its code is the rule's code. */
export function ruleRestriction(
  code: DenyReason,
  mode: 'reducing' | 'halted',
  since: EpochMs,
  until: EpochMs | null,
  manualResumeOnly: boolean,
  detail: string,
): Restriction {
  return {
    mode,
    code,
    cause: code,
    since,
    until,
    manualResumeOnly,
    detail,
    message: describeDenial(code, detail),
  }
}

/** What the API shows for one scope. */
export type TradingStatus = {
  readonly scope: RiskScope
  readonly mode: TradingMode
  /** Start of the oldest restriction in force; null when active. */
  readonly since: EpochMs | null
  /** Restrictions in force at the time asked, oldest first. */
  readonly restrictions: readonly Restriction[]
}

const NONE: readonly Restriction[] = Object.freeze([])

/** The mutable register of restrictions for the account and every market. */
export class TradingStates {
  private _global: Restriction[] = []
  private readonly _markets = new Map<MarketId, Restriction[]>()

  /**
   * The restriction list of a scope, expired entries included (readers call
   * {@link isInForce}); the same array until the next change, so reading allocates nothing.
   */
  restrictionsOf(scope: RiskScope): readonly Restriction[] {
    if (scope === 'global') return this._global
    return this._markets.get(scope) ?? NONE
  }

  /** Adds `r` to `scope`, replacing any restriction with the same cause there. */
  restrict(scope: RiskScope, r: Restriction): void {
    const kept = this.restrictionsOf(scope).filter((x) => x.cause !== r.cause)
    kept.push(r)
    this._set(scope, kept)
  }

  /**
   * Lifts the restriction with `cause` from `scope`. The system may not lift one that only a
   * person can; then nothing changes and null is returned. Returns the lifted restriction.
   */
  lift(scope: RiskScope, cause: string, by: LiftedBy): Restriction | null {
    const list = this.restrictionsOf(scope)
    const found = list.find((x) => x.cause === cause)
    if (found === undefined) return null
    if (found.manualResumeOnly && by !== 'person') return null
    this._set(
      scope,
      list.filter((x) => x !== found),
    )
    return found
  }

  /** A person resumes trading in `scope`: every restriction there is lifted. Returns them. */
  resume(scope: RiskScope): readonly Restriction[] {
    const lifted = this.restrictionsOf(scope)
    this._set(scope, [])
    return lifted
  }

  /** Drops restrictions that have expired by `now`. Returns those dropped, with their scope. */
  prune(now: number): { scope: RiskScope; restriction: Restriction }[] {
    const dropped: { scope: RiskScope; restriction: Restriction }[] = []
    for (const scope of this.scopes()) {
      const list = this.restrictionsOf(scope)
      if (list.every((r) => isInForce(r, now))) continue
      const kept: Restriction[] = []
      for (const r of list) {
        if (isInForce(r, now)) kept.push(r)
        else dropped.push({ scope, restriction: r })
      }
      this._set(scope, kept)
    }
    return dropped
  }

  /** Scopes that hold at least one restriction (expired ones included until pruned). */
  scopes(): RiskScope[] {
    const out: RiskScope[] = this._global.length > 0 ? ['global'] : []
    for (const market of this._markets.keys()) out.push(market)
    return out
  }

  status(scope: RiskScope, now: number): TradingStatus {
    const inForce = this.restrictionsOf(scope).filter((r) => isInForce(r, now))
    let since: EpochMs | null = null
    for (const r of inForce) if (since === null || r.since < since) since = r.since
    return { scope, mode: modeOf(inForce, now), since, restrictions: inForce }
  }

  private _set(scope: RiskScope, list: Restriction[]): void {
    if (scope === 'global') this._global = list
    else if (list.length === 0) this._markets.delete(scope)
    else this._markets.set(scope, list)
  }
}
