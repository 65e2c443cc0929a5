/**
 * The dashboard's shared state: what the header, chart, ladder, signals list, video panel and
 * event logger all read. One immutable snapshot, replaced on every change (cheap: arrays are
 * shared until they change), read with {@link useDashboard}; actions through
 * {@link useDashboardStore}.
 *
 * Times are market (venue) epoch ms; video time = market time − `offsetMs`.
 */
import { createContext, useContext, useSyncExternalStore } from 'react'
import type { DashboardFill } from './convert.js'

export type DashboardMode = 'live' | 'playback'

/** One game event as the dashboard shows it. */
export interface DashboardEvent {
  id: number | null
  tsMs: number
  tsVideoMs: number | null
  type: string
  team: string | null
  score: string | null
  map: string | null
  note: string | null
  market: string | null
  assetId: string | null
}

export type DashboardSignalType = 'PANIC_SELL' | 'FOMO_BUY' | 'LIQUIDITY_VACUUM'

export interface DashboardSignal {
  id: number | string
  type: DashboardSignalType
  ts: number
  assetId: string
  market: string | null
  score: number
  volumeRatio: number | null
  spreadRatio: number | null
  depthRatio: number | null
  priceChange: number | null
  reverted: boolean | null
  reversionS: number | null
}

export interface DashboardSnapshot {
  mode: DashboardMode
  /** Capture name in playback. */
  capture: string | null
  /** Condition id of the match shown. */
  market: string | null
  /** Question or slug for the header. */
  marketLabel: string | null
  /** Followed token ids. */
  tokens: readonly string[]
  /** Token charted (the first outcome by default). */
  token: string | null
  /** Current market (venue) time ms: the playback clock, or the latest venue time live. */
  t: number | null
  playing: boolean
  speed: number
  /** Increments on every user seek (a jump, not continuous play). */
  seekSeq: number
  /** Market time of the latest user seek (live too, where only the video can jump). */
  seekT: number | null
  /** Stream offset of the market (market time − video time); null = uncalibrated. */
  offsetMs: number | null
  videoUrl: string | null
  /** Oldest first. */
  events: readonly DashboardEvent[]
  /** Oldest first. */
  signals: readonly DashboardSignal[]
  /** Capture span in playback (venue ms); null live or before the capture is open. */
  spanFrom: number | null
  spanTo: number | null
  /** Playback reached the end of the capture (playing stopped by itself). */
  atEnd: boolean
  /** Own fills of the match's tokens (live; empty in playback), oldest first. */
  fills: readonly DashboardFill[]
  /** Opening a capture: indexing or scanning it, else null. */
  progress: { stage: 'index' | 'scan'; fraction: number | null; frames: number } | null
  /** What went wrong (shown in the header), null when all is well. */
  problem: string | null
  /** The socket feeding the page. */
  connection: 'connecting' | 'open' | 'reconnecting' | 'closed'
}

export interface DashboardStore {
  // Properties holding functions (not methods): they may be passed around unbound.
  readonly get: () => DashboardSnapshot
  /** For useSyncExternalStore. */
  readonly subscribe: (listener: () => void) => () => void
  /** Market time. Playback: sends a seek; live: only bumps `seekSeq` (and sets `seekT`). */
  readonly seek: (t: number) => void
  readonly play: (speed?: number) => void
  readonly pause: () => void
  readonly setSpeed: (speed: number) => void
  /** Local state only; the video panel persists it via PUT /api/matches/:market/offset. */
  readonly setOffset: (offsetMs: number | null, videoUrl: string | null) => void
  readonly addEvent: (e: DashboardEvent) => void
  readonly removeEvent: (id: number) => void
  /** Swaps an event added optimistically (that same object) for the stored one. */
  readonly replaceEvent: (tempKey: DashboardEvent, stored: DashboardEvent) => void
  /** Mid (ticks 0..10000) of the charted token at market time t, null when unknown. */
  readonly midAt: (t: number) => number | null
}

export const DashboardContext = createContext<DashboardStore | null>(null)

/** The store of the page (for actions). */
export function useDashboardStore(): DashboardStore {
  const store = useContext(DashboardContext)
  if (store === null) throw new Error('useDashboardStore outside the dashboard')
  return store
}

/** The current snapshot; re-renders when it changes. */
export function useDashboard(): DashboardSnapshot {
  const store = useDashboardStore()
  return useSyncExternalStore(store.subscribe, store.get)
}
