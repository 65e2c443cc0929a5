/**
 * Applies pending migrations in order, each in its own transaction together with its row in
 * `tiltmeter_migrations`, so a failure leaves the database at the last good migration.
 */
import type { Kysely } from 'kysely'
import { StoreError, messageOf } from '../errors.js'
import type { Database } from '../schema.js'
import type { Migration, StoreDialect } from './migration.js'

/** Returns the names applied by this call, in order. */
export async function runMigrations(
  db: Kysely<Database>,
  dialect: StoreDialect,
  migrations: readonly Migration[],
  databaseLabel: string,
): Promise<string[]> {
  checkOrder(migrations)
  await db.schema
    .createTable('tiltmeter_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_ms', 'bigint', (c) => c.notNull())
    .execute()

  const rows = await db.selectFrom('tiltmeter_migrations').select('name').execute()
  const applied = new Set(rows.map((r) => r.name))
  const known = new Set(migrations.map((m) => m.name))
  const unknown = [...applied].filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new StoreError(
      'STORE_MIGRATION_FAILED',
      `database ${databaseLabel} has migrations this version does not know (${unknown.join(', ')}); ` +
        'it was written by a newer tiltmeter: upgrade, or point DATABASE_URL at another database',
    )
  }

  const done: string[] = []
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue
    try {
      await db.transaction().execute(async (trx) => {
        await migration.up(trx as unknown as Kysely<unknown>, dialect)
        await trx
          .insertInto('tiltmeter_migrations')
          .values({ name: migration.name, applied_ms: Date.now() })
          .execute()
      })
    } catch (e) {
      throw new StoreError(
        'STORE_MIGRATION_FAILED',
        `migration ${migration.name} failed on ${databaseLabel}: ${messageOf(e)}; ` +
          'the database is left at the previous migration',
        { cause: e },
      )
    }
    done.push(migration.name)
  }
  return done
}

function checkOrder(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1]!.name
    const current = migrations[i]!.name
    if (!(previous < current)) {
      throw new StoreError(
        'STORE_MIGRATION_FAILED',
        `migration names must be unique and sorted: ${previous} comes before ${current}`,
      )
    }
  }
}
