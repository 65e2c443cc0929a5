/**
 * The event study report in three forms: a text table (stdout), JSON (`--json`) and a
 * self-contained HTML page (`--html`) with an inline SVG plot of the mean move per horizon and
 * event type, with confidence interval bars. No external assets: the page opens offline.
 */
import type { BootstrapInterval } from '../domain/stats/bootstrap.js'
import type { TypeSummary } from '../domain/stats/event-study.js'
import type { EventImpact, ImpactSample } from '../engine/event-impact.js'

export type StudyResult = {
  /** The recordings, as given. */
  readonly inputs: readonly string[]
  /** Where the events came from (`goals.csv`, `database`). */
  readonly eventsSource: string
  readonly offsetsS: readonly number[]
  readonly seed: number
  readonly resamples: number
  readonly level: number
  /** First and last venue time in the data, epoch ms; null when the data had no events. */
  readonly dataFirstTs: number | null
  readonly dataLastTs: number | null
  readonly impacts: readonly EventImpact[]
  readonly byType: readonly TypeSummary[]
  /** Things the reader must know (events outside the data, events without an asset, ...). */
  readonly notes: readonly string[]
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

function perOffset<T>(
  samples: readonly ImpactSample[],
  pick: (s: ImpactSample) => T,
): Record<string, T> {
  const out: Record<string, T> = {}
  for (const s of samples) out[String(s.offsetS)] = pick(s)
  return out
}

function ciJson(ci: BootstrapInterval): { low: number | null; high: number | null } {
  return { low: ci.low, high: ci.high }
}

/** The `--json` document. Mids, moves and spreads in price units; depth and flow in shares. */
export function studyJson(result: StudyResult): Record<string, unknown> {
  return {
    inputs: result.inputs,
    events_source: result.eventsSource,
    offsets_s: result.offsetsS,
    seed: result.seed,
    resamples: result.resamples,
    confidence_level: result.level,
    data: {
      first_ts: result.dataFirstTs,
      last_ts: result.dataLastTs,
      first: iso(result.dataFirstTs),
      last: iso(result.dataLastTs),
    },
    notes: result.notes,
    events: result.impacts.map((impact) => {
      const e = impact.event
      const s = impact.samples
      return {
        ts: e.ts,
        time: iso(e.ts),
        type: e.type,
        team: e.team,
        asset_id: e.assetId,
        market: e.market,
        score: e.score,
        source: e.source,
        status: impact.status,
        cluster: impact.cluster,
        mid: perOffset(s, (x) => x.mid),
        spread: perOffset(s, (x) => x.spread),
        depth5: perOffset(s, (x) => x.depth),
        trade_net_shares: perOffset(s, (x) => x.tradeNetShares),
        trade_shares: perOffset(s, (x) => x.tradeShares),
        sample_status: perOffset(s, (x) => x.status),
        book_source: perOffset(s, (x) => x.source),
        stale_reason: perOffset(s, (x) => x.staleReason),
      }
    }),
    by_type: result.byType.map((t) => ({
      type: t.type,
      count: t.count,
      measured: t.measured,
      clusters: t.clusters,
      horizons: t.horizons.map((h) => ({
        offset_s: h.offsetS,
        n: h.n,
        clusters: h.clusters,
        mean_move: h.meanMove,
        mean_ci: ciJson(h.meanCi),
        median_move: h.medianMove,
        median_ci: ciJson(h.medianCi),
        ci_reason: h.meanCi.reason,
        hits: h.hits,
        hit_rate: h.hitRate,
      })),
    })),
  }
}

/** A move in price units with an explicit sign, e.g. `+0.1450`; `–` when unknown. */
function move(value: number | null): string {
  if (value === null) return '–'
  const fixed = value.toFixed(4)
  return value > 0 ? `+${fixed}` : fixed === '-0.0000' ? '0.0000' : fixed
}

function interval(ci: BootstrapInterval): string {
  if (ci.low === null || ci.high === null) return 'n/a'
  return `[${move(ci.low)}, ${move(ci.high)}]`
}

function pct(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 100)} %`
}

function offsetLabel(offsetS: number): string {
  return offsetS > 0 ? `+${offsetS} s` : `${offsetS} s`
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

/** The text report: per type, one line per horizon, then the events with their mids. */
export function studyText(result: StudyResult): string {
  const lines: string[] = []
  const level = `${Math.round(result.level * 100)} %`
  lines.push(
    `event study: ${result.impacts.length} event(s) from ${result.eventsSource}; data ` +
      `${iso(result.dataFirstTs) ?? '–'} .. ${iso(result.dataLastTs) ?? '–'}`,
  )
  lines.push(
    `move = mid(k) − mid(0) in price units; ${level} CI: bootstrap clustered by match, ` +
      `${result.resamples} resamples, seed ${result.seed}`,
  )
  for (const t of result.byType) {
    lines.push('')
    lines.push(`${t.type}: ${t.count} event(s), ${t.measured} measured, ${t.clusters} match(es)`)
    const header =
      `${pad('horizon', 9)}${pad('n', 4, true)}  ${pad('mean', 8, true)}  ${pad('CI (mean)', 20)}  ` +
      `${pad('median', 8, true)}  ${pad('CI (median)', 20)}  hit rate`
    lines.push(header)
    let reason: string | null = null
    for (const h of t.horizons) {
      reason ??= h.meanCi.reason
      lines.push(
        `${pad(offsetLabel(h.offsetS), 9)}${pad(String(h.n), 4, true)}  ${pad(move(h.meanMove), 8, true)}  ` +
          `${pad(interval(h.meanCi), 20)}  ${pad(move(h.medianMove), 8, true)}  ` +
          `${pad(interval(h.medianCi), 20)}  ${pct(h.hitRate)} (${h.hits}/${h.n})`,
      )
    }
    if (reason !== null) lines.push(`no confidence interval: ${reason}`)
  }
  lines.push('')
  lines.push('events (mid at each offset; – = not measured, see --json for why):')
  const head =
    `${pad('time (UTC)', 25)}${pad('type', 8)}${pad('team', 6)}${pad('asset', 12)}` +
    result.offsetsS.map((k) => pad(offsetLabel(k), 8, true)).join('')
  lines.push(head)
  for (const impact of result.impacts) {
    const e = impact.event
    const asset = e.assetId === null ? '(none)' : `${e.assetId.slice(0, 8)}…`
    const mids =
      impact.samples.length === 0
        ? `  ${impact.status}`
        : impact.samples.map((s) => pad(s.mid === null ? '–' : s.mid.toFixed(4), 8, true)).join('')
    lines.push(
      `${pad(iso(e.ts) ?? '', 25)}${pad(e.type, 8)}${pad(e.team ?? '', 6)}${pad(asset, 12)}${mids}`,
    )
  }
  if (result.notes.length > 0) {
    lines.push('')
    for (const note of result.notes) lines.push(`note: ${note}`)
  }
  return `${lines.join('\n')}\n`
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']

/**
 * Inline SVG: mean move (y, price units) against horizon (x, seconds) per type, the point at
 * offset 0 being 0 by definition; vertical bars show the mean's CI where there is one.
 */
export function studySvg(result: StudyResult): string {
  const width = 720
  const height = 360
  const left = 70
  const right = 20
  const top = 20
  const bottom = 50
  const offsets = result.offsetsS
  const xMin = Math.min(...offsets)
  const xMax = Math.max(...offsets)
  const values: number[] = [0]
  for (const t of result.byType) {
    for (const h of t.horizons) {
      if (h.meanMove !== null) values.push(h.meanMove)
      if (h.meanCi.low !== null) values.push(h.meanCi.low)
      if (h.meanCi.high !== null) values.push(h.meanCi.high)
    }
  }
  let yMin = Math.min(...values)
  let yMax = Math.max(...values)
  if (yMax - yMin < 0.01) {
    yMin -= 0.005
    yMax += 0.005
  }
  const pad5 = (yMax - yMin) * 0.05
  yMin -= pad5
  yMax += pad5
  const x = (s: number): number =>
    left + ((s - xMin) / (xMax - xMin === 0 ? 1 : xMax - xMin)) * (width - left - right)
  const y = (v: number): number => top + ((yMax - v) / (yMax - yMin)) * (height - top - bottom)
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="mean move by horizon">`,
  )
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`)
  // Axes, zero line and the event time.
  parts.push(
    `<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" stroke="#999" stroke-dasharray="4 3"/>`,
  )
  parts.push(
    `<line x1="${x(0)}" y1="${top}" x2="${x(0)}" y2="${height - bottom}" stroke="#999" stroke-dasharray="4 3"/>`,
  )
  parts.push(
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/>`,
  )
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#333"/>`)
  for (const k of offsets) {
    parts.push(
      `<text x="${x(k)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${k}</text>`,
    )
  }
  parts.push(
    `<text x="${(left + width - right) / 2}" y="${height - 12}" font-size="12" text-anchor="middle">seconds from the logged event time</text>`,
  )
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(3)}</text>`,
    )
  }
  parts.push(
    `<text x="14" y="${(top + height - bottom) / 2}" font-size="12" text-anchor="middle" ` +
      `transform="rotate(-90 14 ${(top + height - bottom) / 2})">mean move (price)</text>`,
  )
  result.byType.forEach((t, i) => {
    const colour = COLOURS[i % COLOURS.length] as string
    const points: [number, number][] = [[0, 0]]
    for (const h of t.horizons) if (h.meanMove !== null) points.push([h.offsetS, h.meanMove])
    points.sort((a, b) => a[0] - b[0])
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points
        .map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ')}"/>`,
    )
    for (const h of t.horizons) {
      if (h.meanCi.low !== null && h.meanCi.high !== null) {
        const cx = x(h.offsetS).toFixed(1)
        parts.push(
          `<line x1="${cx}" y1="${y(h.meanCi.low).toFixed(1)}" x2="${cx}" y2="${y(h.meanCi.high).toFixed(1)}" stroke="${colour}" stroke-width="1.5"/>`,
        )
      }
    }
    for (const [s, v] of points) {
      parts.push(
        `<circle cx="${x(s).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${colour}"/>`,
      )
    }
    parts.push(
      `<text x="${left + 10}" y="${top + 14 + 16 * i}" font-size="12" fill="${colour}">` +
        `${escapeHtml(t.type)} (n = ${t.measured}, ${t.clusters} match${t.clusters === 1 ? '' : 'es'})</text>`,
    )
  })
  parts.push('</svg>')
  return parts.join('\n')
}

