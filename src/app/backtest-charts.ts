/**
 * Inline SVG charts of the backtest report (dark theme, no external assets): a time-axis line
 * chart used for the equity curve, the drawdown and the price of a token with trade markers.
 */

export const THEME = {
  background: '#14171c',
  panel: '#1c2028',
  grid: '#2c323d',
  axis: '#8a93a3',
  text: '#d6dbe3',
  muted: '#8a93a3',
  line: '#5aa9ff',
  equity: '#5aa9ff',
  drawdown: '#ff6b6b',
  win: '#3ddc84',
  loss: '#ff6b6b',
  flat: '#c0c6d0',
  reference: '#6b7485',
} as const

export type Series = {
  readonly points: readonly (readonly [number, number])[]
  readonly colour: string
  /** Draw as a step line (value holds until the next point). */
  readonly step?: boolean
  /** Fill between the line and y = 0. */
  readonly fillToZero?: boolean
  readonly width?: number
}

export type Marker = {
  readonly ts: number
  readonly value: number
  readonly shape: 'up' | 'down' | 'circle'
  readonly colour: string
  readonly title: string
}

export type Segment = {
  readonly from: readonly [number, number]
  readonly to: readonly [number, number]
  readonly colour: string
}

export type ChartSpec = {
  readonly label: string
  readonly yLabel: string
  readonly series: readonly Series[]
  readonly markers?: readonly Marker[]
  readonly segments?: readonly Segment[]
  /** Horizontal dashed reference line. */
  readonly reference?: number
  readonly formatY: (value: number) => string
  readonly width?: number
  readonly height?: number
  /** Keep these values inside the y range (e.g. 0 for the drawdown). */
  readonly includeY?: readonly number[]
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

function two(n: number): string {
  return String(n).padStart(2, '0')
}

/** A UTC time label sized to the span shown. */
export function timeLabel(ts: number, spanMs: number): string {
  const d = new Date(ts)
  const date = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`
  if (spanMs > 4 * 86_400_000) return date
  if (spanMs > 12 * 3_600_000) return `${date.slice(5)} ${time}`
  return spanMs > 600_000 ? time : `${time}:${two(d.getUTCSeconds())}`
}

/** About `count` round values (1, 2 or 5 × 10^k apart) inside [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const raw = (max - min) / Math.max(1, count - 1)
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw) ?? 10 * power
  const ticks: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v)
  }
  return ticks
}

const TIME_STEPS_MS = [
  60_000,
  300_000,
  900_000,
  1_800_000,
  3_600_000,
  7_200_000,
  10_800_000,
  21_600_000,
  43_200_000,
  86_400_000,
  2 * 86_400_000,
  7 * 86_400_000,
  14 * 86_400_000,
  30 * 86_400_000,
]

/** Round UTC times (whole minutes, hours or days) inside [min, max], at most about seven. */
export function timeTicks(min: number, max: number): number[] {
  const step = TIME_STEPS_MS.find((s) => (max - min) / s <= 6) ?? 30 * 86_400_000
  const ticks: number[] = []
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t)
  return ticks
}

function f1(n: number): string {
  return n.toFixed(1)
}

/** A line chart against UTC time. Returns an `<svg>` element. */
export function timeChartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 900
  const height = spec.height ?? 260
  const left = 78
  const right = 16
  const top = 28
  const bottom = 34
  const xs: number[] = []
  const ys: number[] = [...(spec.includeY ?? [])]
  for (const s of spec.series)
    for (const [x, y] of s.points) {
      xs.push(x)
      ys.push(y)
    }
  for (const m of spec.markers ?? []) {
    xs.push(m.ts)
    ys.push(m.value)
  }
  if (spec.reference !== undefined) ys.push(spec.reference)
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(spec.label)}">`,
  )
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="${THEME.panel}"/>`)
  parts.push(
    `<text x="${left}" y="18" font-size="13" fill="${THEME.text}">${escapeHtml(spec.label)}</text>`,
  )
  if (xs.length === 0) {
    parts.push(
      `<text x="${width / 2}" y="${height / 2}" font-size="13" fill="${THEME.muted}" text-anchor="middle">no data to plot</text>`,
    )
    parts.push('</svg>')
    return parts.join('\n')
  }
  let xMin = Math.min(...xs)
  let xMax = Math.max(...xs)
  if (xMax === xMin) {
    xMin -= 60_000
    xMax += 60_000
  }
  let yMin = Math.min(...ys)
  let yMax = Math.max(...ys)
  if (yMax - yMin < 1e-9) {
    const pad = Math.abs(yMax) > 0 ? Math.abs(yMax) * 0.05 : 1
    yMin -= pad
    yMax += pad
  }
  const padY = (yMax - yMin) * 0.06
  yMin -= padY
  yMax += padY
  const plotW = width - left - right
  const plotH = height - top - bottom
  const x = (t: number): number => left + ((t - xMin) / (xMax - xMin)) * plotW
  const y = (v: number): number => top + ((yMax - v) / (yMax - yMin)) * plotH
  // Grid and axis labels at round values.
  for (const v of niceTicks(yMin, yMax, 5)) {
    parts.push(
      `<line x1="${left}" y1="${f1(y(v))}" x2="${width - right}" y2="${f1(y(v))}" stroke="${THEME.grid}"/>`,
    )
    parts.push(
      `<text x="${left - 6}" y="${f1(y(v) + 4)}" font-size="11" fill="${THEME.axis}" text-anchor="end">${escapeHtml(spec.formatY(v))}</text>`,
    )
  }
  // Labels near either end are anchored inwards so they are not cut off.
  const anchorAt = (px: number): string =>
    px < left + 30 ? 'start' : px > width - right - 30 ? 'end' : 'middle'
  for (const t of timeTicks(xMin, xMax)) {
    parts.push(
      `<line x1="${f1(x(t))}" y1="${top}" x2="${f1(x(t))}" y2="${top + plotH}" stroke="${THEME.grid}" stroke-opacity="0.5"/>`,
    )
    parts.push(
      `<text x="${f1(x(t))}" y="${height - bottom + 16}" font-size="11" fill="${THEME.axis}" text-anchor="${anchorAt(x(t))}">${timeLabel(t, xMax - xMin)}</text>`,
    )
  }
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="${THEME.axis}"/>`,
  )
  parts.push(
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="${THEME.axis}"/>`,
  )
  parts.push(
    `<text x="14" y="${top + plotH / 2}" font-size="11" fill="${THEME.axis}" text-anchor="middle" ` +
      `transform="rotate(-90 14 ${top + plotH / 2})">${escapeHtml(spec.yLabel)}</text>`,
  )
  parts.push(
    `<text x="${width - right}" y="${height - 4}" font-size="10" fill="${THEME.muted}" text-anchor="end">time (UTC)</text>`,
  )
  if (spec.reference !== undefined) {
    const ry = f1(y(spec.reference))
    parts.push(
      `<line x1="${left}" y1="${ry}" x2="${width - right}" y2="${ry}" stroke="${THEME.reference}" stroke-dasharray="5 4"/>`,
    )
  }
  for (const s of spec.series) {
    const pts: [number, number][] = []
    s.points.forEach(([t, v], i) => {
      if (s.step === true && i > 0) pts.push([t, (s.points[i - 1] as readonly [number, number])[1]])
      pts.push([t, v])
    })
    const path = pts.map(([t, v]) => `${f1(x(t))},${f1(y(v))}`).join(' ')
    if (s.fillToZero === true && pts.length > 0) {
      const first = pts[0] as [number, number]
      const last = pts[pts.length - 1] as [number, number]
      parts.push(
        `<polygon points="${f1(x(first[0]))},${f1(y(0))} ${path} ${f1(x(last[0]))},${f1(y(0))}" fill="${s.colour}" fill-opacity="0.25" stroke="none"/>`,
      )
    }
    parts.push(
      `<polyline fill="none" stroke="${s.colour}" stroke-width="${s.width ?? 1.6}" points="${path}"/>`,
    )
  }
  for (const seg of spec.segments ?? []) {
    parts.push(
      `<line x1="${f1(x(seg.from[0]))}" y1="${f1(y(seg.from[1]))}" x2="${f1(x(seg.to[0]))}" y2="${f1(y(seg.to[1]))}" stroke="${seg.colour}" stroke-width="1.2" stroke-dasharray="3 2"/>`,
    )
  }
  for (const m of spec.markers ?? []) {
    const cx = x(m.ts)
    const cy = y(m.value)
    const title = `<title>${escapeHtml(m.title)}</title>`
    if (m.shape === 'circle') {
      parts.push(
        `<circle class="marker" cx="${f1(cx)}" cy="${f1(cy)}" r="4" fill="${THEME.panel}" stroke="${m.colour}" stroke-width="2">${title}</circle>`,
      )
    } else {
      const d = m.shape === 'up' ? 1 : -1
      parts.push(
        `<polygon class="marker" points="${f1(cx)},${f1(cy - 6 * d)} ${f1(cx - 5)},${f1(cy + 4 * d)} ${f1(cx + 5)},${f1(cy + 4 * d)}" fill="${m.colour}">${title}</polygon>`,
      )
    }
  }
  parts.push('</svg>')
  return parts.join('\n')
}
