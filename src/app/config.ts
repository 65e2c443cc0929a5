/**
 * The daemon's configuration: one schema, defaults in one place, unknown keys rejected.
 * Layers, lowest first: built-in defaults, the JSON config file, environment variables,
 * command-line flags. The result is frozen and passed down; nothing reads the environment
 * after this.
 *
 * The file is `tiltmeter.config.json` in the working directory when present, or the path
 * given by `--config` (or `TILTMETER_CONFIG`), which must then exist. Relative paths in any
 * layer resolve against the working directory.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import type { LogLevel } from '../adapters/log.js'
import { parseWebhookUrl } from '../adapters/alerts/webhook.js'
import { makeRiskLimits, RiskLimitsError, type RiskLimits } from '../domain/risk/limits.js'
import { UsageError } from './cli-io.js'
import { resolveVenueUrls, type VenueUrlFlags, type VenueUrls } from './venue-urls.js'

export const CONFIG_FILE_NAME = 'tiltmeter.config.json'
export const DEFAULT_PORT = 7300
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DATA_DIR = 'data'
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 500
/** Pending store rows beyond which new ones are dropped (and counted) rather than queued. */
export const DEFAULT_STORE_QUEUE_MAX = 100_000

const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const

const text = z.string().trim().min(1, 'a non-empty string')

/** What a config file may hold; every key optional, none unknown. */
export const configFileSchema = z.strictObject({
  port: z.int().min(0).max(65_535).optional(),
  host: text.optional(),
  dataDir: text.optional(),
  /** `postgres://…`, `sqlite:<path>` or `:memory:`; absent = SQLite under dataDir. */
  databaseUrl: text.optional(),
  /** Default `<dataDir>/captures`. */
  captureDir: text.optional(),
  /** False turns tick capture off. */
  capture: z.boolean().optional(),
  snapshotIntervalMs: z.int().min(0).max(3_600_000).optional(),
  storeQueueMax: z.int().min(1).max(10_000_000).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  venue: z
    .strictObject({
      wsUrl: text.optional(),
      restUrl: text.optional(),
      gammaUrl: text.optional(),
    })
    .optional(),
  /** Passed whole to the signal engine, which validates it. */
  signals: z.unknown().optional(),
  /** Risk limits over the SPEC defaults (docs/RISK.md); validated by `makeRiskLimits`. */
  risk: z.unknown().optional(),
  /** Required to serve beyond loopback (docs/WEB_API.md); generated when absent there. */
  accessToken: z.string().trim().min(16, 'at least 16 characters').max(256).optional(),
  /** Alerts are also posted here (docs/TRADING.md); env TILTMETER_ALERT_WEBHOOK. */
  alertWebhookUrl: text.optional(),
  /** Fills worse than the preview's average by more than this many market ticks alert; default 3. */
  slippageAlertTicks: z.number().min(0).max(10_000).optional(),
})

export type ConfigFile = z.infer<typeof configFileSchema>

export type Config = {
  readonly port: number
  readonly host: string
  /** Absolute. */
  readonly dataDir: string
  /** Null: SQLite under dataDir. */
  readonly databaseUrl: string | null
  /** Absolute. */
  readonly captureDir: string
  readonly capture: boolean
  readonly snapshotIntervalMs: number
  readonly storeQueueMax: number
  readonly logLevel: LogLevel
  readonly venue: VenueUrls
  /** Unvalidated here; undefined when no layer set it. */
  readonly signals: unknown
  /** Risk limits in force: the SPEC defaults with the file's `risk` key over them. */
  readonly risk: RiskLimits
  /** The config file that was read, absolute; null when none. */
  readonly file: string | null
  /** Access token for the HTTP API and page (env TILTMETER_ACCESS_TOKEN); absent when none set. */
  readonly accessToken?: string | null
  /** Webhook for alerts (env TILTMETER_ALERT_WEBHOOK); absent when none set. */
  readonly alertWebhookUrl?: string
  /** Slippage alert threshold in market ticks; absent: the default (3). */
  readonly slippageAlertTicks?: number
}

/** Flags that override the file and the environment (the names `start` uses). */
export type ConfigFlags = VenueUrlFlags & {
  readonly config?: string | undefined
  readonly port?: string | undefined
  readonly host?: string | undefined
  readonly 'data-dir'?: string | undefined
  readonly 'database-url'?: string | undefined
  readonly 'capture-dir'?: string | undefined
  readonly 'no-capture'?: boolean | undefined
  readonly 'log-level'?: string | undefined
}

