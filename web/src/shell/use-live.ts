/**
 * Connects the store to the daemon: the live socket, the first REST reads (config, account,
 * fills, alerts, stops), and refreshing fills and stops after each account change.
 */
import { useEffect, useMemo, useState } from 'react'
import {
  AlertsAnswer,
  FillsAnswer,
  OrdersAnswer,
  PositionsAnswer,
  RiskAnswer,
  UiConfigAnswer,
} from '../../../src/contracts/api.js'
import { z } from 'zod'
import { getJson } from '../api/http.js'
import { LiveSocket, socketUrl } from '../api/socket.js'
import { LiveStore, type StopView } from '../state/live-store.js'

const StopsAnswer = z.object({
  stops: z.array(
    z.object({
      id: z.string(),
      state: z.string(),
      token_id: z.string(),
      market: z.string(),
      size: z.string(),
      stop_loss_price: z.string().nullable(),
      take_profit_price: z.string().nullable(),
      trailing_stop_price: z.string().nullable(),
    }),
  ),
})

const REFRESH_GAP_MS = 400
const STOPS_RETRY_MS = 30_000

export interface Live {
  readonly store: LiveStore
  readonly socket: LiveSocket
  readonly ui: UiConfigAnswer | null
}

export function useLive(): Live {
  const store = useMemo(() => new LiveStore(), [])
  const socket = useMemo(
    () =>
      new LiveSocket(socketUrl(window.location), {
        onMessage: (message) => store.apply(message, Date.now()),
        onState: (state, detail) => store.setSocket(state, detail.retryInMs),
        onRoundTrip: (ms) => store.setRoundTrip(ms),
      }),
    [store],
  )
  const [ui, setUi] = useState<UiConfigAnswer | null>(null)

  useEffect(() => {
    let alive = true
    let refreshTimer: ReturnType<typeof setTimeout> | null = null
    const loadFills = (): void => {
      getJson('/api/fills', FillsAnswer).then(
        (answer) => alive && store.setFills(answer),
        () => undefined,
      )
    }
    // Stops may not run on this daemon (503): ask again only now and then.
    let stopsFailedAt = -Infinity
    const loadStops = (): void => {
      if (Date.now() - stopsFailedAt < STOPS_RETRY_MS) return
      getJson('/api/stops', StopsAnswer).then(
        (answer) => alive && store.setStops(answer.stops as StopView[]),
        () => {
          stopsFailedAt = Date.now()
          if (alive) store.setStops(null)
        },
      )
    }
    store.onAccount = () => {
      if (refreshTimer !== null) return
      refreshTimer = setTimeout(() => {
        refreshTimer = null
        loadFills()
        loadStops()
      }, REFRESH_GAP_MS)
    }
    socket.start()
    getJson('/api/config/ui', UiConfigAnswer).then(
      (answer) => alive && setUi(answer),
      () => undefined,
    )
    getJson('/api/alerts', AlertsAnswer).then(
      (answer) => alive && store.addAlerts(answer.alerts, false),
      () => undefined,
    )
    // Trading routes answer 503 until markets load; the socket's account message follows anyway.
    Promise.all([
      getJson('/api/orders', OrdersAnswer),
      getJson('/api/positions', PositionsAnswer),
      getJson('/api/risk', RiskAnswer),
    ]).then(
      ([orders, positions, risk]) => alive && store.applyAccount(orders, positions, risk),
      () => undefined,
    )
    loadFills()
    loadStops()
    return () => {
      alive = false
      if (refreshTimer !== null) clearTimeout(refreshTimer)
      store.onAccount = null
      socket.stop()
    }
  }, [store, socket])

  return { store, socket, ui }
}
