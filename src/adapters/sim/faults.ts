/**
 * Fault injection for the simulator (`tiltmeter sim --faults <spec>`). Faults distort only what
 * is delivered: the scenario's true books never see them.
 *
 * Market WebSocket faults are drawn once per scenario event frame delivered to one connection
 * (rate = probability per delivered frame); at most one fault hits a frame, tried in the order
 * of {@link WS_FAULTS}. HTTP faults are drawn once per request, in the order of
 * {@link HTTP_FAULTS}. Both streams are seeded from the simulator's seed.
 *
 * - `disconnect`: the socket is terminated instead of sending the frame.
 * - `silence`: nothing more (not even `PONG`) is sent on that connection for `silenceMs`; the
 *   socket stays open.
 * - `gap`: a `price_change` frame is dropped for that connection only.
 * - `mismatch`: one `price_changes[]` entry gets a `best_bid` that disagrees with the book.
 * - `malformed`: the frame's text is cut in half (invalid JSON).
 * - `ticksize`: a `tick_size_change` for one of the frame's assets is sent first (old and new
 *   are both the asset's current tick, so the true book is unchanged while the client starts a
 *   new book epoch and has to resubscribe for a fresh snapshot).
 * - `duplicate`: the frame is sent twice.
 * - `reorder`: the frame is held and sent after the next frame on that connection.
 * - `http429` (with `Retry-After`), `http500`, `http503`, `http425`: the request is answered
 *   with that status instead of the route's reply; `slow`: the reply is delayed by `slowMs`.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { Rng } from './rng.js'

export const WS_FAULTS = [
  'disconnect',
  'silence',
  'gap',
  'mismatch',
  'malformed',
  'ticksize',
  'duplicate',
  'reorder',
] as const
export const HTTP_FAULTS = ['http429', 'http500', 'http503', 'http425', 'slow'] as const
export const FAULT_NAMES = [...WS_FAULTS, ...HTTP_FAULTS] as const

export type WsFaultName = (typeof WS_FAULTS)[number]
export type HttpFaultName = (typeof HTTP_FAULTS)[number]
export type FaultName = WsFaultName | HttpFaultName

/** Rate per fault, each in [0, 1]; missing faults never fire. */
export type FaultSpec = Readonly<Partial<Record<FaultName, number>>>

export type FaultStats = Record<FaultName, number>

export class FaultSpecError extends Error {
  readonly code = 'FAULT_SPEC_INVALID'
}

const KNOWN = new Set<string>(FAULT_NAMES)

/** Parses `name=rate,name=rate`; throws {@link FaultSpecError} naming the bad part. */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: Partial<Record<FaultName, number>> = {}
  if (text.trim() === '') {
    throw new FaultSpecError(
      'fault spec is empty: use name=rate pairs separated by commas, e.g. gap=0.01,http429=0.05',
    )
  }
  for (const part of text.split(',')) {
    const item = part.trim()
    const eq = item.indexOf('=')
    if (eq < 0) {
      throw new FaultSpecError(`fault "${item}" has no rate: write it as name=rate, e.g. gap=0.01`)
    }
    const name = item.slice(0, eq).trim()
    const rateText = item.slice(eq + 1).trim()
    if (!KNOWN.has(name)) {
      throw new FaultSpecError(
        `unknown fault "${name}": known faults are ${FAULT_NAMES.join(', ')}`,
      )
    }
    const rate = Number(rateText)
    if (rateText === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new FaultSpecError(
        `rate of fault "${name}" is "${rateText}": use a probability from 0 to 1`,
      )
    }
    if (name in spec) throw new FaultSpecError(`fault "${name}" is given twice`)
    spec[name as FaultName] = rate
  }
  return spec
}

/** One line of the fault log. `conn` is the WebSocket connection number (1, 2, …), 0 for HTTP. */
export type FaultEvent = {
  readonly ts: number
  readonly type: FaultName
  readonly conn: number
  readonly asset_id?: string
  readonly path?: string
}

