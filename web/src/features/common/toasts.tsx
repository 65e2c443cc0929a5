/** Toasts in the corner: denials (with their code), errors, confirmations. Click to dismiss. */
import type { Toast } from '../../shell/context.js'

export function Toasts({
  toasts,
  onDismiss,
}: {
  toasts: readonly Toast[]
  onDismiss: (id: number) => void
}) {
  return (
    <div className="toasts" aria-live="assertive">
      {toasts.map((t) => (
        <button
          type="button"
          key={t.id}
          className={`toast toast-${t.kind}`}
          data-testid={t.kind === 'denial' ? 'denial-toast' : `toast-${t.kind}`}
          onClick={() => onDismiss(t.id)}
        >
          <b>{t.title}</b>
          <span>{t.text}</span>
        </button>
      ))}
    </div>
  )
}
