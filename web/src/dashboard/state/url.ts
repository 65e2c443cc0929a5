/**
 * The dashboard's address: `?capture=<name>&t=<venue ms>` plays a recording from that time,
 * `?market=<condition id or slug>` follows a live market, neither shows the chooser. `token`
 * picks the charted outcome in either mode (a token id of the match).
 */

export type DashboardRoute =
  | {
      readonly kind: 'playback'
      readonly capture: string
      readonly t: number | null
      readonly market: string | null
      readonly token: string | null
    }
  | { readonly kind: 'live'; readonly market: string; readonly token: string | null }
  | { readonly kind: 'chooser' }

export interface ParsedRoute {
  readonly route: DashboardRoute
  /** What was wrong with the address (shown to the user; the rest is still used). */
  readonly problems: readonly string[]
}

const TOKEN = /^\d{1,100}$/

function text(params: URLSearchParams, key: string): string | null {
  const value = params.get(key)
  if (value === null) return null
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed
}

export function parseDashboardUrl(search: string): ParsedRoute {
  const params = new URLSearchParams(search)
  const problems: string[] = []
  const capture = text(params, 'capture')
  const market = text(params, 'market')
  let token = text(params, 'token')
  if (token !== null && !TOKEN.test(token)) {
    problems.push(`token "${token}" is not a token id (digits only); the first outcome is shown`)
    token = null
  }
  if (capture !== null) {
    const rawT = text(params, 't')
    let t: number | null = null
    if (rawT !== null) {
      const value = Number(rawT)
      if (Number.isSafeInteger(value) && value >= 0) t = value
      else problems.push(`t "${rawT}" is not a venue time in ms; playback starts at the beginning`)
    }
    return { route: { kind: 'playback', capture, t, market, token }, problems }
  }
  if (market !== null) return { route: { kind: 'live', market, token }, problems }
  return { route: { kind: 'chooser' }, problems }
}

/**
 * The search string for a route, keeping unrelated parameters of `current` (e.g. an access
 * token) and dropping those of the other mode.
 */
export function dashboardSearch(current: string, route: DashboardRoute): string {
  const params = new URLSearchParams(current)
  for (const key of ['capture', 't', 'market', 'token']) params.delete(key)
  if (route.kind === 'playback') {
    params.set('capture', route.capture)
    if (route.t !== null) params.set('t', String(Math.round(route.t)))
    if (route.market !== null) params.set('market', route.market)
    if (route.token !== null) params.set('token', route.token)
  } else if (route.kind === 'live') {
    params.set('market', route.market)
    if (route.token !== null) params.set('token', route.token)
  }
  const out = params.toString()
  return out === '' ? '' : `?${out}`
}
