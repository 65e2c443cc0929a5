/**
 * Keeps the address in step with playback so a reload opens the same moment: `t` is written
 * (history.replaceState) when playback pauses, after a seek, and when the charted outcome
 * changes — never every frame while playing.
 */
import { useEffect } from 'react'
import type { DashboardRoute } from '../state/url.js'
import { dashboardSearch } from '../state/url.js'
import type { DashboardStoreImpl } from '../state/store-impl.js'

const SETTLE_MS = 400

export function useUrlSync(store: DashboardStoreImpl, route: DashboardRoute): void {
  useEffect(() => {
    if (route.kind === 'chooser') return
    let timer: ReturnType<typeof setTimeout> | null = null
    let written = ''
    const write = (): void => {
      timer = null
      const s = store.get()
      const next: DashboardRoute =
        route.kind === 'playback'
          ? { ...route, t: s.t, token: s.token === s.tokens[0] ? null : s.token }
          : { ...route, token: s.token === s.tokens[0] ? null : s.token }
      const search = dashboardSearch(window.location.search, next)
      if (search === written || search === window.location.search) return
      written = search
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}`)
    }
    let last = store.get()
    const off = store.subscribe(() => {
      const s = store.get()
      const changed =
        s.seekSeq !== last.seekSeq ||
        s.token !== last.token ||
        (!s.playing && (last.playing || s.t !== last.t))
      last = s
      if (!changed || s.playing) return
      if (timer !== null) clearTimeout(timer)
      timer = setTimeout(write, SETTLE_MS)
    })
    return () => {
      off()
      if (timer !== null) clearTimeout(timer)
    }
  }, [store, route])
}
