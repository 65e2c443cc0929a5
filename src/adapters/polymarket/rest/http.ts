/**
 * JSON over HTTP for the venue's public REST APIs (CLOB and Gamma): one request with a
 * timeout, retried with capped exponential backoff and jitter when the venue says "later".
 *
 * Retried: 429 (honouring Retry-After), 425 (matching-engine restart; at least 1 s base
 * delay as the venue advises), 500/502/503/504, timeouts and network errors. Not retried:
 * any other status, a body that is not JSON, a caller abort. Everything that goes wrong is a
 * {@link VenueError}. The venue answers 425 while its matching engine restarts and 503 (with
 * Retry-After or `retry_after_seconds`) during the post-only minutes that follow.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { excerptOf } from '../../../domain/errors.js'
import { VenueError, type VenueErrorCode, type VenueRequest } from '../errors.js'

export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>
/** Waits `ms`; rejects when `signal` aborts. Injected by tests so nothing really sleeps. */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>

export type RetryNotice = {
  /** 1 for the first retry. */
  readonly retry: number
  readonly delayMs: number
  readonly error: VenueError
}

export type HttpOptions = {
  /** Per attempt, covering the response headers and the whole body. Default 10 s. */
  readonly timeoutMs?: number
  /** Retries after the first attempt. Default 4. */
  readonly retries?: number
  readonly signal?: AbortSignal
  readonly fetchImpl?: FetchFunction
  readonly sleep?: SleepFunction
  /** Uniform in [0, 1); jitter source. */
  readonly random?: () => number
  /** Wall clock for HTTP-date Retry-After values. */
  readonly now?: () => number
  /** First backoff step. Default 500 ms. */
  readonly baseDelayMs?: number
  /** Largest backoff step. Default 8 s. */
  readonly maxDelayMs?: number
  /** The longest Retry-After we honour. Default 60 s. */
  readonly maxRetryAfterMs?: number
  readonly onRetry?: (notice: RetryNotice) => void
}

export type RequestOptions = HttpOptions & {
  readonly method?: 'GET' | 'POST'
  /** Sent as JSON. */
  readonly body?: unknown
}

export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_RETRIES = 4
const DEFAULT_BASE_DELAY_MS = 500
const DEFAULT_MAX_DELAY_MS = 8_000
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000
/** The venue's advice for 425: back off 1-2 s, doubling. */
const ENGINE_RESTART_BASE_DELAY_MS = 1_000
const BODY_EXCERPT_CHARS = 200

const RETRYABLE_SERVER_STATUSES = new Set([500, 502, 503, 504])

const defaultSleep: SleepFunction = (ms, signal) => delay(ms, undefined, { signal })

/**
 * Fetches `url` and parses the body as JSON. Resolves to the parsed value (unknown: validate
 * it); rejects with a {@link VenueError} only.
 */
export async function fetchJson(url: string, options: RequestOptions = {}): Promise<unknown> {
  const request: VenueRequest = { method: options.method ?? 'GET', url }
  const retries = Math.max(0, options.retries ?? DEFAULT_RETRIES)
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(request, options)
    } catch (e) {
      const error = asVenueError(e, request)
      if (!error.retryable || attempt >= retries) {
        throw attempt > 0 ? error.withAttempts(attempt + 1) : error
      }
      const delayMs = retryDelayMs(error, attempt, options, random)
      options.onRetry?.({ retry: attempt + 1, delayMs, error })
      try {
        await sleep(delayMs, options.signal)
      } catch (sleepError) {
        throw new VenueError('ABORTED', request, 'was cancelled while waiting to retry', {
          attempts: attempt + 1,
          cause: sleepError,
        })
      }
    }
  }
}

/** Backoff before retry number `attempt + 1`: capped exponential, half fixed, half jitter. */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)
  return Math.round(cap / 2 + (random() * cap) / 2)
}

function retryDelayMs(
  error: VenueError,
  attempt: number,
  options: HttpOptions,
  random: () => number,
): number {
  let base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS
  if (error.code === 'ENGINE_RESTARTING') base = Math.max(base, ENGINE_RESTART_BASE_DELAY_MS)
  const backoff = backoffDelayMs(attempt, base, options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, random)
  if (error.retryAfterMs === null) return backoff
  const asked = Math.min(error.retryAfterMs, options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)
  return Math.max(backoff, asked)
}

