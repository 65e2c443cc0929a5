/**
 * The price chart (lightweight-charts 5): mid, best bid and best ask of the charted token,
 * traded volume per bar underneath, markers for signals, game events and own fills, and a
 * cursor at the current market time. Hover shows the values and the marker under the mouse;
 * clicking a marker seeks there. Zoom and pan are the library's (wheel, drag).
 *
 * Cheap at 20× playback: the series are set once per new series (live: at most once a second),
 * markers when signals, events or fills change, and the cursor moves by CSS once per frame.
 */
import {
  ColorType,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Logical,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts'
import { useEffect, useMemo, useRef, useState } from 'react'
import { useDashboardField } from '../state/use-select.js'
import type { DashboardStoreImpl } from '../state/store-impl.js'
import { marketClock, videoClock } from '../state/time-text.js'
import { buildFrame, logicalAt, type ChartFrame } from './chart-data.js'
import { buildMarkers, countByKind, nearestMarker, type ChartMarker } from './markers.js'

const LIVE_REDRAW_MS = 1000
const HOVER_PX = 10

interface Parts {
  chart: IChartApi
  mid: ISeriesApi<'Line'>
  bid: ISeriesApi<'Line'>
  ask: ISeriesApi<'Line'>
  volume: ISeriesApi<'Histogram'>
  markers: ISeriesMarkersPluginApi<Time>
}

interface Tip {
  x: number
  y: number
  /** Shown left of the mouse (right half of the chart). */
  flip: boolean
  lines: string[]
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return value === '' ? fallback : value
}

function makeChart(element: HTMLElement): Parts {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 14
  const chart = createChart(element, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: cssVar('--panel', '#131821') },
      textColor: cssVar('--muted', '#7d8799'),
      fontSize: Math.round(rem * 0.8),
      attributionLogo: false,
    },
    grid: {
      vertLines: { color: 'rgba(255,255,255,0.04)' },
      horzLines: { color: 'rgba(255,255,255,0.04)' },
    },
    rightPriceScale: { borderColor: cssVar('--line', '#253042') },
    timeScale: {
      borderColor: cssVar('--line', '#253042'),
      timeVisible: true,
      secondsVisible: true,
      rightOffset: 4,
      lockVisibleTimeRangeOnResize: true,
      // Up to 4,000 bars fit in a narrow chart when zoomed out entirely.
      minBarSpacing: 0.05,
    },
    crosshair: { vertLine: { labelVisible: true }, horzLine: { labelVisible: true } },
  })
  const priceFormat = { type: 'price' as const, precision: 3, minMove: 0.001 }
  const line = { priceFormat, lastValueVisible: false, priceLineVisible: false }
  const ask = chart.addSeries(LineSeries, {
    ...line,
    color: 'rgba(240, 82, 79, 0.75)',
    lineWidth: 1,
    lineStyle: LineStyle.Solid,
    title: 'ask',
  })
  const bid = chart.addSeries(LineSeries, {
    ...line,
    color: 'rgba(47, 191, 113, 0.75)',
    lineWidth: 1,
    title: 'bid',
  })
  const mid = chart.addSeries(LineSeries, {
    ...line,
    color: '#d7dde8',
    lineWidth: 2,
    lastValueVisible: true,
    title: 'mid',
  })
  // Volume in a pane of its own under the prices (the price scale keeps to real prices).
  const volume = chart.addSeries(
    HistogramSeries,
    { priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false },
    1,
  )
  chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.1, bottom: 0.05 } })
  const [pricePane, volumePane] = chart.panes()
  pricePane?.setStretchFactor(0.8)
  volumePane?.setStretchFactor(0.2)
  const markers = createSeriesMarkers(mid, [], { zOrder: 'top' })
  return { chart, mid, bid, ask, volume, markers }
}

function asTime(seconds: number): UTCTimestamp {
  return seconds as UTCTimestamp
}

function setFrame(parts: Parts, frame: ChartFrame): void {
  parts.mid.setData(frame.mid.map((p) => ({ ...p, time: asTime(p.time) })))
  parts.bid.setData(frame.bid.map((p) => ({ ...p, time: asTime(p.time) })))
  parts.ask.setData(frame.ask.map((p) => ({ ...p, time: asTime(p.time) })))
  parts.volume.setData(frame.volume.map((p) => ({ ...p, time: asTime(p.time) })))
}

/** X of a fractional bar index: interpolated between the two whole bars around it. */
function coordinateOf(chart: IChartApi, logical: number): number | null {
  const scale = chart.timeScale()
  const whole = Math.floor(logical)
  const a = scale.logicalToCoordinate(whole as Logical)
  const b = scale.logicalToCoordinate((whole + 1) as Logical)
  if (a === null || !Number.isFinite(a)) return null
  if (b === null || !Number.isFinite(b)) return a
  return a + (b - a) * (logical - whole)
}

