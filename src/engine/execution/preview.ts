/**
 * The order preview: walks the current book with the backtest's fill model, without sending
 * anything, and says what a marketable order would get: average and worst price, fees, slippage
 * against the touch and the mid, and what would be left unfilled.
 */
import type { BookView } from '../../domain/book/order-book.js'
import { takerFee } from '../../domain/backtest/fees.js'
import { walkBook } from '../../domain/backtest/fill-model.js'
import { notional, type PriceTicks, type ShareMicros, type UsdcMicros } from '../../domain/units.js'
import type { OrderSide } from './venue.js'

export type Preview = {
  /** Share micros that would fill now within the price limit. */
  readonly fillable: ShareMicros
  readonly unfilled: ShareMicros
  /** Size-weighted average price in ticks (fractional); null when nothing fills. */
  readonly avgPrice: number | null
  readonly worstPrice: PriceTicks | null
  /** The touch the order takes from (best ask for a buy, best bid for a sell). */
  readonly touch: PriceTicks | null
  readonly mid: number | null
  /** Cost of a buy (rounded up) or proceeds of a sell (rounded down), before fees. */
  readonly notional: UsdcMicros
  readonly fees: UsdcMicros
  /** Average price against the touch, in ticks, positive when worse for us. */
  readonly slippageTicks: number | null
  /** The same in USDC micros over the fillable size (average vs touch), positive when worse. */
  readonly slippageUsdc: number | null
  readonly levels: readonly { readonly price: PriceTicks; readonly size: ShareMicros }[]
}

export function previewOrder(
  book: BookView,
  side: OrderSide,
  limit: PriceTicks,
  size: ShareMicros,
  feeRateBps: number,
): Preview {
  const levels = walkBook(book, side, limit, size)
  let filled = 0
  let value = 0
  let fees = 0
  for (const level of levels) {
    filled += level.size
    value += notional(level.price, level.size, side === 'buy' ? 'up' : 'down')
    fees += takerFee(level.size, level.price, feeRateBps)
  }
  const touch = side === 'buy' ? book.bestAsk() : book.bestBid()
  const mid = book.mid()
  // Weighted by share micros: sum(price × size) / size, in ticks.
  let weighted = 0
  for (const level of levels) weighted += level.price * level.size
  const avgPrice = filled > 0 ? weighted / filled : null
  const worst = levels.length > 0 ? levels[levels.length - 1]!.price : null
  const slippageTicks =
    avgPrice === null || touch === null
      ? null
      : side === 'buy'
        ? avgPrice - touch
        : touch - avgPrice
  return {
    fillable: filled as ShareMicros,
    unfilled: (size - filled) as ShareMicros,
    avgPrice,
    worstPrice: worst,
    touch,
    mid: mid === null ? null : mid * 10_000,
    notional: value as UsdcMicros,
    fees: fees as UsdcMicros,
    slippageTicks,
    slippageUsdc: slippageTicks === null ? null : Math.round((slippageTicks * filled) / 10_000),
    levels,
  }
}
