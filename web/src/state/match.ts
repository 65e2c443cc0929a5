/** Match phase and score from the logged game events of one market, and the no-chase pause. */
import type { GameEventView } from './live-store.js'

export interface MatchView {
  readonly score: string | null
  readonly map: string | null
  readonly phase: string
  readonly last: GameEventView | null
}

const PHASES: Readonly<Record<string, string>> = {
  game_start: 'in play',
  period_start: 'in play',
  period_end: 'break',
  game_end: 'finished',
  map_win: 'map over',
  map_loss: 'map over',
  timeout: 'timeout',
  tech_pause: 'tech pause',
}

/** Events of `market` in time order → latest score, map and a phase word. */
export function matchView(events: readonly GameEventView[], market: string): MatchView {
  let score: string | null = null
  let map: string | null = null
  let phase = 'no events'
  let last: GameEventView | null = null
  for (const e of events) {
    if (e.market !== market) continue
    last = e
    if (e.score !== null) score = e.score
    if (e.map !== null) map = e.map
    phase = PHASES[e.type] ?? 'in play'
  }
  return { score, map, phase, last }
}

/**
 * Milliseconds left of the no-chase pause after the newest event that arrived live, or 0.
 * History loaded at start never pauses (it is not news).
 */
export function noChaseLeft(
  events: readonly GameEventView[],
  market: string,
  pauseMs: number,
  nowMs: number,
): number {
  if (pauseMs <= 0) return 0
  let newest = -Infinity
  for (const e of events) {
    if (e.market === market && e.receivedAt !== null && e.receivedAt > newest) newest = e.receivedAt
  }
  return Math.max(0, newest + pauseMs - nowMs)
}
