import { afterEach, expect, test } from 'vitest'
import { onEveryBackend } from '../../../test/support/store-backends.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import { createMatchSettingsRepo } from './match-settings-repo.js'
import { type Store } from './store.js'

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

onEveryBackend('match settings', contract)
