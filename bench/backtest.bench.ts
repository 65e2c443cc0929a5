/**
 * Backtest throughput benchmark (`npm run bench:backtest [-- --json] [-- --runs N --copies N]`).
 *
 * Imports the NHL tick recording with the project's importer and writes its frames `copies`
 * times over (shifted in time) into a gzip capture of at least a million frames, then times,
 * on the same capture in the same process, the stages taking turns (median of `--runs` rounds):
 * - bare replay: read, decompress, parse and apply every frame (`MarketData` only, as
 *   `tiltmeter replay`);
 * - the backtest end to end with `panic_fade`: the same replay through `BacktestEngine`, i.e.
 *   the signal engine, the strategy lane and its simulated venue, one lane (250 ms);
 * - the same with the lanes `tiltmeter backtest` runs by default (the run plus the latency
 *   table: 0/250/1000/3000 ms, four lanes);
 * - `vacuum` with four lanes, because the NHL data raises no PANIC_SELL and panic_fade never
 *   trades on it, while vacuum does: that row includes orders, fills and exits.
 * The signal engine runs with `allowUnsyncedBooks` (the NHL books never get a snapshot;
 * without it every book is stale and the detectors never run, which would flatter the figure).
 * The scratch directory is removed at the end, also on failure.
 */
import { polymarketFrameParser } from '../src/adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings } from '../src/adapters/replay/recorded-feed.js'
import { simVenueFactory, LATENCY_TABLE_MS } from '../src/app/commands/backtest.js'
import { panicFade, vacuumFade, type Strategy } from '../src/domain/strategy/index.js'
import type { ShareMicros, UsdcMicros } from '../src/domain/units.js'
import { BacktestEngine } from '../src/engine/backtest/engine.js'
import type { LaneConfig } from '../src/engine/backtest/lane.js'
import { MarketData } from '../src/engine/market-data.js'
import { parseSignalConfig, SignalEngine } from '../src/engine/signals/index.js'
import {
  collectGarbage,
  formatCount,
  intOption,
  machineLine,
  perSecond,
  renderTable,
  timedAsync,
} from './lib/measure.js'
import { loadNhlFrames, removeDir, scratchDir, writeCopiesCapture } from './lib/nhl-frames.js'
import { timeEndToEnd } from './lib/replay-stages.js'

const MIN_FRAMES = 1_000_000
/** Frames per second the backtest should reach end to end on one core. */
const TARGET_FRAMES_PER_S = 500_000

const argv = process.argv.slice(2)
const wantJson = argv.includes('--json')
const runs = intOption(argv, '--runs', 3)

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

function lanes(strategy: Strategy, latencies: readonly number[]): LaneConfig[] {
  return latencies.map((latencyMs) => ({
    label: `${strategy.name} latency=${latencyMs}`,
    strategy,
    params: strategy.parseParams({}),
    sizing: { kind: 'fixed', shares: 10_000_000 as ShareMicros },
    latencyMs,
    bankroll: 1_000_000_000 as UsdcMicros,
  }))
}

type BacktestTiming = { ms: number; frames: number; signals: number; trades: number }

async function timeBacktest(dir: string, config: LaneConfig[]): Promise<BacktestTiming> {
  collectGarbage()
  const engine = new BacktestEngine({
    parser: polymarketFrameParser,
    signalConfig: parseSignalConfig({ allowUnsyncedBooks: true }),
    lanes: config,
    venue: simVenueFactory,
    meta: {
      minSize: 5_000_000 as ShareMicros,
      feeRateBps: 0,
      secondsDelay: 3,
      sources: { feeRateBps: 'default', secondsDelay: 'default', minSize: 'default' },
    },
  })
  const { ms, result } = await timedAsync(async () => {
    const summary = await readRecordings([dir], {
      onFrame: (frame) => {
        const meta = { tLocal: frame.tLocal, conn: frame.conn }
        if (frame.value === undefined) engine.onFrameText(frame.raw, meta)
        else engine.onFrameValue(frame.value, frame.raw, meta)
      },
      onFrameBytes: (bytes, start, end, tLocal, conn) =>
        engine.onFrameBytes(bytes, start, end, { tLocal, conn }),
    })
    return { summary, totals: engine.finish() }
  })
  return {
    ms,
    frames: result.summary.frames,
    signals: result.totals.signals,
    trades: engine.lanes[0]!.trades.length,
  }
}

/** MarketData + SignalEngine wired as the daemon wires them, no strategy: the signal cost. */
async function timeSignalsOnly(dir: string): Promise<{ ms: number }> {
  collectGarbage()
  const signals = new SignalEngine(parseSignalConfig({ allowUnsyncedBooks: true }), {})
  const market = new MarketData(polymarketFrameParser, {
    onEvent: (event) => signals.onEvent(event),
    onBookChanged: (book, event) => signals.onBookChanged(book, event),
  })
  const { ms } = await timedAsync(() =>
    readRecordings([dir], {
      onFrame: (frame) => market.onFrameText(frame.raw, { tLocal: frame.tLocal, conn: frame.conn }),
      onFrameBytes: (bytes, start, end, tLocal, conn) =>
        market.onFrameBytes(bytes, start, end, { tLocal, conn }),
    }),
  )
  signals.finish()
  return { ms }
}

