/**
 * The dashboard's header: the match, the mode (live or playback of which capture), the clock
 * in market time and video time, the stream offset, the charted outcome and what went wrong.
 */
import type { MarketJson } from '../../../../src/contracts/api.js'
import { useDashboard } from '../state/dashboard-store.js'
import { marketClock, offsetText, videoClock } from '../state/time-text.js'

export function DashHeader({
  market,
  onChartToken,
}: {
  market: MarketJson | null
  onChartToken: (token: string) => void
}) {
  const s = useDashboard()
  const videoT = s.t !== null && s.offsetMs !== null ? s.t - s.offsetMs : null
  const terminalHref =
    market === null ? '/' : `/?market=${encodeURIComponent(market.slug || market.condition_id)}`
  return (
    <header className="dash-header">
      <a className="brand" href="/dashboard" title="Choose another capture or market">
        tiltmeter
      </a>
      <span
        className={`badge ${s.mode === 'live' ? 'badge-live' : 'badge-paper'}`}
        data-testid="dash-mode"
      >
        {s.mode === 'live' ? 'LIVE' : 'PLAYBACK'}
      </span>
      <span className="dash-title" title={s.market ?? ''} data-testid="dash-title">
        {s.marketLabel ?? 'Opening…'}
      </span>
      {s.capture !== null && (
        <span className="muted dash-capture" title="Capture">
          {s.capture}
        </span>
      )}
      {market !== null && market.tokens.length > 1 && (
        <label className="dash-token">
          <span className="muted">Chart</span>
          <select
            data-testid="dash-token"
            value={s.token ?? ''}
            onChange={(e) => onChartToken(e.target.value)}
          >
            {market.tokens.map((t) => (
              <option key={t.token_id} value={t.token_id}>
                {t.outcome}
              </option>
            ))}
          </select>
        </label>
      )}
      <span className="spacer" />
      {s.problem !== null && (
        <span className="chip warn dash-problem" title={s.problem}>
          {s.problem}
        </span>
      )}
      {s.connection !== 'open' && (
        <span className={`chip ${s.connection === 'connecting' ? '' : 'bad'}`}>{s.connection}</span>
      )}
      <span className="dash-clock" data-testid="dash-clock" data-t={s.t ?? ''}>
        <span className="muted">market</span>{' '}
        <b className="num">{s.t === null ? '—' : marketClock(s.t)}</b>
        <span className="muted"> UTC · video</span>{' '}
        <b className="num" data-testid="dash-video-clock">
          {videoT === null ? '—' : videoClock(videoT)}
        </b>
      </span>
      <span
        className="dash-offset"
        data-testid="dash-offset"
        title="Stream offset: market time − video time"
      >
        <span className="muted">offset</span> {offsetText(s.offsetMs)}
      </span>
      <a
        className="ghost small dash-link"
        href={terminalHref}
        title="Trade this match in the terminal"
      >
        Terminal ↗
      </a>
    </header>
  )
}
