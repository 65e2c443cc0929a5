/**
 * `GET /ws`: the live socket (contracts/live.ts). The upgrade passes the same hooks as every
 * request (access token, Origin), then the page is handed to the {@link LiveHub}.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from '../log.js'
import type { LiveHub } from './live-hub.js'

/** Longest client message accepted by the socket itself (the hub checks content). */
export const MAX_CLIENT_FRAME_BYTES = 16 * 1024

export function registerLiveSocket(app: FastifyInstance, hub: LiveHub, log: Logger): void {
  app.get('/ws', { websocket: true }, (socket) => {
    const connection = hub.connect(socket)
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (isBinary) {
        socket.close(1003, 'send text frames holding JSON')
        return
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8')
      connection.receive(text)
    })
    socket.on('close', () => connection.closed())
    socket.on('error', (e: Error) => {
      log.debug({ err: e.message }, 'live socket error')
      connection.closed()
    })
  })
}
