import { describe, expect, test } from 'vitest'
import {
  DEFAULT_BINDINGS,
  STORAGE_KEY,
  comboKeys,
  comboOf,
  conflictOf,
  isTypingTarget,
  loadBindings,
  matchHotkey,
  parseBindings,
  saveBindings,
  type KeyPress,
} from './hotkeys.js'

function press(key: string, extra: Partial<KeyPress> = {}): KeyPress {
  return { key, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...extra }
}

const BODY = { tagName: 'BODY' }

describe('comboOf', () => {
  test('letters are upper case, modifiers in a fixed order', () => {
    expect(comboOf(press('b'))).toBe('B')
    expect(comboOf(press('B', { shiftKey: true }))).toBe('Shift+B')
    expect(comboOf(press('b', { ctrlKey: true, altKey: true }))).toBe('Ctrl+Alt+B')
    expect(comboOf(press('Escape'))).toBe('Escape')
    expect(comboOf(press('Esc'))).toBe('Escape')
    expect(comboOf(press(' '))).toBe('Space')
  })

  test('the physical key wins over the character Alt produces', () => {
    expect(comboOf(press('∫', { code: 'KeyB', altKey: true }))).toBe('Alt+B')
    expect(comboOf(press('!', { code: 'Digit1', shiftKey: true }))).toBe('Shift+1')
  })

  test('a bare modifier is no combination', () => {
    expect(comboOf(press('Shift', { shiftKey: true }))).toBeNull()
    expect(comboOf(press('Control', { ctrlKey: true }))).toBeNull()
  })
})

describe('matchHotkey', () => {
  test('default keys map to their actions', () => {
    expect(matchHotkey(DEFAULT_BINDINGS, press('b'), BODY)).toBe('buy_market')
    expect(matchHotkey(DEFAULT_BINDINGS, press('s'), BODY)).toBe('sell_market')
    expect(matchHotkey(DEFAULT_BINDINGS, press('c'), BODY)).toBe('cancel_all')
    expect(matchHotkey(DEFAULT_BINDINGS, press('Escape'), BODY)).toBe('panic_close')
    expect(matchHotkey(DEFAULT_BINDINGS, press('x'), BODY)).toBeNull()
    expect(matchHotkey(DEFAULT_BINDINGS, press('b', { ctrlKey: true }), BODY)).toBeNull()
  })

  test('ignored while typing in an input, textarea, select or editable element', () => {
    for (const target of [
      { tagName: 'INPUT', type: 'text' },
      { tagName: 'input' },
      { tagName: 'INPUT', type: 'search' },
      { tagName: 'TEXTAREA' },
      { tagName: 'SELECT' },
      { tagName: 'DIV', isContentEditable: true },
    ]) {
      expect(isTypingTarget(target)).toBe(true)
      expect(matchHotkey(DEFAULT_BINDINGS, press('b'), target)).toBeNull()
      expect(matchHotkey(DEFAULT_BINDINGS, press('Escape'), target)).toBeNull()
    }
  })

  test('a checkbox or button takes no typing, so keys still act there', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false)
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
    expect(matchHotkey(DEFAULT_BINDINGS, press('c'), { tagName: 'BUTTON' })).toBe('cancel_all')
  })

  test('remapped keys replace the defaults', () => {
    const bindings = { ...DEFAULT_BINDINGS, buy_market: 'Shift+F' }
    expect(matchHotkey(bindings, press('b'), BODY)).toBeNull()
    expect(matchHotkey(bindings, press('F', { shiftKey: true, code: 'KeyF' }), BODY)).toBe(
      'buy_market',
    )
  })
})

describe('stored bindings', () => {
  test('round trip through storage', () => {
    const data = new Map<string, string>()
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    }
    const bindings = { ...DEFAULT_BINDINGS, cancel_all: 'X' }
    saveBindings(storage, bindings)
    expect(data.has(STORAGE_KEY)).toBe(true)
    expect(loadBindings(storage)).toEqual(bindings)
  })

  test('bad or duplicated stored data falls back to the defaults', () => {
    expect(parseBindings(null)).toEqual(DEFAULT_BINDINGS)
    expect(parseBindings('{not json')).toEqual(DEFAULT_BINDINGS)
    expect(parseBindings('"B"')).toEqual(DEFAULT_BINDINGS)
    expect(parseBindings(JSON.stringify({ buy_market: 'S' }))).toEqual(DEFAULT_BINDINGS)
    expect(parseBindings(JSON.stringify({ buy_market: 7 }))).toEqual(DEFAULT_BINDINGS)
    expect(parseBindings(JSON.stringify({ buy_market: 'F' }))).toEqual({
      ...DEFAULT_BINDINGS,
      buy_market: 'F',
    })
  })

  test('a storage that throws does not break the page', () => {
    const broken = {
      getItem: (): string | null => {
        throw new Error('denied')
      },
      setItem: (): void => {
        throw new Error('quota')
      },
    }
    expect(loadBindings(broken)).toEqual(DEFAULT_BINDINGS)
    expect(() => saveBindings(broken, DEFAULT_BINDINGS)).not.toThrow()
    expect(loadBindings(null)).toEqual(DEFAULT_BINDINGS)
  })

  test('conflicts name the other action', () => {
    expect(conflictOf(DEFAULT_BINDINGS, 'buy_market', 'S')).toBe('sell_market')
    expect(conflictOf(DEFAULT_BINDINGS, 'buy_market', 'B')).toBeNull()
    expect(comboKeys('Shift+Escape')).toEqual(['Shift', 'Esc'])
  })
})
