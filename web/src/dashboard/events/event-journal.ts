/**
 * Logging and undoing game events, optimistically: a logged event shows at once (with a
 * negative temporary id), is swapped for the stored one when `POST /api/events` answers 201,
 * and removed again with the daemon's message when it fails. Undo removes the newest event
 * this page logged (`DELETE /api/events/:id`); undoing one still being stored deletes it as
 * soon as its id is known. No React here, so it is tested with fakes.
 */
import type { GameEventBody, GameEventCreated } from '../../../../src/contracts/api.js'
import type { DashboardEvent, DashboardStore } from '../state/dashboard-store.js'
import { formatMarketMs, formatVideoMs } from '../video/video-time.js'
import { errorText } from './dashboard-rest.js'
import { eventBody, storedEvent } from './stamping.js'

export type JournalStore = Pick<DashboardStore, 'addEvent' | 'removeEvent' | 'replaceEvent'> & {
  get(): { readonly events: readonly DashboardEvent[] }
}

export interface JournalApi {
  post(body: GameEventBody): Promise<GameEventCreated>
  remove(id: number): Promise<void>
}

export interface JournalNotice {
  readonly kind: 'logged' | 'stored' | 'failed' | 'undone' | 'undo-failed' | 'nothing'
  readonly text: string
}

interface Entry {
  readonly pendingId: number
  /** What the store shows now: the pending event, then the stored one. */
  event: DashboardEvent
  storedId: number | null
  undone: boolean
}

/** "round_win · SEN · 12:34.5": type, team, and the video time (else the market time). */
export function describeEvent(event: DashboardEvent): string {
  const time =
    event.tsVideoMs !== null ? `▶ ${formatVideoMs(event.tsVideoMs)}` : formatMarketMs(event.tsMs)
  return [event.type, event.team, time].filter((part) => part !== null).join(' · ')
}

export class EventJournal {
  private readonly _entries: Entry[] = []
  private _nextPending = -1

  constructor(
    private readonly _store: JournalStore,
    private readonly _api: JournalApi,
    private readonly _notify: (notice: JournalNotice) => void,
  ) {}

  /** A fresh temporary id for an event about to be logged (negative; stored ids are positive). */
  nextPendingId(): number {
    return this._nextPending--
  }

  /** Events logged here and not undone: what Undo can take back. */
  get undoable(): number {
    return this._entries.filter((e) => !e.undone).length
  }

  /** Shows `event` (built with {@link nextPendingId}) and stores it. */
  async log(event: DashboardEvent): Promise<void> {
    const pendingId = event.id ?? this.nextPendingId()
    const entry: Entry = { pendingId, event, storedId: null, undone: false }
    this._entries.push(entry)
    this._store.addEvent(event)
    this._notify({ kind: 'logged', text: `${describeEvent(event)} logged` })
    let created: GameEventCreated
    try {
      created = await this._api.post(eventBody(event))
    } catch (e) {
      this._drop(entry)
      if (!entry.undone) {
        this._store.removeEvent(pendingId)
        this._notify({ kind: 'failed', text: `${event.type} not logged: ${errorText(e)}` })
      }
      return
    }
    const stored = storedEvent(created.id, created.event)
    entry.storedId = created.id
    if (entry.undone) {
      // Undone while it was being stored: delete it now that it has an id.
      await this._delete(entry, stored, false)
      return
    }
    entry.event = stored
    // The live socket may have brought the stored event first: keep one copy.
    if (this._store.get().events.some((e) => e.id === created.id)) {
      this._store.removeEvent(pendingId)
    } else {
      this._store.replaceEvent(event, stored)
    }
    this._notify({ kind: 'stored', text: `${describeEvent(stored)} stored (#${created.id})` })
  }

  /** Takes back the newest event logged here. */
  async undo(): Promise<void> {
    const entry = [...this._entries].reverse().find((e) => !e.undone)
    if (entry === undefined) {
      this._notify({ kind: 'nothing', text: 'Nothing to undo: no event logged on this page.' })
      return
    }
    entry.undone = true
    if (entry.storedId === null) {
      this._store.removeEvent(entry.pendingId)
      this._notify({ kind: 'undone', text: `${describeEvent(entry.event)} undone` })
      return
    }
    await this._delete(entry, entry.event)
  }

  private async _delete(entry: Entry, event: DashboardEvent, announce = true): Promise<void> {
    const id = entry.storedId
    if (id === null) return
    this._store.removeEvent(id)
    try {
      await this._api.remove(id)
    } catch (e) {
      entry.undone = false
      entry.event = event
      this._store.addEvent(event)
      this._notify({
        kind: 'undo-failed',
        text: `Undo failed, ${event.type} kept: ${errorText(e)}`,
      })
      return
    }
    this._drop(entry)
    if (announce) this._notify({ kind: 'undone', text: `${describeEvent(event)} undone` })
  }

  private _drop(entry: Entry): void {
    const at = this._entries.indexOf(entry)
    if (at >= 0) this._entries.splice(at, 1)
  }
}
