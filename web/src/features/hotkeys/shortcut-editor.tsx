/**
 * The shortcut editor: click an action, press the new key combination. A combination already
 * used by another action is refused; Reset brings back B, S, C and Esc.
 */
import {
  ACTIONS,
  ACTION_LABELS,
  DEFAULT_BINDINGS,
  conflictOf,
  type Bindings,
} from '../../state/hotkeys.js'
import { KeyBindingEditor } from './key-binding-editor.js'

export interface ShortcutEditorProps {
  readonly bindings: Bindings
  readonly onChange: (bindings: Bindings) => void
  readonly onClose: () => void
}

export function ShortcutEditor({ bindings, onChange, onClose }: ShortcutEditorProps) {
  return (
    <KeyBindingEditor
      title="Keyboard shortcuts"
      hint="Click a key, then press the new combination. Shortcuts do nothing while typing in a field. Saved in this browser."
      testId="shortcut-editor"
      keyTestIdPrefix="shortcut-"
      actions={ACTIONS}
      labels={ACTION_LABELS}
      bindings={bindings}
      defaults={DEFAULT_BINDINGS}
      conflict={conflictOf}
      onChange={onChange}
      onClose={onClose}
    />
  )
}
