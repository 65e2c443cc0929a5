/**
 * Playback mode: drives the dashboard store and the ladders' book store from the playback
 * socket, and loads the capture's signals, events, series and the match's stream offset.
 *
 * Opening: `open` (progress while the capture is indexed) → `opened` (the capture's detail and
 * the tokens followed) → the match is the first followed token's market (or the `market` of
 * the address), the charted token the address's `token` or the first outcome → REST loads →
 * a seek to the address's `t` when given.
 */
import {
  CaptureEventsAnswer,
  CaptureSignalsAnswer,
  SeriesAnswer,
  type CaptureDetail,
  type PlaybackServerMessage,
} from '../../../../src/contracts/playback.js'
import type { MarketJson } from '../../../../src/contracts/api.js'
import { ApiError, getJson, query } from '../../api/http.js'
import type { LiveStore } from '../../state/live-store.js'
import { PlaybackSocket, playbackSocketUrl } from '../api/playback-socket.js'
import { eventFromCapture, signalFromCapture } from '../state/convert.js'
import {
  INITIAL_PLAYBACK,
  reducePlayback,
  seekSent,
  type PlaybackView,
} from '../state/playback-view.js'
import { seriesFromAnswer, seriesStepMs } from '../state/series.js'
import type { DashboardStoreImpl } from '../state/store-impl.js'
import { captureMarket, eventOfMatch } from './capture-match.js'
import { loadOffset } from './offset.js'
import { replaceBooks } from './book-feed.js'

export interface PlaybackTarget {
  readonly capture: string
  readonly t: number | null
  readonly market: string | null
  readonly token: string | null
}

export class PlaybackController {
  private _view: PlaybackView = INITIAL_PLAYBACK
  private readonly _socket: PlaybackSocket
  private _alive = true
  private _initialSeekDone = false
  /** Called when the match (market and outcomes) is known. */
  onMarket: ((market: MarketJson) => void) | null = null

  constructor(
    private readonly _store: DashboardStoreImpl,
    private readonly _books: LiveStore,
    private readonly _target: PlaybackTarget,
  ) {
    this._socket = new PlaybackSocket(playbackSocketUrl(window.location), {
      onMessages: (messages) => this._receive(messages),
      onState: (state, detail) =>
        this._store.update({
          connection: state,
          ...(state === 'reconnecting'
            ? { problem: `Playback socket ${detail ?? 'dropped'}` }
            : {}),
          ...(state === 'open' ? { problem: null } : {}),
        }),
      onReconnected: () => {
        const t = this._store.get().t
        this._open()
        if (t !== null) this._store.seek(t)
      },
    })
    _store.setTransport({
      seek: (t, seq) => {
        this._view = seekSent(this._view, seq, t)
        this._socket.send({ type: 'seek', t, seq })
      },
      // The view follows at once so messages already on their way do not flip the buttons back.
      play: (speed) => {
        this._view = { ...this._view, playing: true, speed }
        this._socket.send({ type: 'play', speed })
      },
      pause: () => {
        this._view = { ...this._view, playing: false }
        this._socket.send({ type: 'pause' })
      },
      speed: (speed) => {
        this._view = { ...this._view, speed }
      },
    })
  }

  start(): void {
    this._socket.start()
    this._open()
  }

  stop(): void {
    this._alive = false
    this._store.setTransport(null)
    this._socket.stop()
  }

  /** Charts another outcome of the match. */
  chartToken(token: string): void {
    this._store.update({ token })
    void this._loadSeries(token)
  }

  private _open(): void {
    const tokens = this._view.followed
    this._socket.send({
      type: 'open',
      capture: this._target.capture,
      ...(tokens.length > 0 ? { tokens: [...tokens] } : {}),
    })
  }

