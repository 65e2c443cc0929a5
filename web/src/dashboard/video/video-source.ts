/**
 * What the video panel can play, read from the URL the user pastes: a YouTube or Twitch page
 * (shown in the site's own embed player), an HLS playlist (`.m3u8`) or a plain video file
 * (`.mp4`, `.webm`, ...) played in a `<video>`, or a local file picked from disk.
 *
 * Embeds cannot be driven from the page without the sites' player scripts, so they are only
 * positioned by reloading them at a start time ({@link embedUrl}); `<video>` sources follow
 * the market clock (video-sync.ts).
 */

export type VideoSource =
  | { readonly kind: 'youtube'; readonly videoId: string; readonly startMs: number | null }
  | { readonly kind: 'twitch-channel'; readonly channel: string }
  | { readonly kind: 'twitch-video'; readonly videoId: string; readonly startMs: number | null }
  | { readonly kind: 'hls'; readonly url: string }
  | { readonly kind: 'direct'; readonly url: string }
  /** A file picked from disk: `url` is an object URL valid for this page only. */
  | { readonly kind: 'file'; readonly name: string; readonly url: string }

export type VideoSourceResult =
  | { readonly ok: true; readonly source: VideoSource }
  | { readonly ok: false; readonly error: string }

/** What to paste, said in every refusal. */
export const WHAT_TO_PASTE =
  'Paste a YouTube link (youtube.com/watch?v=…, youtu.be/…), a Twitch channel or VOD ' +
  '(twitch.tv/<channel>, twitch.tv/videos/<id>), an HLS playlist (….m3u8) or a video file URL ' +
  '(….mp4, ….webm), or choose a local file.'

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/
const TWITCH_CHANNEL = /^[A-Za-z0-9_]{3,25}$/
const TWITCH_VIDEO = /^v?(\d{5,15})$/
const FILE_EXTENSIONS = /\.(mp4|m4v|webm|mov|ogv|ogg|mkv)$/i
/** Twitch paths that are pages, not channels. */
const TWITCH_PAGES = new Set([
  'directory',
  'videos',
  'settings',
  'search',
  'downloads',
  'jobs',
  'turbo',
  'subscriptions',
  'inventory',
  'wallet',
  'drops',
  'prime',
  'friends',
  'login',
  'signup',
  'p',
])

function refuse(error: string): VideoSourceResult {
  return { ok: false, error }
}

function accept(source: VideoSource): VideoSourceResult {
  return { ok: true, source }
}

/**
 * A start-time parameter as ms: "90", "90s", "1m30s", "1h2m3s", "01h02m03s". Null when it is
 * missing or not one of those.
 */
export function parseStartParam(text: string | null): number | null {
  if (text === null || text === '') return null
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text)
  if (match === null || (match[1] ?? match[2] ?? match[3]) === undefined) return null
  const hours = Number(match[1] ?? 0)
  const minutes = Number(match[2] ?? 0)
  const seconds = Number(match[3] ?? 0)
  return Math.round((hours * 3600 + minutes * 60 + seconds) * 1000)
}

/** Ms as Twitch's time parameter: 3_723_000 → "1h2m3s". */
function twitchTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  return `${hours}h${minutes}m${seconds}s`
}

function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^(www\.|m\.)/, '')
}

function parseYoutube(url: URL): VideoSourceResult {
  const host = hostOf(url)
  const parts = url.pathname.split('/').filter((p) => p !== '')
  const start = parseStartParam(url.searchParams.get('t') ?? url.searchParams.get('start'))
  let id: string | null = null
  if (host === 'youtu.be') id = parts[0] ?? null
  else if (parts[0] === 'watch') id = url.searchParams.get('v')
  else if (['live', 'embed', 'shorts', 'v'].includes(parts[0] ?? '')) id = parts[1] ?? null
  if (id === null) {
    return refuse(
      'This YouTube link names no video. Open the stream or video and paste its own link ' +
        '(youtube.com/watch?v=… or youtube.com/live/…), not a channel or search page.',
    )
  }
  if (!YOUTUBE_ID.test(id)) {
    return refuse(
      `"${id}" is not a YouTube video id (11 letters, digits, - or _). ${WHAT_TO_PASTE}`,
    )
  }
  return accept({ kind: 'youtube', videoId: id, startMs: start })
}

