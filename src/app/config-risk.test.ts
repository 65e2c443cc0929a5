import { expect, test } from 'vitest'
import { DEFAULT_RISK_LIMITS } from '../domain/risk/limits.js'
import { ConfigError, resolveConfig } from './config.js'

test('risk limits default to the SPEC values and take overrides from the config file', () => {
  expect(resolveConfig('/tmp', {}, {}, null).risk).toEqual(DEFAULT_RISK_LIMITS)
  const config = resolveConfig(
    '/tmp',
    {},
    {},
    {
      path: '/tmp/tiltmeter.config.json',
      value: { risk: { maxOrderUsd: 50, tradeCooldownMs: 0 } },
    },
  )
  expect(config.risk.maxOrderUsdc).toBe(50_000_000)
  expect(config.risk.tradeCooldownMs).toBe(0)
  expect(config.risk.maxPositionUsdc).toBe(DEFAULT_RISK_LIMITS.maxPositionUsdc)
})

test('bad risk limits are a config error naming each key', () => {
  const load = () =>
    resolveConfig(
      '/tmp',
      {},
      {},
      {
        path: '/tmp/tiltmeter.config.json',
        value: { risk: { maxOrderUsd: -1, maxPosition: 3 } },
      },
    )
  expect(load).toThrow(ConfigError)
  expect(load).toThrow(
    /config file \/tmp\/tiltmeter\.config\.json: risk: unknown key "maxPosition".*maxOrderUsd must be/,
  )
})
