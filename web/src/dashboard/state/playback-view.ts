/**
 * What the page makes of the playback socket's messages: the clock, play state, opening
 * progress and errors. Pure; the playback controller applies its result to the store.
 *
 * Seeks carry a `seq`. Until the `state` answering the latest seek sent arrives, older `state`
 * answers and `clock` messages (still flowing from before the jump) are ignored, so the clock
 * never jumps back to where playback was.
 */
import type { CaptureDetail, PlaybackServerMessage } from '../../../../src/contracts/playback.js'

export interface PlaybackView {
  readonly t: number | null
  readonly playing: boolean
  readonly speed: number
  readonly atEnd: boolean
  /** Seq of the latest seek sent, and of the latest answered. */
  readonly sentSeq: number
  readonly answeredSeq: number
  /** While the capture is being indexed or scanned. */
  readonly progress: {
    readonly stage: 'index' | 'scan'
    readonly fraction: number | null
    readonly frames: number
  } | null
  readonly detail: CaptureDetail | null
  readonly followed: readonly string[]
  readonly error: { readonly code: string; readonly message: string } | null
}

export const INITIAL_PLAYBACK: PlaybackView = {
  t: null,
  playing: false,
  speed: 1,
  atEnd: false,
  sentSeq: 0,
  answeredSeq: 0,
  progress: null,
  detail: null,
  followed: [],
  error: null,
}

export type PlaybackEffect =
  | { readonly kind: 'none' }
  /** Replace books and tape with the `state` message's. */
  | { readonly kind: 'replace' }
  /** Apply this `book` or `trade` message on top. */
  | { readonly kind: 'apply' }

export interface PlaybackStep {
  readonly view: PlaybackView
  readonly effect: PlaybackEffect['kind']
}

/** Records a seek about to be sent. */
export function seekSent(view: PlaybackView, seq: number, t: number): PlaybackView {
  return { ...view, sentSeq: Math.max(view.sentSeq, seq), t, atEnd: false }
}

function waitingForSeek(view: PlaybackView): boolean {
  return view.answeredSeq < view.sentSeq
}

export function reducePlayback(view: PlaybackView, message: PlaybackServerMessage): PlaybackStep {
  switch (message.type) {
    case 'progress':
      return {
        view: {
          ...view,
          progress: { stage: message.stage, fraction: message.fraction, frames: message.frames },
        },
        effect: 'none',
      }
    case 'opened':
      return {
        view: {
          ...view,
          progress: null,
          detail: message.capture,
          followed: message.tokens,
          error: null,
        },
        effect: 'none',
      }
    case 'state': {
      if (message.seq !== null && message.seq < view.sentSeq) return { view, effect: 'none' }
      if (message.seq === null && waitingForSeek(view)) return { view, effect: 'none' }
      return {
        view: {
          ...view,
          t: message.t,
          playing: message.playing,
          // The daemon's speed matters while it plays; paused, the page's choice waits for play.
          speed: message.playing ? message.speed : view.speed,
          atEnd: message.at_end,
          answeredSeq: message.seq ?? view.answeredSeq,
          progress: null,
        },
        effect: 'replace',
      }
    }
    case 'clock':
      if (waitingForSeek(view)) return { view, effect: 'none' }
      return { view: { ...view, t: message.t }, effect: 'none' }
    case 'status':
      return {
        view: {
          ...view,
          t: waitingForSeek(view) ? view.t : message.t,
          playing: message.playing,
          // The daemon's speed matters while it plays; paused, the page's choice waits for play.
          speed: message.playing ? message.speed : view.speed,
          atEnd: message.at_end,
        },
        effect: 'none',
      }
    case 'book':
    case 'trade':
      return { view, effect: waitingForSeek(view) ? 'none' : 'apply' }
    case 'error':
      return {
        view: { ...view, error: { code: message.code, message: message.message }, progress: null },
        effect: 'none',
      }
    case 'pong':
      return { view, effect: 'none' }
  }
}

/** The progress bar's text: "Indexing… 42 % (120,000 frames)". */
export function progressText(progress: NonNullable<PlaybackView['progress']>): string {
  const what = progress.stage === 'index' ? 'Indexing the capture' : 'Finding signals'
  const share = progress.fraction === null ? '' : ` ${Math.round(progress.fraction * 100)} %`
  return `${what}…${share} (${progress.frames.toLocaleString('en-US')} frames)`
}
