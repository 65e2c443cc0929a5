import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  panicFrames,
  randomFrames,
  RANDOM_TOKENS,
  writeCapture,
} from '../../../test/support/playback-captures.js'
import { replayStatesAt } from '../../adapters/capture/capture-index-verify.js'
import { listCaptureFiles } from '../../adapters/capture/capture-reader.js'
import { silentLogger } from '../../adapters/log.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import type { LiveSocket } from '../../adapters/web/live-client.js'
import { PlaybackStream } from '../../adapters/web/playback-stream.js'
import {
  PlaybackServerBatch,
  type PlaybackServerMessage,
  type PlaybackState,
} from '../../contracts/playback.js'
import { validateGameEvent } from '../../domain/game-events.js'
import { buildHttpServer } from './http.js'
import { createDashboardWiring, type DashboardWiring } from './playback-wiring.js'

let root: string
let dir: string
let wiring: DashboardWiring
let app: FastifyInstance
let url: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiltmeter-pbws-'))
  dir = join(root, 'captures')
  await writeCapture(join(dir, 'match'), randomFrames(21, 2_000), {
    rotateMs: 45_000,
    flushEvery: 61,
  })
  await writeCapture(dir, panicFrames(), {}, 'panic.ndjson.gz')
  wiring = createDashboardWiring({
    captureDirs: [dir],
    store: {},
    log: silentLogger(),
    now: () => Date.now(),
  })
  app = buildHttpServer({
    metrics: { contentType: 'text/plain', text: () => Promise.resolve('') },
    health: () => ({}),
    validateGameEvent: (input) => validateGameEvent(input),
    store: {
      insertGameEvents: () => Promise.resolve([]),
      listGameEvents: () => Promise.resolve([]),
    },
    log: silentLogger(),
    dashboard: wiring,
  })
  url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace(/^http/, 'ws')
}, 60_000)

afterAll(async () => {
  await app.close()
  await rm(root, { recursive: true, force: true })
})

/** A page on `/ws/playback` collecting the server's batches. */
class Page {
  readonly batches: PlaybackServerMessage[][] = []
  closed: { code: number; reason: string } | null = null
  private _wake: () => void = () => {}

