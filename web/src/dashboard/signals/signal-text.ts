/** Texts of a signal row: ratios, move and reversion status. */
import type { DashboardSignal } from '../state/dashboard-store.js'

export const SIGNAL_NAMES: Readonly<Record<DashboardSignal['type'], string>> = {
  PANIC_SELL: 'Panic sell',
  FOMO_BUY: 'FOMO buy',
  LIQUIDITY_VACUUM: 'Liquidity vacuum',
}

/** A ratio to its baseline: 3.24 → "3.2×", null → "—". */
export function ratioText(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—'
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`
}

/** A price move in price units as cents: -0.061 → "−6.1¢". */
export function moveText(move: number | null): string {
  if (move === null || !Number.isFinite(move)) return '—'
  const cents = move * 100
  return `${cents < 0 ? '−' : '+'}${Math.abs(cents).toFixed(1)}¢`
}

export type ReversionStatus = 'reverted' | 'held' | 'open'

export function reversionStatus(signal: DashboardSignal): ReversionStatus {
  if (signal.reverted === true) return 'reverted'
  if (signal.reverted === false) return 'held'
  return 'open'
}

/** "reverted in 31 s", "did not revert", "open" (not settled yet). */
export function reversionText(signal: DashboardSignal): string {
  const status = reversionStatus(signal)
  if (status === 'reverted') {
    return signal.reversionS === null
      ? 'reverted'
      : `reverted in ${Math.round(signal.reversionS)} s`
  }
  return status === 'held' ? 'did not revert' : 'open'
}
