/**
 * What the daemon needs from its collaborators, as small types: the store methods it calls
 * and the signal engine's surface. The real store (`openStore`) and engine satisfy them; tests
 * can pass fakes.
 */
import type {
  BookSnapshotRecord,
  GameEventFilter,
  MarketRecord,
  SignalRecord,
  SignalReversionRecord,
  StoredGameEvent,
  TokenRecord,
  TradeRecord,
} from '../../adapters/storage/records.js'
import type { MarketEvent } from '../../domain/book/book-events.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { GameEvent } from '../../domain/game-events.js'

export type DaemonStore = {
  /** File path, `:memory:` or `host:port/database`; never a password. */
  readonly location: string
  upsertMarket(market: MarketRecord, tokens: readonly TokenRecord[]): Promise<void>
  insertBookSnapshots(records: readonly BookSnapshotRecord[]): Promise<void>
  insertTrades(records: readonly TradeRecord[]): Promise<number>
  insertSignal(signal: SignalRecord): Promise<number>
  updateSignalReversion(id: number, reversion: SignalReversionRecord): Promise<void>
  insertGameEvents(events: readonly GameEvent[]): Promise<number[]>
  listGameEvents(filter: GameEventFilter): Promise<StoredGameEvent[]>
  /** Removes one game event (undo in the dashboard's logger); false when the id is unknown. */
  deleteGameEvent(id: number): Promise<boolean>
  close(): Promise<void>
}

/** A signal as the engine raises it. */
export type EngineSignal = {
  readonly id: string | number
  readonly type: string
  readonly assetId: string
  readonly market: string | null
  readonly ts: number
  readonly score: number
  readonly volumeRatio: number | null
  readonly spreadRatio: number | null
  readonly depthRatio: number | null
  readonly priceChange: number | null
  readonly refPrice: number | null
  /** The engine's id of the complement-token signal this one mirrors. */
  readonly mirrorOf: string | number | null
  readonly inputs: Readonly<Record<string, unknown>>
}

export type EngineReversion = SignalReversionRecord

export type SignalCallbacks = {
  onSignal(signal: EngineSignal): void
  onReversion(signal: EngineSignal, reversion: EngineReversion): void
}

export type SignalEngineLike = {
  onEvent(event: MarketEvent): void
  onBookChanged(book: BookView, event: MarketEvent): void
  finish(ts: number): void
}

/** Builds the engine from the config's `signals` value (validated by the engine). */
export type SignalEngineFactory = (
  config: unknown,
  callbacks: SignalCallbacks,
  options: { readonly complementOf: (assetId: string) => string | undefined },
) => SignalEngineLike
