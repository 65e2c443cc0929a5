/**
 * Where the venue lives: the market WebSocket, the CLOB REST API and Gamma. Each address
 * comes from its flag, else its environment variable, else the config file's `venue` section,
 * else the production default, so tests and the simulator can point every command at a local
 * server.
 */
import { UsageError } from './cli-io.js'

export type VenueUrls = {
  /** Market channel, e.g. `wss://ws-subscriptions-clob.polymarket.com/ws/market`. */
  readonly wsUrl: string
  /** CLOB REST base, e.g. `https://clob.polymarket.com`. */
  readonly restUrl: string
  /** Gamma base, e.g. `https://gamma-api.polymarket.com`. */
  readonly gammaUrl: string
}

export const DEFAULT_VENUE_URLS: VenueUrls = {
  wsUrl: 'wss://ws-subscriptions-clob.polymarket.com/ws/market',
  restUrl: 'https://clob.polymarket.com',
  gammaUrl: 'https://gamma-api.polymarket.com',
}

/** `parseArgs` options for the three flags; spread them into a command's options. */
export const VENUE_URL_OPTIONS = {
  'ws-url': { type: 'string' },
  'rest-url': { type: 'string' },
  'gamma-url': { type: 'string' },
} as const

/** The usage lines for the three flags. */
export const VENUE_URL_USAGE = `  --ws-url <url>      market WebSocket (env TILTMETER_WS_URL; default
                      ${DEFAULT_VENUE_URLS.wsUrl})
  --rest-url <url>    CLOB REST API (env TILTMETER_REST_URL; default ${DEFAULT_VENUE_URLS.restUrl})
  --gamma-url <url>   Gamma discovery API (env TILTMETER_GAMMA_URL; default
                      ${DEFAULT_VENUE_URLS.gammaUrl})`

export type VenueUrlFlags = {
  readonly 'ws-url'?: string | undefined
  readonly 'rest-url'?: string | undefined
  readonly 'gamma-url'?: string | undefined
}

type Env = Readonly<Record<string, string | undefined>>

type Spec = {
  readonly key: keyof VenueUrls
  readonly flag: keyof VenueUrlFlags
  readonly env: string
  readonly protocols: readonly string[]
  readonly what: string
}

const SPECS: readonly Spec[] = [
  {
    key: 'wsUrl',
    flag: 'ws-url',
    env: 'TILTMETER_WS_URL',
    protocols: ['ws:', 'wss:'],
    what: 'a ws:// or wss:// address',
  },
  {
    key: 'restUrl',
    flag: 'rest-url',
    env: 'TILTMETER_REST_URL',
    protocols: ['http:', 'https:'],
    what: 'an http:// or https:// address',
  },
  {
    key: 'gammaUrl',
    flag: 'gamma-url',
    env: 'TILTMETER_GAMMA_URL',
    protocols: ['http:', 'https:'],
    what: 'an http:// or https:// address',
  },
]

/**
 * The config file's `venue` section, as one layer of the resolution: where it came from (for
 * error messages), its values, and the error type to throw for a bad value in it.
 */
export type VenueUrlFileLayer = {
  readonly source: string
  readonly urls: Partial<Readonly<Record<keyof VenueUrls, string | undefined>>>
  readonly makeError?: (message: string) => Error
}

/**
 * Resolves the three venue URLs: flag > environment > config file > default. Throws
 * {@link UsageError} naming the flag or variable (or the file and key, with the layer's error
 * type) when a value is not a URL of the right kind. REST and Gamma bases lose trailing slashes
 * (paths are appended to them).
 */
export function resolveVenueUrls(
  flags: VenueUrlFlags,
  env: Env,
  file?: VenueUrlFileLayer,
): VenueUrls {
  const resolved: Record<keyof VenueUrls, string> = { ...DEFAULT_VENUE_URLS }
  for (const spec of SPECS) {
    const fromFlag = flags[spec.flag]
    const fromEnv = env[spec.env]
    const fromFile = file?.urls[spec.key]
    let text: string
    let source: string
    let makeError = (message: string): Error => new UsageError(message)
    if (fromFlag !== undefined) {
      text = fromFlag
      source = `--${spec.flag}`
    } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
      text = fromEnv
      source = spec.env
    } else if (file !== undefined && fromFile !== undefined && fromFile.trim() !== '') {
      text = fromFile
      source = `config file ${file.source}: "venue.${spec.key}"`
      if (file.makeError !== undefined) makeError = file.makeError
    } else {
      continue
    }
    resolved[spec.key] = checkUrl(text.trim(), source, spec, makeError)
  }
  return resolved
}

function checkUrl(
  text: string,
  source: string,
  spec: Spec,
  makeError: (message: string) => Error,
): string {
  const example = DEFAULT_VENUE_URLS[spec.key]
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw makeError(
      `${source} ${JSON.stringify(text)} is not a URL; expected ${spec.what} such as ${example}`,
    )
  }
  if (!spec.protocols.includes(url.protocol)) {
    throw makeError(
      `${source} ${JSON.stringify(text)} uses ${url.protocol.replace(/:$/, '')}; expected ${spec.what} such as ${example}`,
    )
  }
  return spec.key === 'wsUrl' ? text : text.replace(/\/+$/, '')
}
