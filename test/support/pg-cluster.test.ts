import { expect, test } from 'vitest'
import { startPgCluster } from './pg-cluster.js'

test('missing server binaries fail with what to install', async () => {
  await expect(startPgCluster('/nonexistent/postgresql/bin')).rejects.toThrow(
    /not found in \/nonexistent\/postgresql\/bin: install PostgreSQL 15 \(Debian: apt-get install postgresql\) or set TILTMETER_SKIP_PG=1/,
  )
})
