/**
 * The risk panel: trading state (global and per market) with restrictions and their countdowns,
 * limits beside their usage, and a resume button (with a confirmation) for manual halts.
 */
import { useState } from 'react'
import type { RiskAnswer, TradingStatusJson } from '../../../../src/contracts/api.js'
import { useTerminal } from '../../shell/context.js'
import { countdownText, usdText } from '../../state/format.js'
import { useNow, useTopic } from '../../state/use-store.js'
import { ConfirmDialog } from '../common/confirm-dialog.js'

function Usage({
  label,
  used,
  limit,
  text,
}: {
  label: string
  used: number
  limit: number
  text: string
}) {
  const share = limit > 0 ? Math.max(0, Math.min(1, used / limit)) : 0
  const level = share >= 0.9 ? 'bad' : share >= 0.6 ? 'warn' : 'ok'
  return (
    <div className="usage">
      <span className="usage-label">{label}</span>
      <span className="usage-text">{text}</span>
      <span className={`usage-bar ${level}`}>
        <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </span>
    </div>
  )
}

function Status({
  status,
  now,
  name,
  onResume,
}: {
  status: TradingStatusJson
  now: number
  name: string
  onResume: (scope: string) => void
}) {
  return (
    <div
      className={`trading-status mode-${status.mode}`}
      data-testid="trading-status"
      data-scope={status.scope}
      data-mode={status.mode}
    >
      <div className="status-line">
        <span className={`mode mode-${status.mode}`}>{status.mode}</span>
        <span className="status-name" title={status.scope}>
          {name}
        </span>
        {status.mode !== 'active' && (
          <button
            type="button"
            className="ghost small"
            data-testid="risk-resume"
            onClick={() => onResume(status.scope)}
          >
            Resume…
          </button>
        )}
      </div>
      {status.restrictions.map((r) => (
        <div className="restriction" key={`${r.code}:${r.since_ms}`}>
          <b>{r.code}</b> {r.message}
          {r.until_ms !== null && r.until_ms > now && (
            <span className="countdown" data-testid="risk-countdown">
              {' '}
              ⏱ {countdownText(r.until_ms - now)}
            </span>
          )}
          {r.manual_resume_only && <span className="chip warn">manual resume</span>}
        </div>
      ))}
    </div>
  )
}

function usageOf(risk: RiskAnswer): { drawdown: number; loss: number } {
  const equity = Number(risk.equity_usdc)
  const high = Number(risk.equity_high_usdc)
  const drawdown = high > 0 ? Math.max(0, (high - equity) / high) : 0
  const loss = Math.max(0, -Number(risk.day_realized_usdc))
  return { drawdown, loss }
}

export function RiskPanel({ marketNames }: { marketNames: ReadonlyMap<string, string> }) {
  const api = useTerminal()
  const { store } = api
  useTopic(store, 'account')
  const now = useNow(250)
  const [resumeScope, setResumeScope] = useState<string | null>(null)
  const risk = store.risk
  if (risk === null) {
    return (
      <section className="panel risk" data-testid="risk-panel">
        <h2>Risk</h2>
        <p className="muted pad">Waiting for the trading state…</p>
      </section>
    )
  }
  const { drawdown, loss } = usageOf(risk)
  const limits = risk.limits
  const maxLoss = Number(limits.max_daily_loss_usdc)
  const errorRate = risk.api_requests > 0 ? risk.api_errors / risk.api_requests : 0
  const marketCost = store.positions?.markets ?? []
  const largest = marketCost.reduce((m, x) => Math.max(m, Number(x.cost_usdc ?? 0)), 0)
  return (
    <section className="panel risk" data-testid="risk-panel" data-mode={risk.global.mode}>
      <h2>
        Risk <span className={`mode mode-${risk.global.mode}`}>{risk.global.mode}</span>
      </h2>
      <Status status={risk.global} now={now} name="Global" onResume={setResumeScope} />
      {risk.markets
        .filter((m) => m.mode !== 'active' || m.restrictions.length > 0)
        .map((m) => (
          <Status
            key={m.scope}
            status={m}
            now={now}
            name={marketNames.get(m.scope) ?? m.scope.slice(0, 10)}
            onResume={setResumeScope}
          />
        ))}
      <div className="usages">
        <Usage
          label="Daily loss"
          used={loss}
          limit={maxLoss}
          text={`${usdText(risk.day_realized_usdc, true)} / -${usdText(maxLoss)}`}
        />
        <Usage
          label="Losses in a row"
          used={risk.consecutive_losses}
          limit={limits.max_consecutive_losses}
          text={`${risk.consecutive_losses} / ${limits.max_consecutive_losses}`}
        />
        <Usage
          label="Largest market"
          used={largest}
          limit={Number(limits.max_position_usdc)}
          text={`${usdText(largest)} / ${usdText(limits.max_position_usdc)}`}
        />
        <Usage
          label="API errors"
          used={errorRate}
          limit={0.1}
          text={`${risk.api_errors}/${risk.api_requests} (${(errorRate * 100).toFixed(0)}%)`}
        />
        <Usage
          label="Drawdown"
          used={drawdown}
          limit={0.2}
          text={`${(drawdown * 100).toFixed(1)}% of ${usdText(risk.equity_high_usdc)}`}
        />
      </div>
      <div className="limits muted">
        max order {usdText(limits.max_order_usdc)} · cooldown {limits.trade_cooldown_ms / 1000}s ·
        fat finger {limits.fat_finger_ticks}t
      </div>
      {resumeScope !== null && (
        <ConfirmDialog
          title="Resume trading?"
          acceptLabel="Resume"
          testId="resume-confirm"
          onAccept={() => {
            const scope = resumeScope
            setResumeScope(null)
            void api.resume(scope)
          }}
          onCancel={() => setResumeScope(null)}
        >
          Lift the restrictions on{' '}
          <b>
            {resumeScope === 'global'
              ? 'all trading'
              : (marketNames.get(resumeScope) ?? resumeScope)}
          </b>
          ? Make sure the cause is understood first.
        </ConfirmDialog>
      )}
    </section>
  )
}
