import { describe, expect, test } from 'vitest'
import type { KeyPress } from '../../state/hotkeys.js'
import {
  DEFAULT_LOGGER_BINDINGS,
  EVENT_TYPES,
  KEYED_TYPES,
  LOGGER_STORAGE_KEY,
  isKeyedType,
  loadLoggerBindings,
  loggerConflict,
  matchLoggerKey,
  parseLoggerBindings,
  saveLoggerBindings,
} from './event-keys.js'

const press = (key: string, code: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
})

describe('event logger keys', () => {
  test('1–9 log the nine keyed types, T switches team, Ctrl+Z undoes', () => {
    expect(KEYED_TYPES).toHaveLength(9)
    for (const type of KEYED_TYPES) expect(EVENT_TYPES).toContain(type)
    KEYED_TYPES.forEach((type, i) => {
      const digit = String(i + 1)
      expect(matchLoggerKey(DEFAULT_LOGGER_BINDINGS, press(digit, `Digit${digit}`), null)).toBe(
        type,
      )
    })
    expect(matchLoggerKey(DEFAULT_LOGGER_BINDINGS, press('t', 'KeyT'), null)).toBe('toggle_team')
    expect(
      matchLoggerKey(DEFAULT_LOGGER_BINDINGS, press('z', 'KeyZ', { ctrlKey: true }), null),
    ).toBe('undo')
    expect(matchLoggerKey(DEFAULT_LOGGER_BINDINGS, press('z', 'KeyZ'), null)).toBeNull()
    expect(matchLoggerKey(DEFAULT_LOGGER_BINDINGS, press('Shift', 'ShiftLeft'), null)).toBeNull()
    expect(isKeyedType('ace')).toBe(true)
    expect(isKeyedType('undo')).toBe(false)
  })

  test('keys do nothing while typing in a field', () => {
    const one = press('1', 'Digit1')
    expect(
      matchLoggerKey(DEFAULT_LOGGER_BINDINGS, one, { tagName: 'INPUT', type: 'text' }),
    ).toBeNull()
    expect(matchLoggerKey(DEFAULT_LOGGER_BINDINGS, one, { tagName: 'TEXTAREA' })).toBeNull()
    expect(
      matchLoggerKey(DEFAULT_LOGGER_BINDINGS, one, { tagName: 'INPUT', type: 'checkbox' }),
    ).toBe('round_win')
  })

  test('a combination used by another action is a conflict', () => {
    expect(loggerConflict(DEFAULT_LOGGER_BINDINGS, 'ace', '1')).toBe('round_win')
    expect(loggerConflict(DEFAULT_LOGGER_BINDINGS, 'round_win', '1')).toBeNull()
    expect(loggerConflict(DEFAULT_LOGGER_BINDINGS, 'ace', 'Shift+A')).toBeNull()
  })

  test('stored bindings: valid ones kept, bad ones default, duplicates reset all', () => {
    expect(parseLoggerBindings(null)).toBe(DEFAULT_LOGGER_BINDINGS)
    expect(parseLoggerBindings('{not json')).toBe(DEFAULT_LOGGER_BINDINGS)
    expect(parseLoggerBindings('[1,2]')).toBe(DEFAULT_LOGGER_BINDINGS)
    expect(parseLoggerBindings('"x"')).toBe(DEFAULT_LOGGER_BINDINGS)
    const mapped = parseLoggerBindings(JSON.stringify({ ace: 'A', clutch: '', map_win: 7 }))
    expect(mapped).toEqual({ ...DEFAULT_LOGGER_BINDINGS, ace: 'A' })
    expect(parseLoggerBindings(JSON.stringify({ ace: '1' }))).toBe(DEFAULT_LOGGER_BINDINGS)
  })

  test('save and load round-trip through storage; broken storage falls back', () => {
    const data = new Map<string, string>()
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    }
    const remapped = { ...DEFAULT_LOGGER_BINDINGS, toggle_team: 'Tab' }
    saveLoggerBindings(storage, remapped)
    expect(data.has(LOGGER_STORAGE_KEY)).toBe(true)
    expect(loadLoggerBindings(storage)).toEqual(remapped)
    const broken = {
      getItem: (): string | null => {
        throw new Error('denied')
      },
      setItem: (): void => {
        throw new Error('quota')
      },
    }
    expect(loadLoggerBindings(broken)).toBe(DEFAULT_LOGGER_BINDINGS)
    expect(() => saveLoggerBindings(broken, remapped)).not.toThrow()
    expect(loadLoggerBindings(null)).toBe(DEFAULT_LOGGER_BINDINGS)
  })
})
