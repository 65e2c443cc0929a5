/**
 * Errors from talking to the venue over HTTP. Each carries a stable `code`, the HTTP status
 * when there was one, whether retrying can help, and the request (method and URL, with any
 * credentials removed) so a log line or a CLI message says exactly what failed.
 */

export type VenueErrorCode =
  /** 4xx other than 425/429, or an unexpected status: retrying will not help. */
  | 'HTTP_ERROR'
  /** 429: the rate limit was hit. */
  | 'RATE_LIMITED'
  /** 425: the matching engine is restarting. */
  | 'ENGINE_RESTARTING'
  /** 500, 502, 503, 504. */
  | 'SERVER_ERROR'
  /** No answer within the timeout. */
  | 'TIMEOUT'
  /** Connection refused or reset, DNS failure, TLS failure. */
  | 'NETWORK'
  /** The caller cancelled the request. */
  | 'ABORTED'
  /** A 2xx answer whose body is not JSON. */
  | 'NOT_JSON'
  /** A JSON body without the expected shape (wrong type, missing field, bad value). */
  | 'BAD_BODY'

export type VenueRequest = { readonly method: string; readonly url: string }

export type VenueErrorOptions = {
  readonly status?: number | null
  readonly retryable?: boolean
  /** How long the venue asked us to wait (Retry-After), in ms. */
  readonly retryAfterMs?: number | null
  readonly attempts?: number
  readonly cause?: unknown
}

export class VenueError extends Error {
  readonly code: VenueErrorCode
  /** The HTTP status, or null when no response arrived. */
  readonly status: number | null
  readonly retryable: boolean
  readonly method: string
  /** The request URL with user info and credential parameters removed. */
  readonly url: string
  readonly retryAfterMs: number | null
  /** Attempts made before giving up (1 when not retried). */
  readonly attempts: number
  /** The message without the request prefix: what went wrong. */
  readonly detail: string

  constructor(
    code: VenueErrorCode,
    request: VenueRequest,
    detail: string,
    options: VenueErrorOptions = {},
  ) {
    const url = redactUrl(request.url)
    const attempts = options.attempts ?? 1
    const suffix = attempts > 1 ? ` (gave up after ${attempts} attempts)` : ''
    super(`${request.method} ${url} ${detail}${suffix}`, { cause: options.cause })
    this.name = 'VenueError'
    this.code = code
    this.status = options.status ?? null
    this.retryable = options.retryable ?? false
    this.method = request.method
    this.url = url
    this.retryAfterMs = options.retryAfterMs ?? null
    this.attempts = attempts
    this.detail = detail
  }

  /** The same error, counted as the last of `attempts` attempts. */
  withAttempts(attempts: number): VenueError {
    return new VenueError(this.code, { method: this.method, url: this.url }, this.detail, {
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      attempts,
      cause: this.cause,
    })
  }
}

const SECRET_PARAM =
  /^(api[_-]?key|key|secret|passphrase|password|signature|auth|access[_-]?token)$/i

/** Removes `user:password@` and credential-like query parameters from a URL for messages. */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url
  }
  let changed = false
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = ''
    parsed.password = ''
    changed = true
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) {
      parsed.searchParams.set(name, 'REDACTED')
      changed = true
    }
  }
  return changed ? parsed.toString() : url
}
