/**
 * Importer for the Polymarket US esports quotes month (`shared/data/real/README.md` section 3;
 * fixture excerpt in `test/fixtures/real/pmus-esports-quotes-2026-07/`): top of book polled about
 * every 2 minutes per contract, with settlement labels. Three files in one directory:
 *
 * - `pmus_esports_quotes_moneyline_map.csv.gz`: `ts_utc_s,slug,bid,ask,segment`, ~2.9 M rows,
 *   streamed through gunzip line by line (never held as one string);
 * - `pmus_esports_markets.csv`: `slug,question,category,n_snaps,first_ts_utc,last_ts_utc`;
 * - `pmus_esports_labels.csv`: `slug,y,source` (`api` or `convergence`).
 *
 * Quirks are handled and counted, not fatal: polls with both sides empty are kept with null
 * sides (no quotes: not listed yet, suspended or settled); a poll with one side empty keeps the
 * other; a crossed poll (ask < bid: sides read a moment apart) keeps its time with both sides
 * set to null; the collector outage and the missing source days show up as `gaps` (stretches
 * with no row for any contract); duplicate times of one contract keep the first row. A row that
 * cannot be read is reported with its line number and skipped; a wrong header is fatal.
 *
 * Contracts are held compactly while reading (two numbers per poll) and materialised one at a
 * time by `contracts()`, sorted by slug.
 */
import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type {
  CoarseContract,
  QuotePoll,
  SettlementLabel,
} from '../../domain/backtest/coarse/types.js'
import { tryParsePrice, type EpochMs, type PriceTicks } from '../../domain/units.js'
import { ImportError } from './import-error.js'

export const PMUS_QUOTES_FILE = 'pmus_esports_quotes_moneyline_map.csv.gz'
export const PMUS_MARKETS_FILE = 'pmus_esports_markets.csv'
export const PMUS_LABELS_FILE = 'pmus_esports_labels.csv'

const QUOTES_HEADER = 'ts_utc_s,slug,bid,ask,segment'
const MARKETS_HEADER = 'slug,question,category,n_snaps,first_ts_utc,last_ts_utc'
const LABELS_HEADER = 'slug,y,source'

/** Game codes as they appear in the slugs. */
export const PMUS_GAMES = ['cs2', 'lol', 'valorant', 'dota2', 'r6', 'cod', 'rl', 'ow'] as const
export type PmusGame = (typeof PMUS_GAMES)[number]
export type PmusKind = 'match' | 'map'

const MATCH_SLUG = /^aec-([a-z0-9]+)-(.+)$/
const MAP_SLUG = /^astatc-([a-z0-9]+)-(.+)-(?:map|game)[0-9]+$/

/**
 * Reads a contract slug: `aec-<game>-<event>` (match winner) or `astatc-<game>-<event>-mapN`
 * / `-gameN` (map or game winner). The match key is `<game>-<event>`, shared by a match's
 * match-winner and map contracts (the international event slug). Null for any other slug.
 */
export function parsePmusSlug(
  slug: string,
): { game: PmusGame; kind: PmusKind; match: string } | null {
  const m = MAP_SLUG.exec(slug) ?? MATCH_SLUG.exec(slug)
  if (m === null) return null
  const game = m[1] as PmusGame
  if (!PMUS_GAMES.includes(game)) return null
  return { game, kind: slug.startsWith('astatc-') ? 'map' : 'match', match: `${game}-${m[2]}` }
}

export type PmusFilter = {
  /** Games to keep (slug codes); all when absent or empty. */
  readonly games?: readonly string[]
  /** Kinds to keep; both when absent or empty. */
  readonly kinds?: readonly PmusKind[]
  /** Keep polls at or after this time. */
  readonly from?: EpochMs
  /** Keep polls before this time. */
  readonly to?: EpochMs
}

export type PmusBadRow = { readonly file: string; readonly line: number; readonly reason: string }

export type PmusCounts = {
  /** Data rows read from the quotes file (header excluded). */
  rows: number
  badRows: number
  /** Rows of contracts or times the filter excluded. */
  filteredOut: number
  kept: number
  bothSidesEmpty: number
  bidOnly: number
  askOnly: number
  /** Rows with ask < bid; kept with both sides null. */
  crossed: number
  /** Rows repeating an earlier time of the same contract; dropped. */
  duplicateTimes: number
  /** Rows earlier than the contract's previous row; the series is sorted afterwards. */
  outOfOrder: number
  segment1: number
  segment2: number
  contracts: number
  contractsWithoutLabel: number
  labels: { api: number; convergence: number }
  marketsRows: number
  labelsRows: number
}

