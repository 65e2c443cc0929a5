/**
 * The order ticket: outcome, side, size (presets or typed), market (with a worst-price cap) or
 * limit (post-only, GTC/GTD), emulated stop offsets in ticks, a live fill preview, and the
 * last refusal with its code.
 */
import { useEffect, useState, type ReactNode } from 'react'
import { useTerminal } from '../../shell/context.js'
import { decimalToTicks, priceText, usdText } from '../../state/format.js'
import { SIZE_PRESETS, ticketToOrder } from '../../state/ticket.js'
import { usePreview } from './use-preview.js'

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
    </label>
  )
}

export function OrderTicket() {
  const api = useTerminal()
  const { ticket, market, updateTicket } = api
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(timer)
  }, [])
  const result = ticketToOrder(ticket, now)
  const preview = usePreview(result.ok ? result.body : null)
  const tick = decimalToTicks(market?.tick_size ?? '0.01') ?? 100
  const outcome = market?.tokens.find((t) => t.token_id === ticket.tokenId)?.outcome ?? '—'
  const hasStops =
    ticket.stopLossTicks !== '' || ticket.takeProfitTicks !== '' || ticket.trailingStopTicks !== ''
  const [sending, setSending] = useState(false)

  const send = async (): Promise<void> => {
    const fresh = ticketToOrder(ticket, Date.now())
    if (!fresh.ok) {
      api.toast('error', 'Ticket incomplete', fresh.problems.join(' · '))
      return
    }
    setSending(true)
    try {
      await api.placeOrder(
        fresh.body,
        `${ticket.side === 'buy' ? 'Buy' : 'Sell'} ${ticket.size} ${outcome}`,
      )
    } finally {
      setSending(false)
    }
  }

  const refusal = api.lastRefusal
  return (
    <section className="panel ticket" data-testid="order-ticket">
      <h2>
        Order ticket <span className="muted">· {outcome}</span>
      </h2>
      <div className="ticket-grid">
        <div className="segmented" role="group" aria-label="Outcome">
          {(market?.tokens ?? []).map((t) => (
            <button
              key={t.token_id}
              type="button"
              className={ticket.tokenId === t.token_id ? 'on' : ''}
              onClick={() => updateTicket({ tokenId: t.token_id })}
            >
              {t.outcome}
            </button>
          ))}
        </div>
        <div className="segmented sides" role="group" aria-label="Side">
          <button
            type="button"
            data-testid="ticket-side-buy"
            className={ticket.side === 'buy' ? 'on buy' : ''}
            onClick={() => updateTicket({ side: 'buy' })}
          >
            Buy
          </button>
          <button
            type="button"
            data-testid="ticket-side-sell"
            className={ticket.side === 'sell' ? 'on sell' : ''}
            onClick={() => updateTicket({ side: 'sell' })}
          >
            Sell
          </button>
        </div>
        <Field label="Size (shares)">
          <input
            data-testid="ticket-size"
            inputMode="decimal"
            value={ticket.size}
            onChange={(e) => updateTicket({ size: e.target.value })}
          />
        </Field>
        <div className="presets">
          {SIZE_PRESETS.map((n) => (
            <button
              key={n}
              type="button"
              className={ticket.size === String(n) ? 'on' : ''}
              onClick={() => updateTicket({ size: String(n) })}
            >
              {n}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Order type">
          <button
            type="button"
            data-testid="ticket-type-limit"
            className={ticket.type === 'limit' ? 'on' : ''}
            onClick={() => updateTicket({ type: 'limit' })}
          >
            Limit
          </button>
          <button
            type="button"
            data-testid="ticket-type-market"
            className={ticket.type === 'market' ? 'on' : ''}
            onClick={() => updateTicket({ type: 'market' })}
          >
            Market
          </button>
        </div>
        <Field label={ticket.type === 'limit' ? 'Limit price' : 'Worst price (cap)'}>
          <input
            data-testid="ticket-price"
            inputMode="decimal"
            placeholder={ticket.type === 'limit' ? '0.45' : 'daemon default'}
            value={ticket.price}
            onChange={(e) => updateTicket({ price: e.target.value })}
          />
        </Field>
        {ticket.type === 'limit' && (
          <div className="row-fields">
            <label className="check">
              <input
                type="checkbox"
                data-testid="ticket-post-only"
                checked={ticket.postOnly}
                onChange={(e) => updateTicket({ postOnly: e.target.checked })}
              />
              Post-only
            </label>
            <select
              aria-label="Time in force"
              value={ticket.timeInForce}
              onChange={(e) => updateTicket({ timeInForce: e.target.value as 'GTC' | 'GTD' })}
            >
              <option value="GTC">GTC</option>
              <option value="GTD">GTD</option>
            </select>
            {ticket.timeInForce === 'GTD' && (
              <input
                className="narrow"
                aria-label="Minutes until expiry"
                title="Minutes until the order lapses"
                value={ticket.gtdMinutes}
                onChange={(e) => updateTicket({ gtdMinutes: e.target.value })}
              />
            )}
            {ticket.timeInForce === 'GTD' && <span className="muted">min</span>}
          </div>
        )}
        <div className="stops">
          <Field label="Stop loss (ticks)">
            <input
              data-testid="ticket-stop-loss"
              inputMode="numeric"
              value={ticket.stopLossTicks}
              onChange={(e) => updateTicket({ stopLossTicks: e.target.value })}
            />
          </Field>
          <Field label="Take profit">
            <input
              data-testid="ticket-take-profit"
              inputMode="numeric"
              value={ticket.takeProfitTicks}
              onChange={(e) => updateTicket({ takeProfitTicks: e.target.value })}
            />
          </Field>
          <Field label="Trailing">
            <input
              data-testid="ticket-trailing"
              inputMode="numeric"
              value={ticket.trailingStopTicks}
              onChange={(e) => updateTicket({ trailingStopTicks: e.target.value })}
            />
          </Field>
        </div>
        {hasStops && (
          <p className="note warn">
            Stops are emulated by the daemon and sent as marketable orders when hit; an in-play jump
            can gap straight past them.
          </p>
        )}
      </div>
      <div className="preview" data-testid="fill-preview">
        {!result.ok && <p className="muted">{result.problems[0]}</p>}
        {result.ok && (preview.kind === 'loading' || preview.kind === 'idle') && (
          <p className="muted">Previewing…</p>
        )}
        {result.ok && preview.kind === 'failed' && (
          <p className="bad-text">Preview: {preview.error.describe()}</p>
        )}
        {result.ok && preview.kind === 'ready' && (
          <dl>
            <dt>Fills</dt>
            <dd>
              {preview.answer.fillable}
              {Number(preview.answer.unfilled) > 0 && (
                <span className="muted"> ({preview.answer.unfilled} rests/unfilled)</span>
              )}
            </dd>
            <dt>Avg / worst</dt>
            <dd>
              {preview.answer.avg_price === null ? '—' : preview.answer.avg_price.toFixed(4)} /{' '}
              {preview.answer.worst_price ?? '—'}
            </dd>
            <dt>Notional</dt>
            <dd>{usdText(preview.answer.notional_usdc)}</dd>
            <dt>Fees</dt>
            <dd>
              {usdText(preview.answer.fees_usdc)}{' '}
              <span className="muted">({preview.answer.fee_rate_bps} bp)</span>
            </dd>
            <dt>Slippage</dt>
            <dd>
              {preview.answer.slippage_ticks === null
                ? '—'
                : `${preview.answer.slippage_ticks.toFixed(1)} ticks · ${usdText(preview.answer.slippage_usdc)}`}
            </dd>
            <dt>Touch</dt>
            <dd>
              {preview.answer.touch === null
                ? '—'
                : priceText(decimalToTicks(preview.answer.touch) ?? 0, tick)}
            </dd>
          </dl>
        )}
      </div>
      {refusal !== null && (
        <div className="refusal" data-testid="ticket-refusal" role="alert">
          {refusal.code !== null ? <b>{refusal.code}</b> : <b>HTTP {refusal.status}</b>}{' '}
          {refusal.message}
          {refusal.problems.length > 0 && (
            <ul>
              {refusal.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button
        type="button"
        data-testid="ticket-send"
        className={`send ${ticket.side}`}
        disabled={sending || !result.ok}
        onClick={() => void send()}
      >
        {ticket.side === 'buy' ? 'Buy' : 'Sell'} {ticket.size || '—'} {outcome}{' '}
        {ticket.type === 'limit' ? `@ ${ticket.price || '—'}` : 'at market'}
      </button>
    </section>
  )
}