export type FaultInjectorOptions = {
  readonly spec: FaultSpec
  readonly seed: number
  /** How long a `silence` lasts (default 5000 ms). */
  readonly silenceMs?: number
  /** How long a `slow` reply is delayed (default 2000 ms). */
  readonly slowMs?: number
  /** `Retry-After` seconds on a 429 (default 1). */
  readonly retryAfterS?: number
  /** NDJSON fault log (truncated at start). */
  readonly logPath?: string
  /** Wall clock for log timestamps and silence windows; default `Date.now`. */
  readonly now?: () => number
}

/** What a connection can do with the injector's decisions. */
export type WsWire = {
  send(text: string): void
  terminate(): void
}

/** The kind of an outgoing text: only scenario `event` frames take faults besides silence. */
export type WsTextKind = 'event' | 'dump' | 'tops' | 'pong'

export type HttpFault =
  | { readonly kind: 'status'; readonly status: number; readonly headers: Record<string, string> }
  | { readonly kind: 'slow'; readonly delayMs: number }

type ConnState = { silentUntil: number; held: string | null }

const STATUS: Record<Exclude<HttpFaultName, 'slow'>, number> = {
  http429: 429,
  http500: 500,
  http503: 503,
  http425: 425,
}

export class FaultInjector {
  private readonly _spec: FaultSpec
  private readonly _wsRng: Rng
  private readonly _httpRng: Rng
  private readonly _stats: FaultStats
  private readonly _conns = new Map<number, ConnState>()
  private readonly _now: () => number
  private readonly _logPath: string | undefined
  readonly silenceMs: number
  readonly slowMs: number
  readonly retryAfterS: number

  constructor(options: FaultInjectorOptions) {
    this._spec = options.spec
    this._wsRng = new Rng((options.seed ^ 0x5eedfa17) >>> 0)
    this._httpRng = new Rng((options.seed ^ 0x0a77e5e1) >>> 0)
    this._now = options.now ?? Date.now
    this._logPath = options.logPath
    this.silenceMs = options.silenceMs ?? 5000
    this.slowMs = options.slowMs ?? 2000
    this.retryAfterS = options.retryAfterS ?? 1
    this._stats = Object.fromEntries(FAULT_NAMES.map((n) => [n, 0])) as FaultStats
    if (this._logPath !== undefined) writeFileSync(this._logPath, '')
  }

  /** Faults injected so far, per type (a copy). */
  stats(): FaultStats {
    return { ...this._stats }
  }

  /** Forgets a closed connection's state (held frame, silence). */
  forget(conn: number): void {
    this._conns.delete(conn)
  }

  /**
   * Delivers one outgoing text on connection `conn` through `wire`, injecting at most one
   * fault. `assetIds` are the frame's assets, `tickSizeOf` gives an asset's current tick text.
   */
  deliver(
    conn: number,
    kind: WsTextKind,
    text: string,
    assetIds: readonly string[],
    wire: WsWire,
    tickSizeOf: (assetId: string) => string | undefined,
  ): void {
    let state = this._conns.get(conn)
    if (state === undefined) {
      state = { silentUntil: 0, held: null }
      this._conns.set(conn, state)
    }
    if (this._now() < state.silentUntil) return
    if (kind !== 'event') {
      wire.send(text)
      return
    }
    const held = state.held
    if (held !== null) {
      // The previous frame was held back: this one goes first, then the held one.
      state.held = null
      wire.send(text)
      wire.send(held)
      return
    }
    const fault = this._drawWs(text)
    const asset = assetIds[0]
    switch (fault) {
      case null:
        wire.send(text)
        return
      case 'disconnect':
        this._record('disconnect', conn, asset)
        wire.terminate()
        return
      case 'silence':
        this._record('silence', conn, asset)
        state.silentUntil = this._now() + this.silenceMs
        return
      case 'gap':
        this._record('gap', conn, asset)
        return
      case 'mismatch': {
        const altered = alterBestBid(text)
        if (altered === null) break
        this._record('mismatch', conn, altered.assetId)
        wire.send(altered.text)
        return
      }
      case 'malformed':
        this._record('malformed', conn, asset)
        wire.send(text.slice(0, Math.max(1, Math.floor(text.length / 2))))
        return
      case 'ticksize': {
        const tick = asset === undefined ? undefined : tickSizeOf(asset)
        if (asset === undefined || tick === undefined) break
        this._record('ticksize', conn, asset)
        wire.send(tickSizeChangeText(text, asset, tick))
        wire.send(text)
        return
      }
      case 'duplicate':
        this._record('duplicate', conn, asset)
        wire.send(text)
        wire.send(text)
        return
      case 'reorder':
        this._record('reorder', conn, asset)
        state.held = text
        return
    }
    wire.send(text)
  }

