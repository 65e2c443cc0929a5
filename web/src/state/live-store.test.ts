import { describe, expect, test } from 'vitest'
import { LiveStore } from './live-store.js'
import { matchView, noChaseLeft } from './match.js'

function manualStore(): { store: LiveStore; frames: (() => void)[] } {
  const frames: (() => void)[] = []
  return { store: new LiveStore((run) => frames.push(run)), frames }
}

const TOKEN = '111'
const book = (bid: number) => ({
  type: 'book' as const,
  tokenId: TOKEN,
  market: '0xabc',
  ts: 1,
  appliedAt: 1,
  bids: [[bid, 1_000_000]] as [number, number][],
  asks: [] as [number, number][],
  health: 'live' as const,
})

describe('LiveStore', () => {
  test('many book updates between frames notify once, with the latest book', () => {
    const { store, frames } = manualStore()
    let calls = 0
    store.listen(`book:${TOKEN}`, () => calls++)
    for (let i = 0; i < 20; i++) store.apply(book(3000 + i), 0)
    expect(frames).toHaveLength(1)
    expect(calls).toBe(0)
    frames.shift()!()
    expect(calls).toBe(1)
    expect(store.books.get(TOKEN)?.bids[0]?.[0]).toBe(3019)
    store.apply(book(1), 0)
    expect(frames).toHaveLength(1)
  })

  test('only listeners of changed topics run', () => {
    const { store, frames } = manualStore()
    const seen: string[] = []
    store.listen('alerts', () => seen.push('alerts'))
    store.listen(`book:${TOKEN}`, () => seen.push('book'))
    store.apply(book(10), 0)
    frames.shift()!()
    expect(seen).toEqual(['book'])
  })

  test('trades build the tape and the volume at price; history merges without doubles', () => {
    const { store } = manualStore()
    const trade = { type: 'trade' as const, tokenId: TOKEN, market: '0xabc', side: 'buy' as const }
    store.apply({ ...trade, ts: 10, price: 3400, size: 2_000_000 }, 0)
    store.loadTape(TOKEN, [
      { ts: 10, price: '0.34', size: '2', side: 'buy' },
      { ts: 5, price: '0.33', size: '1.5', side: 'sell' },
      { ts: 4, price: 'bad', size: '1', side: 'sell' },
    ])
    expect(store.tapes.get(TOKEN)?.map((t) => t.ts)).toEqual([10, 5])
    expect(store.volumes.get(TOKEN)?.get(3400)).toBe(2_000_000)
    expect(store.volumes.get(TOKEN)?.get(3300)).toBe(1_500_000)
  })

  test('account messages parse the REST bodies; bad parts are ignored', () => {
    const { store } = manualStore()
    store.apply(
      { type: 'account', orders: { orders: [] }, positions: 'junk', risk: null, ts: 1 },
      0,
    )
    expect(store.orders).toEqual([])
    expect(store.positions).toBeNull()
  })

  test('alerts are kept newest first, once each; live ones are announced', () => {
    const { store } = manualStore()
    const heard: string[] = []
    store.onAlert = (a) => heard.push(a.id)
    const alert = {
      id: 'a1',
      ts: 5,
      severity: 'warning' as const,
      code: 'X',
      message: 'm',
      market: null,
    }
    store.addAlerts([alert], false)
    store.apply({ type: 'alert', ...alert }, 0)
    store.apply({ type: 'alert', ...alert, id: 'a2', ts: 9 }, 0)
    expect(store.alerts.map((a) => a.id)).toEqual(['a2', 'a1'])
    expect(heard).toEqual(['a2'])
  })
})

describe('match view and no-chase', () => {
  const event = (id: number, type: string, score: string | null, receivedAt: number | null) => ({
    id,
    market: 'm1',
    ts: id,
    type,
    team: null,
    score,
    map: '1',
    receivedAt,
  })

  test('latest score and phase of the market', () => {
    const view = matchView(
      [event(1, 'round_win', '1-0', null), event(2, 'tech_pause', null, null)],
      'm1',
    )
    expect(view).toMatchObject({ score: '1-0', phase: 'tech pause', map: '1' })
    expect(matchView([], 'm1').phase).toBe('no events')
  })

  test('the pause counts from the last live event; history never pauses', () => {
    const events = [event(1, 'round_win', '1-0', null), event(2, 'round_win', '2-0', 1000)]
    expect(noChaseLeft(events, 'm1', 5000, 2000)).toBe(4000)
    expect(noChaseLeft(events, 'm1', 5000, 7000)).toBe(0)
    expect(noChaseLeft(events, 'm1', 0, 1000)).toBe(0)
    expect(noChaseLeft([event(1, 'round_win', null, null)], 'm1', 5000, 0)).toBe(0)
    expect(noChaseLeft(events, 'other', 5000, 2000)).toBe(0)
  })
})
