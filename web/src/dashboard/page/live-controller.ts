/**
 * Live mode: follows one watched market over the live socket (`/ws`). Books feed the ladders
 * and, for the charted token, the price chart (one point per second, from the page's opening:
 * there is no stored book history to start from); trades the volume bars; `signal` and
 * `game_event` messages the list and the markers. Game events and own fills are loaded over
 * REST first (fills again after each account change). There is no REST list of live signals:
 * the list starts empty and fills as signals arrive.
 */
import { FillsAnswer, GameEventsAnswer, MarketJson } from '../../../../src/contracts/api.js'
import type { ServerMessage } from '../../../../src/contracts/live.js'
import { getJson, query } from '../../api/http.js'
import { LiveSocket, socketUrl } from '../../api/socket.js'
import type { LiveStore } from '../../state/live-store.js'
import { eventFromRest, eventFromSocket, fillsOf, signalFromSocket } from '../state/convert.js'
import { pointFromBook, tradeFromMessage } from '../state/series.js'
import type { DashboardStoreImpl } from '../state/store-impl.js'
import { loadOffset } from './offset.js'
import { describe } from './playback-controller.js'

const FILLS_GAP_MS = 500

export class LiveController {
  private readonly _socket: LiveSocket
  private _market: MarketJson | null = null
  private _alive = true
  private _fillsTimer: ReturnType<typeof setTimeout> | null = null
  onMarket: ((market: MarketJson) => void) | null = null

  constructor(
    private readonly _store: DashboardStoreImpl,
    private readonly _books: LiveStore,
    private readonly _wanted: { readonly market: string; readonly token: string | null },
  ) {
    this._socket = new LiveSocket(socketUrl(window.location), {
      onMessage: (message) => this._receive(message),
      onState: (state, detail) => {
        this._books.setSocket(state, detail.retryInMs)
        this._store.update({ connection: state })
      },
      onRoundTrip: (ms) => this._books.setRoundTrip(ms),
    })
    this._books.onAccount = () => this._scheduleFills()
  }

  start(): void {
    this._socket.start()
    void this._resolve()
  }

  stop(): void {
    this._alive = false
    if (this._fillsTimer !== null) clearTimeout(this._fillsTimer)
    this._books.onAccount = null
    this._socket.stop()
  }

  chartToken(token: string): void {
    this._store.update({ token })
    this._store.setSeries([], [])
  }

  private async _resolve(): Promise<void> {
    let market: MarketJson
    try {
      market = await getJson(`/api/markets/${encodeURIComponent(this._wanted.market)}`, MarketJson)
    } catch (e) {
      this._store.update({
        problem: `Market "${this._wanted.market}": ${describe(e)} Pick a live market from /dashboard.`,
      })
      return
    }
    if (!this._alive) return
    this._market = market
    const tokens = market.tokens.map((t) => t.token_id)
    const token =
      this._wanted.token !== null && tokens.includes(this._wanted.token)
        ? this._wanted.token
        : (tokens[0] ?? null)
    this._store.update({
      market: market.condition_id,
      marketLabel: market.question,
      tokens,
      token,
    })
    this.onMarket?.(market)
    this._socket.subscribe(tokens)
    getJson(`/api/events${query({ market: market.condition_id })}`, GameEventsAnswer).then(
      (answer) => this._alive && this._store.mergeEvents(answer.events.map(eventFromRest)),
      (e: unknown) => this._alive && this._store.update({ problem: `Events: ${describe(e)}` }),
    )
    this._loadFills()
    await loadOffset(this._store, market.condition_id)
  }

  private _scheduleFills(): void {
    if (this._fillsTimer !== null) return
    this._fillsTimer = setTimeout(() => {
      this._fillsTimer = null
      this._loadFills()
    }, FILLS_GAP_MS)
  }

  private _loadFills(): void {
    const tokens = this._store.get().tokens
    getJson('/api/fills', FillsAnswer).then(
      (answer) => this._alive && this._store.update({ fills: fillsOf(answer.fills, tokens) }),
      () => undefined, // Trading not ready (503) or no account: no fill markers.
    )
  }

  private _receive(message: ServerMessage): void {
    this._books.apply(message, Date.now())
    const market = this._market
    if (market === null) return
    const s = this._store.get()
    switch (message.type) {
      case 'book':
        if (!s.tokens.includes(message.tokenId)) return
        if (message.tokenId === s.token) this._store.appendSeries(pointFromBook(message), [])
        if (s.t === null || message.ts > s.t) this._store.update({ t: message.ts })
        return
      case 'trade':
        if (message.tokenId === s.token) this._store.appendSeries(null, [tradeFromMessage(message)])
        return
      case 'signal':
        if (s.tokens.includes(message.tokenId)) this._store.addSignal(signalFromSocket(message))
        return
      case 'game_event':
        if (message.market === market.condition_id) {
          this._store.mergeEvents([eventFromSocket(message)])
        }
        return
      case 'account':
      case 'alert':
      case 'health':
      case 'hello':
      case 'latency':
      case 'pong':
        return
    }
  }
}
