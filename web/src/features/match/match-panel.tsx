/** The selected market's header: question, phase and score, the no-chase pause countdown. */
import type { MarketJson } from '../../../../src/contracts/api.js'
import { useTerminal } from '../../shell/context.js'
import { countdownText } from '../../state/format.js'
import { matchView, noChaseLeft } from '../../state/match.js'
import { useNow, useTopic } from '../../state/use-store.js'

export interface MatchPanelProps {
  readonly market: MarketJson
  readonly noChaseOn: boolean
  readonly noChaseMs: number
  readonly onToggleNoChase: () => void
}

export function MatchPanel({ market, noChaseOn, noChaseMs, onToggleNoChase }: MatchPanelProps) {
  const { store } = useTerminal()
  useTopic(store, 'events')
  const now = useNow(200)
  const view = matchView(store.events, market.condition_id)
  const left = noChaseOn ? noChaseLeft(store.events, market.condition_id, noChaseMs, now) : 0
  return (
    <section className="panel match" data-testid="match-panel">
      <div className="match-title">
        <span className={`status-dot ${market.status}`} />
        <b>{market.question}</b>
        <span className="muted">
          {' '}
          · tick {market.tick_size} · min {market.min_size}
        </span>
        {market.seconds_delay > 0 && (
          <span className="chip warn" title="Marketable orders wait this long before matching">
            in-play delay {market.seconds_delay}s
          </span>
        )}
      </div>
      <div className="match-state">
        <span className="phase" data-testid="match-phase">
          {view.phase}
        </span>
        <span className="score" data-testid="match-score">
          {view.score ?? '–'}
        </span>
        {view.map !== null && <span className="muted">map {view.map}</span>}
        {view.last !== null && (
          <span className="muted last-event">
            last: {view.last.type}
            {view.last.team !== null ? ` (${view.last.team})` : ''}
          </span>
        )}
        <label
          className="check"
          title={noChaseMs > 0 ? '' : 'The daemon sets no pause (no_chase_ms = 0); 5 s is used'}
        >
          <input
            type="checkbox"
            data-testid="no-chase-toggle"
            checked={noChaseOn}
            onChange={onToggleNoChase}
          />
          no-chase {countdownText(noChaseMs)}
        </label>
        {left > 0 && (
          <span className="chip bad" data-testid="no-chase-countdown">
            NO-CHASE {countdownText(left)}
          </span>
        )}
      </div>
    </section>
  )
}
