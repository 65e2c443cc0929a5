import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { MarketEvent } from '../../domain/book/book-events.js'
import { ParseError } from '../../domain/errors.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import type { ParseResult } from '../frame-parser.js'
import { MarketData, type FrameParser } from '../market-data.js'
import { IndexBuilder } from './index-builder.js'
import type {
  Checkpoint,
  PlaybackCursor,
  PlaybackMarker,
  PlaybackPosition,
  PlaybackSource,
  RecordVisitor,
} from './playback-ports.js'
import { PlaybackSession, type PlaybackMarket } from './playback-session.js'
import { TradeLog } from './trade-log.js'

/** Frames are JSON arrays of domain events; `PONG` is ignored; anything else is an error. */
function parse(text: string): ParseResult {
  if (text === 'PONG') return { events: [], errors: [], ignored: true }
  try {
    return { events: JSON.parse(text) as MarketEvent[], errors: [], ignored: false }
  } catch {
    return { events: [], errors: [new ParseError('not a frame', text)], ignored: false }
  }
}
const PARSER: FrameParser = {
  parseText: parse,
  parseValue: (value) => ({ events: value as MarketEvent[], errors: [], ignored: false }),
}

type Rec =
  | { kind: 'frame'; raw: string; asBytes: boolean; value: unknown }
  | { kind: 'marker'; marker: PlaybackMarker }

class MemoryCursor implements PlaybackCursor {
  constructor(
    private readonly _records: readonly Rec[],
    private _pos: number,
  ) {}

  read(visitor: RecordVisitor): Promise<boolean> {
    for (; this._pos < this._records.length; this._pos++) {
      const r = this._records[this._pos]!
      let ok: boolean
      if (r.kind === 'marker') ok = visitor.marker(r.marker)
      else if (r.asBytes) {
        const bytes = Buffer.from(`xx${r.raw}yy`)
        ok = visitor.frameBytes(bytes, 2, bytes.length - 2, this._pos, 'c')
      } else ok = visitor.frameText(r.raw, r.value, this._pos, 'c')
      if (!ok) return Promise.resolve(true)
    }
    return Promise.resolve(false)
  }

  position(): PlaybackPosition {
    return [this._pos]
  }

