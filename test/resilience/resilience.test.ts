import { describe, expect, test } from 'vitest'
import { WS_FAULTS, HTTP_FAULTS, type FaultSpec } from '../../src/adapters/sim/faults.js'
import { ALL_FAULTS, percentile, runResilience, summarize } from './harness.js'

describe('live feed resilience against the simulator', () => {
  test('500+ faults of every type: each recovery ends on the true book, no frame replayed', async () => {
    const result = await runResilience({
      seed: 11,
      spec: ALL_FAULTS,
      phases: 80,
      faultTicks: 40,
      auditIntervalMs: 10,
      maxFaults: 500,
    })
    const summary = summarize(result)
    expect(summary.faults).toBeGreaterThanOrEqual(500)
    for (const name of [...WS_FAULTS, ...HTTP_FAULTS]) {
      expect(summary.byType[name] ?? 0, `faults of type ${name}`).toBeGreaterThan(0)
    }
    expect(result.unrecoveredPhases).toBe(0)
    expect(result.faults.filter((f) => f.recoveryMs === null)).toEqual([])
    expect(result.faults.filter((f) => !f.accurate)).toEqual([])
    expect(summary.accuracyPct).toBe(100)
    expect(result.replayedFrames).toBe(0)
    // Gaps below the top of book are only visible to the audit: it must have found some.
    expect(result.feed.auditMismatches).toBeGreaterThan(0)
    expect(result.feed.restResyncs).toBeGreaterThan(0)
  })

  test('resubscribe resync: every WebSocket fault, books equal the true books', async () => {
    const spec: FaultSpec = Object.fromEntries(
      Object.entries(ALL_FAULTS).filter(([name]) =>
        (WS_FAULTS as readonly string[]).includes(name),
      ),
    )
    const result = await runResilience({
      seed: 12,
      spec,
      phases: 6,
      faultTicks: 40,
      auditIntervalMs: 10,
      resyncMethod: 'resubscribe',
    })
    expect(result.faults.length).toBeGreaterThan(20)
    expect(result.unrecoveredPhases).toBe(0)
    expect(result.faults.filter((f) => !f.accurate)).toEqual([])
    expect(result.replayedFrames).toBe(0)
    expect(result.feed.restResyncs).toBe(0)
  })

  test('without the audit a dropped delta below the top of book goes unseen', async () => {
    const options = { seed: 7, spec: { gap: 0.05 }, phases: 8, faultTicks: 20, minQuietTicks: 1 }
    const blind = await runResilience(options)
    expect(blind.faults.length).toBeGreaterThan(10)
    expect(blind.faults.some((f) => !f.accurate)).toBe(true)
    expect(blind.unflaggedDivergences).toBeGreaterThan(0)
    const audited = await runResilience({ ...options, auditIntervalMs: 10 })
    expect(audited.faults.length).toBeGreaterThan(10)
    expect(audited.faults.filter((f) => !f.accurate)).toEqual([])
    expect(audited.feed.auditMismatches).toBeGreaterThan(0)
  })

  test('percentile uses the nearest rank', () => {
    expect(percentile([], 50)).toBeNull()
    expect(percentile([5], 99)).toBe(5)
    expect(percentile([1, 2, 3, 4], 50)).toBe(2)
    expect(percentile([1, 2, 3, 4], 99)).toBe(4)
  })
})
