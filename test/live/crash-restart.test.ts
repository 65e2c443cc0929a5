/**
 * Crash and restart on the order path: the daemon runs as a child process trading with the
 * simulator (run here, so the venue outlives it); it is killed with SIGKILL at a chosen stage of
 * an order (stored, signed, answered, applied, and with an order resting), then started again on
 * the same store. After each restart nothing is lost (every order the simulator received is
 * stored under its client id with the venue's outcome; positions equal the simulator's wallet)
 * and nothing is sent twice (resending a client id sends nothing; the simulator's order log has
 * each order once). Five kill points, loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSim, type SimHandle } from '../../src/adapters/sim/sim-server.js'
import { simWalletCredentials } from '../../src/app/daemon/trading-text.js'
import { formatPrice, type PriceTicks } from '../../src/domain/units.js'
import { call, until, type Row } from './support.js'

const CHILD = join(import.meta.dirname, 'crash-child.ts')
const WALLET = privateKeyToAccount(simWalletCredentials().privateKey).address

type Child = {
  readonly proc: ChildProcess
  readonly url: string
  /** Resolves when the child prints `HOLD` (it reached the kill stage). */
  readonly held: Promise<void>
}

let sim: SimHandle
let dir: string
const received: { id: string; tokenId: string }[] = []
const children: ChildProcess[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tiltmeter-crash-'))
  sim = await startSim({
    seed: 7,
    speed: 1,
    startMs: Date.now(),
    trading: {
      minedAfterMs: 30,
      confirmedAfterMs: 30,
      heartbeatTimeoutMs: 2000,
      startingCollateral: 100_000_000_000,
    },
  })
  // the simulator's order log: every order that reached its matching engine
  const engine = sim.trading.engine
  const submit = engine.submit.bind(engine)
  engine.submit = (input, faults) => {
    received.push({ id: input.id, tokenId: input.order.tokenId })
    return submit(input, faults)
  }
})

afterAll(async () => {
  for (const proc of children) if (proc.exitCode === null) proc.kill('SIGKILL')
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
})

