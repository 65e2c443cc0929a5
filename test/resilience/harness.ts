/**
 * Resilience harness: the real MarketFeed (with REST resync through ClobRestClient) against the
 * local simulator with fault injection. The simulator is stepped by hand; each phase injects
 * faults for `faultTicks` steps, then stops injecting (rates set to 0) and keeps stepping until
 * every asset is live and equal to the simulator's true book (or `quietTicks` run out).
 *
 * Measured per fault (from the simulator's fault log): the recovery time (fault logged → its
 * asset, or every asset for connection-wide and HTTP faults, next seen live and equal to the
 * true book at a settled check) and whether the books were equal at the end of the phase.
 * At every settled check, a `live` book that differs from the true book is counted as an
 * unflagged divergence; a socket delta applied to an asset with a venue timestamp older than
 * the asset's last snapshot is counted as a replayed frame.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Level } from '../../src/domain/book/book-events.js'
import type { OrderBook } from '../../src/domain/book/order-book.js'
import { ClobRestClient } from '../../src/adapters/polymarket/rest/clob-rest.js'
import {
  MarketFeed,
  REST_CONN,
  type ResyncMethod,
} from '../../src/adapters/polymarket/ws/market-feed.js'
import type { FaultEvent, FaultName, FaultSpec } from '../../src/adapters/sim/faults.js'
import { startSim } from '../../src/adapters/sim/sim-server.js'

/** Every WebSocket and HTTP fault the simulator knows, at rates giving ~15 faults per phase. */
export const ALL_FAULTS: FaultSpec = {
  disconnect: 0.005,
  silence: 0.005,
  gap: 0.03,
  mismatch: 0.02,
  malformed: 0.02,
  ticksize: 0.02,
  duplicate: 0.02,
  reorder: 0.02,
  http429: 0.1,
  http500: 0.1,
  http503: 0.1,
  http425: 0.05,
  slow: 0.05,
}

export type ResilienceOptions = {
  readonly seed: number
  /** Rates per delivered frame (WebSocket) or per request (HTTP). */
  readonly spec: FaultSpec
  readonly phases: number
  readonly faultTicks: number
  /** Most steps of a quiet period before the phase is declared unrecovered. */
  readonly quietTicks?: number
  /** Fewest steps of a quiet period (default 10). */
  readonly minQuietTicks?: number
  /** REST audit spacing for the feed; undefined = no audit. */
  readonly auditIntervalMs?: number
  /** Default `rest`. */
  readonly resyncMethod?: ResyncMethod
  /** Stop early once this many faults were injected. */
  readonly maxFaults?: number
}

export type FaultOutcome = {
  readonly type: FaultName
  readonly recoveryMs: number | null
  /** Every book it could affect equal to the true book once the phase recovered. */
  readonly accurate: boolean
}

export type ResilienceResult = {
  readonly faults: FaultOutcome[]
  readonly phases: number
  readonly unrecoveredPhases: number
  /** Settled checks where a `live` book differed from the true book. */
  readonly unflaggedDivergences: number
  readonly checks: number
  /** Sorted durations (ms) of runs of settled checks where a `live` book differed from the truth. */
  readonly unflaggedMs: number[]
  readonly assets: number
  /** Socket deltas applied with a venue time before the asset's last snapshot. */
  readonly replayedFrames: number
  readonly feed: MarketFeed['counters']
}

const WAIT_MS = 1
/** A settle with no new frame for this long ends (frames in flight to a killed socket are lost). */
const SETTLE_IDLE_MS = 15

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function sameLevels(a: readonly Level[], b: readonly Level[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.price !== b[i]!.price || a[i]!.size !== b[i]!.size) return false
  }
  return true
}

export function sameBook(ours: OrderBook | undefined, truth: OrderBook | undefined): boolean {
  if (ours === undefined || truth === undefined) return false
  return (
    sameLevels(ours.levels('bid'), truth.levels('bid')) &&
    sameLevels(ours.levels('ask'), truth.levels('ask'))
  )
}

