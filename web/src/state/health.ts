/**
 * The one health word the top bar shows. `disconnected`: no socket and not trying, or the
 * feed is down; `reconnecting`: the socket is coming back; `stale`: the socket is up but any
 * watched book (or the feed) is not live; `live`: everything is fresh.
 */
import type { BookHealth } from '../../../src/contracts/live.js'

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed'
export type FeedState = 'connected' | 'reconnecting' | 'disconnected' | 'replay'
export type HealthState = 'live' | 'stale' | 'reconnecting' | 'disconnected'

export interface HealthInput {
  readonly socket: SocketState
  readonly feed: FeedState | null
  readonly books: Readonly<Record<string, BookHealth>>
  /** The selected market's tokens. */
  readonly watched: readonly string[]
}

export interface HealthVerdict {
  readonly state: HealthState
  /** A sentence for the banner; empty when live. */
  readonly reason: string
}

export function overallHealth(input: HealthInput): HealthVerdict {
  const { socket, feed, books, watched } = input
  if (socket === 'closed') {
    return { state: 'disconnected', reason: 'No connection to the daemon.' }
  }
  if (socket === 'reconnecting' || socket === 'connecting') {
    return { state: 'reconnecting', reason: 'Reconnecting to the daemon — prices are frozen.' }
  }
  if (feed === 'disconnected') {
    return { state: 'disconnected', reason: 'The market data feed is disconnected.' }
  }
  if (feed === 'reconnecting') {
    return { state: 'stale', reason: 'The market data feed is reconnecting.' }
  }
  // Any stale book turns the terminal red; the reason says whether it is the selected market.
  const bad = Object.entries(books).filter(([, h]) => h !== 'live')
  if (bad.length > 0) {
    const mine = bad.filter(([t]) => watched.includes(t))
    const words = [...new Set((mine.length > 0 ? mine : bad).map(([, h]) => h))].join(', ')
    const reason =
      mine.length > 0
        ? `Book ${words} for ${mine.length} of the selected market's tokens.`
        : `${bad.length} watched book${bad.length === 1 ? '' : 's'} of other markets ${words}.`
    return { state: 'stale', reason }
  }
  return { state: 'live', reason: '' }
}
