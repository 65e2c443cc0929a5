/**
 * Live feed throughput benchmark (`npm run bench:feed [-- --json] [-- --seconds N]`).
 *
 * The local exchange simulator runs in a child process (`bench/lib/feed-sim-child.ts`) so
 * this process's CPU is the client's alone. The client is what `tiltmeter record` runs: a
 * `MarketFeed` subscribed to every simulated asset over a loopback WebSocket, writing every
 * frame to a gzip capture in a scratch directory, parsing it and applying it to the books. For
 * each offered rate the simulator sends whole cycles of a seeded match (about `--seconds`
 * worth, at least one cycle), paced at that rate; the client measures the frames it received
 * per second, its CPU time over the wall time (one core = 100 %) and its event-loop delay.
 * After each rate every client book must equal the simulator's `GET /book`. A last run at the
 * target rate skips the capture writes, to show their cost. The child is killed and the scratch directory removed at the end,
 * also on failure.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { CaptureWriter } from '../src/adapters/capture/capture-writer.js'
import { MarketFeed } from '../src/adapters/polymarket/ws/market-feed.js'
import type { ChildMessage, ChildReady, ChildSent, ParentMessage } from './lib/feed-sim-child.js'
import { booksThatDiffer, CountingSink, waitLive } from './lib/feed-client.js'
import { formatCount, intOption, machineLine, renderTable, settle } from './lib/measure.js'
import { removeDir, scratchDir } from './lib/nhl-frames.js'

const RATES = [5_000, 10_000, 20_000, 40_000] as const
/** The target: one client keeps up with this many frames/s, with CPU to spare. */
const TARGET_FRAMES_PER_S = 20_000
/** "CPU to spare": the client may use at most this share of one core at the target rate. */
const TARGET_MAX_CPU_PERCENT = 80
/** Received within this share of the offered rate counts as keeping up. */
const KEEP_UP_SHARE = 0.98
const SEED = 7
const READY_TIMEOUT_MS = 60_000
const LIVE_TIMEOUT_MS = 10_000
/** Time allowed after the simulator finishes sending for the last frame to arrive. */
const DRAIN_TIMEOUT_MS = 30_000

const argv = process.argv.slice(2)
const wantJson = argv.includes('--json')
const seconds = intOption(argv, '--seconds', 3)

const CHILD = fileURLToPath(new URL('./lib/feed-sim-child.ts', import.meta.url))

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

type RateResult = {
  readonly offeredPerS: number
  readonly capture: boolean
  readonly frames: number
  readonly cycles: number
  readonly sentPerS: number
  readonly receivedPerS: number
  readonly receivedMBPerS: number
  readonly cpuPercent: number
  /** Client CPU time per received frame. */
  readonly cpuUsPerFrame: number
  readonly lagP99Ms: number
  readonly lagMaxMs: number
  /** How long after the simulator's last send the client had the last frame. */
  readonly behindMs: number
  readonly keptUp: boolean
  readonly booksEqual: boolean
  readonly differingBooks: readonly string[]
  readonly resyncs: number
  readonly mismatches: number
  readonly parseErrors: number
}

/** The simulator child and a way to wait for its next message of a kind. */
class SimChild {
  readonly process: ChildProcess
  private readonly _waiting: {
    type: ChildMessage['type']
    resolve: (m: ChildMessage) => void
    reject: (e: Error) => void
  }[] = []
  private _failure: Error | null = null