function pxPerBar(chart: IChartApi, at: number): number {
  const scale = chart.timeScale()
  const a = scale.logicalToCoordinate(at as Logical)
  const b = scale.logicalToCoordinate((at + 1) as Logical)
  return a === null || b === null ? 6 : Math.max(0.5, b - a)
}

export function PriceChart({ store }: { store: DashboardStoreImpl }) {
  const hostRef = useRef<HTMLDivElement | null>(null)
  const cursorRef = useRef<HTMLDivElement | null>(null)
  const dotRef = useRef<HTMLDivElement | null>(null)
  const partsRef = useRef<Parts | null>(null)
  const frameRef = useRef<ChartFrame>(buildFrame([], []))
  const markersRef = useRef<ChartMarker[]>([])
  const [frameVersion, setFrameVersion] = useState(0)
  const [tip, setTip] = useState<Tip | null>(null)
  const signals = useDashboardField('signals')
  const events = useDashboardField('events')
  const fills = useDashboardField('fills')
  const token = useDashboardField('token')
  const mode = useDashboardField('mode')
  const problem = useDashboardField('problem')

  // The chart, its series, hover and click.
  useEffect(() => {
    const host = hostRef.current
    if (host === null) return
    const parts = makeChart(host)
    partsRef.current = parts
    const { chart } = parts

    const onMove = (param: MouseEventParams<Time>): void => {
      if (param.point === undefined || param.logical === undefined) {
        setTip(null)
        return
      }
      const frame = frameRef.current
      const logical = chart.timeScale().coordinateToLogical(param.point.x) ?? param.logical
      const bar = Math.max(0, Math.min(frame.times.length - 1, Math.round(logical)))
      const second = frame.times[bar]
      if (second === undefined) {
        setTip(null)
        return
      }
      const s = store.get()
      const lines = [`${marketClock(second * 1000, false)} UTC`]
      if (s.offsetMs !== null) lines[0] += ` · video ${videoClock(second * 1000 - s.offsetMs)}`
      const value = (series: readonly { time: number; value?: number }[]): string => {
        const v = series[bar]?.value
        return v === undefined ? '—' : v.toFixed(3)
      }
      lines.push(`bid ${value(frame.bid)} · mid ${value(frame.mid)} · ask ${value(frame.ask)}`)
      const vol = frame.volume.find((v) => v.time === second)
      if (vol !== undefined) lines.push(`traded ${vol.value.toFixed(0)} shares`)
      const marker = nearestMarker(markersRef.current, logical, pxPerBar(chart, logical), HOVER_PX)
      if (marker !== null) {
        lines.push(`${marker.label} @ ${marketClock(marker.ts)}`, 'click to jump here')
      }
      setTip({
        x: param.point.x,
        y: param.point.y,
        flip: param.point.x > host.clientWidth / 2,
        lines,
      })
    }
    const onClick = (param: MouseEventParams<Time>): void => {
      if (param.point === undefined) return
      const byId =
        typeof param.hoveredObjectId === 'string'
          ? markersRef.current.find((m) => m.id === param.hoveredObjectId)
          : undefined
      const logical = chart.timeScale().coordinateToLogical(param.point.x)
      const marker =
        byId ??
        (logical === null
          ? null
          : nearestMarker(markersRef.current, logical, pxPerBar(chart, logical), HOVER_PX))
      if (marker !== null && marker !== undefined) store.seek(marker.ts)
    }
    chart.subscribeCrosshairMove(onMove)
    chart.subscribeClick(onClick)
    return () => {
      chart.unsubscribeCrosshairMove(onMove)
      chart.unsubscribeClick(onClick)
      chart.remove()
      partsRef.current = null
    }
  }, [store])

  // The series: whole on reset; live appends redrawn at most once a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    const redraw = (fit: boolean): void => {
      const parts = partsRef.current
      if (parts === null) return
      const scale = parts.chart.timeScale()
      const range = scale.getVisibleLogicalRange()
      const before = frameRef.current.times.length
      const frame = buildFrame(store.points, store.trades)
      frameRef.current = frame
      setFrame(parts, frame)
      if (fit) {
        scale.fitContent()
      } else if (range !== null) {
        // Watching the newest bars (live): move along with them, else stay where the user looks.
        const added = range.to >= before - 1.5 ? frame.times.length - before : 0
        scale.setVisibleLogicalRange({ from: range.from + added, to: range.to + added })
      }
      setFrameVersion((v) => v + 1)
    }
    redraw(true)
    const off = store.subscribeSeries((change) => {
      if (change === 'reset') {
        if (timer !== null) clearTimeout(timer)
        timer = null
        redraw(true)
        return
      }
      if (timer !== null) return
      timer = setTimeout(() => {
        timer = null
        redraw(frameRef.current.times.length < 3)
      }, LIVE_REDRAW_MS)
    })
    return () => {
      off()
      if (timer !== null) clearTimeout(timer)
    }
  }, [store])

  // Markers.
  const markers = useMemo(() => {
    void frameVersion
    return buildMarkers({ times: frameRef.current.times, token, signals, events, fills })
  }, [frameVersion, token, signals, events, fills])
  useEffect(() => {
    markersRef.current = markers
    partsRef.current?.markers.setMarkers(
      markers.map((m) => ({
        id: m.id,
        time: asTime(m.time),
        position: m.position,
        shape: m.shape,
        color: m.color,
        text: m.text,
      })),
    )
  }, [markers])

  // The cursor at the current market time, moved at most once a frame.
  useEffect(() => {
    const parts = partsRef.current
    if (parts === null) return
    let pending = false
    let lastSeekSeq = store.get().seekSeq
    const draw = (): void => {
      pending = false
      const cursor = cursorRef.current
      const dot = dotRef.current
      const s = store.get()
      const jumped = s.seekSeq !== lastSeekSeq
      lastSeekSeq = s.seekSeq
      const frame = frameRef.current
      const logical = s.t === null ? null : logicalAt(frame.times, s.t)
      const scale = parts.chart.timeScale()
      if (cursor === null || dot === null) return
      if (logical === null || s.mode === 'live') {
        cursor.style.display = 'none'
        dot.style.display = 'none'
        return
      }
      // Keep the cursor in view while playing, and after a jump.
      const range = scale.getVisibleLogicalRange()
      if (range !== null) {
        const width = range.to - range.from
        const outside = logical < range.from || logical > range.to
        if ((s.playing && logical > range.to - width * 0.05) || (jumped && outside)) {
          const from = s.playing ? logical - width * 0.15 : logical - width / 2
          scale.setVisibleLogicalRange({ from, to: from + width })
        }
      }
      const x = coordinateOf(parts.chart, logical)
      if (x === null) {
        cursor.style.display = 'none'
        dot.style.display = 'none'
        return
      }
      cursor.style.display = 'block'
      cursor.style.transform = `translateX(${Math.round(x)}px)`
      const mid = store.midAt(s.t!)
      const y = mid === null ? null : parts.mid.priceToCoordinate(mid / 10_000)
      if (y === null) {
        dot.style.display = 'none'
      } else {
        dot.style.display = 'block'
        dot.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`
      }
    }
    const schedule = (): void => {
      if (pending) return
      pending = true
      requestAnimationFrame(draw)
    }
    const offStore = store.subscribe(schedule)
    const offSeries = store.subscribeSeries(schedule)
    parts.chart.timeScale().subscribeVisibleLogicalRangeChange(schedule)
    parts.chart.timeScale().subscribeSizeChange(schedule)
    schedule()
    return () => {
      offStore()
      offSeries()
      parts.chart.timeScale().unsubscribeVisibleLogicalRangeChange(schedule)
      parts.chart.timeScale().unsubscribeSizeChange(schedule)
    }
  }, [store])

  const counts = countByKind(markers)
  const empty = frameRef.current.times.length === 0
  return (
    <section className="panel dash-chart" data-testid="dash-chart">
      <h2>
        Price
        <span className="muted">
          mid · bid · ask{mode === 'live' ? ' since this page opened' : ''}
        </span>
        <span className="dash-legend">
          <i className="lg-ps">▼ panic</i>
          <i className="lg-fb">▲ FOMO</i>
          <i className="lg-lv">● vacuum</i>
          <i className="lg-ev">■ event</i>
          <i className="lg-fill">▲▼ own fill</i>
        </span>
      </h2>
      <div className="dash-chart-host">
        <div className="dash-chart-canvas" ref={hostRef} />
        <div className="dash-cursor" ref={cursorRef} aria-hidden="true" />
        <div className="dash-cursor-dot" ref={dotRef} aria-hidden="true" />
        {empty && (
          <div className="dash-chart-empty">
            {problem !== null ? (
              <span>
                {problem} · <a href="/dashboard">choose another capture or market</a>
              </span>
            ) : mode === 'live' ? (
              'Waiting for the first book…'
            ) : (
              'Loading the price series…'
            )}
          </div>
        )}
        {tip !== null && (
          <div className={`dash-tip ${tip.flip ? 'flip' : ''}`} style={{ left: tip.x, top: tip.y }}>
            {tip.lines.map((line, i) => (
              <div key={i}>{line}</div>
            ))}
          </div>
        )}
      </div>
      <div
        hidden
        data-testid="dash-chart-markers"
        data-signals={counts.signal}
        data-events={counts.event}
        data-fills={counts.fill}
      />
    </section>
  )
}
