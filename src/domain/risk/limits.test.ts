import { describe, expect, test } from 'vitest'
import {
  dayStartOf,
  DEFAULT_RISK_LIMITS,
  DEFAULT_RISK_LIMITS_CONFIG,
  makeRiskLimits,
  RiskLimitsError,
} from './limits.js'

function problemsOf(input: unknown): readonly string[] {
  try {
    makeRiskLimits(input)
  } catch (e) {
    if (e instanceof RiskLimitsError) return e.problems
    throw e
  }
  throw new Error('expected a RiskLimitsError')
}

describe('risk limits', () => {
  test('defaults are the SPEC 2.6 table in exact units', () => {
    expect(DEFAULT_RISK_LIMITS).toEqual({
      maxPositionUsdc: 1_000_000_000,
      maxOrderUsdc: 1_000_000_000,
      maxDailyLossUsdc: 500_000_000,
      dayStartOffsetMs: 0,
      maxConsecutiveLosses: 3,
      lossCooldownMs: 300_000,
      tradeCooldownMs: 5_000,
      maxApiErrorRatePct: 10,
      apiErrorWindowMs: 300_000,
      apiErrorMinSample: 20,
      apiErrorHaltMs: 300_000,
      maxDrawdownPct: 20,
      drawdownWindowMs: 3_600_000,
      maxSpreadMultiple: 10,
      fatFingerTicks: 5,
      approvalAboveUsdc: 500_000_000,
    })
    expect(Object.isFrozen(DEFAULT_RISK_LIMITS)).toBe(true)
    expect(Object.isFrozen(DEFAULT_RISK_LIMITS_CONFIG)).toBe(true)
  })

  test('overrides merge over the defaults, converting USD to micros and HH:MM to an offset', () => {
    const limits = makeRiskLimits({ maxOrderUsd: 250.5, dayStartUtc: '04:30', fatFingerTicks: 0 })
    expect(limits.maxOrderUsdc).toBe(250_500_000)
    expect(limits.dayStartOffsetMs).toBe(4.5 * 3_600_000)
    expect(limits.fatFingerTicks).toBe(0)
    expect(limits.maxPositionUsdc).toBe(1_000_000_000)
  })

  test('every problem is reported at once, naming the key and the value', () => {
    const problems = problemsOf({
      maxOrderUsd: -5,
      maxConsecutiveLosses: 2.5,
      maxApiErrorRatePct: 150,
      maxSpreadMultiple: 0.5,
      lossCooldownMs: 0,
      tradeCooldownMs: -1,
      maxDrawdownPct: '20',
      dayStartUtc: '24:00',
      maxPositonUsd: 10,
    })
    expect(problems).toHaveLength(9)
    expect(problems.join('\n')).toMatch(/unknown key "maxPositonUsd"; known keys: maxPositionUsd/)
    expect(problems.join('\n')).toMatch(/maxOrderUsd must be a positive amount of USD .*\(got -5\)/)
    expect(problems.join('\n')).toMatch(/maxConsecutiveLosses must be a whole number/)
    expect(problems.join('\n')).toMatch(/maxApiErrorRatePct must be a percentage .*\(got 150\)/)
    expect(problems.join('\n')).toMatch(/maxSpreadMultiple must be at least 1/)
    expect(problems.join('\n')).toMatch(/lossCooldownMs must be a whole number of milliseconds/)
    expect(problems.join('\n')).toMatch(/tradeCooldownMs must be a whole number of 0 or more/)
    expect(problems.join('\n')).toMatch(/maxDrawdownPct must be a finite number \(got "20"\)/)
    expect(problems.join('\n')).toMatch(/dayStartUtc must be a UTC time "HH:MM"/)
  })

  test('the error message lists the problems and carries a stable code', () => {
    try {
      makeRiskLimits({ maxOrderUsd: Number.NaN })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(RiskLimitsError)
      expect((e as RiskLimitsError).code).toBe('RISK_LIMITS_INVALID')
      expect((e as Error).message).toContain('maxOrderUsd must be a finite number (got null)')
    }
  })

  test('non-objects are refused with what was given', () => {
    expect(problemsOf(null)[0]).toContain('(got object)')
    expect(problemsOf([1])[0]).toContain('(got an array)')
    expect(problemsOf('x')[0]).toContain('(got string)')
  })

  test('amounts too large for exact micros are refused', () => {
    expect(problemsOf({ maxPositionUsd: 1e13 })[0]).toContain('maxPositionUsd')
  })

  test('the trading day starts at the configured offset', () => {
    const day = Date.UTC(2026, 10, 24)
    const offset = 4 * 3_600_000
    expect(dayStartOf(day + offset, offset)).toBe(day + offset)
    expect(dayStartOf(day + offset - 1, offset)).toBe(day + offset - 86_400_000)
    expect(dayStartOf(day + 5, 0)).toBe(day)
  })
})
