/**
 * REST calls to the daemon (same origin). Answers are checked against the shared contracts;
 * failures become an {@link ApiError} that keeps a denial's code (422) or the field problems
 * of a bad request (400) so the page can show them as they are.
 */
import type { z } from 'zod'
import { Denial, ErrorBody, RateLimited } from '../../../src/contracts/api.js'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Stable denial code on 422 (e.g. MAX_ORDER), else null. */
    readonly code: string | null = null,
    /** One line per field problem on 400. */
    readonly problems: readonly string[] = [],
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** "CODE: message" for a denial, the message and its problems otherwise. */
  describe(): string {
    if (this.code !== null) return `${this.code}: ${this.message}`
    return this.problems.length > 0 ? `${this.message} (${this.problems.join('; ')})` : this.message
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON: fall through to the status line.
  }
  const denial = Denial.safeParse(body)
  if (denial.success) {
    return new ApiError(response.status, denial.data.message, denial.data.code)
  }
  const limited = RateLimited.safeParse(body)
  if (response.status === 429 && limited.success) {
    return new ApiError(429, `${limited.data.error} (retry in ${limited.data.retry_after_ms} ms)`)
  }
  const error = ErrorBody.safeParse(body)
  if (error.success) {
    return new ApiError(response.status, error.data.error, null, error.data.errors ?? [])
  }
  return new ApiError(response.status, `HTTP ${response.status} ${response.statusText}`.trim())
}

async function request<S extends z.ZodType>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.infer<S>> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch (e) {
    throw new ApiError(0, `The daemon did not answer (${(e as Error).message}).`)
  }
  if (!response.ok) throw await errorOf(response)
  const json: unknown = await response.json()
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    throw new ApiError(response.status, `Unexpected answer from ${method} ${path}.`)
  }
  return parsed.data
}

export function getJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  return request('GET', path, schema)
}

export function postJson<S extends z.ZodType>(
  path: string,
  body: unknown,
  schema: S,
): Promise<z.infer<S>> {
  return request('POST', path, schema, body)
}

export function deleteJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  return request('DELETE', path, schema)
}

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}
