/**
 * `tiltmeter` entry point: dispatches to a subcommand, prints help, maps errors to exit codes.
 */
import { COMMANDS } from './commands/index.js'
import { UsageError, type CliIO } from './cli-io.js'

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return [
    'tiltmeter: research and trading workstation for in-play esports markets on Polymarket',
    '',
    'Usage: tiltmeter <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `tiltmeter <command> --help` for the options of one command.',
    '',
  ].join('\n')
}

export async function main(argv: readonly string[], io?: CliIO): Promise<number> {
  const cliIO: CliIO = io ?? {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY === true,
  }
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    cliIO.stdout.write(overview())
    return 0
  }
  if (name === '--version' || name === '-v') {
    cliIO.stdout.write('tiltmeter 0.1.0\n')
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (command === undefined) {
    cliIO.stderr.write(
      `tiltmeter: unknown command "${name}". Run \`tiltmeter --help\` for the list.\n`,
    )
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    cliIO.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`)
    return 0
  }
  try {
    return await command.run(rest, cliIO)
  } catch (e) {
    if (e instanceof UsageError) {
      cliIO.stderr.write(
        `tiltmeter ${name}: ${e.message}\nRun \`tiltmeter ${name} --help\` for usage.\n`,
      )
      return 2
    }
    const message = e instanceof Error ? e.message : String(e)
    cliIO.stderr.write(`tiltmeter ${name}: ${message}\n`)
    return 1
  }
}
