import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { VenueError } from '../errors.js'
import {
  decodeBody,
  decodeItems,
  jsonStringArray,
  parseVenueTime,
  priceValue,
  tickSizeValue,
  usdValue,
} from './codecs.js'

const REQUEST = { method: 'GET', url: 'https://gamma.example/markets' }

describe('parseVenueTime', () => {
  test.each([
    ['2026-04-05T15:10:00Z', Date.UTC(2026, 3, 5, 15, 10)],
    ['2026-04-05 15:10:00+00', Date.UTC(2026, 3, 5, 15, 10)],
    ['2026-04-05 19:37:33+00', Date.UTC(2026, 3, 5, 19, 37, 33)],
    ['2026-04-05T14:02:57.37498Z', Date.UTC(2026, 3, 5, 14, 2, 57, 374)],
    ['2022-07-29T01:45:00.063Z', Date.UTC(2022, 6, 29, 1, 45, 0, 63)],
    ['2026-04-05T17:10:00+02:00', Date.UTC(2026, 3, 5, 15, 10)],
    ['2026-04-05T10:10:00-0500', Date.UTC(2026, 3, 5, 15, 10)],
    ['2026-04-05', Date.UTC(2026, 3, 5)],
    ['2026-04-05 15:10', Date.UTC(2026, 3, 5, 15, 10)],
  ])('%s', (text, expected) => {
    expect(parseVenueTime(text)).toBe(expected)
  })

  test.each(['', 'tomorrow', '2026-02-30', '2026-13-01', '2026-04-05 25:00:00', '1775401800'])(
    'rejects %j',
    (text) => {
      expect(parseVenueTime(text)).toBeNull()
    },
  )
})

describe('field codecs', () => {
  test('JSON-in-string arrays', () => {
    expect(jsonStringArray.parse('["FaZe", "illwill"]')).toEqual(['FaZe', 'illwill'])
    expect(jsonStringArray.parse(['a'])).toEqual(['a'])
    expect(jsonStringArray.safeParse('["a", 1]').success).toBe(false)
    expect(jsonStringArray.safeParse('["a"').success).toBe(false)
    expect(jsonStringArray.safeParse('{"a":1}').success).toBe(false)
  })

  test('prices from strings are exact, from numbers rounded to 0.0001', () => {
    expect(priceValue.parse('0.535')).toBe(5350)
    expect(priceValue.parse(0.999)).toBe(9990)
    expect(priceValue.parse(1)).toBe(10000)
    expect(priceValue.safeParse('0.53512').success).toBe(false)
    expect(priceValue.safeParse(1.2).success).toBe(false)
  })

  test('tick sizes: only the venue set, as number or string', () => {
    expect(tickSizeValue.parse(0.01)).toBe(100)
    expect(tickSizeValue.parse('0.0025')).toBe(25)
    expect(tickSizeValue.safeParse(0.02).success).toBe(false)
  })

  test('dollar amounts as USDC micros, from strings or floats', () => {
    expect(usdValue.parse('400500.66675')).toBe(400_500_666_750)
    expect(usdValue.parse(26458.188064999995)).toBe(26_458_188_065)
    expect(usdValue.safeParse('lots').success).toBe(false)
    expect(usdValue.safeParse('').success).toBe(false)
  })
})

describe('decodeBody', () => {
  const schema = z.object({
    asset_id: z.string(),
    bids: z.array(z.object({ price: priceValue })),
  })

  test('names each bad field, says what is missing, lists at most three', () => {
    const e = (() => {
      try {
        decodeBody(schema, { bids: [{ price: 'x' }, { price: 2 }, {}, { price: '3' }] }, REQUEST)
      } catch (error) {
        return error
      }
      return null
    })()
    expect(e).toBeInstanceOf(VenueError)
    const error = e as VenueError
    expect(error.code).toBe('BAD_BODY')
    expect(error.retryable).toBe(false)
    expect(error.message).toBe(
      'GET https://gamma.example/markets returned an unexpected body: ' +
        'asset_id: missing (expected string); bids[0].price: "x" is not a price between 0 and 1; ' +
        'bids[1].price: 2 is not a price between 0 and 1 (and 2 more)',
    )
  })

  test('a body that is not an object names the body itself', () => {
    expect(() => decodeBody(schema, null, REQUEST)).toThrow(
      /returned an unexpected body: \(the body itself\): expected object, received null$/,
    )
  })

  test('decodeItems keeps good items and reports bad ones with their position', () => {
    const result = decodeItems(
      schema,
      [{ asset_id: '1', bids: [] }, { slug: 'bad-one' }, { asset_id: '3', bids: [] }],
      REQUEST,
      'data',
    )
    expect(result.items.map((i) => i.asset_id)).toEqual(['1', '3'])
    expect(result.indices).toEqual([0, 2])
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]?.index).toBe(1)
    expect(result.problems[0]?.id).toBe('bad-one')
    expect(result.problems[0]?.error.message).toContain('data[1].asset_id: missing')
  })
})
