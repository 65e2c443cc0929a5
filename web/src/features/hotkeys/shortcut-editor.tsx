/**
 * The shortcut editor: click an action, press the new key combination. A combination already
 * used by another action is refused; Reset brings back B, S, C and Esc.
 */
import { useEffect, useState } from 'react'
import {
  ACTIONS,
  ACTION_LABELS,
  DEFAULT_BINDINGS,
  comboOf,
  conflictOf,
  type Bindings,
  type HotkeyAction,
} from '../../state/hotkeys.js'
import { Key } from '../top-bar/top-bar.js'

export interface ShortcutEditorProps {
  readonly bindings: Bindings
  readonly onChange: (bindings: Bindings) => void
  readonly onClose: () => void
}

export function ShortcutEditor({ bindings, onChange, onClose }: ShortcutEditorProps) {
  const [listening, setListening] = useState<HotkeyAction | null>(null)
  const [problem, setProblem] = useState<string | null>(null)

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      event.preventDefault()
      event.stopPropagation()
      if (listening === null) {
        if (event.key === 'Escape') onClose()
        return
      }
      const combo = comboOf(event)
      if (combo === null) return
      const other = conflictOf(bindings, listening, combo)
      if (other !== null) {
        setProblem(`${combo} already does "${ACTION_LABELS[other]}". Pick another key.`)
        return
      }
      setProblem(null)
      onChange({ ...bindings, [listening]: combo })
      setListening(null)
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [listening, bindings, onChange, onClose])

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcut-editor"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2>Keyboard shortcuts</h2>
        <p className="muted">
          Click a key, then press the new combination. Shortcuts do nothing while typing in a field.
          Saved in this browser.
        </p>
        <table className="shortcuts">
          <tbody>
            {ACTIONS.map((action) => (
              <tr key={action}>
                <td>{ACTION_LABELS[action]}</td>
                <td>
                  <button
                    type="button"
                    data-testid={`shortcut-${action}`}
                    className={`ghost ${listening === action ? 'listening' : ''}`}
                    onClick={() => {
                      setProblem(null)
                      setListening(action)
                    }}
                  >
                    {listening === action ? 'press a key…' : <Key combo={bindings[action]} />}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {problem !== null && <p className="bad-text">{problem}</p>}
        <div className="modal-actions">
          <button type="button" className="ghost" onClick={() => onChange(DEFAULT_BINDINGS)}>
            Reset to defaults
          </button>
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    </div>
  )
}
