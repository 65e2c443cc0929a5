/**
 * The match dashboard page (`/dashboard`): `?capture=<name>&t=<venue ms>` plays a recording,
 * `?market=<condition id or slug>` follows a live market, neither lists both to choose from.
 */
import { useMemo } from 'react'
import { Chooser } from './chooser/chooser.js'
import { MatchDashboard } from './page/match-dashboard.js'
import { parseDashboardUrl } from './state/url.js'
import './dashboard.css'

export default function Dashboard() {
  const parsed = useMemo(() => parseDashboardUrl(window.location.search), [])
  const { route, problems } = parsed
  if (route.kind === 'chooser') return <Chooser problems={problems} />
  return <MatchDashboard route={route} problems={problems} />
}
