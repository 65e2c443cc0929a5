/**
 * Keeps a `<video>` on the market clock in playback, as a pure state machine: the panel feeds
 * it the store's snapshot, a periodic tick and the video's own events, and carries out the
 * actions it returns. Video time = market time − offset.
 *
 * - A user seek in the store (`seekSeq` changes) sets the video's position.
 * - While the market plays, the video plays at the same rate and is nudged back when it
 *   drifts more than {@link SyncOptions.driftMs} (checked every `nudgeEveryMs`).
 * - Play and pause follow the store.
 * - A seek, play or pause done on the video's own controls goes to the market instead
 *   (`seekMarket`, `playMarket`, `pauseMarket`). Changes the machine made itself are
 *   recognised and not sent back, so the two never chase each other.
 */

export interface SyncInputs {
  readonly playing: boolean
  readonly speed: number
  /** Market time (ms) now; null before the capture is open. */
  readonly t: number | null
  readonly seekSeq: number
  /** Market time − video time; null = uncalibrated (no sync). */
  readonly offsetMs: number | null
}

export interface VideoState {
  /** Position, ms. */
  readonly ms: number
  readonly paused: boolean
  readonly rate: number
}

export type SyncAction =
  | { readonly kind: 'setVideoTime'; readonly ms: number }
  | { readonly kind: 'setRate'; readonly rate: number }
  | { readonly kind: 'playVideo' }
  | { readonly kind: 'pauseVideo' }
  | { readonly kind: 'seekMarket'; readonly t: number }
  | { readonly kind: 'playMarket' }
  | { readonly kind: 'pauseMarket' }

export interface SyncOptions {
  readonly driftMs: number
  readonly nudgeEveryMs: number
  /** A seek the machine made is recognised within this distance (ms). */
  readonly seekToleranceMs: number
}

export const DEFAULT_SYNC: SyncOptions = { driftMs: 300, nudgeEveryMs: 1000, seekToleranceMs: 150 }

/** Browsers refuse playback rates outside 1/16..16. */
export function clampRate(speed: number): number {
  return Math.min(16, Math.max(0.0625, speed))
}

export class VideoSync {
  private _seekSeq: number | null = null
  private _offset: number | null = null
  /** Where the machine last moved the video; its `seeked` event is not a user seek. */
  private _ownSeekMs: number | null = null
  /** Market time the machine sent for a user's video seek; its `seekSeq` bump is skipped. */
  private _ownMarketSeek = false
  private _lastNudgeAt = -Infinity

  constructor(private readonly _options: SyncOptions = DEFAULT_SYNC) {}

  /** Forget what the video showed: the next snapshot positions it (a new video loaded). */
  reset(): void {
    this._seekSeq = null
    this._offset = null
    this._ownSeekMs = null
    this._ownMarketSeek = false
  }

  /**
   * The snapshot changed (or the video became ready). Uncalibrated, the video is left alone:
   * the user plays it freely to find the moment to mark.
   */
  onStore(s: SyncInputs, video: VideoState): SyncAction[] {
    const target = targetMs(s)
    if (target === null) {
      this._seekSeq = s.seekSeq
      this._offset = s.offsetMs
      return []
    }
    const actions: SyncAction[] = []
    const jumped = this._seekSeq !== s.seekSeq || this._offset !== s.offsetMs
    const own = this._ownMarketSeek && this._offset === s.offsetMs
    this._seekSeq = s.seekSeq
    this._offset = s.offsetMs
    this._ownMarketSeek = false
    if (jumped && !(own && Math.abs(video.ms - target) <= this._options.driftMs)) {
      actions.push(this._moveTo(target))
    }
    const rate = clampRate(s.speed)
    if (s.playing) {
      if (video.rate !== rate) actions.push({ kind: 'setRate', rate })
      if (video.paused && target >= 0) actions.push({ kind: 'playVideo' })
    } else if (!video.paused) {
      actions.push({ kind: 'pauseVideo' })
    }
    return actions
  }

  /** Called often (e.g. every 250 ms); nudges a drifting video at most every `nudgeEveryMs`. */
  onTick(s: SyncInputs, video: VideoState, nowMs: number): SyncAction[] {
    const target = targetMs(s)
    if (target === null || !s.playing || video.paused) return []
    if (nowMs - this._lastNudgeAt < this._options.nudgeEveryMs) return []
    if (Math.abs(video.ms - target) <= this._options.driftMs) return []
    this._lastNudgeAt = nowMs
    return [this._moveTo(target)]
  }

  /** The video finished a seek (its `seeked` event) at `videoMs`. */
  onVideoSeeked(s: SyncInputs, videoMs: number): SyncAction[] {
    const own = this._ownSeekMs
    this._ownSeekMs = null
    if (own !== null && Math.abs(videoMs - own) <= this._options.seekToleranceMs) return []
    if (s.offsetMs === null || s.t === null) return []
    const market = Math.round(videoMs + s.offsetMs)
    if (Math.abs(market - s.t) <= this._options.driftMs) return []
    this._ownMarketSeek = true
    return [{ kind: 'seekMarket', t: market }]
  }

  /** The video started playing (its `play` event). */
  onVideoPlay(s: SyncInputs): SyncAction[] {
    return s.offsetMs !== null && s.t !== null && !s.playing ? [{ kind: 'playMarket' }] : []
  }

  /** The video paused (its `pause` event); `ended` when it reached its end. */
  onVideoPause(s: SyncInputs, ended: boolean): SyncAction[] {
    if (ended) return []
    return s.offsetMs !== null && s.t !== null && s.playing ? [{ kind: 'pauseMarket' }] : []
  }

  private _moveTo(ms: number): SyncAction {
    const clamped = Math.max(0, ms)
    this._ownSeekMs = clamped
    return { kind: 'setVideoTime', ms: clamped }
  }
}

function targetMs(s: SyncInputs): number | null {
  return s.t === null || s.offsetMs === null ? null : s.t - s.offsetMs
}
