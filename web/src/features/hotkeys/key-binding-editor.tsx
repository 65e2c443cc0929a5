/**
 * A modal that remaps keys: click an action, press its new key combination. A combination that
 * another action already uses is refused; Reset brings back the defaults; Escape (while not
 * listening) or a click outside closes it. The terminal's shortcuts and the dashboard's event
 * logger keys both use it.
 */
import { useEffect, useState } from 'react'
import { comboOf } from '../../state/hotkeys.js'
import { Key } from '../top-bar/top-bar.js'

export interface KeyBindingEditorProps<A extends string> {
  readonly title: string
  readonly hint: string
  /** `data-testid` of the dialog; each action's button gets `<keyTestIdPrefix><action>`. */
  readonly testId: string
  readonly keyTestIdPrefix: string
  readonly actions: readonly A[]
  readonly labels: Readonly<Record<A, string>>
  readonly bindings: Readonly<Record<A, string>>
  readonly defaults: Readonly<Record<A, string>>
  /** The other action already bound to `combo`, or null. */
  readonly conflict: (bindings: Readonly<Record<A, string>>, action: A, combo: string) => A | null
  readonly onChange: (bindings: Readonly<Record<A, string>>) => void
  readonly onClose: () => void
}

export function KeyBindingEditor<A extends string>(props: KeyBindingEditorProps<A>) {
  const { bindings, onChange, onClose, conflict, labels } = props
  const [listening, setListening] = useState<A | null>(null)
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
      const other = conflict(bindings, listening, combo)
      if (other !== null) {
        setProblem(`${combo} already does "${labels[other]}". Pick another key.`)
        return
      }
      setProblem(null)
      onChange({ ...bindings, [listening]: combo })
      setListening(null)
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [listening, bindings, onChange, onClose, conflict, labels])

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2>{props.title}</h2>
        <p className="muted">{props.hint}</p>
        <table className="shortcuts">
          <tbody>
            {props.actions.map((action) => (
              <tr key={action}>
                <td>{labels[action]}</td>
                <td>
                  <button
                    type="button"
                    data-testid={`${props.keyTestIdPrefix}${action}`}
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
          <button type="button" className="ghost" onClick={() => onChange(props.defaults)}>
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
