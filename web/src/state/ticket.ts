/**
 * The order ticket's fields and turning them into an order body. Pure, so the checks a trader
 * sees before sending are tested without a page. The daemon still checks everything again.
 */
import type { OrderBody } from '../../../src/contracts/api.js'
import { decimalToMicros, decimalToTicks } from './format.js'

export interface TicketState {
  readonly tokenId: string | null
  readonly side: 'buy' | 'sell'
  readonly type: 'market' | 'limit'
  /** Shares, as typed. */
  readonly size: string
  /** Limit price, or for a market order the worst price accepted (empty: the daemon's cap). */
  readonly price: string
  readonly postOnly: boolean
  readonly timeInForce: 'GTC' | 'GTD'
  /** GTD lifetime in minutes, as typed. */
  readonly gtdMinutes: string
  readonly stopLossTicks: string
  readonly takeProfitTicks: string
  readonly trailingStopTicks: string
}

export const SIZE_PRESETS = [5, 10, 25, 50, 100, 250] as const

export const INITIAL_TICKET: TicketState = {
  tokenId: null,
  side: 'buy',
  type: 'limit',
  size: '10',
  price: '',
  postOnly: false,
  timeInForce: 'GTC',
  gtdMinutes: '30',
  stopLossTicks: '',
  takeProfitTicks: '',
  trailingStopTicks: '',
}

export type TicketResult = { ok: true; body: OrderBody } | { ok: false; problems: string[] }

function offset(text: string, field: string, problems: string[]): number | undefined {
  const value = text.trim()
  if (value === '') return undefined
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1) {
    problems.push(`${field}: a whole number of ticks, 1 or more (or empty for none)`)
    return undefined
  }
  return Number(value)
}

/**
 * The order body of the ticket, or the problems that stop it. `nowMs` sets a GTD expiry;
 * `sizeOverride` (shares) and `sideOverride` serve the hotkeys and ladder clicks.
 */
export function ticketToOrder(
  ticket: TicketState,
  nowMs: number,
  overrides: { side?: 'buy' | 'sell'; type?: 'market' | 'limit' } = {},
): TicketResult {
  const problems: string[] = []
  const side = overrides.side ?? ticket.side
  const type = overrides.type ?? ticket.type
  if (ticket.tokenId === null) problems.push('outcome: pick a market and an outcome first')
  const size = decimalToMicros(ticket.size)
  if (size === null || size <= 0) problems.push('size: a number of shares above 0, e.g. 10')
  const priceText = ticket.price.trim()
  const price = priceText === '' ? null : decimalToTicks(priceText)
  if (priceText !== '' && (price === null || price <= 0 || price >= 10_000)) {
    problems.push('price: a decimal strictly between 0 and 1, e.g. 0.45')
  }
  if (type === 'limit' && priceText === '')
    problems.push('price: type a limit price, or click a price on the ladder')
  const body: OrderBody = {
    token_id: ticket.tokenId ?? '',
    side,
    type,
    size: ticket.size.trim(),
  }
  if (priceText !== '') body.price = priceText
  if (type === 'limit') {
    if (ticket.postOnly) body.post_only = true
    body.time_in_force = ticket.timeInForce
    if (ticket.timeInForce === 'GTD') {
      const minutes = Number(ticket.gtdMinutes)
      if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 60 * 24 * 30) {
        problems.push('expiry: minutes until a GTD order lapses, above 0 (e.g. 30)')
      } else {
        body.expires_at = Math.round(nowMs + minutes * 60_000)
      }
    }
  }
  const stops = {
    stop_loss_ticks: offset(ticket.stopLossTicks, 'stop loss', problems),
    take_profit_ticks: offset(ticket.takeProfitTicks, 'take profit', problems),
    trailing_stop_ticks: offset(ticket.trailingStopTicks, 'trailing stop', problems),
  }
  const anyStop = Object.values(stops).some((v) => v !== undefined)
  if (anyStop && side === 'sell') {
    problems.push('stops: send stop-loss, take-profit and trailing offsets with a buy')
  } else {
    for (const [key, value] of Object.entries(stops)) {
      if (value !== undefined) (body as Record<string, unknown>)[key] = value
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, body }
}
