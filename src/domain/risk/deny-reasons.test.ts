import { describe, expect, test } from 'vitest'
import {
  DENY_REASONS,
  describeDenial,
  formatDetail,
  isDenyReason,
  parseDetail,
} from './deny-reasons.js'

/** Detail keys each sentence reads; every value must come back in the sentence. */
const KEYS: Record<(typeof DENY_REASONS)[number], readonly string[]> = {
  INVALID_ORDER: ['problem', 'size'],
  OFF_TICK: ['price', 'tick'],
  BELOW_MIN_SIZE: ['size', 'min_size'],
  MARKET_CLOSED: ['market'],
  HALTED: ['scope', 'cause', 'since', 'until'],
  DRAWDOWN_HALT: ['high_usd', 'equity_usd', 'window_min', 'drawdown_pct', 'max_pct', 'until'],
  API_ERROR_RATE: ['errors', 'requests', 'rate_pct', 'max_pct', 'until'],
  REDUCING: ['scope', 'cause', 'since', 'until'],
  DAILY_LOSS: ['loss_usd', 'max_loss_usd', 'day_ends'],
  BOOK_STALE: ['token', 'stale_reason'],
  FAT_FINGER: ['side', 'price', 'touch', 'ticks_through', 'max_ticks'],
  MAX_ORDER: ['order_usd', 'max_usd'],
  CONSECUTIVE_LOSSES: ['losses', 'max_losses', 'until'],
  COOLDOWN: ['market', 'elapsed_ms', 'cooldown_ms', 'until'],
  SPREAD_TOO_WIDE: ['spread', 'baseline', 'max_multiple'],
  MAX_POSITION: ['market', 'position_usd', 'after_usd', 'max_usd'],
  NEEDS_APPROVAL: ['order_usd', 'approval_usd'],
}

describe('deny reasons', () => {
  test('the codes the API promises exist', () => {
    for (const code of [
      'MAX_POSITION',
      'MAX_ORDER',
      'DAILY_LOSS',
      'CONSECUTIVE_LOSSES',
      'COOLDOWN',
      'SPREAD_TOO_WIDE',
      'BOOK_STALE',
      'FAT_FINGER',
      'HALTED',
      'REDUCING',
      'BELOW_MIN_SIZE',
      'OFF_TICK',
    ]) {
      expect(isDenyReason(code), code).toBe(true)
    }
    expect(isDenyReason('NOPE')).toBe(false)
  })

  test.each(DENY_REASONS)('%s: the sentence carries every detail value', (code) => {
    const fields = Object.fromEntries(KEYS[code].map((key, i) => [key, `v${i}_${key}`]))
    const message = describeDenial(code, formatDetail(fields))
    expect(message).not.toContain('?')
    expect(message.endsWith('.')).toBe(true)
    for (const value of Object.values(fields)) expect(message).toContain(value)
  })

  test('until=none reads as a manual resume, until=clear as a lasting condition', () => {
    expect(describeDenial('HALTED', 'scope=global cause=MANUAL since=t until=none')).toContain(
      'until a person resumes it',
    )
    expect(describeDenial('API_ERROR_RATE', 'errors=3 requests=20 until=clear')).toContain(
      'until the condition clears',
    )
  })

  test('a missing key shows as ? rather than failing', () => {
    expect(describeDenial('MAX_ORDER', 'order_usd=12')).toContain('maximum order size of ? USDC')
  })

  test('detail strings round-trip through parseDetail; pairs without = are ignored', () => {
    const detail = formatDetail({ a: 1, b: 'x=y', c: '0.5' })
    expect(detail).toBe('a=1 b=x=y c=0.5')
    expect([...parseDetail(`${detail} junk =bad`)]).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
      ['c', '0.5'],
    ])
  })
})
