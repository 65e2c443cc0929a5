import { describe, expect, test } from 'vitest'
import { availableAt, buildLadder, chooseCenter, closePnl, type LadderBook } from './ladder.js'

const M = 1_000_000
const BOOK: LadderBook = {
  bids: [
    [3400, 100 * M],
    [3300, 50 * M],
    [3250, 5 * M], // off the 0.01 grid: counted in the 0.32 row
  ],
  asks: [
    [3700, 80 * M],
    [3800, 20 * M],
  ],
}

describe('buildLadder', () => {
  const rows = buildLadder({
    book: BOOK,
    tick: 100,
    center: 3500,
    rows: 9,
    volumeAt: new Map([
      [3400, 7 * M],
      [3700, 3 * M],
    ]),
    orders: [
      { side: 'buy', price: 3300, remaining: 10 * M },
      { side: 'buy', price: 3300, remaining: 5 * M },
      { side: 'sell', price: 3800, remaining: 4 * M },
    ],
    position: { size: 10 * M, cost: 3_000_000 },
  })

  test('one row per tick, highest first, centred', () => {
    expect(rows.map((r) => r.price)).toEqual([3900, 3800, 3700, 3600, 3500, 3400, 3300, 3200, 3100])
  })

  test('book sizes, best marks, volume and own orders land on their rows', () => {
    const at = (p: number) => rows.find((r) => r.price === p)!
    expect(at(3400)).toMatchObject({ bid: 100 * M, ask: 0, bestBid: true, volume: 7 * M })
    expect(at(3700)).toMatchObject({ ask: 80 * M, bestAsk: true, volume: 3 * M })
    expect(at(3300).ownBuy).toBe(15 * M)
    expect(at(3800).ownSell).toBe(4 * M)
    expect(at(3200).bid).toBe(5 * M)
    expect(at(3600)).toMatchObject({ bid: 0, ask: 0, bestBid: false, bestAsk: false })
  })

  test('PnL if closed: value at the row price minus cost', () => {
    // 10 shares at 0.39 = 3.90 USDC, cost 3.00 → +0.90
    expect(rows[0]!.pnl).toBe(900_000)
    // at 0.31 → 3.10 - 3.00 = +0.10
    expect(rows[8]!.pnl).toBe(100_000)
  })

  test('no book and no position still gives rows, without PnL', () => {
    const empty = buildLadder({
      book: null,
      tick: 100,
      center: 5000,
      rows: 3,
      volumeAt: new Map(),
      orders: [],
      position: null,
    })
    expect(empty.map((r) => [r.price, r.bid, r.ask, r.pnl])).toEqual([
      [5100, 0, 0, null],
      [5000, 0, 0, null],
      [4900, 0, 0, null],
    ])
  })

  test('rows outside 0..1 are left out', () => {
    const edge = buildLadder({
      book: null,
      tick: 100,
      center: 100,
      rows: 5,
      volumeAt: new Map(),
      orders: [],
      position: null,
    })
    expect(edge.map((r) => r.price)).toEqual([300, 200, 100])
  })
})

describe('chooseCenter', () => {
  test('first call centres on the mid, on the tick grid', () => {
    expect(chooseCenter(null, BOOK, 21, 100)).toBe(3600) // mid 0.355 → 0.36
  })

  test('keeps the centre while the touch stays inside, recentres when it leaves', () => {
    expect(chooseCenter(3500, BOOK, 21, 100)).toBe(3500)
    const moved: LadderBook = { bids: [[6000, M]], asks: [[6100, M]] }
    expect(chooseCenter(3500, moved, 21, 100)).toBe(6100) // mid 0.605 rounds up
  })

  test('an empty book keeps the previous centre, or starts at 0.50', () => {
    expect(chooseCenter(4200, { bids: [], asks: [] }, 21, 100)).toBe(4200)
    expect(chooseCenter(null, null, 21, 100)).toBe(5000)
  })

  test('never centres so close to the ends that rows fall off', () => {
    const low: LadderBook = { bids: [[100, M]], asks: [[200, M]] }
    expect(chooseCenter(null, low, 21, 100)).toBe(1100)
  })
})

describe('availableAt', () => {
  test('a buy takes every ask at or below its price, else joins the bid there', () => {
    expect(availableAt(BOOK, 'buy', 3800, 100)).toBe(100 * M)
    expect(availableAt(BOOK, 'buy', 3700, 100)).toBe(80 * M)
    expect(availableAt(BOOK, 'buy', 3400, 100)).toBe(100 * M)
    expect(availableAt(BOOK, 'buy', 3600, 100)).toBe(0)
  })

  test('a sell takes every bid at or above its price, else joins the ask there', () => {
    expect(availableAt(BOOK, 'sell', 3300, 100)).toBe(150 * M)
    expect(availableAt(BOOK, 'sell', 3800, 100)).toBe(20 * M)
    expect(availableAt(null, 'sell', 3800, 100)).toBe(0)
  })
})

test('closePnl is null when flat', () => {
  expect(closePnl(null, 5000)).toBeNull()
  expect(closePnl({ size: 0, cost: 0 }, 5000)).toBeNull()
  expect(closePnl({ size: 2 * M, cost: 1_500_000 }, 5000)).toBe(-500_000)
})
