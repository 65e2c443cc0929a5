import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { AlertCenter, type Alert } from '../../engine/execution/alerts.js'
import type { EpochMs } from '../../domain/units.js'
import { createLogger } from '../log.js'
import { connectAlertOutlets } from './outlets.js'
import { AlertWebhook, parseWebhookUrl } from './webhook.js'

const T0 = 1_800_000_000_000

type Received = { method: string; path: string; type: string; body: unknown }

/** A webhook receiver on 127.0.0.1 that answers with `answer` (or never, for `hang`). */
async function receiver(
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_q, res) =>
    res.end('ok'),
): Promise<{ url: string; got: Received[]; server: Server; hung: ServerResponse[] }> {
  const got: Received[] = []
  const hung: ServerResponse[] = []
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => (text += c.toString()))
    req.on('end', () => {
      got.push({
        method: req.method ?? '',
        path: req.url ?? '',
        type: req.headers['content-type'] ?? '',
        body: JSON.parse(text) as unknown,
      })
      answer(req, res, got.length)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push({ server, hung })
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}/hooks/s3cret-token`, got, server, hung }
}

const servers: { server: Server; hung: ServerResponse[] }[] = []
afterEach(async () => {
  for (const { server, hung } of servers.splice(0)) {
    for (const res of hung) res.destroy()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

function logged(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    level: 'info',
    destination: {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    },
  })
  return { log, lines }
}

function alert(n: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `a${n}`,
    ts: (T0 + n) as EpochMs,
    severity: 'critical',
    code: 'DRAWDOWN_HALT',
    message: `alert ${n}`,
    market: null,
    ...over,
  }
}

describe('AlertWebhook', () => {
  test('posts each alert as JSON, in order, and counts them', async () => {
    const hook = await receiver()
    const { log } = logged()
    const webhook = new AlertWebhook({ url: hook.url, log })
    webhook.send(alert(1))
    webhook.send(alert(2, { severity: 'warning', market: '0xabc' }))
    await webhook.flush()
    expect(hook.got).toHaveLength(2)
    expect(hook.got[0]).toEqual({
      method: 'POST',
      path: '/hooks/s3cret-token',
      type: 'application/json',
      body: {
        id: 'a1',
        ts: T0 + 1,
        time: new Date(T0 + 1).toISOString(),
        severity: 'critical',
        code: 'DRAWDOWN_HALT',
        message: 'alert 1',
        market: null,
        source: 'tiltmeter',
      },
    })
    expect(hook.got[1]!.body).toMatchObject({ id: 'a2', severity: 'warning', market: '0xabc' })
    expect(webhook.counters).toEqual({ sent: 2, failed: 0, dropped: 0 })
  })

  test('an error status is logged with the origin only and the next alert still goes', async () => {
    const hook = await receiver((_q, res, n) => {
      res.statusCode = n === 1 ? 500 : 204
      res.end()
    })
    const { log, lines } = logged()
    const webhook = new AlertWebhook({ url: hook.url, log })
    webhook.send(alert(1))
    webhook.send(alert(2))
    await webhook.flush()
    expect(webhook.counters).toEqual({ sent: 1, failed: 1, dropped: 0 })
    const line = lines.find((l) => l.msg === 'alert webhook answered with an error status')!
    expect(line).toMatchObject({ alert: 'a1', status: 500, target: new URL(hook.url).origin })
    expect(JSON.stringify(lines)).not.toContain('s3cret')
  })

  test('a receiver that never answers is given up after the timeout', async () => {
    const hook = await receiver((_q, res) => hook.hung.push(res))
    const { log, lines } = logged()
    const webhook = new AlertWebhook({ url: hook.url, log, timeoutMs: 50 })
    webhook.send(alert(1))
    await webhook.close()
    expect(webhook.counters).toEqual({ sent: 0, failed: 1, dropped: 0 })
    expect(lines.find((l) => l.msg === 'alert webhook post failed')).toMatchObject({
      alert: 'a1',
      err: 'no answer within 50 ms',
    })
    // Closed: later alerts are ignored.
    webhook.send(alert(2))
    expect(webhook.pending).toBe(0)
  })

  test('a refused connection is logged, never thrown', async () => {
    const hook = await receiver()
    const url = hook.url
    await new Promise<void>((resolve) => hook.server.close(() => resolve()))
    servers.length = 0
    const { log, lines } = logged()
    const webhook = new AlertWebhook({ url, log })
    expect(() => webhook.send(alert(1))).not.toThrow()
    await webhook.flush()
    expect(webhook.counters.failed).toBe(1)
    expect(String(lines.find((l) => l.msg === 'alert webhook post failed')?.err)).toMatch(
      /ECONNREFUSED|fetch failed/,
    )
  })

  test('the queue is bounded: the oldest waiting alerts are dropped and counted', async () => {
    const hook = await receiver((_q, res) => hook.hung.push(res))
    const { log, lines } = logged()
    const webhook = new AlertWebhook({ url: hook.url, log, maxQueue: 2, timeoutMs: 50 })
    for (let i = 1; i <= 5; i++) webhook.send(alert(i))
    // a1 is in flight; a2 and a3 were pushed out by a4 and a5.
    expect(webhook.pending).toBe(2)
    expect(webhook.counters.dropped).toBe(2)
    await webhook.close()
    expect(hook.got.map((g) => (g.body as { id: string }).id)).toEqual(['a1', 'a4', 'a5'])
    expect(
      lines.filter((l) => l.msg === 'alert webhook queue full; oldest alert not posted'),
    ).toHaveLength(2)
  })

  test('bad URLs and options are refused with what to give instead', () => {
    const { log } = logged()
    expect(() => parseWebhookUrl('not a url')).toThrow(/absolute http:\/\/ or https:\/\//)
    expect(() => new AlertWebhook({ url: 'ftp://x/y', log })).toThrow(/http:\/\/ or https:\/\//)
    expect(() => new AlertWebhook({ url: 'http://127.0.0.1/', log, timeoutMs: 0 })).toThrow(
      /timeoutMs/,
    )
    expect(() => new AlertWebhook({ url: 'http://127.0.0.1/', log, maxQueue: 0 })).toThrow(
      /maxQueue/,
    )
  })
})

describe('connectAlertOutlets', () => {
  test('logs by severity, stores and posts each alert; a failed store write is logged', async () => {
    const hook = await receiver()
    const { log, lines } = logged()
    const center = new AlertCenter()
    const stored: string[] = []
    let fail = false
    const outlets = connectAlertOutlets(center, {
      log,
      store: {
        insertAlert: (a) => {
          if (fail) return Promise.reject(new Error('disk full'))
          stored.push(a.id)
          return Promise.resolve()
        },
      },
      webhook: new AlertWebhook({ url: hook.url, log }),
    })
    const a = center.raise({
      ts: T0 as EpochMs,
      severity: 'critical',
      code: 'X',
      message: 'm',
      market: null,
    })
    center.raise({ ts: T0 as EpochMs, severity: 'warning', code: 'Y', message: 'm', market: null })
    fail = true
    center.raise({ ts: T0 as EpochMs, severity: 'info', code: 'Z', message: 'm', market: null })
    await outlets.close()
    expect(stored).toEqual([a.id, expect.any(String)])
    expect(hook.got).toHaveLength(3)
    const alerts = lines.filter((l) => l.msg === 'alert')
    expect(alerts.map((l) => [l.level, l.code])).toEqual([
      [50, 'X'],
      [40, 'Y'],
      [30, 'Z'],
    ])
    expect(lines.find((l) => l.msg === 'cannot store the alert')).toMatchObject({
      err: 'disk full',
    })
    // After close, nothing is heard.
    center.raise({ ts: T0 as EpochMs, severity: 'info', code: 'W', message: 'm', market: null })
    expect(hook.got).toHaveLength(3)
  })
})
