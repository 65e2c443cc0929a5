/**
 * Structured JSON logging (pino). Components take a child logger
 * (`log.child({ component: 'polymarket-ws', conn })`); the domain never logs.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export type LoggerOptions = {
  /** Default `info`. */
  readonly level?: LogLevel
  /** Where lines go; default stderr (stdout is for command output). */
  readonly destination?: { write(line: string): unknown }
  /** Fields on every line, e.g. `{ app: 'tiltmeter' }`. */
  readonly base?: Readonly<Record<string, unknown>>
}

/** A logger writing one JSON object per line with an ISO time. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base === undefined ? null : { ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  )
}

/** A logger that drops everything (tests, library defaults). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
