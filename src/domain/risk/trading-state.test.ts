import { describe, expect, test } from 'vitest'
import { asMarketId } from '../market.js'
import type { EpochMs } from '../units.js'
import {
  isInForce,
  modeOf,
  ruleRestriction,
  stateRestriction,
  TradingStates,
} from './trading-state.js'

const MARKET = asMarketId('0xm1')
const at = (ms: number): EpochMs => ms as EpochMs

describe('restrictions', () => {
  test('a timed restriction applies until one ms before its end', () => {
    const r = stateRestriction('global', 'halted', 'INVARIANT', at(100), at(200))
    expect(isInForce(r, 199)).toBe(true)
    expect(isInForce(r, 200)).toBe(false)
    expect(isInForce(stateRestriction('global', 'halted', 'MANUAL', at(100)), 1e15)).toBe(true)
  })

  test('halted outranks reducing outranks active; expired ones do not count', () => {
    const reduce = stateRestriction('global', 'reducing', 'MANUAL', at(0))
    const halt = stateRestriction('global', 'halted', 'INVARIANT', at(0), at(50))
    expect(modeOf([], 10)).toBe('active')
    expect(modeOf([reduce], 10)).toBe('reducing')
    expect(modeOf([reduce, halt], 10)).toBe('halted')
    expect(modeOf([reduce, halt], 50)).toBe('reducing')
  })

  test('a person halt without end needs a person; state restrictions answer HALTED/REDUCING', () => {
    const halt = stateRestriction(MARKET, 'halted', 'MANUAL', at(0))
    expect(halt).toMatchObject({ code: 'HALTED', manualResumeOnly: true })
    expect(halt.detail).toBe('scope=0xm1 cause=MANUAL since=1970-01-01T00:00:00.000Z until=none')
    expect(halt.message).toContain('in market 0xm1')
    expect(stateRestriction('global', 'reducing', 'INVARIANT', at(0))).toMatchObject({
      code: 'REDUCING',
      manualResumeOnly: false,
    })
  })
})

describe('TradingStates', () => {
  test('restrict replaces the same cause and keeps others; status shows the mode and since', () => {
    const states = new TradingStates()
    states.restrict('global', stateRestriction('global', 'reducing', 'MANUAL', at(10)))
    states.restrict('global', stateRestriction('global', 'halted', 'INVARIANT', at(20), at(90)))
    states.restrict('global', stateRestriction('global', 'halted', 'INVARIANT', at(30), at(99)))
    const status = states.status('global', 40)
    expect(status.mode).toBe('halted')
    expect(status.since).toBe(10)
    expect(status.restrictions.map((r) => r.cause)).toEqual(['MANUAL', 'INVARIANT'])
    expect(states.status('global', 99).mode).toBe('reducing')
    expect(states.status(MARKET, 40)).toEqual({
      scope: MARKET,
      mode: 'active',
      since: null,
      restrictions: [],
    })
  })

  test('the system cannot lift a person-only restriction; a person can', () => {
    const states = new TradingStates()
    const drawdown = ruleRestriction('DRAWDOWN_HALT', 'halted', at(0), null, true, 'until=none')
    states.restrict('global', drawdown)
    expect(states.lift('global', 'DRAWDOWN_HALT', 'system')).toBeNull()
    expect(states.status('global', 1).mode).toBe('halted')
    expect(states.lift('global', 'DRAWDOWN_HALT', 'person')).toBe(drawdown)
    expect(states.status('global', 1).mode).toBe('active')
    expect(states.lift('global', 'DRAWDOWN_HALT', 'person')).toBeNull()
  })

  test('resume lifts everything in one scope only', () => {
    const states = new TradingStates()
    states.restrict(MARKET, stateRestriction(MARKET, 'halted', 'MANUAL', at(0)))
    states.restrict('global', stateRestriction('global', 'reducing', 'MANUAL', at(0)))
    expect(states.resume(MARKET)).toHaveLength(1)
    expect(states.status(MARKET, 1).mode).toBe('active')
    expect(states.status('global', 1).mode).toBe('reducing')
    expect(states.scopes()).toEqual(['global'])
  })

  test('prune drops expired restrictions with their scope', () => {
    const states = new TradingStates()
    states.restrict(MARKET, stateRestriction(MARKET, 'halted', 'INVARIANT', at(0), at(10)))
    states.restrict('global', stateRestriction('global', 'reducing', 'MANUAL', at(0)))
    expect(states.prune(9)).toEqual([])
    const dropped = states.prune(10)
    expect(dropped.map((d) => [d.scope, d.restriction.cause])).toEqual([[MARKET, 'INVARIANT']])
    expect(states.scopes()).toEqual(['global'])
  })

  test('reading a scope returns the same array until it changes', () => {
    const states = new TradingStates()
    states.restrict('global', stateRestriction('global', 'reducing', 'MANUAL', at(0)))
    expect(states.restrictionsOf('global')).toBe(states.restrictionsOf('global'))
    expect(states.restrictionsOf(MARKET)).toBe(states.restrictionsOf(asMarketId('0xother')))
  })
})
