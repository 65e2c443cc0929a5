import { defineConfig } from 'vitest/config'

// In CI a JSON report is written beside the console output so `.ci/run` can print a plain
// "N passed, N failed" closing line.
const ciReport = process.env.CI === 'true' ? process.env.TILTMETER_TEST_REPORT : undefined

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
    reporters: ciReport === undefined ? ['default'] : ['default', 'json'],
    ...(ciReport === undefined ? {} : { outputFile: { json: ciReport } }),
  },
})
