import { describe, expect, it } from 'vitest'
import type { DashboardEvent, DashboardSignal } from '../state/dashboard-store.js'
import { buildMarkers, countByKind, eventShort, nearestMarker } from './markers.js'

const signal = (over: Partial<DashboardSignal>): DashboardSignal => ({
  id: 1,
  type: 'PANIC_SELL',
  ts: 12_000,
  assetId: 'A',
  market: 'm',
  score: 0.8,
  volumeRatio: 4,
  spreadRatio: 2,
  depthRatio: 0.5,
  priceChange: -0.05,
  reverted: true,
  reversionS: 20,
  ...over,
})

const event = (over: Partial<DashboardEvent>): DashboardEvent => ({
  id: 7,
  tsMs: 15_400,
  tsVideoMs: null,
  type: 'round_win',
  team: 'SEN',
  score: '1-0',
  map: null,
  note: null,
  market: 'm',
  assetId: null,
  ...over,
})

const times = [10, 12, 14, 16]

describe('markers', () => {
  it('places signals of the charted token, events and own fills on the nearest bar', () => {
    const markers = buildMarkers({
      times,
      token: 'A',
      signals: [
        signal({}),
        signal({ id: 2, assetId: 'B' }),
        signal({ id: 3, type: 'FOMO_BUY', ts: 9000 }),
      ],
      events: [event({}), event({ id: null, tsMs: 99_000, type: 'custom' })],
      fills: [
        {
          id: 'f1',
          ts: 13_200,
          tokenId: 'A',
          market: 'm',
          side: 'buy',
          price: 5300,
          size: 2_000_000,
        },
        { id: 'f2', ts: 13_200, tokenId: 'B', market: 'm', side: 'sell', price: 4700, size: 1 },
      ],
    })
    expect(markers.map((m) => [m.id, m.bar, m.time])).toEqual([
      ['signal:3', 0, 10],
      ['signal:1', 1, 12],
      ['fill:f1', 2, 14],
      ['event:7', 3, 16],
      ['event:n1:99000', 3, 16],
    ])
    const ps = markers.find((m) => m.id === 'signal:1')!
    expect(ps).toMatchObject({ shape: 'arrowDown', position: 'aboveBar', text: 'PS' })
    expect(ps.label).toMatch(/reverted/)
    expect(markers.find((m) => m.id === 'signal:3')).toMatchObject({ shape: 'arrowUp' })
    expect(markers.find((m) => m.id === 'fill:f1')).toMatchObject({ text: 'B 0.530' })
    expect(markers.find((m) => m.id === 'event:7')).toMatchObject({ text: 'RW SEN' })
    expect(countByKind(markers)).toEqual({ signal: 2, event: 2, fill: 1 })
  })

  it('draws nothing without bars', () => {
    expect(
      buildMarkers({
        times: [],
        token: 'A',
        signals: [signal({})],
        events: [event({})],
        fills: [],
      }),
    ).toEqual([])
  })

  it('abbreviates event types', () => {
    expect(eventShort('round_win')).toBe('RW')
    expect(eventShort('goal')).toBe('GO')
    expect(eventShort('')).toBe('?')
  })

  it('finds the marker under the mouse within a few pixels', () => {
    const markers = buildMarkers({
      times,
      token: 'A',
      signals: [signal({}), signal({ id: 2, ts: 16_000 })],
      events: [],
      fills: [],
    })
    expect(nearestMarker(markers, 1.1, 20)?.id).toBe('signal:1')
    expect(nearestMarker(markers, 2.8, 20)?.id).toBe('signal:2')
    expect(nearestMarker(markers, 2, 20)).toBeNull()
    expect(nearestMarker([], 1, 20)).toBeNull()
  })
})
