import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MarketData } from '../../engine/market-data.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { TestWsClient } from '../../../test/support/ws-test-client.js'
import {
  FAULT_NAMES,
  FaultInjector,
  FaultSpecError,
  alterBestBid,
  parseFaultSpec,
  type FaultEvent,
  type FaultSpec,
} from './faults.js'
import type { SimFrame } from './scenario.js'
import { SimOptionError, startSim, type InjectFaults, type SimHandle } from './sim-server.js'

const open: { close(): Promise<void> }[] = []
let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-faults-'))
})
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
  rmSync(dir, { recursive: true, force: true })
})

async function sim(inject?: Partial<InjectFaults>, seed = 5): Promise<SimHandle> {
  const handle = await startSim({
    seed,
    speed: 0,
    ...(inject === undefined ? {} : { injectFaults: { spec: {}, ...inject } }),
  })
  open.push(handle)
  return handle
}

/** A client subscribed to every asset, past its initial dump. */
async function subscribed(handle: SimHandle): Promise<TestWsClient> {
  const c = await TestWsClient.connect(handle.wsUrl)
  open.push(c)
  c.send({ assets_ids: handle.scenario.assetIds(), type: 'market' })
  const [dump] = await c.sync()
  expect(dump).toMatch(/^\[\{"event_type":"book"/)
  return c
}

function texts(frames: readonly SimFrame[]): string[] {
  return frames.map((f) => f.raw ?? JSON.stringify(f.payload))
}

const isDelta = (text: string): boolean => text.includes('"price_change"')

function readLog(path: string): FaultEvent[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as FaultEvent)
}

describe('parseFaultSpec', () => {
  it('reads every fault with its rate, ignoring spaces', () => {
    const spec = parseFaultSpec(
      'disconnect=0.001,gap=0.01,duplicate=0.01,reorder=0.01,malformed=0.005,mismatch=0.005,' +
        'ticksize=0.0005,silence=0.001,http429=0.05,http500=0.02,http503=0.02,http425=0.02, slow = 1',
    )
    expect(Object.keys(spec).sort()).toEqual([...FAULT_NAMES].sort())
    expect(spec.gap).toBe(0.01)
    expect(spec.slow).toBe(1)
    expect(parseFaultSpec('gap=0')).toEqual({ gap: 0 })
  })

  it('refuses every bad form with a message naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['  ', /empty/],
      ['gap', /"gap" has no rate/],
      ['gap=0.1,', /"" has no rate/],
      ['bogus=0.1', /unknown fault "bogus": known faults are disconnect, silence, gap, .*slow/],
      ['=0.1', /unknown fault ""/],
      ['gap=', /rate of fault "gap" is ""/],
      ['gap=x', /rate of fault "gap" is "x"/],
      ['gap=-0.1', /from 0 to 1/],
      ['gap=1.5', /from 0 to 1/],
      ['gap=NaN', /from 0 to 1/],
      ['gap=Infinity', /from 0 to 1/],
      ['gap=0.1,gap=0.2', /"gap" is given twice/],
    ]
    for (const [text, message] of cases) {
      expect(() => parseFaultSpec(text), text).toThrow(FaultSpecError)
      expect(() => parseFaultSpec(text), text).toThrow(message)
    }
  })
})

