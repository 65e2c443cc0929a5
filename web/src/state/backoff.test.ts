import { expect, test } from 'vitest'
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, reconnectDelay } from './backoff.js'

test('delays double per attempt up to the cap', () => {
  const ceilings = [0, 1, 2, 3, 4, 5, 6, 10, 50].map((n) => reconnectDelay(n, 1))
  expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000])
})

test('jitter keeps each delay between half and all of its ceiling', () => {
  expect(reconnectDelay(0, 0)).toBe(BACKOFF_BASE_MS / 2)
  expect(reconnectDelay(3, 0.5)).toBe(3000)
  expect(reconnectDelay(20, 0)).toBe(BACKOFF_MAX_MS / 2)
})

test('odd inputs are clamped, never negative or endless', () => {
  expect(reconnectDelay(-3, 2)).toBe(500)
  expect(reconnectDelay(2.7, -1)).toBe(1000)
  expect(reconnectDelay(Number.MAX_SAFE_INTEGER, 1)).toBe(BACKOFF_MAX_MS)
})
