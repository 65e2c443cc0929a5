/** What every panel of the terminal shares: the store, the selection, the ticket and actions. */
import { createContext, useContext } from 'react'
import type { MarketJson, OrderBody, UiConfigAnswer } from '../../../src/contracts/api.js'
import type { ApiError } from '../api/http.js'
import type { LiveStore } from '../state/live-store.js'
import type { TicketState } from '../state/ticket.js'

export type ToastKind = 'denial' | 'error' | 'info' | 'success' | 'warning'

export interface Toast {
  readonly id: number
  readonly kind: ToastKind
  readonly title: string
  readonly text: string
}

export interface TerminalApi {
  readonly store: LiveStore
  readonly ui: UiConfigAnswer | null
  readonly market: MarketJson | null
  readonly ticket: TicketState
  readonly updateTicket: (patch: Partial<TicketState>) => void
  /** Sends an order; true when the daemon took it. Denials go to a toast and the ticket. */
  readonly placeOrder: (body: OrderBody, what: string) => Promise<boolean>
  readonly cancelOrder: (id: string) => Promise<void>
  readonly cancelAll: () => Promise<void>
  readonly panicClose: () => Promise<void>
  readonly resume: (scope: string) => Promise<void>
  readonly cancelStop: (id: string) => Promise<void>
  readonly toast: (kind: ToastKind, title: string, text: string) => void
  /** The last refusal of an order (shown in the ticket), null after a success. */
  readonly lastRefusal: ApiError | null
}

export const TerminalContext = createContext<TerminalApi | null>(null)

export function useTerminal(): TerminalApi {
  const api = useContext(TerminalContext)
  if (api === null) throw new Error('useTerminal outside the terminal')
  return api
}
