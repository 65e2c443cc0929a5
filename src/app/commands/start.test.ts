import { EventEmitter } from 'node:events'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { readCaptureFile } from '../../adapters/capture/capture-reader.js'
import { startSim } from '../../adapters/sim/sim-server.js'
import { openStore } from '../../adapters/storage/store.js'
import type { CliIO } from '../cli-io.js'
import type { DaemonHandle } from '../daemon/daemon.js'
import { createStartCommand, type StartDeps } from './start.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiltmeter-start-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

type Running = {
  readonly daemon: DaemonHandle
  readonly signals: EventEmitter
  readonly exits: number[]
  /** Sends SIGINT and waits for the command to end. */
  stop(): Promise<{ code: number; stdout: string; stderr: string }>
  /** Waits for the command to end. */
  finished(): Promise<number>
}

function streams(): { io: CliIO; out: () => string; err: () => string } {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const outChunks: Buffer[] = []
  const errChunks: Buffer[] = []
  stdout.on('data', (c: Buffer) => outChunks.push(c))
  stderr.on('data', (c: Buffer) => errChunks.push(c))
  return {
    io: { stdout, stderr, cwd: dir, stderrIsTTY: false },
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  }
}

const QUIET: Partial<StartDeps> = { processMetrics: false, captureFlushMs: 50 }

async function startSimDaemon(extra: readonly string[] = []): Promise<Running> {
  const signals = new EventEmitter()
  const exits: number[] = []
  const { io, out, err } = streams()
  let started: (d: DaemonHandle) => void = () => {}
  const ready = new Promise<DaemonHandle>((done) => (started = done))
  const command = createStartCommand({
    ...QUIET,
    env: {},
    signals,
    exit: (code) => exits.push(code),
    onStarted: (d) => started(d),
  })
  const finished = command.run(
    ['--feed', 'sim', '--port', '0', '--sim-speed', '20', '--log-level', 'warn', ...extra],
    io,
  )
  const daemon = await Promise.race([
    ready,
    finished.then((code) => {
      throw new Error(`start ended early with ${code}: ${err()}`)
    }),
  ])
  return {
    daemon,
    signals,
    exits,
    finished: () => finished,
    async stop() {
      signals.emit('SIGINT')
      const code = await finished
      return { code, stdout: out(), stderr: err() }
    },
  }
}

/** Polls `read` until `done` holds; bounded, so a broken daemon fails instead of hanging. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let last: T | undefined
  for (let i = 0; i < 400; i++) {
    last = await read()
    if (done(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`condition not reached; last value: ${JSON.stringify(last)}`)
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? NaN : Number(line.slice(name.length + 1))
}

async function scrape(daemon: DaemonHandle): Promise<string> {
  const response = await fetch(`${daemon.url}/metrics`)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
  return response.text()
}

/** Sockets, servers and timers alive now (what would keep the process from exiting). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'TCPServerWrap' || r === 'TCPSocketWrap' || r === 'Timeout') {
      counts[r] = (counts[r] ?? 0) + 1
    }
  }
  return counts
}

/**
 * Nothing new is left alive: no more sockets, servers or timers than before. Closed handles
 * leave the list a moment after their close callback, so this polls (bounded).
 */
async function settled(before: Record<string, number>): Promise<void> {
  const within = (now: Record<string, number>): boolean =>
    Object.entries(now).every(([kind, n]) => n <= (before[kind] ?? 0))
  const after = await until(() => Promise.resolve(resources()), within).catch(() => resources())
  expect(
    within(after),
    `alive after stop: ${JSON.stringify(after)}; before: ${JSON.stringify(before)}`,
  ).toBe(true)
}

