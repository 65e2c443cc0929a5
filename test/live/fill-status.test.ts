/**
 * Fill statuses on `--venue sim`: a fill is booked `matched` and written back `confirmed` when
 * the trade settles; a trade that fails on chain (the simulator's `trade_failed` fault) is taken
 * back from positions and cash, alerted, and trading goes on while the positions agree with the
 * venue, or halts when they do not. The account's cash is the test wallet's collateral.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { formatUsdc, type UsdcMicros } from '../../src/domain/units.js'
import {
  call,
  fillsOf,
  liveToken,
  orderReaches,
  simDaemon,
  until,
  type Row,
  type SimDaemon,
} from './support.js'

const STARTING = 100_000_000_000

let running: SimDaemon | null = null
afterEach(async () => {
  await running?.close()
  running = null
})

function walletOf(s: SimDaemon): { usd: number; tokens: Map<string, number> } {
  return s.daemon.sim!.trading.engine.wallet(s.daemon.trading!.venue!.account.funder)
}

async function cashOf(s: SimDaemon): Promise<string> {
  const { body } = await call(`${s.daemon.url}/api/positions`)
  return String(body.cash_usdc)
}

async function riskMode(s: SimDaemon): Promise<string> {
  const { body } = await call(`${s.daemon.url}/api/risk`)
  return String((body.global as Row).mode)
}

function buy(s: SimDaemon, tokenId: string, id: string): Promise<{ status: number; body: Row }> {
  return call(`${s.daemon.url}/api/orders`, 'POST', {
    token_id: tokenId,
    side: 'buy',
    type: 'market',
    size: '5',
    client_order_id: id,
  })
}

describe('fill statuses on the sim venue', () => {
  it('cash is the wallet balance; a settled fill becomes confirmed', async () => {
    const s = (running = await simDaemon())
    const { daemon } = s
    expect(daemon.trading!.banner).toContain(
      `tiltmeter: cash: the funder's collateral balance at the venue, read at each reconciliation (now ${formatUsdc(STARTING as UsdcMicros)} USDC)`,
    )
    expect(await cashOf(s)).toBe(formatUsdc(STARTING as UsdcMicros))
    const tokenId = await liveToken(daemon)
    await buy(s, tokenId, 'c-1')
    await orderReaches(daemon, 'c-1', ['filled'])
    // GET /api/fills reads the store: the status was written back
    const fills = await until('the fills to be confirmed', async () => {
      const f = await fillsOf(daemon, 'c-1')
      return f.length > 0 && f.every((x) => x.status === 'confirmed') ? f : null
    })
    expect(fills.length).toBeGreaterThan(0)
    // the wallet moved; the next reconciliation takes its balance over
    walletOf(s).usd -= 1_000_000
    expect(await daemon.trading!.reconcile()).toBe(true)
    expect(await cashOf(s)).toBe(formatUsdc(walletOf(s).usd as UsdcMicros))
  })

  it('a trade that fails on chain is taken back and trading goes on', async () => {
    const s = (running = await simDaemon())
    const { daemon } = s
    const tokenId = await liveToken(daemon)
    const cashBefore = await cashOf(s)
    daemon.sim!.trading.faults.forceNext('trade_failed')
    const placed = await buy(s, tokenId, 'tf-1')
    expect(placed.body.order).toMatchObject({ id: 'tf-1', status: 'filled' })
    const failed = await until('the fills to fail', async () => {
      const f = await fillsOf(daemon, 'tf-1')
      return f.length > 0 && f.every((x) => x.status === 'failed') ? f : null
    })
    const tradeId = String(failed[0]!.id).split(':')[0]!
    await until('the position to go', async () => {
      const { body } = await call(`${daemon.url}/api/positions`)
      return (body.positions as Row[]).length === 0 ? true : null
    })
    expect(await cashOf(s)).toBe(cashBefore)
    expect(walletOf(s).tokens.get(tokenId) ?? 0).toBe(0)
    const order = await orderReaches(daemon, 'tf-1', ['filled'])
    expect(order).toMatchObject({ filled: '0', reason_code: 'TRADE_FAILED' })
    const alert = daemon.trading!.alerts.recent().find((a) => a.code === 'TRADE_FAILED')
    expect(alert).toMatchObject({ severity: 'critical' })
    expect(alert!.message).toContain(tradeId)
    expect(alert!.message).toContain('taken back')
    // the check after the reversal found the venue in agreement: not halted
    await daemon.trading!.orders.settled()
    expect(await riskMode(s)).toBe('active')
    expect(await daemon.trading!.reconcile()).toBe(true)
    expect(await riskMode(s)).toBe('active')
    expect(daemon.trading!.alerts.recent().filter((a) => a.code === 'TRADE_FAILED')).toHaveLength(1)

    // the next order trades as usual
    await buy(s, tokenId, 'tf-2')
    await orderReaches(daemon, 'tf-2', ['filled'])
    expect(await riskMode(s)).toBe('active')
  })

  it('a failed trade that leaves the position unlike the venue halts trading', async () => {
    const s = (running = await simDaemon({ minedAfterMs: 400, confirmedAfterMs: 400 }))
    const { daemon } = s
    const tokenId = await liveToken(daemon)
    daemon.sim!.trading.faults.forceNext('trade_failed')
    await buy(s, tokenId, 'tf-odd')
    await orderReaches(daemon, 'tf-odd', ['filled'])
    // shares arrive in the wallet that no fill explains, before the trade fails
    const held = walletOf(s).tokens.get(tokenId) ?? 0
    walletOf(s).tokens.set(tokenId, held + 1_000_000)
    await until('the fills to fail', async () => {
      const f = await fillsOf(daemon, 'tf-odd')
      return f.length > 0 && f.every((x) => x.status === 'failed') ? f : null
    })
    await until('trading to halt', async () => ((await riskMode(s)) === 'halted' ? true : null))
    const { body } = await call(`${daemon.url}/api/risk`)
    expect(JSON.stringify(body.global)).toContain('VENUE_MISMATCH')
    const mismatch = daemon.trading!.alerts.recent().find((a) => a.code === 'VENUE_MISMATCH')
    expect(mismatch?.severity).toBe('critical')
    expect(mismatch?.message).toContain('the venue holds 1 shares, the stored fills say 0')
  })
})
