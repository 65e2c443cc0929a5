/**
 * Live trading credentials, read from the environment only (never from files, flags or the
 * config), and the redaction that keeps them out of every message and log line.
 *
 * Variables:
 * - `POLYMARKET_PRIVATE_KEY`: the signing key, `0x` + 64 hex (required).
 * - `POLYMARKET_SIGNATURE_TYPE`: 0 EOA, 1 proxy, 2 Gnosis safe, 3 deposit wallet (default 0).
 * - `POLYMARKET_FUNDER_ADDRESS`: the wallet that holds the funds (required for types 1, 2, 3;
 *   for type 3 it is the deposit wallet).
 * - `POLYMARKET_API_KEY`, `POLYMARKET_API_SECRET`, `POLYMARKET_API_PASSPHRASE`: the L2 API
 *   credentials; all three or none (none: derived with an L1 signature at start).
 */

export type SignatureType = 0 | 1 | 2 | 3

export const SIGNATURE_TYPE_NAMES: Readonly<Record<SignatureType, string>> = {
  0: 'EOA',
  1: 'POLY_PROXY',
  2: 'POLY_GNOSIS_SAFE',
  3: 'POLY_1271 (deposit wallet)',
}

export type ApiCredentials = {
  readonly key: string
  readonly secret: string
  readonly passphrase: string
}

export type TradingCredentials = {
  readonly privateKey: `0x${string}`
  readonly signatureType: SignatureType
  /** The funds holder; null means the signer's own address (type 0). */
  readonly funder: string | null
  /** Null: derive with L1 at start. */
  readonly api: ApiCredentials | null
}

export const ENV = {
  privateKey: 'POLYMARKET_PRIVATE_KEY',
  signatureType: 'POLYMARKET_SIGNATURE_TYPE',
  funder: 'POLYMARKET_FUNDER_ADDRESS',
  apiKey: 'POLYMARKET_API_KEY',
  apiSecret: 'POLYMARKET_API_SECRET',
  apiPassphrase: 'POLYMARKET_API_PASSPHRASE',
} as const

export class LiveConfigError extends Error {
  readonly code = 'LIVE_CONFIG_INVALID'
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/

/**
 * Reads the credentials from `env`. Throws {@link LiveConfigError} naming the variable that is
 * missing or malformed and what to put there; the error never contains a value.
 */
export function credentialsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TradingCredentials {
  const keyText = (env[ENV.privateKey] ?? '').trim()
  if (keyText === '') {
    throw new LiveConfigError(
      `${ENV.privateKey} is not set: export the signing wallet's private key (0x + 64 hex) to trade live`,
    )
  }
  const withPrefix = keyText.startsWith('0x') ? keyText : `0x${keyText}`
  if (!PRIVATE_KEY.test(withPrefix)) {
    throw new LiveConfigError(
      `${ENV.privateKey} is malformed: expected 0x followed by 64 hex characters (value not shown)`,
    )
  }
  const typeText = (env[ENV.signatureType] ?? '0').trim()
  if (!/^[0-3]$/.test(typeText)) {
    throw new LiveConfigError(
      `${ENV.signatureType} is "${typeText}": use 0 (EOA), 1 (proxy), 2 (Gnosis safe) or 3 (deposit wallet)`,
    )
  }
  const signatureType = Number(typeText) as SignatureType
  const funderText = (env[ENV.funder] ?? '').trim()
  if (funderText !== '' && !ADDRESS.test(funderText)) {
    throw new LiveConfigError(
      `${ENV.funder} is "${funderText}": expected an address, 0x followed by 40 hex characters`,
    )
  }
  if (signatureType !== 0 && funderText === '') {
    throw new LiveConfigError(
      `${ENV.funder} is not set: signature type ${signatureType} (${SIGNATURE_TYPE_NAMES[signatureType]}) trades from a separate wallet; export its address`,
    )
  }
  const parts = [env[ENV.apiKey], env[ENV.apiSecret], env[ENV.apiPassphrase]].map((v) =>
    (v ?? '').trim(),
  )
  const given = parts.filter((p) => p !== '').length
  if (given !== 0 && given !== 3) {
    const missing = [ENV.apiKey, ENV.apiSecret, ENV.apiPassphrase].filter((_, i) => parts[i] === '')
    throw new LiveConfigError(
      `API credentials are incomplete (${missing.join(', ')} not set): set all three, or none to derive them from the private key`,
    )
  }
  return {
    privateKey: withPrefix as `0x${string}`,
    signatureType,
    funder: funderText === '' ? null : funderText,
    api: given === 3 ? { key: parts[0]!, secret: parts[1]!, passphrase: parts[2]! } : null,
  }
}

/** Every secret the redaction must remove (the key with and without `0x`, secret, passphrase). */
export function secretsOf(
  credentials: Pick<TradingCredentials, 'privateKey'>,
  api: ApiCredentials | null,
): string[] {
  const list = [credentials.privateKey, credentials.privateKey.slice(2)]
  if (api !== null) list.push(api.secret, api.passphrase)
  return list.filter((s) => s.length >= 6)
}

/** `text` with every occurrence of each secret replaced by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret === '') continue
    out = out.split(secret).join('[redacted]')
    // base64url spellings of the same secret
    const alt = secret.replace(/\+/g, '-').replace(/\//g, '_')
    if (alt !== secret) out = out.split(alt).join('[redacted]')
  }
  return out
}
