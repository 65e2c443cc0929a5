import { expect, test } from 'vitest'
import { LatencyWindow, figures } from './latency-window.js'
import { DaemonMetrics, STAGES } from './metrics.js'

function metrics(): DaemonMetrics {
  const zero = { live: 0, stale: 0, resyncing: 0, disconnected: 0 }
  return new DaemonMetrics(
    {
      feed: () => ({
        frames: 0,
        events: 0,
        parseErrors: 0,
        reconnects: 0,
        resyncs: 0,
        health: zero,
      }),
      queue: () => ({ depth: 0, written: {}, dropped: {}, failed: {} }),
      uptimeSeconds: () => 1,
    },
    { processMetrics: false },
  )
}

test('quantiles interpolate inside their bucket, in milliseconds', () => {
  // 100 samples: 50 under 1 ms, 49 in (1 ms, 5 ms], 1 in (5 ms, 10 ms].
  const result = figures([0.001, 0.005, 0.01, Infinity], [50, 99, 100, 100])
  expect(result.count).toBe(100)
  expect(result.p50).toBe(1)
  expect(result.p99).toBe(5)
  expect(figures([0.001, Infinity], [0, 0])).toEqual({ p50: null, p99: null, count: 0 })
  // Everything beyond the last finite bound reads as that bound.
  expect(figures([0.001, Infinity], [0, 4]).p99).toBe(1)
})

test('every stage is reported; figures cover only the samples inside the window', async () => {
  const m = metrics()
  const window = new LatencyWindow(m, 2)
  const first = await window.read()
  expect(Object.keys(first).sort()).toEqual([...STAGES].sort())
  expect(first.receive_to_book).toEqual({ p50: null, p99: null, count: 0 })
  for (let i = 0; i < 10; i++) m.stage.receive_to_book.observe(0.0002)
  const second = await window.read()
  expect(second.receive_to_book!.count).toBe(10)
  expect(second.receive_to_book!.p50).toBeGreaterThan(0.1)
  expect(second.receive_to_book!.p50).toBeLessThanOrEqual(0.5)
  await window.read()
  // Two reads later the samples have left the window.
  expect((await window.read()).receive_to_book).toEqual({ p50: null, p99: null, count: 0 })
})
