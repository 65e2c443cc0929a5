/** React bindings of the live store: a component re-renders when its topics change. */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react'
import type { LiveStore } from './live-store.js'

/** Re-renders on the topic's frame-coalesced notifications; returns its version. */
export function useTopic(store: LiveStore, topic: string): number {
  const subscribe = useCallback((notify: () => void) => store.listen(topic, notify), [store, topic])
  const snapshot = useCallback(() => store.version(topic), [store, topic])
  return useSyncExternalStore(subscribe, snapshot)
}

/** The page clock, ticking every `everyMs` (for countdowns). */
export function useNow(everyMs = 250): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}
