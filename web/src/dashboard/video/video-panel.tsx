/**
 * The dashboard's video: a URL box (YouTube, Twitch, HLS, video file) or a local file, the
 * player, the "video time at market time" readout and the stream-offset calibration.
 * A `<video>` follows the market clock in playback; embedded players cannot be driven without
 * their sites' scripts, so for them the panel shows where the video should be and can reload
 * a VOD at that position ("Jump video here").
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { useDashboard } from '../state/dashboard-store.js'
import { OffsetCalibrator } from './offset-calibrator.js'
import { VideoPlayer } from './video-player.js'
import {
  canJump,
  embedUrl,
  isEmbed,
  parseVideoUrl,
  storedFileName,
  storedUrlOf,
  type VideoSource,
} from './video-source.js'
import { formatVideoMs, videoAt } from './video-time.js'
import './video.css'

type PlayableSource = Extract<VideoSource, { kind: 'hls' | 'direct' | 'file' }>

function isPlayable(source: VideoSource): source is PlayableSource {
  return source.kind === 'hls' || source.kind === 'direct' || source.kind === 'file'
}

export function VideoPanel() {
  const snapshot = useDashboard()
  const [urlText, setUrlText] = useState('')
  const [source, setSource] = useState<VideoSource | null>(null)
  const [loadedUrl, setLoadedUrl] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [playerProblem, setPlayerProblem] = useState<string | null>(null)
  const [jumpMs, setJumpMs] = useState<number | null>(null)
  const videoRef = useRef<HTMLDivElement | null>(null)
  const objectUrl = useRef<string | null>(null)

  const releaseObjectUrl = (): void => {
    if (objectUrl.current !== null) URL.revokeObjectURL(objectUrl.current)
    objectUrl.current = null
  }
  useEffect(() => releaseObjectUrl, [])

  const show = (next: VideoSource, stored: string): void => {
    if (next.kind !== 'file') releaseObjectUrl()
    setSource(next)
    setLoadedUrl(stored)
    setError(null)
    setJumpMs(null)
  }

  const load = (text: string): void => {
    const parsed = parseVideoUrl(text)
    if (!parsed.ok) {
      setError(parsed.error)
      return
    }
    show(parsed.source, storedUrlOf(parsed.source, text))
  }

  // The stored video of the match (loaded with its offset): show it, or name the file to pick.
  const storedUrl = snapshot.videoUrl
  useEffect(() => {
    if (storedUrl === null || source !== null) return
    const fileName = storedFileName(storedUrl)
    if (fileName !== null) {
      setError(`This offset was calibrated on the local file "${fileName}": choose it again.`)
      return
    }
    setUrlText(storedUrl)
    const parsed = parseVideoUrl(storedUrl)
    if (parsed.ok) show(parsed.source, storedUrl)
    // Only when the stored URL changes (a match loaded), not on every local change.
  }, [storedUrl])

  const onProblem = useCallback((message: string | null) => setPlayerProblem(message), [])

  const embed = source !== null && isEmbed(source)
  const playable = source !== null && isPlayable(source) ? source : null
  const { offsetMs, t } = snapshot
  const atMarket = videoAt(t, offsetMs)
  const hostname = typeof location === 'undefined' ? 'localhost' : location.hostname
  const frameUrl = source === null ? null : embedUrl(source, hostname, jumpMs)

  const readVideoMs = embed
    ? null
    : () => {
        const video = videoRef.current?.querySelector('video')
        return video === null || video === undefined || video.readyState === 0
          ? null
          : Math.round(video.currentTime * 1000)
      }

  return (
    <section className="panel video-panel" data-testid="video-panel">
      <form
        className="video-source"
        onSubmit={(e) => {
          e.preventDefault()
          load(urlText)
        }}
      >
        <input
          className="video-url"
          data-testid="video-url-input"
          placeholder="YouTube / Twitch link, .m3u8 or .mp4 URL"
          value={urlText}
          onChange={(e) => setUrlText(e.target.value)}
        />
        <button type="submit" className="ghost small" data-testid="video-load">
          Load
        </button>
        <label className="ghost small video-file">
          Choose file
          <input
            type="file"
            accept="video/*"
            data-testid="video-file-input"
            onChange={(e) => {
              const file = e.target.files?.[0]
              if (file === undefined) return
              releaseObjectUrl()
              const url = URL.createObjectURL(file)
              objectUrl.current = url
              setUrlText('')
              show({ kind: 'file', name: file.name, url }, `file:${file.name}`)
            }}
          />
        </label>
      </form>
      {error !== null && (
        <p className="bad-text small-text" data-testid="video-error">
          {error}
        </p>
      )}
      <div className="video-stage" ref={videoRef}>
        {source === null && (
          <div className="video-empty muted">
            No video. Paste a link or choose a file; then calibrate the offset below.
          </div>
        )}
        {playable !== null && <VideoPlayer source={playable} onProblem={onProblem} />}
        {embed && frameUrl !== null && (
          <iframe
            key={frameUrl}
            className="video-embed"
            data-testid="video-embed"
            src={frameUrl}
            title="Match stream"
            allow="autoplay; encrypted-media; fullscreen; picture-in-picture"
          />
        )}
      </div>
      {playerProblem !== null && <p className="bad-text small-text">{playerProblem}</p>}
      <div className="video-readout">
        <span className="muted">Video at market time</span>
        <span className="num" data-testid="video-time" data-video-ms={atMarket ?? ''}>
          {atMarket === null
            ? offsetMs === null
              ? '— (calibrate)'
              : '—'
            : formatVideoMs(atMarket)}
        </span>
        {embed && source !== null && canJump(source) && atMarket !== null && atMarket >= 0 && (
          <button
            type="button"
            className="ghost small"
            data-testid="video-jump"
            onClick={() => setJumpMs(atMarket)}
          >
            Jump video here
          </button>
        )}
      </div>
      {embed && (
        <p className="muted small-text" data-testid="video-embed-note">
          Embedded players cannot be driven by this page: they do not follow play, pause or seeks.
          Seek the player to the time above yourself
          {source !== null && canJump(source) ? ', or use Jump (reloads it there)' : ''}. For
          calibration, type the player&apos;s position where the moment is seen.
        </p>
      )}
      <OffsetCalibrator readVideoMs={readVideoMs} videoUrl={loadedUrl ?? snapshot.videoUrl} />
    </section>
  )
}
