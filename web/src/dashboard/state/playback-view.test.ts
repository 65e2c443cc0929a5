import { describe, expect, it } from 'vitest'
import type { PlaybackServerMessage } from '../../../../src/contracts/playback.js'
import { INITIAL_PLAYBACK, progressText, reducePlayback, seekSent } from './playback-view.js'

const state = (t: number, seq: number | null, over: Record<string, unknown> = {}) =>
  ({
    type: 'state',
    t,
    clock: t,
    seq,
    playing: false,
    speed: 1,
    at_end: false,
    books: [],
    trades: [],
    ...over,
  }) as PlaybackServerMessage

describe('reducePlayback', () => {
  it('shows progress, then the opened capture', () => {
    let step = reducePlayback(INITIAL_PLAYBACK, {
      type: 'progress',
      capture: 'c',
      stage: 'index',
      fraction: 0.42,
      frames: 120_000,
    })
    expect(progressText(step.view.progress!)).toBe('Indexing the capture… 42 % (120,000 frames)')
    step = reducePlayback(step.view, {
      type: 'opened',
      capture: { name: 'c' } as never,
      tokens: ['1', '2'],
    })
    expect(step.view).toMatchObject({ progress: null, followed: ['1', '2'] })
  })

  it('takes a state and asks to replace the books', () => {
    const step = reducePlayback(INITIAL_PLAYBACK, state(5000, null, { at_end: true }))
    expect(step.effect).toBe('replace')
    expect(step.view).toMatchObject({ t: 5000, atEnd: true })
  })

  it('ignores answers to older seeks and the clock until the latest seek is answered', () => {
    let view = seekSent(INITIAL_PLAYBACK, 1, 1000)
    view = seekSent(view, 2, 2000)
    let step = reducePlayback(view, state(1000, 1))
    expect(step.effect).toBe('none')
    step = reducePlayback(step.view, { type: 'clock', t: 900 })
    expect(step.view.t).toBe(2000)
    step = reducePlayback(step.view, state(800, null))
    expect(step.effect).toBe('none')
    step = reducePlayback(step.view, {
      type: 'book',
      tokenId: '1',
      market: 'm',
      ts: 1,
      appliedAt: 1,
      bids: [],
      asks: [],
      health: 'live',
    })
    expect(step.effect).toBe('none')
    step = reducePlayback(step.view, state(2000, 2, { playing: true }))
    expect(step.effect).toBe('replace')
    step = reducePlayback(step.view, { type: 'clock', t: 2100 })
    expect(step.view).toMatchObject({ t: 2100, playing: true, answeredSeq: 2 })
    step = reducePlayback(step.view, {
      type: 'trade',
      tokenId: '1',
      market: 'm',
      ts: 2100,
      price: 5000,
      size: 1,
      side: 'buy',
    })
    expect(step.effect).toBe('apply')
  })

  it('follows status changes, keeping the seek target while one is pending', () => {
    let step = reducePlayback(
      { ...INITIAL_PLAYBACK, speed: 5 },
      {
        type: 'status',
        t: 7000,
        playing: false,
        speed: 5,
        at_end: true,
        reason: 'end',
      },
    )
    expect(step.view).toMatchObject({ t: 7000, playing: false, speed: 5, atEnd: true })
    const view = seekSent(step.view, 1, 3000)
    step = reducePlayback(view, {
      type: 'status',
      t: 7000,
      playing: true,
      speed: 5,
      at_end: false,
      reason: 'play',
    })
    expect(step.view).toMatchObject({ t: 3000, playing: true })
  })

  it('keeps a speed chosen while paused; takes the daemon speed while it plays', () => {
    const paused = { ...INITIAL_PLAYBACK, speed: 20 }
    const state = {
      type: 'state' as const,
      t: 5000,
      clock: 5000,
      seq: null,
      playing: false,
      speed: 1,
      at_end: false,
      books: [],
      trades: [],
    }
    expect(reducePlayback(paused, state).view.speed).toBe(20)
    const status = {
      type: 'status' as const,
      t: 5000,
      playing: false,
      speed: 1,
      at_end: false,
      reason: 'pause' as const,
    }
    expect(reducePlayback(paused, status).view.speed).toBe(20)
    expect(reducePlayback(paused, { ...status, playing: true, reason: 'play' }).view.speed).toBe(1)
  })

  it('keeps errors and ignores pongs', () => {
    const step = reducePlayback(INITIAL_PLAYBACK, {
      type: 'error',
      code: 'CAPTURE_NOT_FOUND',
      message: 'no such capture',
    })
    expect(step.view.error).toEqual({ code: 'CAPTURE_NOT_FOUND', message: 'no such capture' })
    expect(reducePlayback(step.view, { type: 'pong', t: 1, serverTime: 2 }).view).toBe(step.view)
  })

  it('shows scan progress without a fraction', () => {
    expect(progressText({ stage: 'scan', fraction: null, frames: 5 })).toBe(
      'Finding signals… (5 frames)',
    )
  })
})