/** A self-contained HTML page: the plot, the table per type and the events. */
export function studyHtml(result: StudyResult): string {
  const level = `${Math.round(result.level * 100)} %`
  const rows = result.byType
    .map((t) =>
      t.horizons
        .map(
          (h) =>
            `<tr><td>${escapeHtml(t.type)}</td><td>${offsetLabel(h.offsetS)}</td><td>${h.n}</td>` +
            `<td>${move(h.meanMove)}</td><td>${interval(h.meanCi)}</td><td>${move(h.medianMove)}</td>` +
            `<td>${interval(h.medianCi)}</td><td>${pct(h.hitRate)} (${h.hits}/${h.n})</td>` +
            `<td>${escapeHtml(h.meanCi.reason ?? '')}</td></tr>`,
        )
        .join('\n'),
    )
    .join('\n')
  const eventRows = result.impacts
    .map((impact) => {
      const e = impact.event
      const cells =
        impact.samples.length === 0
          ? `<td colspan="${result.offsetsS.length}">${escapeHtml(impact.status)}</td>`
          : impact.samples
              .map(
                (s) =>
                  `<td title="${escapeHtml(s.status)}">${s.mid === null ? '–' : s.mid.toFixed(4)}</td>`,
              )
              .join('')
      return (
        `<tr><td>${escapeHtml(iso(e.ts) ?? '')}</td><td>${escapeHtml(e.type)}</td>` +
        `<td>${escapeHtml(e.team ?? '')}</td><td class="id">${escapeHtml(e.assetId ?? '(none)')}</td>${cells}</tr>`
      )
    })
    .join('\n')
  const notes = result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tiltmeter event study</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f3f3f3; }
