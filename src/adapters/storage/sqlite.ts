/**
 * Opens the embedded SQLite database (better-sqlite3): creates the directory when missing,
 * turns on WAL (readers never block the single writer) and foreign keys.
 */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Sqlite from 'better-sqlite3'
import { SqliteDialect } from 'kysely'
import { StoreError, messageOf } from './errors.js'

export const SQLITE_MEMORY = ':memory:'
export const SQLITE_FILE_NAME = 'tiltmeter.sqlite'

export type SqliteConnection = {
  readonly dialect: SqliteDialect
  /** The file path, or `:memory:`; used in error messages. */
  readonly label: string
}

/** Opens (creating if needed) the SQLite database at `path`, or an in-memory one. */
export function openSqlite(path: string): SqliteConnection {
  const label = path === SQLITE_MEMORY ? SQLITE_MEMORY : resolve(path)
  if (path !== SQLITE_MEMORY) {
    try {
      mkdirSync(dirname(label), { recursive: true })
    } catch (e) {
      throw new StoreError(
        'STORE_UNWRITABLE',
        `cannot create the data directory ${dirname(label)}: ${messageOf(e)}; ` +
          'choose a writable directory (--data-dir) or set DATABASE_URL',
        { cause: e },
      )
    }
  }
  let database: Sqlite.Database
  try {
    database = new Sqlite(path === SQLITE_MEMORY ? SQLITE_MEMORY : label)
    if (path !== SQLITE_MEMORY) database.pragma('journal_mode = WAL')
    database.pragma('foreign_keys = ON')
    database.pragma('busy_timeout = 5000')
  } catch (e) {
    throw new StoreError(
      'STORE_UNWRITABLE',
      `cannot open the SQLite database ${label}: ${messageOf(e)}; ` +
        'check that the file is writable and is a SQLite database',
      { cause: e },
    )
  }
  return { dialect: new SqliteDialect({ database }), label }
}
