import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { ConfigError, resolveConfig } from '../config.js'
import { ACCESS_TOKEN_FILE, AccessTokenError, resolveAccessToken } from './access-token.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiltmeter-token-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('resolveAccessToken', () => {
  test('loopback without a configured token: none', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      expect(await resolveAccessToken({ host, configured: null, dataDir: dir })).toEqual({
        kind: 'none',
      })
    }
  })

  test('a configured token is in force on any host', async () => {
    const token = 'configured-token-123456'
    expect(
      await resolveAccessToken({ host: '127.0.0.1', configured: token, dataDir: dir }),
    ).toEqual({ kind: 'configured', token })
  })

  test('beyond loopback a token is generated once, kept 0600, and reused', async () => {
    const dataDir = join(dir, 'data')
    const first = await resolveAccessToken({ host: '0.0.0.0', configured: undefined, dataDir })
    expect(first.kind).toBe('file')
    if (first.kind !== 'file') return
    expect(first.generated).toBe(true)
    expect(first.token.length).toBeGreaterThanOrEqual(40)
    expect(readFileSync(first.file, 'utf8').trim()).toBe(first.token)
    expect(statSync(first.file).mode & 0o777).toBe(0o600)
    const again = await resolveAccessToken({ host: '192.168.1.5', configured: null, dataDir })
    expect(again).toEqual({ kind: 'file', token: first.token, file: first.file, generated: false })
  })

  test('a token file readable by others is made private; a bad one is refused', async () => {
    const file = join(dir, ACCESS_TOKEN_FILE)
    writeFileSync(file, 'a-token-of-enough-length\n')
    chmodSync(file, 0o644)
    const found = await resolveAccessToken({ host: '0.0.0.0', configured: null, dataDir: dir })
    expect(found).toMatchObject({ kind: 'file', token: 'a-token-of-enough-length' })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    writeFileSync(file, 'short\n')
    await expect(
      resolveAccessToken({ host: '0.0.0.0', configured: null, dataDir: dir }),
    ).rejects.toThrow(AccessTokenError)
  })
})

describe('config', () => {
  test('accessToken comes from the environment over the file; a short one is refused', () => {
    const file = { path: join(dir, 'c.json'), value: { accessToken: 'from-the-file-0123456' } }
    expect(resolveConfig(dir, {}, {}, file).accessToken).toBe('from-the-file-0123456')
    const env = { TILTMETER_ACCESS_TOKEN: 'from-the-env-0123456789' }
    expect(resolveConfig(dir, env, {}, file).accessToken).toBe('from-the-env-0123456789')
    expect(resolveConfig(dir, {}, {}, null).accessToken).toBeUndefined()
    expect(() => resolveConfig(dir, { TILTMETER_ACCESS_TOKEN: 'short' }, {}, null)).toThrow(
      ConfigError,
    )
    expect(() =>
      resolveConfig(dir, {}, {}, { path: 'c.json', value: { accessToken: 'short' } }),
    ).toThrow(/accessToken.*16 characters/)
  })
})
