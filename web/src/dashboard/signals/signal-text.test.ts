import { describe, expect, it } from 'vitest'
import type { DashboardSignal } from '../state/dashboard-store.js'
import { moveText, ratioText, reversionStatus, reversionText } from './signal-text.js'

const base: DashboardSignal = {
  id: 1,
  type: 'PANIC_SELL',
  ts: 0,
  assetId: '1',
  market: null,
  score: 1,
  volumeRatio: null,
  spreadRatio: null,
  depthRatio: null,
  priceChange: null,
  reverted: null,
  reversionS: null,
}

describe('signal texts', () => {
  it('formats ratios and moves', () => {
    expect(ratioText(3.24)).toBe('3.2×')
    expect(ratioText(12.6)).toBe('13×')
    expect(ratioText(null)).toBe('—')
    expect(ratioText(Infinity)).toBe('—')
    expect(moveText(-0.061)).toBe('−6.1¢')
    expect(moveText(0.05)).toBe('+5.0¢')
    expect(moveText(null)).toBe('—')
  })

  it('says whether the signal reverted', () => {
    expect(reversionStatus(base)).toBe('open')
    expect(reversionText(base)).toBe('open')
    expect(reversionText({ ...base, reverted: true, reversionS: 31.2 })).toBe('reverted in 31 s')
    expect(reversionText({ ...base, reverted: true })).toBe('reverted')
    expect(reversionText({ ...base, reverted: false })).toBe('did not revert')
    expect(reversionStatus({ ...base, reverted: false })).toBe('held')
  })
})
