import { describe, expect, test } from 'vitest'
import { UsageError } from './cli-io.js'
import { DEFAULT_VENUE_URLS, resolveVenueUrls } from './venue-urls.js'

describe('resolveVenueUrls', () => {
  test('defaults to production', () => {
    expect(resolveVenueUrls({}, {})).toEqual({
      wsUrl: 'wss://ws-subscriptions-clob.polymarket.com/ws/market',
      restUrl: 'https://clob.polymarket.com',
      gammaUrl: 'https://gamma-api.polymarket.com',
    })
  })

  test('flag beats environment beats default', () => {
    const env = {
      TILTMETER_WS_URL: 'ws://127.0.0.1:7001/ws/market',
      TILTMETER_REST_URL: 'http://127.0.0.1:7002',
      TILTMETER_GAMMA_URL: 'http://127.0.0.1:7003',
    }
    expect(resolveVenueUrls({ 'rest-url': 'http://localhost:9000/' }, env)).toEqual({
      wsUrl: 'ws://127.0.0.1:7001/ws/market',
      restUrl: 'http://localhost:9000',
      gammaUrl: 'http://127.0.0.1:7003',
    })
  })

  test('an empty environment variable counts as unset', () => {
    expect(resolveVenueUrls({}, { TILTMETER_GAMMA_URL: '  ' }).gammaUrl).toBe(
      DEFAULT_VENUE_URLS.gammaUrl,
    )
  })

  test('a value that is not a URL names its source and shows an example', () => {
    expect(() => resolveVenueUrls({ 'gamma-url': 'gamma.example' }, {})).toThrow(
      new UsageError(
        '--gamma-url "gamma.example" is not a URL; expected an http:// or https:// address such as https://gamma-api.polymarket.com',
      ),
    )
    expect(() => resolveVenueUrls({}, { TILTMETER_REST_URL: 'nope' })).toThrow(
      /^TILTMETER_REST_URL "nope" is not a URL/,
    )
  })

  test('the wrong kind of URL is refused', () => {
    expect(() => resolveVenueUrls({ 'ws-url': 'https://ws.example/ws/market' }, {})).toThrow(
      new UsageError(
        '--ws-url "https://ws.example/ws/market" uses https; expected a ws:// or wss:// address such as wss://ws-subscriptions-clob.polymarket.com/ws/market',
      ),
    )
    expect(() => resolveVenueUrls({}, { TILTMETER_GAMMA_URL: 'wss://x' })).toThrow(
      /^TILTMETER_GAMMA_URL "wss:\/\/x" uses wss; expected an http:\/\/ or https:\/\/ address/,
    )
  })
})
