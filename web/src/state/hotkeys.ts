/**
 * Keyboard shortcuts: actions, their default keys, matching a key press to an action, and the
 * remapped set kept in localStorage. A combination is text such as "B", "Shift+B", "Escape".
 */

export const ACTIONS = ['buy_market', 'sell_market', 'cancel_all', 'panic_close'] as const
export type HotkeyAction = (typeof ACTIONS)[number]
export type Bindings = Readonly<Record<HotkeyAction, string>>

export const ACTION_LABELS: Readonly<Record<HotkeyAction, string>> = {
  buy_market: 'Buy market (ticket size)',
  sell_market: 'Sell market (ticket size)',
  cancel_all: 'Cancel all orders',
  panic_close: 'Panic close (asks first)',
}

export const DEFAULT_BINDINGS: Bindings = {
  buy_market: 'B',
  sell_market: 'S',
  cancel_all: 'C',
  panic_close: 'Escape',
}

export const STORAGE_KEY = 'tiltmeter.hotkeys.v1'

/** The parts of a KeyboardEvent the matching needs. */
export interface KeyPress {
  readonly key: string
  readonly code?: string
  readonly shiftKey: boolean
  readonly altKey: boolean
  readonly ctrlKey: boolean
  readonly metaKey: boolean
}

/** The parts of an event target that tell whether the user is typing. */
export interface TargetLike {
  readonly tagName?: string
  readonly isContentEditable?: boolean
  readonly type?: string
}

const MODIFIER_KEYS = new Set(['Shift', 'Alt', 'Control', 'Meta', 'AltGraph', 'CapsLock'])
/** Input types that take no typing: a key press on them is still a shortcut. */
const NON_TEXT_INPUTS = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'range',
  'color',
])

/** True when the focus is somewhere the user types: shortcuts must not fire there. */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (target === null || target === undefined) return false
  if (target.isContentEditable === true) return true
  const tag = (target.tagName ?? '').toUpperCase()
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has((target.type ?? 'text').toLowerCase())
  return false
}

/**
 * The combination text of a key press, or null for a bare modifier. Letters and digits come
 * from the physical key (`code`), so Alt or Shift never turn "B" into another character.
 */
export function comboOf(press: KeyPress): string | null {
  if (MODIFIER_KEYS.has(press.key)) return null
  let key = press.key
  const code = press.code ?? ''
  if (/^Key[A-Z]$/.test(code)) key = code.slice(3)
  else if (/^Digit[0-9]$/.test(code)) key = code.slice(5)
  else if (key === ' ') key = 'Space'
  else if (key.length === 1) key = key.toUpperCase()
  if (key === 'Esc') key = 'Escape'
  const parts: string[] = []
  if (press.ctrlKey) parts.push('Ctrl')
  if (press.altKey) parts.push('Alt')
  if (press.shiftKey) parts.push('Shift')
  if (press.metaKey) parts.push('Meta')
  parts.push(key)
  return parts.join('+')
}

/** The action a key press triggers, or null (no binding, or the user is typing). */
export function matchHotkey(
  bindings: Bindings,
  press: KeyPress,
  target: TargetLike | null | undefined,
): HotkeyAction | null {
  if (isTypingTarget(target)) return null
  const combo = comboOf(press)
  if (combo === null) return null
  for (const action of ACTIONS) if (bindings[action] === combo) return action
  return null
}

/** The other action already using `combo`, if any. */
export function conflictOf(
  bindings: Bindings,
  action: HotkeyAction,
  combo: string,
): HotkeyAction | null {
  for (const other of ACTIONS) if (other !== action && bindings[other] === combo) return other
  return null
}

/** Reads stored bindings; anything missing, malformed or duplicated falls back to the default. */
export function parseBindings(text: string | null): Bindings {
  if (text === null) return DEFAULT_BINDINGS
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return DEFAULT_BINDINGS
  }
  if (typeof raw !== 'object' || raw === null) return DEFAULT_BINDINGS
  const out: Record<HotkeyAction, string> = { ...DEFAULT_BINDINGS }
  for (const action of ACTIONS) {
    const value = (raw as Record<string, unknown>)[action]
    if (typeof value === 'string' && value.length > 0 && value.length <= 40) out[action] = value
  }
  const seen = new Set(Object.values(out))
  return seen.size === ACTIONS.length ? out : DEFAULT_BINDINGS
}

/** Minimal storage, so tests need no browser. */
export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export function loadBindings(storage: KeyValueStore | null): Bindings {
  try {
    return parseBindings(storage?.getItem(STORAGE_KEY) ?? null)
  } catch {
    return DEFAULT_BINDINGS
  }
}

export function saveBindings(storage: KeyValueStore | null, bindings: Bindings): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(bindings))
  } catch {
    // Private mode or a full quota: the bindings still hold for this session.
  }
}

/** "Shift+B" → ["Shift", "B"], for showing keys as keycaps. */
export function comboKeys(combo: string): string[] {
  return combo === '+' ? ['+'] : combo.split('+').map((k) => (k === 'Escape' ? 'Esc' : k))
}
