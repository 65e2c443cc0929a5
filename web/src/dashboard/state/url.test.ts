import { describe, expect, it } from 'vitest'
import { dashboardSearch, parseDashboardUrl } from './url.js'

describe('parseDashboardUrl', () => {
  it('reads a playback address with a time', () => {
    const parsed = parseDashboardUrl('?capture=nhl%20g4&t=1780796579983')
    expect(parsed.route).toEqual({
      kind: 'playback',
      capture: 'nhl g4',
      t: 1780796579983,
      market: null,
      token: null,
    })
    expect(parsed.problems).toEqual([])
  })

  it('keeps playing from the start when t is not a time, and says so', () => {
    const parsed = parseDashboardUrl('?capture=a&t=soon')
    expect(parsed.route).toMatchObject({ kind: 'playback', t: null })
    expect(parsed.problems[0]).toMatch(/t "soon"/)
  })

  it('rejects negative and fractional times', () => {
    expect(parseDashboardUrl('?capture=a&t=-5').route).toMatchObject({ t: null })
    expect(parseDashboardUrl('?capture=a&t=1.5').route).toMatchObject({ t: null })
  })

  it('reads a live address by slug', () => {
    expect(parseDashboardUrl('?market=val-fnc-sen&token=123').route).toEqual({
      kind: 'live',
      market: 'val-fnc-sen',
      token: '123',
    })
  })

  it('drops a token that is not a token id', () => {
    const parsed = parseDashboardUrl('?market=x&token=abc')
    expect(parsed.route).toEqual({ kind: 'live', market: 'x', token: null })
    expect(parsed.problems[0]).toMatch(/token "abc"/)
  })

  it('prefers the capture when both are given', () => {
    expect(parseDashboardUrl('?capture=c&market=m').route).toMatchObject({
      kind: 'playback',
      market: 'm',
    })
  })

  it('shows the chooser for an empty or blank address', () => {
    expect(parseDashboardUrl('').route).toEqual({ kind: 'chooser' })
    expect(parseDashboardUrl('?capture=%20&market=').route).toEqual({ kind: 'chooser' })
  })
})

describe('dashboardSearch', () => {
  it('writes a playback route and keeps unrelated parameters', () => {
    const search = dashboardSearch('?access=abc&market=old', {
      kind: 'playback',
      capture: 'c 1',
      t: 1234.4,
      market: null,
      token: null,
    })
    expect(search).toBe('?access=abc&capture=c+1&t=1234')
    expect(parseDashboardUrl(search).route).toMatchObject({ capture: 'c 1', t: 1234 })
  })

  it('writes a live route and clears playback keys', () => {
    expect(dashboardSearch('?capture=c&t=5', { kind: 'live', market: '0xabc', token: '7' })).toBe(
      '?market=0xabc&token=7',
    )
  })

  it('writes nothing for the chooser', () => {
    expect(dashboardSearch('?capture=c', { kind: 'chooser' })).toBe('')
  })
})
