/**
 * Scenario `replay`: plays a recorded capture (a file or a directory of files) to subscribers
 * at the pace it was recorded, scaled by the server's speed. The books it serves are the ones
 * the recorded frames build, kept by a {@link MarketData}; snapshots on subscribe come from them.
 * The whole capture is loaded into memory first.
 */
import { stat } from 'node:fs/promises'
import type { Level, MarketEvent } from '../../domain/book/book-events.js'
import type { OrderBook } from '../../domain/book/order-book.js'
import { TICK_SIZE_TEXT } from '../../domain/market.js'
import { formatPrice, formatSize, type EpochMs } from '../../domain/units.js'
import { MarketData } from '../../engine/market-data.js'
import { listCaptureFiles, readCaptures, type CaptureWarning } from '../capture/capture-reader.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { simHash } from './rng.js'
import type { Scenario, SimEventInfo, SimFrame, SimLabel } from './scenario.js'
import type { WireBook } from './true-book.js'

type RecordedFrame = {
  readonly t: number
  readonly raw: string
  readonly events: readonly MarketEvent[]
  readonly assetIds: readonly string[]
}

export class ReplayLoadError extends Error {
  readonly code = 'REPLAY_CAPTURE_INVALID'
}

function eventAssets(event: MarketEvent): string[] {
  switch (event.type) {
    case 'price_change':
      return event.changes.map((c) => c.assetId)
    case 'new_market':
    case 'market_resolved':
      return [...event.assetIds]
    case 'book':
    case 'tick_size_change':
    case 'last_trade_price':
    case 'best_bid_ask':
      return [event.assetId]
  }
}

function eventMarket(event: MarketEvent): string {
  return event.market
}

export class ReplayScenario implements Scenario {
  readonly name = 'replay'
  readonly stepMs: number
  readonly labels: readonly SimLabel[] = []
  private readonly _frames: readonly RecordedFrame[]
  private readonly _md = new MarketData(polymarketFrameParser)
  private readonly _markets = new Map<string, string>()
  private _next = 0
  private _now: number

  /** Frames must be in time order (the capture reader merges files that way). */
  constructor(frames: readonly RecordedFrame[], stepMs = 100) {
    this._frames = frames
    this.stepMs = stepMs
    this._now = frames[0]?.t ?? 0
    for (const frame of frames) {
      for (const event of frame.events) {
        for (const id of eventAssets(event)) {
          if (!this._markets.has(id)) this._markets.set(id, eventMarket(event))
        }
      }
    }
  }

  /** Loads a capture file or directory. Rejects with a clear error when there is nothing to play. */
  static async load(
    path: string,
    options: { stepMs?: number; onWarning?: (w: CaptureWarning) => void } = {},
  ): Promise<ReplayScenario> {
    let isDir: boolean
    try {
      isDir = (await stat(path)).isDirectory()
    } catch (error) {
      throw new ReplayLoadError(
        `cannot open capture ${path}: ${(error as Error).message}; pass a capture file or directory`,
        { cause: error },
      )
    }
    const paths = isDir ? await listCaptureFiles(path) : [path]
    if (paths.length === 0) {
      throw new ReplayLoadError(`no capture files in ${path}; record one with \`tiltmeter record\``)
    }
    const frames: RecordedFrame[] = []
    const readOptions = options.onWarning ? { onWarning: options.onWarning } : {}
    await readCaptures(
      paths,
      (record) => {
        if (record.kind !== 'frame') return
        const parsed = polymarketFrameParser.parseValue(record.value, record.raw)
        if (parsed.ignored || parsed.events.length === 0) return
        const assetIds = [...new Set(parsed.events.flatMap(eventAssets))]
        frames.push({ t: record.tLocal, raw: record.raw, events: parsed.events, assetIds })
      },
      readOptions,
    )
    if (frames.length === 0) {
      throw new ReplayLoadError(`capture ${path} holds no market frames to replay`)
    }
    return new ReplayScenario(frames, options.stepMs)
  }

  get done(): boolean {
    return this._next >= this._frames.length
  }

  now(): EpochMs {
    return this._now as EpochMs
  }

  assetIds(): readonly string[] {
    return [...this._markets.keys()]
  }

  trueBook(assetId: string): OrderBook | undefined {
    return this._md.book(assetId)
  }

  events(): readonly SimEventInfo[] {
    return []
  }

  snapshot(assetId: string): WireBook | undefined {
    const market = this._markets.get(assetId)
    if (market === undefined) return undefined
    const book = this._md.book(assetId)
    const bids = book?.levels('bid').reverse() ?? []
    const asks = book?.levels('ask').reverse() ?? []
    const level = (l: Level) => ({ price: formatPrice(l.price), size: formatSize(l.size) })
    const last = this._md.tradeStats(assetId)?.lastPrice ?? null
    return {
      event_type: 'book',
      market,
      asset_id: assetId,
      timestamp: String(book?.lastUpdateTs || this._now),
      hash: simHash(`${assetId}:${book?.lastUpdateTs ?? 0}:${this._next}`),
      bids: bids.map(level),
      asks: asks.map(level),
      tick_size: TICK_SIZE_TEXT[book?.tickSize ?? 100] ?? '0.01',
      last_trade_price: last === null ? '0.5' : formatPrice(last),
    }
  }

  step(): SimFrame[] {
    this._now += this.stepMs
    const out: SimFrame[] = []
    const meta = { tLocal: this._now, conn: 'replay' }
    while (this._next < this._frames.length) {
      const frame = this._frames[this._next]!
      if (frame.t > this._now) break
      this._next++
      for (const event of frame.events) this._md.apply(event, meta)
      out.push({ assetIds: frame.assetIds, payload: null, raw: frame.raw })
    }
    return out
  }
}