describe('tiltmeter start --feed sim', () => {
  test('serves metrics, stores rows, takes game events and stops cleanly', async () => {
    const before = resources()
    const running = await startSimDaemon()
    const { daemon } = running
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(daemon.port).toBeGreaterThan(0)
    expect(daemon.assetIds).toHaveLength(8)

    const text = await until(
      () => scrape(daemon),
      (t) =>
        metricValue(t, 'tiltmeter_frames_total') > 0 &&
        metricValue(t, 'tiltmeter_store_rows_written_total{table="book_snapshots"}') > 0,
    )
    expect(metricValue(text, 'tiltmeter_parse_errors_total')).toBe(0)
    expect(text).toMatch(/^tiltmeter_books\{health="live"\} \d+$/m)
    expect(text).toMatch(/^tiltmeter_store_queue_depth \d+$/m)
    expect(text).toMatch(/^tiltmeter_uptime_seconds /m)
    expect(text).toMatch(/^tiltmeter_stage_latency_seconds_count\{stage="receive_to_book"\} \d+$/m)

    const health = (await (await fetch(`${daemon.url}/api/health`)).json()) as Record<
      string,
      unknown
    >
    expect(health).toMatchObject({ status: 'ok', feed: 'sim', assets: 8, markets: 4 })

    // Game events: a good one is stored, a bad one is refused with every error.
    const market = daemon.markets[0]!.conditionId
    const good = await fetch(`${daemon.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ts_ms: 1_800_000_000_000, type: 'round_win', team: 'A', market }),
    })
    expect(good.status).toBe(201)
    const created = (await good.json()) as { id: number; event: Record<string, unknown> }
    expect(created.id).toBeGreaterThan(0)
    expect(created.event).toMatchObject({ type: 'round_win', market, source: 'api' })
    const bad = await fetch(`${daemon.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ts_ms: 'soon', type: 'round_win' }),
    })
    expect(bad.status).toBe(400)
    const refused = (await bad.json()) as { errors: string[] }
    expect(refused.errors.length).toBeGreaterThan(0)
    const listed = await fetch(`${daemon.url}/api/events?market=${market}`)
    expect(((await listed.json()) as { events: { id: number }[] }).events.map((e) => e.id)).toEqual(
      [created.id],
    )

    const { code, stdout, stderr } = await running.stop()
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^tiltmeter: serving http:\/\/127\.0\.0\.1:\d+ .*feed sim: 1 match, 8 of 8 tokens; sim ws ws:\/\/127\.0\.0\.1:\d+\/ws\/market/,
    )
    expect(stderr).toMatch(/stopped by SIGINT .* frames; stored \d+ book_snapshots/)
    expect(running.exits).toEqual([])

    // The store holds the rows; the capture reads back whole.
    const store = await openStore({ dataDir: join(dir, 'data') })
    try {
      const snapshots = await store.kysely
        .selectFrom('book_snapshots')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      expect(Number(snapshots.n)).toBeGreaterThan(0)
      expect(await store.getMarket(market)).not.toBeNull()
    } finally {
      await store.close()
    }
    const files = readdirSync(join(dir, 'data', 'captures'))
    expect(files.length).toBe(1)
    let frames = 0
    const summary = await readCaptureFile(join(dir, 'data', 'captures', files[0]!), (r) => {
      if (r.kind === 'frame') frames++
    })
    expect(summary.warnings).toBe(0)
    expect(frames).toBeGreaterThan(0)
    await settled(before)
  })

  test('a second signal exits at once', async () => {
    const running = await startSimDaemon(['--no-capture'])
    running.signals.emit('SIGTERM')
    running.signals.emit('SIGINT')
    const code = await running.finished()
    expect(running.exits).toEqual([130])
    expect(code).toBe(0)
  })

  test('a taken port is a clear error and nothing is left running', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done))
    const port = (blocker.address() as { port: number }).port
    const before = resources()
    try {
      const { io, err } = streams()
      const code = await createStartCommand({ ...QUIET, env: {} }).run(
        ['--feed', 'sim', '--port', String(port), '--log-level', 'silent'],
        io,
      )
      expect(code).toBe(1)
      expect(err()).toContain(
        `tiltmeter start: port ${port} on 127.0.0.1 is in use: stop what holds it, or choose another with --port`,
      )
      await settled(before)
    } finally {
      await new Promise((done) => blocker.close(done))
    }
  })
})

