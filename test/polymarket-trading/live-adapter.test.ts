/**
 * The live adapter (`PolymarketTrading`, over the official client) against the simulator's
 * trading side: the same code path as production, with the public Hardhat/Anvil test key #0
 * (never a real key) and the simulator on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startSim, type SimHandle } from '../../src/adapters/sim/sim-server.js'
import type { TradingOptions } from '../../src/adapters/sim/trading/sim-trading.js'
import {
  credentialsFromEnv,
  type TradingCredentials,
} from '../../src/adapters/polymarket/trading/credentials.js'
import {
  PolymarketTrading,
  TradingCallError,
  type PlaceResult,
} from '../../src/adapters/polymarket/trading/polymarket-trading.js'
import type {
  UserChannel,
  UserChannelEvent,
  UserOrderEvent,
  UserTradeEvent,
} from '../../src/adapters/polymarket/trading/user-channel.js'
import type { PriceTicks, ShareMicros, UsdcMicros } from '../../src/domain/units.js'

const TEST_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const TEST_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const DEADLINE_MS = 5000

const open: { close(): Promise<void> | void }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
})

async function sim(trading: TradingOptions = {}): Promise<SimHandle> {
  const handle = await startSim({
    seed: 5,
    speed: 0,
    trading: { minedAfterMs: 5, confirmedAfterMs: 5, ...trading },
  })
  open.push(handle)
  return handle
}

const ENV_CREDS: TradingCredentials = credentialsFromEnv({ POLYMARKET_PRIVATE_KEY: TEST_KEY })

type Sleeps = number[]

async function live(
  handle: SimHandle,
  credentials: TradingCredentials = ENV_CREDS,
  sleeps: Sleeps = [],
): Promise<PolymarketTrading> {
  const trading = await PolymarketTrading.connect(
    {
      restUrl: handle.restUrl,
      userWsUrl: handle.userWsUrl,
      retry425Attempts: 3,
      retry425BaseMs: 1,
      requestTimeoutMs: 3000,
      sleep: (ms) => {
        sleeps.push(ms)
        return Promise.resolve()
      },
    },
    credentials,
  )
  open.push(trading)
  return trading
}

/** Collects user-channel events; `waitFor` resolves on the first match or fails at a deadline. */
class Events {
  readonly all: UserChannelEvent[] = []
  private _waiters: {
    pred: (e: UserChannelEvent) => boolean
    done: (e: UserChannelEvent) => void
  }[] = []

  readonly onEvent = (event: UserChannelEvent): void => {
    this.all.push(event)
    this._waiters = this._waiters.filter((w) => {
      if (!w.pred(event)) return true
      w.done(event)
      return false
    })
  }

