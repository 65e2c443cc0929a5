/** A modal question: Enter (or the button) accepts, Escape (or Cancel) declines. */
import { useEffect, useRef, type ReactNode } from 'react'

export interface ConfirmDialogProps {
  readonly title: string
  readonly children: ReactNode
  readonly acceptLabel: string
  readonly danger?: boolean
  readonly testId?: string
  readonly onAccept: () => void
  readonly onCancel: () => void
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { onAccept, onCancel } = props
  const acceptRef = useRef<HTMLButtonElement | null>(null)
  useEffect(() => {
    acceptRef.current?.focus()
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Enter') {
        event.preventDefault()
        event.stopPropagation()
        onAccept()
      } else if (event.key === 'Escape') {
        event.preventDefault()
        event.stopPropagation()
        onCancel()
      }
    }
    // Capture phase: the dialog answers before the page's hotkeys.
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [onAccept, onCancel])
  return (
    <div className="modal-backdrop" onMouseDown={onCancel}>
      <div
        className={`modal ${props.danger === true ? 'modal-danger' : ''}`}
        role="alertdialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2>{props.title}</h2>
        <div className="modal-body">{props.children}</div>
        <div className="modal-actions">
          <button type="button" className="ghost" onClick={onCancel}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button
            type="button"
            ref={acceptRef}
            className={props.danger === true ? 'danger-fill' : 'primary'}
            data-testid={props.testId === undefined ? undefined : `${props.testId}-accept`}
            onClick={onAccept}
          >
            {props.acceptLabel} <kbd>Enter</kbd>
          </button>
        </div>
      </div>
    </div>
  )
}
