import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { StoreError } from './errors.js'
import { MIGRATIONS } from './migrations/index.js'
import { describePostgresUrl, parseInt8 } from './postgres.js'
import { openStore } from './store.js'
import type { StoreOptions } from './store.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-store-fail-'))
  dirs.push(dir)
  return dir
}

async function openError(options: StoreOptions): Promise<StoreError> {
  const e: unknown = await openStore(options).then(
    async (store) => {
      await store.close()
      return undefined
    },
    (error: unknown) => error,
  )
  expect(e).toBeInstanceOf(StoreError)
  return e as StoreError
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

describe('opening a store fails clearly', () => {
  test('a DATABASE_URL of another scheme', async () => {
    const e = await openError({ databaseUrl: 'mysql://root@db/tiltmeter' })
    expect([e.code, e.message]).toEqual([
      'STORE_CONFIG',
      expect.stringMatching(/must start with postgres:\/\/.*got scheme "mysql:"$/) as unknown,
    ])
  })

  test('a PostgreSQL URL that does not parse or has no host', async () => {
    const bad = await openError({ databaseUrl: 'postgres://user:pw@[broken/db' })
    const hostless = await openError({ databaseUrl: 'postgres:///tiltmeter' })
    expect([bad.code, hostless.code, hostless.message]).toEqual([
      'STORE_CONFIG',
      'STORE_CONFIG',
      expect.stringMatching(/no host/) as unknown,
    ])
    expect(bad.message).not.toContain('pw')
  })

  test('an unreachable PostgreSQL server, named by host and port', async () => {
    const port = await closedPort()
    const e = await openError({ databaseUrl: `postgresql://u:secret@127.0.0.1:${port}/tm` })
    expect([e.code, e.message]).toEqual([
      'STORE_UNREACHABLE',
      expect.stringContaining(`cannot reach PostgreSQL at 127.0.0.1:${port}/tm`) as unknown,
    ])
    expect(e.message).not.toContain('secret')
  })

  test('a data directory that cannot be created', async () => {
    const file = join(tempDir(), 'a-file')
    writeFileSync(file, 'not a directory')
    const e = await openError({ dataDir: join(file, 'data') })
    expect([e.code, e.message]).toEqual([
      'STORE_UNWRITABLE',
      expect.stringContaining(`cannot create the data directory ${join(file, 'data')}`) as unknown,
    ])
  })

  test('a database file that is not SQLite', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'tiltmeter.sqlite'), 'x'.repeat(4096))
    const e = await openError({ dataDir: dir })
    expect([e.code, e.message]).toEqual([
      'STORE_UNWRITABLE',
      expect.stringContaining(
        `cannot open the SQLite database ${join(dir, 'tiltmeter.sqlite')}`,
      ) as unknown,
    ])
  })

  test('migrations out of order', async () => {
    const e = await openError({
      databaseUrl: ':memory:',
      migrations: [...MIGRATIONS, { name: '0000-early', up: () => Promise.resolve() }],
    })
    expect(e.message).toContain(
      `unique and sorted: ${MIGRATIONS.at(-1)?.name ?? ''} comes before 0000-early`,
    )
  })

  test('a rejecting migration is named with the in-memory database', async () => {
    const e = await openError({
      databaseUrl: 'sqlite::memory:',
      migrations: [
        {
          name: '0001-odd',
          up: () => Promise.reject(new Error('boom')),
        },
      ],
    })
    expect(e.message).toBe(
      'migration 0001-odd failed on :memory:: boom; the database is left at the previous migration',
    )
  })
})

describe('PostgreSQL helpers', () => {
  test('int8 values become numbers only when exact', () => {
    expect(parseInt8('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER)
    expect(() => parseInt8('9007199254740993')).toThrow(/safe JavaScript integer/)
  })

  test('the description of a URL carries no credentials and defaults the port', () => {
    expect(describePostgresUrl('postgres://me:hunter2@db.example:6543/tm')).toBe(
      'db.example:6543/tm',
    )
    expect(describePostgresUrl('postgresql://db.example/tm')).toBe('db.example:5432/tm')
  })
})

test('an explicit sqlite: path opens that file', async () => {
  const path = join(tempDir(), 'x', 'custom.sqlite')
  const store = await openStore({ databaseUrl: `sqlite:${path}` })
  await store.close()
  expect([store.dialect, store.location]).toEqual(['sqlite', path])
})
