/**
 * The access token the daemon requires when it serves beyond loopback (docs/WEB_API.md).
 *
 * - Set (config `accessToken` or `TILTMETER_ACCESS_TOKEN`): in force on any host.
 * - Not set, loopback host: none.
 * - Not set, any other host: the one in `<dataDir>/access-token`, or a new random one written
 *   there (mode 0600) at first start and shown once to the person starting the daemon.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const ACCESS_TOKEN_FILE = 'access-token'
export const MIN_TOKEN_CHARS = 16
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export type AccessToken =
  | { readonly kind: 'none' }
  | { readonly kind: 'configured'; readonly token: string }
  | {
      readonly kind: 'file'
      readonly token: string
      readonly file: string
      /** Written at this start: show it once. */
      readonly generated: boolean
    }

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host)
}

/** A token file that cannot be used; the message says what to do. */
export class AccessTokenError extends Error {
  readonly code = 'ACCESS_TOKEN_INVALID'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AccessTokenError'
  }
}

export async function resolveAccessToken(options: {
  readonly host: string
  readonly configured: string | null | undefined
  readonly dataDir: string
}): Promise<AccessToken> {
  const configured = options.configured ?? null
  if (configured !== null) return { kind: 'configured', token: configured }
  if (isLoopbackHost(options.host)) return { kind: 'none' }
  const file = join(options.dataDir, ACCESS_TOKEN_FILE)
  let text: string | null = null
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AccessTokenError(
        `cannot read the access token file ${file}: ${(e as Error).message}`,
        {
          cause: e,
        },
      )
    }
  }
  if (text !== null) {
    const token = text.trim()
    if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
      throw new AccessTokenError(
        `the access token file ${file} does not hold a token of at least ${MIN_TOKEN_CHARS} ` +
          'characters without spaces: delete it to have a new one generated, or fix it',
      )
    }
    // Only the owner may read it, whatever made it.
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600)
    return { kind: 'file', token, file, generated: false }
  }
  const token = randomBytes(32).toString('base64url')
  try {
    await mkdir(options.dataDir, { recursive: true })
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    throw new AccessTokenError(
      `cannot write the access token file ${file}: ${(e as Error).message}`,
      {
        cause: e,
      },
    )
  }
  return { kind: 'file', token, file, generated: true }
}
