/**
 * The event logger's key editor: click an action, press its new key. A key already used by
 * another action is refused; Reset brings back 1–9, T and Ctrl+Z. Same look and behaviour as
 * the terminal's shortcut editor.
 */
import { useEffect, useState } from 'react'
import { comboOf } from '../../state/hotkeys.js'
import { Key } from '../../features/top-bar/top-bar.js'
import {
  ACTION_LABELS,
  DEFAULT_LOGGER_BINDINGS,
  LOGGER_ACTIONS,
  loggerConflict,
  type LoggerAction,
  type LoggerBindings,
} from './event-keys.js'

export interface KeyEditorProps {
  readonly bindings: LoggerBindings
  readonly onChange: (bindings: LoggerBindings) => void
  readonly onClose: () => void
}

export function KeyEditor({ bindings, onChange, onClose }: KeyEditorProps) {
  const [listening, setListening] = useState<LoggerAction | null>(null)
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
      const other = loggerConflict(bindings, listening, combo)
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
        aria-label="Event logger keys"
        data-testid="event-key-editor"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2>Event logger keys</h2>
        <p className="muted">
          Click a key, then press the new one. Keys do nothing while typing in a field. Saved in
          this browser.
        </p>
        <table className="shortcuts">
          <tbody>
            {LOGGER_ACTIONS.map((action) => (
              <tr key={action}>
                <td>{ACTION_LABELS[action]}</td>
                <td>
                  <button
                    type="button"
                    data-testid={`event-key-edit-${action}`}
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
          <button type="button" className="ghost" onClick={() => onChange(DEFAULT_LOGGER_BINDINGS)}>
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
