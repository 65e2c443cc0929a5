/**
 * What a CLI command sees of the outside world: its streams and the working directory.
 * Tests pass buffers; `cli.ts` passes the process's streams.
 */
import type { Writable } from 'node:stream'

export type CliIO = {
  readonly stdout: Writable
  readonly stderr: Writable
  readonly cwd: string
  /** True when stderr is a terminal (progress bars draw only then, or when forced). */
  readonly stderrIsTTY: boolean
}

/** A `tiltmeter <name>` subcommand. `run` resolves to the process exit code. */
export type Command = {
  readonly name: string
  /** One line for `tiltmeter --help`. */
  readonly summary: string
  /** The full `tiltmeter <name> --help` text. */
  readonly usage: string
  run(argv: readonly string[], io: CliIO): Promise<number>
}

/** A bad invocation: printed with the command's usage hint, exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE'
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
