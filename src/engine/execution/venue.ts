/**
 * The venue port: what the order service needs from a place that executes orders. `paper`
 * (paper-venue.ts) implements it against the live books; a live Polymarket venue implements the
 * same surface later, which is why the statuses include the venue's in-play `delayed` state,
 * an `unknown` outcome (a timeout, a crash between storing and sending) and fills that are
 * `matched` before they are `confirmed` on chain.
 *
 * Outcomes are events, not return values: `submit` only says whether the venue took the request;
 * acknowledgements, fills and the end of an order arrive through the listener, in order.
 */
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros, UsdcMicros } from '../../domain/units.js'

export type OrderSide = 'buy' | 'sell'
export type OrderType = 'market' | 'limit'
/** FAK and FOK for market orders; GTC and GTD (good till a date) for limit orders. */
export type TimeInForce = 'FAK' | 'FOK' | 'GTC' | 'GTD'

/**
 * Where an order is:
 * - `pending`: stored, not yet acknowledged by the venue;
 * - `delayed`: held by the venue's in-play delay before matching;
 * - `open`: resting on the book (possibly partly filled);
 * - `filled`, `cancelled` (possibly after partial fills), `killed` (a market order's
 *   unfilled rest), `rejected` (by the venue), `denied` (by risk, never sent);
 * - `unknown`: sent or maybe sent, outcome not known; it stays so until the venue says otherwise.
 */
export type OrderStatus =
  | 'pending'
  | 'delayed'
  | 'open'
  | 'filled'
  | 'cancelled'
  | 'killed'
  | 'rejected'
  | 'denied'
  | 'unknown'

export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'filled',
  'cancelled',
  'killed',
  'rejected',
  'denied',
])

/** An order as handed to the venue. `price` is the limit, or a market order's worst price. */
export type VenueOrder = {
  readonly clientOrderId: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly type: OrderType
  readonly timeInForce: TimeInForce
  readonly postOnly: boolean
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly decidedAt: EpochMs
  /**
   * GTD only: when the order stops working (it is cancelled then); null for every other time in
   * force. Polymarket ends a GTD order 60 s before its stated `expiration` (Unix seconds), so a
   * venue sends `expiration = ceil(expiresAt / 1000) + 60`.
   */
  readonly expiresAt: EpochMs | null
}

/**
 * One execution. Live fills go `matched` then `confirmed`, or `failed` when the trade did not
 * settle on chain (the venue put the balances back); paper fills are confirmed at once.
 */
export type VenueFill = {
  readonly clientOrderId: string
  /** Unique per fill, so a fill seen twice (reconnect, replay) is stored once. */
  readonly fillId: string
  readonly market: MarketId
  readonly tokenId: TokenId
  readonly side: OrderSide
  readonly price: PriceTicks
  readonly size: ShareMicros
  readonly fee: UsdcMicros
  readonly liquidity: 'taker' | 'maker'
  readonly status: FillStatus
  readonly ts: EpochMs
}

export type FillStatus = 'matched' | 'confirmed' | 'failed'

export type VenueEvent =
  | {
      readonly kind: 'status'
      readonly clientOrderId: string
      readonly status: OrderStatus
      readonly venueOrderId: string | null
      /** Share micros filled so far, as the venue counts them. */
      readonly filled: ShareMicros
      /** Why, for rejections and kills: a stable code, and a sentence. */
      readonly code: string | null
      readonly message: string | null
      readonly ts: EpochMs
    }
  | { readonly kind: 'fill'; readonly fill: VenueFill }
  /**
   * A fill handed on earlier changed status: `confirmed` (settled on chain) or `failed` (the
   * trade did not settle; the fill is to be taken back). Sent again when seen again; a status
   * whose fill has not arrived yet is kept until it does.
   */
  | {
      readonly kind: 'fill_status'
      readonly fillId: string
      readonly clientOrderId: string
      readonly status: 'confirmed' | 'failed'
      readonly ts: EpochMs
    }

export type VenueListener = (event: VenueEvent) => void

/** What the venue remembers of an order (for reconciliation after a restart). */
export type VenueOrderState = {
  readonly clientOrderId: string
  readonly status: OrderStatus
  readonly filled: ShareMicros
}

export type Venue = {
  /** `paper`, `polymarket`, `sim`. */
  readonly name: string
  /** Starts receiving events; call once before submitting. */
  events(listener: VenueListener): void
  /**
   * Hands an order to the venue. Resolves once the request is out; throws only for a fault
   * (connection lost, timeout), after which the outcome is unknown.
   */
  submit(order: VenueOrder): Promise<void>
  cancel(clientOrderId: string, now: EpochMs): Promise<void>
  cancelAll(now: EpochMs): Promise<void>
  /** Orders not finished at the venue. */
  openOrders(): Promise<readonly VenueOrderState[]>
  /** What the venue knows about an order; null when it has no record of it. */
  lookup(clientOrderId: string): Promise<VenueOrderState | null>
}
