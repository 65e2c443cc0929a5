import { describe, expect, it } from 'vitest'
import type { DashboardEvent } from './dashboard-store.js'
import { DashboardStoreImpl, initialSnapshot, type PlaybackTransport } from './store-impl.js'

function setup(mode: 'live' | 'playback' = 'playback') {
  const sent: string[] = []
  const transport: PlaybackTransport = {
    seek: (t, seq) => sent.push(`seek ${t} ${seq}`),
    play: (speed) => sent.push(`play ${speed}`),
    pause: () => sent.push('pause'),
    speed: (speed) => sent.push(`speed ${speed}`),
  }
  const pending: (() => void)[] = []
  const store = new DashboardStoreImpl(
    initialSnapshot({ mode, spanFrom: 1000, spanTo: 9000 }),
    (run) => pending.push(run),
  )
  store.setTransport(transport)
  let calls = 0
  store.subscribe(() => (calls += 1))
  const flush = (): number => {
    for (const run of pending.splice(0)) run()
    return calls
  }
  return { store, sent, flush }
}

const event = (id: number | null, tsMs: number): DashboardEvent => ({
  id,
  tsMs,
  tsVideoMs: null,
  type: 'round_win',
  team: null,
  score: null,
  map: null,
  note: null,
  market: null,
  assetId: null,
})

describe('DashboardStoreImpl', () => {
  it('seeks in playback: clamps to the span, bumps seekSeq, sends the seq', () => {
    const { store, sent } = setup()
    store.seek(20_000)
    store.seek(10.4)
    expect(sent).toEqual(['seek 9000 1', 'seek 1000 2'])
    expect(store.get()).toMatchObject({ seekSeq: 2, seekT: 1000, t: 1000 })
  })

  it('only bumps seekSeq live', () => {
    const { store, sent } = setup('live')
    store.seek(20_000)
    store.play()
    store.pause()
    expect(sent).toEqual([])
    expect(store.get()).toMatchObject({ seekSeq: 1, seekT: 20_000, t: null, playing: false })
  })

  it('plays, changes speed while playing, pauses', () => {
    const { store, sent } = setup()
    store.setSpeed(5)
    store.play()
    store.setSpeed(10)
    store.pause()
    store.play(2)
    expect(sent).toEqual(['speed 5', 'play 5', 'play 10', 'pause', 'play 2'])
    expect(store.get()).toMatchObject({ playing: true, speed: 2 })
  })

  it('restarts from the beginning when playing at the end', () => {
    const { store, sent } = setup()
    store.update({ atEnd: true, t: 9000 })
    store.play()
    expect(sent).toEqual(['seek 1000 1', 'play 1'])
  })

  it('tells listeners once per frame, and not at all without a change', () => {
    const { store, flush } = setup()
    store.update({ t: 5 })
    store.update({ t: 6 })
    expect(flush()).toBe(1)
    store.update({ t: 6 })
    expect(flush()).toBe(1)
  })

  it('keeps events in time order through add, replace and remove', () => {
    const { store } = setup()
    store.setEvents([event(1, 300), event(2, 100)])
    const temp = event(null, 200)
    store.addEvent(temp)
    expect(store.get().events.map((e) => e.tsMs)).toEqual([100, 200, 300])
    store.replaceEvent(temp, event(3, 200))
    expect(store.get().events.map((e) => e.id)).toEqual([2, 3, 1])
    store.replaceEvent(event(null, 1), event(4, 50))
    expect(store.get().events.map((e) => e.id)).toEqual([4, 2, 3, 1])
    store.removeEvent(2)
    expect(store.get().events.map((e) => e.id)).toEqual([4, 3, 1])
    store.mergeEvents([event(3, 200), event(5, 400)])
    expect(store.get().events.map((e) => e.id)).toEqual([4, 3, 1, 5])
  })

  it('keeps the offset and answers the mid from the series', () => {
    const { store } = setup()
    store.setOffset(-2500, 'https://example.com/v.m3u8')
    expect(store.get()).toMatchObject({ offsetMs: -2500, videoUrl: 'https://example.com/v.m3u8' })
    expect(store.midAt(1500)).toBeNull()
    store.setSeries([{ t: 1000, bid: 4900, ask: 5100, mid: 5000 }], [])
    expect(store.midAt(1500)).toBe(5000)
  })

  it('appends live points, one per second, never going back', () => {
    const { store } = setup('live')
    const changes: string[] = []
    store.subscribeSeries((c) => changes.push(c))
    const p = (t: number, mid: number) => ({ t, bid: null, ask: null, mid })
    store.appendSeries(p(1000, 1), [])
    store.appendSeries(p(1500, 2), [])
    store.appendSeries(p(2000, 3), [{ t: 2000, price: 1, size: 1, side: 'buy', count: 1 }])
    store.appendSeries(p(1900, 4), [])
    expect(store.points.map((x) => x.mid)).toEqual([2, 3])
    expect(store.trades).toHaveLength(1)
    expect(changes).toEqual(['append', 'append', 'append'])
  })
})
