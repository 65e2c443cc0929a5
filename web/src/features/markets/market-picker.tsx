/**
 * The market picker: search words, sport and status filters; each row shows the top of book,
 * spread, liquidity and health of the market's first outcome. Selecting one opens its ladders.
 */
import { useEffect, useMemo, useState } from 'react'
import { MarketsAnswer, type MarketJson, type MarketStatus } from '../../../../src/contracts/api.js'
import { getJson, query } from '../../api/http.js'
import { usdText } from '../../state/format.js'

const STATUSES: readonly (MarketStatus | '')[] = ['', 'live', 'upcoming', 'closed']
const REFRESH_MS = 5000

export interface MarketPickerProps {
  readonly selectedId: string | null
  readonly onSelect: (market: MarketJson) => void
  /** Every list the picker loads, so other panels can name markets and outcomes. */
  readonly onMarkets?: (markets: readonly MarketJson[]) => void
}

export function MarketPicker({ selectedId, onSelect, onMarkets }: MarketPickerProps) {
  const [q, setQ] = useState('')
  const [sport, setSport] = useState('')
  const [status, setStatus] = useState<MarketStatus | ''>('')
  const [markets, setMarkets] = useState<MarketJson[] | null>(null)
  const [sports, setSports] = useState<string[]>([])
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let alive = true
    const load = (): void => {
      getJson(`/api/markets${query({ q: q.trim(), sport, status })}`, MarketsAnswer).then(
        (answer) => {
          if (!alive) return
          setMarkets(answer.markets)
          onMarkets?.(answer.markets)
          setError(null)
          setSports((known) => {
            const all = new Set(known)
            for (const m of answer.markets) if (m.sport !== null) all.add(m.sport)
            return all.size === known.length ? known : [...all].sort()
          })
        },
        (e: unknown) => alive && setError((e as Error).message),
      )
    }
    const first = setTimeout(load, 150)
    const again = setInterval(load, REFRESH_MS)
    return () => {
      alive = false
      clearTimeout(first)
      clearInterval(again)
    }
  }, [q, sport, status, onMarkets])

  const rows = useMemo(() => markets ?? [], [markets])
  return (
    <section className="panel picker" data-testid="market-picker">
      <h2>Markets</h2>
      <input
        type="search"
        data-testid="market-search"
        placeholder="Search team, slug…"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <div className="picker-filters">
        <select
          aria-label="Sport"
          data-testid="market-sport"
          value={sport}
          onChange={(e) => setSport(e.target.value)}
        >
          <option value="">All sports</option>
          {sports.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <div className="segmented small" role="group" aria-label="Status">
          {STATUSES.map((s) => (
            <button
              key={s || 'all'}
              type="button"
              data-testid={`market-status-${s || 'all'}`}
              className={status === s ? 'on' : ''}
              onClick={() => setStatus(s)}
            >
              {s === '' ? 'All' : s}
            </button>
          ))}
        </div>
      </div>
      <div className="picker-list">
        {error !== null && <p className="bad-text pad">{error}</p>}
        {markets === null && error === null && <p className="muted pad">Loading markets…</p>}
        {markets !== null && rows.length === 0 && <p className="muted pad">No market matches.</p>}
        {rows.map((m) => (
          <button
            key={m.condition_id}
            type="button"
            data-testid="market-row"
            data-market={m.condition_id}
            data-slug={m.slug}
            className={`market-row ${m.condition_id === selectedId ? 'selected' : ''}`}
            onClick={() => onSelect(m)}
          >
            <span className="market-title">
              <span className={`status-dot ${m.status}`} title={m.status} />
              {m.question}
            </span>
            <span className="market-meta">
              <span className="muted">{m.sport ?? '—'}</span>
              <span>
                {m.best_bid ?? '—'}/{m.best_ask ?? '—'}
              </span>
              <span className="muted" title="spread">
                Δ{m.spread ?? '—'}
              </span>
              <span title="liquidity: top 5 levels, both sides">{usdText(m.liquidity_usd)}</span>
              {m.health !== 'live' && <span className="chip bad">{m.health}</span>}
            </span>
          </button>
        ))}
      </div>
    </section>
  )
}
