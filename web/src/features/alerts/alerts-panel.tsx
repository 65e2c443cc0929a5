/** Recent alerts, newest first; warnings and critical ones also beep (can be muted). */
import { useTerminal } from '../../shell/context.js'
import { clockText } from '../../state/format.js'
import { useTopic } from '../../state/use-store.js'

export function AlertsPanel({ muted, onToggleMute }: { muted: boolean; onToggleMute: () => void }) {
  const { store } = useTerminal()
  useTopic(store, 'alerts')
  return (
    <section className="panel alerts" data-testid="alerts">
      <h2>
        Alerts <span className="muted">{store.alerts.length}</span>
        <button
          type="button"
          className="ghost small"
          onClick={onToggleMute}
          title={muted ? 'Sound off: click to turn on' : 'Sound on: click to mute'}
        >
          {muted ? 'sound off' : 'sound on'}
        </button>
      </h2>
      <div className="alerts-list">
        {store.alerts.slice(0, 80).map((a) => (
          <div
            key={a.id}
            className={`alert-row sev-${a.severity}`}
            data-testid="alert-row"
            data-severity={a.severity}
          >
            <span className="muted">{clockText(a.ts)}</span>
            <b>{a.code}</b>
            <span className="alert-message">{a.message}</span>
          </div>
        ))}
        {store.alerts.length === 0 && <p className="muted pad">No alerts.</p>}
      </div>
    </section>
  )
}
