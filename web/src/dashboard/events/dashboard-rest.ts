/**
 * The REST calls of the video panel and the event logger: `POST`/`DELETE /api/events` and
 * `GET`/`PUT /api/matches/:market/offset`. Like api/http.ts but with PUT and empty (204) answers;
 * failures are the same {@link ApiError}, carrying the server's message and field problems.
 */
import type { z } from 'zod'
import { ErrorBody, GameEventCreated, type GameEventBody } from '../../../../src/contracts/api.js'
import { MatchOffsetAnswer, type MatchOffsetBody } from '../../../../src/contracts/playback.js'
import { ApiError } from '../../api/http.js'

export type Fetch = (input: string, init: RequestInit) => Promise<Response>

const defaultFetch: Fetch = (input, init) => fetch(input, init)

async function send<S extends z.ZodType>(
  fetchFn: Fetch,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
  schema: S | null,
): Promise<z.infer<S> | null> {
  let response: Response
  try {
    response = await fetchFn(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch (e) {
    throw new ApiError(0, `The daemon did not answer (${(e as Error).message}). Is it running?`)
  }
  if (!response.ok) {
    let json: unknown = null
    try {
      json = await response.json()
    } catch {
      // Not JSON: the status line says enough.
    }
    const error = ErrorBody.safeParse(json)
    if (error.success) {
      throw new ApiError(response.status, error.data.error, null, error.data.errors ?? [])
    }
    throw new ApiError(response.status, `HTTP ${response.status} ${response.statusText}`.trim())
  }
  if (schema === null || response.status === 204) return null
  const parsed = schema.safeParse(await response.json())
  if (!parsed.success)
    throw new ApiError(response.status, `Unexpected answer from ${method} ${path}.`)
  return parsed.data
}

/** Stores one game event; answers its id and the stored fields. */
export async function postGameEvent(
  body: GameEventBody,
  fetchFn: Fetch = defaultFetch,
): Promise<GameEventCreated> {
  const created = await send(fetchFn, 'POST', '/api/events', body, GameEventCreated)
  if (created === null) throw new ApiError(201, 'POST /api/events answered no event.')
  return created
}

/** Deletes a stored game event. An id the daemon no longer has counts as deleted. */
export async function deleteGameEvent(id: number, fetchFn: Fetch = defaultFetch): Promise<void> {
  try {
    await send(fetchFn, 'DELETE', `/api/events/${id}`, undefined, null)
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return
    throw e
  }
}

/** Stores the stream offset of a match (replacing any earlier one). */
export async function putMatchOffset(
  market: string,
  body: MatchOffsetBody,
  fetchFn: Fetch = defaultFetch,
): Promise<MatchOffsetAnswer> {
  const path = `/api/matches/${encodeURIComponent(market)}/offset`
  try {
    const answer = await send(fetchFn, 'PUT', path, body, MatchOffsetAnswer)
    if (answer === null) throw new ApiError(200, `PUT ${path} answered nothing.`)
    return answer
  } catch (e) {
    if (e instanceof ApiError && e.status === 503) {
      throw new ApiError(
        503,
        'The daemon runs without a database, so the offset cannot be saved: it holds for this page only.',
      )
    }
    if (e instanceof ApiError && e.status === 404) {
      throw new ApiError(
        404,
        'This daemon has no stream-offset route (is it an older version?): the offset holds for this page only.',
      )
    }
    throw e
  }
}

export type StoredOffset =
  | { readonly kind: 'stored'; readonly answer: MatchOffsetAnswer }
  /** Nothing stored for the match yet (404). */
  | { readonly kind: 'none' }
  /** Offsets cannot be stored (503: no database), or the daemon has no such route. */
  | { readonly kind: 'unavailable'; readonly message: string }

/** What the daemon has stored for the match; failures other than 404/503 are thrown. */
export async function getMatchOffset(
  market: string,
  fetchFn: Fetch = defaultFetch,
): Promise<StoredOffset> {
  const path = `/api/matches/${encodeURIComponent(market)}/offset`
  let response: Response
  try {
    response = await fetchFn(path, { method: 'GET', credentials: 'same-origin' })
  } catch (e) {
    throw new ApiError(0, `The daemon did not answer (${(e as Error).message}). Is it running?`)
  }
  if (response.status === 503) {
    return {
      kind: 'unavailable',
      message: 'The daemon runs without a database: offsets hold for this page only.',
    }
  }
  let json: unknown = null
  try {
    json = await response.json()
  } catch {
    // Not JSON: handled below.
  }
  if (response.status === 404) {
    const error = ErrorBody.safeParse(json)
    // The route's own 404 says to calibrate; fastify's "no route" means an older daemon.
    if (error.success && error.data.error.startsWith('no route')) {
      return { kind: 'unavailable', message: 'This daemon cannot store stream offsets.' }
    }
    return { kind: 'none' }
  }
  const answer = MatchOffsetAnswer.safeParse(json)
  if (response.ok && answer.success) return { kind: 'stored', answer: answer.data }
  const error = ErrorBody.safeParse(json)
  throw new ApiError(
    response.status,
    error.success ? error.data.error : `Unexpected answer from GET ${path}.`,
  )
}

/** Text for an error shown in the panel. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.describe()
  return e instanceof Error ? e.message : String(e)
}
