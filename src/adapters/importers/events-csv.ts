/**
 * Game events from a CSV file (header `ts_ms,type,team,asset_id,score,map,note`, plus the
 * optional columns `market`, `player`, `ts_video_ms`, `source`), all or nothing: one bad row
 * and the whole file is refused, with every bad row listed by line number. Rows go through
 * {@link validateGameEvent}, so the rules and messages are the API's. See docs/GAME_EVENTS.md.
 */
import {
  GAME_EVENT_FIELDS,
  validateGameEvent,
  type GameEvent,
  type GameEventDefaults,
} from '../../domain/game-events.js'

/** The columns a file must have; the others in {@link GAME_EVENT_FIELDS} may be left out. */
export const REQUIRED_EVENT_COLUMNS = ['ts_ms', 'type'] as const

/** More rows than any match needs; past this the file is refused before any row is checked. */
export const MAX_EVENT_ROWS = 100_000

/** The message lists this many problems; `problems` holds them all. */
export const MAX_PROBLEMS_SHOWN = 200

export type GameEventsCsvProblem = { readonly line: number; readonly message: string }

/**
 * A refused file. `problems` holds every problem of every bad row (line 1 is the header); the
 * message lists the first {@link MAX_PROBLEMS_SHOWN}.
 */
export class GameEventsCsvError extends Error {
  readonly code = 'EVENTS_CSV_INVALID'
  readonly problems: readonly GameEventsCsvProblem[]

  constructor(problems: readonly GameEventsCsvProblem[]) {
    const rows = new Set(problems.map((p) => p.line)).size
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN)
    const hidden = problems.length - shown.length
    super(
      `${rows === 1 ? 'a row is' : `${rows} rows are`} invalid, nothing was imported:\n` +
        shown.map((p) => `  line ${p.line}: ${p.message}`).join('\n') +
        (hidden > 0 ? `\n  … and ${hidden} more problems (all are in \`problems\`)` : ''),
    )
    this.name = 'GameEventsCsvError'
    this.problems = problems
  }
}

/** One CSV record: its fields and the physical line it starts on. */
type CsvRecord = { readonly line: number; readonly fields: string[] }

/**
 * Splits CSV text (RFC 4180: quoted fields with `""` escapes, which may span lines; CRLF or LF)
 * into records. Blank lines are skipped. Throws {@link GameEventsCsvError} for an unterminated
 * quote or text after a closing quote.
 */
function splitCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let line = 1
  let recordLine = 1
  let i = 0
  let atFieldStart = true
  const endRecord = (): void => {
    fields.push(field)
    const blank = fields.length === 1 && (fields[0] as string).trim() === ''
    if (!blank) records.push({ line: recordLine, fields })
    fields = []
    field = ''
    atFieldStart = true
  }
  while (i < text.length) {
    const c = text[i] as string
    if (atFieldStart && c === '"') {
      const quoteLine = line
      i++
      for (;;) {
        if (i >= text.length) {
          throw new GameEventsCsvError([
            { line: quoteLine, message: 'a quoted field is never closed (missing ")' },
          ])
        }
        const q = text[i] as string
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        if (q === '\n') line++
        field += q
        i++
      }
      const next = text[i]
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new GameEventsCsvError([
          { line, message: 'text after a closing quote; quote the whole field and double any "' },
        ])
      }
      atFieldStart = false
      continue
    }
    atFieldStart = false
    if (c === ',') {
      fields.push(field)
      field = ''
      atFieldStart = true
      i++
    } else if (c === '\n' || c === '\r') {
      endRecord()
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
      recordLine = line
    } else {
      field += c
      i++
    }
  }
  if (field !== '' || fields.length > 0) endRecord()
  return records
}

/**
 * Parses a whole events CSV. The header is required; columns may come in any order; an
 * unknown or repeated column is an error. Every row needs `market` or `asset_id`, or the
 * matching default in `options`. A UTF-8 byte order mark, CRLF line ends and blank lines are
 * accepted. Throws {@link GameEventsCsvError} listing every bad row by line number, and
 * returns nothing in that case, so a caller never imports half a file.
 */
export function parseGameEventsCsv(text: string, options: GameEventDefaults = {}): GameEvent[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  const records = splitCsv(body)
  const headerRecord = records[0]
  if (headerRecord === undefined) {
    throw new GameEventsCsvError([
      { line: 1, message: `the file is empty; expected a header like ${exampleHeader()}` },
    ])
  }
  const header = headerRecord.fields.map((name) => name.trim().toLowerCase())
  const headerProblems: string[] = []
  const unknown = header.filter((name) => !(GAME_EVENT_FIELDS as readonly string[]).includes(name))
  if (unknown.length > 0) {
    headerProblems.push(
      `unknown column${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}; ` +
        `the columns are ${GAME_EVENT_FIELDS.join(', ')}`,
    )
  }
  const repeated = header.filter((name, i) => header.indexOf(name) !== i)
  if (repeated.length > 0) {
    headerProblems.push(`column ${[...new Set(repeated)].join(', ')} appears more than once`)
  }
  const missing = REQUIRED_EVENT_COLUMNS.filter((name) => !header.includes(name))
  if (missing.length > 0) {
    headerProblems.push(
      `the header lacks ${missing.join(', ')}; expected a header like ${exampleHeader()}`,
    )
  }
  if (headerProblems.length > 0) {
    throw new GameEventsCsvError(
      headerProblems.map((message) => ({ line: headerRecord.line, message })),
    )
  }
  const rows = records.slice(1)
  if (rows.length === 0) {
    throw new GameEventsCsvError([
      { line: headerRecord.line, message: 'the file has a header but no event rows' },
    ])
  }
  if (rows.length > MAX_EVENT_ROWS) {
    throw new GameEventsCsvError([
      {
        line: headerRecord.line,
        message: `the file has ${rows.length} rows; at most ${MAX_EVENT_ROWS} per import, split it`,
      },
    ])
  }

  const defaults: GameEventDefaults = { ...options, source: options.source ?? 'csv' }
  const events: GameEvent[] = []
  const problems: GameEventsCsvProblem[] = []
  for (const row of rows) {
    if (row.fields.length !== header.length) {
      problems.push({
        line: row.line,
        message: `${row.fields.length} fields, the header has ${header.length}; quote fields that contain commas`,
      })
      continue
    }
    const input = Object.fromEntries(header.map((name, i) => [name, row.fields[i]]))
    const result = validateGameEvent(input, defaults)
    if (result.ok) events.push(result.event)
    else for (const message of result.errors) problems.push({ line: row.line, message })
  }
  if (problems.length > 0) throw new GameEventsCsvError(problems)
  return events
}

function exampleHeader(): string {
  return 'ts_ms,type,team,asset_id,score,map,note'
}

/** True when the first line looks like an events CSV header (for format detection). */
export function looksLikeEventsCsv(text: string): boolean {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  const first = (body.split('\n', 1)[0] ?? '').replace(/\r$/, '')
  const names = first.split(',').map((n) => n.trim().toLowerCase())
  return REQUIRED_EVENT_COLUMNS.every((name) => names.includes(name)) && !names.includes('event_id')
}
