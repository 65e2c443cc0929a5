/**
 * Order-book benchmark (`npm run bench:book [-- --json] [-- --samples N --warmup N]`).
 *
 * 1. deltas/s: the real NHL price_change legs (357,274 legs, 12 assets) replayed into tiltmeter's
 *    book, ccxt's, tardis-dev's and a naive Map book, best bid/ask read after every delta;
 * 2. frames/s: the real burst recording (book + 49 price_change) repeated, through bare
 *    JSON.parse and through MarketData (parse + apply + self-check);
 * 3. the same two figures on price_change frames derived from the NHL recording.
 *
 * Prints tables; with `--json` the last line is one JSON object with every figure.
 */
import { measureDeltas, TOP_LEVELS_CHECKED, type DeltasResult } from './lib/deltas.js'
import { burstFrames, measureFrames, type FrameSet, type FramesResult } from './lib/frames.js'
import {
  formatCount,
  formatRatio,
  intOption,
  machineLine,
  renderTable,
  SAMPLE_TARGET_MS,
} from './lib/measure.js'
import { loadNhlLegs } from './lib/nhl-legs.js'
import { loadNhlFrames } from './lib/nhl-frames.js'

/** tiltmeter must beat the faster of ccxt and tardis by this factor. */
const DELTAS_TARGET_RATIO = 3
/** parse + apply must reach this share of bare JSON.parse throughput. */
const FRAMES_TARGET_SHARE = 0.6

const argv = process.argv.slice(2)
const wantJson = argv.includes('--json')
const samples = intOption(argv, '--samples', 9)
const warmup = intOption(argv, '--warmup', 3)
const cycles = intOption(argv, '--cycles', 2000)

function log(text = ''): void {
  process.stdout.write(`${text}\n`)
}

function printDeltas(result: DeltasResult): Record<string, number> {
  const ours = result.peers.find((p) => p.name === 'tiltmeter')!
  log(
    `deltas/s: ${formatCount(result.legs)} real price_change legs of the NHL recording, ${result.assets} assets,`,
  )
  log('one book per asset per peer, best bid and ask read after every delta;')
  log(`median of ${samples} samples of ~${SAMPLE_TARGET_MS} ms each after ${warmup} warm-up runs`)
  log()
  log(
    renderTable(
      ['book', 'deltas/s (median)', 'min', 'max', 'tiltmeter ÷ book'],
      result.peers.map((p) => [
        p.name,
        formatCount(p.median),
        formatCount(p.min),
        formatCount(p.max),
        p.name === 'tiltmeter' ? '-' : formatRatio(ours.median / p.median),
      ]),
    ),
  )
  log()
  log('input per delta (built before timing):')
  for (const p of result.peers) log(`  ${p.name.padEnd(10)} ${p.inputForm}`)
  log(
    `checked: all four books agree on best bid/ask after every delta and on the final top ` +
      `${TOP_LEVELS_CHECKED} levels per side of every asset`,
  )
  return Object.fromEntries(result.peers.map((p) => [p.name, Math.round(p.median)]))
}

function printFrames(result: FramesResult): { share: number } {
  const share = result.parseApply.median / result.jsonParse.median
  const c = result.counters
  log(`frames/s on ${result.set.name}${result.set.derived ? ' (DERIVED frames)' : ''}:`)
  for (const line of result.set.note) log(`  ${line}`)
  log(`  ${formatCount(result.set.texts.length)} frames per run, median of ${samples} samples`)
  log()
  log(
    renderTable(
      ['path', 'frames/s (median)', 'min', 'max', 'share of JSON.parse'],
      [result.jsonParse, result.parseApply].map((r) => [
        r.name === 'json_parse' ? 'JSON.parse only' : 'parse + apply (MarketData.onFrameText)',
        formatCount(r.median),
        formatCount(r.min),
        formatCount(r.max),
        `${((r.median / result.jsonParse.median) * 100).toFixed(0)} %`,
      ]),
    ),
  )
  log()
  log(
    `one parse+apply run: ${formatCount(c.events)} events, ${formatCount(c.snapshots)} snapshots, ` +
      `${formatCount(c.levelChanges)} level changes, ${formatCount(c.mismatches)} best bid/ask mismatches, ` +
      `${formatCount(c.crossedBooks)} crossed books, ${c.parseErrors} parse errors`,
  )
  return { share }
}

async function main(): Promise<void> {
  log(`tiltmeter book benchmark: ${machineLine()}`)
  log()
  const stream = await loadNhlLegs()
  const deltas = await measureDeltas(stream, warmup, samples)
  const deltasPerS = printDeltas(deltas)
  const ours = deltasPerS.tiltmeter!
  const fasterPeer = Math.max(deltasPerS.ccxt!, deltasPerS.tardis!)
  log()

  const burst = await measureFrames(await burstFrames(cycles), warmup, samples)
  const burstShare = printFrames(burst).share
  log()

  let derived: FramesResult | null = null
  let derivedSkipped: string | null = null
  let derivedAdjusted: string | null = null
  try {
    const { frames, adjusted } = await loadNhlFrames()
    derivedAdjusted = adjusted
    const set: FrameSet = {
      name: 'NHL frames',
      texts: frames.map((f) => f.raw),
      note: [
        `${formatCount(frames.length)} price_change and last_trade_price frames made by the importer from the NHL tick parquet;`,
        'no book snapshots in the data: books stay unsynced, so the best bid/ask check does not run',
        ...(adjusted === null ? [] : [`adjusted: ${adjusted}`]),
      ],
      derived: true,
    }
    derived = await measureFrames(set, warmup, samples)
    printFrames(derived)
  } catch (e) {
    derivedSkipped = (e as Error).message
    log(`frames/s on NHL-derived frames: skipped (${derivedSkipped})`)
  }
  log()

  const deltasRatio = ours / fasterPeer
  log('targets:')
  log(
    `  deltas/s ≥ ${DELTAS_TARGET_RATIO}× the faster of ccxt and tardis: ${formatRatio(deltasRatio)} ` +
      `${deltasRatio >= DELTAS_TARGET_RATIO ? 'MET' : 'MISSED'}`,
  )
  log(
    `  parse + apply ≥ ${FRAMES_TARGET_SHARE * 100} % of JSON.parse (burst): ${(burstShare * 100).toFixed(0)} % ` +
      `${burstShare >= FRAMES_TARGET_SHARE ? 'MET' : 'MISSED'}`,
  )

  if (wantJson) {
    const summary = {
      deltas_per_s: deltasPerS,
      frames_per_s: {
        json_parse: Math.round(burst.jsonParse.median),
        parse_apply: Math.round(burst.parseApply.median),
      },
      tiltmeter_vs_peer: Object.fromEntries(
        deltas.peers
          .filter((p) => p.name !== 'tiltmeter')
          .map((p) => [p.name, Number((ours / p.median).toFixed(2))]),
      ),
      parse_apply_share_of_json_parse: Number(burstShare.toFixed(3)),
      frames_per_s_nhl_derived:
        derived === null
          ? { skipped: derivedSkipped }
          : {
              json_parse: Math.round(derived.jsonParse.median),
              parse_apply: Math.round(derived.parseApply.median),
              adjusted: derivedAdjusted,
            },
      legs: deltas.legs,
      burst_frames_per_run: burst.set.texts.length,
      samples,
      node: process.version,
    }
    log(JSON.stringify(summary))
  }
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench:book failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  )
  process.exitCode = 1
})
