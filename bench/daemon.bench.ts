/**
 * Daemon footprint benchmark (`node --import tsx bench/daemon.bench.ts [--seconds N]
 * [--matches N]`).
 *
 * Runs `tiltmeter start --feed sim --sim-matches 25` (25 simulated matches × 8 tokens = 200
 * tokens, real-time speed) in this process, SQLite in a temporary directory, capture on, for
 * N seconds (default 60). Every second it samples RSS and the store queue depth. Prints max
 * RSS, the final queue depth, whether the queue grew (the mean depth of the last third of
 * the samples above twice that of the first third and above one batch), rows written and
 * dropped; the last line is one JSON object with every figure. The simulator runs in the same
 * process (as `--feed sim` does), so RSS includes it: an upper bound for the daemon alone.
 */
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { createStartCommand } from '../src/app/commands/start.js'
import type { DaemonHandle } from '../src/app/daemon/daemon.js'
import { intOption, machineLine, renderTable } from './lib/measure.js'

const argv = process.argv.slice(2)
const seconds = intOption(argv, '--seconds', 60)
const matches = intOption(argv, '--matches', 25)
const RSS_TARGET_MB = 300
/** One store batch: a queue this deep is work in progress, not a backlog. */
const BATCH = 2_000

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

type Sample = { t: number; rssMb: number; depth: number; frames: number }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-daemon-bench-'))
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const errText: Buffer[] = []
  stdout.resume()
  stderr.on('data', (c: Buffer) => errText.push(c))
  const signals = new EventEmitter()
  let started: (d: DaemonHandle) => void = () => {}
  const ready = new Promise<DaemonHandle>((done) => (started = done))
  const command = createStartCommand({
    env: {},
    signals,
    onStarted: (d) => started(d),
    processMetrics: true,
  })
  const finished = command.run(
    [
      '--feed',
      'sim',
      '--sim-matches',
      String(matches),
      '--port',
      '0',
      '--data-dir',
      dir,
      '--log-level',
      'warn',
    ],
    { stdout, stderr, cwd: dir, stderrIsTTY: false },
  )
  const daemon = await Promise.race([
    ready,
    finished.then((code) => {
      throw new Error(`daemon ended early (${code}): ${Buffer.concat(errText).toString()}`)
    }),
  ])
  log(`daemon: ${daemon.url}, ${daemon.assetIds.length} tokens, ${seconds} s`)
  const samples: Sample[] = []
  const t0 = Date.now()
  for (let i = 1; i <= seconds; i++) {
    await new Promise((resolve) => setTimeout(resolve, t0 + i * 1000 - Date.now()))
    samples.push({
      t: i,
      rssMb: process.memoryUsage().rss / 1024 / 1024,
      depth: daemon.queue.depth,
      frames: daemon.feed.stats().frames,
    })
  }
  signals.emit('SIGINT')
  const code = await finished
  rmSync(dir, { recursive: true, force: true })

  const third = Math.max(1, Math.floor(samples.length / 3))
  const mean = (list: readonly Sample[]): number =>
    list.reduce((s, x) => s + x.depth, 0) / Math.max(1, list.length)
  const early = mean(samples.slice(0, third))
  const late = mean(samples.slice(-third))
  const grew = late > BATCH && late > 2 * early
  const maxRss = Math.max(...samples.map((s) => s.rssMb))
  const last = samples[samples.length - 1]!
  const rssTrend = [third - 1, 2 * third - 1, samples.length - 1].map((i) => samples[i]!.rssMb)
  const written = daemon.queue.counters.written
  const dropped = Object.values(daemon.queue.counters.dropped).reduce((a, b) => a + b, 0)
  const failed = Object.values(daemon.queue.counters.failed).reduce((a, b) => a + b, 0)
  const framesPerSecond = last.frames / last.t

  log(
    renderTable(
      ['figure', 'value'],
      [
        ['tokens', String(daemon.assetIds.length)],
        ['frames/s (mean)', framesPerSecond.toFixed(0)],
        ['max RSS', `${maxRss.toFixed(1)} MB (target < ${RSS_TARGET_MB} MB)`],
        ['RSS at 1/3, 2/3, end', rssTrend.map((mb) => `${mb.toFixed(0)} MB`).join(', ')],
        ['final queue depth', String(last.depth)],
        ['max queue depth', String(daemon.queue.counters.maxDepthSeen)],
        ['queue grew', grew ? 'YES' : 'no'],
        [
          'rows written',
          Object.entries(written)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        ],
        ['rows dropped / failed', `${dropped} / ${failed}`],
        ['exit code', String(code)],
      ],
    ),
  )
  log(
    JSON.stringify({
      bench: 'daemon',
      machine: machineLine(),
      seconds,
      tokens: daemon.assetIds.length,
      framesPerSecond: Math.round(framesPerSecond),
      maxRssMb: Math.round(maxRss * 10) / 10,
      rssUnderTarget: maxRss < RSS_TARGET_MB,
      rssTrendMb: rssTrend.map((mb) => Math.round(mb)),
      finalQueueDepth: last.depth,
      maxQueueDepth: daemon.queue.counters.maxDepthSeen,
      queueGrew: grew,
      rowsWritten: written,
      rowsDropped: dropped,
      rowsFailed: failed,
      exitCode: code,
    }),
  )
}

await main()
