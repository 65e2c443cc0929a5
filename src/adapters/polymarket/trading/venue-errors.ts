/**
 * The official client does not throw on HTTP errors: it returns `{...body, status}` (or
 * `{error: <message>}` with no status when no answer arrived). These helpers turn such values
 * into typed failures and stable reject reasons.
 */
import type { RejectReason } from './order-rules.js'

export type ClientFailure =
  /** The venue answered with an error status. */
  | {
      readonly kind: 'http'
      readonly status: number
      readonly message: string
      readonly code: string | null
      readonly retryAfterMs: number | null
    }
  /** No answer (connection refused/dropped, timeout): the outcome of a write is unknown. */
  | { readonly kind: 'transport'; readonly message: string }

/** The failure inside a client result, or null when it is not an error value. */
export function failureOf(value: unknown): ClientFailure | null {
  if (value === null || typeof value !== 'object' || !('error' in value)) return null
  const record = value as Record<string, unknown>
  const raw = record['error']
  const message = typeof raw === 'string' ? raw : describe(raw)
  const status = record['status']
  if (typeof status !== 'number') return { kind: 'transport', message }
  const code = typeof record['code'] === 'string' ? record['code'] : null
  const after = record['retry_after_seconds']
  const retryAfterMs =
    typeof after === 'number' && Number.isFinite(after) && after >= 0 ? after * 1000 : null
  return { kind: 'http', status, message, code, retryAfterMs }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** The reject reason of an answered error. */
export function reasonOf(status: number, message: string, code: string | null): RejectReason {
  const text = message.toLowerCase()
  if (status === 425) return 'ENGINE_RESTARTING'
  if (status === 429) return 'RATE_LIMITED'
  if (status === 401 || status === 403) {
    return text.includes('banned') ? 'CLOSED_ONLY' : 'UNAUTHORIZED'
  }
  if (code === 'post_only_mode' || text.includes('post-only mode')) return 'POST_ONLY_MODE'
  if (text.includes('cancel-only')) return 'CANCEL_ONLY'
  if (text.includes('trading is currently disabled')) return 'TRADING_DISABLED'
  if (text.includes('not enough balance')) return 'INSUFFICIENT_BALANCE'
  if (text.includes('post-only') && text.includes('crosses')) return 'POST_ONLY_CROSSES'
  if (text.includes('minimum tick size')) return 'OFF_TICK'
  if (text.includes('lower than the minimum')) return 'BELOW_MIN_SIZE'
  if (text.includes('invalid amounts')) return 'BAD_AMOUNT'
  if (text.includes('invalid expiration')) return 'INVALID_EXPIRATION'
  if (text.includes('fok orders are fully filled or killed')) return 'FOK_NOT_FILLED'
  if (text.includes('fak order')) return 'FAK_NO_MATCH'
  if (text.includes('not yet ready')) return 'MARKET_NOT_READY'
  if (text.includes('invalid signature') || text.includes('signer address')) {
    return 'INVALID_SIGNATURE'
  }
  if (text.includes('maker address not allowed')) return 'WALLET_NOT_ALLOWED'
  if (text.includes('closed only') || text.includes('banned')) return 'CLOSED_ONLY'
  if (text.includes('duplicated')) return 'DUPLICATE'
  if (status >= 500) return 'VENUE_ERROR'
  if (status === 400) return 'INVALID_ORDER'
  return 'VENUE_ERROR'
}

/**
 * Whether an answered error on `POST /order` leaves the order's fate open. A 500 ("order timed
 * out", "could not insert order") may or may not have placed it; 503/425 never place.
 */
export function outcomeUnknown(status: number): boolean {
  return status >= 500 && status !== 503
}

/** A transport error that proves the request never reached the venue. */
export function neverSent(message: string): boolean {
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/.test(message)
}
