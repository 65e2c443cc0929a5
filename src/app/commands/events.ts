/**
 * `tiltmeter events import|list`: game events in and out of the store (docs/GAME_EVENTS.md).
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import type { GameEvent } from '../../domain/game-events.js'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs } from '../../domain/units.js'
import { espnGameEvents } from '../../adapters/importers/espn-events.js'
import { looksLikeEventsCsv, parseGameEventsCsv } from '../../adapters/importers/events-csv.js'
import { ESPN_NHL_COLUMNS } from '../../adapters/importers/espn-nhl.js'
import type { StoredGameEvent } from '../../adapters/storage/records.js'
import { openStore, type Store } from '../../adapters/storage/store.js'
import { parseCommandArgs } from '../cli-args.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'

const USAGE = `Usage:
  tiltmeter events import <file> [--market <condition id|slug>] [--asset <token id>]
                          [--format csv|espn] [--dry-run] [--json] [storage options]
  tiltmeter events list [--market <condition id|slug>] [--asset <token id>]
                        [--from <ms|ISO time>] [--to <ms|ISO time>] [--json] [storage options]

Game events (round wins, goals, timeouts, ...) tagged with the market time they happened at,
for the event study. See docs/GAME_EVENTS.md for the types and the CSV format.

import reads one file, all or nothing:
  csv   header ts_ms,type,team,asset_id,score,map,note (any order; market, player,
        ts_video_ms and source are optional columns). ts_ms is venue-epoch milliseconds.
        A bad row is reported by line number and nothing is written.
  espn  the ESPN NHL scoreboard csv (${ESPN_NHL_COLUMNS.slice(0, 4).join(',')},...): one goal
        event per goal, plus period and game boundaries; needs --market or --asset.
  The format is detected from the header unless --format is given.
  --market   the market the events belong to, when rows do not name one; a slug must be in
             the database already (run \`tiltmeter markets\` to find markets)
  --asset    the token id the events concern, when rows have no asset_id
  --dry-run  parse and check, print the summary, write nothing
  --json     print one JSON object instead of the text summary

list prints the stored events, oldest first; --from is inclusive, --to exclusive.

Storage options:
  --database-url <url>  postgres://... or sqlite:<path> (default: $DATABASE_URL, else the
                        SQLite file in --data-dir)
  --data-dir <dir>      where the default SQLite file lives (default ./data)
`

const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/
const TOKEN_ID = /^[0-9]{1,100}$/
const FORMATS = ['csv', 'espn'] as const
type Format = (typeof FORMATS)[number]

/** What the command takes from outside, replaceable in tests. */
export type EventsDeps = {
  readonly env?: Readonly<Record<string, string | undefined>>
}

type StorageOptions = { readonly databaseUrl: string | undefined; readonly dataDir: string }

const STORAGE_FLAGS = {
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
} as const

function storageOptions(
  values: { 'database-url'?: string | undefined; 'data-dir'?: string | undefined },
  env: EventsDeps['env'],
  io: CliIO,
): StorageOptions {
  const url = values['database-url'] ?? env?.DATABASE_URL
  const dir = values['data-dir'] ?? 'data'
  if (dir.length === 0) throw new UsageError('--data-dir needs a directory')
  return {
    databaseUrl: url === undefined || url.length === 0 ? undefined : url,
    dataDir: isAbsolute(dir) ? dir : resolve(io.cwd, dir),
  }
}

function checkAsset(asset: string | undefined): TokenId | undefined {
  if (asset === undefined) return undefined
  if (!TOKEN_ID.test(asset)) {
    throw new UsageError(`--asset "${asset}" is not a token id (a decimal string of digits)`)
  }
  return asset as TokenId
}

function checkMarketText(market: string | undefined): string | undefined {
  if (market === undefined) return undefined
  if (market.trim().length === 0) throw new UsageError('--market needs a condition id or a slug')
  return market.trim()
}

/** A condition id is taken as is; a slug is looked up in the store. */
async function resolveMarket(text: string, openedStore: () => Promise<Store>): Promise<MarketId> {
  if (CONDITION_ID.test(text)) return text as MarketId
  const store = await openedStore()
  const found = await store.getMarket(text)
  if (found === null) {
    throw new Error(
      `market "${text}" is not in the database ${store.location}; pass its condition id ` +
        '(0x followed by 64 hex digits), or store the market first (tiltmeter markets)',
    )
  }
  return found.conditionId
}

