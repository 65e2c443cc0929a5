/**
 * API credentials as the venue hands them out: one set per (wallet address, nonce), the same
 * set every time it is derived again. The simulator derives them from a server secret so a
 * restart with the same seed gives the same credentials.
 */
import { createHmac } from 'node:crypto'

export type ApiCreds = {
  readonly apiKey: string
  readonly secret: string
  readonly passphrase: string
  /** The wallet (EOA) the key is bound to, lower case. */
  readonly address: string
  readonly nonce: string
}

export class ApiKeyStore {
  private readonly _serverSecret: string
  private readonly _byKey = new Map<string, ApiCreds>()
  private readonly _byOwner = new Map<string, string>()

  constructor(serverSecret: string) {
    this._serverSecret = serverSecret
  }

  /** Creates the key for (address, nonce); null when it exists already (the venue refuses). */
  create(address: string, nonce: string): ApiCreds | null {
    const id = `${address.toLowerCase()}|${nonce}`
    if (this._byOwner.has(id)) return null
    const creds = this._derive(address, nonce)
    this._byOwner.set(id, creds.apiKey)
    this._byKey.set(creds.apiKey, creds)
    return creds
  }

  /** The existing key for (address, nonce), or null when none was created. */
  derive(address: string, nonce: string): ApiCreds | null {
    const key = this._byOwner.get(`${address.toLowerCase()}|${nonce}`)
    return key === undefined ? null : (this._byKey.get(key) ?? null)
  }

  get(apiKey: string): ApiCreds | undefined {
    return this._byKey.get(apiKey)
  }

  /** Every key bound to `address`. */
  keysOf(address: string): ApiCreds[] {
    return [...this._byKey.values()].filter((c) => c.address === address.toLowerCase())
  }

  /** Deletes a key; returns whether it existed. */
  delete(apiKey: string): boolean {
    const creds = this._byKey.get(apiKey)
    if (creds === undefined) return false
    this._byKey.delete(apiKey)
    this._byOwner.delete(`${creds.address}|${creds.nonce}`)
    return true
  }

  private _derive(address: string, nonce: string): ApiCreds {
    const digest = (label: string): Buffer =>
      createHmac('sha256', this._serverSecret)
        .update(`${label}|${address.toLowerCase()}|${nonce}`)
        .digest()
    const k = digest('key').toString('hex')
    const apiKey = `${k.slice(0, 8)}-${k.slice(8, 12)}-4${k.slice(13, 16)}-a${k.slice(17, 20)}-${k.slice(20, 32)}`
    const secret = digest('secret').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
    const passphrase = digest('passphrase').toString('hex')
    return { apiKey, secret, passphrase, address: address.toLowerCase(), nonce }
  }
}