function spawnChild(crashAt: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      CRASH_DATA_DIR: dir,
      CRASH_REST: sim.restUrl,
      CRASH_WS: sim.wsUrl,
      CRASH_GAMMA: sim.gammaUrl,
      CRASH_AT: crashAt,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(proc)
  let stderr = ''
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const lines = createInterface({ input: proc.stdout })
  let onHold: () => void = () => {}
  const held = new Promise<void>((done) => (onHold = done))
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`the daemon did not start within 30 s: ${stderr}`))
    }, 30_000)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the daemon exited with ${code} before it was ready: ${stderr}`))
    })
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer)
        resolve({ proc, url: line.slice('READY '.length), held })
      } else if (line === 'HOLD') {
        onHold()
      }
    })
  })
}

async function kill(child: Child): Promise<void> {
  const gone = new Promise<void>((done) => child.proc.once('exit', () => done()))
  child.proc.kill('SIGKILL')
  await gone
}

async function liveToken(url: string): Promise<{ tokenId: string; bid: PriceTicks }> {
  return until('a token with a book', async () => {
    for (const id of sim.scenario.assetIds()) {
      const book = sim.trueBook(id)
      if (book?.bestBid() !== null && book?.bestAsk() !== null && book !== undefined) {
        const order = await call(`${url}/api/orders/preview`, 'POST', {
          token_id: id,
          side: 'buy',
          type: 'market',
          size: '5',
        })
        if (order.status === 200) return { tokenId: id, bid: book.bestBid()! }
      }
    }
    return null
  })
}

/** What must hold after every restart. */
async function checkConsistent(url: string): Promise<void> {
  const { body } = await call(`${url}/api/orders`)
  const orders = body.orders as Row[]
  // each order reached the engine at most once, and each one that did is stored
  const ids = received.map((r) => r.id)
  expect(new Set(ids).size).toBe(ids.length)
  for (const id of ids) {
    expect(orders.filter((o) => o.venue_order_id === id)).toHaveLength(1)
  }
  // positions equal the simulator's wallet, token by token
  const wallet = sim.trading.engine.wallet(WALLET)
  const positions = await until('fills to be stored', async () => {
    const p = (await call(`${url}/api/positions`)).body.positions as Row[]
    const mine = new Map(p.map((row) => [String(row.token_id), Number(row.size)]))
    for (const [token, shares] of wallet.tokens) {
      if ((mine.get(token) ?? 0) !== shares / 1e6) return null
    }
    return mine
  })
  for (const [token, size] of positions) {
    expect((wallet.tokens.get(token) ?? 0) / 1e6).toBe(size)
  }
}

async function orderRow(url: string, id: string): Promise<Row> {
  const { body } = await call(`${url}/api/orders`)
  const found = (body.orders as Row[]).find((o) => o.id === id)
  if (found === undefined) throw new Error(`order ${id} is not stored`)
  return found
}

describe('crash and restart on the order path', () => {
  it('loses nothing and sends nothing twice, whichever stage the process dies at', async () => {
    const points = [
      { stage: 'submit', id: 'c-submit', kind: 'market' },
      { stage: 'signed', id: 'c-signed', kind: 'market' },
      { stage: 'answered', id: 'c-answered', kind: 'market' },
      { stage: 'applied', id: 'c-applied', kind: 'market' },
      { stage: 'applied', id: 'c-resting', kind: 'limit' },
    ] as const
    let child = await spawnChild(`${points[0].stage}:${points[0].id}`)
    for (let i = 0; i < points.length; i++) {
      const point = points[i]!
      const { tokenId, bid } = await liveToken(child.url)
      const body =
        point.kind === 'market'
          ? { token_id: tokenId, side: 'buy', type: 'market', size: '5' }
          : {
              token_id: tokenId,
              side: 'buy',
              type: 'limit',
              size: '5',
              price: formatPrice(Math.max(100, bid - 1000) as PriceTicks),
            }
      const sentBefore = received.length
      // the answer never comes: the process is killed while it holds
      void call(`${child.url}/api/orders`, 'POST', { ...body, client_order_id: point.id }).catch(
        () => undefined,
      )
      await child.held
      await kill(child)
      const reached = received.length > sentBefore
      // killed before the send, nothing reached the venue; after it, the order did
      expect(reached).toBe(point.stage !== 'submit' && point.stage !== 'signed')

      const next = points[i + 1]
      child = await spawnChild(next === undefined ? '' : `${next.stage}:${next.id}`)
      const row = await until(`order ${point.id} to settle after the restart`, async () => {
        const r = await orderRow(child.url, point.id)
        return r.status === 'pending' ? null : r
      })
      if (!reached) {
        // never left: it stays unknown and is not resent
        expect(row).toMatchObject({ status: 'unknown', reason_code: 'NOT_AT_VENUE' })
      } else if (point.kind === 'market') {
        expect(row.venue_order_id).toBe(received.at(-1)!.id)
        expect(['filled', 'killed']).toContain(row.status)
      } else {
        const open = sim.trading.engine.openOrder(
          sim.trading.keys.keysOf(WALLET)[0]!.apiKey,
          String(row.venue_order_id),
        )
        const settled = await until('the resting order to settle', async () => {
          const r = await orderRow(child.url, point.id)
          return r.status === 'open' || r.status === 'cancelled' ? r : null
        })
        expect(settled.status).toBe(open === null ? 'cancelled' : 'open')
      }
      await checkConsistent(child.url)

      // the same client id again: answered from the store, nothing sent
      const before = received.length
      const again = await call(`${child.url}/api/orders`, 'POST', {
        ...body,
        client_order_id: point.id,
      })
      expect(again.status).toBe(200)
      expect(received.length).toBe(before)
    }
    const gone = new Promise<void>((done) => child.proc.once('exit', () => done()))
    child.proc.kill('SIGTERM')
    await gone
  }, 180_000)
})
