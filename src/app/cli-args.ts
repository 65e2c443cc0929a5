/** Argument parsing shared by the subcommands: strict flags, positionals, usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './cli-io.js'

type Flags = NonNullable<ParseArgsConfig['options']>

/**
 * Parses `argv` against `options` (unknown flags and missing values are usage errors, which
 * the CLI prints with a pointer to `--help`).
 */
export function parseCommandArgs<const T extends Flags>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}
