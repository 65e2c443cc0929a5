/**
 * What the stop manager (stop-manager.ts) needs and says: the part of the order service it
 * drives, its options, its answers, and the alerts it raises (built here so their wording is in
 * one place).
 */
import type { BookView } from '../../domain/book/order-book.js'
import type { MarketId, TickSize, TokenId } from '../../domain/market.js'
import type { Stop } from '../../domain/orders/stops.js'
import type { OrderOrigin } from '../../domain/risk/checks.js'
import {
  formatPrice,
  formatSize,
  type EpochMs,
  type PriceTicks,
  type ShareMicros,
  type UsdcMicros,
} from '../../domain/units.js'
import type { OrderRequest, SubmitResult } from './order-service.js'
import type { OrderRecord, OrderStore } from './order-store.js'
import type { StopStore } from './stop-store.js'
import type { VenueFill } from './venue.js'

/** What the order service tells its subscribers (applied and stored before they hear it). */
export type StopOrderChange =
  | { readonly kind: 'order'; readonly order: OrderRecord }
  | { readonly kind: 'fill'; readonly fill: VenueFill }
  | { readonly kind: 'fill_status'; readonly fill: VenueFill }
  | { readonly kind: 'cash'; readonly cash: UsdcMicros }
  | { readonly kind: 'risk' }

/** The part of the order service the stop manager uses. */
export type StopOrderPort = {
  submit(
    request: OrderRequest,
    origin: OrderOrigin,
    flags?: { readonly protective?: boolean },
  ): Promise<SubmitResult>
  subscribe(listener: (change: StopOrderChange) => void): () => void
}

export type StopAlert = {
  readonly severity: 'info' | 'warning' | 'critical'
  readonly code: string
  readonly message: string
  readonly market: string | null
}

export type StopManagerOptions = {
  readonly orders: StopOrderPort
  readonly store: StopStore
  /** The order path's store: looks exit orders up and reads entry fills after a restart. */
  readonly orderStore: Pick<OrderStore, 'getOrder' | 'listFills'>
  marketOf(tokenId: TokenId): { readonly market: MarketId; readonly tickSize: TickSize } | undefined
  bookOf(tokenId: TokenId): BookView | undefined
  /** Shares held of a token now. */
  heldOf(tokenId: TokenId): ShareMicros
  now(): EpochMs
  /** Market ticks the exit order may go beyond the trigger quote; default 5. */
  readonly slippageTicks?: number
  /** Stop ids; default `st-<time base 36>-<sequence>`. At most 60 characters. */
  newId?(): string
  onAlert?(alert: StopAlert): void
  /** Problems the chain met (a store write, an unexpected throw). */
  onError?(e: unknown): void
}

export const DEFAULT_STOP_SLIPPAGE_TICKS = 5

export type StopSubmitResult = {
  readonly result: SubmitResult
  /** The stop guarding the entry (null when the entry was a repeat without one). */
  readonly stop: Stop | null
}

export type StopCancelResult =
  | { readonly ok: true; readonly stop: Stop }
  | { readonly ok: false; readonly code: 'NOT_FOUND' }
  | { readonly ok: false; readonly code: 'NOT_CANCELLABLE'; readonly stop: Stop }

export type StopStartSummary = {
  readonly loaded: number
  readonly released: number
  readonly failed: number
  readonly cancelled: number
  /** Triggered before the restart, exit not sent: sent on the token's next usable book. */
  readonly awaitingRelease: number
}

/** What an exit order's client id adds to its stop's id. */
export const EXIT_SUFFIX = '.x'

/** The exit order's client id: derived from the stop, so sending it twice is harmless. */
export function exitOrderIdOf(stopId: string): string {
  return `${stopId}${EXIT_SUFFIX}`
}

/** The alerts a stop raises, by what happened. */
export const stopAlerts = {
  triggered(stop: Stop, side: 'buy' | 'sell', size: ShareMicros, price: PriceTicks): StopAlert {
    const at = stop.triggerPrice === null ? 'now' : `at ${formatPrice(stop.triggerPrice)}`
    return {
      severity: 'warning',
      code: 'STOP_TRIGGERED',
      market: stop.market,
      message:
        `Stop ${stop.id} (${stop.trigger ?? 'stop'}) triggered ${at}: ` +
        `${side === 'sell' ? 'selling' : 'buying'} ${formatSize(size)} shares of token ` +
        `${stop.tokenId}, worst price ${formatPrice(price)}.`,
    }
  },
  short(stop: Stop, order: OrderRecord): StopAlert {
    return {
      severity: 'critical',
      code: 'STOP_EXIT_SHORT',
      market: stop.market,
      message:
        `Stop ${stop.id} sold ${formatSize(order.filled)} of ${formatSize(order.size)} shares of ` +
        `token ${stop.tokenId} (exit order ${order.status}, worst price ${formatPrice(order.price)}): ` +
        'the book had nothing more within the price. The rest is held without a stop; close it by hand.',
    }
  },
  refused(stop: Stop, code: string, message: string): StopAlert {
    return {
      severity: 'critical',
      code: 'STOP_EXIT_REFUSED',
      market: stop.market,
      message: `Stop ${stop.id} could not send its exit order: ${code}: ${message} The position is unprotected.`,
    }
  },
  exitFailed(stop: Stop, size: ShareMicros): StopAlert {
    return {
      severity: 'critical',
      code: 'STOP_EXIT_FAILED',
      market: stop.market,
      message:
        `A sale of ${formatSize(size)} shares of token ${stop.tokenId} by stop ${stop.id} failed ` +
        'on chain and was taken back: the shares are held again, without a stop. Close them by hand.',
    }
  },
  unknown(stop: Stop, exitOrderId: string, e: unknown): StopAlert {
    return {
      severity: 'critical',
      code: 'STOP_EXIT_UNKNOWN',
      market: stop.market,
      message: `Stop ${stop.id} could not confirm its exit order ${exitOrderId}: ${e instanceof Error ? e.message : String(e)}. Check the position.`,
    }
  },
}
