import { afterEach, expect, test } from 'vitest'
import { onEveryBackend } from '../../../test/support/store-backends.js'
import type { ClosedTrade } from '../../domain/backtest/types.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../../domain/units.js'
import { getBacktestRun, listBacktestRuns, saveBacktestRun } from './backtest-runs.js'
import { StoreError } from './errors.js'
import { type Store } from './store.js'

function trade(id: number, profit: number, over: Partial<ClosedTrade> = {}): ClosedTrade {
  return {
    id,
    market: '0xm' as MarketId,
    tokenId: '123456789012345678901234567890' as TokenId,
    match: 'match-1',
    strategy: 'panic_fade',
    substrategy: id === 1 ? 'round_loss' : null,
    signalId: 10 + id,
    signalType: 'PANIC_SELL',
    score: 0.85,
    entryTs: (1_800_000_000_000 + id * 1000) as EpochMs,
    exitTs: (1_800_000_060_000 + id * 1000) as EpochMs,
    entryPrice: 4512.5,
    exitPrice: 4700,
    size: 10_000_000 as ShareMicros,
    fees: 1234 as UsdcMicros,
    profit: profit as UsdcMicros,
    exitReason: 'target',
    reversionS: id === 1 ? 42.5 : null,
    ...over,
  }
}

function contract(open: () => Promise<Store>) {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  test('saves a run with its trades and reads them back exactly', async () => {
    store = await open()
    const trades = [
      trade(1, 185_000),
      trade(2, -301_234, { exitReason: 'stop', strategy: 'panic_fade' }),
    ]
    const id = await saveBacktestRun(store, {
      name: 'panic_fade threshold=0.7',
      strategy: 'panic_fade',
      startedMs: 1_700_000_000_000,
      finishedMs: 1_700_000_001_000,
      configJson: '{"a":1}',
      reportJson: '{"b":2}',
      trades,
    })
    const run = await getBacktestRun(store, id)
    expect(run).toMatchObject({
      id,
      name: 'panic_fade threshold=0.7',
      strategy: 'panic_fade',
      trades: 2,
      totalProfit: 185_000 - 301_234,
      configJson: '{"a":1}',
      reportJson: '{"b":2}',
    })
    expect(run!.tradeList).toEqual(trades)
  })

  test('lists runs newest first with counts and profit; an unknown id is null', async () => {
    store = await open()
    const base = {
      strategy: 'vacuum',
      startedMs: 1,
      finishedMs: 2,
      configJson: '{}',
      reportJson: '{}',
    }
    const a = await saveBacktestRun(store, { ...base, name: 'a', trades: [trade(1, 5)] })
    const b = await saveBacktestRun(store, { ...base, name: 'b', trades: [] })
    expect(await listBacktestRuns(store)).toEqual([
      {
        id: b,
        name: 'b',
        strategy: 'vacuum',
        startedMs: 1,
        finishedMs: 2,
        trades: 0,
        totalProfit: 0,
      },
      {
        id: a,
        name: 'a',
        strategy: 'vacuum',
        startedMs: 1,
        finishedMs: 2,
        trades: 1,
        totalProfit: 5,
      },
    ])
    expect(await getBacktestRun(store, 999)).toBeNull()
  })

  test('a trade row without the round-trip columns is reported, not guessed', async () => {
    store = await open()
    const run = await store.kysely
      .insertInto('backtest_runs')
      .values({
        name: 'old',
        started_ms: 1,
        finished_ms: null,
        config_json: '{}',
        summary_json: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await store.kysely
      .insertInto('backtest_trades')
      .values({
        run_id: Number(run.id),
        token_id: 't',
        ts: 1,
        side: 'buy',
        price: 1,
        size: 1,
        fee_usdc: 0,
        pnl_usdc: null,
      })
      .execute()
    const error = await getBacktestRun(store, Number(run.id)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as Error).message).toMatch(/lacks the round-trip columns/)
  })
}

onEveryBackend('backtest runs', contract)
