import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { MarketData } from '../../engine/market-data.js'
import { GammaClient } from '../polymarket/gamma/gamma-client.js'
import { ClobRestClient } from '../polymarket/rest/clob-rest.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { decodeClientMessage } from './market-ws.js'
import { startSim, SimOptionError, type SimHandle } from './sim-server.js'
import { TestWsClient } from '../../../test/support/ws-test-client.js'

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
})

async function sim(seed = 5): Promise<SimHandle> {
  const handle = await startSim({ seed, speed: 0 })
  open.push(handle)
  return handle
}

async function client(handle: SimHandle): Promise<TestWsClient> {
  const c = await TestWsClient.connect(handle.wsUrl)
  open.push(c)
  return c
}

type Wire = { event_type: string; asset_id?: string; price_changes?: { asset_id: string }[] }

function assetsOf(event: Wire): string[] {
  return event.price_changes?.map((c) => c.asset_id) ?? (event.asset_id ? [event.asset_id] : [])
}

describe('startSim market WebSocket', () => {
  it('binds 127.0.0.1 and sends the initial dump as an array of books, best last', async () => {
    const handle = await sim()
    expect(handle.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/market$/)
    const ids = handle.scenario.assetIds()
    const c = await client(handle)
    c.send({ assets_ids: [ids[0], ids[1], 'unknown'], type: 'market' })
    const [dump] = await c.sync()
    const books = JSON.parse(dump ?? 'null') as {
      event_type: string
      asset_id: string
      bids: { price: string }[]
      asks: { price: string }[]
    }[]
    expect(books.map((b) => [b.event_type, b.asset_id])).toEqual([
      ['book', ids[0]],
      ['book', ids[1]],
    ])
    const bids = books[0]!.bids.map((l) => Number(l.price))
    const asks = books[0]!.asks.map((l) => Number(l.price))
    expect(bids).toEqual([...bids].sort((a, b) => a - b))
    expect(asks).toEqual([...asks].sort((a, b) => b - a))
  })

  it('sends events for subscribed assets only, honours dynamic subscribe and unsubscribe', async () => {
    const handle = await sim()
    const ids = handle.scenario.assetIds()
    const c = await client(handle)
    c.send({ assets_ids: [ids[0]], type: 'market', initial_dump: false })
    expect(await c.sync()).toEqual([])
    handle.step(300)
    const first = (await c.sync()).map((t) => JSON.parse(t) as Wire | Wire[])
    expect(first.length).toBeGreaterThan(0)
    for (const frame of first) {
      const events = Array.isArray(frame) ? frame : [frame]
      for (const e of events) expect(assetsOf(e)).toContain(ids[0])
    }
    c.send({ operation: 'subscribe', assets_ids: [ids[2], ids[3]] })
    const [dump] = await c.sync()
    expect((JSON.parse(dump ?? '[]') as Wire[]).map((b) => b.asset_id)).toEqual([ids[2], ids[3]])
    c.send({ operation: 'unsubscribe', assets_ids: [ids[0], ids[2], ids[3]] })
    await c.sync()
    handle.step(300)
    expect(await c.sync()).toEqual([])
  })

  it('answers PING with PONG, ignores bad messages and adds best_bid_ask on request', async () => {
    const handle = await sim()
    const ids = handle.scenario.assetIds()
    const c = await client(handle)
    c.send('hello')
    c.send([1])
    c.send({ assets_ids: 'x', type: 'market' })
    c.send({ assets_ids: [ids[0]], type: 'user' })
    c.send({ assets_ids: [ids[0]], operation: 'drop' })
    expect(await c.sync()).toEqual([])
    expect(handle.stats.badMessages).toBe(5)
    c.send({ assets_ids: [ids[0]], type: 'market', custom_feature_enabled: true })
    await c.sync()
    handle.step(300)
    const events = (await c.sync()).flatMap((t) => {
      const v = JSON.parse(t) as Wire | Wire[]
      return Array.isArray(v) ? v : [v]
    })
    const types = new Set(events.map((e) => e.event_type))
    expect(types.has('best_bid_ask')).toBe(true)
    expect(types.has('price_change')).toBe(true)
  })

  it('refuses an upgrade on another path', async () => {
    const handle = await sim()
    const socket = new WebSocket(handle.wsUrl.replace('/ws/market', '/ws/'))
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve))
    expect(error.message).toMatch(/404/)
  })

  it('keeps MarketData books equal to the true books with zero mismatches', async () => {
    const handle = await sim(11)
    const ids = handle.scenario.assetIds()
    const c = await client(handle)
    const md = new MarketData(polymarketFrameParser)
    c.send({ assets_ids: ids, type: 'market' })
    await c.sync()
    handle.step(1500)
    await c.sync()
    for (const text of c.received) md.onFrameText(text, { tLocal: 0, conn: 'sim' })
    // The initial dump, then one book for the traded token after every taker order.
    expect(md.counters.snapshots).toBeGreaterThan(ids.length)
    expect(md.counters.snapshots).toBeLessThanOrEqual(ids.length + md.counters.trades)
    expect(md.counters.levelChanges).toBeGreaterThan(100)
    expect(md.counters.parseErrors).toBe(0)
    expect(md.counters.mismatches).toBe(0)
    expect(md.counters.crossedBooks).toBe(0)
    for (const id of ids) {
      expect(md.book(id)?.levels('bid')).toEqual(handle.trueBook(id)?.levels('bid'))
      expect(md.book(id)?.levels('ask')).toEqual(handle.trueBook(id)?.levels('ask'))
    }
  })

  it('is deterministic for a seed', async () => {
    const a = await sim(9)
    const b = await sim(9)
    expect(JSON.stringify(a.step(500))).toBe(JSON.stringify(b.step(500)))
  })

  it('passes every frame through the fault filter', async () => {
    const handle = await startSim({ seed: 2, speed: 0, faults: () => [] })
    open.push(handle)
    expect(handle.step(300)).toEqual([])
  })

  it('sends custom-feature-only frames to custom-feature connections only', async () => {
    let injected = false
    const handle = await startSim({
      seed: 2,
      speed: 0,
      faults: (frame) => {
        if (injected) return [frame]
        injected = true
        const extra = { event_type: 'market_resolved', note: 'injected' }
        return [frame, { assetIds: frame.assetIds, customOnly: true, payload: extra }]
      },
    })
    open.push(handle)
    const ids = handle.scenario.assetIds()
    const plain = await client(handle)
    const custom = await client(handle)
    plain.send({ assets_ids: ids, type: 'market', initial_dump: false })
    custom.send({ assets_ids: ids, type: 'market', initial_dump: false })
    custom.send({ operation: 'subscribe', assets_ids: [], custom_feature_enabled: true })
    await plain.sync()
    await custom.sync()
    handle.step(50)
    const injectedIn = (frames: string[]) => frames.filter((t) => t.includes('injected')).length
    expect(injectedIn(await plain.sync())).toBe(0)
    expect(injectedIn(await custom.sync())).toBe(1)
  })

  it('pause drops every market socket and refuses new ones until resume', async () => {
    const handle = await sim()
    const ids = handle.scenario.assetIds()
    const c = await client(handle)
    c.send({ assets_ids: [ids[0]], type: 'market' })
    await c.sync()
    const raw = new WebSocket(handle.wsUrl)
    await new Promise<void>((resolve) => raw.once('open', () => resolve()))
    const closed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)))
    handle.pause()
    handle.pause()
    expect(await closed).toBe(1006)
    const refused = new WebSocket(handle.wsUrl)
    const error = await new Promise<Error>((resolve) => refused.once('error', resolve))
    expect(error.message).toMatch(/503/)
    handle.step(50)
    handle.resume()
    handle.resume()
    const again = await client(handle)
    again.send({ assets_ids: [ids[0]], type: 'market' })
    const [dump] = await again.sync()
    const books = JSON.parse(dump ?? '[]') as { asset_id: string; timestamp: string }[]
    expect(books.map((b) => b.asset_id)).toEqual([ids[0]])
    expect(Number(books[0]!.timestamp)).toBe(handle.scenario.now())
  })

  it('steps on a timer when speed > 0 and closes cleanly twice', async () => {
    const handle = await startSim({ seed: 2, speed: 1000 })
    const c = await TestWsClient.connect(handle.wsUrl)
    c.send({ assets_ids: handle.scenario.assetIds(), type: 'market', initial_dump: false })
    await c.sync()
    while (c.received.length === 0) await c.sync()
    expect(handle.scenario.now()).toBeGreaterThan(1_800_000_000_000)
    await handle.close()
    await handle.close()
    await c.close()
  })

  it('refuses bad options with a clear error', async () => {
    await expect(startSim({ host: '0.0.0.0' })).rejects.toThrow(SimOptionError)
    await expect(startSim({ host: '0.0.0.0' })).rejects.toThrow(/loopback/)
    await expect(startSim({ speed: -1 })).rejects.toThrow(/speed -1/)
    await expect(startSim({ port: 70_000 })).rejects.toThrow(/port 70000/)
    await expect(startSim({ seed: 1.5 })).rejects.toThrow(/seed 1.5/)
  })

  it('writes labels as NDJSON when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-labels-'))
    try {
      const path = join(dir, 'labels.ndjson')
      const handle = await startSim({ seed: 3, speed: 0, labelsPath: path })
      open.push(handle)
      while (handle.scenario.labels.length === 0 && !handle.scenario.done) handle.step(200)
      const lines = readFileSync(path, 'utf8').trim().split('\n')
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(handle.scenario.labels)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('decodeClientMessage', () => {
  it('reads defaults and explains refusals', () => {
    expect(decodeClientMessage('{"assets_ids":["1"],"type":"MARKET"}')).toEqual({
      assetIds: ['1'],
      initialDump: true,
      custom: undefined,
      operation: 'subscribe',
    })
    expect(decodeClientMessage('x')).toMatch(/not JSON/)
    expect(decodeClientMessage('null')).toMatch(/JSON object/)
    expect(decodeClientMessage('{"assets_ids":[1],"type":"market"}')).toMatch(/assets_ids/)
    expect(decodeClientMessage('{"assets_ids":[]}')).toMatch(/type must be/)
  })
})

describe('startSim REST and Gamma', () => {
  it('serves books and token facts that ClobRestClient parses', async () => {
    const handle = await sim()
    const ids = handle.scenario.assetIds()
    const rest = new ClobRestClient({ baseUrl: handle.restUrl, retries: 0 })
    const book = await rest.getBook(ids[0]!)
    expect(book.assetId).toBe(ids[0])
    expect(book.tickSize).toBe(100)
    expect(book.minOrderSize).toBe(5_000_000)
    expect(book.negRisk).toBe(false)
    expect(book.hash).toMatch(/^[0-9a-f]{40}$/)
    const truth = handle.trueBook(ids[0]!)
    expect([...book.bids].reverse()).toEqual(truth?.levels('bid'))
    expect([...book.asks].reverse()).toEqual(truth?.levels('ask'))
    const books = await rest.getBooks([ids[1]!, 'unknown', ids[2]!])
    expect(books.map((b) => b.assetId)).toEqual([ids[1], ids[2]])
    expect(await rest.getTickSize(ids[0]!)).toBe(100)
    expect(await rest.getFeeRate(ids[0]!)).toBe(0)
    expect(await rest.getNegRisk(ids[0]!)).toBe(false)
    await expect(rest.getBook('unknown')).rejects.toThrow(/404.*No orderbook exists/)
  })

  it('answers bad requests with venue-like errors', async () => {
    const handle = await sim()
    const get = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${handle.restUrl}${path}`, init)
      return { status: res.status, body: await res.json() }
    }
    expect(await get('/book')).toEqual({ status: 400, body: { error: 'Invalid token id' } })
    expect((await get('/nowhere')).status).toBe(404)
    const post = (body: string) => get('/books', { method: 'POST', body })
    expect((await post('not json')).status).toBe(400)
    expect((await post('{}')).status).toBe(400)
    expect((await post('[{"token":1}]')).status).toBe(400)
    expect((await get('/gamma/events?limit=-1')).status).toBe(422)
  })

  it('serves Gamma events, markets and sports that GammaClient parses', async () => {
    const handle = await sim()
    const gamma = new GammaClient({ baseUrl: handle.gammaUrl, retries: 0 })
    const events = await gamma.listEvents({ seriesId: '10369' })
    expect(events.problems).toEqual([])
    expect(events.events).toHaveLength(1)
    const event = events.events[0]!
    expect(event.sport).toBe('valorant')
    expect(event.markets).toHaveLength(4)
    const tokens = event.markets.flatMap((m) => m.outcomes.map((o) => o.tokenId))
    expect(tokens).toEqual(handle.scenario.assetIds())
    expect(event.markets.map((m) => m.marketType)).toEqual(['match', 'map', 'map', 'map'])
    expect(event.markets[0]?.tickSize).toBe(100)
    const markets = await gamma.listMarkets({ seriesId: '10369', pageSize: 3 })
    expect(markets.problems).toEqual([])
    expect(markets.markets).toHaveLength(4)
    expect(markets.pages).toBe(2)
    expect((await gamma.listEvents({ seriesId: '10310' })).events).toEqual([])
    const sports = await gamma.getSports()
    expect(sports.sports[0]?.seriesIds).toEqual(['10369'])
  })
})
