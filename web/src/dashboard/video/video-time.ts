/**
 * Video positions, market moments and the stream offset as the page shows and reads them.
 *
 * `offsetMs = market time − video time`: market time = video time + offset, video time =
 * market time − offset (docs/DASHBOARD_API.md). Market times are venue epoch ms; video times
 * ms from the start of the video.
 */

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string }

/** Offsets this large are an epoch (a VOD's start on the market clock), not a lag. */
const EPOCH_LIKE_MS = 100_000_000_000

/** Video time at a market time, or null when either is unknown. */
export function videoAt(marketMs: number | null, offsetMs: number | null): number | null {
  return marketMs === null || offsetMs === null ? null : marketMs - offsetMs
}

/** Market time at a video position, or null when either is unknown. */
export function marketAt(videoMs: number | null, offsetMs: number | null): number | null {
  return videoMs === null || offsetMs === null ? null : Math.round(videoMs + offsetMs)
}

/** The offset that puts `marketMs` at `videoMs`: marking a known moment. */
export function calibrate(marketMs: number, videoMs: number): number {
  return Math.round(marketMs - videoMs)
}

/** 754_500 → "12:34.5", 3_723_400 → "1:02:03.4", -5_000 → "-0:05.0". */
export function formatVideoMs(ms: number): string {
  const sign = ms < 0 ? '-' : ''
  const tenths = Math.floor(Math.abs(ms) / 100)
  const hours = Math.floor(tenths / 36_000)
  const minutes = Math.floor((tenths % 36_000) / 600)
  const seconds = Math.floor((tenths % 600) / 10)
  const rest = tenths % 10
  const ss = `${String(seconds).padStart(2, '0')}.${rest}`
  if (hours > 0) return `${sign}${hours}:${String(minutes).padStart(2, '0')}:${ss}`
  return `${sign}${minutes}:${ss}`
}

/** Epoch ms as UTC wall time with tenths, as the dashboard header shows it: "14:03:07.4". */
export function formatMarketMs(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${Math.floor(d.getUTCMilliseconds() / 100)}`
}

/**
 * A video position typed by the user: "12:34", "12:34.5", "1:02:03", "754.5" (seconds).
 */
export function parseVideoPosition(input: string): Parsed<number> {
  const text = input.trim()
  const bad: Parsed<number> = {
    ok: false,
    error: `"${text}" is not a video position: type minutes:seconds (12:34.5), h:mm:ss (1:02:03) or seconds (754.5)`,
  }
  if (text === '') return { ...bad, error: 'type the video position, e.g. 12:34.5' }
  const match = /^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d{1,3})?)$/.exec(text)
  if (match === null) return bad
  const hours = Number(match[1] ?? 0)
  const minutes = Number(match[2] ?? 0)
  const seconds = Number(match[3])
  if (match[2] !== undefined && seconds >= 60) return bad
  if (match[1] !== undefined && minutes >= 60) return bad
  return { ok: true, value: Math.round((hours * 3600 + minutes * 60 + seconds) * 1000) }
}

/** A whole number of ms, sign allowed, `_`, `,` and spaces as digit separators. */
export function parseOffsetInput(input: string): Parsed<number> {
  const text = input.trim().replace(/[_,\s]/g, '')
  if (!/^[+-]?\d{1,16}$/.test(text)) {
    return {
      ok: false,
      error: `"${input.trim()}" is not an offset: type whole milliseconds (market time − video time), e.g. 1780795830000 or -2500`,
    }
  }
  return { ok: true, value: Number(text) }
}

/**
 * A market moment typed by the user: epoch ms (digits), or a UTC wall time "14:03:07(.4)" on
 * the UTC day of `referenceMs` (the current market time).
 */
export function parseMarketMoment(input: string, referenceMs: number | null): Parsed<number> {
  const text = input.trim().replace(/[_,\s]/g, '')
  if (/^\d{12,14}$/.test(text)) return { ok: true, value: Number(text) }
  const match = /^(\d{1,2}):(\d{2}):(\d{2}(?:\.\d{1,3})?)$/.exec(text)
  if (match !== null && referenceMs !== null) {
    const day = new Date(referenceMs)
    const seconds = Number(match[3])
    const whole = Math.floor(seconds)
    day.setUTCHours(Number(match[1]), Number(match[2]), whole, Math.round((seconds - whole) * 1000))
    if (Number(match[1]) < 24 && Number(match[2]) < 60 && seconds < 60) {
      return { ok: true, value: day.getTime() }
    }
  }
  return {
    ok: false,
    error:
      referenceMs === null
        ? `"${input.trim()}" is not a market time: type epoch milliseconds (e.g. 1780795851472)`
        : `"${input.trim()}" is not a market time: type epoch milliseconds or a UTC time like 14:03:07.4`,
  }
}

/** The offset in words: a lag in seconds, or for epoch-like offsets where video 0:00 falls. */
export function describeOffset(offsetMs: number | null): string {
  if (offsetMs === null) return 'not calibrated'
  if (Math.abs(offsetMs) >= EPOCH_LIKE_MS) {
    return `video 0:00 = market ${new Date(offsetMs).toISOString().replace('T', ' ').replace('Z', ' UTC')}`
  }
  const seconds = (Math.abs(offsetMs) / 1000).toFixed(1)
  if (offsetMs === 0) return 'video time = market time'
  return offsetMs > 0
    ? `market time = video time + ${seconds} s`
    : `market time = video time − ${seconds} s`
}
