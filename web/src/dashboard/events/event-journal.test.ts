import { describe, expect, test } from 'vitest'
import type { GameEventBody, GameEventCreated } from '../../../../src/contracts/api.js'
import { ApiError } from '../../api/http.js'
import type { DashboardEvent } from '../state/dashboard-store.js'
import {
  EventJournal,
  describeEvent,
  type JournalNotice,
  type JournalStore,
} from './event-journal.js'

const MARKET = `0x${'ab'.repeat(32)}`

/** The store's event handling as the dashboard store does it. */
class FakeStore implements JournalStore {
  events: DashboardEvent[] = []
  get = () => ({ events: this.events })
  addEvent = (e: DashboardEvent) => {
    this.events = [...this.events, e].sort((a, b) => a.tsMs - b.tsMs)
  }
  removeEvent = (id: number) => {
    this.events = this.events.filter((e) => e.id !== id)
  }
  replaceEvent = (temp: DashboardEvent, stored: DashboardEvent) => {
    this.events = this.events.includes(temp)
      ? this.events.map((e) => (e === temp ? stored : e))
      : [...this.events, stored]
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

function created(id: number, body: GameEventBody): GameEventCreated {
  return {
    id,
    event: {
      ts_ms: body.ts_ms,
      type: body.type,
      market: body.market ?? null,
      asset_id: body.asset_id ?? null,
      team: body.team ?? null,
      player: null,
      score: body.score ?? null,
      map: typeof body.map === 'number' ? body.map : null,
      note: body.note ?? null,
      ts_video_ms: body.ts_video_ms ?? null,
      source: body.source ?? 'api',
    },
  }
}

function setup() {
  const store = new FakeStore()
  const notices: JournalNotice[] = []
  const posts: ReturnType<typeof deferred<GameEventCreated>>[] = []
  const bodies: GameEventBody[] = []
  const deletes: number[] = []
  let failDelete: Error | null = null
  const journal = new EventJournal(
    store,
    {
      post: (body) => {
        bodies.push(body)
        const d = deferred<GameEventCreated>()
        posts.push(d)
        return d.promise
      },
      remove: (id) => {
        deletes.push(id)
        return failDelete === null ? Promise.resolve() : Promise.reject(failDelete)
      },
    },
    (n) => notices.push(n),
  )
  const event = (patch: Partial<DashboardEvent> = {}): DashboardEvent => ({
    id: journal.nextPendingId(),
    tsMs: 1_780_795_900_000,
    tsVideoMs: 754_500,
    type: 'round_win',
    team: 'SEN',
    score: '7-5',
    map: '1',
    note: null,
    market: MARKET,
    assetId: null,
    ...patch,
  })
  return {
    store,
    notices,
    posts,
    bodies,
    deletes,
    journal,
    event,
    failDeletes: (e: Error | null) => {
      failDelete = e
    },
  }
}

describe('EventJournal', () => {
  test('a logged event shows at once, then is swapped for the stored one', async () => {
    const { store, notices, posts, bodies, journal, event } = setup()
    const e = event()
    const done = journal.log(e)
    expect(store.events).toEqual([e])
    expect(e.id).toBe(-1)
    expect(notices[0]).toEqual({ kind: 'logged', text: 'round_win · SEN · ▶ 12:34.5 logged' })
    expect(bodies[0]).toMatchObject({ source: 'hotkey', ts_ms: e.tsMs, ts_video_ms: 754_500 })
    posts[0]!.resolve(created(12, bodies[0]!))
    await done
    expect(store.events.map((x) => x.id)).toEqual([12])
    expect(store.events[0]).toMatchObject({ id: 12, type: 'round_win', map: '1', team: 'SEN' })
    expect(notices[1]?.kind).toBe('stored')
  })

  test('a refused event is removed again and the daemon message shown', async () => {
    const { store, notices, posts, journal, event } = setup()
    const done = journal.log(event())
    posts[0]!.reject(new ApiError(400, 'invalid game event', null, ['map 0 is not a map number']))
    await done
    expect(store.events).toEqual([])
    expect(notices[1]).toEqual({
      kind: 'failed',
      text: 'round_win not logged: invalid game event (map 0 is not a map number)',
    })
    expect(journal.undoable).toBe(0)
  })

  test('when the live socket brought the stored event first, one copy is kept', async () => {
    const { store, posts, bodies, journal, event } = setup()
    const done = journal.log(event())
    store.addEvent({ ...event(), id: 12 })
    posts[0]!.resolve(created(12, bodies[0]!))
    await done
    expect(store.events.map((x) => x.id)).toEqual([12])
  })

  test('undo deletes the newest stored event on the daemon', async () => {
    const { store, notices, posts, bodies, deletes, journal, event } = setup()
    const first = journal.log(event({ tsMs: 1_000, type: 'ace' }))
    posts[0]!.resolve(created(1, bodies[0]!))
    await first
    const second = journal.log(event({ tsMs: 2_000 }))
    posts[1]!.resolve(created(2, bodies[1]!))
    await second
    await journal.undo()
    expect(deletes).toEqual([2])
    expect(store.events.map((x) => x.id)).toEqual([1])
    expect(notices.at(-1)?.text).toBe('round_win · SEN · ▶ 12:34.5 undone')
    await journal.undo()
    expect(deletes).toEqual([2, 1])
    expect(store.events).toEqual([])
    await journal.undo()
    expect(notices.at(-1)).toEqual({
      kind: 'nothing',
      text: 'Nothing to undo: no event logged on this page.',
    })
  })

  test('undo while the event is being stored deletes it once stored', async () => {
    const { store, notices, posts, bodies, deletes, journal, event } = setup()
    const done = journal.log(event())
    await journal.undo()
    expect(store.events).toEqual([])
    posts[0]!.resolve(created(5, bodies[0]!))
    await done
    expect(deletes).toEqual([5])
    expect(store.events).toEqual([])
    expect(notices.filter((n) => n.kind === 'undone')).toHaveLength(1)
  })

  test('undo while being stored, then the store refuses it: nothing left, no error shown', async () => {
    const { store, notices, posts, journal, event } = setup()
    const done = journal.log(event())
    await journal.undo()
    posts[0]!.reject(new Error('refused'))
    await done
    expect(store.events).toEqual([])
    expect(notices.some((n) => n.kind === 'failed')).toBe(false)
  })

  test('a failed undo puts the event back and can be tried again', async () => {
    const { store, notices, posts, bodies, deletes, journal, event, failDeletes } = setup()
    const done = journal.log(event())
    posts[0]!.resolve(created(7, bodies[0]!))
    await done
    failDeletes(new ApiError(0, 'The daemon did not answer (reset).'))
    await journal.undo()
    expect(store.events.map((x) => x.id)).toEqual([7])
    expect(notices.at(-1)).toEqual({
      kind: 'undo-failed',
      text: 'Undo failed, round_win kept: The daemon did not answer (reset).',
    })
    expect(journal.undoable).toBe(1)
    failDeletes(null)
    await journal.undo()
    expect(deletes).toEqual([7, 7])
  })

  test('describeEvent falls back to the market time without a video time', () => {
    const { event } = setup()
    expect(describeEvent(event({ team: null, tsVideoMs: null }))).toMatch(
      /^round_win · \d\d:\d\d:\d\d\.\d$/,
    )
  })
})
