/**
 * `tiltmeter study <capture…> --events <csv|db>`: the event study. Replays recordings through
 * the live parser and book code, samples each game event's asset at fixed offsets in venue time
 * (engine/event-impact.ts) and summarises the moves per event type with clustered bootstrap
 * intervals (domain/stats/event-study.ts).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { espnGameEvents } from '../../adapters/importers/espn-events.js'
import { looksLikeEventsCsv, parseGameEventsCsv } from '../../adapters/importers/events-csv.js'
import { UNKNOWN_MARKET_ID } from '../../adapters/importers/nhl-parquet.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings } from '../../adapters/replay/recorded-feed.js'
import { openStore } from '../../adapters/storage/store.js'
import type { GameEvent } from '../../domain/game-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import { DEFAULT_RESAMPLES, DEFAULT_LEVEL } from '../../domain/stats/bootstrap.js'
import { summariseEventStudy, type StudyObservation } from '../../domain/stats/event-study.js'
import { seededRandom } from '../../domain/stats/random.js'
import {
  DEFAULT_IMPACT_OFFSETS_S,
  ImpactTracker,
  normaliseOffsets,
} from '../../engine/event-impact.js'
import { MarketData, type FrameMeta } from '../../engine/market-data.js'
import { parseCommandArgs } from '../cli-args.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'
import { ProgressBar } from '../progress.js'
import { studyHtml, studyJson, studyText, type StudyResult } from '../study-report.js'

/** Default bootstrap seed, fixed so a report made twice shows the same intervals. */
export const DEFAULT_STUDY_SEED = 1

const USAGE = `Usage: tiltmeter study <capture…> --events <csv-file|db> [options]

Event study: how the price of each game event's token moved around the event, in venue time.
For every event and offset k (seconds) it samples the event's token: mid, spread, top-5 depth
and taker flow. The sample at k is the book after every market message with venue time
<= ts + k s (offset 0: strictly before ts), taken when the first message beyond that arrives.
Per event type it reports count, mean and median move (mid(k) − mid(0), price units) with
bootstrap 95 % confidence intervals clustered by match, and the hit rate (share of events
whose price moved the event's way). The event's token is the one the event favours (a goal:
the scoring team's win token).

Recordings: tiltmeter captures or directories of them (e.g. \`tiltmeter import\` output), or
raw frame files, as \`tiltmeter replay\` reads them.

Events (--events):
  <file>   a game events CSV (header with ts_ms,type and asset_id or market; see
           docs/EVENT_STUDY.md) or an ESPN NHL scoreboard csv (detected by its header;
           map teams to tokens with --team-asset)
  db       the events stored in the database (logged in the terminal or imported)

Options:
  --offsets <list>        comma-separated seconds, must include 0; default
                          ${DEFAULT_IMPACT_OFFSETS_S.join(',')}. Write --offsets=-30,0,10 (with =)
                          when the list starts with a minus sign
  --market <id>           only events of this market (condition id)
  --type <type>           only events of this type (repeatable)
  --team-asset <T=id>     token id for events of team T that name no token (repeatable)
  --json                  JSON on stdout instead of the text table
  --html <file>           also write a self-contained HTML page with the plot
  --seed <n>              bootstrap seed (default ${DEFAULT_STUDY_SEED})
  --resamples <n>         bootstrap resamples (default ${DEFAULT_RESAMPLES})
  --database-url <url>    database for --events db (default: DATABASE_URL, else
                          ./data/tiltmeter.sqlite)
  --data-dir <dir>        where the default SQLite file lives (default ./data)
  -h, --help              this text

A match (the bootstrap's cluster) is the event's market id, else the market id on its token's
frames, else the token. With fewer than two matches no interval is shown, and the report says so.
`

type Options = {
  readonly paths: readonly string[]
  readonly events: string
  readonly offsetsS: readonly number[]
  readonly market: MarketId | null
  readonly types: ReadonlySet<string> | null
  readonly teamAssets: ReadonlyMap<string, TokenId>
  readonly json: boolean
  readonly html: string | null
  readonly seed: number
  readonly resamples: number
  readonly databaseUrl: string | undefined
  readonly dataDir: string | undefined
}

