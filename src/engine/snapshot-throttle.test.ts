import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { TokenId } from '../domain/market.js'
import type { EpochMs } from '../domain/units.js'
import { createSnapshotThrottle } from './snapshot-throttle.js'

const A = 'token-a' as TokenId
const B = 'token-b' as TokenId
const ms = (n: number): EpochMs => n as EpochMs

describe('snapshot throttle', () => {
  test('keeps the first change, then one per 500 ms per token', () => {
    const throttle = createSnapshotThrottle()
    const kept = [0, 100, 499, 500, 700, 1000, 1001].map((t) => throttle.admit(A, ms(t)))
    expect(kept).toEqual([true, false, false, true, false, true, false])
  })

  test('tokens are throttled independently', () => {
    const throttle = createSnapshotThrottle(500)
    expect([
      throttle.admit(A, ms(0)),
      throttle.admit(B, ms(10)),
      throttle.admit(A, ms(20)),
    ]).toEqual([true, true, false])
  })

  test('a change older than the last kept one is dropped', () => {
    const throttle = createSnapshotThrottle(500)
    throttle.admit(A, ms(10_000))
    expect(throttle.admit(A, ms(1_000))).toBe(false)
  })

  test('reset makes the next change of that token kept', () => {
    const throttle = createSnapshotThrottle(500)
    throttle.admit(A, ms(0))
    throttle.reset(A)
    expect(throttle.admit(A, ms(1))).toBe(true)
  })

  test('a zero interval keeps everything in order', () => {
    const throttle = createSnapshotThrottle(0)
    expect([0, 0, 1].map((t) => throttle.admit(A, ms(t)))).toEqual([true, true, true])
  })

  test('rejects a negative or non-finite interval', () => {
    expect(() => createSnapshotThrottle(-1)).toThrow(/non-negative/)
    expect(() => createSnapshotThrottle(Number.NaN)).toThrow(/non-negative/)
  })

  test('kept changes of a token are at least the interval apart and none is kept late', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.tuple(fc.constantFrom(A, B), fc.integer({ min: 0, max: 300 })), {
          maxLength: 200,
        }),
        (interval, steps) => {
          const throttle = createSnapshotThrottle(interval)
          const last = new Map<TokenId, number>()
          let now = 0
          for (const [token, gap] of steps) {
            now += gap
            const kept = throttle.admit(token, ms(now))
            const previous = last.get(token)
            expect(kept).toBe(previous === undefined || now - previous >= interval)
            if (kept) last.set(token, now)
          }
        },
      ),
    )
  })
})