  constructor() {
    this.process = fork(CHILD, [String(SEED)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.process.on('message', (message: ChildMessage) => {
      if (message.type === 'error') {
        this._fail(new Error(`simulator process: ${message.message}`))
        return
      }
      const index = this._waiting.findIndex((w) => w.type === message.type)
      if (index >= 0) this._waiting.splice(index, 1)[0]!.resolve(message)
    })
    this.process.on('exit', (code, signal) => {
      this._fail(new Error(`simulator process exited (code ${code}, signal ${signal})`))
    })
    this.process.on('error', (e) => this._fail(e))
  }

  next<T extends ChildMessage>(type: T['type'], timeoutMs: number): Promise<T> {
    if (this._failure !== null) return Promise.reject(this._failure)
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no ${type} message from the simulator process within ${timeoutMs} ms`))
      }, timeoutMs)
      this._waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m as T)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
    })
  }

  send(message: ParentMessage): void {
    this.process.send(message)
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGKILL')
    }
  }

  private _fail(e: Error): void {
    this._failure ??= e
    for (const w of this._waiting.splice(0)) w.reject(e)
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(what)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  })
}

async function runRate(
  child: SimChild,
  ready: ChildReady,
  feed: MarketFeed,
  sink: CountingSink,
  rate: number,
  cyclesBefore: number,
): Promise<RateResult> {
  const { matchWireFrames, bookFrames } = ready.stats
  const cycles = Math.max(1, Math.round((rate * seconds) / matchWireFrames))
  let expected = 0
  for (let c = cyclesBefore; c < cyclesBefore + cycles; c++) {
    expected += matchWireFrames + (c === 0 ? 0 : bookFrames)
  }
  const mismatches0 = feed.market.counters.mismatches
  const parseErrors0 = feed.market.counters.parseErrors
  const resyncs0 = feed.counters.resyncs
  await settle()
  const lag = monitorEventLoopDelay({ resolution: 2 })
  const first = sink.frames
  const chars0 = sink.chars
  const arrived = sink.whenFrames(first + expected)
  lag.enable()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const sentPromise = child.next<ChildSent>('sent', 600_000)
  child.send({ type: 'run', rate, cycles })
  const sent = await sentPromise
  if (sent.frames !== expected) {
    throw new Error(`the simulator sent ${sent.frames} frames where ${expected} were expected`)
  }
  const end = await withTimeout(
    arrived,
    DRAIN_TIMEOUT_MS,
    `the client received ${sink.frames - first} of ${expected} frames ` +
      `${DRAIN_TIMEOUT_MS / 1000} s after the simulator finished sending`,
  )
  lag.disable()
  const wallMs = end.ms - t0
  // CPU as read when the last frame arrived, not now.
  const cpuUs = end.cpu.user - cpu0.user + (end.cpu.system - cpu0.system)
  const differ = await booksThatDiffer(feed, ready.restUrl)
  const receivedPerS = (expected * 1000) / wallMs
  return {
    offeredPerS: rate,
    capture: sink.capture,
    frames: expected,
    cycles,
    sentPerS: (sent.frames * 1000) / sent.ms,
    receivedPerS,
    receivedMBPerS: (sink.chars - chars0) / 1000 / wallMs,
    cpuPercent: (cpuUs / 1000 / wallMs) * 100,
    cpuUsPerFrame: cpuUs / expected,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
    behindMs: wallMs - sent.ms,
    keptUp: receivedPerS >= rate * KEEP_UP_SHARE,
    booksEqual: differ.length === 0,
    differingBooks: differ,
    resyncs: feed.counters.resyncs - resyncs0,
    mismatches: feed.market.counters.mismatches - mismatches0,
    parseErrors: feed.market.counters.parseErrors - parseErrors0,
  }
}

async function main(): Promise<void> {
  log(`tiltmeter feed benchmark: ${machineLine()}`)
  const loadBefore = loadavg()[0]!
  log(
    `load average (1 min) at start: ${loadBefore.toFixed(2)}; other busy processes skew every figure`,
  )
  const started = performance.now()
  const child = new SimChild()
  const killChild = (): void => child.kill()
  process.once('exit', killChild)
  const dir = await scratchDir('feed')
  let writer: CaptureWriter | null = null
  let feed: MarketFeed | null = null
  try {
    const ready = await child.next<ChildReady>('ready', READY_TIMEOUT_MS)
    const s = ready.stats
    log(
      `simulator (separate process): seeded match, ${ready.assetIds.length} assets, ` +
        `${formatCount(s.matchFrames)} frames per cycle (${formatCount(s.matchWireFrames)} WebSocket messages ` +
        `with the best_bid_ask after each price_change); frame JSON ${formatCount(s.bytesPerFrame.mean)} B mean, ` +
        `${formatCount(s.bytesPerFrame.median)} B median, ${formatCount(s.bytesPerFrame.p90)} B p90; ` +
        `price_change ${s.legsPerPriceChange.mean.toFixed(1)} level changes mean`,
    )
    writer = await CaptureWriter.open({
      dir,
      prefix: 'bench',
      startedBy: 'bench',
      source: { bench: 'feed', ws_url: ready.wsUrl, assets: ready.assetIds },
    })
    const sink = new CountingSink(writer)
    feed = new MarketFeed({ url: ready.wsUrl, assetIds: ready.assetIds, capture: sink })
    feed.start()
    await waitLive(feed, LIVE_TIMEOUT_MS)
    // The initial dump is not part of any run.
    sink.frames = 0
    log('client: MarketFeed on one socket, gzip capture on, books checked against GET /book')
    log()

    // One untimed run warms the client's code paths.
    const warm = await runRate(child, ready, feed, sink, TARGET_FRAMES_PER_S, 0)
    let cycles = warm.cycles
    const results: RateResult[] = []
    for (const rate of RATES) {
      const result = await runRate(child, ready, feed, sink, rate, cycles)
      cycles += result.cycles
      results.push(result)
    }
    // The same target rate once more without writing the capture, to show what it costs.
    sink.capture = false
    const bare = await runRate(child, ready, feed, sink, TARGET_FRAMES_PER_S, cycles)
    sink.capture = true
    cycles += bare.cycles
    results.push(bare)

    await feed.stop()
    await writer.close()
    let captureBytes = 0
    for (const file of writer.files) captureBytes += (await stat(file)).size

    log(
      renderTable(
        [
          'offered/s',
          'frames',
          'sent/s',
          'received/s',
          'MB/s',
          'client CPU',
          'CPU/frame',
          'loop p99',
          'loop max',
          'behind',
          'books',
        ],
        results.map((r) => [
          `${formatCount(r.offeredPerS)}${r.capture ? '' : ' (capture off)'}`,
          formatCount(r.frames),
          formatCount(r.sentPerS),
          formatCount(r.receivedPerS),
          r.receivedMBPerS.toFixed(1),
          `${r.cpuPercent.toFixed(0)} %`,
          `${r.cpuUsPerFrame.toFixed(1)} µs`,
          `${r.lagP99Ms.toFixed(1)} ms`,
          `${r.lagMaxMs.toFixed(1)} ms`,
          `${formatCount(r.behindMs)} ms`,
          r.booksEqual ? 'equal' : `${r.differingBooks.length} differ`,
        ]),
      ),
    )
    log()
    log(
      `capture: ${formatCount(writer.linesWritten)} lines, ${writer.files.length} gzip file(s), ` +
        `${(captureBytes / 1e6).toFixed(1)} MB; resyncs ${results.reduce((n, r) => n + r.resyncs, 0)}, ` +
        `best bid/ask mismatches ${results.reduce((n, r) => n + r.mismatches, 0)}, ` +
        `parse errors ${results.reduce((n, r) => n + r.parseErrors, 0)}`,
    )
    const atTarget = results.find((r) => r.offeredPerS === TARGET_FRAMES_PER_S && r.capture)!
    const met =
      atTarget.keptUp && atTarget.booksEqual && atTarget.cpuPercent <= TARGET_MAX_CPU_PERCENT
    log(
      `target (${formatCount(TARGET_FRAMES_PER_S)} frames/s received, client CPU ≤ ${TARGET_MAX_CPU_PERCENT} % of a core, books equal): ` +
        `${met ? 'met' : 'MISSED'} (${formatCount(atTarget.receivedPerS)} frames/s at ${atTarget.cpuPercent.toFixed(0)} % CPU)`,
    )
    log(`load average (1 min) at end: ${loadavg()[0]!.toFixed(2)}`)
    log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`)
    const broken = results.filter((r) => !r.booksEqual)
    if (wantJson) {
      log(
        JSON.stringify({
          bench: 'feed',
          machine: machineLine(),
          loadAverageAtStart: loadBefore,
          loadAverageAtEnd: loadavg()[0]!,
          seed: SEED,
          seconds,
          frameStats: s,
          results,
          captureLines: writer.linesWritten,
          captureBytes,
          target: {
            framesPerS: TARGET_FRAMES_PER_S,
            maxCpuPercent: TARGET_MAX_CPU_PERCENT,
            met,
          },
        }),
      )
    }
    if (broken.length > 0) {
      throw new Error(
        `client books differ from the simulator's at ${broken.map((r) => formatCount(r.offeredPerS)).join(', ')} frames/s`,
      )
    }
    child.send({ type: 'stop' })
  } finally {
    await feed?.stop()
    await writer?.close().catch(() => undefined)
    child.kill()
    process.off('exit', killChild)
    await removeDir(dir)
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:feed failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = 1
})