type Env = Readonly<Record<string, string | undefined>>

/** A config file or environment variable that cannot be used. Exit code 1, never a crash. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** The config file as read: where it is and its parsed JSON. */
export type LoadedConfigFile = { readonly path: string; readonly value: unknown }

/**
 * Finds and reads the config file: `--config`, else `TILTMETER_CONFIG`, else
 * `tiltmeter.config.json` in `cwd` if it exists. Null when there is none. An explicit path that
 * does not exist, or a file that is not JSON, is a {@link ConfigError}.
 */
export function readConfigFile(
  cwd: string,
  env: Env,
  flagPath: string | undefined,
): LoadedConfigFile | null {
  let path: string
  if (flagPath !== undefined) {
    if (flagPath.trim() === '') throw new UsageError('--config needs a file path')
    path = resolve(cwd, flagPath)
  } else if (env.TILTMETER_CONFIG !== undefined && env.TILTMETER_CONFIG.trim() !== '') {
    path = resolve(cwd, env.TILTMETER_CONFIG.trim())
  } else {
    path = join(cwd, CONFIG_FILE_NAME)
    if (!existsSync(path)) return null
  }
  let body: string
  try {
    body = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'it does not exist' : (e as Error).message
    throw new ConfigError(`cannot read config file ${path}: ${why}`)
  }
  try {
    return { path, value: JSON.parse(body) as unknown }
  } catch (e) {
    throw new ConfigError(
      `config file ${path} is not valid JSON (${(e as Error).message}); ` +
        `expected an object such as {"port": ${DEFAULT_PORT}}`,
    )
  }
}

/** Checks a config file's contents; the error names the file, the key path and what is expected. */
export function parseConfigFile(file: LoadedConfigFile): ConfigFile {
  const result = configFileSchema.safeParse(file.value)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => describeIssue(issue))
  throw new ConfigError(`config file ${file.path}: ${problems.join('; ')}`)
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `"${path === '' ? k : `${path}.${k}`}"`).join(', ')
    const plural = issue.keys.length > 1 ? 's' : ''
    return `unknown key${plural} ${names}; known keys are ${knownKeys(issue.path).join(', ')}`
  }
  const at = path === '' ? 'the file' : `"${path}"`
  if (issue.code === 'invalid_type' && path === '') {
    return `the file must hold a JSON object, e.g. {"port": ${DEFAULT_PORT}}`
  }
  return `${at}: ${issue.message}`
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 1 && path[0] === 'venue') return ['wsUrl', 'restUrl', 'gammaUrl']
  return Object.keys(configFileSchema.shape)
}

/**
 * Merges the layers: defaults < file < environment < flags. Bad flag values are
 * {@link UsageError}s, bad environment values {@link ConfigError}s naming the variable.
 */
