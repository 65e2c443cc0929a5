/**
 * Runs one storage contract on both backends: SQLite in memory, and a throwaway PostgreSQL 15
 * server started for the file (skipped with TILTMETER_SKIP_PG=1). Each call of `open` gives a
 * fresh, migrated store; the contract closes what it opens.
 */
import { afterAll, beforeAll, describe } from 'vitest'
import { openStore, type Store } from '../../src/adapters/storage/store.js'
import { PG_SKIPPED, startPgCluster, type PgCluster } from './pg-cluster.js'

export function onEveryBackend(name: string, contract: (open: () => Promise<Store>) => void): void {
  describe(`${name} on SQLite`, () => {
    contract(() => openStore({ databaseUrl: ':memory:' }))
  })
  describe.skipIf(PG_SKIPPED)(`${name} on PostgreSQL`, () => {
    const prefix = name.toLowerCase().replace(/[^a-z0-9]+/g, '_')
    let cluster: PgCluster | undefined
    let next = 0
    beforeAll(async () => {
      cluster = await startPgCluster()
    }, 60_000)
    afterAll(async () => {
      await cluster?.stop()
    })
    contract(async () => {
      if (cluster === undefined) throw new Error('the test PostgreSQL server did not start')
      return openStore({ databaseUrl: await cluster.createDatabase(`${prefix}_${next++}`) })
    })
  })
}