const TOKEN_ID = /^[0-9]{1,100}$/
const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/
const MAX_RESAMPLES = 1_000_000

/** Parses `--offsets`: comma-separated seconds including 0. */
export function parseOffsets(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim())
  const values = parts.map((p) => {
    const n = p === '' ? Number.NaN : Number(p)
    if (!Number.isFinite(n))
      throw new UsageError(`--offsets: "${p}" is not a number of seconds (e.g. -30,-10,0,5,10)`)
    return n
  })
  let offsets: number[]
  try {
    offsets = normaliseOffsets(values)
  } catch (e) {
    throw new UsageError(`--offsets: ${(e as Error).message}`)
  }
  if (!offsets.includes(0))
    throw new UsageError('--offsets must include 0: moves are measured from the offset-0 mid')
  if (offsets.length < 2) throw new UsageError('--offsets needs at least one offset besides 0')
  return offsets
}

function wholeNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
): number {
  if (text === undefined) return fallback
  const n = /^[0-9]{1,10}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN
  if (
    !Number.isSafeInteger(n) ||
    n < min ||
    n > (flag === '--resamples' ? MAX_RESAMPLES : 2 ** 32 - 1)
  )
    throw new UsageError(`${flag} must be a whole number (at least ${min}); got "${text}"`)
  return n
}

