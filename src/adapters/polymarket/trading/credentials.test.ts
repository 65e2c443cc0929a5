import { describe, expect, it } from 'vitest'
import { credentialsFromEnv, LiveConfigError, redact, secretsOf } from './credentials.js'

// Public Hardhat/Anvil test key #0.
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const FUNDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

function fails(env: Record<string, string>): LiveConfigError {
  try {
    credentialsFromEnv(env)
  } catch (error) {
    expect(error).toBeInstanceOf(LiveConfigError)
    return error as LiveConfigError
  }
  throw new Error('expected a LiveConfigError')
}

describe('credentials from the environment', () => {
  it('reads a complete set and defaults to signature type 0 with derived API keys', () => {
    expect(credentialsFromEnv({ POLYMARKET_PRIVATE_KEY: KEY })).toEqual({
      privateKey: KEY,
      signatureType: 0,
      funder: null,
      api: null,
    })
    expect(
      credentialsFromEnv({
        POLYMARKET_PRIVATE_KEY: KEY.slice(2),
        POLYMARKET_SIGNATURE_TYPE: '3',
        POLYMARKET_FUNDER_ADDRESS: FUNDER,
        POLYMARKET_API_KEY: 'k',
        POLYMARKET_API_SECRET: 's',
        POLYMARKET_API_PASSPHRASE: 'p',
      }),
    ).toEqual({
      privateKey: KEY,
      signatureType: 3,
      funder: FUNDER,
      api: { key: 'k', secret: 's', passphrase: 'p' },
    })
  })

  it('names the variable that is wrong and never shows a secret', () => {
    expect(fails({}).message).toMatch(/POLYMARKET_PRIVATE_KEY is not set/)
    const bad = fails({ POLYMARKET_PRIVATE_KEY: `${KEY}ff` })
    expect(bad.message).toMatch(/POLYMARKET_PRIVATE_KEY is malformed/)
    expect(bad.message).not.toContain(KEY.slice(2, 20))
    expect(fails({ POLYMARKET_PRIVATE_KEY: KEY, POLYMARKET_SIGNATURE_TYPE: '4' }).message).toMatch(
      /POLYMARKET_SIGNATURE_TYPE is "4": use 0 .* or 3/,
    )
    expect(fails({ POLYMARKET_PRIVATE_KEY: KEY, POLYMARKET_SIGNATURE_TYPE: '3' }).message).toMatch(
      /POLYMARKET_FUNDER_ADDRESS is not set: signature type 3/,
    )
    expect(
      fails({ POLYMARKET_PRIVATE_KEY: KEY, POLYMARKET_FUNDER_ADDRESS: '0x12' }).message,
    ).toMatch(/expected an address/)
    const partial = fails({
      POLYMARKET_PRIVATE_KEY: KEY,
      POLYMARKET_API_KEY: 'k',
      POLYMARKET_API_SECRET: 'very-secret-value',
    })
    expect(partial.message).toMatch(/POLYMARKET_API_PASSPHRASE not set/)
    expect(partial.message).not.toContain('very-secret-value')
    expect(partial.code).toBe('LIVE_CONFIG_INVALID')
  })

  it('redacts the key (with or without 0x), the secret in both base64 spellings and the passphrase', () => {
    const secret = 'ab+cd/efgh=='
    const secrets = secretsOf({ privateKey: KEY }, { key: 'id', secret, passphrase: 'passphrase1' })
    const text = `k=${KEY} raw=${KEY.slice(2)} s=${secret} s2=ab-cd_efgh== p=passphrase1 id=id`
    const out = redact(text, secrets)
    expect(out).toBe('k=[redacted] raw=[redacted] s=[redacted] s2=[redacted] p=[redacted] id=id')
    expect(redact('nothing here', [])).toBe('nothing here')
  })
})
