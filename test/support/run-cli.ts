/** Runs the CLI in-process with captured streams. */
import { PassThrough } from 'node:stream'
import { main } from '../../src/app/cli.js'

export type CliRun = { code: number; stdout: string; stderr: string }

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  return () => Buffer.concat(chunks).toString('utf8')
}

export async function runCli(args: readonly string[], cwd = process.cwd()): Promise<CliRun> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out = collect(stdout)
  const err = collect(stderr)
  const code = await main(args, { stdout, stderr, cwd, stderrIsTTY: false })
  stdout.end()
  stderr.end()
  return { code, stdout: out(), stderr: err() }
}

/** Parses NDJSON output into objects. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}