  async waitFor<T extends UserChannelEvent>(
    pred: (e: UserChannelEvent) => e is T,
    what: string,
  ): Promise<T> {
    const seen = this.all.find(pred)
    if (seen !== undefined) return seen
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no ${what} within ${DEADLINE_MS} ms; got ${JSON.stringify(this.all)}`)),
        DEADLINE_MS,
      )
      this._waiters.push({
        pred,
        done: (e) => {
          clearTimeout(timer)
          resolve(e as T)
        },
      })
    })
  }
}

async function channel(trading: PolymarketTrading): Promise<{ events: Events; ch: UserChannel }> {
  const events = new Events()
  const ch = await trading.userChannel(events.onEvent)
  open.push(ch)
  return { events, ch }
}

function isOrder(kind: string, id: string) {
  return (e: UserChannelEvent): e is UserOrderEvent =>
    e.type === 'order' && e.kind === kind && e.orderId === id
}

function isTrade(status: string, takerOrderId: string) {
  return (e: UserChannelEvent): e is UserTradeEvent =>
    e.type === 'trade' && e.status === status && e.takerOrderId === takerOrderId
}

function moneyline(handle: SimHandle) {
  return handle.scenario.events()[0]!.markets[0]!
}

function limitBuy(tokenId: string, cents: number, shares = 10) {
  return {
    kind: 'limit' as const,
    tokenId,
    side: 'buy' as const,
    price: (cents * 100) as PriceTicks,
    size: (shares * 1_000_000) as ShareMicros,
    timeInForce: 'GTC' as const,
  }
}

function marketBuy(handle: SimHandle, tokenId: string, usd: number, tif: 'FOK' | 'FAK' = 'FOK') {
  const ask = handle.trueBook(tokenId)!.bestAsk()!
  return {
    kind: 'market' as const,
    tokenId,
    side: 'buy' as const,
    spend: (usd * 1_000_000) as UsdcMicros,
    worstPrice: Math.min(9900, ask + 200) as PriceTicks,
    timeInForce: tif,
  }
}

function expectOutcome<K extends PlaceResult['outcome']>(
  result: PlaceResult,
  outcome: K,
): asserts result is Extract<PlaceResult, { outcome: K }> {
  expect(result, JSON.stringify(result)).toMatchObject({ outcome })
}

describe('PolymarketTrading against the simulator', () => {
  it('places a limit order, lists it, cancels it; the user channel reports both', async () => {
    const handle = await sim()
    const trading = await live(handle)
    expect(trading.describe()).toContain(TEST_ADDRESS)
    const { events } = await channel(trading)
    const token = moneyline(handle).tokens[0]
    const placed = await trading.placeOrder(limitBuy(token, 30))
    expectOutcome(placed, 'accepted')
    expect(placed.status).toBe('live')
    expect(placed.orderId).toMatch(/^0x[0-9a-f]{64}$/)
    const listed = await trading.openOrders()
    expect(listed).toEqual([
      expect.objectContaining({
        orderId: placed.orderId,
        tokenId: token,
        side: 'buy',
        price: 3000,
        originalSize: 10_000_000,
        sizeMatched: 0,
        status: 'LIVE',
      }),
    ])
    const placement = await events.waitFor(isOrder('PLACEMENT', placed.orderId), 'PLACEMENT')
    expect(placement).toMatchObject({ side: 'buy', price: 3000, originalSize: 10_000_000 })
    expect(await trading.cancel(placed.orderId)).toEqual({
      canceled: [placed.orderId],
      notCanceled: {},
    })
    await events.waitFor(isOrder('CANCELLATION', placed.orderId), 'CANCELLATION')
    expect(await trading.openOrders()).toEqual([])
    const again = await trading.cancel(placed.orderId)
    expect(again.notCanceled[placed.orderId]).toBe('already canceled or matched')

    const a = await trading.placeOrder(limitBuy(token, 30))
    const b = await trading.placeOrder(limitBuy(token, 31))
    expectOutcome(a, 'accepted')
    expectOutcome(b, 'accepted')
    const all = await trading.cancelAll()
    expect([...all.canceled].sort()).toEqual([a.orderId, b.orderId].sort())
    const c = await trading.placeOrder(limitBuy(token, 30))
    expectOutcome(c, 'accepted')
    expect(await trading.cancelMarket({ tokenId: token })).toEqual({
      canceled: [c.orderId],
      notCanceled: {},
    })
    expect(await trading.cancelMany([])).toEqual({ canceled: [], notCanceled: {} })
  })

  it('fills a marketable buy; trade events arrive MATCHED → MINED → CONFIRMED, then a sell right after is retried once after a balance refresh', async () => {
    const handle = await sim()
    const trading = await live(handle)
    const { events } = await channel(trading)
    const token = moneyline(handle).tokens[0]
    const ask = handle.trueBook(token)!.bestAsk()!
    const bought = await trading.placeOrder(marketBuy(handle, token, 10))
    expectOutcome(bought, 'accepted')
    expect(bought.status).toBe('matched')
    expect(bought.tradeIds).toHaveLength(1)
    await events.waitFor(isTrade('CONFIRMED', bought.orderId), 'CONFIRMED')
    const lifecycle = events.all.filter(
      (e): e is UserTradeEvent => e.type === 'trade' && e.takerOrderId === bought.orderId,
    )
    expect(lifecycle.map((e) => e.status)).toEqual(['MATCHED', 'MINED', 'CONFIRMED'])
    expect(lifecycle[0]).toMatchObject({
      tradeId: bought.tradeIds[0],
      liquidity: 'taker',
      fills: [{ orderId: bought.orderId, tokenId: token, side: 'buy', price: ask }],
    })
    expect(lifecycle[2]!.transactionHash).toMatch(/^0x[0-9a-f]{64}$/)
    const trades = await trading.trades({ id: bought.tradeIds[0]! })
    expect(trades[0]).toMatchObject({ status: 'CONFIRMED', orderIds: [bought.orderId] })

    handle.trading.faults.forceNext('order_reject')
    const sold = await trading.placeOrder({
      kind: 'market',
      tokenId: token,
      side: 'sell',
      size: 5_000_000 as ShareMicros,
      worstPrice: 100 as PriceTicks,
      timeInForce: 'FAK',
    })
    expectOutcome(sold, 'accepted')
    expect(sold.attempts).toBe(2)
    expect(sold.status).toBe('matched')

    // a buy refused for balance is not retried
    handle.trading.faults.forceNext('order_reject')
    const refused = await trading.placeOrder(limitBuy(token, 30))
    expectOutcome(refused, 'rejected')
    expect(refused).toMatchObject({ reason: 'INSUFFICIENT_BALANCE', status: 400, attempts: 1 })
  })

  it('answers delayed on an in-play market, then the match arrives on the user channel', async () => {
    const probe = await startSim({ seed: 5, speed: 0 })
    const mapCondition = probe.scenario.events()[0]!.markets[1]!.conditionId
    await probe.close()
    const handle = await sim({ inPlayDelayMs: { [mapCondition]: 30 } })
    const trading = await live(handle)
    const { events } = await channel(trading)
    const token = handle.scenario.events()[0]!.markets[1]!.tokens[0]
    const result = await trading.placeOrder(marketBuy(handle, token, 5, 'FAK'))
    expectOutcome(result, 'delayed')
    const matched = await events.waitFor(isTrade('MATCHED', result.orderId), 'delayed MATCHED')
    expect(matched.fills[0]).toMatchObject({ orderId: result.orderId, side: 'buy' })
  })

  it('types the simulator order faults: reject, 425 retried within the bound, 503 post-only window', async () => {
    const handle = await sim({ postOnlyRetryAfterS: 7 })
    const sleeps: Sleeps = []
    const trading = await live(handle, ENV_CREDS, sleeps)
    const token = moneyline(handle).tokens[0]

    handle.trading.faults.forceNext('order_425')
    handle.trading.faults.forceNext('order_425')
    const retried = await trading.placeOrder(limitBuy(token, 30))
    expectOutcome(retried, 'accepted')
    expect(retried.attempts).toBe(3)
    expect(sleeps).toEqual([1, 2])

    for (let i = 0; i < 3; i++) handle.trading.faults.forceNext('order_425')
    const gaveUp = await trading.placeOrder(limitBuy(token, 29))
    expect(gaveUp).toMatchObject({
      outcome: 'rejected',
      reason: 'ENGINE_RESTARTING',
      status: 425,
      attempts: 3,
    })

    handle.trading.faults.forceNext('order_503')
    const postOnlyMode = await trading.placeOrder(limitBuy(token, 28))
    expect(postOnlyMode).toMatchObject({
      outcome: 'rejected',
      reason: 'POST_ONLY_MODE',
      status: 503,
      retryAfterMs: 7000,
    })
    // inside the window: refused locally, nothing sent
    const local = await trading.placeOrder(limitBuy(token, 27))
    expect(local).toMatchObject({ outcome: 'rejected', reason: 'POST_ONLY_MODE', status: null })
    expect(trading.postOnlyWindowLeftMs()).toBeGreaterThan(0)
    const postOnly = await trading.placeOrder({ ...limitBuy(token, 27), postOnly: true })
    expectOutcome(postOnly, 'accepted')
    expect(handle.trading.faults.stats()).toMatchObject({ order_425: 5, order_503: 1 })
  })

  it('a dropped connection gives unknown; resolve finds the order when it was placed and nothing when not', async () => {
    const handle = await sim()
    const trading = await live(handle)
    const token = moneyline(handle).tokens[0]
    for (const placed of [true, false]) {
      handle.trading.faults.forceNext('order_timeout', placed)
      const result = await trading.placeOrder(limitBuy(token, placed ? 30 : 31))
      expectOutcome(result, 'unknown')
      expect(result.message).toMatch(/may or may not be placed/)
      expect(handle.trading.engine.knows(result.orderId)).toBe(placed)
      const resolution = await trading.resolve(result.orderId, token)
      if (placed) {
        expect(resolution).toMatchObject({ state: 'open', order: { orderId: result.orderId } })
      } else {
        expect(resolution).toEqual({ state: 'absent' })
      }
    }
    // a filled order whose answer was lost resolves to its trades
    handle.trading.faults.forceNext('order_timeout', true)
    const lost = await trading.placeOrder(marketBuy(handle, token, 5))
    expectOutcome(lost, 'unknown')
    const resolution = await trading.resolve(lost.orderId, token)
    expect(resolution.state).toBe('traded')
  })

  it('refuses off-tick, too small and sub-dollar orders before sending anything', async () => {
    const handle = await sim()
    const trading = await live(handle)
    const token = moneyline(handle).tokens[0]
    const offTick = await trading.placeOrder({ ...limitBuy(token, 30), price: 3005 as PriceTicks })
    expect(offTick).toMatchObject({ outcome: 'rejected', reason: 'OFF_TICK', status: null })
    const small = await trading.placeOrder(limitBuy(token, 30, 4))
    expect(small).toMatchObject({ outcome: 'rejected', reason: 'BELOW_MIN_SIZE', status: null })
    const fine = await trading.placeOrder({
      ...limitBuy(token, 30),
      size: 10_005_000 as ShareMicros,
    })
    expect(fine).toMatchObject({ outcome: 'rejected', reason: 'BAD_AMOUNT' })
    const dust = await trading.placeOrder({
      ...marketBuy(handle, token, 1),
      spend: 500_000 as UsdcMicros,
    })
    expect(dust).toMatchObject({ outcome: 'rejected', reason: 'BELOW_MIN_NOTIONAL' })
    const gtd = await trading.placeOrder({ ...limitBuy(token, 30), timeInForce: 'GTD' })
    expect(gtd).toMatchObject({ outcome: 'rejected', reason: 'INVALID_EXPIRATION' })
    const crossing = await trading.placeOrder({
      ...limitBuy(token, 0),
      price: handle.trueBook(token)!.bestAsk()!,
      postOnly: true,
    })
    expect(crossing).toMatchObject({
      outcome: 'rejected',
      reason: 'POST_ONLY_CROSSES',
      status: 400,
    })
    expect(await trading.openOrders()).toEqual([])
    const ask = handle.trueBook(token)!.bestAsk()!
    const tooBig = await trading.placeOrder({
      ...marketBuy(handle, token, 900),
      worstPrice: ask,
    })
    expect(tooBig).toMatchObject({ outcome: 'rejected', reason: 'FOK_NOT_FILLED', status: 400 })
    const gtdOk = await trading.placeOrder({
      ...limitBuy(token, 30),
      timeInForce: 'GTD',
      expiresAt: Date.now() + 600_000,
    })
    expectOutcome(gtdOk, 'accepted')
    expect((await trading.openOrders())[0]).toMatchObject({
      orderId: gtdOk.orderId,
      orderType: 'GTD',
    })
  })

  it('heartbeats keep orders alive; when they stop, the simulator cancels the resting orders', async () => {
    const handle = await sim({ heartbeatTimeoutMs: 300 })
    const trading = await live(handle)
    const { events } = await channel(trading)
    let beatsSeen: (() => void) | null = null
    const health = await trading.startHeartbeats({
      intervalMs: 50,
      windowMs: 300,
      // resolves once heartbeats have covered more than two venue windows
      onHealth: (h) => {
        if (h.sent >= 14) beatsSeen?.()
      },
    })
    expect(health).toMatchObject({ state: 'healthy', consecutiveFailures: 0, sent: 1 })
    const token = moneyline(handle).tokens[0]
    const placed = await trading.placeOrder(limitBuy(token, 30))
    expectOutcome(placed, 'accepted')
    await new Promise<void>((resolve, reject) => {
      if ((trading.heartbeatHealth()?.sent ?? 0) >= 14) {
        resolve()
        return
      }
      const timer = setTimeout(() => reject(new Error('heartbeats stalled')), DEADLINE_MS)
      beatsSeen = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    expect(trading.heartbeatHealth()?.state).toBe('healthy')
    expect((await trading.openOrders()).map((o) => o.orderId)).toEqual([placed.orderId])
    trading.stopHeartbeats()
    expect(trading.heartbeatHealth()?.state).toBe('stopped')
    await events.waitFor(isOrder('CANCELLATION', placed.orderId), 'heartbeat cancellation')
    expect(await trading.openOrders()).toEqual([])
  })

  it('a venue that went away: orders are not sent, reads and cancels fail with a typed error', async () => {
    const handle = await sim()
    const trading = await live(handle)
    const token = moneyline(handle).tokens[0]
    await trading.marketParams(token)
    await handle.close()
    // a pooled connection may die mid-request (unknown); a fresh one is refused (not sent)
    const first = await trading.placeOrder(limitBuy(token, 30))
    expect(['unknown', 'rejected']).toContain(first.outcome)
    const result = await trading.placeOrder(limitBuy(token, 30))
    expect(result, JSON.stringify(result)).toMatchObject({
      outcome: 'rejected',
      reason: 'NOT_SENT',
      status: null,
    })
    await expect(trading.openOrders()).rejects.toBeInstanceOf(TradingCallError)
    await expect(trading.trades()).rejects.toThrow(/reading trades/)
    await expect(trading.cancel('0x1')).rejects.toMatchObject({ code: 'NO_ANSWER' })
    await expect(trading.marketParams('unknown-token')).rejects.toMatchObject({ code: 'NO_ANSWER' })
    const other = await trading.placeOrder(limitBuy('unknown-token', 30))
    expect(other).toMatchObject({ outcome: 'rejected', reason: 'MARKET_NOT_READY' })
  })

  it('bad credentials give a clear error that leaks no secret', async () => {
    const handle = await sim()
    const good = await live(handle)
    const wrongSecret = Buffer.alloc(32, 7).toString('base64')
    const creds = credentialsFromEnv({
      POLYMARKET_PRIVATE_KEY: TEST_KEY,
      POLYMARKET_API_KEY: good.apiKey,
      POLYMARKET_API_SECRET: wrongSecret,
      POLYMARKET_API_PASSPHRASE: 'a-passphrase-that-must-not-leak',
    })
    const error = await PolymarketTrading.connect(
      { restUrl: handle.restUrl, userWsUrl: handle.userWsUrl },
      creds,
    ).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TradingCallError)
    const e = error as TradingCallError
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.status).toBe(401)
    expect(e.message).toMatch(/refused the API credentials .*POLYMARKET_API_SECRET/)
    for (const secret of [
      wrongSecret,
      'a-passphrase-that-must-not-leak',
      TEST_KEY,
      TEST_KEY.slice(2),
    ]) {
      expect(e.message).not.toContain(secret)
      expect(JSON.stringify(e)).not.toContain(secret)
    }
    // L1 signed for another chain: the venue refuses to issue credentials
    const wrongChain = await PolymarketTrading.connect(
      { restUrl: handle.restUrl, userWsUrl: handle.userWsUrl, chainId: 80002 },
      ENV_CREDS,
    ).then(
      () => null,
      (e: unknown) => e as TradingCallError,
    )
    expect(wrongChain?.code).toBe('UNAUTHORIZED')
    expect(wrongChain?.message).toMatch(/did not return API credentials for 0x/)
    expect(wrongChain?.message).not.toContain(TEST_KEY.slice(2))
    // an unreachable venue: no answer, not a crash
    const closed = await startSim({ speed: 0 })
    const url = closed.restUrl
    await closed.close()
    await expect(
      PolymarketTrading.connect({ restUrl: url, userWsUrl: handle.userWsUrl }, creds),
    ).rejects.toMatchObject({ code: 'NO_ANSWER' })
  })
})