/**
 * A Retry-After header value (seconds, or an HTTP date) in ms from `nowMs`; null when absent
 * or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs)
}

async function attemptOnce(request: VenueRequest, options: RequestOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const callerSignal = options.signal
  if (callerSignal?.aborted === true) {
    throw new VenueError('ABORTED', request, 'was cancelled', { cause: callerSignal.reason })
  }
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const onCallerAbort = (): void => controller.abort()
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true })

  const headers: Record<string, string> = { accept: 'application/json' }
  let body: string | undefined
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  const fetchImpl = options.fetchImpl ?? fetch
  let status: number
  let retryAfterHeader: string | null
  let text: string
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers,
      body,
      signal: controller.signal,
    })
    status = response.status
    retryAfterHeader = response.headers.get('retry-after')
    text = await response.text()
  } catch (e) {
    if (timedOut) {
      throw new VenueError(
        'TIMEOUT',
        request,
        `failed: no complete answer within ${timeoutMs} ms`,
        {
          retryable: true,
          cause: e,
        },
      )
    }
    // Only the caller's signal or the timer abort the controller.
    if (controller.signal.aborted) {
      throw new VenueError('ABORTED', request, 'was cancelled', { cause: e })
    }
    throw new VenueError('NETWORK', request, `failed: ${describeNetworkError(e)}`, {
      retryable: true,
      cause: e,
    })
  } finally {
    clearTimeout(timer)
    callerSignal?.removeEventListener('abort', onCallerAbort)
  }

  if (status < 200 || status > 299) {
    const now = options.now ?? Date.now
    const retryAfterMs =
      parseRetryAfter(retryAfterHeader, now()) ?? retryAfterFromBody(text) ?? null
    const { code, retryable } = classifyStatus(status)
    const shown = text.trim() === '' ? '(empty body)' : excerptOf(text, BODY_EXCERPT_CHARS)
    throw new VenueError(code, request, `failed: HTTP ${status} ${shown}`, {
      status,
      retryable,
      retryAfterMs,
    })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    const shown = text.trim() === '' ? '(empty body)' : excerptOf(text, BODY_EXCERPT_CHARS)
    throw new VenueError('NOT_JSON', request, `returned a body that is not JSON: ${shown}`, {
      status,
      cause: e,
    })
  }
}

function classifyStatus(status: number): { code: VenueErrorCode; retryable: boolean } {
  if (status === 429) return { code: 'RATE_LIMITED', retryable: true }
  if (status === 425) return { code: 'ENGINE_RESTARTING', retryable: true }
  if (RETRYABLE_SERVER_STATUSES.has(status)) return { code: 'SERVER_ERROR', retryable: true }
  return { code: 'HTTP_ERROR', retryable: false }
}

/** The venue's 503 bodies may carry `retry_after_seconds` (post-only mode after a restart). */
function retryAfterFromBody(text: string): number | null {
  if (!text.includes('retry_after_seconds')) return null
  try {
    const body = JSON.parse(text) as { retry_after_seconds?: unknown }
    const seconds = body.retry_after_seconds
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
      ? Math.round(seconds * 1000)
      : null
  } catch {
    return null
  }
}

function describeNetworkError(e: unknown): string {
  const cause = e instanceof Error && e.cause !== undefined ? e.cause : e
  const code = errorCode(cause)
  const message = cause instanceof Error ? cause.message : String(cause)
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`
  if (code !== null && message.includes(code)) return message
  return code === null ? message : `${message} (${code})`
}

function errorCode(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null
  const code = (value as { code?: unknown }).code
  if (typeof code === 'string') return code
  const errors = (value as { errors?: unknown }).errors
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0])
  return null
}

function asVenueError(e: unknown, request: VenueRequest): VenueError {
  if (e instanceof VenueError) return e
  const message = e instanceof Error ? e.message : String(e)
  return new VenueError('NETWORK', request, `failed: ${message}`, { cause: e })
}

export type QueryValue = string | number | boolean | readonly string[] | undefined

/**
 * `baseUrl` + `path` + query. The base may carry a path prefix (a proxy, the simulator);
 * undefined query values are left out, arrays repeat the key.
 */
export function buildUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, QueryValue>> = {},
): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    if (Array.isArray(value))
      for (const item of value as readonly string[]) params.append(key, item)
    else params.append(key, String(value))
  }
  const search = params.toString()
  const base = baseUrl.replace(/\/+$/, '')
  const tail = path.startsWith('/') ? path : `/${path}`
  return search === '' ? `${base}${tail}` : `${base}${tail}?${search}`
}
