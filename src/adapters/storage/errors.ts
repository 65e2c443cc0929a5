/**
 * Storage errors. One class with a stable `code`; the message names the database (file path
 * or host:port, never a password) and what to do.
 */
export type StoreErrorCode =
  /** DATABASE_URL or the data directory setting is malformed. */
  | 'STORE_CONFIG'
  /** The data directory or SQLite file cannot be created or opened. */
  | 'STORE_UNWRITABLE'
  /** The PostgreSQL server did not accept a connection. */
  | 'STORE_UNREACHABLE'
  /** A schema migration failed; the database stays at the previous migration. */
  | 'STORE_MIGRATION_FAILED'
  /** A record handed to the store is out of range or malformed; nothing was written. */
  | 'STORE_BAD_RECORD'
  /** A row read back does not have the expected shape (schema drift or manual edits). */
  | 'STORE_BAD_ROW'
  /** An update or delete named a row that does not exist. */
  | 'STORE_NOT_FOUND'

export class StoreError extends Error {
  readonly code: StoreErrorCode

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
    this.code = code
  }
}

/** The message of anything thrown, for wrapping into a clearer one. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
