/** Clock texts of the dashboard: market time (wall clock of the venue) and video positions. */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Venue epoch ms as UTC "01:47:03.2" (the header and the scrubber use UTC, as captures do). */
export function marketClock(ms: number, tenths = true): string {
  const d = new Date(ms)
  const base = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  return tenths ? `${base}.${Math.floor(d.getUTCMilliseconds() / 100)}` : base
}

/** A video position (ms from its start) as "1:02:03" or "2:03"; negative before the start. */
export function videoClock(ms: number): string {
  const sign = ms < 0 ? '−' : ''
  const total = Math.floor(Math.abs(ms) / 1000)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  return hours > 0
    ? `${sign}${hours}:${pad(minutes)}:${pad(seconds)}`
    : `${sign}${minutes}:${pad(seconds)}`
}

/** A span in ms as "+12.3 s", "+2:05" (relative to the start of a capture). */
export function elapsedText(ms: number): string {
  if (Math.abs(ms) < 60_000) return `${ms < 0 ? '−' : '+'}${(Math.abs(ms) / 1000).toFixed(1)} s`
  return `${ms < 0 ? '−' : '+'}${videoClock(Math.abs(ms))}`
}

/** Offsets this large are a VOD's start in market time rather than a stream's lag. */
const EPOCH_LIKE_MS = 100_000_000_000

/**
 * The stream offset as text: a lag ("−2.5 s", "+1:02:03"), or for a recording whose 0:00 is a
 * market moment, that moment ("0:00 = 11:36:37.8 UTC"); "uncalibrated" when none is set.
 */
export function offsetText(offsetMs: number | null): string {
  if (offsetMs === null) return 'uncalibrated'
  if (Math.abs(offsetMs) >= EPOCH_LIKE_MS) return `0:00 = ${marketClock(offsetMs)} UTC`
  return elapsedText(offsetMs)
}