  private _receive(messages: readonly PlaybackServerMessage[]): void {
    for (const message of messages) {
      const step = reducePlayback(this._view, message)
      this._view = step.view
      if (message.type === 'opened') this._opened(message.capture, message.tokens)
      else if (message.type === 'state' && step.effect === 'replace') {
        replaceBooks(this._books, message.books, message.trades)
      } else if ((message.type === 'book' || message.type === 'trade') && step.effect === 'apply') {
        this._books.apply(message, Date.now())
      }
    }
    const v = this._view
    this._store.update({
      t: v.t,
      playing: v.playing,
      speed: v.speed,
      atEnd: v.atEnd,
      progress: v.progress,
      ...(v.error !== null ? { problem: `${v.error.code}: ${v.error.message}` } : {}),
    })
  }

  private _opened(detail: CaptureDetail, followed: readonly string[]): void {
    if (this._initialSeekDone) return
    let market = captureMarket(detail, followed)
    const wanted = this._target.market
    if (wanted !== null) {
      const chosen = detail.markets_detail.find(
        (m) => m.condition_id === wanted || m.slug === wanted,
      )
      if (chosen !== undefined) {
        market = captureMarket(
          detail,
          chosen.tokens.map((t) => t.token_id),
        )
      } else {
        this._store.update({
          problem: `Market "${wanted}" is not in this capture; showing ${market.question}.`,
        })
      }
    }
    const tokens = market.tokens.map((t) => t.token_id)
    if (tokens.join() !== followed.join()) {
      this._view = { ...this._view, followed: tokens }
      this._socket.send({ type: 'select', tokens })
    }
    const token =
      this._target.token !== null && tokens.includes(this._target.token)
        ? this._target.token
        : (tokens[0] ?? null)
    this._store.update({
      market: market.condition_id || null,
      marketLabel: market.question,
      tokens,
      token,
      spanFrom: detail.first_ms,
      spanTo: detail.last_ms,
      t: this._view.t ?? detail.first_ms,
    })
    this.onMarket?.(market)
    this._initialSeekDone = true
    if (this._target.t !== null) this._store.seek(this._target.t)
    void this._loadRest(market.condition_id, tokens, token)
  }

  private async _loadRest(market: string, tokens: string[], token: string | null): Promise<void> {
    const name = encodeURIComponent(this._target.capture)
    const wanted = new Set(tokens)
    const problems: string[] = []
    const signals = getJson(`/api/captures/${name}/signals`, CaptureSignalsAnswer).then(
      (answer) => {
        if (!this._alive) return
        this._store.setSignals(
          answer.signals.filter((s) => wanted.has(s.asset_id)).map(signalFromCapture),
        )
      },
      (e: unknown) => problems.push(`signals: ${describe(e)}`),
    )
    const events = getJson(`/api/captures/${name}/events`, CaptureEventsAnswer).then(
      (answer) => {
        if (!this._alive) return
        const mine = answer.events.filter((e) => eventOfMatch(e, market, wanted))
        this._store.setEvents(mine.map(eventFromCapture))
      },
      (e: unknown) => problems.push(`events: ${describe(e)}`),
    )
    const series = token === null ? Promise.resolve() : this._loadSeries(token)
    const offset = market === '' ? Promise.resolve() : loadOffset(this._store, market)
    await Promise.all([signals, events, series, offset])
    if (problems.length > 0 && this._alive) this._store.update({ problem: problems.join(' · ') })
  }

  private async _loadSeries(token: string): Promise<void> {
    const s = this._store.get()
    const step =
      s.spanFrom !== null && s.spanTo !== null ? seriesStepMs(s.spanFrom, s.spanTo) : undefined
    const name = encodeURIComponent(this._target.capture)
    try {
      const answer = await getJson(
        `/api/captures/${name}/series${query({ token_id: token, step_ms: step })}`,
        SeriesAnswer,
      )
      if (!this._alive || this._store.get().token !== token) return
      const { points, trades } = seriesFromAnswer(answer)
      this._store.setSeries(points, trades)
    } catch (e) {
      if (this._alive) this._store.update({ problem: `Price series: ${describe(e)}` })
    }
  }
}

export function describe(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e)
}
