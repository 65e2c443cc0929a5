/**
 * The frames/s measurement: the same frame texts through (a) bare `JSON.parse` and (b) the
 * whole market-data path, `MarketData.onFrameText` (the Polymarket parser, domain units, book
 * updates and the best bid/ask self-check against the venue's values).
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { polymarketFrameParser } from '../../src/adapters/polymarket/ws/market-frame-parser.js'
import {
  MarketData,
  type FrameMeta,
  type MarketDataCounters,
} from '../../src/engine/market-data.js'
import { measureContenders, type ContenderResult } from './measure.js'

export const BURST_FILE = fileURLToPath(
  new URL(
    '../../test/fixtures/polymarket/ws_book_price_change_burst_2026-09-29.json',
    import.meta.url,
  ),
)

/** A list of frame texts to time, and what they are. */
export type FrameSet = {
  readonly name: string
  /** The texts in the order they are fed, one entry per frame. */
  readonly texts: readonly string[]
  /** How the list was built, one line per entry. */
  readonly note: readonly string[]
  /** True when the frames were synthesised from another recording rather than captured. */
  readonly derived: boolean
}

export type FramesResult = {
  readonly set: FrameSet
  readonly jsonParse: ContenderResult
  readonly parseApply: ContenderResult
  /** Counters of one parse+apply run, to show what the self-checks did. */
  readonly counters: MarketDataCounters
}

const META: FrameMeta = { tLocal: 0, conn: 'bench' }

/**
 * The burst recording as one-line frame texts: `cycles` repetitions of [book, 49 ×
 * price_change]. The book frame opens every cycle so that each price_change is applied to a
 * synced book and the best bid/ask check runs (a mismatch marks the book stale, which ends the
 * checks until the next snapshot).
 */
export async function burstFrames(cycles: number): Promise<FrameSet> {
  let values: unknown
  try {
    values = JSON.parse(await readFile(BURST_FILE, 'utf8'))
  } catch (e) {
    throw new Error(`cannot read the burst fixture ${BURST_FILE}: ${(e as Error).message}`, {
      cause: e,
    })
  }
  if (!Array.isArray(values)) throw new Error(`${BURST_FILE} is not a JSON array of frames`)
  const texts = values.map((value) => JSON.stringify(value))
  const book = texts[0]
  const changes = values.flatMap((value, i) =>
    (value as { event_type?: unknown }).event_type === 'price_change' ? [texts[i]!] : [],
  )
  if (book === undefined || !book.includes('"event_type":"book"') || changes.length === 0) {
    throw new Error(`${BURST_FILE}: expected a book frame followed by price_change frames`)
  }
  const cycle = [book, ...changes]
  const out: string[] = []
  for (let c = 0; c < cycles; c++) out.push(...cycle)
  return {
    name: 'burst',
    texts: out,
    note: [
      `${cycles} × [1 book + ${changes.length} price_change] from ws_book_price_change_burst_2026-09-29.json,`,
      'each frame compacted to one line; the book frame re-syncs token A every cycle so the best bid/ask',
      'check runs (the crossing at the end of the burst is a mismatch: 1 per cycle)',
    ],
    derived: false,
  }
}

function jsonParseRun(texts: readonly string[]): () => number {
  return () => {
    let checksum = 0
    for (let i = 0; i < texts.length; i++) {
      const value = JSON.parse(texts[i]!) as unknown
      if (typeof value === 'object') checksum++
    }
    return checksum
  }
}

function parseApplyRun(market: MarketData, texts: readonly string[]): () => number {
  return () => {
    for (let i = 0; i < texts.length; i++) market.onFrameText(texts[i]!, META)
    const c = market.counters
    return c.events + c.levelChanges + c.mismatches + c.parseErrors
  }
}

/** Measures (a) and (b) on one frame set, alternating them. Throws on parse errors. */
export async function measureFrames(
  set: FrameSet,
  warmup: number,
  samples: number,
): Promise<FramesResult> {
  const probe = new MarketData(polymarketFrameParser)
  parseApplyRun(probe, set.texts)()
  if (probe.counters.parseErrors > 0) {
    throw new Error(
      `${set.name}: the parser rejected ${probe.counters.parseErrors} of ${set.texts.length} frames; the benchmark needs valid frames`,
    )
  }
  const [jsonParse, parseApply] = await measureContenders(
    [
      { name: 'json_parse', units: set.texts.length, prepare: () => jsonParseRun(set.texts) },
      {
        name: 'parse_apply',
        units: set.texts.length,
        prepare: () => parseApplyRun(new MarketData(polymarketFrameParser), set.texts),
      },
    ],
    warmup,
    samples,
  )
  return { set, jsonParse: jsonParse!, parseApply: parseApply!, counters: { ...probe.counters } }
}
