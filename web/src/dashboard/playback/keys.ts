/** Playback keys: Space plays or pauses, ← and → jump 5 s; ignored while typing. */

export type PlaybackKey = 'toggle' | 'back' | 'forward'

export const SEEK_STEP_MS = 5000

export interface KeyLike {
  readonly key: string
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly altKey: boolean
}

/** Whether a key press happens in a place that takes text (input, textarea, select, editable). */
export function isTyping(
  target: { tagName?: string; isContentEditable?: boolean } | null,
): boolean {
  if (target === null) return false
  if (target.isContentEditable === true) return true
  const tag = (target.tagName ?? '').toUpperCase()
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT'
}

export function playbackKey(
  event: KeyLike,
  target: { tagName?: string; isContentEditable?: boolean } | null,
): PlaybackKey | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null
  if (isTyping(target)) return null
  if (event.key === ' ' || event.key === 'Spacebar') return 'toggle'
  if (event.key === 'ArrowLeft') return 'back'
  if (event.key === 'ArrowRight') return 'forward'
  return null
}
