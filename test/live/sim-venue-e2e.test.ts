/**
 * The daemon on `--feed sim --venue sim`: orders go through the live venue adapter and the
 * official @polymarket/clob-client-v2 to the simulator's exchange (signatures and HMAC checked
 * as the venue does), and come back over the user channel. Loopback only, bounded.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { formatPrice, type PriceTicks } from '../../src/domain/units.js'
import {
  call,
  fillsOf,
  liveToken,
  orderOf,
  orderReaches,
  simDaemon,
  until,
  type Row,
  type SimDaemon,
} from './support.js'

let running: SimDaemon | null = null
afterEach(async () => {
  await running?.close()
  running = null
})

async function start(simTrading = {}): Promise<SimDaemon> {
  running = await simDaemon(simTrading)
  return running
}

function walletOf(s: SimDaemon): { usd: number; tokens: Map<string, number> } {
  return s.daemon.sim!.trading.engine.wallet(s.daemon.trading!.venue!.account.funder)
}

function openAtSim(s: SimDaemon): string[] {
  const apiKey = s.daemon.trading!.venue!.account.apiKey
  return s.daemon.sim!.trading.engine.openOrders(apiKey).map((o) => o.id)
}

describe('sim venue end to end', () => {
  it('starts reconciled, rests a limit order, cancels it', async () => {
    const s = await start()
    const { daemon } = s
    expect(daemon.trading?.venueName).toBe('sim')
    expect(daemon.trading?.reconciled()).toBe(true)
    const risk = await call(`${daemon.url}/api/risk`)
    expect((risk.body.global as Row).mode).toBe('active')
    const tokenId = await liveToken(daemon)
    const bid = daemon.feed.market.books.get(tokenId)!.bestBid()!
    const price = Math.max(100, bid - 1000) as PriceTicks
    const placed = await call(`${daemon.url}/api/orders`, 'POST', {
      token_id: tokenId,
      side: 'buy',
      type: 'limit',
      size: '5',
      price: formatPrice(price),
      client_order_id: 'rest-1',
    })
    expect(placed.status).toBe(201)
    expect(placed.body.order).toMatchObject({ id: 'rest-1', status: 'open' })
    const venueId = String((placed.body.order as Row).venue_order_id)
    expect(venueId).toMatch(/^0x[0-9a-f]{64}$/)
    expect(openAtSim(s)).toEqual([venueId])

    const cancelled = await call(`${daemon.url}/api/orders/rest-1`, 'DELETE')
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.order).toMatchObject({ id: 'rest-1', status: 'cancelled' })
    expect(openAtSim(s)).toEqual([])
  })

  it('fills a market order through the in-play delay, booked like the venue counts it', async () => {
    const s = await start({ inPlayDelayMs: 300 })
    const { daemon } = s
    const tokenId = await liveToken(daemon)
    const placed = await call(`${daemon.url}/api/orders`, 'POST', {
      token_id: tokenId,
      side: 'buy',
      type: 'market',
      size: '5',
      client_order_id: 'mkt-1',
    })
    expect(placed.status).toBe(201)
    expect(placed.body.order).toMatchObject({ id: 'mkt-1', status: 'delayed' })
    const done = await orderReaches(daemon, 'mkt-1', ['filled', 'killed'])
    expect(done.status).toBe('filled')
    const fills = await until('the fills', async () => {
      const f = await fillsOf(daemon, 'mkt-1')
      return f.length > 0 ? f : null
    })
    expect(fills[0]).toMatchObject({ token_id: tokenId, side: 'buy', liquidity: 'taker' })
    const booked = fills.reduce((sum, f) => sum + Number(f.size), 0)
    expect(booked).toBeGreaterThanOrEqual(5)
    const held = await daemon.trading!.venue!.tokenBalance(tokenId as never)
    expect(held / 1e6).toBeCloseTo(booked, 6)
    expect(walletOf(s).tokens.get(tokenId)).toBe(held)
    const positions = await call(`${daemon.url}/api/positions`)
    expect(positions.body.positions).toEqual([
      expect.objectContaining({ token_id: tokenId, size: String(booked) }),
    ])
  })

  it('handles the venue faults: rejection, 425 retry, 503 post-only window, timeout, partial fill', async () => {
    const s = await start({ postOnlyRetryAfterS: 1 })
    const { daemon } = s
    const faults = daemon.sim!.trading.faults
    const tokenId = await liveToken(daemon)
    const buy = (id: string, extra: Row = {}) =>
      call(`${daemon.url}/api/orders`, 'POST', {
        token_id: tokenId,
        side: 'buy',
        type: 'market',
        size: '5',
        client_order_id: id,
        ...extra,
      })

    // a plain refusal: not enough balance on a BUY is not retried
    faults.forceNext('order_reject')
    const rejected = await buy('f-reject')
    expect(rejected.body.order).toMatchObject({
      status: 'rejected',
      reason_code: 'INSUFFICIENT_BALANCE',
    })

    // 425: the same signed order is sent again and goes through
    faults.forceNext('order_425')
    faults.forceNext('order_425')
    const retried = await buy('f-425')
    expect(retried.body.order).toMatchObject({ status: 'filled' })
    expect(faults.stats().order_425).toBe(2)

    // 503 post-only mode: refused, then refused locally until the window ends
    faults.forceNext('order_503')
    const windowed = await buy('f-503')
    expect(windowed.body.order).toMatchObject({ status: 'rejected', reason_code: 'POST_ONLY_MODE' })
    const local = await buy('f-503b')
    expect(local.body.order).toMatchObject({ status: 'rejected', reason_code: 'POST_ONLY_MODE' })
    expect(faults.stats().order_503).toBe(1)
    const after = await until('the post-only window to end', async () => {
      const answer = await buy(`f-503-${Date.now()}`)
      return (answer.body.order as Row).status === 'filled' ? answer : null
    })
    expect(after.body.order).toMatchObject({ status: 'filled' })

    // no answer, but the order was placed: unknown, then settled by looking it up
    faults.forceNext('order_timeout', true)
    const lost = await buy('f-timeout')
    expect(lost.body.order).toMatchObject({ status: 'unknown', reason_code: 'VENUE_ERROR' })
    const found = await orderReaches(daemon, 'f-timeout', ['filled', 'killed'])
    expect(found.status).toBe('filled')
    expect((await fillsOf(daemon, 'f-timeout')).length).toBeGreaterThan(0)

    // no answer and not placed: unknown, then not placed
    faults.forceNext('order_timeout', false)
    await buy('f-timeout-lost')
    const absent = await orderReaches(daemon, 'f-timeout-lost', ['rejected'])
    expect(absent.reason_code).toBe('NOT_PLACED')
    expect(await fillsOf(daemon, 'f-timeout-lost')).toEqual([])

    // partial fill: a FAK that meets half the liquidity is killed after its partial fill
    const cut = await until('a partial fill', async () => {
      const book = daemon.sim!.trueBook(tokenId)!
      const ask = book.bestAsk()!
      const size = Math.floor(book.sizeAt('ask', ask) / 1e6)
      faults.forceNext('partial_fill')
      const id = `f-partial-${Date.now()}`
      await call(`${daemon.url}/api/orders`, 'POST', {
        token_id: tokenId,
        side: 'buy',
        type: 'market',
        size: String(size),
        price: formatPrice(ask),
        client_order_id: id,
      })
      const order = await orderReaches(daemon, id, ['killed', 'filled', 'rejected'])
      return order.status === 'killed' ? { order, size } : null
    })
    expect(Number(cut.order.filled)).toBeGreaterThan(0)
    expect(Number(cut.order.filled)).toBeLessThan(cut.size)

    // the account still matches the venue
    expect(await daemon.trading!.reconcile()).toBe(true)
    const risk = await call(`${daemon.url}/api/risk`)
    expect((risk.body.global as Row).mode).toBe('active')
    expect(await orderOf(daemon, 'f-425')).toMatchObject({ status: 'filled' })
  })

  it('sells right after a buy: a stale balance is refreshed and the sell retried once', async () => {
    const s = await start()
    const { daemon } = s
    const tokenId = await liveToken(daemon)
    await call(`${daemon.url}/api/orders`, 'POST', {
      token_id: tokenId,
      side: 'buy',
      type: 'market',
      size: '10',
      client_order_id: 'b-1',
    })
    await orderReaches(daemon, 'b-1', ['filled'])
    daemon.sim!.trading.faults.forceNext('order_reject')
    const sell = await call(`${daemon.url}/api/orders`, 'POST', {
      token_id: tokenId,
      side: 'sell',
      type: 'market',
      size: '5',
      client_order_id: 's-1',
    })
    expect(sell.body.order).toMatchObject({ status: 'filled' })
    expect(daemon.sim!.trading.faults.stats().order_reject).toBe(1)
  })
})