/** Opens the store on first use only, so a dry run with ids needs no database. */
function lazyStore(options: StorageOptions): {
  get: () => Promise<Store>
  close: () => Promise<void>
} {
  let store: Promise<Store> | undefined
  return {
    get: () => (store ??= openStore(options)),
    close: async () => {
      if (store === undefined) return
      const opened = await store.catch(() => undefined)
      await opened?.close()
    },
  }
}

function detectFormat(text: string, file: string): Format {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  const header = (body.split('\n', 1)[0] ?? '').replace(/\r$/, '')
  const names = header.split(',').map((n) => n.trim().toLowerCase())
  if (names.includes('event_id') && names.includes('home_score')) return 'espn'
  if (looksLikeEventsCsv(text)) return 'csv'
  throw new Error(
    `${file}: cannot tell the format from the header "${header.slice(0, 80)}"; expected an ` +
      'events csv (ts_ms,type,team,asset_id,score,map,note) or the ESPN NHL scoreboard csv ' +
      '(ts_ms,event_id,period,...); pass --format csv|espn',
  )
}

function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a directory, not a file'
  if (code === 'EACCES') return 'permission denied'
  return e instanceof Error ? e.message : String(e)
}

const iso = (ms: number): string => new Date(ms).toISOString()

function countTypes(events: readonly GameEvent[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1
  return out
}

function spanOf(events: readonly GameEvent[]): { first: number; last: number } | null {
  if (events.length === 0) return null
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const e of events) {
    first = Math.min(first, e.ts)
    last = Math.max(last, e.ts)
  }
  return { first, last }
}

