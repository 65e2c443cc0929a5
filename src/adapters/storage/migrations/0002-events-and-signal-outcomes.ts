/**
 * Game events may concern a token without a known market (the NHL recording has only token
 * ids), so `condition_id` becomes nullable, `asset_id` is added, and at least one of the two
 * must be set. `ts_local` becomes `ts`: the event time in venue-epoch ms, the clock of the
 * market data it is studied against. Signals gain the market, the detector's ratios, the id of
 * the signal they mirror and the reversion outcome (null until settled).
 *
 * PostgreSQL alters the table in place. SQLite cannot drop a NOT NULL or add a CHECK to an
 * existing table, so it rebuilds `game_events` (same columns, ids kept).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Migration, StoreDialect } from './migration.js'
import { BIG, INT, REAL, TEXT, notNull, withIdColumn } from './migration.js'

const MARKET_OR_ASSET = sql`condition_id is not null or asset_id is not null`

async function rebuildGameEventsOnSqlite(db: Kysely<unknown>, dialect: StoreDialect) {
  await withIdColumn(db.schema.createTable('game_events_0002'), dialect)
    .addColumn('condition_id', TEXT)
    .addColumn('asset_id', TEXT)
    .addColumn('type', TEXT, notNull)
    .addColumn('team', TEXT)
    .addColumn('player', TEXT)
    .addColumn('score', TEXT)
    .addColumn('map_number', INT)
    .addColumn('note', TEXT)
    .addColumn('ts', BIG, notNull)
    .addColumn('ts_video', BIG)
    .addColumn('source', TEXT, notNull)
    .addCheckConstraint('game_events_market_or_asset', MARKET_OR_ASSET)
    .execute()
  await sql`insert into game_events_0002
      (id, condition_id, asset_id, type, team, player, score, map_number, note, ts, ts_video, source)
    select id, condition_id, null, type, team, player, score, map_number, note, ts_local, ts_video, source
    from game_events`.execute(db)
  await db.schema.dropTable('game_events').execute()
  await db.schema.alterTable('game_events_0002').renameTo('game_events').execute()
  await db.schema
    .createIndex('game_events_by_market_time')
    .on('game_events')
    .columns(['condition_id', 'ts'])
    .execute()
}

async function alterGameEventsOnPostgres(db: Kysely<unknown>) {
  const table = () => db.schema.alterTable('game_events')
  await table()
    .alterColumn('condition_id', (c) => c.dropNotNull())
    .execute()
  await table().addColumn('asset_id', TEXT).execute()
  // The index on (condition_id, ts_local) follows the rename.
  await table().renameColumn('ts_local', 'ts').execute()
  await table().addCheckConstraint('game_events_market_or_asset', MARKET_OR_ASSET).execute()
}

/** Signal columns added here; all nullable, since earlier rows have no value for them. */
const SIGNAL_COLUMNS: readonly (readonly [
  name: string,
  type: typeof TEXT | typeof BIG | typeof INT | typeof REAL,
])[] = [
  ['market', TEXT],
  ['mirror_of', BIG],
  ['volume_ratio', REAL],
  ['spread_ratio', REAL],
  ['depth_ratio', REAL],
  ['price_change', REAL],
  ['ref_price', REAL],
  ['reverted', INT],
  ['retrace', REAL],
  ['mfe', REAL],
  ['mae', REAL],
  ['resolved_ts', BIG],
]

export const eventsAndSignalOutcomes: Migration = {
  name: '0002-events-and-signal-outcomes',
  async up(db, dialect) {
    if (dialect === 'sqlite') await rebuildGameEventsOnSqlite(db, dialect)
    else await alterGameEventsOnPostgres(db)
    await db.schema
      .createIndex('game_events_by_asset_time')
      .on('game_events')
      .columns(['asset_id', 'ts'])
      .execute()

    // One column per statement: SQLite's ALTER TABLE adds a single column.
    for (const [name, type] of SIGNAL_COLUMNS) {
      await db.schema.alterTable('signals').addColumn(name, type).execute()
    }
    await db.schema.createIndex('signals_by_time').on('signals').column('ts').execute()
  },
}