/**
 * A stretch of at least `gapThresholdS` with no row for any contract (outage, missing day),
 * found over all readable rows before the filters, at minute resolution.
 */
export type PmusGap = { readonly fromTs: EpochMs; readonly toTs: EpochMs; readonly seconds: number }

export type PmusDataset = {
  readonly counts: PmusCounts
  /** Up to `maxBadRowsListed` bad rows (all are counted). */
  readonly badRows: readonly PmusBadRow[]
  readonly gaps: readonly PmusGap[]
  /** First and last kept poll, or null when nothing was kept. */
  readonly firstTs: EpochMs | null
  readonly lastTs: EpochMs | null
  /** Contract questions from the markets file (truncated to 80 characters by the source). */
  readonly questions: ReadonlyMap<string, string>
  /** The kept contracts, sorted by slug, each materialised on demand. */
  contracts(): Generator<CoarseContract>
}

export type PmusReadOptions = {
  readonly filter?: PmusFilter
  /** Bad rows listed in `badRows` (default 100). */
  readonly maxBadRowsListed?: number
  /** Minimum silence reported as a gap (default 3,600 s). */
  readonly gapThresholdS?: number
  /** Called every 100,000 rows with the rows read so far. */
  readonly onProgress?: (rows: number) => void
}

/** Splits a csv line with double-quoted fields (`""` escapes); null for an unterminated quote. */
export function splitCsv(line: string): string[] | null {
  const fields: string[] = []
  let i = 0
  for (;;) {
    let value = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) return null
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"'
            i += 2
            continue
          }
          i++
          break
        }
        value += line[i]
        i++
      }
      if (i < line.length && line[i] !== ',') return null
    } else {
      const comma = line.indexOf(',', i)
      const end = comma === -1 ? line.length : comma
      value = line.slice(i, end)
      i = end
    }
    fields.push(value)
    if (i >= line.length) return fields
    i++ // the comma
  }
}

/** One quotes row, or the reason it is unreadable. */
export type PmusQuoteRow = {
  readonly tsS: number
  readonly slug: string
  readonly bid: number | null
  readonly ask: number | null
  readonly segment: 1 | 2
}

const WHOLE = /^[0-9]{1,12}$/

/** Parses one data line of the quotes file. */
export function parseQuoteLine(line: string): PmusQuoteRow | { error: string } {
  const f = line.split(',')
  if (f.length !== 5) return { error: `expected 5 fields (${QUOTES_HEADER}), got ${f.length}` }
  const [tsText, slug, bidText, askText, segText] = f as [string, string, string, string, string]
  if (!WHOLE.test(tsText)) return { error: `ts_utc_s "${tsText}" is not whole epoch seconds` }
  if (slug === '') return { error: 'slug is empty' }
  const price = (text: string, name: string): number | null | { error: string } => {
    if (text === '') return null
    const p = tryParsePrice(text)
    return p < 0 ? { error: `${name} "${text}" is not a price between 0 and 1` } : p
  }
  const bid = price(bidText, 'bid')
  if (bid !== null && typeof bid === 'object') return bid
  const ask = price(askText, 'ask')
  if (ask !== null && typeof ask === 'object') return ask
  if (segText !== '1' && segText !== '2') return { error: `segment "${segText}" is not 1 or 2` }
  return { tsS: Number(tsText), slug, bid, ask, segment: segText === '1' ? 1 : 2 }
}

// A poll packed in one small integer: bid code × 20,004 + ask code × 2 + (segment − 1), a side's
// code being its ticks or 10,001 for empty. Max ≈ 2.0e8, a small integer in V8.
const EMPTY_CODE = 10_001
const SIDE_SPAN = 10_002
function pack(bid: number | null, ask: number | null, segment: 1 | 2): number {
  return ((bid ?? EMPTY_CODE) * SIDE_SPAN + (ask ?? EMPTY_CODE)) * 2 + (segment - 1)
}
function unpack(tsS: number, code: number): QuotePoll {
  const segment = (code % 2) + 1
  const sides = Math.floor(code / 2)
  const bid = Math.floor(sides / SIDE_SPAN)
  const ask = sides % SIDE_SPAN
  return {
    ts: (tsS * 1000) as EpochMs,
    bid: bid === EMPTY_CODE ? null : (bid as PriceTicks),
    ask: ask === EMPTY_CODE ? null : (ask as PriceTicks),
    segment,
  }
}

type Series = { ts: number[]; code: number[]; sorted: boolean }

