import { ClobClient, OrderType, Side, type ApiKeyCreds } from '@polymarket/clob-client-v2'
import WebSocket from 'ws'
import { createWalletClient, custom } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { UserEvents } from '../../../../test/sim-trading/user-events.js'
import { startSim, type SimHandle } from '../sim-server.js'
import { l2Signature, orderHash, type SignedOrderV2 } from './signing.js'
import { parseOrderPayload } from './order-payload.js'
import type { TradingOptions } from './sim-trading.js'
import { OrderFaultSpecError, parseOrderFaultSpec } from './trading-faults.js'

// Public Hardhat/Anvil test keys #0 and #1 (never real keys).
const KEY0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const KEY1 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7096a2c7a41bbc37f8e8'

function walletOf(key: `0x${string}`) {
  return createWalletClient({
    account: privateKeyToAccount(key),
    transport: custom({ request: () => Promise.reject(new Error('no RPC in tests')) }),
  })
}

const open: { close(): Promise<void> }[] = []
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

async function trader(
  handle: SimHandle,
  key: `0x${string}` = KEY0,
): Promise<{ client: ClobClient; creds: ApiKeyCreds }> {
  const signer = walletOf(key)
  const creds = await new ClobClient({
    host: handle.restUrl,
    chain: 137,
    signer,
  }).createOrDeriveApiKey()
  return { client: new ClobClient({ host: handle.restUrl, chain: 137, signer, creds }), creds }
}

function moneylineToken(handle: SimHandle): string {
  return handle.scenario.events()[0]!.markets[0]!.tokens[0]
}

const OPTS = { tickSize: '0.01' as const, negRisk: false }

async function l2Fetch(
  handle: SimHandle,
  creds: ApiKeyCreds,
  address: string,
  method: string,
  path: string,
  body = '',
  tweak: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const ts = String(Math.floor(Date.now() / 1000))
  const headers: Record<string, string> = {
    POLY_ADDRESS: address,
    POLY_SIGNATURE: l2Signature(creds.secret, ts, method, path.split('?')[0]!, body),
    POLY_TIMESTAMP: ts,
    POLY_API_KEY: creds.key,
    POLY_PASSPHRASE: creds.passphrase,
    'content-type': 'application/json',
    ...tweak,
  }
  const res = await fetch(`${handle.restUrl}${path}`, {
    method,
    headers,
    ...(body === '' ? {} : { body }),
  })
  return { status: res.status, json: await res.json() }
}

const ADDRESS0 = privateKeyToAccount(KEY0).address