/** Nearest-rank percentile of sorted values; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}

export async function runResilience(options: ResilienceOptions): Promise<ResilienceResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-resilience-'))
  const logPath = join(dir, 'faults.ndjson')
  // The injector reads the rates from this object on every draw; zeroing them is the quiet period.
  const rates: Partial<Record<FaultName, number>> = { ...options.spec }
  const sim = await startSim({
    port: 0,
    seed: options.seed,
    speed: 0,
    injectFaults: { spec: rates, logPath, silenceMs: 150, slowMs: 30, retryAfterS: 0 },
  })
  const assetIds = sim.scenario.assetIds()
  const rest = new ClobRestClient({
    baseUrl: sim.restUrl,
    timeoutMs: 500,
    retries: 6,
    baseDelayMs: 5,
    maxDelayMs: 20,
    maxRetryAfterMs: 50,
  })
  let received = 0
  const lastSnapshotTs = new Map<string, number>()
  let replayedFrames = 0
  const feed = new MarketFeed({
    url: sim.wsUrl,
    assetIds,
    resyncMethod: options.resyncMethod ?? 'rest',
    rest,
    resyncTimeoutMs: 400,
    ...(options.auditIntervalMs === undefined ? {} : { auditIntervalMs: options.auditIntervalMs }),
    connection: {
      pingIntervalMs: 20,
      silenceTimeoutMs: 80,
      backoff: { initialMs: 5, maxMs: 40 },
    },
    capture: {
      writeFrame(conn, raw) {
        if (conn !== REST_CONN && raw !== 'PONG') received++
      },
      writeMarker() {},
    },
    listener: {
      onEvent(event, meta) {
        if (event.type === 'book') lastSnapshotTs.set(event.assetId, event.tsVenue)
        if (event.type !== 'price_change' || meta.conn === REST_CONN) return
        for (const change of event.changes) {
          const snap = lastSnapshotTs.get(change.assetId)
          if (snap !== undefined && event.tsVenue < snap) replayedFrames++
        }
      },
    },
  })

  let lost = 0
  const settle = async (): Promise<void> => {
    let last = received
    let idle = 0
    while (received + lost < sim.stats.framesSent) {
      await wait(WAIT_MS)
      if (received !== last) {
        last = received
        idle = 0
      } else if ((idle += WAIT_MS) >= SETTLE_IDLE_MS) {
        lost = sim.stats.framesSent - received
        return
      }
    }
    await wait(0)
  }

  /** Per asset, times (ms) at which it was seen live and equal to the true book. */
  const goodAt = new Map<string, number[]>(assetIds.map((id) => [id, []]))
  let unflaggedDivergences = 0
  /** Per asset, since when a `live` book has differed from the true book. */
  const divergedSince = new Map<string, number>()
  const unflaggedMs: number[] = []
  let checks = 0
  const check = (): boolean => {
    let allGood = true
    const now = Date.now()
    for (const id of assetIds) {
      const live = feed.health(id) === 'live'
      const equal = sameBook(feed.market.book(id), sim.trueBook(id))
      checks++
      if (live && equal) goodAt.get(id)!.push(now)
      else allGood = false
      if (live && !equal) {
        unflaggedDivergences++
        if (!divergedSince.has(id)) divergedSince.set(id, now)
      } else {
        const since = divergedSince.get(id)
        if (since !== undefined) unflaggedMs.push(now - since)
        divergedSince.delete(id)
      }
    }
    return allGood
  }

  // With an audit, a quiet period lasts until a full round of audits (round robin over the live
  // assets) finished after it began, so every book was audited once with no fault in flight.
  const minAudits = options.auditIntervalMs === undefined ? 0 : assetIds.length + 1
  const auditsDone = (): number =>
    feed.counters.audits + feed.counters.auditMismatches + feed.counters.auditFailures
  const allLive = (): boolean => assetIds.every((id) => feed.health(id) === 'live')

  const outcomes: FaultOutcome[] = []
  let logOffset = 0
  let unrecoveredPhases = 0
  let phases = 0
  try {
    feed.start()
    // Initial sync without faults.
    for (const name of Object.keys(rates) as FaultName[]) rates[name] = 0
    for (let i = 0; i < 500 && !check(); i++) {
      sim.step(1)
      await settle()
    }
    for (let phase = 0; phase < options.phases; phase++) {
      if (options.maxFaults !== undefined && outcomes.length >= options.maxFaults) break
      phases++
      Object.assign(rates, options.spec)
      for (let i = 0; i < options.faultTicks; i++) {
        sim.step(1)
        await settle()
        check()
      }
      for (const name of Object.keys(rates) as FaultName[]) rates[name] = 0
      let recovered = false
      const auditsFrom = auditsDone()
      // At least `minQuietTicks` steps (so every fault had frames after it to reveal it), then
      // until the client calls every asset live: that is when its books are trusted again.
      for (let i = 0; i < (options.quietTicks ?? 400); i++) {
        sim.step(1)
        await settle()
        check()
        const audited = auditsDone() - auditsFrom >= minAudits
        if (i + 1 >= (options.minQuietTicks ?? 10) && audited && allLive()) {
          recovered = true
          break
        }
      }
      if (!recovered) unrecoveredPhases++
      const text = readFileSync(logPath, 'utf8')
      const lines = text
        .slice(logOffset)
        .split('\n')
        .filter((l) => l !== '')
      logOffset = text.length
      const equalNow = new Map(
        assetIds.map((id) => [id, sameBook(feed.market.book(id), sim.trueBook(id))]),
      )
      for (const line of lines) {
        const fault = JSON.parse(line) as FaultEvent
        // Connection-wide and HTTP faults may hit any asset.
        const wide = fault.asset_id === undefined || ['disconnect', 'silence'].includes(fault.type)
        const affected = wide || fault.asset_id === undefined ? assetIds : [fault.asset_id]
        let recoveryMs: number | null = 0
        for (const id of affected) {
          const at = goodAt.get(id)!.find((t) => t > fault.ts)
          if (at === undefined) {
            recoveryMs = null
            break
          }
          if (recoveryMs !== null) recoveryMs = Math.max(recoveryMs, at - fault.ts)
        }
        outcomes.push({
          type: fault.type,
          recoveryMs,
          accurate: recovered && affected.every((id) => equalNow.get(id) === true),
        })
      }
    }
  } finally {
    await feed.stop()
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return {
    faults: outcomes,
    phases,
    unrecoveredPhases,
    unflaggedDivergences,
    checks,
    replayedFrames,
    unflaggedMs: unflaggedMs.sort((a, b) => a - b),
    assets: assetIds.length,
    feed: feed.counters,
  }
}