async function ensureFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name)
  try {
    await access(path)
  } catch (e) {
    throw new ImportError(
      path,
      `cannot read it (${(e as Error).message}); point at the folder holding ${PMUS_QUOTES_FILE}, ` +
        `${PMUS_MARKETS_FILE} and ${PMUS_LABELS_FILE}`,
      { cause: e },
    )
  }
  return path
}

async function* lines(path: string, gzip: boolean): AsyncGenerator<string> {
  const file = createReadStream(path)
  const input = gzip ? file.pipe(createGunzip()) : file
  file.on('error', (e) => input.destroy(e))
  const reader = createInterface({ input, crlfDelay: Infinity })
  try {
    for await (const line of reader) yield line
  } catch (e) {
    throw new ImportError(path, `read failed: ${(e as Error).message}`, { cause: e })
  } finally {
    reader.close()
    file.destroy()
  }
}

function checkHeader(path: string, line: string | undefined, expected: string): void {
  const got = (line ?? '').replace(/^\uFEFF/, '').trim()
  if (got !== expected)
    throw new ImportError(
      path,
      `line 1 is "${got.slice(0, 120)}", expected the header "${expected}"; is this the esports quotes dataset?`,
    )
}

/**
 * Reads the dataset in `dir`. Rows that cannot be read are counted and listed with their line
 * numbers; they never stop the import.
 * @throws ImportError when a file is missing or unreadable, or has the wrong header.
 */
