/**
 * What the live hub reads from the daemon and what it is told, as small types: the daemon
 * (src/app/daemon/live-wiring.ts) provides them, tests pass fakes.
 */
import type { Logger } from '../log.js'
import type {
  AlertMessage,
  BookHealth,
  HealthMessage,
  HelloMessage,
  LatencyMessage,
} from '../../contracts/live.js'
import type { BookView } from '../../domain/book/order-book.js'

/** The account bodies, exactly as `GET /api/orders`, `/api/positions` and `/api/risk` answer. */
export type AccountBodies = { orders: unknown; positions: unknown; risk: unknown }

export type AccountSource = {
  build(): Promise<AccountBodies>
  /** Change notifications; without it the hub polls {@link AccountSource.build}. */
  readonly subscribe?: ((listener: () => void) => () => void) | undefined
}

export type AlertLike = Omit<AlertMessage, 'type'>

export type AlertSource = {
  recent(limit?: number): readonly AlertLike[]
  subscribe(listener: (alert: AlertLike) => void): () => void
}

export type LiveHubSources = {
  /** Daemon wall clock, epoch ms. */
  now(): number
  book(tokenId: string): BookView | undefined
  /** The token's condition id; empty when unknown. */
  marketOf(tokenId: string): string
  healthOf(tokenId: string): BookHealth
  /** Every watched token. */
  tokens(): Iterable<string>
  feedState(): HealthMessage['feed']
  hello(): Omit<HelloMessage, 'type' | 'serverTime'>
  /** The account once trading is ready, else null. */
  account(): AccountSource | null
  alerts(): AlertSource | null
  latency(): Promise<LatencyMessage['stages']> | LatencyMessage['stages']
  readonly log: Logger
}

export type LiveHubOptions = {
  /** Flush interval; default 16 ms. */
  readonly flushMs?: number
  /** Health check, source attachment and account poll interval; default 250 ms. */
  readonly slowMs?: number
  /** Latency message interval; default 1 s. */
  readonly latencyMs?: number
  /** A page whose socket holds more than this unsent is skipped; default 512 KiB. */
  readonly maxBufferedBytes?: number
  /** Missed messages kept per skipped page; default 1000 and 1 MiB. */
  readonly maxBacklog?: number
  readonly maxBacklogBytes?: number
  /** Default 64. */
  readonly maxClients?: number
  /** Trades kept per token for `GET /api/trades`; default 500. */
  readonly tapeCapacity?: number
}

/** What a page's socket is told; `closed()` when the socket closes. */
export type LiveConnection = {
  receive(text: string): void
  closed(): void
}