describe('FaultInjector', () => {
  function wire(): {
    sent: string[]
    terminated: number
    send(t: string): void
    terminate(): void
  } {
    return {
      sent: [],
      terminated: 0,
      send(t) {
        this.sent.push(t)
      },
      terminate() {
        this.terminated++
      },
    }
  }
  const tick = (): string => '0.01'

  it('goes silent, PONG included, for silenceMs and then delivers again', () => {
    let clock = 1000
    const injector = new FaultInjector({
      spec: { silence: 1 },
      seed: 1,
      silenceMs: 500,
      now: () => clock,
    })
    const w = wire()
    injector.deliver(1, 'event', '{"a":1}', ['x'], w, tick)
    injector.deliver(1, 'pong', 'PONG', [], w, tick)
    injector.deliver(1, 'dump', '[]', ['x'], w, tick)
    clock = 1499
    injector.deliver(1, 'pong', 'PONG', [], w, tick)
    expect(w.sent).toEqual([])
    clock = 1500
    injector.deliver(1, 'pong', 'PONG', [], w, tick)
    injector.deliver(2, 'pong', 'PONG', [], w, tick)
    expect(w.sent).toEqual(['PONG', 'PONG'])
    expect(injector.stats().silence).toBe(1)
  })

  it('sends a frame unchanged when gap or mismatch cannot apply', () => {
    const injector = new FaultInjector({ spec: { gap: 1, mismatch: 1, ticksize: 0 }, seed: 1 })
    const w = wire()
    injector.deliver(1, 'event', '{"event_type":"last_trade_price"}', ['x'], w, tick)
    expect(w.sent).toEqual(['{"event_type":"last_trade_price"}'])
    expect(injector.stats().gap + injector.stats().mismatch).toBe(0)
  })

  it('falls back to plain delivery when a mismatch or tick change has nothing to work on', () => {
    const noEntry = '{"event_type":"price_change","price_changes":[]}'
    const m = new FaultInjector({ spec: { mismatch: 1 }, seed: 1 })
    const w = wire()
    m.deliver(1, 'event', noEntry, ['x'], w, tick)
    const t = new FaultInjector({ spec: { ticksize: 1 }, seed: 1 })
    t.deliver(1, 'event', '{}', [], w, tick)
    t.deliver(1, 'event', 'not json', ['x'], w, () => undefined)
    expect(w.sent).toEqual([noEntry, '{}', 'not json'])
    expect(m.stats().mismatch + t.stats().ticksize).toBe(0)
    t.deliver(1, 'event', 'not json', ['x'], w, tick)
    expect(JSON.parse(w.sent[3] ?? '')).toMatchObject({ market: '', timestamp: '' })
  })

  it('alterBestBid moves the first entry one cent away and skips what it cannot alter', () => {
    const frame = (bid: unknown): string =>
      JSON.stringify([
        { event_type: 'book' },
        { event_type: 'price_change', price_changes: [{ asset_id: 'a', best_bid: bid }] },
      ])
    const altered = alterBestBid(frame('0.62'))
    expect(altered?.assetId).toBe('a')
    expect(altered?.text).toBe(frame('0.61'))
    expect(alterBestBid(frame('0'))?.text).toContain('"best_bid":"0.01"')
    expect(alterBestBid(frame('x'))).toBeNull()
    expect(alterBestBid(frame(3))).toBeNull()
    expect(alterBestBid('{"event_type":"price_change","price_changes":[{"best_bid":"1"}]}')).toBe(
      null,
    )
    expect(alterBestBid('[null]')).toBeNull()
    expect(alterBestBid('{bad')).toBeNull()
  })

  it('draws HTTP faults in order and answers normally when none hits', () => {
    const none = new FaultInjector({ spec: { http500: 0 }, seed: 3 })
    expect(none.http('/book')).toBeNull()
    const all = new FaultInjector({ spec: { http425: 1, slow: 1 }, seed: 3, slowMs: 7 })
    expect(all.http('/book')).toEqual({ kind: 'status', status: 425, headers: {} })
    const slow = new FaultInjector({ spec: { slow: 1 }, seed: 3, slowMs: 7 })
    expect(slow.http('/book')).toEqual({ kind: 'slow', delayMs: 7 })
  })
})

