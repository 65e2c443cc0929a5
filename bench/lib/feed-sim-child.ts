/**
 * The simulator process of the feed benchmark (`bench/feed.bench.ts` forks it, so the client's
 * CPU is measured alone). Starts the simulator on 127.0.0.1 with the cycling match scenario and
 * no timer, then on each `run` request sends whole cycles of the match to the subscribers,
 * paced at the asked rate of WebSocket messages, and reports how many it sent and how long that took.
 *
 * Messages in: `{type: 'run', rate, cycles}`, `{type: 'stop'}`.
 * Messages out: `{type: 'ready', …}`, `{type: 'sent', frames, ms}`, `{type: 'error', message}`.
 */
import { performance } from 'node:perf_hooks'
import { startSim } from '../../src/adapters/sim/sim-server.js'
import { CyclingMatchScenario, type FeedFrameStats } from './feed-scenario.js'

export type ChildReady = {
  readonly type: 'ready'
  readonly wsUrl: string
  readonly restUrl: string
  readonly assetIds: readonly string[]
  readonly stats: FeedFrameStats
}
export type ChildSent = { readonly type: 'sent'; readonly frames: number; readonly ms: number }
export type ChildError = { readonly type: 'error'; readonly message: string }
export type ChildMessage = ChildReady | ChildSent | ChildError
export type ParentMessage =
  | { readonly type: 'run'; readonly rate: number; readonly cycles: number }
  | { readonly type: 'stop' }

/** Steps in a row that send nothing before the run is abandoned (the client went away). */
const MAX_IDLE_STEPS = 1000

function send(message: ChildMessage): void {
  process.send?.(message)
}

async function main(): Promise<void> {
  const seed = Number(process.argv[2] ?? '1')
  const scenario = new CyclingMatchScenario(Number.isInteger(seed) ? seed : 1)
  const sim = await startSim({ port: 0, speed: 0, scenario })

  /**
   * Sends `total` WebSocket messages at `rate` per second (a step can send two: an event and
   * its best_bid_ask), catching up on every turn of a 1 ms timer.
   */
  const pace = (rate: number, total: number): Promise<ChildSent> =>
    new Promise((resolve, reject) => {
      const start = performance.now()
      const base = sim.stats.framesSent
      let idleSteps = 0
      const turn = (): void => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000))
        while (sim.stats.framesSent - base < due) {
          const before = sim.stats.framesSent
          sim.step(1)
          idleSteps = sim.stats.framesSent === before ? idleSteps + 1 : 0
          if (idleSteps > MAX_IDLE_STEPS) {
            reject(new Error('the client is no longer subscribed: steps send nothing'))
            return
          }
        }
        const sent = sim.stats.framesSent - base
        // Sleep rather than spin when caught up, so the client gets the CPU it needs.
        if (sent < total) setTimeout(turn, 1)
        else resolve({ type: 'sent', frames: sent, ms: performance.now() - start })
      }
      turn()
    })

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') {
      void sim.close().then(() => process.exit(0))
      return
    }
    const total = scenario.wireFramesInCycles(message.cycles)
    pace(message.rate, total).then(send, (e: unknown) =>
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    )
  })
  // The benchmark kills this process when it goes away, but do not outlive it either.
  process.on('disconnect', () => process.exit(0))
  send({
    type: 'ready',
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    assetIds: scenario.assetIds(),
    stats: scenario.stats,
  })
}

main().catch((e: unknown) => {
  send({ type: 'error', message: e instanceof Error ? e.message : String(e) })
  process.exit(1)
})
