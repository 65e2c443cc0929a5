/**
 * `GET /ws/playback`: the dashboard's playback socket (contracts/playback.ts), one capture per
 * socket. The upgrade passes the same hooks as every request (access token, Origin); each
 * page gets its own {@link PlaybackStream}.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from '../log.js'
import { PlaybackStream, type PlaybackStreamOptions } from './playback-stream.js'
import type { DashboardDeps } from './playback-types.js'

/** Pages playing at once at most; more are refused with 1013. */
const DEFAULT_MAX_STREAMS = 16

export function registerPlaybackSocket(
  app: FastifyInstance,
  deps: DashboardDeps,
  log: Logger,
  options: PlaybackStreamOptions & { readonly maxStreams?: number } = {},
): { readonly streams: ReadonlySet<PlaybackStream> } {
  const streams = new Set<PlaybackStream>()
  const max = options.maxStreams ?? DEFAULT_MAX_STREAMS
  app.get('/ws/playback', { websocket: true }, (socket) => {
    if (streams.size >= max) {
      socket.close(1013, 'too many playback connections; close another dashboard tab')
      return
    }
    const stream = new PlaybackStream(socket, deps, options)
    streams.add(stream)
    const closed = (): void => {
      streams.delete(stream)
      stream.closed()
    }
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (isBinary) {
        closed()
        socket.close(1003, 'send text frames holding JSON')
        return
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8')
      stream.receive(text)
    })
    socket.on('close', closed)
    socket.on('error', (e: Error) => {
      log.debug({ err: e.message }, 'playback socket error')
      closed()
    })
  })
  app.addHook('onClose', (_instance, done) => {
    for (const stream of streams) stream.closed()
    streams.clear()
    done()
  })
  return { streams }
}
