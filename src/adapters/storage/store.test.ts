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
import type {
  BookSnapshotRecord,
  GameEventRecord,
  MarketRecord,
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

function gameEvent(tsLocal: number, over: Partial<GameEventRecord> = {}): GameEventRecord {
  return {
    conditionId: MARKET,
    type: 'round_win',
    team: 'NAVI',
    player: null,
    score: '7-5',
    mapNumber: 1,
    note: null,
    tsLocal: ms(tsLocal),
    tsVideo: null,
    source: 'hotkey',
    ...over,
  }
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

  test('signals get increasing ids and keep their inputs', async () => {
    await open()
    const signal = {
      type: 'PANIC_SELL',
      tokenId: YES,
      ts: ms(1_795_000_000_000),
      score: 0.8,
      inputs: { volumeRatio: 4, spreadRatio: 2.5 },
      reversionMs: null,
      reversionPrice: null,
    }
    const a = await store.insertSignal(signal)
    const b = await store.insertSignal({
      ...signal,
      reversionMs: ms(1),
      reversionPrice: 5_000 as PriceTicks,
    })
    const rows = await store.kysely.selectFrom('signals').selectAll().orderBy('id').execute()
    expect(b).toBeGreaterThan(a)
    expect(JSON.parse(rows[0]!.inputs_json)).toEqual(signal.inputs)
    expect([rows[1]!.reversion_ms, rows[1]!.reversion_price]).toEqual([1, 5_000])
  })

  test('game events are listed by market in [from, to), oldest first', async () => {
    await open()
    await store.insertGameEvents([
      gameEvent(3_000, { type: 'map_win', tsVideo: 90_000 }),
      gameEvent(1_000),
      gameEvent(2_000, { conditionId: '0xother' as MarketId }),
      gameEvent(5_000),
    ])
    const listed = await store.listGameEvents(MARKET, ms(1_000), ms(5_000))
    expect(listed.map((e) => [e.tsLocal, e.type, e.tsVideo])).toEqual([
      [1_000, 'round_win', null],
      [3_000, 'map_win', 90_000],
    ])
    expect(listed[0]).toMatchObject(gameEvent(1_000))
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
    const badSignal = {
      type: 'FOMO_BUY',
      tokenId: YES,
      ts: ms(1),
      score: Number.NaN,
      inputs: {},
      reversionMs: null,
      reversionPrice: null,
    }
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
      name: '0002-broken',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('x', 'integer').execute()
        await sql`select * from no_such_table`.execute(db)
      },
    }
    const e = await rejection(target.open([...MIGRATIONS, broken]))
    expect(e.code).toBe('STORE_MIGRATION_FAILED')
    expect(e.message).toContain('migration 0002-broken failed on ')
    if (!target.persistent) return
    store = await target.open()
    expect(e.message).toContain(store.location)
    const tables = await store.kysely.introspection.getTables()
    expect(tables.map((t) => t.name)).not.toContain('half_done')
    const names = await store.kysely.selectFrom('tiltmeter_migrations').select('name').execute()
    expect(names.map((r) => r.name)).toEqual(['0001-initial'])
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
