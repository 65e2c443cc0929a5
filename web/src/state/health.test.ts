import { expect, test } from 'vitest'
import { overallHealth } from './health.js'

const base = {
  feed: 'connected' as const,
  books: { '1': 'live' as const, '2': 'live' as const },
  watched: ['1', '2'],
}

test('live when the socket, feed and selected books are live', () => {
  expect(overallHealth({ ...base, socket: 'open' })).toEqual({ state: 'live', reason: '' })
  expect(overallHealth({ ...base, socket: 'open', feed: 'replay' }).state).toBe('live')
})

test('the socket state comes first', () => {
  expect(overallHealth({ ...base, socket: 'closed' }).state).toBe('disconnected')
  expect(overallHealth({ ...base, socket: 'reconnecting' }).state).toBe('reconnecting')
  expect(overallHealth({ ...base, socket: 'connecting' }).state).toBe('reconnecting')
})

test('a down feed or any non-live selected book is loud', () => {
  expect(overallHealth({ ...base, socket: 'open', feed: 'disconnected' }).state).toBe(
    'disconnected',
  )
  expect(overallHealth({ ...base, socket: 'open', feed: 'reconnecting' }).state).toBe('stale')
  const stale = overallHealth({ ...base, socket: 'open', books: { '1': 'live', '2': 'stale' } })
  expect(stale.state).toBe('stale')
  expect(stale.reason).toContain('stale')
  expect(overallHealth({ ...base, socket: 'open', books: { '1': 'resyncing' } }).state).toBe(
    'stale',
  )
})

test('a stale book of another market also turns it red, and says so', () => {
  const other = overallHealth({
    ...base,
    socket: 'open',
    books: { '1': 'live', '2': 'live', '9': 'stale' },
  })
  expect(other.state).toBe('stale')
  expect(other.reason).toContain('other markets')
})
