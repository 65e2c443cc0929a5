/**
 * Formatting shared by the text and HTML forms of the backtest report: money, percentages,
 * fixed decimals, UTC times and parameter lists. `–` always stands for an undefined figure.
 */

/** Copies plain objects with keys sorted (recursively) so user-given maps print stably. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out
  }
  return value
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** `$1,234.56` / `-$3.20`; `–` when undefined. */
export function money(micros: number | null): string {
  if (micros === null) return '–'
  const abs = Math.abs(micros) / 1e6
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  return micros < 0 && text !== '0.00' ? `-$${text}` : `$${text}`
}

export function fixed(value: number | null, digits = 2): string {
  return value === null ? '–' : value.toFixed(digits)
}

export function pct(value: number | null, digits = 1): string {
  return value === null ? '–' : `${(value * 100).toFixed(digits)} %`
}

/** A figure or `–` followed by the reason it is undefined. */
export function withReason(text: string, reason: string | undefined): string {
  return reason === undefined ? text : `${text} (${reason})`
}

export function paramsText(params: Record<string, unknown>): string {
  const keys = Object.keys(params)
  return keys.length === 0
    ? '(defaults)'
    : keys.map((k) => `${k}=${JSON.stringify(params[k])}`).join(' ')
}

/** A USD float as money (rounded to the cent for display). */
export const usdFloat = (v: number): string => money(Math.round(v * 1e6))
