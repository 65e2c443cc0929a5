import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { UsageError } from './cli-io.js'
import {
  CONFIG_FILE_NAME,
  ConfigError,
  loadConfig,
  resolveCommandVenueUrls,
  resolveConfig,
} from './config.js'
import { DEFAULT_RISK_LIMITS } from '../domain/risk/limits.js'
import { DEFAULT_VENUE_URLS } from './venue-urls.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiltmeter-config-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function writeConfig(value: unknown, name = CONFIG_FILE_NAME): string {
  const path = join(dir, name)
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

describe('loadConfig', () => {
  test('defaults without a file, environment or flags', () => {
    const config = loadConfig(dir, {}, {})
    expect(config).toEqual({
      port: 7300,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      databaseUrl: null,
      captureDir: join(dir, 'data', 'captures'),
      capture: true,
      snapshotIntervalMs: 500,
      storeQueueMax: 100_000,
      logLevel: 'info',
      venue: DEFAULT_VENUE_URLS,
      signals: undefined,
      risk: DEFAULT_RISK_LIMITS,
      file: null,
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  test('defaults < file < environment < flags', () => {
    const path = writeConfig({
      port: 7400,
      host: '127.0.0.2',
      dataDir: 'file-data',
      databaseUrl: 'sqlite:file.sqlite',
      snapshotIntervalMs: 250,
      logLevel: 'warn',
      venue: { wsUrl: 'ws://127.0.0.1:1/ws/market', restUrl: 'http://127.0.0.1:1/' },
      signals: { panic: { minScore: 2 } },
    })
    const fileOnly = loadConfig(dir, {}, {})
    expect(fileOnly).toMatchObject({
      port: 7400,
      host: '127.0.0.2',
      dataDir: join(dir, 'file-data'),
      databaseUrl: 'sqlite:file.sqlite',
      captureDir: join(dir, 'file-data', 'captures'),
      snapshotIntervalMs: 250,
      logLevel: 'warn',
      venue: {
        wsUrl: 'ws://127.0.0.1:1/ws/market',
        restUrl: 'http://127.0.0.1:1',
        gammaUrl: DEFAULT_VENUE_URLS.gammaUrl,
      },
      signals: { panic: { minScore: 2 } },
      file: path,
    })
    const env = {
      TILTMETER_PORT: '7500',
      TILTMETER_DATA_DIR: '/tmp/env-data',
      DATABASE_URL: 'postgres://u@h/db',
      TILTMETER_REST_URL: 'http://127.0.0.1:2',
      TILTMETER_LOG_LEVEL: 'debug',
    }
    expect(loadConfig(dir, env, {})).toMatchObject({
      port: 7500,
      host: '127.0.0.2',
      dataDir: '/tmp/env-data',
      databaseUrl: 'postgres://u@h/db',
      logLevel: 'debug',
      venue: { wsUrl: 'ws://127.0.0.1:1/ws/market', restUrl: 'http://127.0.0.1:2' },
    })
    const flags = {
      port: '0',
      'data-dir': 'flag-data',
      'capture-dir': 'caps',
      'rest-url': 'http://127.0.0.1:3',
      'log-level': 'error',
      'no-capture': true,
    }
    expect(loadConfig(dir, env, flags)).toMatchObject({
      port: 0,
      dataDir: join(dir, 'flag-data'),
      captureDir: join(dir, 'caps'),
      capture: false,
      logLevel: 'error',
      venue: { restUrl: 'http://127.0.0.1:3' },
    })
  })

  test('--config and TILTMETER_CONFIG choose the file; --config wins', () => {
    const a = writeConfig({ port: 1111 }, 'a.json')
    writeConfig({ port: 2222 }, 'b.json')
    expect(loadConfig(dir, { TILTMETER_CONFIG: 'b.json' }, {}).port).toBe(2222)
    expect(loadConfig(dir, { TILTMETER_CONFIG: 'b.json' }, { config: 'a.json' })).toMatchObject({
      port: 1111,
      file: a,
    })
  })

  test('an explicit config file that does not exist is an error naming it', () => {
    expect(() => loadConfig(dir, {}, { config: 'missing.json' })).toThrow(
      new ConfigError(`cannot read config file ${join(dir, 'missing.json')}: it does not exist`),
    )
    expect(() => loadConfig(dir, {}, { config: ' ' })).toThrow(UsageError)
  })

  test('a file that is not JSON is an error naming the file', () => {
    const path = writeConfig('{ "port": 7300, }')
    expect(() => loadConfig(dir, {}, {})).toThrow(ConfigError)
    expect(() => loadConfig(dir, {}, {})).toThrow(
      new RegExp(`^config file ${path} is not valid JSON .*expected an object`),
    )
  })

  test('a file that is not an object says what is expected', () => {
    const path = writeConfig([1, 2])
    expect(() => loadConfig(dir, {}, {})).toThrow(
      new ConfigError(`config file ${path}: the file must hold a JSON object, e.g. {"port": 7300}`),
    )
  })

  test('unknown keys are errors, at the top and inside venue', () => {
    const path = writeConfig({ prot: 7300 })
    expect(() => loadConfig(dir, {}, {})).toThrow(
      new RegExp(`^config file ${path}: unknown key "prot"; known keys are port, host, `),
    )
    writeConfig({ venue: { wsurl: 'ws://127.0.0.1:1' } })
    expect(() => loadConfig(dir, {}, {})).toThrow(
      /unknown key "venue\.wsurl"; known keys are wsUrl, restUrl, gammaUrl$/,
    )
  })

  test('a wrong value names the key path and what is expected', () => {
    const path = writeConfig({ port: 'seven', snapshotIntervalMs: -1 })
    let message = ''
    try {
      loadConfig(dir, {}, {})
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      message = (e as Error).message
    }
    expect(message).toMatch(new RegExp(`^config file ${path}: "port": .*number`))
    expect(message).toMatch(/"snapshotIntervalMs": .*>=0/)
    writeConfig({ logLevel: 'loud' })
    expect(() => loadConfig(dir, {}, {})).toThrow(/"logLevel": .*"info"/)
    writeConfig({ venue: { gammaUrl: 'gamma.example' } })
    expect(() => loadConfig(dir, {}, {})).toThrow(
      new ConfigError(
        `config file ${path}: "venue.gammaUrl" "gamma.example" is not a URL; expected an http:// or https:// address such as https://gamma-api.polymarket.com`,
      ),
    )
    writeConfig({ dataDir: '' })
    expect(() => loadConfig(dir, {}, {})).toThrow(/"dataDir": .*non-empty string/)
  })

  test('bad environment values are config errors naming the variable', () => {
    expect(() => loadConfig(dir, { TILTMETER_PORT: 'x' }, {})).toThrow(
      new ConfigError(
        'TILTMETER_PORT "x" is not a port; expected a whole number 0..65535 (0 = any free port)',
      ),
    )
    expect(() => loadConfig(dir, { TILTMETER_LOG_LEVEL: 'loud' }, {})).toThrow(
      /^TILTMETER_LOG_LEVEL must be one of/,
    )
  })

  test('bad flag values are usage errors naming the flag', () => {
    expect(() => loadConfig(dir, {}, { port: '70000' })).toThrow(
      new UsageError(
        '--port "70000" is not a port; expected a whole number 0..65535 (0 = any free port)',
      ),
    )
    expect(() => loadConfig(dir, {}, { 'log-level': 'loud' })).toThrow(UsageError)
    expect(() => loadConfig(dir, {}, { host: ' ' })).toThrow(UsageError)
    expect(() => loadConfig(dir, {}, { 'data-dir': '' })).toThrow(UsageError)
    expect(() => loadConfig(dir, {}, { 'capture-dir': '' })).toThrow(UsageError)
  })

  test('empty environment variables count as unset', () => {
    writeConfig({ port: 7400 })
    expect(loadConfig(dir, { TILTMETER_PORT: ' ', DATABASE_URL: '' }, {})).toMatchObject({
      port: 7400,
      databaseUrl: null,
    })
  })
})

describe('resolveConfig', () => {
  test('takes an already loaded file', () => {
    const config = resolveConfig(dir, {}, {}, { path: '/etc/t.json', value: { port: 1 } })
    expect(config).toMatchObject({ port: 1, file: '/etc/t.json' })
  })
})

describe('resolveCommandVenueUrls', () => {
  test('the config file layer sits between the environment and the default', () => {
    writeConfig({ venue: { gammaUrl: 'http://127.0.0.1:9/gamma/' }, port: 1 })
    expect(resolveCommandVenueUrls({}, {}, dir)).toEqual({
      ...DEFAULT_VENUE_URLS,
      gammaUrl: 'http://127.0.0.1:9/gamma',
    })
    expect(
      resolveCommandVenueUrls({}, { TILTMETER_GAMMA_URL: 'http://127.0.0.1:8' }, dir).gammaUrl,
    ).toBe('http://127.0.0.1:8')
    expect(resolveCommandVenueUrls({ 'gamma-url': 'http://127.0.0.1:7' }, {}, dir).gammaUrl).toBe(
      'http://127.0.0.1:7',
    )
  })

  test('without a file it is the plain flag and environment resolution', () => {
    expect(resolveCommandVenueUrls({}, {}, dir)).toEqual(DEFAULT_VENUE_URLS)
  })

  test('a bad file still fails, naming the file', () => {
    const path = writeConfig({ venue: { wsUrl: 'http://x' } })
    expect(() => resolveCommandVenueUrls({}, {}, dir)).toThrow(
      new ConfigError(
        `config file ${path}: "venue.wsUrl" "http://x" uses http; expected a ws:// or wss:// address such as wss://ws-subscriptions-clob.polymarket.com/ws/market`,
      ),
    )
  })
})
