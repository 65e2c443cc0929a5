/**
 * The event logger's key editor: click an action, press its new key. A key already used by
 * another action is refused; Reset brings back 1–9, T and Ctrl+Z. The terminal's key editor,
 * with the logger's actions.
 */
import { KeyBindingEditor } from '../../features/hotkeys/key-binding-editor.js'
import {
  ACTION_LABELS,
  DEFAULT_LOGGER_BINDINGS,
  LOGGER_ACTIONS,
  loggerConflict,
  type LoggerBindings,
} from './event-keys.js'

export interface KeyEditorProps {
  readonly bindings: LoggerBindings
  readonly onChange: (bindings: LoggerBindings) => void
  readonly onClose: () => void
}

export function KeyEditor({ bindings, onChange, onClose }: KeyEditorProps) {
  return (
    <KeyBindingEditor
      title="Event logger keys"
      hint="Click a key, then press the new one. Keys do nothing while typing in a field. Saved in this browser."
      testId="event-key-editor"
      keyTestIdPrefix="event-key-edit-"
      actions={LOGGER_ACTIONS}
      labels={ACTION_LABELS}
      bindings={bindings}
      defaults={DEFAULT_LOGGER_BINDINGS}
      conflict={loggerConflict}
      onChange={onChange}
      onClose={onClose}
    />
  )
}
