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

  test('the config file layer sits below the environment', () => {
    const file = {
      source: '/x/tiltmeter.config.json',
      urls: { wsUrl: 'ws://127.0.0.1:1/ws/market' },
    }
    expect(resolveVenueUrls({}, {}, file).wsUrl).toBe('ws://127.0.0.1:1/ws/market')
    expect(
      resolveVenueUrls({}, { TILTMETER_WS_URL: 'ws://127.0.0.1:2/ws/market' }, file).wsUrl,
    ).toBe('ws://127.0.0.1:2/ws/market')
    expect(resolveVenueUrls({}, {}, { source: 'f', urls: { wsUrl: ' ' } }).wsUrl).toBe(
      DEFAULT_VENUE_URLS.wsUrl,
    )
  })

  test("a bad file value names the file and key, with the caller's error type", () => {
    const file = { source: '/x/t.json', urls: { restUrl: 'nope' } }
    expect(() => resolveVenueUrls({}, {}, file)).toThrow(
      new UsageError(
        'config file /x/t.json: "venue.restUrl" "nope" is not a URL; expected an http:// or https:// address such as https://clob.polymarket.com',
      ),
    )
    class FileError extends Error {}
    expect(() => resolveVenueUrls({}, {}, { ...file, makeError: (m) => new FileError(m) })).toThrow(
      FileError,
    )
  })
})
