/**
 * `tiltmeter sim`: runs the local exchange simulator (market WebSocket, CLOB REST reads and
 * Gamma) on 127.0.0.1 until SIGINT or SIGTERM. Prints one JSON line with its URLs when ready.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { FaultSpecError, parseFaultSpec, type FaultSpec } from '../../adapters/sim/faults.js'
import { ReplayScenario } from '../../adapters/sim/scenario-replay.js'
import { startSim, type SimOptions } from '../../adapters/sim/sim-server.js'
import { UsageError, type CliIO, type Command } from '../cli-io.js'

const USAGE = `Usage: tiltmeter sim [--port N] [--scenario match|<capture path>] [--seed N]
                    [--speed X] [--labels <file>] [--faults <spec>] [--fault-log <file>]
                    [--silence-ms N] [--slow-ms N]

Runs a local stand-in for Polymarket's market data on 127.0.0.1: the market WebSocket
(/ws/market), the CLOB REST book reads (/book, /books, /tick-size, /fee-rate, /neg-risk) and
Gamma (/gamma/events, /gamma/markets, /gamma/sports). When it is listening it prints one JSON
line: {"ws_url":…,"rest_url":…,"gamma_url":…}. Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --port <N>            port to listen on (default 0: any free port)
  --scenario <name>     match (default): a synthetic Valorant best-of-three with market
                        makers, takers and crowd over-reactions; or the path of a capture
                        file or directory to replay
  --seed <N>            seed of the match scenario (default 1); same seed, same frames
  --speed <X>           simulated time per real time (default 1; 10 = ten times faster)
  --labels <file>       write the match's crowd-episode labels to <file> as NDJSON
  --faults <spec>       inject faults, seeded by --seed: comma-separated name=rate, rate a
                        probability from 0 to 1. Per WebSocket frame delivered to one
                        connection: disconnect, silence (nothing, not even PONG, for
                        --silence-ms), gap (drop a price_change), mismatch (wrong
                        best_bid), malformed (truncated JSON), ticksize (tick_size_change
                        first), duplicate, reorder. Per HTTP request: http429
                        (Retry-After: 1), http500, http503, http425, slow (reply after
                        --slow-ms).
                        e.g. --faults gap=0.01,duplicate=0.01,http429=0.05
  --fault-log <file>    write one NDJSON line {ts,type,conn,asset_id?,path?} per fault
                        (conn: WebSocket connection number, 0 for HTTP)
  --silence-ms <N>      how long a silence fault lasts (default 5000)
  --slow-ms <N>         how long a slow fault delays a reply (default 2000)
  -h, --help            this text
`

export type SignalSource = {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

export type SimDeps = { readonly signals?: SignalSource }

type Options = {
  readonly port: number
  readonly scenario: string
  readonly seed: number
  readonly speed: number
  readonly labels: string | undefined
  readonly faults: FaultSpec | undefined
  readonly faultLog: string | undefined
  readonly silenceMs: number
  readonly slowMs: number
}

function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  max: number,
): number {
  if (text === undefined) return fallback
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from 0 to ${max}; got "${text}"`)
  }
  return Number(text)
}

function parseOptions(argv: readonly string[]): Options {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string' },
        scenario: { type: 'string', default: 'match' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        labels: { type: 'string' },
        faults: { type: 'string' },
        'fault-log': { type: 'string' },
        'silence-ms': { type: 'string' },
        'slow-ms': { type: 'string' },
      },
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values } = parsed
  let speed = 1
  if (values.speed !== undefined) {
    speed = Number(values.speed)
    if (values.speed.trim() === '' || !Number.isFinite(speed) || speed <= 0) {
      throw new UsageError(`--speed must be a number above 0; got "${values.speed}"`)
    }
  }
  const scenario = values.scenario
  if (scenario === '') throw new UsageError('--scenario must be "match" or a capture path')
  if (values.labels !== undefined && scenario !== 'match') {
    throw new UsageError('--labels needs --scenario match (a replay has no ground truth)')
  }
  let faults: FaultSpec | undefined
  if (values.faults !== undefined) {
    try {
      faults = parseFaultSpec(values.faults)
    } catch (e) {
      if (e instanceof FaultSpecError) throw new UsageError(`--faults: ${e.message}`)
      throw e
    }
  }
  const faultLog = values['fault-log']
  if (faultLog !== undefined && faults === undefined) {
    throw new UsageError('--fault-log needs --faults (there is nothing to log without faults)')
  }
  if (faultLog === '') throw new UsageError('--fault-log needs a file path')
  for (const name of ['silence-ms', 'slow-ms'] as const) {
    if (values[name] !== undefined && faults === undefined) {
      throw new UsageError(`--${name} needs --faults (it tunes a fault)`)
    }
  }
  return {
    faults,
    faultLog,
    silenceMs: wholeNumber('silence-ms', values['silence-ms'], 5000, 3_600_000),
    slowMs: wholeNumber('slow-ms', values['slow-ms'], 2000, 600_000),
    port: wholeNumber('port', values.port, 0, 65_535),
    scenario,
    seed: wholeNumber('seed', values.seed, 1, 0xffff_ffff),
    speed,
    labels: values.labels,
  }
}

export function createSimCommand(deps: SimDeps = {}): Command {
  return {
    name: 'sim',
    summary: 'run the local exchange simulator (market WebSocket, REST books, Gamma)',
    usage: USAGE,
    run: (argv, io) => run(argv, io, deps),
  }
}

export const simCommand: Command = createSimCommand()

async function run(argv: readonly string[], io: CliIO, deps: SimDeps): Promise<number> {
  const options = parseOptions(argv)
  // The match starts now (venue time follows the wall clock at speed 1), so discovery shows it
  // live; frames stay deterministic for a seed apart from their timestamps.
  let simOptions: SimOptions = {
    port: options.port,
    seed: options.seed,
    speed: options.speed,
    startMs: Date.now(),
  }
  if (options.faults !== undefined) {
    simOptions = {
      ...simOptions,
      injectFaults: {
        spec: options.faults,
        silenceMs: options.silenceMs,
        slowMs: options.slowMs,
        ...(options.faultLog === undefined ? {} : { logPath: resolve(io.cwd, options.faultLog) }),
      },
    }
  }
  try {
    if (options.scenario === 'match') {
      if (options.labels !== undefined) {
        simOptions = { ...simOptions, labelsPath: resolve(io.cwd, options.labels) }
      }
    } else {
      const scenario = await ReplayScenario.load(resolve(io.cwd, options.scenario), {
        onWarning: (w) => io.stderr.write(`tiltmeter sim: capture warning: ${w.message}\n`),
      })
      simOptions = { ...simOptions, scenario }
    }
  } catch (e) {
    io.stderr.write(`tiltmeter sim: ${(e as Error).message}\n`)
    return 1
  }
  let handle
  try {
    handle = await startSim(simOptions)
  } catch (e) {
    const error = e as Error & { code?: string }
    const hint =
      error.code === 'EADDRINUSE' ? `; port ${options.port} is taken, pick another or use 0` : ''
    io.stderr.write(`tiltmeter sim: cannot start: ${error.message}${hint}\n`)
    return 1
  }
  io.stdout.write(
    `${JSON.stringify({ ws_url: handle.wsUrl, rest_url: handle.restUrl, gamma_url: handle.gammaUrl })}\n`,
  )
  const signals = deps.signals ?? process
  const signal = await new Promise<string>((done) => {
    const onSigint = (): void => finish('SIGINT')
    const onSigterm = (): void => finish('SIGTERM')
    const finish = (name: string): void => {
      signals.off('SIGINT', onSigint)
      signals.off('SIGTERM', onSigterm)
      done(name)
    }
    signals.once('SIGINT', onSigint)
    signals.once('SIGTERM', onSigterm)
  })
  await handle.close()
  io.stderr.write(`tiltmeter sim: stopped (${signal})\n`)
  return 0
}
