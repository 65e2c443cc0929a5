/**
 * A throwaway PostgreSQL 15 server for tests: initdb into a temp directory, listen on
 * 127.0.0.1 at a free port (socket files stay inside the temp directory), wait until it
 * accepts connections, and on stop kill it and remove the directory.
 *
 * Missing server binaries are a test failure that says what to install, not a skip; set
 * TILTMETER_SKIP_PG=1 to skip the PostgreSQL tests deliberately.
 */
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, chownSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export const PG_BIN_DIR = process.env.TILTMETER_PG_BIN ?? '/usr/lib/postgresql/15/bin'
export const PG_SKIPPED = process.env.TILTMETER_SKIP_PG === '1'

const READY_ATTEMPTS = 200
const READY_DELAY_MS = 100

export type PgCluster = {
  readonly port: number
  /** A URL for `database` on this server (user `postgres`, trust auth). */
  url(database?: string): string
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>
  stop(): Promise<void>
}

/**
 * The server refuses to run as root: when we are root, child processes run as the `postgres`
 * user (same effect as `runuser -u postgres`, but signals reach the server itself).
 */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  return process.getuid?.() === 0 ? { uid: idOf('-u'), gid: idOf('-g') } : {}
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function startPgCluster(binDir: string = PG_BIN_DIR): Promise<PgCluster> {
  const initdb = join(binDir, 'initdb')
  const postgres = join(binDir, 'postgres')
  if (!existsSync(initdb) || !existsSync(postgres)) {
    throw new Error(
      `PostgreSQL server binaries not found in ${binDir}: install PostgreSQL 15 ` +
        '(Debian: apt-get install postgresql) or set TILTMETER_SKIP_PG=1 to skip these tests',
    )
  }
  const root = mkdtempSync(join(tmpdir(), 'tiltmeter-pg-'))
  let child: ChildProcess | undefined
  const output: string[] = []
  const cleanup = (): void => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  }
  process.once('exit', cleanup)
  try {
    const user = postgresUser()
    if ('uid' in user) chownSync(root, user.uid, user.gid)
    const dataDir = join(root, 'data')
    execFileSync(
      initdb,
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { stdio: 'pipe', cwd: root, ...user },
    )

    const port = await freePort()
    const args = [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      root,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ]
    child = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, ...user })
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    const url = (database = 'postgres'): string =>
      `postgres://postgres@127.0.0.1:${port}/${database}`

    await waitUntilReady(url(), child, output)
    const running = child
    return {
      port,
      url,
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: url() })
        await client.connect()
        try {
          await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
        } finally {
          await client.end()
        }
        return url(name)
      },
      async stop() {
        process.removeListener('exit', cleanup)
        if (running.exitCode === null) {
          const exited = new Promise((resolve) => running.once('exit', resolve))
          // SIGQUIT is PostgreSQL's immediate shutdown; the data is thrown away anyway.
          running.kill('SIGQUIT')
          await exited
        }
        rmSync(root, { recursive: true, force: true })
      },
    }
  } catch (e) {
    process.removeListener('exit', cleanup)
    cleanup()
    const log = output.join('').trim().split('\n').slice(-5).join('\n')
    throw new Error(`could not start a test PostgreSQL server: ${String(e)}\n${log}`, { cause: e })
  }
}

async function waitUntilReady(url: string, child: ChildProcess, output: string[]): Promise<void> {
  let lastError: unknown
  for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
    if (child.exitCode !== null) {
      throw new Error(`postgres exited with code ${child.exitCode}: ${output.join('').trim()}`)
    }
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch (e) {
      lastError = e
      // The connect failure is the error worth reporting; a failed end adds nothing to it.
      await client.end().catch(() => undefined)
      await delay(READY_DELAY_MS)
    }
  }
  throw new Error(`postgres did not accept connections in time: ${String(lastError)}`)
}
