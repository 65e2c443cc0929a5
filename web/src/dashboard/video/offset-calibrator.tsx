/**
 * The stream offset: shown, typed, nudged, calibrated by marking a known moment, and saved per
 * match (`PUT /api/matches/:market/offset`). Offset = market time − video time.
 *
 * Marking: the user picks a market moment (the picked or last game event, else the current
 * market time; editable) and, with the video showing that moment, presses "This is on screen
 * now". The video position comes from the `<video>`, or is typed for an embedded player.
 */
import { useEffect, useState, useSyncExternalStore } from 'react'
import { errorText, getMatchOffset, putMatchOffset } from '../events/dashboard-rest.js'
import { useDashboard, useDashboardStore } from '../state/dashboard-store.js'
import { pageBridge } from './video-bridge.js'
import {
  calibrate,
  describeOffset,
  formatMarketMs,
  parseMarketMoment,
  parseOffsetInput,
  parseVideoPosition,
} from './video-time.js'

export interface OffsetCalibratorProps {
  /** Position of the `<video>` in ms, or null for an embed (the user types it). */
  readonly readVideoMs: (() => number | null) | null
  /** The `video_url` to store with the offset. */
  readonly videoUrl: string | null
}

const NUDGES = [-1000, -100, 100, 1000] as const

type SaveState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'saving' }
  | { readonly kind: 'saved'; readonly at: number }
  | { readonly kind: 'error'; readonly message: string }

