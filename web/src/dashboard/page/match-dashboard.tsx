/**
 * One match on the dashboard, live or played back: header, playback controls, the price chart
 * and signals list on the left, the video and the ladders on the right, the event logger along
 * the bottom. Owns the store, the ladders' book store and the controller of its mode.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import type { MarketJson } from '../../../../src/contracts/api.js'
import { LiveStore } from '../../state/live-store.js'
import { PriceChart } from '../chart/price-chart.js'
import { EventLogger } from '../events/event-logger.js'
import { DashLadders } from '../ladder/dash-ladders.js'
import { PlaybackBar } from '../playback/playback-bar.js'
import { SignalsList } from '../signals/signals-list.js'
import { DashboardContext } from '../state/dashboard-store.js'
import { DashboardStoreImpl, initialSnapshot } from '../state/store-impl.js'
import type { DashboardRoute } from '../state/url.js'
import { VideoPanel } from '../video/video-panel.js'
import { DashHeader } from './header.js'
import { LiveController } from './live-controller.js'
import { PlaybackController } from './playback-controller.js'
import { useUrlSync } from './use-url-sync.js'

type MatchRoute = Exclude<DashboardRoute, { kind: 'chooser' }>

export function MatchDashboard({
  route,
  problems,
}: {
  route: MatchRoute
  problems: readonly string[]
}) {
  const [store] = useState(
    () =>
      new DashboardStoreImpl(
        initialSnapshot({
          mode: route.kind,
          capture: route.kind === 'playback' ? route.capture : null,
          t: route.kind === 'playback' ? route.t : null,
          problem: problems.length > 0 ? problems.join(' · ') : null,
        }),
      ),
  )
  const [books] = useState(() => new LiveStore())
  const [market, setMarket] = useState<MarketJson | null>(null)
  const controller = useRef<PlaybackController | LiveController | null>(null)
  const [token, setToken] = useState<string | null>(null)
  useEffect(() => store.subscribe(() => setToken(store.get().token)), [store])

  useEffect(() => {
    const c =
      route.kind === 'playback'
        ? new PlaybackController(store, books, route)
        : new LiveController(store, books, route)
    c.onMarket = setMarket
    controller.current = c
    c.start()
    return () => {
      c.stop()
      controller.current = null
    }
  }, [store, books, route])
  useUrlSync(store, route)

  const outcomes = useMemo(
    () => new Map((market?.tokens ?? []).map((t) => [t.token_id, t.outcome] as const)),
    [market],
  )

  return (
    <DashboardContext.Provider value={store}>
      <div className={`dashboard mode-${route.kind}`} data-testid="dashboard">
        <DashHeader
          market={market}
          onChartToken={(token) => controller.current?.chartToken(token)}
        />
        {route.kind === 'playback' && <PlaybackBar />}
        <main className="dash-grid">
          <div className="dash-left">
            <PriceChart store={store} />
            <SignalsList outcomes={outcomes} />
          </div>
          <div className="dash-right">
            <div className="dash-video">
              <VideoPanel />
            </div>
            <DashLadders store={books} market={market} charted={token} />
          </div>
          <div className="dash-bottom">
            <EventLogger />
          </div>
        </main>
      </div>
    </DashboardContext.Provider>
  )
}
