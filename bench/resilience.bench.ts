/**
 * Live feed resilience benchmark (`npm run bench:resilience [-- --faults N --seed N --audit-ms N]`).
 *
 * Runs the resilience harness (test/resilience/harness.ts): the real MarketFeed with REST resync
 * and the REST audit against the simulator injecting every WebSocket and HTTP fault, until at
 * least N faults (default 1000) were injected; then the same faults without the audit, to show
 * what the audit buys. Prints, per fault type, the recovery time (fault logged → its asset live
 * and equal to the simulator's true book) at p50/p99 and the share of post-recovery books equal
 * to the true book; the last line is one JSON object with every figure.
 */
import {
  ALL_FAULTS,
  percentile,
  runResilience,
  summarize,
  type ResilienceResult,
} from '../test/resilience/harness.js'
import { intOption, machineLine, renderTable } from './lib/measure.js'

const argv = process.argv.slice(2)
const faults = intOption(argv, '--faults', 1000)
const seed = intOption(argv, '--seed', 21)
const auditMs = intOption(argv, '--audit-ms', 10)

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

function ms(value: number | null): string {
  return value === null ? '-' : String(value)
}

function table(result: ResilienceResult): string {
  const types = [...new Set(result.faults.map((f) => f.type))].sort()
  const rows = [...types, 'all'].map((type) => {
    const list = type === 'all' ? result.faults : result.faults.filter((f) => f.type === type)
    const times = list
      .map((f) => f.recoveryMs)
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b)
    const accurate = list.filter((f) => f.accurate).length
    return [
      type,
      String(list.length),
      ms(percentile(times, 50)),
      ms(percentile(times, 99)),
      String(list.length - times.length),
      `${((100 * accurate) / Math.max(1, list.length)).toFixed(2)} %`,
    ]
  })
  return renderTable(['fault', 'count', 'p50 ms', 'p99 ms', 'unrecovered', 'accuracy'], rows)
}

async function run(audit: boolean): Promise<ResilienceResult> {
  const started = Date.now()
  const result = await runResilience({
    seed,
    spec: ALL_FAULTS,
    phases: Math.ceil(faults / 5),
    faultTicks: 40,
    maxFaults: faults,
    ...(audit ? { auditIntervalMs: auditMs } : {}),
  })
  const s = summarize(result)
  log(audit ? `with REST audit every ${auditMs} ms` : 'without audit')
  log(table(result))
  log(
    `phases ${result.phases} (unrecovered ${result.unrecoveredPhases}), replayed frames ` +
      `${s.replayedFrames}, live-but-wrong checks ${s.unflaggedDivergences} ` +
      `(longest ${ms(s.unflaggedMaxMs)} ms), audits ${result.feed.audits} ok / ` +
      `${result.feed.auditMismatches} mismatched, ${Date.now() - started} ms`,
  )
  log()
  return result
}

log(`resilience: ${faults}+ faults, seed ${seed}; ${machineLine()}`)
log()
const audited = await run(true)
const blind = await run(false)
const a = summarize(audited)
const b = summarize(blind)
log(
  JSON.stringify({
    faults: a.faults,
    byType: a.byType,
    recoveryP50Ms: a.recoveryP50Ms,
    recoveryP99Ms: a.recoveryP99Ms,
    unrecovered: a.unrecovered,
    accuracyPct: a.accuracyPct,
    unflaggedMaxMs: a.unflaggedMaxMs,
    replayedFrames: a.replayedFrames,
    auditMismatches: audited.feed.auditMismatches,
    noAudit: {
      faults: b.faults,
      accuracyPct: b.accuracyPct,
      gapAccuracyPct:
        (100 * blind.faults.filter((f) => f.type === 'gap' && f.accurate).length) /
        Math.max(1, b.byType['gap'] ?? 0),
      recoveryP50Ms: b.recoveryP50Ms,
      recoveryP99Ms: b.recoveryP99Ms,
    },
  }),
)
