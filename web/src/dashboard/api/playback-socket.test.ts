import { describe, expect, it } from 'vitest'
import { parsePlaybackFrame, playbackSocketUrl } from './playback-socket.js'

describe('parsePlaybackFrame', () => {
  it('parses a batch and drops messages that break the contract', () => {
    const { messages, dropped } = parsePlaybackFrame(
      JSON.stringify([
        { type: 'clock', t: 5 },
        { type: 'clock', t: 'soon' },
        { type: 'nonsense' },
        { type: 'status', t: 6, playing: false, speed: 2, at_end: true, reason: 'end' },
      ]),
    )
    expect(messages.map((m) => m.type)).toEqual(['clock', 'status'])
    expect(dropped).toBe(2)
  })

  it('takes a single message and rejects text that is not JSON', () => {
    expect(parsePlaybackFrame('{"type":"pong","t":1,"serverTime":2}').messages).toHaveLength(1)
    expect(parsePlaybackFrame('not json')).toEqual({ messages: [], dropped: 1 })
  })
})

describe('playbackSocketUrl', () => {
  it('follows the page origin', () => {
    expect(playbackSocketUrl({ protocol: 'http:', host: '127.0.0.1:7300' })).toBe(
      'ws://127.0.0.1:7300/ws/playback',
    )
    expect(playbackSocketUrl({ protocol: 'https:', host: 'x.example' })).toBe(
      'wss://x.example/ws/playback',
    )
  })
})
