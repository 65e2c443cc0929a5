/**
 * The match's signals, newest first: type, outcome, score, volume/spread/depth ratios, the
 * price move and whether it reverted. A click seeks the page (and the video) to the signal.
 * The row at or just before the current time is highlighted.
 */
import { memo } from 'react'
import { useDashboardStore, type DashboardSignal } from '../state/dashboard-store.js'
import { useDashboardField } from '../state/use-select.js'
import { marketClock } from '../state/time-text.js'
import { SIGNAL_STYLE } from '../chart/markers.js'
import { SIGNAL_NAMES, moveText, ratioText, reversionStatus, reversionText } from './signal-text.js'

const SignalRow = memo(function SignalRow({
  signal,
  outcome,
  current,
  onSeek,
}: {
  signal: DashboardSignal
  outcome: string
  current: boolean
  onSeek: (ts: number) => void
}) {
  const status = reversionStatus(signal)
  return (
    <tr
      className={`dash-signal-row ${current ? 'current' : ''}`}
      data-testid="dash-signal-row"
      data-ts={signal.ts}
      data-type={signal.type}
      onClick={() => onSeek(signal.ts)}
      title="Jump to this signal"
    >
      <td className="num muted">{marketClock(signal.ts, false)}</td>
      <td>
        <span className="sig-mark" style={{ color: SIGNAL_STYLE[signal.type].color }}>
          {SIGNAL_STYLE[signal.type].short}
        </span>{' '}
        {SIGNAL_NAMES[signal.type]}
      </td>
      <td className="sig-outcome">{outcome}</td>
      <td className="num">{signal.score.toFixed(2)}</td>
      <td className="num">{ratioText(signal.volumeRatio)}</td>
      <td className="num">{ratioText(signal.spreadRatio)}</td>
      <td className="num">{ratioText(signal.depthRatio)}</td>
      <td className="num">{moveText(signal.priceChange)}</td>
      <td className={`sig-rev rev-${status}`}>{reversionText(signal)}</td>
    </tr>
  )
})

export function SignalsList({ outcomes }: { outcomes: ReadonlyMap<string, string> }) {
  const store = useDashboardStore()
  const signals = useDashboardField('signals')
  const t = useDashboardField('t')
  const mode = useDashboardField('mode')
  // The latest signal at or before now (only moves when a signal is passed: cheap to compute).
  let currentIndex = -1
  if (t !== null) {
    for (let i = 0; i < signals.length && signals[i]!.ts <= t; i++) currentIndex = i
  }
  const rows = signals.map((s, i) => ({ s, i })).reverse()
  return (
    <section className="panel dash-signals" data-testid="dash-signals">
      <h2>
        Signals <span className="muted">{signals.length}</span>
        {mode === 'live' && <span className="muted">· as they arrive</span>}
      </h2>
      <div className="dash-signals-body">
        {signals.length === 0 ? (
          <p className="muted pad">
            {mode === 'live'
              ? 'No signal on this match since the page opened.'
              : 'No signal in this capture for this match.'}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Signal</th>
                <th>Outcome</th>
                <th className="num">Score</th>
                <th className="num" title="30 s traded volume over its baseline">
                  Vol
                </th>
                <th className="num" title="Spread over its baseline">
                  Spread
                </th>
                <th className="num" title="Top-5 depth over its baseline">
                  Depth
                </th>
                <th className="num" title="Mid move over the short window">
                  Move
                </th>
                <th>Reversion</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ s, i }) => (
                <SignalRow
                  key={`${s.id}`}
                  signal={s}
                  outcome={outcomes.get(s.assetId) ?? '—'}
                  current={i === currentIndex}
                  onSeek={store.seek}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  )
}