export async function readPmusDataset(
  dir: string,
  options: PmusReadOptions = {},
): Promise<PmusDataset> {
  const quotesPath = await ensureFile(dir, PMUS_QUOTES_FILE)
  const marketsPath = await ensureFile(dir, PMUS_MARKETS_FILE)
  const labelsPath = await ensureFile(dir, PMUS_LABELS_FILE)
  const filter = options.filter ?? {}
  const games = new Set(filter.games ?? [])
  const kinds = new Set(filter.kinds ?? [])
  const fromS = filter.from === undefined ? -Infinity : filter.from / 1000
  const toS = filter.to === undefined ? Infinity : filter.to / 1000
  const maxListed = options.maxBadRowsListed ?? 100
  const gapThresholdS = options.gapThresholdS ?? 3600

  const counts: PmusCounts = {
    rows: 0,
    badRows: 0,
    filteredOut: 0,
    kept: 0,
    bothSidesEmpty: 0,
    bidOnly: 0,
    askOnly: 0,
    crossed: 0,
    duplicateTimes: 0,
    outOfOrder: 0,
    segment1: 0,
    segment2: 0,
    contracts: 0,
    contractsWithoutLabel: 0,
    labels: { api: 0, convergence: 0 },
    marketsRows: 0,
    labelsRows: 0,
  }
  const badRows: PmusBadRow[] = []
  const bad = (file: string, line: number, reason: string) => {
    counts.badRows++
    if (badRows.length < maxListed) badRows.push({ file, line, reason })
  }

  // Labels and questions first (small files).
  const labels = new Map<string, SettlementLabel>()
  let lineNo = 0
  for await (const line of lines(labelsPath, false)) {
    lineNo++
    if (lineNo === 1) {
      checkHeader(labelsPath, line, LABELS_HEADER)
      continue
    }
    if (line.trim() === '') continue
    counts.labelsRows++
    const f = splitCsv(line)
    if (f === null || f.length !== 3) {
      bad(PMUS_LABELS_FILE, lineNo, `expected 3 fields (${LABELS_HEADER})`)
      continue
    }
    const [slug, y, source] = f as [string, string, string]
    if (y !== '0' && y !== '1') bad(PMUS_LABELS_FILE, lineNo, `y "${y}" is not 0 or 1`)
    else if (source !== 'api' && source !== 'convergence')
      bad(PMUS_LABELS_FILE, lineNo, `source "${source}" is not api or convergence`)
    else if (labels.has(slug)) bad(PMUS_LABELS_FILE, lineNo, `second label for ${slug}`)
    else labels.set(slug, { y: y === '1' ? 1 : 0, source })
  }

  const questions = new Map<string, string>()
  lineNo = 0
  for await (const line of lines(marketsPath, false)) {
    lineNo++
    if (lineNo === 1) {
      checkHeader(marketsPath, line, MARKETS_HEADER)
      continue
    }
    if (line.trim() === '') continue
    counts.marketsRows++
    const f = splitCsv(line)
    if (f === null || f.length !== 6) {
      bad(PMUS_MARKETS_FILE, lineNo, `expected 6 fields (${MARKETS_HEADER})`)
      continue
    }
    questions.set(f[0] as string, f[1] as string)
  }

  const series = new Map<string, Series>()
  const slugInfo = new Map<string, ReturnType<typeof parsePmusSlug>>()
  const busyMinutes = new Set<number>()
  let firstS = Infinity
  let lastS = -Infinity
  lineNo = 0
  for await (const line of lines(quotesPath, true)) {
    lineNo++
    if (lineNo === 1) {
      checkHeader(quotesPath, line, QUOTES_HEADER)
      continue
    }
    if (line === '') continue
    counts.rows++
    if (options.onProgress !== undefined && counts.rows % 100_000 === 0)
      options.onProgress(counts.rows)
    const row = parseQuoteLine(line)
    if ('error' in row) {
      bad(PMUS_QUOTES_FILE, lineNo, row.error)
      continue
    }
    let info = slugInfo.get(row.slug)
    if (info === undefined) {
      info = parsePmusSlug(row.slug)
      slugInfo.set(row.slug, info)
    }
    if (info === null) {
      bad(PMUS_QUOTES_FILE, lineNo, `slug "${row.slug}" is not an aec-/astatc- esports contract`)
      continue
    }
    busyMinutes.add(Math.floor(row.tsS / 60))
    if (
      (games.size > 0 && !games.has(info.game)) ||
      (kinds.size > 0 && !kinds.has(info.kind)) ||
      row.tsS < fromS ||
      row.tsS >= toS
    ) {
      counts.filteredOut++
      continue
    }
    let { bid, ask } = row
    if (bid === null && ask === null) counts.bothSidesEmpty++
    else if (ask === null) counts.bidOnly++
    else if (bid === null) counts.askOnly++
    else if (ask < bid) {
      counts.crossed++
      bid = null
      ask = null
    }
    let s = series.get(row.slug)
    if (s === undefined) {
      s = { ts: [], code: [], sorted: true }
      series.set(row.slug, s)
    }
    const prev = s.ts[s.ts.length - 1]
    if (prev !== undefined && row.tsS <= prev) {
      if (row.tsS === prev) {
        counts.duplicateTimes++
        continue
      }
      counts.outOfOrder++
      s.sorted = false
    }
    s.ts.push(row.tsS)
    s.code.push(pack(bid, ask, row.segment))
    counts.kept++
    if (row.segment === 1) counts.segment1++
    else counts.segment2++
    if (row.tsS < firstS) firstS = row.tsS
    if (row.tsS > lastS) lastS = row.tsS
  }
  if (lineNo === 0) throw new ImportError(quotesPath, 'the file is empty; expected a header line')

  const minutes = [...busyMinutes].sort((a, b) => a - b)
  const gaps: PmusGap[] = []
  for (let i = 1; i < minutes.length; i++) {
    const seconds = ((minutes[i] as number) - (minutes[i - 1] as number)) * 60
    if (seconds >= gapThresholdS)
      gaps.push({
        fromTs: ((minutes[i - 1] as number) * 60_000) as EpochMs,
        toTs: ((minutes[i] as number) * 60_000) as EpochMs,
        seconds,
      })
  }

  // Series that arrived out of order are sorted now, so duplicates among them are counted too.
  for (const s of series.values()) {
    if (s.sorted) continue
    const order = s.ts.map((_, i) => i).sort((a, b) => (s.ts[a] as number) - (s.ts[b] as number))
    const ts: number[] = []
    const code: number[] = []
    for (const i of order) {
      if (ts.length > 0 && ts[ts.length - 1] === s.ts[i]) {
        counts.duplicateTimes++
        counts.kept--
        continue
      }
      ts.push(s.ts[i] as number)
      code.push(s.code[i] as number)
    }
    s.ts = ts
    s.code = code
    s.sorted = true
  }

  const slugs = [...series.keys()].sort()
  counts.contracts = slugs.length
  for (const slug of slugs) {
    const label = labels.get(slug)
    if (label === undefined) counts.contractsWithoutLabel++
    else counts.labels[label.source]++
  }

  function* contracts(): Generator<CoarseContract> {
    for (const slug of slugs) {
      const s = series.get(slug) as Series
      const info = slugInfo.get(slug) as NonNullable<ReturnType<typeof parsePmusSlug>>
      const polls = s.ts.map((ts, i) => unpack(ts, s.code[i] as number))
      yield { slug, ...info, polls, label: labels.get(slug) ?? null }
    }
  }

  return {
    counts,
    badRows,
    gaps,
    firstTs: Number.isFinite(firstS) ? ((firstS * 1000) as EpochMs) : null,
    lastTs: Number.isFinite(lastS) ? ((lastS * 1000) as EpochMs) : null,
    questions,
    contracts,
  }
}
