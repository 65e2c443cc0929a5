/**
 * The event logger: one key per event type (1–9), T to switch the team, Ctrl+Z to undo, score
 * and map fields prefilled from the last event, and the events as cards (newest first) with
 * the market's reaction. Events are stamped by the rule of stamping.ts and stored through
 * {@link EventJournal}. Keys are ignored while typing in a field.
 */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { Key } from '../../features/top-bar/top-bar.js'
import { useDashboard, useDashboardStore, type DashboardEvent } from '../state/dashboard-store.js'
import { pageBridge } from '../video/video-bridge.js'
import { deleteGameEvent, postGameEvent } from './dashboard-rest.js'
import { EventCard } from './event-card.js'
import { EventJournal, type JournalNotice } from './event-journal.js'
import {
  ACTION_LABELS,
  EVENT_TYPES,
  KEYED_TYPES,
  isKeyedType,
  loadLoggerBindings,
  matchLoggerKey,
  saveLoggerBindings,
  type LoggerBindings,
} from './event-keys.js'
import { KeyEditor } from './key-editor.js'
import {
  draftEvent,
  draftProblems,
  lastScoreAndMap,
  stampTimes,
  teamsFromLabel,
} from './stamping.js'
import './events.css'

/** Cards shown at most (the newest). */
const MAX_CARDS = 200
const TOAST_MS = 4000

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export function EventLogger() {
  const snapshot = useDashboard()
  const store = useDashboardStore()
  const bridge = pageBridge()
  const selectedMs = useSyncExternalStore(
    (l) => bridge.subscribe(l),
    () => bridge.selectedEventMs(),
  )
  const [bindings, setBindings] = useState<LoggerBindings>(() =>
    loadLoggerBindings(browserStorage()),
  )
  const [editing, setEditing] = useState(false)
  const [teams, setTeams] = useState<readonly [string, string]>(['Team A', 'Team B'])
  const [teamsEdited, setTeamsEdited] = useState(false)
  const [teamIndex, setTeamIndex] = useState<0 | 1>(0)
  const [score, setScore] = useState('')
  const [map, setMap] = useState('')
  const [otherType, setOtherType] = useState<string>('custom')
  const [note, setNote] = useState('')
  const [toast, setToast] = useState<(JournalNotice & { seq: number }) | null>(null)
  const [, setTick] = useState(0)
  const toastSeq = useRef(0)

  const journal = useMemo(
    () =>
      new EventJournal(
        store,
        { post: (body) => postGameEvent(body), remove: (id) => deleteGameEvent(id) },
        (notice) => setToast({ ...notice, seq: ++toastSeq.current }),
      ),
    [store],
  )

  // Team names from the match label, until the user edits them.
  const { marketLabel, events, offsetMs, mode, spanTo, t } = snapshot
  useEffect(() => {
    if (teamsEdited) return
    const found = teamsFromLabel(marketLabel)
    if (found !== null) setTeams(found)
  }, [marketLabel, teamsEdited])

  // Score and map follow the newest event that has them, whenever a newer event arrives.
  const newest = events[events.length - 1]
  const newestKey = newest === undefined ? null : `${newest.id}:${newest.tsMs}`
  useEffect(() => {
    const last = lastScoreAndMap(store.get().events)
    if (last.score !== null) setScore(last.score)
    if (last.map !== null) setMap(last.map)
  }, [newestKey, store])

  // Toasts fade; errors stay until the next one.
  useEffect(() => {
    if (toast === null || toast.kind === 'failed' || toast.kind === 'undo-failed') return
    const timer = setTimeout(() => setToast(null), TOAST_MS)
    return () => clearTimeout(timer)
  }, [toast])

  // Live impact figures fill in as time passes; playback ones when the series arrives.
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 1000)
    return () => clearInterval(timer)
  }, [])

  const logType = (type: string): void => {
    const problems = draftProblems({ score, map })
    if (problems.length > 0) {
      setToast({
        kind: 'failed',
        text: `Not logged: ${problems.join('; ')}`,
        seq: ++toastSeq.current,
      })
      return
    }
    const now = store.get()
    if (now.market === null && now.token === null) {
      setToast({
        kind: 'failed',
        text: 'Not logged: this page shows no market yet (open a capture or pick a market).',
        seq: ++toastSeq.current,
      })
      return
    }
    const stamp = stampTimes(bridge.readVideo(), now.offsetMs, now.t)
    if (!stamp.ok) {
      setToast({ kind: 'failed', text: `Not logged: ${stamp.error}`, seq: ++toastSeq.current })
      return
    }
    const event = draftEvent(
      { type, team: teams[teamIndex], score, map, note },
      stamp,
      now.market,
      now.token,
      journal.nextPendingId(),
    )
    setNote('')
    void journal.log(event)
  }

  const toggleTeam = (): void => setTeamIndex((i) => (i === 0 ? 1 : 0))

  const actions = useRef({ logType, toggleTeam, undo: () => void journal.undo() })
  actions.current = { logType, toggleTeam, undo: () => void journal.undo() }

  useEffect(() => {
    if (editing) return
    const onKey = (event: KeyboardEvent): void => {
      if (event.repeat || event.defaultPrevented) return
      const action = matchLoggerKey(bindings, event, event.target as HTMLElement | null)
      if (action === null) return
      event.preventDefault()
      if (action === 'toggle_team') actions.current.toggleTeam()
      else if (action === 'undo') actions.current.undo()
      else if (isKeyedType(action)) actions.current.logType(action)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [bindings, editing])

  const pick = (event: DashboardEvent): void => {
    bridge.selectEvent(event.tsMs)
    store.seek(event.tsMs)
  }

  const knownUntil = mode === 'playback' ? (spanTo ?? t) : t
  const cards = events.slice(-MAX_CARDS).reverse()

  return (
    <section className="panel event-logger" data-testid="event-logger">
      <div className="event-keys">
        {KEYED_TYPES.map((type) => (
          <button
            key={type}
            type="button"
            className="event-key"
            data-testid={`event-key-${type}`}
            title={`Log ${ACTION_LABELS[type]} (${bindings[type]})`}
            onClick={() => logType(type)}
          >
            <Key combo={bindings[type]} /> {type}
          </button>
        ))}
      </div>
      <div className="event-fields">
        <button
          type="button"
          className="event-team"
          data-testid="event-team"
          data-team={teams[teamIndex]}
          title={`Switch team (${bindings.toggle_team})`}
          onClick={toggleTeam}
        >
          <Key combo={bindings.toggle_team} /> {teams[teamIndex]}
        </button>
        <input
          className="event-team-input"
          aria-label="First team"
          value={teams[0]}
          onChange={(e) => {
            setTeamsEdited(true)
            setTeams([e.target.value, teams[1]])
          }}
        />
        <input
          className="event-team-input"
          aria-label="Second team"
          value={teams[1]}
          onChange={(e) => {
            setTeamsEdited(true)
            setTeams([teams[0], e.target.value])
          }}
        />
        <label className="event-field">
          score
          <input
            data-testid="event-score"
            placeholder="7-5"
            value={score}
            onChange={(e) => setScore(e.target.value)}
          />
        </label>
        <label className="event-field">
          map
          <input
            data-testid="event-map"
            inputMode="numeric"
            placeholder="1"
            value={map}
            onChange={(e) => setMap(e.target.value)}
          />
        </label>
      </div>
      <div className="event-fields">
        <select
          value={otherType}
          onChange={(e) => setOtherType(e.target.value)}
          aria-label="Other event type"
        >
          {EVENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
        <input
          className="event-note"
          data-testid="event-note"
          placeholder="note (optional)"
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <button
          type="button"
          className="ghost small"
          data-testid="event-log-other"
          onClick={() => logType(otherType)}
        >
          Log
        </button>
        <span className="spacer" />
        <button
          type="button"
          className="ghost small"
          data-testid="event-undo"
          title={`Undo the last event logged here (${bindings.undo})`}
          onClick={() => void journal.undo()}
        >
          Undo <Key combo={bindings.undo} />
        </button>
        <button
          type="button"
          className="ghost small"
          data-testid="event-keys-edit"
          onClick={() => setEditing(true)}
        >
          Keys…
        </button>
      </div>
      {toast !== null && (
        <div
          key={toast.seq}
          className={`event-toast ${toast.kind === 'failed' || toast.kind === 'undo-failed' ? 'bad' : ''}`}
          data-testid="event-toast"
          data-kind={toast.kind}
          role="status"
          onClick={() => setToast(null)}
        >
          {toast.text}
        </div>
      )}
      <ul className="event-cards">
        {cards.length === 0 && (
          <li className="muted small-text">No events yet: press 1–9 while watching to log one.</li>
        )}
        {cards.map((event, i) => (
          <EventCard
            key={event.id ?? `csv-${event.tsMs}-${i}`}
            event={event}
            offsetMs={offsetMs}
            midAt={(at) => store.midAt(at)}
            knownUntil={knownUntil}
            final={mode === 'playback' && spanTo !== null}
            selected={selectedMs === event.tsMs}
            onPick={pick}
          />
        ))}
      </ul>
      {editing && (
        <KeyEditor
          bindings={bindings}
          onChange={(next) => {
            setBindings(next)
            saveLoggerBindings(browserStorage(), next)
          }}
          onClose={() => setEditing(false)}
        />
      )}
    </section>
  )
}