  private constructor(private readonly _socket: WebSocket) {
    _socket.on('message', (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8')
      this.batches.push(PlaybackServerBatch.parse(JSON.parse(text)))
      this._wake()
    })
    _socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') }
      this._wake()
    })
  }

  static open(headers: Record<string, string> = {}): Promise<Page> {
    const socket = new WebSocket(`${url}/ws/playback`, { headers })
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Page(socket)))
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`))
        socket.terminate()
      })
      socket.once('error', reject)
    })
  }

  get messages(): PlaybackServerMessage[] {
    return this.batches.flat()
  }

  send(value: unknown): void {
    this._socket.send(typeof value === 'string' ? value : JSON.stringify(value))
  }

  /** Resolves with the first message (from index `from`) matching `match`; bounded. */
  async next<T extends PlaybackServerMessage['type']>(
    type: T,
    from = 0,
    match: (m: Extract<PlaybackServerMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<PlaybackServerMessage, { type: T }>> {
    const deadline = Date.now() + 20_000
    for (;;) {
      const found = this.messages
        .slice(from)
        .find((m) => m.type === type && match(m as Extract<PlaybackServerMessage, { type: T }>))
      if (found !== undefined) return found as Extract<PlaybackServerMessage, { type: T }>
      if (this.closed !== null) throw new Error(`socket closed waiting for ${type}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}`)
      await new Promise<void>((resolve) => {
        this._wake = resolve
        setTimeout(resolve, 50)
      })
    }
  }

  close(): void {
    this._socket.close()
  }
}

describe('playback over /ws/playback', () => {
  test('open reports progress, then the capture and the state at its first frame', async () => {
    const page = await Page.open()
    try {
      page.send({ type: 'open', capture: 'match', tokens: [...RANDOM_TOKENS] })
      const opened = await page.next('opened')
      expect(opened.tokens).toEqual([...RANDOM_TOKENS])
      expect(opened.capture).toMatchObject({ name: 'match', kind: 'directory', index: 'ready' })
      const types = page.messages.map((m) => m.type)
      expect(types.slice(0, types.indexOf('opened'))).toEqual(expect.arrayContaining(['progress']))
      expect(page.messages.filter((m) => m.type === 'progress').map((m) => m.stage)).toContain(
        'scan',
      )
      const state = await page.next('state')
      expect(state).toMatchObject({ t: opened.capture.first_ms, seq: null, playing: false })
    } finally {
      page.close()
    }
  })

  test('every seek shows the books a replay has at that time', async () => {
    const page = await Page.open()
    try {
      page.send({ type: 'open', capture: 'match', tokens: [...RANDOM_TOKENS] })
      const opened = await page.next('opened')
      const first = opened.capture.first_ms!
      const last = opened.capture.last_ms!
      const times = [0.1, 0.9, 0.35, 0.5, 0.5, 0.02, 1].map((f) =>
        Math.round(first + (last - first) * f),
      )
      const files = await listCaptureFiles(join(dir, 'match'))
      const replay = await replayStatesAt(files, times, polymarketFrameParser)
      for (let i = 0; i < times.length; i++) {
        const mark = page.messages.length
        page.send({ type: 'seek', t: times[i], seq: i })
        const state = await page.next('state', mark, (m) => m.seq === i)
        expect(state.t).toBe(times[i])
        expect(state.books.length).toBe(RANDOM_TOKENS.length)
        const expected = replay.states[i]!.books as {
          assetId: string
          bids: { price: number; size: number }[]
          asks: { price: number; size: number }[]
          lastUpdateTs: number
        }[]
        for (const token of RANDOM_TOKENS) {
          const book = state.books.find((b) => b.tokenId === token)
          const want = expected.find((b) => b.assetId === token)
          if (want === undefined) {
            expect(book).toBeUndefined()
            continue
          }
          expect(book).toMatchObject({
            ts: want.lastUpdateTs,
            bids: want.bids.slice(0, 50).map((l) => [l.price, l.size]),
            asks: want.asks.slice(0, 50).map((l) => [l.price, l.size]),
          })
        }
        expect(state.at_end).toBe(times[i] === last)
      }
      // Outside the capture a seek lands on its edge.
      const mark = page.messages.length
      page.send({ type: 'seek', t: first - 60_000, seq: 99 })
      expect((await page.next('state', mark, (m) => m.seq === 99)).t).toBe(first)
    } finally {
      page.close()
    }
  })

  test('play at 20× streams books, trades and the time to the end, then pauses itself', async () => {
    const page = await Page.open()
    try {
      page.send({ type: 'open', capture: 'panic.ndjson.gz', tokens: ['1111', '2222'] })
      const opened = await page.next('opened')
      const last = opened.capture.last_ms!
      await page.next('state')
      // Near the end, so the test plays a few seconds of venue time.
      page.send({ type: 'seek', t: last - 20_000, seq: 1 })
      await page.next('state', 0, (m) => m.seq === 1)
      const mark = page.messages.length
      page.send({ type: 'play', speed: 20 })
      expect(await page.next('status', mark)).toMatchObject({
        playing: true,
        speed: 20,
        reason: 'play',
      })
      const end = await page.next('status', mark, (m) => m.reason === 'end')
      expect(end).toMatchObject({ t: last, playing: false, at_end: true })
      const played = page.batches.slice(0).filter((b) => b.some((m) => m.type === 'clock'))
      expect(played.length).toBeGreaterThan(0)
      for (const batch of played) {
        const books = batch.filter((m) => m.type === 'book').map((m) => m.tokenId)
        expect(new Set(books).size).toBe(books.length)
      }
      const clocks = page.messages.slice(mark).flatMap((m) => (m.type === 'clock' ? [m.t] : []))
      expect(clocks).toEqual([...clocks].sort((a, b) => a - b))
      expect(page.messages.slice(mark).some((m) => m.type === 'book' || m.type === 'trade')).toBe(
        true,
      )
    } finally {
      page.close()
    }
  })

  test('requests that cannot be served answer an error and keep the socket', async () => {
    const page = await Page.open()
    try {
      page.send({ type: 'seek', t: 1 })
      expect(await page.next('error')).toMatchObject({ code: 'NOT_OPEN' })
      page.send({ type: 'open', capture: 'nope' })
      const notFound = await page.next('error', 0, (m) => m.code !== 'NOT_OPEN')
      expect(notFound.code).toBe('CAPTURE_NOT_FOUND')
      expect(notFound.message).toMatch(/no capture named "nope"/)
      page.send({ type: 'open', capture: 'panic.ndjson.gz', tokens: ['1111', '777'] })
      const unknown = await page.next('error', 0, (m) => m.code === 'UNKNOWN_TOKEN')
      expect(unknown.message).toMatch(/not in this capture: 777/)
      expect((await page.next('opened')).tokens).toEqual(['1111'])
      expect(page.closed).toBeNull()
    } finally {
      page.close()
    }
  })

  test('malformed messages close the socket with 1008 and a reason', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ type: 'play', speed: 50 }, /invalid message at speed/],
      [{ type: 'rewind' }, /invalid message at type/],
      [{ type: 'open', capture: 'x', extra: 1 }, /invalid message/],
    ]
    for (const [message, reason] of cases) {
      const page = await Page.open()
      page.send(message)
      const deadline = Date.now() + 10_000
      while (page.closed === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(page.closed?.code).toBe(1008)
      expect(page.closed?.reason).toMatch(reason)
    }
  })

  test('an upgrade from another origin is refused', async () => {
    await expect(Page.open({ origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/)
  })
})

/** A socket that records what is sent; `bufferedAmount` is set by the test. */
class FakeSocket implements LiveSocket {
  bufferedAmount = 0
  readyState = 1
  readonly sent: PlaybackServerMessage[][] = []
  send(data: string): void {
    this.sent.push(PlaybackServerBatch.parse(JSON.parse(data)))
  }
  close(): void {
    this.readyState = 3
  }
}

describe('pacing and coalescing (manual clock)', () => {
  test('each flush moves venue time by wall time × speed; a backed-up page gets the latest later', async () => {
    let now = 1_000
    const socket = new FakeSocket()
    const stream = new PlaybackStream(socket, { ...wiring, now: () => now }, { timer: false })
    stream.receive(JSON.stringify({ type: 'open', capture: 'match', tokens: [...RANDOM_TOKENS] }))
    await stream.idle()
    const states = socket.sent.flat().filter((m): m is PlaybackState => m.type === 'state')
    const first = states[0]!.t
    stream.receive(JSON.stringify({ type: 'play', speed: 2.5 }))
    await stream.idle()
    now += 4_000
    await stream.flush()
    const clock = (): number => {
      const clocks = socket.sent.flat().filter((m) => m.type === 'clock')
      return (clocks[clocks.length - 1] as { t: number }).t
    }
    expect(clock()).toBe(first + 10_000)

    socket.bufferedAmount = 10 * 1024 * 1024
    const sentBefore = socket.sent.length
    now += 20_000
    await stream.flush()
    expect(socket.sent.length).toBe(sentBefore)
    expect(stream.counters.skipped).toBe(1)
    socket.bufferedAmount = 0
    now += 1
    await stream.flush()
    const batch = socket.sent[socket.sent.length - 1]!
    const books = batch.filter((m) => m.type === 'book').map((m) => m.tokenId)
    expect(new Set(books).size).toBe(books.length)
    expect(books.length).toBeGreaterThan(0)
    expect(clock()).toBe(first + 10_000 + Math.floor(20_001 * 2.5))

    stream.receive(JSON.stringify({ type: 'pause' }))
    await stream.idle()
    expect(stream.playing).toBe(false)
    const status = socket.sent.flat().filter((m) => m.type === 'status')
    expect(status[status.length - 1]).toMatchObject({ playing: false, reason: 'pause' })
    stream.closed()
    await stream.idle()
  })

  test('a burst of seeks is served as the latest one', async () => {
    const socket = new FakeSocket()
    const stream = new PlaybackStream(socket, wiring, { timer: false })
    stream.receive(JSON.stringify({ type: 'open', capture: 'match' }))
    for (let i = 0; i < 10; i++) {
      stream.receive(JSON.stringify({ type: 'seek', t: 1_790_000_000_000 + i * 1_000, seq: i }))
    }
    await stream.idle()
    const seqs = socket.sent
      .flat()
      .filter((m): m is PlaybackState => m.type === 'state')
      .map((m) => m.seq)
    expect(seqs).toEqual([null, 9])
    expect(stream.counters.coalescedSeeks).toBe(9)
    stream.closed()
    await stream.idle()
  })
})