export function OffsetCalibrator({ readVideoMs, videoUrl }: OffsetCalibratorProps) {
  const snapshot = useDashboard()
  const store = useDashboardStore()
  const bridge = pageBridge()
  const selectedMs = useSyncExternalStore(
    (l) => bridge.subscribe(l),
    () => bridge.selectedEventMs(),
  )
  const { offsetMs, market, events, t } = snapshot

  const lastEvent = events[events.length - 1]
  const defaultMoment = selectedMs ?? lastEvent?.tsMs ?? t
  const defaultWhat =
    selectedMs !== null
      ? 'picked event'
      : lastEvent !== undefined
        ? `last event (${lastEvent.type})`
        : 'market now'
  const [momentText, setMomentText] = useState<string | null>(null)
  const [positionText, setPositionText] = useState('')
  const [offsetText, setOffsetText] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [save, setSave] = useState<SaveState>({ kind: 'idle' })
  const [unsaved, setUnsaved] = useState(false)
  const [storage, setStorage] = useState<string | null>(null)

  // Whether this match has a stored offset, and whether offsets can be stored at all.
  useEffect(() => {
    if (market === null) {
      setStorage('No market on this page: the offset holds for this page only.')
      return
    }
    let cancelled = false
    getMatchOffset(market).then(
      (stored) => {
        if (cancelled) return
        if (stored.kind === 'unavailable') setStorage(stored.message)
        else if (stored.kind === 'none')
          setStorage('Nothing stored for this match yet: calibrate, then Save.')
        else setStorage(null)
      },
      (e: unknown) => {
        if (!cancelled) setStorage(`Stored offset unknown: ${errorText(e)}`)
      },
    )
    return () => {
      cancelled = true
    }
  }, [market])

  const momentValue =
    momentText ?? (defaultMoment === null ? '' : String(Math.round(defaultMoment)))
  const moment = parseMarketMoment(momentValue, t)

  const change = (next: number | null): void => {
    store.setOffset(next, videoUrl)
    setUnsaved(true)
    setSave({ kind: 'idle' })
    setProblem(null)
  }

  const markNow = (): void => {
    if (!moment.ok) {
      setProblem(moment.error)
      return
    }
    let videoMs: number | null
    if (readVideoMs !== null) {
      videoMs = readVideoMs()
      if (videoMs === null) {
        setProblem('The video is not loaded yet: load it and find the moment first.')
        return
      }
    } else {
      const typed = parseVideoPosition(positionText)
      if (!typed.ok) {
        setProblem(`${typed.error} (the embedded player's position, where the moment is seen)`)
        return
      }
      videoMs = typed.value
    }
    change(calibrate(moment.value, videoMs))
    // The video stays where the moment is seen; the market moves to the moment.
    store.seek(moment.value)
  }

  const applyTyped = (): void => {
    const typed = parseOffsetInput(offsetText)
    if (!typed.ok) {
      setProblem(typed.error)
      return
    }
    change(typed.value)
    setOffsetText('')
  }

  const saveOffset = (): void => {
    if (market === null) {
      setSave({ kind: 'error', message: 'No market on this page: the offset cannot be saved.' })
      return
    }
    if (offsetMs === null) {
      setSave({ kind: 'error', message: 'Nothing to save: calibrate first.' })
      return
    }
    setSave({ kind: 'saving' })
    putMatchOffset(market, { offset_ms: offsetMs, video_url: videoUrl }).then(
      (answer) => {
        setSave({ kind: 'saved', at: answer.updated_at })
        setUnsaved(false)
        setStorage(null)
      },
      (e: unknown) => setSave({ kind: 'error', message: errorText(e) }),
    )
  }

  return (
    <div className="offset" data-testid="offset-calibrator">
      <div className="offset-row">
        <span className="muted">Offset</span>
        <span
          className="num offset-value"
          data-testid="offset-value"
          data-offset-ms={offsetMs ?? ''}
        >
          {offsetMs === null ? 'not calibrated' : `${offsetMs} ms`}
        </span>
        <span className="muted small-text">
          {offsetMs === null ? '' : describeOffset(offsetMs)}
        </span>
      </div>
      <div className="offset-row">
        {NUDGES.map((step) => (
          <button
            key={step}
            type="button"
            className="ghost small"
            data-testid={`offset-nudge-${step}`}
            disabled={offsetMs === null}
            title={
              step > 0
                ? 'Offset up: the video moves back against the market'
                : 'Offset down: the video moves forward against the market'
            }
            onClick={() => offsetMs !== null && change(offsetMs + step)}
          >
            {step > 0 ? '+' : '−'}
            {Math.abs(step) >= 1000 ? `${Math.abs(step) / 1000} s` : `${Math.abs(step)} ms`}
          </button>
        ))}
        <input
          className="offset-input num"
          data-testid="offset-input"
          placeholder="offset ms"
          value={offsetText}
          onChange={(e) => setOffsetText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') applyTyped()
          }}
        />
        <button type="button" className="ghost small" onClick={applyTyped}>
          Set
        </button>
        <button
          type="button"
          className="ghost small"
          disabled={offsetMs === null}
          onClick={() => change(null)}
        >
          Clear
        </button>
      </div>
      <div className="offset-row">
        <span
          className="muted"
          title="A moment you can recognise on the video, on the market's clock"
        >
          Mark a known moment
        </span>
        <input
          className="offset-moment num"
          data-testid="offset-market-ms"
          value={momentValue}
          title="Market time: epoch ms or a wall time like 14:03:07.4"
          onChange={(e) => setMomentText(e.target.value)}
        />
        <span className="muted small-text">
          {moment.ok ? formatMarketMs(moment.value) : ''}
          {momentText === null ? ` · ${defaultWhat}` : ''}
        </span>
        {momentText !== null && (
          <button type="button" className="ghost small" onClick={() => setMomentText(null)}>
            Reset
          </button>
        )}
        {readVideoMs === null && (
          <input
            className="offset-position num"
            data-testid="offset-video-pos"
            placeholder="video mm:ss.s"
            value={positionText}
            onChange={(e) => setPositionText(e.target.value)}
          />
        )}
        <button
          type="button"
          className="primary small"
          data-testid="offset-mark-now"
          onClick={markNow}
        >
          This is on screen now
        </button>
      </div>
      <div className="offset-row">
        <button
          type="button"
          className={`small ${unsaved ? 'primary' : 'ghost'}`}
          data-testid="offset-save"
          onClick={saveOffset}
          disabled={save.kind === 'saving'}
        >
          Save for this match
        </button>
        <span className="small-text" data-testid="offset-status">
          {save.kind === 'saving' && 'Saving…'}
          {save.kind === 'saved' && `Saved at ${formatMarketMs(save.at)}.`}
          {save.kind === 'error' && <span className="bad-text">{save.message}</span>}
          {save.kind === 'idle' && unsaved && 'Not saved yet.'}
          {save.kind === 'idle' && !unsaved && storage !== null && (
            <span className="muted">{storage}</span>
          )}
        </span>
      </div>
      {problem !== null && (
        <p className="bad-text small-text" data-testid="offset-problem">
          {problem}
        </p>
      )}
    </div>
  )
}