describe('market WebSocket faults on a real connection', () => {
  it('gap drops every price_change for the subscriber; its book diverges, the true book not', async () => {
    const log = join(dir, 'faults.ndjson')
    const handle = await sim({ spec: { gap: 1 }, logPath: log })
    const c = await subscribed(handle)
    const sent = texts(handle.step(300))
    const got = await c.sync()
    const deltas = sent.filter(isDelta)
    expect(deltas.length).toBeGreaterThan(0)
    expect(got).toEqual(sent.filter((t) => !isDelta(t)))
    expect(handle.faultStats().gap).toBe(deltas.length)
    const events = readLog(log)
    expect(events).toHaveLength(deltas.length)
    expect(events[0]).toMatchObject({ type: 'gap', conn: 1 })
    expect(handle.scenario.assetIds()).toContain(events[0]?.asset_id)

    const md = new MarketData(polymarketFrameParser)
    for (const text of c.received) md.onFrameText(text, { tLocal: 0, conn: 'sim' })
    const diverged = handle.scenario
      .assetIds()
      .filter(
        (id) =>
          JSON.stringify(md.book(id)?.levels('bid')) !==
          JSON.stringify(handle.trueBook(id)?.levels('bid')),
      )
    expect(diverged.length).toBeGreaterThan(0)
  })

  it('duplicate sends every event frame twice', async () => {
    const handle = await sim({ spec: { duplicate: 1 } })
    const c = await subscribed(handle)
    const sent = texts(handle.step(200))
    expect(await c.sync()).toEqual(sent.flatMap((t) => [t, t]))
    expect(handle.faultStats().duplicate).toBe(sent.length)
  })

  it('reorder swaps each frame with the next one', async () => {
    const handle = await sim({ spec: { reorder: 1 } })
    const c = await subscribed(handle)
    const sent = texts(handle.step(200))
    expect(sent.length).toBeGreaterThan(3)
    const got = await c.sync()
    const expected: string[] = []
    for (let i = 0; i + 1 < sent.length; i += 2) expected.push(sent[i + 1]!, sent[i]!)
    expect(got).toEqual(expected)
    expect(handle.faultStats().reorder).toBe(Math.ceil(sent.length / 2))
  })

  it('malformed truncates the text so it is not JSON', async () => {
    const handle = await sim({ spec: { malformed: 1 } })
    const c = await subscribed(handle)
    const sent = texts(handle.step(100))
    const got = await c.sync()
    expect(got).toHaveLength(sent.length)
    got.forEach((text, i) => {
      expect(sent[i]?.startsWith(text)).toBe(true)
      expect(() => JSON.parse(text) as unknown).toThrow()
    })
    expect(handle.faultStats().malformed).toBe(sent.length)
  })

  it('mismatch alters a best_bid, which the client detects as a mismatch', async () => {
    const handle = await sim({ spec: { mismatch: 1 } })
    const c = await subscribed(handle)
    const sent = texts(handle.step(300))
    const got = await c.sync()
    expect(got).toHaveLength(sent.length)
    const altered = got.filter((t, i) => t !== sent[i])
    expect(altered.length).toBe(sent.filter(isDelta).length)
    expect(handle.faultStats().mismatch).toBe(altered.length)
    const md = new MarketData(polymarketFrameParser)
    for (const text of c.received) md.onFrameText(text, { tLocal: 0, conn: 'sim' })
    expect(md.counters.mismatches).toBeGreaterThan(0)
  })

  it('ticksize announces a tick_size_change at the current tick; resubscribing re-snapshots', async () => {
    const handle = await sim({ spec: { ticksize: 1 } })
    const ids = handle.scenario.assetIds()
    const c = await subscribed(handle)
    const sent = texts(handle.step(50))
    const got = await c.sync()
    expect(got).toHaveLength(sent.length * 2)
    const change = JSON.parse(got[0] ?? '') as Record<string, string>
    expect(change).toMatchObject({ event_type: 'tick_size_change', old_tick_size: '0.01' })
    expect(change['new_tick_size']).toBe(change['old_tick_size'])
    expect(ids).toContain(change['asset_id'])
    expect(got[1]).toBe(sent[0])
    expect(handle.faultStats().ticksize).toBe(sent.length)
    const md = new MarketData(polymarketFrameParser)
    for (const text of c.received) md.onFrameText(text, { tLocal: 0, conn: 'sim' })
    expect(md.counters.tickSizeChanges).toBe(sent.length)
    c.send({ operation: 'subscribe', assets_ids: [change['asset_id']] })
    const [dump] = await c.sync()
    expect(JSON.parse(dump ?? '[]')).toEqual([handle.scenario.snapshot(change['asset_id']!)])
  })

  it('disconnect terminates the socket at the first event frame', async () => {
    const handle = await sim({ spec: { disconnect: 1 } })
    const socket = new WebSocket(handle.wsUrl)
    await new Promise((resolve) => socket.once('open', resolve))
    const closed = new Promise<number>((resolve) => socket.once('close', resolve))
    socket.send(JSON.stringify({ assets_ids: handle.scenario.assetIds(), type: 'market' }))
    await new Promise((resolve) => socket.once('message', resolve))
    handle.step(100)
    expect(await closed).toBe(1006)
    expect(handle.faultStats().disconnect).toBe(1)
  })

  it('silence drops events on one connection, socket open, until the window ends', async () => {
    let clock = 0
    const handle = await sim({ spec: { silence: 1 }, silenceMs: 1000, now: () => clock })
    const c = await subscribed(handle)
    expect(handle.step(100).length).toBeGreaterThan(1)
    clock = 1000
    expect(await c.sync()).toEqual([])
    expect(handle.faultStats().silence).toBe(1)
  })

  it('is deterministic for a seed and leaves the true books untouched', async () => {
    const spec: FaultSpec = {
      gap: 0.1,
      mismatch: 0.1,
      malformed: 0.1,
      ticksize: 0.05,
      duplicate: 0.1,
      reorder: 0.1,
    }
    const run = async (faulted: boolean): Promise<{ handle: SimHandle; got: string[] }> => {
      const handle = await sim(faulted ? { spec, now: () => 0 } : undefined, 21)
      const c = await subscribed(handle)
      handle.step(800)
      return { handle, got: await c.sync() }
    }
    const a = await run(true)
    const b = await run(true)
    const clean = await run(false)
    expect(a.got).toEqual(b.got)
    expect(a.got).not.toEqual(clean.got)
    expect(a.handle.faultStats()).toEqual(b.handle.faultStats())
    const stats = a.handle.faultStats()
    for (const name of Object.keys(spec) as (keyof typeof stats)[]) {
      expect(stats[name], name).toBeGreaterThan(0)
    }
    expect(clean.handle.faultStats().gap).toBe(0)
    for (const id of clean.handle.scenario.assetIds()) {
      for (const side of ['bid', 'ask'] as const) {
        expect(a.handle.trueBook(id)?.levels(side)).toEqual(clean.handle.trueBook(id)?.levels(side))
      }
      expect(a.handle.scenario.snapshot(id)).toEqual(clean.handle.scenario.snapshot(id))
    }
  })
})