function parseOptions(argv: readonly string[]): Options {
  const { values, positionals } = parseCommandArgs(argv, {
    events: { type: 'string' },
    offsets: { type: 'string' },
    market: { type: 'string' },
    type: { type: 'string', multiple: true },
    'team-asset': { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    html: { type: 'string' },
    seed: { type: 'string' },
    resamples: { type: 'string' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
  })
  if (positionals.length === 0)
    throw new UsageError('name at least one capture (file or directory) to study')
  if (values.events === undefined || values.events.trim() === '')
    throw new UsageError('--events <csv-file|db> is required: the game events to study')
  if (values.market !== undefined && !CONDITION_ID.test(values.market))
    throw new UsageError(
      `--market must be a condition id (0x followed by 64 hex digits); got "${values.market}"`,
    )
  const teamAssets = new Map<string, TokenId>()
  for (const pair of values['team-asset'] ?? []) {
    const eq = pair.indexOf('=')
    const team = eq > 0 ? pair.slice(0, eq).trim() : ''
    const token = eq > 0 ? pair.slice(eq + 1).trim() : ''
    if (team === '' || !TOKEN_ID.test(token))
      throw new UsageError(
        `--team-asset must be TEAM=TOKEN_ID (e.g. VGK=7203…, a decimal token id); got "${pair}"`,
      )
    teamAssets.set(team, token as TokenId)
  }
  if (values.html !== undefined && values.html.trim() === '')
    throw new UsageError('--html needs a file name')
  return {
    paths: positionals,
    events: values.events.trim(),
    offsetsS:
      values.offsets === undefined ? [...DEFAULT_IMPACT_OFFSETS_S] : parseOffsets(values.offsets),
    market: (values.market ?? null) as MarketId | null,
    types: values.type === undefined ? null : new Set(values.type.map((t) => t.trim())),
    teamAssets,
    json: values.json === true,
    html: values.html ?? null,
    seed: wholeNumber('--seed', values.seed, DEFAULT_STUDY_SEED, 0),
    resamples: wholeNumber('--resamples', values.resamples, DEFAULT_RESAMPLES, 1),
    databaseUrl: values['database-url'] ?? process.env.DATABASE_URL,
    dataDir: values['data-dir'],
  }
}

/** True when the text's header is the ESPN NHL scoreboard feed's. */
function looksLikeEspnNhl(text: string): boolean {
  const first = (text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '').trim()
  const names = first.split(',').map((n) => n.trim().toLowerCase())
  return names.includes('event_id') && names.includes('home_team') && names.includes('ts_ms')
}

async function loadEvents(
  options: Options,
  io: CliIO,
): Promise<{ events: GameEvent[]; source: string }> {
  if (options.events === 'db') {
    const store = await openStore({ databaseUrl: options.databaseUrl, dataDir: options.dataDir })
    try {
      const events = await store.listGameEvents(
        options.market === null ? {} : { market: options.market },
      )
      return { events, source: `the ${store.dialect} database (${store.location})` }
    } finally {
      await store.close()
    }
  }
  const path = resolve(io.cwd, options.events)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new Error(
      `cannot read the events file "${options.events}" (${(e as Error).message}); give a CSV ` +
        'of game events or "db" for the stored events',
      { cause: e },
    )
  }
  if (looksLikeEspnNhl(text)) {
    const events = espnGameEvents(text, {
      market: options.market ?? (UNKNOWN_MARKET_ID as MarketId),
      file: options.events,
    })
    return { events, source: options.events }
  }
  if (looksLikeEventsCsv(text)) {
    const events = parseGameEventsCsv(
      text,
      options.market === null ? {} : { market: options.market },
    )
    return { events, source: options.events }
  }
  throw new Error(
    `"${options.events}" is neither a game events CSV (a header with ts_ms, type and asset_id ` +
      'or market) nor an ESPN NHL scoreboard csv (ts_ms, event_id, home_team, …)',
  )
}

/** Applies --team-asset, --market and --type. */
function selectEvents(events: readonly GameEvent[], options: Options): GameEvent[] {
  return events
    .map((e) => {
      if (e.assetId !== null || e.team === null) return e
      const mapped = options.teamAssets.get(e.team)
      return mapped === undefined ? e : { ...e, assetId: mapped }
    })
    .filter((e) => options.market === null || e.market === null || e.market === options.market)
    .filter((e) => options.types === null || options.types.has(e.type))
    .sort((a, b) => a.ts - b.ts)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseOptions(argv)
  const loaded = await loadEvents(options, io)
  const events = selectEvents(loaded.events, options)
  if (events.length === 0) {
    const filters = [
      options.market === null ? null : `market ${options.market}`,
      options.types === null ? null : `type ${[...options.types].join('/')}`,
    ].filter((f) => f !== null)
    throw new Error(
      `no events to study in ${loaded.source}` +
        (filters.length > 0 ? ` matching ${filters.join(' and ')}` : ''),
    )
  }
  const assets = new Set<string>()
  for (const e of events) if (e.assetId !== null) assets.add(e.assetId)
  if (assets.size === 0) {
    const teams = [...new Set(events.map((e) => e.team).filter((t) => t !== null))]
    throw new Error(
      `none of the ${events.length} events names a token (asset_id), so no price can be sampled; ` +
        'add an asset_id column, or map teams to tokens with --team-asset TEAM=TOKEN' +
        (teams.length > 0 ? ` (teams in the events: ${teams.join(', ')})` : ''),
    )
  }

  const tracker = new ImpactTracker({ offsetsS: options.offsetsS, assets })
  for (const e of events) tracker.addEvent(e)
  let parseErrors = 0
  const market = new MarketData(polymarketFrameParser, {
    onBookChanged: (book, event) => tracker.onBookChanged(book, event),
    onEvent: (event) => tracker.onEvent(event),
    onParseError: () => {
      parseErrors++
    },
  })
  const bar = new ProgressBar(io.stderr, 'study', io.stderrIsTTY)
  await readRecordings(
    options.paths.map((p) => resolve(io.cwd, p)),
    {
      onFrame: (frame) => {
        const meta: FrameMeta = { tLocal: frame.tLocal, conn: frame.conn }
        if (frame.value === undefined) market.onFrameText(frame.raw, meta)
        else market.onFrameValue(frame.value, frame.raw, meta)
      },
      onProgress: (done, total) => bar.update(done, total, `${market.counters.frames} frames`),
    },
  )
  bar.finish()
  tracker.finish()

  const first = tracker.firstTs
  const last = tracker.watermarkTs
  if (first === null || last === null)
    throw new Error(
      `the recordings hold no market data (${market.counters.frames} frames, ${parseErrors} parse errors)`,
    )
  const seen = (id: string): boolean =>
    market.book(id) !== undefined || market.tradeStats(id) !== undefined
  const missing = [...assets].filter((id) => !seen(id))
  if (missing.length === assets.size) {
    const inData = [...market.books.keys()].slice(0, 6).map((id) => `${id.slice(0, 12)}…`)
    throw new Error(
      `none of the events' tokens appears in the recordings (events name ${[...assets]
        .map((id) => `${id.slice(0, 12)}…`)
        .join(', ')}; the data has ${inData.join(', ')}${market.books.size > 6 ? ', …' : ''})`,
    )
  }
  const inside = events.filter((e) => e.ts >= first && e.ts <= last)
  if (inside.length === 0) {
    throw new Error(
      `none of the ${events.length} events falls inside the data: the recordings span ` +
        `${iso(first)} .. ${iso(last)}, the events ${iso(events[0]!.ts)} .. ${iso(events[events.length - 1]!.ts)} ` +
        '(event times must be venue-epoch milliseconds)',
    )
  }

  const notes: string[] = []
  const outside = events.length - inside.length
  if (outside > 0)
    notes.push(`${outside} event(s) lie outside the data span and have no mid at some offsets`)
  if (missing.length > 0) notes.push(`token(s) not in the recordings: ${missing.join(', ')}`)
  const impacts = tracker.results()
  const unmeasurable = impacts.filter((i) => i.status === 'no_asset').length
  if (unmeasurable > 0)
    notes.push(
      `${unmeasurable} event(s) name no token and cannot be measured (map teams with --team-asset)`,
    )
  let stale = 0
  for (const i of impacts) for (const s of i.samples) if (s.status === 'stale') stale++
  if (stale > 0) notes.push(`${stale} sample(s) fell on a stale book and are left out`)
  if (parseErrors > 0) notes.push(`${parseErrors} frame(s) in the recordings did not parse`)
  const venueTop = impacts.some((i) => i.samples.some((s) => s.source === 'venue_top'))
  if (venueTop)
    notes.push(
      'some books never had a snapshot (a recording that starts mid-stream): their mid and spread ' +
        "come from the venue's best bid/ask on each update and their depth is unknown",
    )

  const observations: StudyObservation[] = []
  for (const i of impacts) {
    if (i.status !== 'measured' || i.cluster === null) continue
    observations.push({ type: i.event.type, cluster: i.cluster, mids: i.samples.map((s) => s.mid) })
  }
  // Unmeasured events still count towards their type.
  for (const i of impacts) {
    if (i.status === 'measured' && i.cluster !== null) continue
    observations.push({
      type: i.event.type,
      cluster: i.cluster ?? '(none)',
      mids: options.offsetsS.map(() => null),
    })
  }
  const byType = summariseEventStudy(observations, options.offsetsS, {
    random: seededRandom(options.seed),
    resamples: options.resamples,
  })
  const result: StudyResult = {
    inputs: options.paths,
    eventsSource: loaded.source,
    offsetsS: options.offsetsS,
    seed: options.seed,
    resamples: options.resamples,
    level: DEFAULT_LEVEL,
    dataFirstTs: first,
    dataLastTs: last,
    impacts,
    byType,
    notes,
  }
  if (options.html !== null) {
    const path = resolve(io.cwd, options.html)
    try {
      await writeFile(path, studyHtml(result))
    } catch (e) {
      throw new Error(`cannot write the HTML page "${options.html}": ${(e as Error).message}`, {
        cause: e,
      })
    }
    io.stderr.write(`study: wrote ${path}\n`)
  }
  io.stdout.write(
    options.json ? `${JSON.stringify(studyJson(result), null, 2)}\n` : studyText(result),
  )
  return 0
}

export const studyCommand: Command = {
  name: 'study',
  summary: 'event study: price moves around game events, per type, with bootstrap intervals',
  usage: USAGE,
  run,
}
