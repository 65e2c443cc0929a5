import { describe, expect, it } from 'vitest'
import { isTyping, playbackKey } from './keys.js'

const key = (
  k: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
})

describe('playback keys', () => {
  it('maps space and arrows', () => {
    expect(playbackKey(key(' '), null)).toBe('toggle')
    expect(playbackKey(key('ArrowLeft'), { tagName: 'DIV' })).toBe('back')
    expect(playbackKey(key('ArrowRight'), { tagName: 'BUTTON' })).toBe('forward')
    expect(playbackKey(key('x'), null)).toBeNull()
  })

  it('ignores keys while typing and with modifiers', () => {
    expect(playbackKey(key(' '), { tagName: 'input' })).toBeNull()
    expect(playbackKey(key('ArrowLeft'), { tagName: 'TEXTAREA' })).toBeNull()
    expect(playbackKey(key('ArrowLeft'), { tagName: 'SELECT' })).toBeNull()
    expect(playbackKey(key(' '), { tagName: 'DIV', isContentEditable: true })).toBeNull()
    expect(playbackKey(key('ArrowLeft', { ctrlKey: true }), null)).toBeNull()
    expect(isTyping(null)).toBe(false)
  })
})
