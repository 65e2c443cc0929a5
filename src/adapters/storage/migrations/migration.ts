/**
 * The shape of one schema migration. Migrations run in name order, each once, inside a
 * transaction, and are written with Kysely's schema builder so one set serves SQLite and
 * PostgreSQL; the few spots that differ (auto-increment ids) go through the helpers below.
 */
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely'

export type StoreDialect = 'sqlite' | 'postgres'

export type Migration = {
  /** Sortable and unique, e.g. `0001-initial`; recorded in `tiltmeter_migrations`. */
  readonly name: string
  up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void>
}

/** Adds an auto-increment integer primary key named `id`. */
export function withIdColumn<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: StoreDialect,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigserial', (c) => c.primaryKey())
}

/** 64-bit integer: epoch ms, share and USDC micros can exceed 2^31. */
export const BIG = 'bigint'
/** 32-bit integer: price ticks, counts, flags. */
export const INT = 'integer'
export const REAL = 'double precision'
export const TEXT = 'text'

export const notNull = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => c.notNull()
