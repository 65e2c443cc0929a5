/**
 * Stable codes for every risk denial, and the sentence a person reads for each.
 *
 * A denial carries a code (never renamed: logs, stored breaches, the API's 422 body and tests
 * match on it) and a `detail` string of `key=value` pairs separated by single spaces. Values
 * never contain spaces: money is plain USDC (`1000.5`), prices are venue decimals (`0.535`),
 * times are ISO-8601 UTC. The sentence is built from the detail alone, so a stored denial can be
 * re-described later without the context it was taken in.
 */

/** Every denial code, in the order the checks run (see docs/RISK.md). */
export const DENY_REASONS = [
  'INVALID_ORDER',
  'OFF_TICK',
  'BELOW_MIN_SIZE',
  'MARKET_CLOSED',
  'HALTED',
  'DRAWDOWN_HALT',
  'API_ERROR_RATE',
  'REDUCING',
  'DAILY_LOSS',
  'BOOK_STALE',
  'FAT_FINGER',
  'MAX_ORDER',
  'CONSECUTIVE_LOSSES',
  'COOLDOWN',
  'SPREAD_TOO_WIDE',
  'MAX_POSITION',
  'NEEDS_APPROVAL',
] as const

export type DenyReason = (typeof DENY_REASONS)[number]

export function isDenyReason(value: string): value is DenyReason {
  return (DENY_REASONS as readonly string[]).includes(value)
}

/** Reads one value of a `key=value` detail string; `'?'` when the key is absent. */
export type DetailLookup = (key: string) => string

/** Splits a detail string into its pairs. Pairs without `=` are ignored. */
export function parseDetail(detail: string): ReadonlyMap<string, string> {
  const pairs = new Map<string, string>()
  for (const part of detail.split(' ')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    pairs.set(part.slice(0, eq), part.slice(eq + 1))
  }
  return pairs
}

/** Joins fields into a detail string; values must not contain spaces. */
export function formatDetail(fields: Readonly<Record<string, string | number>>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ')
}

function scopeWords(d: DetailLookup): string {
  const scope = d('scope')
  return scope === 'global' ? 'globally' : `in market ${scope}`
}

/** `until=none`: lifted by a person; `until=clear`: lasts while the condition holds. */
function untilWords(d: DetailLookup): string {
  const until = d('until')
  if (until === 'none' || until === '?') return 'until a person resumes it'
  if (until === 'clear') return 'until the condition clears'
  return `until ${until}`
}

/** One sentence builder per code. Every value of the detail appears in the sentence. */
const SENTENCES: Readonly<Record<DenyReason, (d: DetailLookup) => string>> = {
  INVALID_ORDER: (d) =>
    `The order is malformed (${d('problem')}, size ${d('size')} share micros); fix it and send it again.`,
  OFF_TICK: (d) =>
    `Price ${d('price')} is not on the market's tick of ${d('tick')}; use a multiple of the tick.`,
  BELOW_MIN_SIZE: (d) =>
    `Size ${d('size')} shares is below the market's minimum of ${d('min_size')} shares.`,
  MARKET_CLOSED: (d) => `Market ${d('market')} is closed or resolved; no new orders are accepted.`,
  HALTED: (d) =>
    `Trading is halted ${scopeWords(d)} (cause ${d('cause')}, since ${d('since')}) ${untilWords(d)}; only protective exits are allowed.`,
  DRAWDOWN_HALT: (d) =>
    `Equity fell from ${d('high_usd')} to ${d('equity_usd')} USDC within ${d('window_min')} min, a drawdown of ${d('drawdown_pct')} % (limit ${d('max_pct')} %); trading is halted ${untilWords(d)}.`,
  API_ERROR_RATE: (d) =>
    `${d('errors')} of the last ${d('requests')} venue requests failed (${d('rate_pct')} %, limit ${d('max_pct')} %); new orders are halted ${untilWords(d)}.`,
  REDUCING: (d) =>
    `Trading is reduce-only ${scopeWords(d)} (cause ${d('cause')}, since ${d('since')}) ${untilWords(d)}; this order would add exposure.`,
  DAILY_LOSS: (d) =>
    `Today's realized loss of ${d('loss_usd')} USDC has reached the daily limit of ${d('max_loss_usd')} USDC; only exposure-reducing orders are allowed until the day ends at ${d('day_ends')}.`,
  BOOK_STALE: (d) =>
    `The order book for token ${d('token')} is stale (${d('stale_reason')}); entries are refused until it resyncs.`,
  FAT_FINGER: (d) =>
    `A ${d('side')} at ${d('price')} is ${d('ticks_through')} ticks through the touch at ${d('touch')}; the limit is ${d('max_ticks')} ticks.`,
  MAX_ORDER: (d) =>
    `Order value ${d('order_usd')} USDC is above the maximum order size of ${d('max_usd')} USDC.`,
  CONSECUTIVE_LOSSES: (d) =>
    `${d('losses')} losing trades in a row (limit ${d('max_losses')}); new entries pause ${untilWords(d)}.`,
  COOLDOWN: (d) =>
    `The last order in market ${d('market')} was ${d('elapsed_ms')} ms ago; wait ${d('cooldown_ms')} ms between entries (${untilWords(d)}).`,
  SPREAD_TOO_WIDE: (d) =>
    `The spread of ${d('spread')} is more than ${d('max_multiple')} times its baseline of ${d('baseline')}; the book is too thin to enter.`,
  MAX_POSITION: (d) =>
    `This order would bring exposure in market ${d('market')} to ${d('after_usd')} USDC (now ${d('position_usd')}), above the limit of ${d('max_usd')} USDC.`,
  NEEDS_APPROVAL: (d) =>
    `Automated order of ${d('order_usd')} USDC is above ${d('approval_usd')} USDC and needs a person's approval.`,
}

/** The human sentence for a denial, built from its code and `key=value` detail. */
export function describeDenial(reason: DenyReason, detail: string): string {
  const pairs = parseDetail(detail)
  return SENTENCES[reason]((key) => pairs.get(key) ?? '?')
}
