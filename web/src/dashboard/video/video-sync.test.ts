import { describe, expect, test } from 'vitest'
import { clampRate, VideoSync, type SyncInputs, type VideoState } from './video-sync.js'

const OFFSET = 1_000_000
const store = (patch: Partial<SyncInputs> = {}): SyncInputs => ({
  playing: false,
  speed: 1,
  t: OFFSET + 60_000,
  seekSeq: 0,
  offsetMs: OFFSET,
  ...patch,
})
const video = (patch: Partial<VideoState> = {}): VideoState => ({
  ms: 60_000,
  paused: true,
  rate: 1,
  ...patch,
})

describe('VideoSync', () => {
  test('the first snapshot positions the video at market time − offset', () => {
    const sync = new VideoSync()
    expect(sync.onStore(store(), video({ ms: 0 }))).toEqual([{ kind: 'setVideoTime', ms: 60_000 }])
    // Nothing changed since: no action.
    expect(sync.onStore(store(), video())).toEqual([])
  })

  test('a user seek in the store (seekSeq) moves the video; its seeked event is not sent back', () => {
    const sync = new VideoSync()
    sync.onStore(store(), video())
    const actions = sync.onStore(store({ seekSeq: 1, t: OFFSET + 90_000 }), video())
    expect(actions).toEqual([{ kind: 'setVideoTime', ms: 90_000 }])
    expect(sync.onVideoSeeked(store({ seekSeq: 1, t: OFFSET + 90_000 }), 90_020)).toEqual([])
  })

  test('an uncalibrated video is left alone, and positioned once calibrated', () => {
    const sync = new VideoSync()
    expect(sync.onStore(store({ offsetMs: null }), video({ paused: false }))).toEqual([])
    expect(sync.onVideoSeeked(store({ offsetMs: null }), 5_000)).toEqual([])
    expect(sync.onVideoPlay(store({ offsetMs: null }))).toEqual([])
    expect(sync.onStore(store(), video({ ms: 10_000 }))).toEqual([
      { kind: 'setVideoTime', ms: 60_000 },
    ])
  })

  test('a changed offset moves the video (markers stay on market time)', () => {
    const sync = new VideoSync()
    sync.onStore(store(), video())
    expect(sync.onStore(store({ offsetMs: OFFSET + 1_000 }), video())).toEqual([
      { kind: 'setVideoTime', ms: 59_000 },
    ])
  })

  test('play and pause follow the store, at its speed (clamped to what browsers take)', () => {
    const sync = new VideoSync()
    sync.onStore(store(), video())
    expect(sync.onStore(store({ playing: true, speed: 2 }), video())).toEqual([
      { kind: 'setRate', rate: 2 },
      { kind: 'playVideo' },
    ])
    expect(
      sync.onStore(store({ playing: true, speed: 20 }), video({ paused: false, rate: 2 })),
    ).toEqual([{ kind: 'setRate', rate: 16 }])
    expect(sync.onStore(store({ playing: false }), video({ paused: false }))).toEqual([
      { kind: 'pauseVideo' },
    ])
    expect(clampRate(0.01)).toBe(0.0625)
  })

  test('a video before its start is not played', () => {
    const sync = new VideoSync()
    const early = store({ playing: true, t: OFFSET - 5_000 })
    expect(sync.onStore(early, video())).toEqual([{ kind: 'setVideoTime', ms: 0 }])
  })

  test('while playing, drift over 300 ms is nudged at most once a second', () => {
    const sync = new VideoSync()
    const playing = store({ playing: true })
    sync.onStore(playing, video({ paused: false }))
    expect(sync.onTick(playing, video({ paused: false, ms: 60_250 }), 10_000)).toEqual([])
    expect(sync.onTick(playing, video({ paused: false, ms: 60_400 }), 10_000)).toEqual([
      { kind: 'setVideoTime', ms: 60_000 },
    ])
    expect(sync.onTick(playing, video({ paused: false, ms: 60_400 }), 10_500)).toEqual([])
    expect(sync.onTick(playing, video({ paused: false, ms: 59_000 }), 11_000)).toEqual([
      { kind: 'setVideoTime', ms: 60_000 },
    ])
    // Paused or uncalibrated: no nudging.
    expect(sync.onTick(store(), video({ ms: 0 }), 20_000)).toEqual([])
    expect(
      sync.onTick(store({ playing: true, offsetMs: null }), video({ paused: false }), 30_000),
    ).toEqual([])
  })

  test('a seek on the video controls seeks the market, and the store echo does not move the video back', () => {
    const sync = new VideoSync()
    sync.onStore(store(), video())
    expect(sync.onVideoSeeked(store(), 120_000)).toEqual([
      { kind: 'seekMarket', t: OFFSET + 120_000 },
    ])
    // The store answers with a new seekSeq at that time: the video is already there.
    expect(
      sync.onStore(store({ seekSeq: 1, t: OFFSET + 120_000 }), video({ ms: 120_000 })),
    ).toEqual([])
    // A clamped answer (the capture ends earlier) moves the video to the clamp.
    sync.onVideoSeeked(store({ seekSeq: 1, t: OFFSET + 120_000 }), 900_000)
    expect(
      sync.onStore(store({ seekSeq: 2, t: OFFSET + 300_000 }), video({ ms: 900_000 })),
    ).toEqual([{ kind: 'setVideoTime', ms: 300_000 }])
  })

  test('a video seek landing where the market already is sends nothing', () => {
    const sync = new VideoSync()
    sync.onStore(store(), video())
    sync.onVideoSeeked(store(), 60_000) // the machine's own first move
    expect(sync.onVideoSeeked(store(), 60_100)).toEqual([])
  })

  test('play and pause on the video controls go to the market; our own do not', () => {
    const sync = new VideoSync()
    expect(sync.onVideoPlay(store())).toEqual([{ kind: 'playMarket' }])
    expect(sync.onVideoPlay(store({ playing: true }))).toEqual([])
    expect(sync.onVideoPause(store({ playing: true }), false)).toEqual([{ kind: 'pauseMarket' }])
    expect(sync.onVideoPause(store({ playing: true }), true)).toEqual([])
    expect(sync.onVideoPause(store(), false)).toEqual([])
  })

  test('reset makes the next snapshot position the video again (a new video loaded)', () => {
    const sync = new VideoSync()
    sync.onStore(store(), video())
    sync.reset()
    expect(sync.onStore(store(), video({ ms: 0 }))).toEqual([{ kind: 'setVideoTime', ms: 60_000 }])
  })
})
