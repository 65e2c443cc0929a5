/**
 * A backtest trade is a round trip (entry fills to exit fills or settlement), not one fill:
 * `backtest_trades` gains the exit side and what the trade came from, so a stored run can be
 * listed, shown and every report figure recomputed from its rows. `ts`, `price`, `side`, `size`,
 * `fee_usdc` and `pnl_usdc` keep their meaning for the entry (`price` = entry price rounded to
 * a tick; the exact size-weighted prices are in `entry_price` / `exit_price`, ticks). Runs gain
 * their strategy name for listing. All columns nullable: earlier rows have no value for them.
 * Both dialects add columns in place.
 */
import type { Migration } from './migration.js'
import { BIG, INT, REAL, TEXT } from './migration.js'

type ColumnType = typeof TEXT | typeof BIG | typeof INT | typeof REAL

const TRADE_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['trade_no', INT],
  ['market', TEXT],
  ['match_key', TEXT],
  ['exit_ts', BIG],
  ['entry_price', REAL],
  ['exit_price', REAL],
  ['exit_reason', TEXT],
  ['signal_id', BIG],
  ['signal_type', TEXT],
  ['score', REAL],
  ['substrategy', TEXT],
  ['reversion_s', REAL],
]

export const backtestTradeDetails: Migration = {
  name: '0003-backtest-trade-details',
  async up(db) {
    for (const [name, type] of TRADE_COLUMNS) {
      await db.schema.alterTable('backtest_trades').addColumn(name, type).execute()
    }
    await db.schema.alterTable('backtest_runs').addColumn('strategy', TEXT).execute()
    await db.schema
      .createIndex('backtest_trades_by_run')
      .on('backtest_trades')
      .columns(['run_id', 'trade_no'])
      .execute()
  },
}
