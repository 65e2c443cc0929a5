/**
 * Risk limits: the SPEC 2.6 defaults, a human-unit configuration shape (USD, percent, ms) and
 * its validation into the exact units the checks use (USDC micros).
 *
 * Boundaries (see docs/RISK.md): caps in USD and the fat-finger distance are inclusive (an
 * order exactly at the cap passes); rates, drawdown, spread multiple and the approval threshold
 * trip only when strictly above; daily loss and consecutive losses trip on reaching the limit;
 * timed states end exactly at their expiry (the expiry instant is allowed again).
 */
import { USDC_SCALE, type UsdcMicros } from '../units.js'

/** Limits as a person configures them: money in USD, rates in percent, durations in ms. */
export type RiskLimitsConfig = {
  /** Largest exposure per market (cost of all its tokens held plus the new order), USD. */
  readonly maxPositionUsd: number
  /** Largest single order, price × size, USD. */
  readonly maxOrderUsd: number
  /** Realized loss in one trading day that switches to reduce-only for the rest of it, USD. */
  readonly maxDailyLossUsd: number
  /** When the trading day starts, `HH:MM` in UTC. */
  readonly dayStartUtc: string
  /** Losing trades in a row that start the loss cooldown. */
  readonly maxConsecutiveLosses: number
  /** Pause on new entries after `maxConsecutiveLosses`, ms. */
  readonly lossCooldownMs: number
  /** Minimum time between entries in one market, ms (0 switches it off). */
  readonly tradeCooldownMs: number
  /** Venue request error rate, percent, above which new orders halt. */
  readonly maxApiErrorRatePct: number
  /** Window over which the error rate is measured, ms. */
  readonly apiErrorWindowMs: number
  /** Requests needed in the window before the rate counts. */
  readonly apiErrorMinSample: number
  /** How long new orders halt after the error rate trips, ms. */
  readonly apiErrorHaltMs: number
  /** Equity drawdown from the window's high, percent, above which trading halts. */
  readonly maxDrawdownPct: number
  /** Window in which the equity high is taken, ms. */
  readonly drawdownWindowMs: number
  /** Spread as a multiple of its baseline above which entries are refused. */
  readonly maxSpreadMultiple: number
  /** How many of the market's ticks a price may go through the touch. */
  readonly fatFingerTicks: number
  /** Automated orders above this value need a person's approval, USD. */
  readonly approvalAboveUsd: number
}

/** Validated limits in exact units, as {@link checkSubmit} reads them. */
export type RiskLimits = {
  readonly maxPositionUsdc: UsdcMicros
  readonly maxOrderUsdc: UsdcMicros
  readonly maxDailyLossUsdc: UsdcMicros
  /** Offset of the day start from UTC midnight, ms (0 ..< 86_400_000). */
  readonly dayStartOffsetMs: number
  readonly maxConsecutiveLosses: number
  readonly lossCooldownMs: number
  readonly tradeCooldownMs: number
  readonly maxApiErrorRatePct: number
  readonly apiErrorWindowMs: number
  readonly apiErrorMinSample: number
  readonly apiErrorHaltMs: number
  readonly maxDrawdownPct: number
  readonly drawdownWindowMs: number
  readonly maxSpreadMultiple: number
  readonly fatFingerTicks: number
  readonly approvalAboveUsdc: UsdcMicros
}

const MINUTE_MS = 60_000
export const DAY_MS = 86_400_000

/** SPEC 2.6 defaults. */
export const DEFAULT_RISK_LIMITS_CONFIG: RiskLimitsConfig = Object.freeze({
  maxPositionUsd: 1000,
  maxOrderUsd: 1000,
  maxDailyLossUsd: 500,
  dayStartUtc: '00:00',
  maxConsecutiveLosses: 3,
  lossCooldownMs: 5 * MINUTE_MS,
  tradeCooldownMs: 5_000,
  maxApiErrorRatePct: 10,
  apiErrorWindowMs: 5 * MINUTE_MS,
  apiErrorMinSample: 20,
  apiErrorHaltMs: 5 * MINUTE_MS,
  maxDrawdownPct: 20,
  drawdownWindowMs: 60 * MINUTE_MS,
  maxSpreadMultiple: 10,
  fatFingerTicks: 5,
  approvalAboveUsd: 500,
})

/** Invalid risk configuration; `problems` lists every bad key with what to do. */
export class RiskLimitsError extends Error {
  readonly code = 'RISK_LIMITS_INVALID'
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(`invalid risk limits: ${problems.join('; ')}`)
    this.name = 'RiskLimitsError'
    this.problems = problems
  }
}

type Rule = (value: number) => string | null

const positiveInteger: Rule = (v) =>
  Number.isInteger(v) && v >= 1 ? null : 'must be a whole number of at least 1'
const nonNegativeInteger: Rule = (v) =>
  Number.isInteger(v) && v >= 0 ? null : 'must be a whole number of 0 or more'
