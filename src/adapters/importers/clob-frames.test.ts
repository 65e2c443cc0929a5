import { describe, expect, test } from 'vitest'
import { frameVenueTime, importRawFrames } from './clob-frames.js'
import type { RawFrame } from './detect.js'
import { ImportError } from './import-error.js'

function frame(value: unknown, text: string | null = null, position = 0): RawFrame {
  return { value, text, position }
}

const book = (ts: string | undefined, asset = 'A') => ({
  event_type: 'book',
  asset_id: asset,
  market: '0x1',
  bids: [],
  asks: [],
  ...(ts === undefined ? {} : { timestamp: ts }),
})

describe('frameVenueTime', () => {
  test('is the latest timestamp among the messages of a frame', () => {
    expect(frameVenueTime(book('1700000000005'))).toBe(1700000000005)
    expect(frameVenueTime([book('10'), book('30'), book('20')])).toBe(30)
    expect(frameVenueTime({ event_type: 'x', timestamp: 42 })).toBe(42)
  })

  test('is NaN when no message has a usable timestamp', () => {
    expect(frameVenueTime(book(undefined))).toBeNaN()
    expect(frameVenueTime(book('soon'))).toBeNaN()
    expect(frameVenueTime({ event_type: 'x', timestamp: -1 })).toBeNaN()
    expect(frameVenueTime([])).toBeNaN()
  })
})

describe('importRawFrames', () => {
  test('local time is the running maximum of venue time, so it never goes backwards', () => {
    const result = importRawFrames(
      [frame(book('100')), frame(book('300')), frame(book('200')), frame(book('400'))],
      'f.json',
    )
    expect(result.frames.map((f) => f.tLocal)).toEqual([100, 300, 300, 400])
    expect(result.firstTs).toBe(100)
    expect(result.lastTs).toBe(400)
  })

  test('frames without a timestamp take the time before them, or the first known one', () => {
    const result = importRawFrames(
      [frame(book(undefined)), frame(book('500')), frame(book(undefined)), frame(book('450'))],
      'f.json',
    )
    expect(result.frames.map((f) => f.tLocal)).toEqual([500, 500, 500, 500])
    expect(result.firstTs).toBe(450)
  })

  test('keeps single-line text verbatim and re-serialises the rest compactly', () => {
    const spaced = '{ "event_type" : "book", "timestamp": "7" }'
    const pretty = { event_type: 'book', timestamp: '8', nested: { b: 1, a: [1, 2] } }
    const result = importRawFrames([frame(JSON.parse(spaced), spaced), frame(pretty)], 'f')
    expect(result.frames[0]?.raw).toBe(spaced)
    expect(result.frames[1]?.raw).toBe(
      '{"event_type":"book","timestamp":"8","nested":{"b":1,"a":[1,2]}}',
    )
  })

  test('counts messages by type and collects every asset id', () => {
    const result = importRawFrames(
      [
        frame([book('1', 'A'), book('1', 'B')]),
        frame({
          event_type: 'price_change',
          timestamp: '2',
          price_changes: [{ asset_id: 'C' }, { asset_id: 'A' }, null],
        }),
        frame({ event_type: 'new_market', timestamp: '3', assets_ids: ['D', 'E'] }),
      ],
      'f',
    )
    expect(result.messagesByType).toEqual({ book: 2, price_change: 1, new_market: 1 })
    expect([...result.assets].sort()).toEqual(['A', 'B', 'C', 'D', 'E'])
  })

  test('fails when no frame has a timestamp', () => {
    expect(() => importRawFrames([frame(book(undefined))], 'nots.json')).toThrow(ImportError)
    expect(() => importRawFrames([frame(book(undefined))], 'nots.json')).toThrow(
      /^nots\.json: no frame carries a "timestamp"/,
    )
  })
})