td.id { font-family: monospace; font-size: 11px; max-width: 16em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
p.small { font-size: 12px; color: #555; }
</style>
</head>
<body>
<h1>Event study</h1>
<p class="small">${result.impacts.length} event(s) from ${escapeHtml(result.eventsSource)}; data
${escapeHtml(iso(result.dataFirstTs) ?? '–')} to ${escapeHtml(iso(result.dataLastTs) ?? '–')}
(${result.inputs.map(escapeHtml).join(', ')}). Move = mid(k) − mid(0) in price units; mid(0) is
the last mid strictly before the logged event time. ${level} confidence intervals: bootstrap
clustered by match, ${result.resamples} resamples, seed ${result.seed}. Hit = moved the event's
way between the two sample times.</p>
${studySvg(result)}
<h2>By event type</h2>
<table>
<tr><th>type</th><th>horizon</th><th>n</th><th>mean move</th><th>CI (mean)</th><th>median move</th><th>CI (median)</th><th>hit rate</th><th>why no CI</th></tr>
${rows}
</table>
<h2>Events (mid at each offset)</h2>
<table>
<tr><th>time (UTC)</th><th>type</th><th>team</th><th>asset</th>${result.offsetsS.map((k) => `<th>${offsetLabel(k)}</th>`).join('')}</tr>
${eventRows}
</table>
${notes.length > 0 ? `<h2>Notes</h2>\n<ul>\n${notes}\n</ul>` : ''}
</body>
</html>
`
}
