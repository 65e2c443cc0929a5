/**
 * The event logger's keys: one per event type (1–9 by default), one to switch the team (T)
 * and one to undo the last logged event (Ctrl+Z). Remapped keys are kept in localStorage.
 * Key combinations and the "is the user typing" rule are the terminal's (state/hotkeys.ts).
 */
import {
  comboOf,
  isTypingTarget,
  type KeyPress,
  type KeyValueStore,
  type TargetLike,
} from '../../state/hotkeys.js'
import { GAME_EVENT_TYPES, type GameEventType } from '../../../../src/contracts/game-event-types.js'

/** Event types of the project (docs/GAME_EVENTS.md), shared with the daemon's validator. */
export const EVENT_TYPES = GAME_EVENT_TYPES
export type EventType = GameEventType

/** The nine types with a key, in key order 1–9: the esports types that move a market. */
export const KEYED_TYPES = [
  'round_win',
  'round_loss',
  'clutch',
  'ace',
  'pistol_round',
  'eco_round',
  'map_win',
  'map_loss',
  'tech_pause',
] as const satisfies readonly EventType[]
export type KeyedType = (typeof KEYED_TYPES)[number]

export type LoggerAction = KeyedType | 'toggle_team' | 'undo'
export const LOGGER_ACTIONS: readonly LoggerAction[] = [...KEYED_TYPES, 'toggle_team', 'undo']
export type LoggerBindings = Readonly<Record<LoggerAction, string>>

export const ACTION_LABELS: Readonly<Record<LoggerAction, string>> = {
  round_win: 'Round win',
  round_loss: 'Round loss',
  clutch: 'Clutch',
  ace: 'Ace',
  pistol_round: 'Pistol round',
  eco_round: 'Eco round',
  map_win: 'Map win',
  map_loss: 'Map loss',
  tech_pause: 'Tech pause',
  toggle_team: 'Switch team',
  undo: 'Undo last event',
}

export const DEFAULT_LOGGER_BINDINGS: LoggerBindings = {
  round_win: '1',
  round_loss: '2',
  clutch: '3',
  ace: '4',
  pistol_round: '5',
  eco_round: '6',
  map_win: '7',
  map_loss: '8',
  tech_pause: '9',
  toggle_team: 'T',
  undo: 'Ctrl+Z',
}

export const LOGGER_STORAGE_KEY = 'tiltmeter.dashboard.event-keys.v1'

export function isKeyedType(action: LoggerAction): action is KeyedType {
  return (KEYED_TYPES as readonly string[]).includes(action)
}

/** The action of a key press, or null (no binding, or the user is typing in a field). */
export function matchLoggerKey(
  bindings: LoggerBindings,
  press: KeyPress,
  target: TargetLike | null | undefined,
): LoggerAction | null {
  if (isTypingTarget(target)) return null
  const combo = comboOf(press)
  if (combo === null) return null
  for (const action of LOGGER_ACTIONS) if (bindings[action] === combo) return action
  return null
}

/** The other action already using `combo`, if any. */
export function loggerConflict(
  bindings: LoggerBindings,
  action: LoggerAction,
  combo: string,
): LoggerAction | null {
  for (const other of LOGGER_ACTIONS)
    if (other !== action && bindings[other] === combo) return other
  return null
}

/** Stored bindings; anything missing or malformed keeps its default, duplicates reset all. */
export function parseLoggerBindings(text: string | null): LoggerBindings {
  if (text === null) return DEFAULT_LOGGER_BINDINGS
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return DEFAULT_LOGGER_BINDINGS
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return DEFAULT_LOGGER_BINDINGS
  const out: Record<LoggerAction, string> = { ...DEFAULT_LOGGER_BINDINGS }
  for (const action of LOGGER_ACTIONS) {
    const value = (raw as Record<string, unknown>)[action]
    if (typeof value === 'string' && value.length > 0 && value.length <= 40) out[action] = value
  }
  return new Set(Object.values(out)).size === LOGGER_ACTIONS.length ? out : DEFAULT_LOGGER_BINDINGS
}

export function loadLoggerBindings(storage: KeyValueStore | null): LoggerBindings {
  try {
    return parseLoggerBindings(storage?.getItem(LOGGER_STORAGE_KEY) ?? null)
  } catch {
    return DEFAULT_LOGGER_BINDINGS
  }
}

export function saveLoggerBindings(storage: KeyValueStore | null, bindings: LoggerBindings): void {
  try {
    storage?.setItem(LOGGER_STORAGE_KEY, JSON.stringify(bindings))
  } catch {
    // Private mode or a full quota: the keys still hold for this page.
  }
}
