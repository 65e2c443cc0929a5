import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { PgCluster } from '../../../test/support/pg-cluster.js'
import { PG_SKIPPED, startPgCluster } from '../../../test/support/pg-cluster.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import { createMatchSettingsRepo } from './match-settings-repo.js'
import { openStore, type Store } from './store.js'

const MARKET = `0x${'ab'.repeat(32)}`
const T0 = 1_800_000_000_000

function contract(open: () => Promise<Store>) {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  test('an offset is absent, stored, replaced, and read back with its bigints whole', async () => {
    store = await open()
    const repo = createMatchSettingsRepo(store)
    expect(await repo.getOffset(MARKET)).toBeNull()
    const first = {
      market: MARKET,
      offsetMs: 1_799_999_000_123,
      calibratedMs: T0,
      videoUrl: 'https://youtu.be/x',
      updatedMs: T0 + 1,
    }
    await repo.putOffset(first)
    expect(await repo.getOffset(MARKET)).toEqual(first)
    const second = { ...first, offsetMs: -25_000, videoUrl: null, updatedMs: T0 + 2 }
    await repo.putOffset(second)
    expect(await repo.getOffset(MARKET)).toEqual(second)
    expect(await repo.getOffset(`0x${'cd'.repeat(32)}`)).toBeNull()
  })

  test('tokens known to the database come with their market, outcome and question', async () => {
    store = await open()
    await store.upsertMarket(
      {
        conditionId: MARKET as MarketId,
        slug: 'val-a-b',
        question: 'A vs B',
        sport: 'valorant',
        marketType: 'match',
        tickSize: null,
        minOrderSize: null,
        negRisk: false,
        gameStartTime: null,
        secondsDelay: null,
        raw: {},
      },
      [
        { tokenId: '11' as TokenId, outcome: 'A', outcomeIndex: 0 },
        { tokenId: '22' as TokenId, outcome: 'B', outcomeIndex: 1 },
      ],
    )
    const repo = createMatchSettingsRepo(store)
    const known = await repo.describeTokens(['22', '33', '11'])
    expect(known.sort((a, b) => a.outcomeIndex - b.outcomeIndex)).toEqual([
      {
        tokenId: '11',
        market: MARKET,
        outcome: 'A',
        outcomeIndex: 0,
        question: 'A vs B',
        slug: 'val-a-b',
      },
      {
        tokenId: '22',
        market: MARKET,
        outcome: 'B',
        outcomeIndex: 1,
        question: 'A vs B',
        slug: 'val-a-b',
      },
    ])
    expect(await repo.describeTokens([])).toEqual([])
  })
}

describe('match settings on SQLite', () => {
  contract(() => openStore({ databaseUrl: ':memory:' }))

  // SQLite stores any value in any column; PostgreSQL would refuse it on write.
  test('a damaged row fails loudly', async () => {
    const store = await openStore({ databaseUrl: ':memory:' })
    try {
      const repo = createMatchSettingsRepo(store)
      await sql`insert into match_settings (condition_id, offset_ms, calibrated_ms, video_url, updated_ms)
        values (${MARKET}, 'soon', 2, null, 3)`.execute(store.kysely)
      const failure = repo.getOffset(MARKET)
      await expect(failure).rejects.toMatchObject({ code: 'STORE_BAD_ROW' })
      await expect(failure).rejects.toThrow(/offset_ms "soon" is not a whole number of ms/)
    } finally {
      await store.close()
    }
  })
})

describe.skipIf(PG_SKIPPED)('match settings on PostgreSQL', () => {
  let cluster: PgCluster | undefined
  let next = 0
  beforeAll(async () => {
    cluster = await startPgCluster()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })
  contract(async () => {
    if (cluster === undefined) throw new Error('the test PostgreSQL server did not start')
    return openStore({ databaseUrl: await cluster.createDatabase(`match_settings_${next++}`) })
  })
})