const positiveIntegerMs: Rule = (v) =>
  Number.isInteger(v) && v >= 1 ? null : 'must be a whole number of milliseconds of at least 1'
const percent: Rule = (v) =>
  v > 0 && v <= 100 ? null : 'must be a percentage above 0 and at most 100'
const atLeastOne: Rule = (v) => (v >= 1 ? null : 'must be at least 1 (a multiple of the baseline)')
/** Money must convert to a safe integer of micros. */
const usd: Rule = (v) =>
  v > 0 && Number.isSafeInteger(Math.round(v * USDC_SCALE))
    ? null
    : 'must be a positive amount of USD below 9 billion'

const NUMERIC_RULES: Readonly<Record<Exclude<keyof RiskLimitsConfig, 'dayStartUtc'>, Rule>> = {
  maxPositionUsd: usd,
  maxOrderUsd: usd,
  maxDailyLossUsd: usd,
  maxConsecutiveLosses: positiveInteger,
  lossCooldownMs: positiveIntegerMs,
  tradeCooldownMs: nonNegativeInteger,
  maxApiErrorRatePct: percent,
  apiErrorWindowMs: positiveIntegerMs,
  apiErrorMinSample: positiveInteger,
  apiErrorHaltMs: positiveIntegerMs,
  maxDrawdownPct: percent,
  drawdownWindowMs: positiveIntegerMs,
  maxSpreadMultiple: atLeastOne,
  fatFingerTicks: nonNegativeInteger,
  approvalAboveUsd: usd,
}

const DAY_START = /^([01]\d|2[0-3]):([0-5]\d)$/

function usdToMicros(value: number): UsdcMicros {
  return Math.round(value * USDC_SCALE) as UsdcMicros
}

/**
 * Merges `overrides` over the SPEC defaults and validates the result. Unknown keys, wrong types
 * and out-of-range values are all reported at once.
 * @throws RiskLimitsError listing every problem.
 */
export function makeRiskLimits(overrides: unknown = {}): RiskLimits {
  const problems: string[] = []
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new RiskLimitsError([
      `risk limits must be an object of key/value pairs (got ${Array.isArray(overrides) ? 'an array' : typeof overrides})`,
    ])
  }
  const given = overrides as Record<string, unknown>
  for (const key of Object.keys(given)) {
    if (!(key in DEFAULT_RISK_LIMITS_CONFIG)) {
      problems.push(
        `unknown key "${key}"; known keys: ${Object.keys(DEFAULT_RISK_LIMITS_CONFIG).join(', ')}`,
      )
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULT_RISK_LIMITS_CONFIG, ...given }
  for (const [key, rule] of Object.entries(NUMERIC_RULES)) {
    const value = merged[key]
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${key} must be a finite number (got ${JSON.stringify(value) ?? 'undefined'})`)
      continue
    }
    const problem = rule(value)
    if (problem !== null) problems.push(`${key} ${problem} (got ${value})`)
  }
  const dayStart = merged['dayStartUtc']
  const match = typeof dayStart === 'string' ? DAY_START.exec(dayStart) : null
  if (match === null) {
    problems.push(
      `dayStartUtc must be a UTC time "HH:MM" such as "00:00" (got ${JSON.stringify(dayStart) ?? 'undefined'})`,
    )
  }
  if (problems.length > 0) throw new RiskLimitsError(problems)
  const c = merged as RiskLimitsConfig
  const dayStartOffsetMs = (Number(match![1]) * 60 + Number(match![2])) * MINUTE_MS
  return Object.freeze({
    maxPositionUsdc: usdToMicros(c.maxPositionUsd),
    maxOrderUsdc: usdToMicros(c.maxOrderUsd),
    maxDailyLossUsdc: usdToMicros(c.maxDailyLossUsd),
    dayStartOffsetMs,
    maxConsecutiveLosses: c.maxConsecutiveLosses,
    lossCooldownMs: c.lossCooldownMs,
    tradeCooldownMs: c.tradeCooldownMs,
    maxApiErrorRatePct: c.maxApiErrorRatePct,
    apiErrorWindowMs: c.apiErrorWindowMs,
    apiErrorMinSample: c.apiErrorMinSample,
    apiErrorHaltMs: c.apiErrorHaltMs,
    maxDrawdownPct: c.maxDrawdownPct,
    drawdownWindowMs: c.drawdownWindowMs,
    maxSpreadMultiple: c.maxSpreadMultiple,
    fatFingerTicks: c.fatFingerTicks,
    approvalAboveUsdc: usdToMicros(c.approvalAboveUsd),
  })
}

/** The SPEC 2.6 defaults in exact units. */
export const DEFAULT_RISK_LIMITS: RiskLimits = makeRiskLimits()

/** Start of the trading day containing `ts` (epoch ms), given the day-start offset. */
export function dayStartOf(ts: number, dayStartOffsetMs: number): number {
  return Math.floor((ts - dayStartOffsetMs) / DAY_MS) * DAY_MS + dayStartOffsetMs
}