export type ResilienceSummary = {
  readonly faults: number
  readonly byType: Record<string, number>
  readonly recoveryP50Ms: number | null
  readonly recoveryP99Ms: number | null
  readonly unrecovered: number
  readonly accuracyPct: number
  readonly unflaggedDivergences: number
  readonly unflaggedP99Ms: number | null
  readonly unflaggedMaxMs: number | null
  readonly replayedFrames: number
}

export function summarize(result: ResilienceResult): ResilienceSummary {
  const times = result.faults
    .map((f) => f.recoveryMs)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b)
  const byType: Record<string, number> = {}
  for (const f of result.faults) byType[f.type] = (byType[f.type] ?? 0) + 1
  const accurate = result.faults.filter((f) => f.accurate).length
  return {
    faults: result.faults.length,
    byType,
    recoveryP50Ms: percentile(times, 50),
    recoveryP99Ms: percentile(times, 99),
    unrecovered: result.faults.length - times.length,
    accuracyPct: result.faults.length === 0 ? 100 : (100 * accurate) / result.faults.length,
    unflaggedDivergences: result.unflaggedDivergences,
    unflaggedP99Ms: percentile(result.unflaggedMs, 99),
    unflaggedMaxMs: result.unflaggedMs[result.unflaggedMs.length - 1] ?? null,
    replayedFrames: result.replayedFrames,
  }
}
