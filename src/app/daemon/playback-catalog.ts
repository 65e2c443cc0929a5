/**
 * The dashboard's view of recorded captures: lists them with what is known without reading
 * them through (header, index state), and on first use of one builds its playback index and
 * replays it once ({@link scanCapture}) for signals, the chart's series and its markets. The
 * analysis is kept in memory per capture until the capture's files change; concurrent callers
 * share one analysis and each hears its progress.
 */
import {
  CaptureIndexError,
  ensureCaptureIndex,
  loadCaptureIndex,
  locateCapture,
  type CaptureIndex,
} from '../../adapters/capture/capture-index.js'
import { stat } from 'node:fs/promises'
import type { Logger } from '../../adapters/log.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import type { KnownToken } from '../../adapters/storage/match-settings-repo.js'
import type {
  CaptureDetail,
  CaptureMarket,
  CapturesAnswer,
  CaptureSummary,
  CaptureToken,
  IndexState,
} from '../../contracts/playback.js'
import type { FrameParser } from '../../engine/market-data.js'
import {
  CountingParser,
  estimateTextBytes,
  findCaptures,
  readCaptureHeader,
  type CaptureEntry,
} from './playback-capture-files.js'
import { scanCapture, type CaptureScan } from './playback-scan.js'
import type { SignalEngineFactory } from './ports.js'

const TOKEN_ID = /^\d{1,100}$/
const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/
const PROGRESS_EVERY_FRAMES = 4_096
const PROGRESS_MIN_MS = 100

export type ProgressListener = (
  stage: 'index' | 'scan',
  fraction: number | null,
  frames: number,
) => void

/** No capture of that name in the capture directories. */
export class CaptureNotFoundError extends Error {
  readonly code = 'CAPTURE_NOT_FOUND'
  constructor(name: string, dirs: readonly string[]) {
    super(
      `no capture named "${name.slice(0, 200)}" in ${dirs.join(', ') || 'the capture directories'}; GET /api/captures lists them`,
    )
    this.name = 'CaptureNotFoundError'
  }
}

/** The capture exists but cannot be read or indexed (not a capture, damaged beyond reading). */
export class CaptureUnreadableError extends Error {
  readonly code = 'CAPTURE_UNREADABLE'
  constructor(name: string, reason: string, options?: { cause?: unknown }) {
    super(`capture "${name}" cannot be played: ${reason}`, options)
    this.name = 'CaptureUnreadableError'
  }
}

export type CatalogOptions = {
  /** Searched in this order; the first directory holding a name wins. */
  readonly dirs: readonly string[]
  readonly signalEngine: SignalEngineFactory
  /** The daemon's `signals` configuration value, as the live engine gets it. */
  readonly signalConfig: unknown
  /** What the database knows of these tokens; absent = nothing. */
  readonly knownTokens?: (tokenIds: readonly string[]) => Promise<KnownToken[]>
  readonly parser?: FrameParser
  readonly log: Logger
  /** Monotonic ms for progress pacing; default performance.now. */
  readonly monotonicMs?: () => number
}

/** A capture ready to play: its entry, loaded index, one replay's results and its detail. */
export type CaptureAnalysis = {
  readonly entry: CaptureEntry
  readonly index: CaptureIndex
  readonly scan: CaptureScan
  readonly detail: CaptureDetail
  readonly parser: FrameParser
}

type Listed = {
  readonly fingerprint: string
  readonly indexStamp: string
  readonly header: {
    startedAt: number | null
    startedBy: string | null
    assets: string[]
    markets: string[]
  }
  readonly state: IndexState
  readonly error: string | null
  readonly first: number | null
  readonly last: number | null
  readonly tokens: readonly string[]
}

type Job = {
  readonly fingerprint: string
  readonly listeners: Set<ProgressListener>
  readonly promise: Promise<CaptureAnalysis>
  /** Set once the analysis succeeded. */
  result: CaptureAnalysis | null
}

