/**
 * One contract, three databases: SQLite in memory, SQLite in a temp file, and a real
 * PostgreSQL 15 server started for this file (see test/support/pg-cluster.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'
import { PG_SKIPPED, startPgCluster } from '../../../test/support/pg-cluster.js'
import type { PgCluster } from '../../../test/support/pg-cluster.js'
import { StoreError } from './errors.js'
import { MIGRATIONS } from './migrations/index.js'
import type { Migration } from './migrations/migration.js'
import { initial } from './migrations/0001-initial.js'
import type {
  BookSnapshotRecord,
  GameEventRecord,
  MarketRecord,
  SignalRecord,
  SignalReversionRecord,
  TokenRecord,
  TradeRecord,
} from './records.js'
import { openStore } from './store.js'
import type { Store } from './store.js'

type Target = {
  /** Opens the same database each time (a fresh one per target). */
  open(migrations?: readonly Migration[]): Promise<Store>
  /** False for `:memory:`, where every open is a new database. */
  persistent: boolean
}

const MARKET = '0xabc' as MarketId
const YES = '111' as TokenId
const NO = '222' as TokenId
const ms = (n: number): EpochMs => n as EpochMs

const market: MarketRecord = {
  conditionId: MARKET,
  slug: 'cs2-navi-faze-2026-11-24',
  question: 'Counter-Strike: NAVI vs FaZe (BO3)',
  sport: 'cs2',
  marketType: 'match',
  tickSize: 100 as PriceTicks,
  minOrderSize: 5_000_000 as ShareMicros,
  negRisk: false,
  gameStartTime: ms(1_795_000_000_000),
  secondsDelay: 3,
  raw: { id: '12345', outcomes: ['NAVI', 'FaZe'] },
}
const tokens: TokenRecord[] = [
  { tokenId: NO, outcome: 'FaZe', outcomeIndex: 1 },
  { tokenId: YES, outcome: 'NAVI', outcomeIndex: 0 },
]

function snapshot(i: number): BookSnapshotRecord {
  return {
    tokenId: YES,
    tsVenue: i % 2 === 0 ? null : ms(1_795_000_000_000 + i * 500),
    tsLocal: ms(1_795_000_000_000 + i * 500),
    bestBid: 5_300 as PriceTicks,
    bestAsk: 5_310 as PriceTicks,
    mid: 5_305,
    spread: 10 as PriceTicks,
    depth5BidShares: 12_345_000_000 as ShareMicros,
    depth5AskShares: 9_000_000 as ShareMicros,
    depth5BidUsdc: 6_543_000_000_000 as UsdcMicros,
    depth5AskUsdc: 4_779_000 as UsdcMicros,
    imbalance: 0.25,
    stale: i === 3,
    bids: [[5_300 as PriceTicks, 1_000_000 as ShareMicros]],
    asks: [],
  }
}

function trade(key: string, ts = 1_795_000_000_000): TradeRecord {
  return {
    tokenId: YES,
    ts: ms(ts),
    price: 5_305 as PriceTicks,
    size: 2_500_000 as ShareMicros,
    takerSide: 'buy',
    feeBps: null,
    dedupeKey: key,
  }
}

function gameEvent(ts: number, over: Partial<GameEventRecord> = {}): GameEventRecord {
  return {
    market: MARKET,
    assetId: null,
    type: 'round_win',
    team: 'NAVI',
    player: null,
    score: '7-5',
    mapNumber: 1,
    note: null,
    ts: ms(ts),
    tsVideo: null,
    source: 'hotkey',
    ...over,
  }
}

function signal(ts: number, over: Partial<SignalRecord> = {}): SignalRecord {
  return {
    type: 'PANIC_SELL',
    tokenId: YES,
    market: MARKET,
    ts: ms(ts),
    score: 0.8,
    volumeRatio: 4,
    spreadRatio: 2.5,
    depthRatio: null,
    priceChange: -0.07,
    refPrice: 0.43,
    mirrorOf: null,
    inputs: { baselineVolume: 120.5, stale: false },
    ...over,
  }
}

const reversion: SignalReversionRecord = {
  reverted: true,
  reversionMs: 42_000,
  retrace: 0.62,
  mfe: 0.05,
  mae: 0.01,
  resolvedTs: ms(1_795_000_180_000),
}