async function runImport(
  file: string,
  values: Record<string, string | boolean | undefined>,
  storage: StorageOptions,
  io: CliIO,
): Promise<number> {
  const json = values.json === true
  const dryRun = values['dry-run'] === true
  const formatFlag = values.format as string | undefined
  if (formatFlag !== undefined && !(FORMATS as readonly string[]).includes(formatFlag)) {
    throw new UsageError(`--format "${formatFlag}" is not one of ${FORMATS.join(', ')}`)
  }
  const assetId = checkAsset(values.asset as string | undefined)
  const marketText = checkMarketText(values.market as string | undefined)
  const stores = lazyStore(storage)
  try {
    let text: string
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8')
    } catch (e) {
      throw new Error(`cannot read ${file}: ${readProblem(e)}`, { cause: e })
    }
    const format = (formatFlag as Format | undefined) ?? detectFormat(text, file)
    const market =
      marketText === undefined ? undefined : await resolveMarket(marketText, stores.get)
    let events: GameEvent[]
    if (format === 'espn') {
      events = espnGameEvents(text, { market, assetId, file })
    } else {
      try {
        events = parseGameEventsCsv(text, { market, assetId })
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`, { cause: e })
      }
    }
    let ids: number[] = []
    let location: string | null = null
    if (!dryRun) {
      const store = await stores.get()
      ids = await store.insertGameEvents(events)
      location = store.location
    }
    const types = countTypes(events)
    const span = spanOf(events)
    if (json) {
      io.stdout.write(
        `${JSON.stringify({
          file,
          status: dryRun ? 'dry_run' : 'imported',
          format,
          count: events.length,
          types,
          first_ts: span?.first ?? null,
          last_ts: span?.last ?? null,
          first_time: span === null ? null : iso(span.first),
          last_time: span === null ? null : iso(span.last),
          market: market ?? null,
          asset_id: assetId ?? null,
          database: location,
          ids,
        })}\n`,
      )
    } else {
      const lines = [
        dryRun
          ? `checked ${file}: ${events.length} events would be imported (dry run, nothing written)`
          : `imported ${events.length} events from ${file} into ${location ?? '?'}`,
        `  format   ${format}`,
        `  types    ${
          events.length === 0
            ? 'none (the file has no events)'
            : Object.entries(types)
                .map(([type, n]) => `${type} ${n}`)
                .join(', ')
        }`,
      ]
      if (span !== null) lines.push(`  span     ${iso(span.first)} .. ${iso(span.last)}`)
      if (market !== undefined) lines.push(`  market   ${market}`)
      if (assetId !== undefined) lines.push(`  asset    ${assetId}`)
      if (ids.length > 0) lines.push(`  ids      ${ids[0]} .. ${ids[ids.length - 1]}`)
      io.stdout.write(`${lines.join('\n')}\n`)
    }
    return 0
  } catch (e) {
    if (e instanceof UsageError) throw e
    const message = e instanceof Error ? e.message : String(e)
    io.stderr.write(`tiltmeter events import: ${message}\n`)
    if (json) io.stdout.write(`${JSON.stringify({ file, status: 'failed', error: message })}\n`)
    return 1
  } finally {
    await stores.close()
  }
}

function parseTime(flag: string, text: string | undefined): EpochMs | undefined {
  if (text === undefined) return undefined
  const ms = /^[0-9]{1,16}$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isFinite(ms)) {
    throw new UsageError(`--${flag} "${text}" is not epoch ms or an ISO time`)
  }
  return ms as EpochMs
}

function eventJson(e: StoredGameEvent): Record<string, unknown> {
  return {
    id: e.id,
    ts_ms: e.ts,
    time: iso(e.ts),
    type: e.type,
    team: e.team,
    player: e.player,
    score: e.score,
    map: e.mapNumber,
    note: e.note,
    ts_video_ms: e.tsVideo,
    market: e.market,
    asset_id: e.assetId,
    source: e.source,
  }
}

function eventLine(e: StoredGameEvent): string {
  const parts = [
    iso(e.ts),
    e.type.padEnd(12),
    e.team ?? '-',
    e.score ?? '-',
    e.mapNumber === null ? '' : `map ${e.mapNumber}`,
    `[${e.source} #${e.id}]`,
    e.note ?? '',
  ]
  return `${parts.filter((p) => p.length > 0).join('  ')}`
}

async function runList(
  values: Record<string, string | boolean | undefined>,
  storage: StorageOptions,
  io: CliIO,
): Promise<number> {
  const assetId = checkAsset(values.asset as string | undefined)
  const marketText = checkMarketText(values.market as string | undefined)
  const from = parseTime('from', values.from as string | undefined)
  const to = parseTime('to', values.to as string | undefined)
  const stores = lazyStore(storage)
  try {
    const market =
      marketText === undefined ? undefined : await resolveMarket(marketText, stores.get)
    const store = await stores.get()
    const events = await store.listGameEvents({ market, assetId, from, to })
    if (values.json === true) {
      io.stdout.write(events.map((e) => `${JSON.stringify(eventJson(e))}\n`).join(''))
    } else if (events.length === 0) {
      io.stdout.write(`no game events in ${store.location} match\n`)
    } else {
      io.stdout.write(events.map((e) => `${eventLine(e)}\n`).join(''))
      io.stdout.write(`${events.length} events\n`)
    }
    return 0
  } finally {
    await stores.close()
  }
}

/** Builds the command; `eventsCommand` is the one wired to the process environment. */
export function createEventsCommand(deps: EventsDeps = {}): Command {
  return {
    name: 'events',
    summary: 'import (CSV, ESPN NHL feed) and list game events for the event study',
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(argv, {
        market: { type: 'string' },
        asset: { type: 'string' },
        format: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ...STORAGE_FLAGS,
      })
      const [action, ...rest] = positionals
      const storage = storageOptions(values, deps.env ?? process.env, io)
      if (action === 'import') {
        if (rest.length !== 1) {
          throw new UsageError(
            rest.length === 0 ? 'name the file to import' : 'import takes one file at a time',
          )
        }
        if (values.from !== undefined || values.to !== undefined) {
          throw new UsageError('--from and --to belong to `events list`')
        }
        return runImport(rest[0] as string, values, storage, io)
      }
      if (action === 'list') {
        if (rest.length > 0) throw new UsageError(`list takes no files; got "${rest[0] ?? ''}"`)
        if (values.format !== undefined || values['dry-run'] === true) {
          throw new UsageError('--format and --dry-run belong to `events import`')
        }
        return runList(values, storage, io)
      }
      throw new UsageError(
        action === undefined
          ? 'say what to do: events import <file> or events list'
          : `unknown action "${action}"; expected import or list`,
      )
    },
  }
}

export const eventsCommand: Command = createEventsCommand()
