/** One field of the dashboard snapshot; re-renders only when that field changes. */
import { useCallback, useSyncExternalStore } from 'react'
import { useDashboardStore, type DashboardSnapshot } from './dashboard-store.js'

export function useDashboardField<K extends keyof DashboardSnapshot>(key: K): DashboardSnapshot[K] {
  const store = useDashboardStore()
  const read = useCallback(() => store.get()[key], [store, key])
  return useSyncExternalStore(store.subscribe, read)
}