async function count(store: Store, table: 'book_snapshots' | 'trades' | 'game_events') {
  const row = await store.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const e: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(e).toBeInstanceOf(StoreError)
  return e as StoreError
}

function storeContract(newTarget: () => Promise<Target>): void {
  let target: Target
  let store: Store
  afterEach(async () => {
    await store?.close()
  })
  const open = async (): Promise<Store> => {
    target = await newTarget()
    store = await target.open()
    return store
  }

  test('applies the migrations on open, once', async () => {
    await open()
    const names = await store.kysely.selectFrom('tiltmeter_migrations').select('name').execute()
    expect(names.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name))
    if (target.persistent) {
      await store.close()
      store = await target.open()
      const again = await store.kysely.selectFrom('tiltmeter_migrations').selectAll().execute()
      expect(again).toHaveLength(MIGRATIONS.length)
    }
  })

  test('upserts a market with its tokens and reads it by id or slug', async () => {
    await open()
    await store.upsertMarket(market, tokens)
    const byId = await store.getMarket(MARKET)
    const bySlug = await store.getMarket(market.slug)
    expect(byId).toEqual({
      ...market,
      tokens: [
        { tokenId: YES, outcome: 'NAVI', outcomeIndex: 0 },
        { tokenId: NO, outcome: 'FaZe', outcomeIndex: 1 },
      ],
    })
    expect(bySlug).toEqual(byId)
    expect(typeof byId?.gameStartTime).toBe('number')
  })

  test('a second upsert replaces the market fields', async () => {
    await open()
    await store.upsertMarket(market, tokens)
    await store.upsertMarket({ ...market, question: 'renamed', negRisk: true, tickSize: null }, [])
    const found = await store.getMarket(MARKET)
    expect([found?.question, found?.negRisk, found?.tickSize, found?.tokens.length]).toEqual([
      'renamed',
      true,
      null,
      2,
    ])
  })

  test('an unknown market is null', async () => {
    await open()
    expect(await store.getMarket('nope')).toBeNull()
  })

  test('writes book snapshots in batches, keeping 64-bit values exact', async () => {
    await open()
    const rows = Array.from({ length: 450 }, (_, i) => snapshot(i))
    await store.insertBookSnapshots(rows)
    const stored = await store.kysely
      .selectFrom('book_snapshots')
      .selectAll()
      .orderBy('ts_local')
      .execute()
    expect(stored).toHaveLength(450)
    const fourth = stored[3]!
    expect([
      fourth.ts_venue,
      fourth.depth5_bid_usdc,
      fourth.depth5_bid_shares,
      fourth.stale,
      fourth.mid,
      fourth.imbalance,
    ]).toEqual([1_795_000_001_500, 6_543_000_000_000, 12_345_000_000, 1, 5_305, 0.25])
    expect(JSON.parse(fourth.levels_json)).toEqual({ bids: [[5_300, 1_000_000]], asks: [] })
  })

  test('trades are idempotent on their dedupe key', async () => {
    await open()
    const first = await store.insertTrades([trade('a'), trade('b'), trade('c')])
    const second = await store.insertTrades([trade('b'), trade('d'), trade('a')])
    expect([first, second, await count(store, 'trades')]).toEqual([3, 1, 4])
  })

  test('a repeated dedupe key inside one call is stored once', async () => {
    await open()
    expect(await store.insertTrades([trade('x'), trade('x')])).toBe(1)
  })

  test('signals get increasing ids and read back whole, open until their reversion is stored', async () => {
    await open()
    const a = await store.insertSignal(signal(1_795_000_000_000))
    const b = await store.insertSignal(
      signal(1_795_000_000_500, { tokenId: NO, mirrorOf: a, priceChange: 0.07, refPrice: 0.57 }),
    )
    expect(b).toBeGreaterThan(a)
    const [first, second] = await store.listSignals()
    expect(first).toEqual({ ...signal(1_795_000_000_000), id: a, reversion: null })
    expect(second).toMatchObject({ id: b, tokenId: NO, mirrorOf: a, reversion: null })

    await store.updateSignalReversion(a, reversion)
    const notReverted = { ...reversion, reverted: false, reversionMs: null, retrace: 0.1 }
    await store.updateSignalReversion(b, notReverted)
    const settled = await store.listSignals()
    expect(settled.map((s) => s.reversion)).toEqual([reversion, notReverted])
  })

  test('a signal can be stored with its outcome already known', async () => {
    await open()
    const id = await store.insertSignal(signal(5, { reversion }))
    expect((await store.listSignals())[0]).toEqual({ ...signal(5), id, reversion })
  })

  test('signals are listed by token in [from, to), in either order, up to a limit', async () => {
    await open()
    for (const ts of [4_000, 1_000, 3_000, 2_000]) await store.insertSignal(signal(ts))
    await store.insertSignal(signal(2_500, { tokenId: NO }))
    const tsOf = (list: { ts: number }[]) => list.map((s) => s.ts)
    expect(tsOf(await store.listSignals({ tokenId: YES }))).toEqual([1_000, 2_000, 3_000, 4_000])
    expect(tsOf(await store.listSignals({ from: ms(2_000), to: ms(4_000) }))).toEqual([
      2_000, 2_500, 3_000,
    ])
    expect(tsOf(await store.listSignals({ tokenId: YES, order: 'desc', limit: 2 }))).toEqual([
      4_000, 3_000,
    ])
    expect(await store.listSignals({ tokenId: 'nope' })).toEqual([])
    expect(await store.listSignals({ limit: 0 })).toEqual([])
    const badLimit = await rejection(store.listSignals({ limit: 1.5 }))
    expect(badLimit.message).toBe('listSignals limit must be a whole number >= 0; got 1.5')
  })

  test('a reversion for an unknown signal, or out of range, is refused', async () => {
    await open()
    const missing = await rejection(store.updateSignalReversion(999, reversion))
    expect([missing.code, missing.message]).toEqual([
      'STORE_NOT_FOUND',
      'signal 999 does not exist; nothing was updated',
    ])
    const id = await store.insertSignal(signal(1))
    const bad = await rejection(store.updateSignalReversion(id, { ...reversion, mae: -1 }))
    expect([bad.code, bad.message]).toEqual([
      'STORE_BAD_RECORD',
      expect.stringMatching(/reversion of signal \d+ rejected.*mae/) as unknown,
    ])
    expect((await store.listSignals())[0]?.reversion).toBeNull()
  })

  test('signal inputs that are not a JSON object are reported on read', async () => {
    await open()
    await store.insertSignal(signal(1))
    await store.kysely.updateTable('signals').set({ inputs_json: '[1]' }).execute()
    const e = await rejection(store.listSignals())
    expect([e.code, e.message]).toEqual([
      'STORE_BAD_ROW',
      expect.stringMatching(/signal \d+ has inputs that are not a JSON object/) as unknown,
    ])
  })

  test('game events are listed by market in [from, to), oldest first', async () => {
    await open()
    const ids = await store.insertGameEvents([
      gameEvent(3_000, { type: 'map_win', tsVideo: 90_000 }),
      gameEvent(1_000),
      gameEvent(2_000, { market: '0xother' as MarketId }),
      gameEvent(5_000),
    ])
    expect(ids).toHaveLength(4)
    expect([...ids].sort((x, y) => x - y)).toEqual(ids)
    const listed = await store.listGameEvents({ market: MARKET, from: ms(1_000), to: ms(5_000) })
    expect(listed.map((e) => [e.id, e.ts, e.type, e.tsVideo])).toEqual([
      [ids[1], 1_000, 'round_win', null],
      [ids[0], 3_000, 'map_win', 90_000],
    ])
    expect(listed[0]).toEqual({ ...gameEvent(1_000), id: ids[1] })
    expect(await store.listGameEvents()).toHaveLength(4)
    expect(await store.insertGameEvents([])).toEqual([])
  })

  test('game events match an asset directly or through its market, and a market through its tokens', async () => {
    await open()
    await store.upsertMarket(market, tokens)
    const [byMarket, byYes, byNo, byStranger] = await store.insertGameEvents([
      gameEvent(1_000),
      gameEvent(2_000, { market: null, assetId: YES, type: 'goal' }),
      gameEvent(3_000, { market: null, assetId: NO }),
      gameEvent(4_000, { market: null, assetId: '999' as TokenId }),
    ])
    const idsOf = (list: { id: number }[]) => list.map((e) => e.id)
    expect(idsOf(await store.listGameEvents({ assetId: YES }))).toEqual([byMarket, byYes])
    expect(idsOf(await store.listGameEvents({ market: MARKET }))).toEqual([byMarket, byYes, byNo])
    expect(idsOf(await store.listGameEvents({ assetId: '999' }))).toEqual([byStranger])
    expect(idsOf(await store.listGameEvents({ market: MARKET, assetId: NO }))).toEqual([
      byMarket,
      byNo,
    ])
    const yesEvent = (await store.listGameEvents({ assetId: YES }))[1]
    expect(yesEvent).toMatchObject({ market: null, assetId: YES, type: 'goal' })
  })

  test('a game event can be deleted by id, once', async () => {
    await open()
    const [keep, drop] = await store.insertGameEvents([gameEvent(1), gameEvent(2)])
    expect(await store.deleteGameEvent(drop!)).toBe(true)
    expect(await store.deleteGameEvent(drop!)).toBe(false)
    expect((await store.listGameEvents()).map((e) => e.id)).toEqual([keep])
  })

  test('a game event without market and asset is refused, by the store and by the database', async () => {
    await open()
    const e = await rejection(store.insertGameEvents([gameEvent(1, { market: null })]))
    expect(e.message).toMatch(/game event 0 rejected.*market or assetId must be set/)
    await expect(
      store.kysely
        .insertInto('game_events')
        .values({ type: 'goal', ts: 1, source: 'test', condition_id: null, asset_id: null })
        .execute(),
    ).rejects.toThrow(/game_events_market_or_asset|CHECK constraint/i)
    expect(await count(store, 'game_events')).toBe(0)
  })

  test('migration 0002 keeps events and signals written under 0001', async () => {
    target = await newTarget()
    if (!target.persistent) return
    store = await target.open([initial])
    await sql`insert into game_events
        (condition_id, type, team, player, score, map_number, note, ts_local, ts_video, source)
      values ('0xabc', 'round_win', 'NAVI', null, '7-5', 1, 'old', 1795000000000, null, 'hotkey')`.execute(
      store.kysely,
    )
    await sql`insert into signals (type, token_id, ts, score, inputs_json, reversion_ms, reversion_price)
      values ('FOMO_BUY', '111', 1795000000000, 0.5, '{"a":1}', null, null)`.execute(store.kysely)
    await store.close()
    store = await target.open()
    expect(await store.listGameEvents({ market: MARKET })).toEqual([
      {
        ...gameEvent(1_795_000_000_000, { note: 'old' }),
        id: expect.any(Number) as unknown,
      },
    ])
    expect(await store.listSignals()).toEqual([
      {
        id: expect.any(Number) as unknown,
        type: 'FOMO_BUY',
        tokenId: YES,
        market: null,
        ts: 1_795_000_000_000,
        score: 0.5,
        volumeRatio: null,
        spreadRatio: null,
        depthRatio: null,
        priceChange: null,
        refPrice: null,
        mirrorOf: null,
        inputs: { a: 1 },
        reversion: null,
      },
    ])
    const before = (await store.listGameEvents())[0]!.id
    const [added] = await store.insertGameEvents([gameEvent(7)])
    expect(added).toBeGreaterThan(before)
  })

  test('game events are all or nothing when the database refuses one', async () => {
    await open()
    // A unique index makes the last of 250 events (the second batch) fail inside the database.
    await store.kysely.schema
      .createIndex('test_unique_note')
      .on('game_events')
      .column('note')
      .unique()
      .execute()
    const events = Array.from({ length: 250 }, (_, i) => gameEvent(i, { note: `n${i}` }))
    events.push(gameEvent(999, { note: 'n0' }))
    await expect(store.insertGameEvents(events)).rejects.toThrow()
    expect(await count(store, 'game_events')).toBe(0)
  })

  test('bad records are refused whole, naming the field', async () => {
    await open()
    const badTrade = await rejection(
      store.insertTrades([trade('ok'), { ...trade('bad'), price: 10_001 as PriceTicks }]),
    )
    expect([badTrade.code, badTrade.message]).toEqual([
      'STORE_BAD_RECORD',
      expect.stringMatching(/trade 1 rejected.*price/) as unknown,
    ])
    const badSize = await rejection(
      store.insertTrades([{ ...trade('s'), size: 1.5 as ShareMicros }]),
    )
    expect(badSize.message).toMatch(/size/)
    const tooDeep = { ...snapshot(0), bids: Array.from({ length: 11 }, () => snapshot(0).bids[0]!) }
    expect((await rejection(store.insertBookSnapshots([tooDeep]))).message).toMatch(/bids/)
    const badEvent = await rejection(store.insertGameEvents([gameEvent(1, { type: 'Round Win' })]))
    expect(badEvent.message).toMatch(/game event 0 rejected.*type/)
    const badSignal = signal(1, { score: Number.NaN })
    expect((await rejection(store.insertSignal(badSignal))).message).toMatch(/score/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect((await rejection(store.upsertMarket({ ...market, raw: cyclic }, []))).message).toMatch(
      /raw metadata.*JSON/,
    )
    const badMarket = await rejection(
      store.upsertMarket({ ...market, tickSize: 0 as PriceTicks }, []),
    )
    expect(badMarket.message).toMatch(/tickSize/)
    expect([await count(store, 'trades'), await count(store, 'book_snapshots')]).toEqual([0, 0])
    expect(await store.getMarket(MARKET)).toBeNull()
  })

  test('a malformed row read back is reported, not passed on', async () => {
    await open()
    await store.upsertMarket(market, tokens)
    await store.kysely
      .updateTable('markets')
      .set({ neg_risk: 7 as 0 })
      .where('condition_id', '=', MARKET)
      .execute()
    const e = await rejection(store.getMarket(MARKET))
    expect([e.code, e.message]).toEqual([
      'STORE_BAD_ROW',
      expect.stringMatching(/market 0xabc.*neg_risk/) as unknown,
    ])
  })

  test('a failing migration stops with its name and the database, rolled back', async () => {
    target = await newTarget()
    const broken: Migration = {
      name: '0099-broken',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('x', 'integer').execute()
        await sql`select * from no_such_table`.execute(db)
      },
    }
    const e = await rejection(target.open([...MIGRATIONS, broken]))
    expect(e.code).toBe('STORE_MIGRATION_FAILED')
    expect(e.message).toContain('migration 0099-broken failed on ')
    if (!target.persistent) return
    store = await target.open()
    expect(e.message).toContain(store.location)
    const tables = await store.kysely.introspection.getTables()
    expect(tables.map((t) => t.name)).not.toContain('half_done')
    const names = await store.kysely.selectFrom('tiltmeter_migrations').select('name').execute()
    expect(names.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name))
  })

  test('a database from a newer version is refused', async () => {
    target = await newTarget()
    if (!target.persistent) return
    const extra: Migration = { name: '0099-future', up: () => Promise.resolve() }
    store = await target.open([...MIGRATIONS, extra])
    await store.close()
    const e = await rejection(target.open())
    expect(e.message).toMatch(/0099-future.*newer tiltmeter/)
  })

  test('close twice is harmless', async () => {
    await open()
    await store.close()
    await store.close()
  })
}

