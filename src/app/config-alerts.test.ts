import { expect, test } from 'vitest'
import { ConfigError, resolveConfig } from './config.js'

const file = (value: unknown) => ({ path: '/tmp/tiltmeter.config.json', value })

test('the alert webhook and slippage threshold are absent unless set', () => {
  const config = resolveConfig('/tmp', {}, {}, null)
  expect('alertWebhookUrl' in config).toBe(false)
  expect('slippageAlertTicks' in config).toBe(false)
})

test('the webhook comes from the file or, first, TILTMETER_ALERT_WEBHOOK; the threshold from the file', () => {
  const fromFile = resolveConfig(
    '/tmp',
    {},
    {},
    file({ alertWebhookUrl: 'https://hooks.example/a', slippageAlertTicks: 5 }),
  )
  expect(fromFile).toMatchObject({
    alertWebhookUrl: 'https://hooks.example/a',
    slippageAlertTicks: 5,
  })
  const fromEnv = resolveConfig(
    '/tmp',
    { TILTMETER_ALERT_WEBHOOK: ' http://127.0.0.1:9000/x ' },
    {},
    file({ alertWebhookUrl: 'https://hooks.example/a' }),
  )
  expect(fromEnv.alertWebhookUrl).toBe('http://127.0.0.1:9000/x')
})

test('a bad webhook or threshold is a config error naming the key', () => {
  expect(() => resolveConfig('/tmp', {}, {}, file({ alertWebhookUrl: 'hooks' }))).toThrow(
    /alertWebhookUrl "hooks" is not a URL/,
  )
  expect(() => resolveConfig('/tmp', { TILTMETER_ALERT_WEBHOOK: 'ftp://x/' }, {}, null)).toThrow(
    ConfigError,
  )
  expect(() => resolveConfig('/tmp', { TILTMETER_ALERT_WEBHOOK: 'ftp://x/' }, {}, null)).toThrow(
    /TILTMETER_ALERT_WEBHOOK must use http:\/\/ or https:\/\//,
  )
  expect(() => resolveConfig('/tmp', {}, {}, file({ slippageAlertTicks: -1 }))).toThrow(
    /slippageAlertTicks/,
  )
})
