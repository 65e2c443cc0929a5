/**
 * Playback controls: play, pause, speed (0.5×–20×), the scrubber over the capture's span
 * (every move sends a seek; only the latest is served), the time into the capture, and the
 * opening progress. Keys: Space plays or pauses, ← and → jump 5 s (not while typing).
 */
import { useEffect, useState, type ChangeEvent } from 'react'
import { useDashboardStore } from '../state/dashboard-store.js'
import { progressText } from '../state/playback-view.js'
import { SPEEDS } from '../state/store-impl.js'
import { elapsedText, marketClock } from '../state/time-text.js'
import { useDashboardField } from '../state/use-select.js'
import { SEEK_STEP_MS, playbackKey } from './keys.js'

function usePlaybackKeys(): void {
  const store = useDashboardStore()
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.repeat && event.key === ' ') return
      const action = playbackKey(event, event.target as HTMLElement | null)
      if (action === null) return
      const s = store.get()
      if (s.mode !== 'playback') return
      event.preventDefault()
      if (action === 'toggle') {
        if (s.playing) store.pause()
        else store.play()
      } else if (s.t !== null) {
        store.seek(s.t + (action === 'back' ? -SEEK_STEP_MS : SEEK_STEP_MS))
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}

export function PlaybackBar() {
  const store = useDashboardStore()
  const t = useDashboardField('t')
  const playing = useDashboardField('playing')
  const speed = useDashboardField('speed')
  const from = useDashboardField('spanFrom')
  const to = useDashboardField('spanTo')
  const atEnd = useDashboardField('atEnd')
  const progress = useDashboardField('progress')
  const [drag, setDrag] = useState<number | null>(null)
  usePlaybackKeys()

  const ready = from !== null && to !== null && t !== null
  const value = drag ?? t ?? from ?? 0
  const onScrub = (event: ChangeEvent<HTMLInputElement>): void => {
    const next = Number(event.target.value)
    setDrag(next)
    store.seek(next)
  }
  const endDrag = (event: { currentTarget: HTMLInputElement }): void => {
    setDrag(null)
    // Arrows would move the range by 100 ms; after a drag they jump 5 s like everywhere else.
    event.currentTarget.blur()
  }

  return (
    <div className="dash-playback" data-testid="dash-playback">
      <div className="segmented dash-transport">
        <button
          type="button"
          className={playing ? 'on' : ''}
          data-testid="dash-play"
          onClick={() => store.play()}
          disabled={!ready}
          title="Play (Space)"
          aria-pressed={playing}
        >
          ▶
        </button>
        <button
          type="button"
          className={playing ? '' : 'on'}
          data-testid="dash-pause"
          onClick={() => store.pause()}
          disabled={!ready}
          title="Pause (Space)"
          aria-pressed={!playing}
        >
          ❚❚
        </button>
      </div>
      <select
        data-testid="dash-speed"
        value={String(speed)}
        onChange={(e) => {
          store.setSpeed(Number(e.target.value))
          // Give the keys back to playback (Space, arrows) once a speed is chosen.
          e.currentTarget.blur()
        }}
        title="Playback speed"
      >
        {SPEEDS.map((s) => (
          <option key={s} value={String(s)}>
            {s}×
          </option>
        ))}
      </select>
      <button
        type="button"
        className="ghost small"
        onClick={() => t !== null && store.seek(t - SEEK_STEP_MS)}
        disabled={!ready}
        title="Back 5 s (←)"
      >
        −5s
      </button>
      <button
        type="button"
        className="ghost small"
        onClick={() => t !== null && store.seek(t + SEEK_STEP_MS)}
        disabled={!ready}
        title="Forward 5 s (→)"
      >
        +5s
      </button>
      <div className="dash-scrub">
        {progress !== null ? (
          <div className="dash-progress" data-testid="dash-progress">
            <div
              className="dash-progress-fill"
              style={{ width: `${Math.round((progress.fraction ?? 0) * 100)}%` }}
            />
            <span>{progressText(progress)}</span>
          </div>
        ) : (
          <input
            type="range"
            data-testid="dash-scrubber"
            min={from ?? 0}
            max={to ?? 0}
            step={100}
            value={value}
            disabled={!ready}
            onChange={onScrub}
            onPointerUp={endDrag}
            onBlur={() => setDrag(null)}
            aria-label="Playback position"
          />
        )}
      </div>
      <span className="dash-elapsed num" title="Time into the capture / its length">
        {ready ? `${elapsedText(value - from)} / ${elapsedText(to - from)}` : '—'}
        {atEnd && <span className="chip warn">end</span>}
      </span>
      <span className="muted dash-span" title="Capture span (UTC)">
        {ready ? `${marketClock(from, false)}–${marketClock(to, false)}` : ''}
      </span>
    </div>
  )
}
