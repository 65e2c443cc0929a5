/**
 * The game events of a capture's match: those stored for its markets and tokens, plus an
 * events CSV kept beside the capture (`<capture>.events.csv` next to a capture file, with the
 * `.ndjson(.gz)` suffix replaced; `events.csv` inside a capture directory), read with the
 * importer's rules (docs/GAME_EVENTS.md).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GameEventsCsvError, parseGameEventsCsv } from '../../adapters/importers/events-csv.js'
import type { GameEventFilter, StoredGameEvent } from '../../adapters/storage/records.js'
import { PlaybackQueryError } from '../../adapters/web/playback-types.js'
import type { CaptureEvent, CaptureEventsAnswer } from '../../contracts/playback.js'
import type { GameEvent } from '../../domain/game-events.js'
import type { MarketId } from '../../domain/market.js'
import type { CaptureEntry } from './playback-capture-files.js'

const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/

/** Where an events file for the capture would be. */
export function eventsCsvPath(entry: Pick<CaptureEntry, 'kind' | 'path'>): string {
  return entry.kind === 'directory'
    ? join(entry.path, 'events.csv')
    : entry.path.replace(/\.ndjson(\.gz)?$/, '') + '.events.csv'
}

export type CaptureEventsInput = {
  readonly entry: Pick<CaptureEntry, 'kind' | 'path' | 'name'>
  /** The capture's condition ids. */
  readonly markets: readonly string[]
  /** Its tokens whose market is unknown. */
  readonly orphanTokens: readonly string[]
  readonly list: ((filter: GameEventFilter) => Promise<StoredGameEvent[]>) | null
}

/** @throws PlaybackQueryError (422) when the CSV beside the capture is invalid. */
export async function captureEvents(input: CaptureEventsInput): Promise<CaptureEventsAnswer> {
  const events: CaptureEvent[] = []
  const seen = new Set<number>()
  const add = (stored: readonly StoredGameEvent[]): void => {
    for (const e of stored) {
      if (seen.has(e.id)) continue
      seen.add(e.id)
      events.push(eventJson(e, e.id))
    }
  }
  if (input.list !== null) {
    for (const market of input.markets) add(await input.list({ market }))
    for (const assetId of input.orphanTokens) add(await input.list({ assetId }))
  }
  const path = eventsCsvPath(input.entry)
  let text: string | null = null
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PlaybackQueryError(
        422,
        `cannot read the events file ${path}: ${(e as Error).message}`,
      )
    }
  }
  if (text !== null) {
    const markets = input.markets.filter((m) => CONDITION_ID.test(m))
    const only = markets.length === 1 ? (markets[0] as MarketId) : undefined
    try {
      for (const e of parseGameEventsCsv(text, { market: only, source: 'csv' })) {
        events.push(eventJson(e, null))
      }
    } catch (e) {
      if (!(e instanceof GameEventsCsvError)) throw e
      throw new PlaybackQueryError(
        422,
        `the events file ${path} beside capture "${input.entry.name}" is invalid; fix or remove it`,
        e.problems.slice(0, 50).map((p) => `line ${p.line}: ${p.message}`),
      )
    }
  }
  events.sort((a, b) => a.ts_ms - b.ts_ms || (a.id ?? Infinity) - (b.id ?? Infinity))
  return { events, csv: text === null ? null : path }
}

function eventJson(e: GameEvent, id: number | null): CaptureEvent {
  return {
    id,
    ts_ms: e.ts,
    type: e.type,
    market: e.market,
    asset_id: e.assetId,
    team: e.team,
    player: e.player,
    score: e.score,
    map: e.mapNumber,
    note: e.note,
    ts_video_ms: e.tsVideo,
    source: e.source,
  }
}
