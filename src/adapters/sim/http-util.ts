/** Small helpers shared by the simulator's HTTP routes. */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A route's answer: status and a JSON-serialisable body. */
export type RouteReply = { readonly status: number; readonly body: unknown }

export function sendJson(res: ServerResponse, reply: RouteReply): void {
  const text = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** Reads a request body up to `limit` bytes; rejects beyond it. */
export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    total += buffer.length
    if (total > limit) throw new RangeError(`request body over ${limit} bytes`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
