/**
 * `/dashboard` without a capture or market: the recorded captures (play one back) and the
 * watched markets (follow one live).
 */
import { useEffect, useState } from 'react'
import { MarketsAnswer, type MarketJson } from '../../../../src/contracts/api.js'
import { CapturesAnswer, type CaptureSummary } from '../../../../src/contracts/playback.js'
import { getJson } from '../../api/http.js'
import { describe } from '../page/playback-controller.js'
import { dashboardSearch } from '../state/url.js'
import { elapsedText, marketClock } from '../state/time-text.js'

function sizeText(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`
  return `${Math.max(1, Math.round(bytes / 1000))} kB`
}

function captureHref(name: string): string {
  return `/dashboard${dashboardSearch(window.location.search, { kind: 'playback', capture: name, t: null, market: null, token: null })}`
}

function marketHref(market: MarketJson): string {
  return `/dashboard${dashboardSearch(window.location.search, { kind: 'live', market: market.slug || market.condition_id, token: null })}`
}

function CaptureRow({ capture }: { capture: CaptureSummary }) {
  const span =
    capture.first_ms !== null && capture.last_ms !== null
      ? `${new Date(capture.first_ms).toISOString().slice(0, 10)} ${marketClock(capture.first_ms, false)} · ${elapsedText(capture.last_ms - capture.first_ms).slice(1)}`
      : capture.started_at !== null
        ? `recorded ${new Date(capture.started_at).toISOString().slice(0, 16).replace('T', ' ')}`
        : ''
  const playable = capture.index !== 'unreadable'
  return (
    <tr data-testid="dash-capture-row" data-name={capture.name}>
      <td>
        {playable ? (
          <a href={captureHref(capture.name)}>{capture.name}</a>
        ) : (
          <span className="muted">{capture.name}</span>
        )}
        {capture.error !== null && <div className="bad-text small-text">{capture.error}</div>}
      </td>
      <td className="muted">{span}</td>
      <td className="num">{capture.tokens.length}</td>
      <td className="num">{sizeText(capture.size_bytes)}</td>
      <td>
        <span className={`chip ${capture.index === 'ready' ? '' : 'warn'}`}>{capture.index}</span>
      </td>
      <td className="muted">{capture.started_by ?? ''}</td>
    </tr>
  )
}

export function Chooser({ problems }: { problems: readonly string[] }) {
  const [captures, setCaptures] = useState<CapturesAnswer | null>(null)
  const [markets, setMarkets] = useState<MarketJson[] | null>(null)
  const [errors, setErrors] = useState<string[]>([])
  useEffect(() => {
    let alive = true
    getJson('/api/captures', CapturesAnswer).then(
      (answer) => alive && setCaptures(answer),
      (e: unknown) => alive && setErrors((all) => [...all, `Captures: ${describe(e)}`]),
    )
    getJson('/api/markets', MarketsAnswer).then(
      (answer) => alive && setMarkets(answer.markets),
      (e: unknown) => alive && setErrors((all) => [...all, `Markets: ${describe(e)}`]),
    )
    return () => {
      alive = false
    }
  }, [])
  return (
    <div className="dash-chooser" data-testid="dash-chooser">
      <header className="dash-header">
        <a className="brand" href="/">
          tiltmeter
        </a>
        <span className="dash-title">Match dashboard</span>
        <span className="spacer" />
        <a className="ghost small dash-link" href="/">
          Terminal ↗
        </a>
      </header>
      {[...problems, ...errors].map((p) => (
        <div className="banner banner-stale" key={p}>
          {p}
        </div>
      ))}
      <div className="dash-chooser-body">
        <section className="panel">
          <h2>
            Recorded captures <span className="muted">play one back beside its video</span>
          </h2>
          {captures === null ? (
            <p className="muted pad">Loading…</p>
          ) : captures.captures.length === 0 ? (
            <p className="muted pad">
              No capture in{' '}
              {captures.dirs.map((d) => d.path).join(', ') || 'the capture directories'}. Record one
              with <code>tiltmeter start</code> or <code>tiltmeter import</code>.
            </p>
          ) : (
            <div className="dash-scroll">
              <table>
                <thead>
                  <tr>
                    <th>Capture</th>
                    <th>Span (UTC)</th>
                    <th className="num">Tokens</th>
                    <th className="num">Size</th>
                    <th>Index</th>
                    <th>By</th>
                  </tr>
                </thead>
                <tbody>
                  {captures.captures.map((c) => (
                    <CaptureRow key={`${c.dir}/${c.name}`} capture={c} />
                  ))}
                </tbody>
              </table>
              {captures.dirs
                .filter((d) => d.error !== null)
                .map((d) => (
                  <p className="muted pad" key={d.path}>
                    {d.path}: {d.error}
                  </p>
                ))}
            </div>
          )}
        </section>
        <section className="panel">
          <h2>
            Live markets <span className="muted">follow one as it plays</span>
          </h2>
          {markets === null ? (
            <p className="muted pad">Loading…</p>
          ) : markets.length === 0 ? (
            <p className="muted pad">No watched market.</p>
          ) : (
            <div className="dash-scroll">
              <table>
                <tbody>
                  {markets.map((m) => (
                    <tr key={m.condition_id} data-testid="dash-market-row">
                      <td>
                        <a href={marketHref(m)}>{m.question}</a>
                      </td>
                      <td className="muted">{m.sport ?? ''}</td>
                      <td>
                        <span className={`chip ${m.status === 'live' ? '' : 'warn'}`}>
                          {m.status}
                        </span>
                      </td>
                      <td className="num">
                        {m.best_bid ?? '—'} / {m.best_ask ?? '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </div>
  )
}
