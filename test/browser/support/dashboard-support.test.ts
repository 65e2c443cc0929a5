import { describe, expect, it } from 'vitest'
import { PANIC_TOKENS, panicFrames } from '../../support/playback-captures.js'
import { chartPrice, topsAt } from './dashboard-book.js'
import { makeTestVideo } from './dashboard-daemon.js'
import { utcSeconds } from './dashboard-page.js'

const FIRST = 1_800_000_000_000

describe('dashboard suite helpers', () => {
  it('refuses a missing ffmpeg and says how to install it', () => {
    expect(() => makeTestVideo('/tmp', 1, '/nonexistent/ffmpeg')).toThrow(
      /no ffmpeg at \/nonexistent\/ffmpeg: install it \(`apt-get install ffmpeg`\)/,
    )
  })

  it('replays the panic capture into the reference book at a market time', () => {
    const frames = panicFrames()
    expect(topsAt(frames, PANIC_TOKENS[0], FIRST - 1)).toEqual({ bid: null, ask: null })
    expect(topsAt(frames, PANIC_TOKENS[0], FIRST)).toEqual({ bid: 4900, ask: 5100 })
    // The panic's steps (the fixture's README): 0.46 / 0.50 at +674 s, 0.43 / 0.48 at +683 s.
    expect(topsAt(frames, PANIC_TOKENS[0], FIRST + 675_000)).toEqual({ bid: 4600, ask: 5000 })
    expect(topsAt(frames, PANIC_TOKENS[0], FIRST + 683_000)).toEqual({ bid: 4300, ask: 4800 })
    expect(topsAt(frames, PANIC_TOKENS[0], FIRST + 682_999)).toEqual({ bid: 4500, ask: 4900 })
    // The other outcome does not move.
    expect(topsAt(frames, PANIC_TOKENS[1], FIRST + 683_000)).toEqual({ bid: 4900, ask: 5100 })
  })

  it('writes prices and times as the chart does', () => {
    expect(chartPrice(4550)).toBe('0.455')
    expect(chartPrice(null)).toBe('—')
    expect(utcSeconds(FIRST + 683_400)).toBe('08:11:23')
  })
})
