/**
 * Request authentication as the venue does it. L1 (wallet): `POLY_ADDRESS`, `POLY_SIGNATURE`
 * (EIP-712 `ClobAuth`), `POLY_TIMESTAMP`, `POLY_NONCE`. L2 (API key): `POLY_ADDRESS`,
 * `POLY_SIGNATURE` (HMAC of timestamp + method + path without query + body), `POLY_TIMESTAMP`,
 * `POLY_API_KEY`, `POLY_PASSPHRASE`. Node lower-cases header names; underscores pass through.
 */
import type { IncomingMessage } from 'node:http'
import type { ApiCreds, ApiKeyStore } from './api-keys.js'
import { l2Signature, recoverClobAuthSigner, sameAddress, sameText } from './signing.js'

export type AuthContext = {
  readonly keys: ApiKeyStore
  readonly chainId: number
  /** Accepted distance between `POLY_TIMESTAMP` and the server clock, seconds. */
  readonly skewS: number
  readonly nowMs: number
}

const DECIMAL = /^[0-9]+$/

/** The wallet and nonce of a valid L1 request, or null. */
export async function checkL1(
  req: IncomingMessage,
  ctx: AuthContext,
): Promise<{ address: string; nonce: string } | null> {
  const address = header(req, 'poly_address')
  const signature = header(req, 'poly_signature')
  const timestamp = header(req, 'poly_timestamp')
  const nonce = header(req, 'poly_nonce') ?? '0'
  if (address === null || signature === null || timestamp === null) return null
  if (!DECIMAL.test(timestamp) || !DECIMAL.test(nonce)) return null
  if (Math.abs(Number(timestamp) - ctx.nowMs / 1000) > ctx.skewS) return null
  const recovered = await recoverClobAuthSigner(
    address,
    timestamp,
    BigInt(nonce),
    signature,
    ctx.chainId,
  )
  if (recovered === null || !sameAddress(recovered, address)) return null
  return { address, nonce }
}

/** The credentials of a valid L2 request, or null. */
export function checkL2(
  req: IncomingMessage,
  method: string,
  path: string,
  body: string,
  ctx: AuthContext,
): ApiCreds | null {
  const address = header(req, 'poly_address')
  const signature = header(req, 'poly_signature')
  const timestamp = header(req, 'poly_timestamp')
  const apiKey = header(req, 'poly_api_key')
  const passphrase = header(req, 'poly_passphrase')
  if (
    address === null ||
    signature === null ||
    timestamp === null ||
    apiKey === null ||
    passphrase === null
  ) {
    return null
  }
  const creds = ctx.keys.get(apiKey)
  if (creds === undefined || !sameText(creds.passphrase, passphrase)) return null
  if (!sameAddress(creds.address, address)) return null
  if (!DECIMAL.test(timestamp) || Math.abs(Number(timestamp) - ctx.nowMs / 1000) > ctx.skewS) {
    return null
  }
  const expected = l2Signature(creds.secret, timestamp, method, path, body)
  return sameText(expected, signature) ? creds : null
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name]
  return typeof value === 'string' && value !== '' ? value : null
}
