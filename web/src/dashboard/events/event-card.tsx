/**
 * One game event in the logger's list: type, team, score, map, market and video time, and the
 * mid change after it at +5/+10/+30/+60 s ("…" until known). Click: seek there.
 */
import type { DashboardEvent } from '../state/dashboard-store.js'
import { formatMarketMs, formatVideoMs } from '../video/video-time.js'
import { centsText, impactFigures } from './impact.js'
import { isPending } from './stamping.js'

export interface EventCardProps {
  readonly event: DashboardEvent
  readonly offsetMs: number | null
  readonly midAt: (t: number) => number | null
  readonly knownUntil: number | null
  /** True in playback: what is unknown past `knownUntil` stays unknown ("—", not "…"). */
  readonly final: boolean
  readonly selected: boolean
  readonly onPick: (event: DashboardEvent) => void
}

export function EventCard({
  event,
  offsetMs,
  midAt,
  knownUntil,
  final,
  selected,
  onPick,
}: EventCardProps) {
  const pending = isPending(event)
  // Video time from the current offset, so a recalibration moves it; the logged one otherwise.
  const videoMs = offsetMs !== null ? event.tsMs - offsetMs : event.tsVideoMs
  const figures = impactFigures(event.tsMs, midAt, knownUntil)
  return (
    <li
      className={`event-card ${pending ? 'pending' : ''} ${selected ? 'selected' : ''}`}
      data-testid="event-card"
      data-ts={event.tsMs}
      data-type={event.type}
      data-id={event.id ?? ''}
      title={pending ? 'Being stored…' : 'Seek to this event'}
      onClick={() => onPick(event)}
    >
      <div className="event-card-head">
        <span className="event-type">{event.type}</span>
        {event.team !== null && <span className="event-team-name">{event.team}</span>}
        {event.score !== null && <span className="num">{event.score}</span>}
        {event.map !== null && <span className="muted">map {event.map}</span>}
        <span className="spacer" />
        <span className="num" title={new Date(event.tsMs).toISOString()}>
          {formatMarketMs(event.tsMs)}
        </span>
        <span className="num muted" title="Video time">
          {videoMs === null ? '▶ —' : `▶ ${formatVideoMs(videoMs)}`}
        </span>
      </div>
      <div className="event-impact">
        {figures.map((f) => (
          <span
            key={f.horizonS}
            className={`num ${f.cents === null ? 'muted' : f.cents > 0 ? 'gain' : f.cents < 0 ? 'loss' : ''}`}
            data-testid={`event-impact-${f.horizonS}`}
          >
            +{f.horizonS}s {centsText(f.cents, final)}
          </span>
        ))}
      </div>
      {event.note !== null && <div className="muted small-text">{event.note}</div>}
    </li>
  )
}