describe('tiltmeter start with other feeds', () => {
  async function startWith(args: readonly string[], deps: Partial<StartDeps> = {}) {
    const signals = new EventEmitter()
    const { io, out, err } = streams()
    let started: (d: DaemonHandle) => void = () => {}
    const ready = new Promise<DaemonHandle>((done) => (started = done))
    const finished = createStartCommand({
      ...QUIET,
      env: {},
      signals,
      onStarted: (d) => started(d),
      ...deps,
    }).run(['--port', '0', '--log-level', 'silent', ...args], io)
    const daemon = await Promise.race([
      ready,
      finished.then((code): never => {
        throw new Error(`start ended early with ${code}: ${err()}`)
      }),
    ])
    return {
      daemon,
      stop: async () => {
        signals.emit('SIGTERM')
        return { code: await finished, stdout: out(), stderr: err() }
      },
    }
  }

  test('--feed polymarket against a venue at configured URLs (here the simulator)', async () => {
    const sim = await startSim({ seed: 3, speed: 20, startMs: Date.now() })
    try {
      writeFileSync(
        join(dir, 'tiltmeter.config.json'),
        JSON.stringify({
          venue: { wsUrl: sim.wsUrl, restUrl: sim.restUrl, gammaUrl: sim.gammaUrl },
          capture: false,
        }),
      )
      const { daemon, stop } = await startWith(['--sport', 'valorant'])
      expect(daemon.sim).toBeNull()
      expect(daemon.assetIds).toEqual(sim.scenario.assetIds())
      await until(
        () => scrape(daemon),
        (t) => metricValue(t, 'tiltmeter_books{health="live"}') === 8,
      )
      const { code, stdout } = await stop()
      expect(code).toBe(0)
      expect(stdout).toContain(`feed polymarket: 8 tokens from ${sim.wsUrl}`)
    } finally {
      await sim.close()
    }
  })

  test('--feed replay:<path> plays a recording through the same path and keeps serving', async () => {
    const fixture = join(
      import.meta.dirname,
      '../../../test/fixtures/polymarket/ws_book_price_change_burst_2026-09-29.json',
    )
    const { daemon, stop } = await startWith([`--feed`, `replay:${fixture}`])
    await daemon.feed.finished
    const text = await scrape(daemon)
    expect(metricValue(text, 'tiltmeter_frames_total')).toBeGreaterThan(0)
    const health = (await (await fetch(`${daemon.url}/api/health`)).json()) as {
      feed: string
      books: Record<string, number>
    }
    expect(health.feed).toBe('replay')
    expect((health.books.live ?? 0) + (health.books.stale ?? 0)).toBeGreaterThan(0)
    const { code, stdout } = await stop()
    expect(code).toBe(0)
    expect(stdout).toContain(`feed replay: ${fixture}`)
  })

  test('a venue that cannot be reached stops startup with what to do', async () => {
    const { io, err } = streams()
    const code = await createStartCommand({
      ...QUIET,
      env: {},
      http: { retries: 0, timeoutMs: 2_000 },
    }).run(
      [
        '--port',
        '0',
        '--sport',
        'valorant',
        '--gamma-url',
        'http://127.0.0.1:1',
        '--log-level',
        'silent',
      ],
      io,
    )
    expect(code).toBe(1)
    expect(err()).toMatch(
      /^tiltmeter start: cannot reach Gamma at http:\/\/127\.0\.0\.1:1 .*--assets/m,
    )
  })
})

