/**
 * Connects to PostgreSQL through `pg`. 64-bit integers (`bigint`, `count(*)`) come back from
 * the driver as strings; they are turned into numbers here and refused when they would lose
 * precision, so the store sees the same numbers as on SQLite.
 */
import pg from 'pg'
import { PostgresDialect } from 'kysely'
import { StoreError, messageOf } from './errors.js'

const INT8_OID = 20
const CONNECT_TIMEOUT_MS = 5_000

export type PostgresConnection = {
  readonly dialect: PostgresDialect
  /** `host:port/database`, without credentials; used in error messages. */
  readonly label: string
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://')
}

/** Parses an int8 column without losing precision; throws beyond ±2^53. */
export function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) {
    throw new StoreError(
      'STORE_BAD_ROW',
      `a 64-bit value read from PostgreSQL (${text}) does not fit a safe JavaScript integer`,
    )
  }
  return value
}

/** Describes `url` as `host:port/database` with the password removed. */
export function describePostgresUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (e) {
    throw new StoreError(
      'STORE_CONFIG',
      'DATABASE_URL is not a valid URL; expected postgres://user:password@host:5432/database',
      { cause: e },
    )
  }
  if (parsed.hostname === '') {
    throw new StoreError(
      'STORE_CONFIG',
      'DATABASE_URL has no host; expected postgres://user:password@host:5432/database',
    )
  }
  const port = parsed.port === '' ? '5432' : parsed.port
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  return `${parsed.hostname}:${port}/${database}`
}

/**
 * Opens a pool and proves the server answers before returning, so a wrong host or port fails
 * at startup with the address in the message rather than at the first write.
 */
export async function openPostgres(
  url: string,
  onBackgroundError: (e: Error) => void,
): Promise<PostgresConnection> {
  const label = describePostgresUrl(url)
  const defaultParser = pg.types.getTypeParser as (oid: number, format?: string) => unknown
  const getTypeParser = ((oid: number, format?: string): unknown =>
    oid === INT8_OID
      ? parseInt8
      : defaultParser(oid, format)) as unknown as typeof pg.types.getTypeParser
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: { getTypeParser },
  })
  // An idle client can lose its connection (server restart); without a listener the pool's
  // error event would end the process.
  pool.on('error', onBackgroundError)
  try {
    const client = await pool.connect()
    client.release()
  } catch (e) {
    await pool.end()
    throw new StoreError(
      'STORE_UNREACHABLE',
      `cannot reach PostgreSQL at ${label}: ${messageOf(e)}; ` +
        'check DATABASE_URL and that the server is running and accepts connections',
      { cause: e },
    )
  }
  return { dialect: new PostgresDialect({ pool }), label }
}