describe('HTTP faults', () => {
  it('answers 429 with Retry-After, 500, 503 and 425 on CLOB and Gamma routes, and logs them', async () => {
    for (const [name, status] of [
      ['http429', 429],
      ['http500', 500],
      ['http503', 503],
      ['http425', 425],
    ] as const) {
      const log = join(dir, `${name}.ndjson`)
      const handle = await sim({ spec: { [name]: 1 }, logPath: log, retryAfterS: 3 })
      const id = handle.scenario.assetIds()[0] ?? ''
      const book = await fetch(`${handle.restUrl}/book?token_id=${id}`)
      expect(book.status).toBe(status)
      expect(await book.json()).toEqual({ error: `simulated fault: HTTP ${status}` })
      expect(book.headers.get('retry-after')).toBe(status === 429 ? '3' : null)
      const gamma = await fetch(`${handle.gammaUrl}/sports`)
      expect(gamma.status).toBe(status)
      const posted = await fetch(`${handle.restUrl}/books`, {
        method: 'POST',
        body: JSON.stringify([{ token_id: id }]),
      })
      expect(posted.status).toBe(status)
      expect(handle.faultStats()[name]).toBe(3)
      expect(readLog(log).map((e) => [e.type, e.conn, e.path])).toEqual([
        [name, 0, '/book'],
        [name, 0, '/gamma/sports'],
        [name, 0, '/books'],
      ])
    }
  })

  it('slow delays the reply, which still arrives intact', async () => {
    const handle = await sim({ spec: { slow: 1 }, slowMs: 20 })
    const id = handle.scenario.assetIds()[0] ?? ''
    const reply = await fetch(`${handle.restUrl}/book?token_id=${id}`)
    expect(reply.status).toBe(200)
    expect(((await reply.json()) as { asset_id: string }).asset_id).toBe(id)
    expect(handle.faultStats().slow).toBe(1)
  })

  it('closes cleanly with a slow reply still pending', async () => {
    const handle = await sim({ spec: { slow: 1 }, slowMs: 60_000 })
    const pending = fetch(`${handle.gammaUrl}/sports`).then(
      () => 'answered',
      () => 'refused',
    )
    while (handle.faultStats().slow === 0) await new Promise((r) => setImmediate(r))
    await handle.close()
    expect(await pending).toBe('refused')
  })

  it('startSim refuses a bad fault spec or timing', async () => {
    const bad: InjectFaults[] = [
      { spec: { nope: 0.1 } as FaultSpec },
      { spec: { gap: 2 } },
      { spec: { gap: Number.NaN } },
      { spec: {}, silenceMs: -1 },
      { spec: {}, slowMs: 1.5 },
      { spec: {}, retryAfterS: Number.POSITIVE_INFINITY },
    ]
    for (const injectFaults of bad) {
      await expect(startSim({ speed: 0, injectFaults })).rejects.toThrow(SimOptionError)
    }
  })

  it('answers normally and counts nothing without faults', async () => {
    const handle = await sim()
    expect((await fetch(`${handle.gammaUrl}/sports`)).status).toBe(200)
    expect(Object.values(handle.faultStats()).every((n) => n === 0)).toBe(true)
  })
})
