import { describe, expect, it } from 'vitest'
import { HeartbeatLoop, type HeartbeatHealth } from './heartbeat.js'

function fakeVenue() {
  let expected = ''
  let n = 0
  const sent: string[] = []
  let down = false
  const send = (id: string): Promise<unknown> => {
    sent.push(id)
    if (down) return Promise.resolve({ error: 'connect ECONNREFUSED secret-passphrase' })
    if (id !== expected) {
      return Promise.resolve({ error: 'Invalid Heartbeat ID', heartbeat_id: expected, status: 400 })
    }
    expected = `hb-${++n}`
    return Promise.resolve({ heartbeat_id: expected })
  }
  return {
    send,
    sent,
    setDown: (value: boolean) => {
      down = value
    },
    forget: () => {
      expected = 'server-side-id'
    },
  }
}

describe('heartbeat loop', () => {
  it('chains the ids, adopts the expected id after a 400, and reports health', async () => {
    const venue = fakeVenue()
    let now = 1_000
    const seen: HeartbeatHealth[] = []
    const loop = new HeartbeatLoop(venue.send, {
      intervalMs: 60_000,
      windowMs: 120_000,
      now: () => now,
      onHealth: (h) => seen.push(h),
      redact: (t) => t.replace('secret-passphrase', '[redacted]'),
    })
    expect(loop.health().state).toBe('idle')
    expect(await loop.start()).toMatchObject({ state: 'healthy', sent: 1, lastOkAt: 1_000 })
    await loop.beat()
    expect(venue.sent).toEqual(['', 'hb-1'])
    venue.forget()
    await loop.beat()
    // the stale id was refused; the expected one was sent at once
    expect(venue.sent.slice(2)).toEqual(['hb-2', 'server-side-id'])
    expect(loop.health()).toMatchObject({ state: 'healthy', consecutiveFailures: 0 })

    venue.setDown(true)
    now = 50_000
    await loop.beat()
    expect(loop.health()).toMatchObject({
      state: 'failing',
      consecutiveFailures: 1,
      lastError: 'connect ECONNREFUSED [redacted]',
    })
    now = 1_000 + 120_001
    expect(loop.health().state).toBe('lapsed')
    venue.setDown(false)
    venue.forget()
    await loop.beat()
    expect(loop.health().state).toBe('healthy')
    loop.stop()
    expect(loop.health().state).toBe('stopped')
    expect(seen.map((h) => h.state)).toContain('failing')
  })

  it('a thrown send counts as a failure, not a crash', async () => {
    const loop = new HeartbeatLoop(() => Promise.reject(new Error('boom')), {
      intervalMs: 60_000,
      windowMs: 120_000,
    })
    expect(await loop.start()).toMatchObject({ state: 'failing', lastError: 'boom' })
    loop.stop()
  })

  it('refuses an interval that does not fit in the window', () => {
    expect(() => new HeartbeatLoop(() => Promise.resolve({}), { intervalMs: 10_000 })).toThrow(
      /must be above 0 and below the window 10000 ms/,
    )
  })
})
