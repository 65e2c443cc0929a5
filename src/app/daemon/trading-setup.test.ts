/**
 * The trading setup against the in-process simulator (`--venue sim`): a start that fails after
 * the venue connected closes it again.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../adapters/log.js'
import { startSim, type SimHandle } from '../../adapters/sim/sim-server.js'
import { makeRiskLimits } from '../../domain/risk/limits.js'
import type { UsdcMicros } from '../../domain/units.js'
import type { StopStore } from '../../engine/execution/stop-store.js'
import { MemoryStopStore } from '../../engine/execution/stop-test-support.js'
import { MemoryOrderStore } from '../../engine/execution/test-support.js'
import { startTrading, TradingSetupError, type TradingSetupOptions } from './trading-setup.js'

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
})

async function sim(): Promise<{ handle: SimHandle; beats: () => number }> {
  const handle = await startSim({ seed: 3, speed: 0, trading: { startingCollateral: 50_000_000 } })
  open.push(handle)
  const engine = handle.trading.engine
  const heartbeat = engine.heartbeat.bind(engine)
  let beats = 0
  engine.heartbeat = (...args: Parameters<typeof heartbeat>) => {
    beats++
    return heartbeat(...args)
  }
  return { handle, beats: () => beats }
}

function options(handle: SimHandle, stopStore: StopStore | null): TradingSetupOptions {
  return {
    venue: { kind: 'sim' },
    log: createLogger({ level: 'silent' }),
    now: () => Date.now(),
    orderStore: new MemoryOrderStore(),
    stopStore,
    markets: [],
    bookOf: () => undefined,
    risk: makeRiskLimits({}),
    bankroll: 1_000_000_000 as UsdcMicros,
    urls: { restUrl: handle.restUrl, userWsUrl: handle.userWsUrl },
    tuning: { heartbeatIntervalMs: 10, requestTimeoutMs: 2000 },
  }
}

const wait = (ms: number) => new Promise((done) => setTimeout(done, ms))

describe('startTrading on the sim venue', () => {
  it('starts reconciled, with the wallet balance as cash', async () => {
    const { handle } = await sim()
    const trading = await startTrading(options(handle, new MemoryStopStore()))
    open.push({ close: () => trading.stop() })
    expect(trading.reconciled()).toBe(true)
    expect(trading.orders.portfolio().cash).toBe(50_000_000)
  })

  it('closes the venue (heartbeats, user channel) when the stops cannot be loaded', async () => {
    const { handle, beats } = await sim()
    const broken = new MemoryStopStore()
    broken.listStops = () => Promise.reject(new Error('stops table unreadable'))
    await expect(startTrading(options(handle, broken))).rejects.toThrow(TradingSetupError)
    await expect(startTrading(options(handle, broken))).rejects.toThrow(/stops table unreadable/)
    const after = beats()
    await wait(100) // ten heartbeat periods: none may be sent by a closed venue
    expect(beats()).toBe(after)
  })
})