function parseTwitch(url: URL): VideoSourceResult {
  const host = hostOf(url)
  const parts = url.pathname.split('/').filter((p) => p !== '')
  const start = parseStartParam(url.searchParams.get('t') ?? url.searchParams.get('time'))
  if (host === 'player.twitch.tv') {
    const channel = url.searchParams.get('channel')
    const video = url.searchParams.get('video')
    if (channel !== null && TWITCH_CHANNEL.test(channel)) {
      return accept({ kind: 'twitch-channel', channel: channel.toLowerCase() })
    }
    const videoId = video === null ? null : (TWITCH_VIDEO.exec(video)?.[1] ?? null)
    if (videoId !== null) return accept({ kind: 'twitch-video', videoId, startMs: start })
    return refuse(`This Twitch player link names no channel or video. ${WHAT_TO_PASTE}`)
  }
  if (host === 'clips.twitch.tv' || parts[1] === 'clip') {
    return refuse(
      'Twitch clips are not supported: paste the channel or the VOD (twitch.tv/videos/…).',
    )
  }
  if (parts[0] === 'videos') {
    const videoId = TWITCH_VIDEO.exec(parts[1] ?? '')?.[1] ?? null
    if (videoId === null) {
      return refuse('A Twitch VOD link looks like twitch.tv/videos/1234567890; this one has no id.')
    }
    return accept({ kind: 'twitch-video', videoId, startMs: start })
  }
  const channel = parts[0] ?? ''
  if (parts.length === 1 && TWITCH_CHANNEL.test(channel) && !TWITCH_PAGES.has(channel)) {
    return accept({ kind: 'twitch-channel', channel: channel.toLowerCase() })
  }
  return refuse(
    `This Twitch link is not a channel or a VOD. Paste twitch.tv/<channel> for a live stream or ` +
      `twitch.tv/videos/<id> for a past broadcast.`,
  )
}

/**
 * Reads a pasted URL. Accepts what a browser's address bar shows (scheme optional for the
 * video sites). Refusals say what was wrong and what to paste instead.
 */
export function parseVideoUrl(input: string): VideoSourceResult {
  const text = input.trim()
  if (text === '') return refuse(`Nothing to load. ${WHAT_TO_PASTE}`)
  if (/^file:/i.test(text)) {
    return refuse('A page cannot open file:// paths: use "Choose file" to play a file from disk.')
  }
  if (/^blob:/i.test(text)) return accept({ kind: 'direct', url: text })
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return refuse(`"${text}" is not a URL. ${WHAT_TO_PASTE}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refuse(`${url.protocol}// links cannot be played here. ${WHAT_TO_PASTE}`)
  }
  const host = hostOf(url)
  if (['youtube.com', 'youtu.be', 'youtube-nocookie.com', 'music.youtube.com'].includes(host)) {
    return parseYoutube(url)
  }
  if (host === 'twitch.tv' || host.endsWith('.twitch.tv')) return parseTwitch(url)
  if (/\.m3u8$/i.test(url.pathname)) return accept({ kind: 'hls', url: url.href })
  if (FILE_EXTENSIONS.test(url.pathname)) return accept({ kind: 'direct', url: url.href })
  return refuse(
    `${url.hostname} is neither YouTube nor Twitch, and the link does not end in .m3u8 or a ` +
      `video file extension. ${WHAT_TO_PASTE}`,
  )
}

/** True for sources shown in a site's player (no position to read, no clock to follow). */
export function isEmbed(source: VideoSource): boolean {
  return (
    source.kind === 'youtube' || source.kind === 'twitch-channel' || source.kind === 'twitch-video'
  )
}

/**
 * The iframe address of an embed, started at `startMs` when the source can seek (VODs), else
 * null for `<video>` sources. Twitch refuses to play unless `parent` is the page's host name.
 */
export function embedUrl(
  source: VideoSource,
  hostname: string,
  startMs: number | null = null,
): string | null {
  switch (source.kind) {
    case 'youtube': {
      const start = startMs ?? source.startMs
      const query =
        start === null ? '' : `?start=${Math.max(0, Math.floor(start / 1000))}&autoplay=1`
      return `https://www.youtube-nocookie.com/embed/${source.videoId}${query}`
    }
    case 'twitch-channel':
      return `https://player.twitch.tv/?channel=${source.channel}&parent=${encodeURIComponent(hostname)}`
    case 'twitch-video': {
      const start = startMs ?? source.startMs
      const time = start === null ? '' : `&time=${twitchTime(start)}&autoplay=true`
      return `https://player.twitch.tv/?video=v${source.videoId}&parent=${encodeURIComponent(hostname)}${time}`
    }
    case 'hls':
    case 'direct':
    case 'file':
      return null
  }
}

/** True when an embed can be reloaded at a position (VODs; not a live channel). */
export function canJump(source: VideoSource): boolean {
  return source.kind === 'youtube' || source.kind === 'twitch-video'
}

/**
 * The text stored as the offset's `video_url`: the source as pasted for web sources; for a
 * local file `file:<name>` (object URLs die with the page; the name reminds which file).
 */
export function storedUrlOf(source: VideoSource, pasted: string): string {
  return source.kind === 'file' ? `file:${source.name}` : pasted.trim()
}

/** Name of the local file a stored `video_url` refers to, or null for a web source. */
export function storedFileName(videoUrl: string | null): string | null {
  return videoUrl !== null && videoUrl.startsWith('file:') ? videoUrl.slice(5) : null
}
