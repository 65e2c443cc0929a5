/**
 * Stored backtest runs: one `backtest_runs` row per run (its configuration and report JSON) and
 * one `backtest_trades` row per closed trade (migration 0003 adds the round-trip columns). A
 * small repository over `Store.kysely`, so `tiltmeter backtest --list / --show` and any later
 * recomputation read the same rows on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely'
import type { ClosedTrade, ExitReason } from '../../domain/backtest/types.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, ShareMicros, UsdcMicros } from '../../domain/units.js'
import { StoreError } from './errors.js'
import type { Database } from './schema.js'
import type { Store } from './store.js'

export type NewBacktestRun = {
  /** Short label shown by `--list`, e.g. `panic_fade threshold=0.7`. */
  readonly name: string
  readonly strategy: string
  readonly startedMs: number
  readonly finishedMs: number
  /** Everything needed to repeat the run (inputs, flags, parameters, seed), as JSON text. */
  readonly configJson: string
  /** The report (`reportJson`), as JSON text. */
  readonly reportJson: string
  readonly trades: readonly ClosedTrade[]
}

export type StoredRunSummary = {
  readonly id: number
  readonly name: string
  readonly strategy: string | null
  readonly startedMs: number
  readonly finishedMs: number | null
  readonly trades: number
  /** Sum of the trades' profit, USDC micros. */
  readonly totalProfit: number
}

export type StoredRun = StoredRunSummary & {
  readonly configJson: string
  readonly reportJson: string | null
  readonly tradeList: ClosedTrade[]
}

const INSERT_CHUNK = 200

const db = (store: Store): Kysely<Database> => store.kysely

/** Stores a run and its trades in one transaction; returns the run id. */
export async function saveBacktestRun(store: Store, run: NewBacktestRun): Promise<number> {
  return db(store)
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .insertInto('backtest_runs')
        .values({
          name: run.name,
          strategy: run.strategy,
          started_ms: run.startedMs,
          finished_ms: run.finishedMs,
          config_json: run.configJson,
          summary_json: run.reportJson,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      const runId = Number(row.id)
      const rows = run.trades.map((t, i) => ({
        run_id: runId,
        trade_no: i + 1,
        token_id: t.tokenId,
        ts: t.entryTs,
        side: 'buy',
        price: Math.round(t.entryPrice),
        size: t.size,
        fee_usdc: t.fees,
        pnl_usdc: t.profit,
        market: t.market,
        match_key: t.match,
        exit_ts: t.exitTs,
        entry_price: t.entryPrice,
        exit_price: t.exitPrice,
        exit_reason: t.exitReason,
        signal_id: t.signalId,
        signal_type: t.signalType,
        score: t.score,
        substrategy: t.substrategy,
        reversion_s: t.reversionS,
      }))
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await tx
          .insertInto('backtest_trades')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute()
      }
      return runId
    })
}

/** Every stored run, newest first, with its trade count and total profit. */
export async function listBacktestRuns(store: Store): Promise<StoredRunSummary[]> {
  const rows = await db(store)
    .selectFrom('backtest_runs as r')
    .leftJoin('backtest_trades as t', 't.run_id', 'r.id')
    .select((eb) => [
      'r.id',
      'r.name',
      'r.strategy',
      'r.started_ms',
      'r.finished_ms',
      eb.fn.count<string | number>('t.id').as('trades'),
      eb.fn.sum<string | number | null>('t.pnl_usdc').as('profit'),
    ])
    .groupBy(['r.id', 'r.name', 'r.strategy', 'r.started_ms', 'r.finished_ms'])
    .orderBy('r.id', 'desc')
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    strategy: r.strategy,
    startedMs: Number(r.started_ms),
    finishedMs: r.finished_ms === null ? null : Number(r.finished_ms),
    trades: Number(r.trades),
    totalProfit: r.profit === null ? 0 : Number(r.profit),
  }))
}

/** One run with its trades in stored order; null when there is no such run. */
export async function getBacktestRun(store: Store, id: number): Promise<StoredRun | null> {
  const run = await db(store)
    .selectFrom('backtest_runs')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (run === undefined) return null
  const rows = await db(store)
    .selectFrom('backtest_trades')
    .selectAll()
    .where('run_id', '=', id)
    .orderBy('trade_no')
    .orderBy('id')
    .execute()
  const tradeList = rows.map((r, i): ClosedTrade => {
    if (r.exit_ts === null || r.market === null || r.exit_reason === null) {
      throw new StoreError(
        'STORE_BAD_ROW',
        `backtest_trades row ${r.id} of run ${id} lacks the round-trip columns; it was not written by a backtest run`,
      )
    }
    return {
      id: r.trade_no ?? i + 1,
      market: r.market as MarketId,
      tokenId: r.token_id as TokenId,
      match: r.match_key ?? r.market,
      strategy: run.strategy ?? '',
      substrategy: r.substrategy,
      signalId: Number(r.signal_id ?? 0),
      signalType: r.signal_type ?? '',
      score: Number(r.score ?? 0),
      entryTs: Number(r.ts) as EpochMs,
      exitTs: Number(r.exit_ts) as EpochMs,
      entryPrice: Number(r.entry_price ?? r.price),
      exitPrice: Number(r.exit_price ?? 0),
      size: Number(r.size) as ShareMicros,
      fees: Number(r.fee_usdc) as UsdcMicros,
      profit: Number(r.pnl_usdc ?? 0) as UsdcMicros,
      exitReason: r.exit_reason as ExitReason,
      reversionS: r.reversion_s === null ? null : Number(r.reversion_s),
    }
  })
  return {
    id: Number(run.id),
    name: run.name,
    strategy: run.strategy,
    startedMs: Number(run.started_ms),
    finishedMs: run.finished_ms === null ? null : Number(run.finished_ms),
    trades: tradeList.length,
    totalProfit: tradeList.reduce((sum, t) => sum + t.profit, 0),
    configJson: run.config_json,
    reportJson: run.summary_json,
    tradeList,
  }
}
