/**
 * One replay of a capture for the dashboard: the signals the daemon's signal engine raises on
 * it (same engine and configuration as live, fed the same way as the live pipeline feeds it),
 * the top of every token's book after each frame that moved it (the chart's series), and the
 * market of every token. Reads through the capture's playback index from its start, in replay
 * order, with the playback clock of docs/PLAYBACK.md, so a series point at `t` is exactly the
 * top a seek to `t` shows.
 */
import type { MarketEvent } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { FrameMeta, FrameParser } from '../../engine/market-data.js'
import { MarketData } from '../../engine/market-data.js'
import {
  advanceClock,
  applyParsedFrame,
  frameVenueTime,
  parseFrameBytes,
  parseFrameText,
} from '../../engine/playback/frame-step.js'
import type {
  PlaybackMarker,
  PlaybackSource,
  RecordVisitor,
} from '../../engine/playback/playback-ports.js'
import type { ParseResult } from '../../engine/frame-parser.js'
import type {
  EngineReversion,
  EngineSignal,
  SignalEngineFactory,
  SignalEngineLike,
} from './ports.js'

/** The placeholder condition id importers write when the data has none. */
const UNKNOWN_MARKET = `0x${'0'.repeat(64)}`
/** No price on that side. */
export const NO_PRICE = -1

/** A token's top of book after each frame that changed it, in playback-clock order. */
export type TopSeries = {
  readonly clocks: number[]
  /** Ticks, {@link NO_PRICE} for an empty side. */
  readonly bids: number[]
  readonly asks: number[]
}

export type ScannedSignal = {
  readonly id: number
  readonly type: string
  readonly ts: number
  readonly assetId: string
  readonly market: string | null
  readonly score: number
  readonly volumeRatio: number | null
  readonly spreadRatio: number | null
  readonly depthRatio: number | null
  readonly priceChange: number | null
  readonly refPrice: number | null
  readonly mirrorOf: number | null
  reversion: EngineReversion | null
}

export type CaptureScan = {
  readonly frames: number
  readonly trades: number
  /** Playback clock of the first and last timed frame; null without any. */
  readonly firstMs: number | null
  readonly lastMs: number | null
  /** Token ids in order of first appearance. */
  readonly assets: readonly string[]
  /** Condition id per token, from the frames. */
  readonly marketOf: ReadonlyMap<string, string>
  readonly tops: ReadonlyMap<string, TopSeries>
  readonly signals: readonly ScannedSignal[]
  /** Damage the reader skipped, and signal engine failures. */
  readonly warnings: readonly string[]
}

export type ScanOptions = {
  /** The daemon's signal engine factory and its configuration (the `signals` config value). */
  readonly signalEngine: SignalEngineFactory
  readonly signalConfig: unknown
  /** The other outcome's token, when known; undefined lets the engine infer it. */
  readonly complementOf?: (assetId: string) => string | undefined
}

const MAX_WARNINGS = 50

/** Replays the capture behind `source` from its start. */
export async function scanCapture(
  source: PlaybackSource,
  parser: FrameParser,
  options: ScanOptions,
): Promise<CaptureScan> {
  const scanner = new Scanner(parser, options)
  const start = await source.loadCheckpoint(0)
  const cursor = await source.openCursor(start.position)
  try {
    await cursor.read(scanner)
    for (const message of cursor.takeWarnings()) scanner.warn(message)
  } finally {
    await cursor.close()
  }
  return scanner.finish()
}

class Scanner implements RecordVisitor {
  private readonly _market: MarketData
  private readonly _engine: SignalEngineLike
  private readonly _touched = new Set<BookView>()
  private readonly _tops = new Map<string, TopSeries>()
  private readonly _marketOf = new Map<string, string>()
  private readonly _assets: string[] = []
  private readonly _seen = new Set<string>()
  private readonly _signals: ScannedSignal[] = []
  private readonly _byEngineId = new Map<string | number, ScannedSignal>()
  private readonly _warnings: string[] = []
  private _clock = Number.NEGATIVE_INFINITY
  private _first: number | null = null
  private _frames = 0
  private _trades = 0
  private _engineErrors = 0
  private _firstEngineError = ''

  constructor(
    private readonly _parser: FrameParser,
    options: ScanOptions,
  ) {
    this._engine = options.signalEngine(
      options.signalConfig,
      {
        onSignal: (signal) => this._onSignal(signal),
        onReversion: (signal, reversion) => {
          const scanned = this._byEngineId.get(signal.id)
          if (scanned !== undefined) scanned.reversion = reversion
        },
      },
      { complementOf: options.complementOf ?? (() => undefined) },
    )
    this._market = new MarketData(_parser, {
      onEvent: (event) => this._onEvent(event),
      onBookChanged: (book, event) => {
        this._touched.add(book)
        this._guard(() => this._engine.onBookChanged(book, event))
      },
    })
  }

