/**
 * The web terminal's files: `web/dist` (built by `npm run build`), served at `/`, with the
 * page's own routes (`/`, `/dashboard`) answered by `index.html`. Without a build, those routes
 * answer a short page saying how to make one; the API keeps working.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

/** The package root: three levels up from here in both `src/` and `dist/`. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url))
}

export function defaultWebRoot(): string {
  return join(packageRoot(), 'web', 'dist')
}

/** The page's own routes, answered with `index.html`. */
export const PAGE_ROUTES = ['/', '/dashboard', '/dashboard/*'] as const

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tiltmeter</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>tiltmeter</h1>
<p>The web terminal is not built yet. In the project folder run:</p>
<pre>npm run build</pre>
<p>then reload this page. The API is running: <a href="/docs">/docs</a>,
<a href="/api/health">/api/health</a>.</p>
</body></html>
`

export function registerWebApp(app: FastifyInstance, root: string): void {
  if (existsSync(root)) {
    void app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: false,
      // Hashed bundles never change; anything else is checked each time.
      setHeaders(reply, path) {
        reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        )
      },
    })
  }
  const page = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    let html: Buffer
    try {
      html = await readFile(join(root, 'index.html'))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      return reply
        .code(200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT)
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html)
  }
  for (const route of PAGE_ROUTES) app.get(route, page)
}
