import { afterEach, describe, expect, test } from 'vitest'
import { ClobRestClient } from '../../src/adapters/polymarket/rest/clob-rest.js'
import { MarketFeed, REST_CONN } from '../../src/adapters/polymarket/ws/market-feed.js'
import { startSim, type SimHandle } from '../../src/adapters/sim/sim-server.js'
import type { FaultSpec } from '../../src/adapters/sim/faults.js'
import { waitFor } from '../support/local-ws-venue.js'
import { sameBook } from './harness.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setup(
  spec: FaultSpec | null,
  dropEvery = 0,
): Promise<{ sim: SimHandle; feed: MarketFeed; restFrames: string[]; dropped: () => number }> {
  let priceChanges = 0
  const sim = await startSim({
    seed: 3,
    speed: 0,
    ...(spec === null ? {} : { injectFaults: { spec } }),
    // Drops every n-th price_change frame (a gap the best bid/ask check may not see).
    ...(dropEvery === 0
      ? {}
      : {
          faults: (frame) =>
            (frame.payload as { event_type?: unknown }).event_type === 'price_change' &&
            ++priceChanges % dropEvery === 0
              ? []
              : [frame],
        }),
  })
  cleanups.push(() => sim.close())
  const restFrames: string[] = []
  const feed = new MarketFeed({
    url: sim.wsUrl,
    assetIds: sim.scenario.assetIds(),
    rest: new ClobRestClient({ baseUrl: sim.restUrl, retries: 0 }),
    auditIntervalMs: 5,
    connection: {
      pingIntervalMs: 50,
      silenceTimeoutMs: 2_000,
      backoff: { initialMs: 5, maxMs: 20 },
    },
    capture: {
      writeFrame(conn, raw) {
        if (conn === REST_CONN) restFrames.push(raw)
      },
      writeMarker() {},
    },
  })
  cleanups.push(() => feed.stop())
  feed.start()
  await waitFor('all live', () => feed.healthCounts().live === feed.assetIds.length)
  return { sim, feed, restFrames, dropped: () => Math.floor(priceChanges / Math.max(1, dropEvery)) }
}

describe('MarketFeed audit', () => {
  test('an equal book is left alone and nothing is written', async () => {
    const { feed, restFrames } = await setup(null)
    await waitFor('audits', () => feed.counters.audits >= 2 * feed.assetIds.length)
    expect(feed.counters.auditMismatches).toBe(0)
    expect(feed.counters.resyncs).toBe(0)
    expect(restFrames).toEqual([])
    expect(feed.healthCounts().live).toBe(feed.assetIds.length)
  })

  test('a book missing a delta is found and replaced by the REST book', async () => {
    const { sim, feed, restFrames, dropped } = await setup(null, 3)
    for (let i = 0; i < 40; i++) {
      const sent = sim.stats.framesSent
      sim.step(1)
      const expected = feed.market.counters.frames + (sim.stats.framesSent - sent)
      await waitFor('step delivered', () => feed.market.counters.frames >= expected)
    }
    expect(dropped()).toBeGreaterThan(3)
    // Once the scenario stops stepping, every audit round must end on the true books.
    await waitFor('audit mismatch', () => feed.counters.auditMismatches > 0)
    const before = feed.counters.audits
    await waitFor('a clean round', () => feed.counters.audits >= before + feed.assetIds.length)
    for (const id of feed.assetIds) {
      expect(sameBook(feed.market.book(id), sim.trueBook(id)), id).toBe(true)
      expect(feed.health(id)).toBe('live')
    }
    expect(restFrames.length).toBeGreaterThan(0)
  })

  test('a failed audit request changes nothing', async () => {
    const { feed } = await setup({ http500: 1 })
    await waitFor('failures', () => feed.counters.auditFailures >= 3)
    expect(feed.counters.audits).toBe(0)
    expect(feed.counters.resyncs).toBe(0)
    expect(feed.healthCounts().live).toBe(feed.assetIds.length)
  })

  test('options: the audit needs a REST source and a positive interval', () => {
    expect(() => new MarketFeed({ url: 'ws://x', assetIds: [], auditIntervalMs: 5 })).toThrow(
      /auditIntervalMs needs a REST book source/,
    )
    const rest = new ClobRestClient({ baseUrl: 'http://127.0.0.1:1' })
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        () => new MarketFeed({ url: 'ws://x', assetIds: [], rest, auditIntervalMs: bad }),
      ).toThrow(/auditIntervalMs must be a positive number/)
    }
  })
})