describe('order-path faults through the official client', () => {
  it('425 and 503 place nothing; 503 carries Retry-After and lets post-only orders through', async () => {
    const handle = await sim({ postOnlyRetryAfterS: 7 })
    const { client } = await trader(handle)
    const token = moneylineToken(handle)
    handle.trading.faults.forceNext('order_425')
    expect(
      await client.createAndPostOrder(
        { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
        OPTS,
      ),
    ).toMatchObject({ status: 425 })
    handle.trading.faults.forceNext('order_503')
    expect(
      await client.createAndPostOrder(
        { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
        OPTS,
      ),
    ).toMatchObject({
      status: 503,
      error: 'post-only mode: only post-only orders and cancels are allowed',
      code: 'post_only_mode',
      retry_after_seconds: 7,
    })
    expect(await client.getOpenOrders()).toEqual([])
    handle.trading.faults.forceNext('order_503')
    expect(
      await client.createAndPostOrder(
        { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
        OPTS,
        OrderType.GTC,
        true,
      ),
    ).toMatchObject({ status: 'live' })
    handle.trading.faults.forceNext('order_reject')
    expect(
      await client.createAndPostOrder(
        { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
        OPTS,
      ),
    ).toMatchObject({ status: 400, error: 'not enough balance / allowance' })
    expect(handle.trading.faults.stats()).toMatchObject({
      order_425: 1,
      order_503: 2,
      order_reject: 1,
    })
  })

  it('a timeout drops the connection; the order may or may not exist afterwards', async () => {
    const handle = await sim()
    const { client } = await trader(handle)
    const token = moneylineToken(handle)
    for (const placed of [false, true]) {
      const order = await client.createOrder(
        { tokenID: token, price: placed ? 0.51 : 0.5, size: 10, side: Side.BUY },
        OPTS,
      )
      handle.trading.faults.forceNext('order_timeout', placed)
      const response = (await client.postOrder(order, OrderType.GTC)) as { error?: unknown }
      expect(String(response.error)).toMatch(/socket hang up|ECONNRESET/)
      const id = orderHash(order as unknown as SignedOrderV2, 137, false)
      expect(handle.trading.engine.knows(id)).toBe(placed)
      const listed = await client.getOpenOrders()
      expect(listed.some((o) => o.id === id)).toBe(placed)
    }
  })

  it('a partial fill leaves part of a FAK unfilled', async () => {
    const handle = await sim()
    const { client } = await trader(handle)
    const token = moneylineToken(handle)
    const book = handle.trueBook(token)!
    const best = book.bestAsk()!
    const atBest = book.sizeAt('ask', best) / 1e6
    handle.trading.faults.forceNext('partial_fill')
    const order = await client.createOrder(
      { tokenID: token, price: best / 10_000, size: atBest, side: Side.BUY },
      OPTS,
    )
    const response = await client.postOrder(order, OrderType.FAK)
    expect(response).toMatchObject({ status: 'matched' })
    expect(Number(response.takingAmount)).toBeCloseTo(Math.floor(atBest * 1e6 * 0.5) / 1e6, 6)
  })
})

describe('authentication', () => {
  it('refuses L1 requests with a wrong or stale signature', async () => {
    const handle = await sim()
    const bad = await fetch(`${handle.restUrl}/auth/api-key`, {
      method: 'POST',
      headers: {
        POLY_ADDRESS: ADDRESS0,
        POLY_SIGNATURE: `0x${'11'.repeat(65)}`,
        POLY_TIMESTAMP: String(Math.floor(Date.now() / 1000)),
        POLY_NONCE: '0',
      },
    })
    expect(bad.status).toBe(401)
    expect(await bad.json()).toEqual({ error: 'Invalid L1 Request headers' })
    const missing = await fetch(`${handle.restUrl}/auth/derive-api-key`)
    expect(missing.status).toBe(401)
    // deriving before creating
    const l1 = new ClobClient({ host: handle.restUrl, chain: 137, signer: walletOf(KEY0) })
    expect(await l1.deriveApiKey()).toMatchObject({ key: undefined })
  })

  it('refuses L2 requests with a wrong passphrase, address, stale timestamp or query-signed path', async () => {
    const handle = await sim()
    const { creds } = await trader(handle)
    expect((await l2Fetch(handle, creds, ADDRESS0, 'GET', '/data/orders')).status).toBe(200)
    expect(
      (await l2Fetch(handle, creds, ADDRESS0, 'GET', '/data/orders', '', { POLY_PASSPHRASE: 'x' }))
        .status,
    ).toBe(401)
    const other = privateKeyToAccount(KEY1).address
    expect((await l2Fetch(handle, creds, other, 'GET', '/data/orders')).json).toEqual({
      error: 'Unauthorized/Invalid api key',
    })
    const old = String(Math.floor(Date.now() / 1000) - 3600)
    expect(
      (
        await l2Fetch(handle, creds, ADDRESS0, 'GET', '/data/orders', '', {
          POLY_TIMESTAMP: old,
          POLY_SIGNATURE: l2Signature(creds.secret, old, 'GET', '/data/orders', ''),
        })
      ).status,
    ).toBe(401)
    // the venue signs the path without the query string
    expect((await l2Fetch(handle, creds, ADDRESS0, 'GET', '/data/orders?market=0x1')).status).toBe(
      200,
    )
    const ts = String(Math.floor(Date.now() / 1000))
    const withQuery = l2Signature(creds.secret, ts, 'GET', '/data/orders?market=0x1', '')
    expect(
      (
        await l2Fetch(handle, creds, ADDRESS0, 'GET', '/data/orders?market=0x1', '', {
          POLY_TIMESTAMP: ts,
          POLY_SIGNATURE: withQuery,
        })
      ).status,
    ).toBe(401)
  })

  it('checks that the order belongs to the API key', async () => {
    const handle = await sim()
    const { client } = await trader(handle)
    const { client: other, creds: otherCreds } = await trader(handle, KEY1)
    const token = moneylineToken(handle)
    const order = await client.createOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    // posted with another wallet's key: owner is the other key, signer is not its address
    expect(await other.postOrder(order, OrderType.GTC)).toMatchObject({
      error: 'the order signer address has to be the address of the API KEY',
    })
    const body = JSON.stringify({
      order: { ...order, salt: Number(order.salt) },
      owner: 'someone',
      orderType: 'GTC',
    })
    const res = await l2Fetch(
      handle,
      otherCreds,
      privateKeyToAccount(KEY1).address,
      'POST',
      '/order',
      body,
    )
    expect(res).toEqual({
      status: 400,
      json: { error: 'the order owner has to be the owner of the API KEY' },
    })
  })
})

describe('deposit wallets (signature type 3)', () => {
  it('accepts the ERC-7739 wrapped signature of the key owner and refuses a tampered one', async () => {
    const handle = await sim()
    const { creds } = await trader(handle)
    const depositWallet = '0x00000000000000000000000000000000deadbeef'
    const client = new ClobClient({
      host: handle.restUrl,
      chain: 137,
      signer: walletOf(KEY0),
      creds,
      signatureType: 3,
      funderAddress: depositWallet,
    })
    const token = moneylineToken(handle)
    const order = await client.createOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    expect(order.signer).toBe(depositWallet)
    expect(order.signature.length).toBe(2 + 130 + 64 + 64 + 372 + 4)
    expect(
      await client.postOrder({ ...order, makerAmount: '4000000' }, OrderType.GTC),
    ).toMatchObject({ error: 'invalid signature' })
    const { client: other } = await trader(handle, KEY1)
    expect(await other.postOrder(order, OrderType.GTC)).toMatchObject({
      error: 'invalid signature',
    })
    expect(await client.postOrder(order, OrderType.GTC)).toMatchObject({ status: 'live' })
    const [listed] = await client.getOpenOrders()
    expect(listed?.maker_address).toBe(depositWallet.toLowerCase())
    expect(handle.trading.engine.available(depositWallet)).toBe(995_000_000)
  })
})

describe('REST routes', () => {
  it('batches orders with per-entry results and cancels by list and by market', async () => {
    const handle = await sim()
    const { client } = await trader(handle)
    const market = handle.scenario.events()[0]!.markets[0]!
    const token = market.tokens[0]
    const a = await client.createOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    const b = await client.createOrder(
      { tokenID: token, price: 0.49, size: 3, side: Side.BUY },
      OPTS,
    )
    const c = await client.createOrder(
      { tokenID: token, price: 0.48, size: 10, side: Side.BUY },
      OPTS,
    )
    const results = (await client.postOrders([
      { order: a, orderType: OrderType.GTC },
      { order: b, orderType: OrderType.GTC },
      { order: c, orderType: OrderType.GTC },
    ])) as { success: boolean; errorMsg: string; orderID: string; status: string }[]
    expect(results.map((r) => [r.success, r.status])).toEqual([
      [true, 'live'],
      [false, ''],
      [true, 'live'],
    ])
    expect(results[1]!.errorMsg).toMatch(/Size \(3\) lower than the minimum: 5/)
    const cancel = (await client.cancelOrders([results[0]!.orderID, '0xnope'])) as {
      canceled: string[]
      not_canceled: Record<string, string>
    }
    expect(cancel.canceled).toEqual([results[0]!.orderID])
    expect(cancel.not_canceled['0xnope']).toBe('Order not found or already canceled')
    const byMarket = (await client.cancelMarketOrders({ market: market.conditionId })) as {
      canceled: string[]
    }
    expect(byMarket.canceled).toEqual([results[2]!.orderID])
    expect(await client.cancelAll()).toEqual({ canceled: [], not_canceled: {} })
  })

  it('serves one open order by id, lists and deletes API keys', async () => {
    const handle = await sim()
    const { client, creds } = await trader(handle)
    const token = moneylineToken(handle)
    const placed = await client.createAndPostOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    expect(await client.getOrder(placed.orderID)).toMatchObject({
      id: placed.orderID,
      status: 'LIVE',
    })
    await client.cancelOrder({ orderID: placed.orderID })
    expect(await client.getOrder(placed.orderID)).toMatchObject({ status: 404 })
    expect(await client.getApiKeys()).toEqual({ apiKeys: [creds.key] })
    expect(await client.deleteApiKey()).toBe('OK')
    expect(await client.cancelAll()).toMatchObject({ status: 401 })
  })

  it('serves heartbeats, balances, market info and version', async () => {
    const handle = await sim()
    const { client } = await trader(handle)
    const token = moneylineToken(handle)
    const first = (await client.postHeartbeat('')) as { heartbeat_id: string }
    expect(first.heartbeat_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await client.postHeartbeat('stale')).toMatchObject({
      status: 400,
      error: 'Invalid Heartbeat ID',
      heartbeat_id: first.heartbeat_id,
    })
    expect(await client.postHeartbeat(first.heartbeat_id)).toHaveProperty('heartbeat_id')
    expect(await client.getBalanceAllowance({ asset_type: 'COLLATERAL' as never })).toMatchObject({
      balance: '1000000000',
    })
    expect(
      await client.getBalanceAllowance({ asset_type: 'CONDITIONAL' as never, token_id: token }),
    ).toMatchObject({ balance: '0' })
    expect(await client.getVersion()).toBe(2)
    expect(typeof (await client.getServerTime())).toBe('number')
    const info = await client.getClobMarketInfo(
      handle.scenario.events()[0]!.markets[0]!.conditionId,
    )
    expect(info).toMatchObject({ mts: 0.01, mos: 5, sd: 0 })
    expect(await client.getTickSize(token)).toBe('0.01')
    expect(await client.getNegRisk(token)).toBe(false)
  })

  it('validates the order payload with a message naming the field', () => {
    expect(parseOrderPayload(null)).toMatch(/expected a JSON object/)
    expect(parseOrderPayload({ order: {} })).toBe('order.salt is missing or malformed')
    const order = {
      salt: 1,
      maker: `0x${'a'.repeat(40)}`,
      signer: `0x${'a'.repeat(40)}`,
      tokenId: '1',
      makerAmount: '1',
      takerAmount: '1',
      side: 'BUY',
      signatureType: 0,
      timestamp: '1',
      metadata: `0x${'0'.repeat(64)}`,
      builder: `0x${'0'.repeat(64)}`,
      signature: '0x00',
    }
    expect(parseOrderPayload({ order, owner: 'k', orderType: 'IOC' })).toMatch(/orderType must be/)
    expect(
      parseOrderPayload({ order: { ...order, side: 'buy' }, owner: 'k', orderType: 'GTC' }),
    ).toMatch(/order.side/)
    expect(
      parseOrderPayload({ order: { ...order, nonce: '0' }, owner: 'k', orderType: 'GTC' }),
    ).toMatch(/V1 fields/)
    expect(parseOrderPayload({ order, owner: 'k', orderType: 'GTC' })).toMatchObject({
      orderType: 'GTC',
      postOnly: false,
    })
  })
})

describe('user channel', () => {
  it('closes the socket on bad credentials and filters by market', async () => {
    const handle = await sim()
    const { client, creds } = await trader(handle)
    const socket = new WebSocket(handle.userWsUrl)
    await new Promise((resolve) => socket.once('open', resolve))
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    socket.send(
      JSON.stringify({
        auth: { apiKey: creds.key, secret: 'x', passphrase: creds.passphrase },
        type: 'user',
      }),
    )
    expect(await closed).toBe(1008)
    expect(handle.trading.userWs.stats.authFailures).toBe(1)

    const [m0, m1] = handle.scenario.events()[0]!.markets
    const listener = await UserEvents.connect(
      handle.userWsUrl,
      { apiKey: creds.key, secret: creds.secret, passphrase: creds.passphrase },
      [m1!.conditionId],
    )
    open.push(listener)
    await client.createAndPostOrder(
      { tokenID: m0!.tokens[0], price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    const other = await client.createAndPostOrder(
      { tokenID: m1!.tokens[0], price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    const event = await listener.waitFor((e) => e.event_type === 'order')
    expect(event['id']).toBe(other.orderID)
    await listener.ping()
    expect(listener.events).toHaveLength(1)
    listener.socket.send(JSON.stringify({ operation: 'subscribe', markets: [m0!.conditionId] }))
    listener.socket.send(JSON.stringify({ operation: 'unsubscribe', markets: [m1!.conditionId] }))
    await listener.ping()
    await client.cancelAll()
    await listener.waitFor((e) => e['type'] === 'CANCELLATION')
    await listener.ping()
    expect(
      listener.events.filter((e) => e['type'] === 'CANCELLATION').map((e) => e['market']),
    ).toEqual([m0!.conditionId])
  })
})

describe('trading options', () => {
  it('refuses bad values with a message naming the option', async () => {
    await expect(startSim({ speed: 0, trading: { chainId: 1 } })).rejects.toThrow(/chainId 1/)
    await expect(startSim({ speed: 0, trading: { minedAfterMs: -1 } })).rejects.toThrow(
      /minedAfterMs -1 is invalid/,
    )
    await expect(
      startSim({ speed: 0, trading: { inPlayDelayMs: { '0xc': 1.5 } } }),
    ).rejects.toThrow(/inPlayDelayMs of 0xc/)
    await expect(
      startSim({ speed: 0, trading: { faults: { nope: 0.1 } as never } }),
    ).rejects.toThrow(/unknown order fault "nope"/)
    await expect(startSim({ speed: 0, trading: { faults: { order_425: 3 } } })).rejects.toThrow(
      /probability/,
    )
  })
})

describe('parseOrderFaultSpec', () => {
  it('parses rates and names every bad part', () => {
    expect(parseOrderFaultSpec('order_timeout=0.1, partial_fill=1')).toEqual({
      order_timeout: 0.1,
      partial_fill: 1,
    })
    expect(() => parseOrderFaultSpec('')).toThrow(OrderFaultSpecError)
    expect(() => parseOrderFaultSpec('order_timeout')).toThrow(/has no rate/)
    expect(() => parseOrderFaultSpec('nope=0.1')).toThrow(/unknown order fault "nope"/)
    expect(() => parseOrderFaultSpec('order_425=2')).toThrow(/probability from 0 to 1/)
    expect(() => parseOrderFaultSpec('order_425=0.1,order_425=0.2')).toThrow(/given twice/)
  })

  it('draws faults from the seeded stream at the given rates', async () => {
    const handle = await sim({ faults: { order_reject: 1 } })
    const { client } = await trader(handle)
    const response = await client.createAndPostOrder(
      { tokenID: moneylineToken(handle), price: 0.5, size: 10, side: Side.BUY },
      OPTS,
    )
    expect(response).toMatchObject({ error: 'not enough balance / allowance' })
  })
})
