/**
 * A real HTTP server on 127.0.0.1 (port 0) that plays the venue's REST side in tests:
 * routes answer from queues of canned replies (the last one repeats), every request is
 * recorded, and a reply can hang to exercise timeouts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Reply = {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown
  /** Never answer (the client's timeout must fire). */
  readonly hang?: boolean
}

export type RecordedRequest = {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly body: string
}

/** A reply, a queue of replies (the last repeats), or a function of the request. */
export type Route = Reply | readonly Reply[] | ((request: RecordedRequest) => Reply)

export class LocalHttpVenue {
  readonly requests: RecordedRequest[] = []
  private readonly _routes = new Map<string, Route>()
  private readonly _served = new Map<string, number>()
  private readonly _server = createServer((req, res) => this._handle(req, res))
  private _url = ''

  /** Starts a server with routes keyed `METHOD /path` (query ignored). */
  static async start(routes: Readonly<Record<string, Route>> = {}): Promise<LocalHttpVenue> {
    const venue = new LocalHttpVenue()
    for (const [key, route] of Object.entries(routes)) venue.route(key, route)
    await new Promise<void>((resolve) => venue._server.listen(0, '127.0.0.1', resolve))
    const { port } = venue._server.address() as AddressInfo
    venue._url = `http://127.0.0.1:${port}`
    return venue
  }

  get url(): string {
    return this._url
  }

  route(key: string, route: Route): void {
    this._routes.set(key, route)
    this._served.set(key, 0)
  }

  /** Requests whose path is `path`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path)
  }

  async close(): Promise<void> {
    this._server.closeAllConnections()
    await new Promise<void>((resolve, reject) =>
      this._server.close((e) => (e === undefined ? resolve() : reject(e))),
    )
  }

  private _handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this._url)
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      this.requests.push(recorded)
      const key = `${recorded.method} ${recorded.path}`
      const reply = this._reply(key, recorded)
      if (reply.hang === true) return
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null)
      res.writeHead(reply.status ?? 200, {
        'content-type': 'application/json',
        ...reply.headers,
      })
      res.end(body)
    })
  }

  private _reply(key: string, request: RecordedRequest): Reply {
    const route = this._routes.get(key)
    if (route === undefined) return { status: 404, body: { error: `no route ${key}` } }
    if (typeof route === 'function') return route(request)
    if (!Array.isArray(route)) return route as Reply
    const served = this._served.get(key) ?? 0
    this._served.set(key, served + 1)
    const queue = route as readonly Reply[]
    return queue[Math.min(served, queue.length - 1)] ?? { status: 500, body: 'empty queue' }
  }
}

/** An http:// URL on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const venue = await LocalHttpVenue.start()
  const url = venue.url
  await venue.close()
  return url
}