  takeWarnings(): readonly string[] {
    return []
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

/** Builds the index of `records` in memory: the source a session reads. */
function memorySource(
  records: readonly Rec[],
  options: { intervalMs: number; maxFrames: number },
): PlaybackSource & { loads: number; opens: number } {
  const checkpoints: Checkpoint[] = []
  let cursor: MemoryCursor | null = null
  const builder = new IndexBuilder(
    PARSER,
    () => cursor!.position(),
    (c) => checkpoints.push(c),
    options,
  )
  cursor = new MemoryCursor(records, 0)
  builder.begin()
  void cursor.read(builder)
  const strings = builder.strings.strings
  const source = {
    loads: 0,
    opens: 0,
    checkpointClocks: Float64Array.from(checkpoints.map((c) => c.clock)),
    strings,
    trades: TradeLog.fromPacked(builder.trades.finish(), strings),
    loadCheckpoint(i: number): Promise<Checkpoint> {
      source.loads++
      return Promise.resolve(checkpoints[i]!)
    },
    openCursor(position: PlaybackPosition): Promise<PlaybackCursor> {
      source.opens++
      return Promise.resolve(new MemoryCursor(records, position[0]!))
    },
  }
  return source
}

const ASSETS = ['1', '2'] as TokenId[]
const MARKET = '0xm' as MarketId

function observe(market: PlaybackMarket): unknown {
  return {
    books: [...market.books.values()].map((b) => ({
      id: b.assetId,
      tick: b.tickSize,
      epoch: b.epoch,
      synced: b.synced,
      stale: b.staleReason,
      ts: b.lastUpdateTs,
      bids: b.levels('bid'),
      asks: b.levels('ask'),
    })),
    tops: ASSETS.map((id) => market.venueTop(id) ?? null),
    trades: ASSETS.map((id) => market.tradeStats(id) ?? null),
    counters: { ...market.counters },
  }
}

/** The replay's state after every frame with clock at most `t`, computed the plain way. */
function reference(records: readonly Rec[], t: number): MarketData {
  const market = new MarketData(PARSER)
  let clock = Number.NEGATIVE_INFINITY
  for (const r of records) {
    if (r.kind !== 'frame') continue
    let latest = clock
    for (const e of parse(r.raw).events) latest = Math.max(latest, e.tsVenue)
    if (latest > t) break
    clock = latest
    if (r.value !== undefined) market.onFrameValue(r.value, r.raw, { tLocal: 0, conn: 'c' })
    else market.onFrameText(r.raw, { tLocal: 0, conn: 'c' })
  }
  return market
}

const ts = fc.integer({ min: 0, max: 400 })
const price = fc.integer({ min: 1, max: 99 }).map((p) => (p * 100) as PriceTicks)
const size = fc.integer({ min: 0, max: 5 }).map((s) => (s * 1_000_000) as ShareMicros)
const assetId = fc.constantFrom(...ASSETS)
const event: fc.Arbitrary<MarketEvent> = fc.oneof(
  fc.record({
    type: fc.constant('book' as const),
    market: fc.constant(MARKET),
    assetId,
    tsVenue: ts.map((t) => t as EpochMs),
    hash: fc.constant(''),
    bids: fc.array(fc.record({ price, size }), { maxLength: 3 }),
    asks: fc.array(fc.record({ price, size }), { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('price_change' as const),
    market: fc.constant(MARKET),
    tsVenue: ts.map((t) => t as EpochMs),
    shape: fc.constant('batched' as const),
    changes: fc.array(
      fc.record({
        assetId,
        side: fc.constantFrom('bid' as const, 'ask' as const),
        price,
        size,
        bestBid: fc.option(price, { nil: undefined }),
        bestAsk: fc.constant(undefined),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
  fc.record({
    type: fc.constant('last_trade_price' as const),
    market: fc.constant(MARKET),
    assetId,
    tsVenue: ts.map((t) => t as EpochMs),
    price,
    size,
    side: fc.constantFrom('buy' as const, 'sell' as const),
    feeRateBps: fc.constant(null),
    transactionHash: fc.constant(null),
  }),
)
const record: fc.Arbitrary<Rec> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.array(event, { maxLength: 2 }), fc.nat(2)).map(([events, how]) => {
      const raw = JSON.stringify(events)
      return {
        kind: 'frame' as const,
        raw,
        asBytes: how === 1,
        value: how === 2 ? events : undefined,
      }
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('PONG', '[{"broken"')
      .map((raw) => ({ kind: 'frame' as const, raw, asBytes: false, value: undefined })),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Rec>({
      kind: 'marker',
      marker: { marker: 'note', tLocal: 0, conn: 'c', detail: {} },
    }),
  },
)
const op = fc.oneof(
  fc.record({ kind: fc.constant('seek' as const), t: fc.integer({ min: -20, max: 420 }) }),
  fc.record({ kind: fc.constant('advance' as const), t: fc.integer({ min: 0, max: 120 }) }),
)

describe('playback session', () => {
  test('every seek and advance gives the replay state at that time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 80 }),
        fc.array(op, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 8 }),
        async (records, ops, intervalMs, maxFrames) => {
          const source = memorySource(records, { intervalMs, maxFrames })
          let heard = 0
          const session = await PlaybackSession.open(source, PARSER, {
            listener: { onEvent: () => heard++ },
          })
          for (const o of ops) {
            const before = session.time
            const eventsBefore = session.market.counters.events
            if (o.kind === 'seek') {
              const view = await session.seek(o.t)
              expect(view.tVenueMs).toBe(o.t)
              expect(observe(view.market)).toEqual(observe(reference(records, o.t)))
            } else {
              const to = Math.max(before, 0) + o.t
              heard = 0
              await session.advance(to)
              expect(heard).toBe(session.market.counters.events - eventsBefore)
              expect(observe(session.market)).toEqual(observe(reference(records, to)))
            }
          }
          await session.close()
        },
      ),
      { seed: 424242, numRuns: 200 },
    )
  })

  function frame(events: MarketEvent[]): Rec {
    return { kind: 'frame', raw: JSON.stringify(events), asBytes: false, value: undefined }
  }
  function trade(t: number, assetId = ASSETS[0]!): MarketEvent {
    return {
      type: 'last_trade_price',
      market: MARKET,
      assetId,
      tsVenue: t as EpochMs,
      price: 5000 as PriceTicks,
      size: 1 as ShareMicros,
      side: 'buy',
      feeRateBps: null,
      transactionHash: null,
    }
  }
  const marker: Rec = {
    kind: 'marker',
    marker: { marker: 'connect', tLocal: 0, conn: 'c', detail: {} },
  }
  const records: Rec[] = [10, 20, 30, 40, 50, 60].flatMap((t) => [frame([trade(t)]), marker])

  test('returns the trades up to the time and marks the end', async () => {
    const session = await PlaybackSession.open(
      memorySource(records, { intervalMs: 20, maxFrames: 100 }),
      PARSER,
      {
        tradesLimit: 2,
      },
    )
    const view = await session.seek(35)
    expect(view.clock).toBe(30)
    expect(view.trades.map((t) => t.tsVenue)).toEqual([20, 30])
    expect(session.trades(10, ASSETS[1])).toEqual([])
    expect(view.atEnd).toBe(false)
    expect((await session.advance(1000)).atEnd).toBe(true)
    expect(session.atEnd).toBe(true)
    expect((await session.seek(5)).clock).toBeNull()
    await session.close()
  })

  test('a short forward seek carries on without restoring a checkpoint', async () => {
    const source = memorySource(records, { intervalMs: 1000, maxFrames: 100 })
    const session = await PlaybackSession.open(source, PARSER)
    await session.seek(20)
    const loads = source.loads
    await session.seek(45)
    expect(source.loads).toBe(loads)
    await session.seek(15)
    expect(source.loads).toBe(loads + 1)
    await session.close()
  })

  test('markers reach the hook during advance only; the listener stays quiet on seek', async () => {
    const markers: number[] = []
    let events = 0
    const session = await PlaybackSession.open(
      memorySource(records, { intervalMs: 20, maxFrames: 100 }),
      PARSER,
      {
        onMarker: (_m, clock) => markers.push(clock),
        listener: { onEvent: () => events++ },
      },
    )
    await session.seek(30)
    expect(markers).toEqual([])
    expect(events).toBe(0)
    const result = await session.advance(50)
    expect(result).toEqual({ tVenueMs: 50, frames: 2, markers: 2, atEnd: false })
    expect(markers).toEqual([40, 50])
    expect(events).toBe(2)
    await session.close()
  })

  test('parse errors reach the listener during advance', async () => {
    const errors: string[] = []
    const bad: Rec = { kind: 'frame', raw: '{oops', asBytes: false, value: undefined }
    const session = await PlaybackSession.open(
      memorySource([bad, ...records], { intervalMs: 20, maxFrames: 100 }),
      PARSER,
      {
        listener: { onParseError: (e) => errors.push(e.message) },
      },
    )
    expect(errors).toEqual([])
    expect(session.market.counters.parseErrors).toBe(1)
    await session.seek(-1)
    expect(errors).toEqual([])
    await session.close()
  })

  test('timeline merges every source in time order', async () => {
    const session = await PlaybackSession.open(
      memorySource(records, { intervalMs: 20, maxFrames: 100 }),
      PARSER,
      {
        timeline: [{ between: () => [{ tVenueMs: 30, kind: 'signal', label: 'PANIC_SELL' }] }],
      },
    )
    session.addTimelineSource({
      between: (from, to) =>
        Promise.resolve([{ tVenueMs: 10, kind: 'game_event', label: `goal ${from}-${to}` }]),
    })
    expect((await session.timeline(0, 60)).map((i) => i.label)).toEqual(['goal 0-60', 'PANIC_SELL'])
    await session.close()
  })

  test('refuses bad times, going back with advance, and use after close', async () => {
    const session = await PlaybackSession.open(
      memorySource(records, { intervalMs: 20, maxFrames: 100 }),
      PARSER,
    )
    expect(() => session.seek(Number.NaN)).toThrow(RangeError)
    expect(() => session.advance(Number.NaN)).toThrow(RangeError)
    await session.seek(40)
    await expect(session.advance(30)).rejects.toThrow(/forward only/)
    await session.close()
    await expect(session.seek(10)).rejects.toThrow(/closed/)
  })

  test('refuses a source without checkpoints', async () => {
    const source: PlaybackSource = {
      checkpointClocks: new Float64Array(0),
      strings: [],
      trades: TradeLog.empty(),
      loadCheckpoint: () => Promise.reject(new Error('none')),
      openCursor: () => Promise.reject(new Error('none')),
    }
    await expect(PlaybackSession.open(source, PARSER)).rejects.toThrow(/no checkpoints/)
  })

  test('a failed restore leaves the session where it was', async () => {
    const source = memorySource(records, { intervalMs: 20, maxFrames: 100 })
    const session = await PlaybackSession.open(source, PARSER)
    await session.seek(45)
    const good = observe(session.market)
    const broken = {
      ...source,
      loadCheckpoint: () =>
        Promise.resolve({ clock: 0, state: new Float64Array([9]), position: [0] }),
    }
    const other = await PlaybackSession.open(source, PARSER)
    await other.seek(45)
    Object.assign(source, { loadCheckpoint: broken.loadCheckpoint })
    await expect(other.seek(15)).rejects.toThrow(/layout/)
    expect(observe(other.market)).toEqual(good)
    await session.close()
    await other.close()
  })
})
