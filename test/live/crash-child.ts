/**
 * The daemon as a child process for the crash test (crash-restart.test.ts): `--feed polymarket
 * --venue sim` against a simulator the parent runs, so the venue outlives the daemon.
 *
 * Environment: CRASH_DATA_DIR, CRASH_REST, CRASH_WS, CRASH_GAMMA, and CRASH_AT
 * (`<stage>:<client order id>`, optional). Prints `READY <url>`, then `STAGE <stage> <id>` at
 * each stage of a venue submit; at CRASH_AT it prints `HOLD` and waits to be killed.
 */
import { join } from 'node:path'
import { createLogger } from '../../src/adapters/log.js'
import { openStore } from '../../src/adapters/storage/store.js'
import { validateGameEvent } from '../../src/domain/game-events.js'
import { resolveConfig } from '../../src/app/config.js'
import { startDaemon } from '../../src/app/daemon/daemon.js'
import { TEST_RISK } from './support.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set`)
  return value
}

const dataDir = env('CRASH_DATA_DIR')
const crashAt = process.env.CRASH_AT ?? ''
const config = resolveConfig(
  dataDir,
  {},
  {
    port: '0',
    'data-dir': dataDir,
    'no-capture': true,
    'log-level': 'silent',
    'rest-url': env('CRASH_REST'),
    'ws-url': env('CRASH_WS'),
    'gamma-url': env('CRASH_GAMMA'),
  },
  { path: join(dataDir, 'tiltmeter.config.json'), value: { risk: TEST_RISK } },
)
const daemon = await startDaemon({
  config,
  feed: { kind: 'polymarket' },
  selection: { markets: [], assets: [], sports: ['valorant'] },
  log: createLogger({ level: 'silent' }),
  openStore: (o) => openStore(o),
  validateGameEvent: (input) => validateGameEvent(input),
  processMetrics: false,
  auditIntervalMs: null,
  venue: { kind: 'sim' },
  venueTuning: {
    resolveDelaysMs: [100, 200, 400, 800],
    tradeWaitMs: 1000,
    heartbeatIntervalMs: 500,
  },
  tradingStage: async (stage, clientOrderId) => {
    process.stdout.write(`STAGE ${stage} ${clientOrderId}\n`)
    if (`${stage}:${clientOrderId}` === crashAt) {
      process.stdout.write('HOLD\n')
      await new Promise<never>(() => {})
    }
  },
})
process.stdout.write(`READY ${daemon.url}\n`)
process.on('SIGTERM', () => {
  void daemon.stop('SIGTERM').then(() => process.exit(0))
})