describe('tiltmeter start: configuration and usage', () => {
  async function run(args: readonly string[], env: Record<string, string> = {}) {
    const { io, out, err } = streams()
    const code = await createStartCommand({ ...QUIET, env }).run(args, io)
    return { code, stdout: out(), stderr: err() }
  }

  test('a bad config file stops startup, naming the file and key', async () => {
    const path = join(dir, 'tiltmeter.config.json')
    writeFileSync(path, JSON.stringify({ port: 7300, snapshotIntervalMS: 10 }))
    const result = await run(['--feed', 'sim', '--port', '0'])
    expect(result.code).toBe(1)
    expect(result.stderr.startsWith(`tiltmeter start: config file ${path}: `)).toBe(true)
    expect(result.stderr).toMatch(
      /unknown key "snapshotIntervalMS"; known keys are port, host, dataDir, databaseUrl, captureDir, capture, snapshotIntervalMs, storeQueueMax, logLevel, venue, signals, risk, accessToken\b.*\n$/,
    )
    expect(result.stdout).toBe('')
  })

  test('a bad signals section names the file and the setting', async () => {
    const path = join(dir, 'custom.json')
    writeFileSync(path, JSON.stringify({ signals: { defaults: {} } }))
    const result = await run(['--feed', 'sim', '--port', '0', '--config', path])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      new RegExp(
        `^tiltmeter start: config file ${path}: signals\\.defaults is not a known setting`,
      ),
    )
  })

  test('a database that cannot be opened stops startup with the reason', async () => {
    const result = await run(['--feed', 'sim', '--port', '0', '--log-level', 'silent'], {
      DATABASE_URL: 'mysql://localhost/x',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^tiltmeter start: cannot open the store: DATABASE_URL must start with postgres:\/\//,
    )
  })

  test('a database whose migrations fail stops startup, naming it', async () => {
    mkdirSync(join(dir, 'data'))
    writeFileSync(
      join(dir, 'data', 'tiltmeter.sqlite'),
      'this is not a database file at all'.repeat(100),
    )
    const result = await run(['--feed', 'sim', '--port', '0', '--log-level', 'silent'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^tiltmeter start: cannot open the store: .*tiltmeter\.sqlite/)
    expect(result.stdout).toBe('')
  })

  test('a non-loopback host needs a usable access token before anything listens', async () => {
    mkdirSync(join(dir, 'data'))
    writeFileSync(join(dir, 'data', 'access-token'), 'short\n')
    const result = await run(['--feed', 'sim', '--host', '0.0.0.0', '--log-level', 'silent'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/access token file .*access-token does not hold a token/)
  })

  test.each([
    [['--feed', 'bogus'], /--feed must be polymarket, sim or replay:<path>; got "bogus"/],
    [[], /say what to watch: --markets/],
    [
      ['--feed', 'polymarket', '--sim-matches', '2', '--sport', 'valorant'],
      /--sim-matches needs --feed sim/,
    ],
    [
      ['--feed', 'sim', '--sim-matches', '0'],
      /--sim-matches must be a whole number from 1 to 1000/,
    ],
    [['--feed', 'sim', '--sim-speed', 'fast'], /--sim-speed must be a number above 0/],
    [['--feed', 'replay:x', '--sport', 'valorant'], /do not apply to a replay/],
    [['--sport', 'chess'], /--sport must be one of valorant/],
    [['--assets', '12,abc'], /--assets: "abc" is not a CLOB token id/],
    [['--feed', 'sim', '--port', 'x'], /--port "x" is not a port/],
    [['--bogus'], /Unknown option '--bogus'/],
    [
      ['--feed', 'sim', '--venue', 'bogus'],
      /--venue must be paper, sim or polymarket; got "bogus"/,
    ],
    [
      ['--venue', 'polymarket', '--sport', 'valorant'],
      /--venue polymarket sends real orders with real money: add --live/,
    ],
    [
      ['--feed', 'sim', '--live'],
      /--live only applies to --venue polymarket \(the venue is paper\)/,
    ],
    [['--feed', 'sim', '--venue', 'sim', '--live'], /--live only applies to --venue polymarket/],
    [
      ['--feed', 'sim', '--venue', 'polymarket', '--live'],
      /--venue polymarket needs --feed polymarket/,
    ],
    [['--feed', 'replay:x', '--venue', 'sim'], /--venue sim needs a simulator to trade with/],
  ])('usage error for %j', async (args, message) => {
    await expect(run(args)).rejects.toThrow(message)
  })

  test('--live without credentials in the environment is refused before anything starts', async () => {
    const result = await run(['--venue', 'polymarket', '--live', '--sport', 'valorant'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^tiltmeter start: --live: .*POLYMARKET_PRIVATE_KEY/)
    expect(result.stdout).toBe('')
  })

  test('--live with a malformed key names the variable, never the value', async () => {
    const result = await run(['--venue', 'polymarket', '--live', '--sport', 'valorant'], {
      POLYMARKET_PRIVATE_KEY: '0xnot-a-key-1234',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/POLYMARKET_PRIVATE_KEY/)
    expect(result.stderr).not.toContain('not-a-key-1234')
  })

  test('--venue sim refuses venue URLs beyond this machine (its test wallet goes nowhere else)', async () => {
    const result = await run(['--venue', 'sim', '--sport', 'valorant'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /--venue sim trades with a test wallet and only talks to a simulator on 127\.0\.0\.1, but the REST URL is https:\/\/clob\.polymarket\.com/,
    )
  })

  test('the usage text names the venues, --live and the credential variables', () => {
    const usage = createStartCommand().usage
    expect(usage).toContain('--venue sim')
    expect(usage).toContain('--live')
    for (const name of [
      'POLYMARKET_PRIVATE_KEY',
      'POLYMARKET_SIGNATURE_TYPE',
      'POLYMARKET_FUNDER_ADDRESS',
      'POLYMARKET_API_KEY',
      'POLYMARKET_API_SECRET',
      'POLYMARKET_API_PASSPHRASE',
    ]) {
      expect(usage).toContain(name)
    }
  })
})

describe('tiltmeter start --venue sim', () => {
  test('trades on the simulator through the live adapter and prints the limits in force', async () => {
    const running = await startSimDaemon(['--venue', 'sim'])
    expect(running.daemon.trading?.venueName).toBe('sim')
    expect(running.daemon.trading?.reconciled()).toBe(true)
    const { code, stdout } = await running.stop()
    expect(code).toBe(0)
    const lines = stdout.split('\n')
    expect(lines[0]).toMatch(/^tiltmeter: serving /)
    expect(lines[1]).toMatch(
      /^tiltmeter: open http:\/\/127\.0\.0\.1:\d+\/ for the trading terminal/,
    )
    expect(lines[2]).toMatch(
      /^tiltmeter: trading on sim \(the simulator, test wallet\): polymarket live: signer 0x/,
    )
    expect(stdout).toContain('tiltmeter: risk limits in force:')
    expect(stdout).toMatch(/max position per market +\$1,000/)
  })

  test('paper is the default, and says so', async () => {
    const running = await startSimDaemon()
    expect(running.daemon.trading?.venueName).toBe('paper')
    const { stdout } = await running.stop()
    expect(stdout).toContain('tiltmeter: trading on paper')
  })
})
