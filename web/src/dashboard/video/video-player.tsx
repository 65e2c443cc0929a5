/**
 * The `<video>` of the panel (HLS, video file URL or local file), kept on the market clock in
 * playback by {@link VideoSync}; live, a user seek on the dashboard (`seekSeq`) moves it to
 * `seekT − offset`. HLS plays natively where the browser can, otherwise through hls.js,
 * loaded only when first needed.
 */
import { useEffect, useRef, useState } from 'react'
import { useDashboard, useDashboardStore } from '../state/dashboard-store.js'
import { pageBridge } from './video-bridge.js'
import type { VideoSource } from './video-source.js'
import { VideoSync, type SyncAction, type SyncInputs, type VideoState } from './video-sync.js'

type PlayableSource = Extract<VideoSource, { kind: 'hls' | 'direct' | 'file' }>

export interface VideoPlayerProps {
  readonly source: PlayableSource
  readonly onProblem: (message: string | null) => void
}

const MEDIA_ERRORS: Record<number, string> = {
  1: 'loading was aborted',
  2: 'a network error stopped the download',
  3: 'the video could not be decoded',
  4: 'the format or the address is not playable here (check the link, or pick an MP4/WebM file)',
}

function stateOf(video: HTMLVideoElement): VideoState {
  return { ms: video.currentTime * 1000, paused: video.paused, rate: video.playbackRate }
}

export function VideoPlayer({ source, onProblem }: VideoPlayerProps) {
  const snapshot = useDashboard()
  const store = useDashboardStore()
  const ref = useRef<HTMLVideoElement | null>(null)
  const sync = useRef(new VideoSync())
  const [ready, setReady] = useState(false)
  const inputs: SyncInputs = {
    playing: snapshot.playing,
    speed: snapshot.speed,
    t: snapshot.t,
    seekSeq: snapshot.seekSeq,
    offsetMs: snapshot.offsetMs,
  }
  const latest = useRef(inputs)
  latest.current = inputs
  const playback = snapshot.mode === 'playback'

  const apply = (actions: readonly SyncAction[]): void => {
    const video = ref.current
    if (video === null) return
    for (const action of actions) {
      switch (action.kind) {
        case 'setVideoTime':
          video.currentTime = action.ms / 1000
          break
        case 'setRate':
          video.playbackRate = action.rate
          break
        case 'playVideo':
          video.play().catch(() => {
            // Browsers refuse to start sound without a click: start muted instead.
            video.muted = true
            video.play().then(
              () =>
                onProblem('Muted so the browser would start the video; unmute it on the player.'),
              () => onProblem('The browser would not start the video: press play on it once.'),
            )
          })
          break
        case 'pauseVideo':
          video.pause()
          break
        case 'seekMarket':
          store.seek(action.t)
          break
        case 'playMarket':
          store.play()
          break
        case 'pauseMarket':
          store.pause()
          break
      }
    }
  }
  const applyRef = useRef(apply)
  applyRef.current = apply

  // Attach the source: native playback, or hls.js for HLS where the browser has none.
  useEffect(() => {
    const video = ref.current
    if (video === null) return
    let cancelled = false
    let destroy: (() => void) | null = null
    setReady(false)
    sync.current.reset()
    onProblem(null)
    if (source.kind === 'hls' && video.canPlayType('application/vnd.apple.mpegurl') === '') {
      import('hls.js')
        .then(({ default: Hls }) => {
          if (cancelled) return
          if (!Hls.isSupported()) {
            onProblem('This browser cannot play HLS streams (no Media Source Extensions).')
            return
          }
          const hls = new Hls()
          hls.on(Hls.Events.ERROR, (_event, data) => {
            if (data.fatal) onProblem(`The HLS stream failed (${data.details}): check the link.`)
          })
          hls.loadSource(source.url)
          hls.attachMedia(video)
          destroy = () => hls.destroy()
        })
        .catch((e: unknown) => {
          onProblem(`The HLS player could not be loaded (${(e as Error).message}).`)
        })
    } else {
      video.src = source.url
    }
    return () => {
      cancelled = true
      destroy?.()
      video.removeAttribute('src')
      video.load()
    }
  }, [source, onProblem])

  // The logger reads the video's position through the bridge.
  useEffect(() => {
    const bridge = pageBridge()
    bridge.setReader(() => {
      const video = ref.current
      if (video === null || video.readyState === 0) return null
      return { ms: video.currentTime * 1000, playing: !video.paused && !video.ended }
    })
    return () => bridge.setReader(null)
  }, [])

  // Playback: follow the store.
  const { playing, speed, t, seekSeq, offsetMs } = inputs
  useEffect(() => {
    const video = ref.current
    if (!playback || !ready || video === null) return
    applyRef.current(sync.current.onStore(latest.current, stateOf(video)))
  }, [playback, ready, playing, speed, t, seekSeq, offsetMs])

  useEffect(() => {
    if (!playback || !ready) return
    const timer = setInterval(() => {
      const video = ref.current
      if (video === null) return
      applyRef.current(sync.current.onTick(latest.current, stateOf(video), performance.now()))
    }, 250)
    return () => clearInterval(timer)
  }, [playback, ready])

  // Live: only a user seek moves the video (the market cannot be moved).
  const seekT = snapshot.seekT
  useEffect(() => {
    const video = ref.current
    if (playback || !ready || video === null || seekT === null || offsetMs === null) return
    if (seekSeq === 0) return
    video.currentTime = Math.max(0, (seekT - offsetMs) / 1000)
  }, [playback, ready, seekSeq, seekT, offsetMs])

  return (
    <video
      ref={ref}
      className="video-element"
      data-testid="video-element"
      controls
      playsInline
      preload="auto"
      onLoadedMetadata={() => setReady(true)}
      onError={() => {
        const code = ref.current?.error?.code ?? 0
        onProblem(`The video cannot be played: ${MEDIA_ERRORS[code] ?? 'unknown error'}.`)
      }}
      onSeeked={() => {
        const video = ref.current
        if (video !== null && playback) {
          applyRef.current(sync.current.onVideoSeeked(latest.current, video.currentTime * 1000))
        }
      }}
      onPlay={() => {
        if (playback) applyRef.current(sync.current.onVideoPlay(latest.current))
      }}
      onPause={() => {
        const video = ref.current
        if (video !== null && playback) {
          applyRef.current(sync.current.onVideoPause(latest.current, video.ended))
        }
      }}
    />
  )
}