export function resolveConfig(
  cwd: string,
  env: Env,
  flags: ConfigFlags,
  loaded: LoadedConfigFile | null,
): Config {
  const file = loaded === null ? {} : parseConfigFile(loaded)
  const fileName = loaded?.path ?? null

  let port = file.port ?? DEFAULT_PORT
  const envPort = nonEmpty(env.TILTMETER_PORT)
  if (envPort !== undefined) {
    port = portOf(
      envPort,
      () => new ConfigError(`TILTMETER_PORT ${JSON.stringify(envPort)} ${PORT_EXPECTED}`),
    )
  }
  if (flags.port !== undefined) {
    const flag = flags.port
    port = portOf(flag, () => new UsageError(`--port ${JSON.stringify(flag)} ${PORT_EXPECTED}`))
  }

  const host = flags.host ?? nonEmpty(env.TILTMETER_HOST) ?? file.host ?? DEFAULT_HOST
  if (host.trim() === '') throw new UsageError('--host needs an address such as 127.0.0.1')

  const dataDirText =
    flags['data-dir'] ?? nonEmpty(env.TILTMETER_DATA_DIR) ?? file.dataDir ?? DEFAULT_DATA_DIR
  if (dataDirText.trim() === '') throw new UsageError('--data-dir needs a directory path')
  const dataDir = absolute(cwd, dataDirText)

  const databaseUrl =
    flags['database-url'] ?? nonEmpty(env.DATABASE_URL) ?? file.databaseUrl ?? null

  const captureText =
    flags['capture-dir'] ?? nonEmpty(env.TILTMETER_CAPTURE_DIR) ?? file.captureDir ?? null
  if (captureText !== null && captureText.trim() === '') {
    throw new UsageError('--capture-dir needs a directory path')
  }
  const captureDir = captureText === null ? join(dataDir, 'captures') : absolute(cwd, captureText)

  let logLevel: LogLevel = file.logLevel ?? 'info'
  const envLevel = nonEmpty(env.TILTMETER_LOG_LEVEL)
  if (envLevel !== undefined) {
    if (!isLogLevel(envLevel)) {
      throw new ConfigError(
        `TILTMETER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(envLevel)}`,
      )
    }
    logLevel = envLevel
  }
  const flagLevel = flags['log-level']
  if (flagLevel !== undefined) {
    if (!isLogLevel(flagLevel)) {
      throw new UsageError(
        `--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${flagLevel}"`,
      )
    }
    logLevel = flagLevel
  }

  const venue = resolveVenueUrls(
    flags,
    env,
    fileName === null ? undefined : { source: fileName, urls: file.venue ?? {}, makeError },
  )

  let risk: RiskLimits
  try {
    risk = makeRiskLimits(file.risk ?? {})
  } catch (e) {
    if (!(e instanceof RiskLimitsError)) throw e
    const where = fileName === null ? 'config' : `config file ${fileName}`
    throw new ConfigError(`${where}: risk: ${e.problems.join('; ')}`)
  }

  const envWebhook = nonEmpty(env.TILTMETER_ALERT_WEBHOOK)?.trim()
  const webhook = envWebhook ?? file.alertWebhookUrl
  if (webhook !== undefined) {
    try {
      parseWebhookUrl(
        webhook,
        envWebhook === undefined ? 'alertWebhookUrl' : 'TILTMETER_ALERT_WEBHOOK',
      )
    } catch (e) {
      throw new ConfigError(e instanceof Error ? e.message : String(e))
    }
  }

  const envToken = nonEmpty(env.TILTMETER_ACCESS_TOKEN)?.trim()
  if (envToken !== undefined && (envToken.length < 16 || envToken.length > 256)) {
    throw new ConfigError('TILTMETER_ACCESS_TOKEN must be 16 to 256 characters')
  }

  return Object.freeze({
    port,
    host: host.trim(),
    dataDir,
    databaseUrl,
    captureDir,
    capture: flags['no-capture'] === true ? false : (file.capture ?? true),
    snapshotIntervalMs: file.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS,
    storeQueueMax: file.storeQueueMax ?? DEFAULT_STORE_QUEUE_MAX,
    logLevel,
    venue: Object.freeze(venue),
    signals: file.signals,
    risk,
    file: fileName,
    ...accessTokenOf(envToken ?? file.accessToken),
    ...(webhook === undefined ? {} : { alertWebhookUrl: webhook }),
    ...(file.slippageAlertTicks === undefined
      ? {}
      : { slippageAlertTicks: file.slippageAlertTicks }),
  })
}

/** Reads the config file (if any) and merges every layer. */
export function loadConfig(cwd: string, env: Env, flags: ConfigFlags): Config {
  return resolveConfig(cwd, env, flags, readConfigFile(cwd, env, flags.config))
}

/**
 * Venue URLs for any command: flag > environment > config file (`venue`) > default. Commands
 * that take `--ws-url`, `--rest-url` and `--gamma-url` call this so the file layer applies to
 * them too. Reads only the `venue` key; other keys are still checked.
 */
export function resolveCommandVenueUrls(
  flags: VenueUrlFlags & { readonly config?: string | undefined },
  env: Env,
  cwd: string,
): VenueUrls {
  const loaded = readConfigFile(cwd, env, flags.config)
  if (loaded === null) return resolveVenueUrls(flags, env)
  const file = parseConfigFile(loaded)
  return resolveVenueUrls(flags, env, { source: loaded.path, urls: file.venue ?? {}, makeError })
}

/** Present only when set, so configs without one compare equal to before the key existed. */
function accessTokenOf(token: string | undefined): { accessToken?: string } {
  return token === undefined ? {} : { accessToken: token }
}

const makeError = (message: string): Error => new ConfigError(message)

const PORT_EXPECTED = 'is not a port; expected a whole number 0..65535 (0 = any free port)'

function portOf(value: string, error: () => Error): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) > 65_535) throw error()
  return Number(value)
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path)
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value)
}