  frameBytes(bytes: Uint8Array, start: number, end: number, tLocal: number, conn: string): boolean {
    this._frame(parseFrameBytes(this._parser, bytes, start, end), { tLocal, conn })
    return true
  }

  frameText(raw: string, value: unknown, tLocal: number, conn: string): boolean {
    this._frame(parseFrameText(this._parser, raw, value), { tLocal, conn })
    return true
  }

  marker(_marker: PlaybackMarker): boolean {
    return true
  }

  warn(message: string): void {
    if (this._warnings.length < MAX_WARNINGS) this._warnings.push(message)
  }

  finish(): CaptureScan {
    const last = this._clock === Number.NEGATIVE_INFINITY ? null : this._clock
    if (last !== null) this._guard(() => this._engine.finish(last))
    if (this._engineErrors > 0) {
      this.warn(
        `the signal engine failed on ${this._engineErrors} event(s), the first with: ${this._firstEngineError}`,
      )
    }
    return {
      frames: this._frames,
      trades: this._trades,
      firstMs: this._first,
      lastMs: last,
      assets: this._assets,
      marketOf: this._marketOf,
      tops: this._tops,
      signals: this._signals,
      warnings: this._warnings,
    }
  }

  private _frame(result: ParseResult, meta: FrameMeta): void {
    const next = advanceClock(this._clock, frameVenueTime(result))
    this._clock = next
    if (this._first === null && next !== Number.NEGATIVE_INFINITY) this._first = next
    applyParsedFrame(this._market, result, meta, undefined)
    this._frames++
    if (this._touched.size === 0) return
    for (const book of this._touched) this._recordTop(book, next)
    this._touched.clear()
  }

  private _recordTop(book: BookView, clock: number): void {
    const id = book.assetId
    let series = this._tops.get(id)
    if (series === undefined) {
      series = { clocks: [], bids: [], asks: [] }
      this._tops.set(id, series)
    }
    const bid = book.bestBid() ?? NO_PRICE
    const ask = book.bestAsk() ?? NO_PRICE
    const n = series.clocks.length
    if (n > 0 && series.bids[n - 1] === bid && series.asks[n - 1] === ask) return
    if (n > 0 && series.clocks[n - 1] === clock) {
      // Several frames at one clock: only the state after the last of them is ever shown.
      series.bids[n - 1] = bid
      series.asks[n - 1] = ask
      return
    }
    series.clocks.push(clock)
    series.bids.push(bid)
    series.asks.push(ask)
  }

  private _onEvent(event: MarketEvent): void {
    if (event.type === 'price_change') {
      for (const change of event.changes) this._note(change.assetId, event.market)
    } else if ('assetId' in event) {
      this._note(event.assetId, event.market)
    }
    if (event.type === 'last_trade_price') this._trades++
    this._guard(() => this._engine.onEvent(event))
  }

  private _note(assetId: string | undefined, market: string | undefined): void {
    if (assetId === undefined || assetId === '') return
    if (!this._seen.has(assetId)) {
      this._seen.add(assetId)
      this._assets.push(assetId)
    }
    if (market !== undefined && market !== '' && market !== UNKNOWN_MARKET) {
      if (!this._marketOf.has(assetId)) this._marketOf.set(assetId, market)
    }
  }

  private _onSignal(signal: EngineSignal): void {
    const mirror = signal.mirrorOf === null ? undefined : this._byEngineId.get(signal.mirrorOf)
    const scanned: ScannedSignal = {
      id: this._signals.length + 1,
      type: signal.type,
      ts: signal.ts,
      assetId: signal.assetId,
      market:
        signal.market === null || signal.market === UNKNOWN_MARKET
          ? (this._marketOf.get(signal.assetId) ?? null)
          : signal.market,
      score: signal.score,
      volumeRatio: signal.volumeRatio,
      spreadRatio: signal.spreadRatio,
      depthRatio: signal.depthRatio,
      priceChange: signal.priceChange,
      refPrice: signal.refPrice,
      mirrorOf: mirror?.id ?? null,
      reversion: null,
    }
    this._signals.push(scanned)
    this._byEngineId.set(signal.id, scanned)
  }

  /** A detector bug must not stop the scan: counted and reported as a warning. */
  private _guard(run: () => void): void {
    try {
      run()
    } catch (e) {
      if (this._engineErrors === 0)
        this._firstEngineError = e instanceof Error ? e.message : String(e)
      this._engineErrors++
    }
  }
}