export class CaptureCatalog {
  private readonly _listed = new Map<string, Listed>()
  private readonly _jobs = new Map<string, Job>()
  private readonly _parser: FrameParser
  private readonly _monotonic: () => number

  constructor(private readonly _o: CatalogOptions) {
    this._parser = _o.parser ?? polymarketFrameParser
    this._monotonic = _o.monotonicMs ?? (() => performance.now())
  }

  get dirs(): readonly string[] {
    return this._o.dirs
  }

  /** Every capture, newest first, with the state of its index. */
  async list(): Promise<CapturesAnswer> {
    const found = await findCaptures(this._o.dirs)
    const rows: { entry: CaptureEntry; listed: Listed }[] = []
    for (const entry of found.entries) rows.push({ entry, listed: await this._describe(entry) })
    const ids = new Set<string>()
    for (const { listed } of rows) for (const t of listed.tokens) ids.add(t)
    const known = await this._known([...ids])
    const captures = rows.map(({ entry, listed }) => this._summary(entry, listed, known))
    captures.sort(
      (a, b) =>
        (b.started_at ?? b.modified_at) - (a.started_at ?? a.modified_at) ||
        a.name.localeCompare(b.name),
    )
    return { captures, dirs: found.dirs }
  }

  /** @throws CaptureNotFoundError */
  async find(name: string): Promise<CaptureEntry> {
    const found = await findCaptures(this._o.dirs)
    const entry = found.entries.find((e) => e.name === name)
    if (entry === undefined) throw new CaptureNotFoundError(name, this._o.dirs)
    return entry
  }

  /**
   * The capture indexed and scanned (at once when done before and unchanged since).
   * @throws CaptureNotFoundError, CaptureUnreadableError
   */
  async analyze(name: string, onProgress?: ProgressListener): Promise<CaptureAnalysis> {
    const entry = await this.find(name)
    let job = this._jobs.get(entry.path)
    if (job === undefined || job.fingerprint !== entry.fingerprint) {
      const listeners = new Set<ProgressListener>()
      const promise = this._analyze(entry, listeners)
      const created: Job = { fingerprint: entry.fingerprint, listeners, promise, result: null }
      job = created
      this._jobs.set(entry.path, created)
      promise.then(
        (result) => (created.result = result),
        () => {
          // A failed analysis is not kept: the next call tries again.
          if (this._jobs.get(entry.path) === created) this._jobs.delete(entry.path)
        },
      )
    }
    if (onProgress !== undefined) job.listeners.add(onProgress)
    try {
      return await job.promise
    } finally {
      if (onProgress !== undefined) job.listeners.delete(onProgress)
    }
  }

