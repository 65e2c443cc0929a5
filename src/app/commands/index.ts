/** The subcommands, in the order `tiltmeter --help` lists them. */
import type { Command } from '../cli-io.js'

export const COMMANDS: readonly Command[] = []
