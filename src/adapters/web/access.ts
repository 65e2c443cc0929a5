/**
 * Who may talk to the daemon.
 *
 * - With an access token in force, every `/api`, `/ws`, `/metrics` and `/docs` request needs
 *   `Authorization: Bearer <token>` or the session cookie the daemon sets when the page is
 *   opened once as `/?token=<token>` (HttpOnly, SameSite=Strict; the address bar is then
 *   cleaned by a redirect). Comparisons run in constant time.
 * - Without a token (the daemon then listens on loopback only) the Host header must name a
 *   loopback address, so a page on another site cannot reach the daemon through DNS rebinding.
 * - Mutating requests and the socket upgrade are refused (403) when they carry an Origin other
 *   than the daemon's own: another site's page cannot act through the browser.
 * - Mutating `/api` requests are rate limited per client.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export const SESSION_COOKIE = 'tiltmeter_session'
const SESSION_MAX_AGE_S = 30 * 24 * 3600
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const PROTECTED = /^\/(api|ws|metrics|docs)(\/|$)/
const PAGES = new Set(['/', '/dashboard'])
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i

export type AccessOptions = {
  /** The access token; null = none (loopback only). */
  readonly token: string | null
  /** Mutating `/api` requests allowed per client per second; default 30. */
  readonly mutatingPerSecond?: number
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** Constant-time equality of two secrets (hashed first, so lengths do not leak). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/** The cookie value for a token: derived, so the cookie never holds the token itself. */
export function sessionValue(token: string): string {
  return createHash('sha256').update(`tiltmeter-session\0${token}`).digest('base64url')
}

function cookieOf(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}

function bearerOf(header: string | undefined): string | null {
  if (header === undefined) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match === null ? null : match[1]!
}

/** The origins a request may come from: this daemon as the Host header names it. */
function ownOrigins(host: string): string[] {
  return [`http://${host}`, `https://${host}`].map((o) => o.toLowerCase())
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

export function registerAccess(app: FastifyInstance, options: AccessOptions): void {
  const token = options.token
  const session = token === null ? null : sessionValue(token)
  const perSecond = options.mutatingPerSecond ?? 30

  void app.register(rateLimit, { global: false })
  let limiter: ReturnType<FastifyInstance['createRateLimit']> | null = null

  const authorized = (request: FastifyRequest): boolean => {
    if (token === null || session === null) return true
    const bearer = bearerOf(request.headers.authorization)
    if (bearer !== null) return sameSecret(bearer, token)
    const cookie = cookieOf(request.headers.cookie, SESSION_COOKIE)
    return cookie !== null && sameSecret(cookie, session)
  }

  // A socket upgrade refused here never reaches the socket plugin, which would otherwise close
  // the raw connection: close it, or it stays half open and keeps the server from closing.
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.raw.headers.upgrade !== undefined && request.ws !== true) {
      request.raw.socket.destroy()
    }
    done()
  })

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    reply.header('x-frame-options', 'DENY')
    const path = pathOf(request.url)
    const host = request.headers.host ?? ''
    if (token === null && !LOOPBACK_HOST.test(host)) {
      return deny(
        reply,
        403,
        `host "${host.slice(0, 100)}" is not a loopback address; without an access token the ` +
          'daemon answers only 127.0.0.1, localhost or [::1]',
      )
    }
    if (token !== null && request.method === 'GET' && PAGES.has(path)) {
      const given = (request.query as Record<string, unknown>).token
      if (typeof given === 'string') return openSession(reply, path, given, token)
    }
    const upgrade = path === '/ws' || path.startsWith('/ws/')
    if (token !== null && PROTECTED.test(path) && !authorized(request)) {
      return deny(
        reply,
        401,
        'access token required: send "Authorization: Bearer <token>", or open /?token=<token> ' +
          'once in the browser (the token was printed at first start and is kept in ' +
          '<data dir>/access-token)',
      )
    }
    const origin = request.headers.origin
    if ((MUTATING.has(request.method) || upgrade) && origin !== undefined) {
      if (!ownOrigins(host).includes(origin.toLowerCase())) {
        return deny(
          reply,
          403,
          `cross-origin request refused: Origin "${origin.slice(0, 100)}" is not this daemon ` +
            `(http://${host.slice(0, 100)})`,
        )
      }
    }
    if (MUTATING.has(request.method) && path.startsWith('/api/')) {
      limiter ??= app.createRateLimit({ max: perSecond, timeWindow: 1_000 })
      const limit = await limiter(request)
      if (!limit.isAllowed && limit.isExceeded) {
        const retryMs = Math.max(1, limit.ttl)
        return reply
          .code(429)
          .header('retry-after', String(Math.ceil(retryMs / 1000)))
          .send({
            error: `too many requests: at most ${perSecond} changes per second; retry in ${retryMs} ms`,
            retry_after_ms: retryMs,
          })
      }
    }
  })
}

function deny(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).send({ error })
}

function openSession(
  reply: FastifyReply,
  path: string,
  given: string,
  token: string,
): FastifyReply {
  reply.header('cache-control', 'no-store')
  if (!sameSecret(given, token)) {
    return reply
      .code(401)
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><meta charset="utf-8"><title>tiltmeter</title>' +
          '<p>That access token is not this daemon\u2019s. Use the one printed at its first start ' +
          '(also in &lt;data dir&gt;/access-token).</p>',
      )
  }
  return reply
    .header(
      'set-cookie',
      `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict; ` +
        `Max-Age=${SESSION_MAX_AGE_S}`,
    )
    .redirect(path, 303)
}