  /** The HTTP fault for one request on `path`, or null to answer normally. */
  http(path: string): HttpFault | null {
    for (const name of HTTP_FAULTS) {
      const rate = this._spec[name]
      if (rate === undefined || rate === 0) continue
      if (!this._httpRng.chance(rate)) continue
      this._record(name, 0, undefined, path)
      if (name === 'slow') return { kind: 'slow', delayMs: this.slowMs }
      const headers: Record<string, string> =
        name === 'http429' ? { 'retry-after': String(this.retryAfterS) } : {}
      return { kind: 'status', status: STATUS[name], headers }
    }
    return null
  }

  private _drawWs(text: string): WsFaultName | null {
    const isDelta = text.includes('"price_change"')
    for (const name of WS_FAULTS) {
      const rate = this._spec[name]
      if (rate === undefined || rate === 0) continue
      if ((name === 'gap' || name === 'mismatch') && !isDelta) continue
      if (this._wsRng.chance(rate)) return name
    }
    return null
  }

  private _record(type: FaultName, conn: number, assetId?: string, path?: string): void {
    this._stats[type]++
    if (this._logPath === undefined) return
    const event: FaultEvent = {
      ts: this._now(),
      type,
      conn,
      ...(assetId === undefined ? {} : { asset_id: assetId }),
      ...(path === undefined ? {} : { path }),
    }
    appendFileSync(this._logPath, `${JSON.stringify(event)}\n`)
  }
}

type PriceChangeEvent = {
  event_type?: unknown
  price_changes?: { asset_id?: unknown; best_bid?: unknown }[]
}

/**
 * The frame with the first `price_changes[]` entry's `best_bid` moved one cent away from the
 * book's (down when above 0.5, up otherwise), or null when the frame has no such entry.
 */
export function alterBestBid(text: string): { text: string; assetId: string } | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const events = (Array.isArray(value) ? value : [value]) as PriceChangeEvent[]
  for (const event of events) {
    if (event === null || typeof event !== 'object' || event.event_type !== 'price_change') continue
    const entry = event.price_changes?.[0]
    if (entry === undefined || typeof entry.best_bid !== 'string') continue
    if (typeof entry.asset_id !== 'string') continue
    const bid = Number(entry.best_bid)
    if (!Number.isFinite(bid)) continue
    const moved = bid > 0.5 ? bid - 0.01 : bid + 0.01
    entry.best_bid = moved.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')
    return { text: JSON.stringify(value), assetId: entry.asset_id }
  }
  return null
}

/** A venue-shaped `tick_size_change` for `assetId`, taking `market`/`timestamp` from the frame. */
function tickSizeChangeText(frameText: string, assetId: string, tick: string): string {
  let market = ''
  let timestamp = ''
  try {
    const value = JSON.parse(frameText) as unknown
    const first = (Array.isArray(value) ? value[0] : value) as
      { market?: unknown; timestamp?: unknown } | null | undefined
    if (typeof first?.market === 'string') market = first.market
    if (typeof first?.timestamp === 'string') timestamp = first.timestamp
  } catch {
    // a frame that is not JSON still gets a change event, without market and timestamp
  }
  return JSON.stringify({
    event_type: 'tick_size_change',
    asset_id: assetId,
    market,
    old_tick_size: tick,
    new_tick_size: tick,
    timestamp,
  })
}