describe('store on SQLite :memory:', () => {
  storeContract(() =>
    Promise.resolve({
      persistent: false,
      open: (migrations) =>
        openStore({ databaseUrl: ':memory:', ...(migrations ? { migrations } : {}) }),
    }),
  )
})

describe('store on a SQLite file', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
  storeContract(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-store-'))
    dirs.push(dir)
    return Promise.resolve({
      persistent: true,
      open: (migrations) =>
        openStore({ dataDir: join(dir, 'nested'), ...(migrations ? { migrations } : {}) }),
    })
  })

  test('creates <dataDir>/tiltmeter.sqlite in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-store-'))
    dirs.push(dir)
    const store = await openStore({ dataDir: dir })
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.kysely)
    await store.close()
    expect([store.location, mode.rows[0]?.journal_mode]).toEqual([
      join(dir, 'tiltmeter.sqlite'),
      'wal',
    ])
  })
})

describe.skipIf(PG_SKIPPED)('store on PostgreSQL 15', () => {
  let cluster: PgCluster | undefined
  let next = 0
  beforeAll(async () => {
    cluster = await startPgCluster()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })
  storeContract(async () => {
    if (cluster === undefined) throw new Error('the test PostgreSQL server did not start')
    const url = await cluster.createDatabase(`store_${next++}`)
    return {
      persistent: true,
      open: (migrations) => openStore({ databaseUrl: url, ...(migrations ? { migrations } : {}) }),
    }
  })
})
