import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrderBook } from '../../../domain/book/order-book.js'
import { asTokenId, type TickSize } from '../../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../domain/units.js'
import { ApiKeyStore } from './api-keys.js'
import {
  acceptable,
  consumedSide,
  ownPrice,
  planFills,
  restingPlace,
  ScenarioTakings,
  type RestingView,
  type TakerSpec,
} from './matching.js'

function yesBook(bids: [number, number][], asks: [number, number][]): OrderBook {
  const book = OrderBook.empty(asTokenId('1'), 100 as TickSize)
  const level = ([price, size]: [number, number]) => ({
    price: price as PriceTicks,
    size: size as ShareMicros,
  })
  book.replace(bids.map(level), asks.map(level), 0 as EpochMs)
  return book
}

describe('YES-space mapping', () => {
  it('puts every order on the side it rests on and takes from the other', () => {
    expect(consumedSide(true, 'BUY')).toBe('ask')
    expect(consumedSide(false, 'SELL')).toBe('ask')
    expect(consumedSide(true, 'SELL')).toBe('bid')
    expect(consumedSide(false, 'BUY')).toBe('bid')
    expect(restingPlace(false, 'BUY', 3000)).toEqual({ yesSide: 'ask', yesPrice: 7000 })
    expect(restingPlace(false, 'SELL', 3000)).toEqual({ yesSide: 'bid', yesPrice: 7000 })
    expect(ownPrice(false, 7000)).toBe(3000)
  })
})

describe('planFills', () => {
  it('prefers the better price, then the scenario, then the older API order', () => {
    const book = yesBook([], [[6000, 5_000_000]])
    const resting: RestingView[] = [
      { id: 'late', seq: 2, yesSide: 'ask', yesPrice: 6000, openShares: 5_000_000 },
      { id: 'early', seq: 1, yesSide: 'ask', yesPrice: 6000, openShares: 5_000_000 },
      { id: 'better', seq: 3, yesSide: 'ask', yesPrice: 5900, openShares: 1_000_000 },
    ]
    const spec: TakerSpec = {
      isYes: true,
      side: 'BUY',
      limitNum: 6n,
      limitDen: 10n,
      shares: 12_000_000,
    }
    const plan = planFills(spec, book, new ScenarioTakings(), resting)
    expect(plan.fills.map((f) => [f.makerId, f.shares])).toEqual([
      ['better', 1_000_000],
      [null, 5_000_000],
      ['early', 5_000_000],
      ['late', 1_000_000],
    ])
    expect(plan.complete).toBe(true)
  })

  it('never takes more than asked, available or within the limit (property)', () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 50 }))
    fc.assert(
      fc.property(
        fc.uniqueArray(level, { selector: (l) => l[0], maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        (levels, isYes, side, limitCents, wanted, budget) => {
          const bids = levels.map(([p, s]): [number, number] => [p * 100, s * 1_000_000])
          const book = yesBook(bids, bids)
          const spec: TakerSpec = {
            isYes,
            side,
            limitNum: BigInt(limitCents),
            limitDen: 100n,
            shares: wanted * 1_000_000,
            ...(budget !== undefined && side === 'BUY' ? { budgetUsd: budget * 1_000_000 } : {}),
          }
          const plan = planFills(spec, book, new ScenarioTakings(), [])
          const total = plan.fills.reduce((sum, f) => sum + f.shares, 0)
          expect(total).toBe(plan.shares)
          if (spec.budgetUsd === undefined) expect(plan.shares).toBeLessThanOrEqual(spec.shares)
          else expect(plan.usd).toBeLessThanOrEqual(spec.budgetUsd)
          for (const fill of plan.fills) {
            expect(acceptable(spec, ownPrice(isYes, fill.yesPrice))).toBe(true)
            expect(fill.shares).toBeLessThanOrEqual(
              book.sizeAt(consumedSide(isYes, side), fill.yesPrice as PriceTicks),
            )
          }
        },
      ),
    )
  })

  it('remembers takings until the level changes', () => {
    const takings = new ScenarioTakings()
    takings.take('ask', 6000, 10, 4)
    expect(takings.available('ask', 6000, 10)).toBe(6)
    takings.take('ask', 6000, 10, 6)
    expect(takings.available('ask', 6000, 10)).toBe(0)
    expect(takings.available('ask', 6000, 12)).toBe(12)
  })
})

describe('ApiKeyStore', () => {
  it('creates once per (address, nonce), derives the same set, deletes', () => {
    const store = new ApiKeyStore('secret')
    const created = store.create('0xAB', '0')
    expect(created).not.toBeNull()
    expect(store.create('0xab', '0')).toBeNull()
    expect(store.derive('0xAb', '0')).toEqual(created)
    expect(store.derive('0xab', '1')).toBeNull()
    expect(new ApiKeyStore('secret').create('0xab', '0')).toEqual(created)
    expect(new ApiKeyStore('other').create('0xab', '0')?.apiKey).not.toBe(created?.apiKey)
    expect(store.keysOf('0xAB')).toHaveLength(1)
    expect(store.delete(created!.apiKey)).toBe(true)
    expect(store.get(created!.apiKey)).toBeUndefined()
    expect(store.delete(created!.apiKey)).toBe(false)
  })
})