type Timing = { ms: number; signals?: number; trades?: number }

/**
 * Runs every stage `runs` times, taking turns (the order rotates each round), so a change in
 * the machine's load during the benchmark falls on every stage alike; returns each stage's
 * median run.
 */
async function mediansOf(stages: readonly (() => Promise<Timing>)[]): Promise<Timing[]> {
  const results: Timing[][] = stages.map(() => [])
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < stages.length; k++) {
      const i = (k + r) % stages.length
      collectGarbage()
      results[i]!.push(await stages[i]!())
    }
  }
  return results.map((list) => {
    const outcomes = new Set(list.map((t) => `${t.signals}/${t.trades}`))
    // Same capture, same code: every run must raise the same signals and take the same trades.
    if (outcomes.size > 1)
      throw new Error(`runs disagree (signals/trades): ${[...outcomes].join(', ')}`)
    const sorted = [...list].sort((a, b) => a.ms - b.ms)
    return sorted[sorted.length >> 1]!
  })
}

async function main(): Promise<void> {
  log(`tiltmeter backtest benchmark: ${machineLine()}`)
  const { frames, adjusted } = await loadNhlFrames()
  if (adjusted !== null) log(`note: ${adjusted}`)
  const copies = intOption(argv, '--copies', Math.ceil(MIN_FRAMES / frames.length))
  const dir = await scratchDir('backtest')
  try {
    const capture = await writeCopiesCapture(dir, frames, copies, {
      bench: 'backtest',
      shiftVenueTime: true,
    })
    log(
      `capture: ${formatCount(capture.frames)} frames (${formatCount(frames.length)} NHL frames × ${copies}), ${capture.files.length} gzip file(s)`,
    )
    // Warm-up on the real input.
    await timeEndToEnd(dir)
    await timeBacktest(dir, lanes(panicFade, [250]))

    const [bare, signalsOnly, one, four, vacuum] = (await mediansOf([
      async () => ({ ms: (await timeEndToEnd(dir)).ms }),
      () => timeSignalsOnly(dir),
      () => timeBacktest(dir, lanes(panicFade, [250])),
      () => timeBacktest(dir, lanes(panicFade, LATENCY_TABLE_MS)),
      () => timeBacktest(dir, lanes(vacuumFade, LATENCY_TABLE_MS)),
    ])) as [Timing, Timing, BacktestTiming, BacktestTiming, BacktestTiming]
    const bareMs = bare.ms
    const n = capture.frames
    const bareRate = perSecond(n, bareMs)
    const row = (name: string, t: { ms: number }, extra: string): string[] => [
      name,
      formatCount(perSecond(n, t.ms)),
      (t.ms / 1000).toFixed(2),
      (perSecond(n, t.ms) / bareRate).toFixed(2),
      extra,
    ]
    log()
    log(
      renderTable(
        ['stage (same capture, same process)', 'frames/s', 's', 'vs bare', 'signals / trades'],
        [
          row('bare replay: readRecordings + MarketData', { ms: bareMs }, '–'),
          row('replay + signal engine (no strategy)', signalsOnly, '–'),
          row('backtest panic_fade, 1 lane (250 ms)', one, `${one.signals} / ${one.trades}`),
          row(
            'backtest panic_fade, 4 lanes (CLI default)',
            four,
            `${four.signals} / ${four.trades}`,
          ),
          row('backtest vacuum, 4 lanes (trades)', vacuum, `${vacuum.signals} / ${vacuum.trades}`),
        ],
      ),
    )
    const endRate = perSecond(n, one.ms)
    log()
    log(
      `target ≥ ${formatCount(TARGET_FRAMES_PER_S)} frames/s end to end with panic_fade: ` +
        `${formatCount(endRate)} frames/s, ${endRate >= TARGET_FRAMES_PER_S ? 'MET' : 'NOT MET'} ` +
        `(median of ${runs} runs; ratio to bare replay ${(endRate / bareRate).toFixed(2)})`,
    )
    if (wantJson) {
      process.stdout.write(
        `${JSON.stringify({
          frames: n,
          runs,
          bare_frames_per_s: Math.round(bareRate),
          panic_fade_1_lane_frames_per_s: Math.round(endRate),
          panic_fade_4_lanes_frames_per_s: Math.round(perSecond(n, four.ms)),
          vacuum_4_lanes_frames_per_s: Math.round(perSecond(n, vacuum.ms)),
          signals_only_frames_per_s: Math.round(perSecond(n, signalsOnly.ms)),
          ratio_to_bare: Number((endRate / bareRate).toFixed(3)),
          target_met: endRate >= TARGET_FRAMES_PER_S,
        })}\n`,
      )
    }
  } finally {
    await removeDir(dir)
  }
}

await main()