  private async _analyze(
    entry: CaptureEntry,
    listeners: ReadonlySet<ProgressListener>,
  ): Promise<CaptureAnalysis> {
    const log = this._o.log
    const warnings: string[] = []
    let total: number | null = null
    try {
      total = await estimateTextBytes(entry.files)
    } catch (e) {
      throw new CaptureUnreadableError(entry.name, messageOf(e), { cause: e })
    }
    const tell = (stage: 'index' | 'scan', fraction: number | null, frames: number): void => {
      for (const listener of listeners) listener(stage, fraction, frames)
    }
    const counting = (stage: 'index' | 'scan'): CountingParser => {
      let lastReport = this._monotonic()
      const parser: CountingParser = new CountingParser(this._parser, () => {
        if (parser.frames % PROGRESS_EVERY_FRAMES !== 0) return
        const now = this._monotonic()
        if (now - lastReport < PROGRESS_MIN_MS) return
        lastReport = now
        tell(stage, fractionOf(parser.bytes, total), parser.frames)
      })
      return parser
    }
    let index: CaptureIndex
    const indexParser = counting('index')
    try {
      const ensured = await ensureCaptureIndex(entry.path, {
        parser: indexParser,
        onWarning: (message) => {
          if (warnings.length < 50) warnings.push(message)
        },
      })
      index = ensured.index
      if (ensured.built) {
        log.info({ capture: entry.name, reason: ensured.reason }, 'capture indexed for playback')
        tell('index', 1, indexParser.frames)
      }
    } catch (e) {
      throw new CaptureUnreadableError(entry.name, messageOf(e), { cause: e })
    }
    const indexTokens = index.strings.filter((s) => TOKEN_ID.test(s))
    const knownBefore = await this._known(indexTokens)
    const complements = complementsOf(knownBefore)
    const scanParser = counting('scan')
    let scan: CaptureScan
    try {
      scan = await scanCapture(index, scanParser, {
        signalEngine: this._o.signalEngine,
        signalConfig: this._o.signalConfig,
        complementOf: (assetId) => complements.get(assetId),
      })
    } catch (e) {
      throw new CaptureUnreadableError(entry.name, messageOf(e), { cause: e })
    }
    tell('scan', 1, scanParser.frames)
    for (const message of scan.warnings) if (!warnings.includes(message)) warnings.push(message)
    const tokens = unique([...scan.assets, ...indexTokens])
    const known = knownBefore.length > 0 ? knownBefore : await this._known(tokens)
    const listed = await this._describe(entry)
    const summary = this._summary(entry, { ...listed, tokens }, known, scan)
    const detail: CaptureDetail = {
      ...summary,
      index: 'ready',
      indexed: true,
      error: null,
      first_ms: scan.firstMs,
      last_ms: scan.lastMs,
      frames: scan.frames,
      trades: scan.trades,
      signals: scan.signals.length,
      warnings,
      ...marketsOf(tokens, scan, known),
    }
    return { entry, index, scan, detail, parser: this._parser }
  }

  /** What the listing shows of a capture; cached until its files or its index change. */
  private async _describe(entry: CaptureEntry): Promise<Listed> {
    let location
    try {
      location = await locateCapture(entry.path)
    } catch (e) {
      return unreadable(entry, messageOf(e))
    }
    let indexStamp = 'none'
    try {
      const info = await stat(location.indexPath)
      indexStamp = `${info.size}:${info.mtimeMs}`
    } catch {
      // No index file: the state is "missing", found below without reading anything.
    }
    const cached = this._listed.get(entry.path)
    if (
      cached !== undefined &&
      cached.fingerprint === entry.fingerprint &&
      cached.indexStamp === indexStamp
    ) {
      return cached
    }
    let header: Listed['header']
    try {
      const h = await readCaptureHeader(entry.files[0]!)
      const source = h.source ?? {}
      header = {
        startedAt: h.tLocal,
        startedBy: h.startedBy,
        assets: textList(source.assets).filter((t) => TOKEN_ID.test(t)),
        markets: textList(source.markets).filter((m) => CONDITION_ID.test(m)),
      }
    } catch (e) {
      const listed = unreadable(entry, messageOf(e))
      this._listed.set(entry.path, { ...listed, indexStamp })
      return listed
    }
    let listed: Listed = {
      fingerprint: entry.fingerprint,
      indexStamp,
      header,
      state: 'missing',
      error: null,
      first: null,
      last: null,
      tokens: header.assets,
    }
    if (indexStamp !== 'none') {
      try {
        const index = await loadCaptureIndex(entry.path)
        const summary = index.header.summary
        listed = {
          ...listed,
          state: 'ready',
          first: summary.firstClock,
          last: summary.lastClock,
          tokens: unique([...index.strings.filter((s) => TOKEN_ID.test(s)), ...header.assets]),
        }
      } catch (e) {
        if (!(e instanceof CaptureIndexError)) {
          listed = { ...listed, state: 'unreadable', error: messageOf(e) }
        } else if (e.code === 'CAPTURE_INDEX_STALE') listed = { ...listed, state: 'stale' }
        else if (e.code === 'CAPTURE_INDEX_CORRUPT') listed = { ...listed, state: 'corrupt' }
        else listed = { ...listed, state: 'missing' }
      }
    }
    this._listed.set(entry.path, listed)
    return listed
  }

  private _summary(
    entry: CaptureEntry,
    listed: Listed,
    known: readonly KnownToken[],
    scan?: CaptureScan,
  ): CaptureSummary {
    const analyzed = scan ?? this._cachedScan(entry)
    const tokens = new Set(listed.tokens)
    const markets = new Set(listed.header.markets)
    for (const k of known) if (tokens.has(k.tokenId)) markets.add(k.market)
    if (analyzed !== undefined) for (const m of analyzed.marketOf.values()) markets.add(m)
    return {
      name: entry.name,
      kind: entry.kind,
      dir: entry.dir,
      files: entry.files.length,
      size_bytes: entry.sizeBytes,
      modified_at: entry.modifiedMs,
      started_at: listed.header.startedAt,
      started_by: listed.header.startedBy,
      first_ms: listed.first,
      last_ms: listed.last,
      tokens: [...tokens],
      markets: [...markets].sort(),
      indexed: listed.state === 'ready',
      index: listed.state,
      error: listed.error,
    }
  }

  private _cachedScan(entry: CaptureEntry): CaptureScan | undefined {
    const job = this._jobs.get(entry.path)
    // Finished analyses only: a pending one adds nothing to a listing.
    if (job === undefined || job.fingerprint !== entry.fingerprint) return undefined
    return job.result?.scan
  }

  private async _known(tokenIds: readonly string[]): Promise<KnownToken[]> {
    const lookup = this._o.knownTokens
    if (lookup === undefined || tokenIds.length === 0) return []
    try {
      return await lookup(tokenIds)
    } catch (e) {
      this._o.log.warn({ err: messageOf(e) }, 'cannot look up capture tokens in the database')
      return []
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)]
}

function textList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function fractionOf(bytes: number, total: number | null): number | null {
  if (total === null || !(total > 0)) return null
  return Math.min(0.99, bytes / total)
}

function unreadable(entry: CaptureEntry, error: string): Listed {
  return {
    fingerprint: entry.fingerprint,
    indexStamp: 'none',
    header: { startedAt: null, startedBy: null, assets: [], markets: [] },
    state: 'unreadable',
    error,
    first: null,
    last: null,
    tokens: [],
  }
}

/** Two-outcome markets the database knows: each token's other outcome. */
function complementsOf(known: readonly KnownToken[]): Map<string, string> {
  const byMarket = new Map<string, KnownToken[]>()
  for (const k of known) byMarket.set(k.market, [...(byMarket.get(k.market) ?? []), k])
  const out = new Map<string, string>()
  for (const tokens of byMarket.values()) {
    const [a, b] = tokens
    if (tokens.length === 2 && a !== undefined && b !== undefined) {
      out.set(a.tokenId, b.tokenId)
      out.set(b.tokenId, a.tokenId)
    }
  }
  return out
}

function marketsOf(
  tokens: readonly string[],
  scan: CaptureScan,
  known: readonly KnownToken[],
): { markets_detail: CaptureMarket[]; token_details: CaptureToken[] } {
  const byToken = new Map(known.map((k) => [k.tokenId, k]))
  const details: CaptureToken[] = tokens.map((id) => ({
    token_id: id,
    market: scan.marketOf.get(id) ?? byToken.get(id)?.market ?? null,
    outcome: byToken.get(id)?.outcome ?? null,
  }))
  const markets = new Map<string, CaptureMarket>()
  for (const token of details) {
    if (token.market === null) continue
    let market = markets.get(token.market)
    if (market === undefined) {
      const info = known.find((k) => k.market === token.market)
      market = {
        condition_id: token.market,
        question: info?.question ?? null,
        slug: info?.slug ?? null,
        tokens: [],
      }
      markets.set(token.market, market)
    }
    market.tokens.push(token)
  }
  for (const market of markets.values()) {
    market.tokens.sort((a, b) => {
      const ia = byToken.get(a.token_id)?.outcomeIndex ?? Number.MAX_SAFE_INTEGER
      const ib = byToken.get(b.token_id)?.outcomeIndex ?? Number.MAX_SAFE_INTEGER
      return ia - ib
    })
  }
  return { markets_detail: [...markets.values()], token_details: details }
}
