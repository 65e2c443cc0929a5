/**
 * End-to-end: the official `@polymarket/clob-client-v2` trades against the simulator unchanged.
 * The wallet is the public Hardhat/Anvil test key #0 (never a real key); its transport refuses
 * every RPC call, which shows the client signs locally and needs no chain access.
 */
import { ClobClient, OrderType, Side, type ApiKeyCreds } from '@polymarket/clob-client-v2'
import { createWalletClient, custom } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { polygon } from 'viem/chains'
import { afterEach, describe, expect, it } from 'vitest'
import { startSim, type SimHandle } from '../../src/adapters/sim/sim-server.js'
import { UserEvents } from './user-events.js'

const TEST_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const TEST_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
// Hardhat/Anvil test key #1, also public.
const BOB_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7096a2c7a41bbc37f8e8'

const rpcCalls: string[] = []
const account = privateKeyToAccount(TEST_KEY)
const wallet = createWalletClient({
  account,
  chain: polygon,
  transport: custom({
    request: ({ method }: { method: string }) => {
      rpcCalls.push(method)
      return Promise.reject(new Error(`no chain RPC in the simulator test (${method})`))
    },
  }),
})

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
})

async function sim(delayOnMap = false): Promise<SimHandle> {
  const probe = await startSim({ seed: 5, speed: 0 })
  const mapCondition = probe.scenario.events()[0]!.markets[1]!.conditionId
  await probe.close()
  const handle = await startSim({
    seed: 5,
    speed: 0,
    trading: {
      minedAfterMs: 5,
      confirmedAfterMs: 5,
      ...(delayOnMap ? { inPlayDelayMs: { [mapCondition]: 30 } } : {}),
    },
  })
  open.push(handle)
  return handle
}

function markets(handle: SimHandle) {
  const event = handle.scenario.events()[0]!
  return { moneyline: event.markets[0]!, map: event.markets[1]! }
}

async function trader(handle: SimHandle): Promise<{ client: ClobClient; creds: ApiKeyCreds }> {
  const l1 = new ClobClient({ host: handle.restUrl, chain: 137, signer: wallet })
  const creds = await l1.createOrDeriveApiKey()
  const client = new ClobClient({ host: handle.restUrl, chain: 137, signer: wallet, creds })
  return { client, creds }
}

async function userChannel(handle: SimHandle, creds: ApiKeyCreds): Promise<UserEvents> {
  const events = await UserEvents.connect(handle.userWsUrl, {
    apiKey: creds.key,
    secret: creds.secret,
    passphrase: creds.passphrase,
  })
  open.push(events)
  return events
}

describe('official clob-client-v2 against the simulator', () => {
  it('derives API credentials with L1 auth, the same set on every derivation', async () => {
    const handle = await sim()
    const l1 = new ClobClient({ host: handle.restUrl, chain: 137, signer: wallet })
    const first = await l1.createOrDeriveApiKey()
    expect(first.key).toMatch(/^[0-9a-f-]{36}$/)
    const again = await l1.createOrDeriveApiKey()
    expect(again).toEqual(first)
    expect(await l1.deriveApiKey()).toEqual(first)
    expect(handle.trading.keys.get(first.key)?.address).toBe(TEST_ADDRESS.toLowerCase())
  })

  it('posts a resting limit order, lists it, cancels it; the user channel follows', async () => {
    const handle = await sim()
    const { client, creds } = await trader(handle)
    const events = await userChannel(handle, creds)
    const { moneyline } = markets(handle)
    const token = moneyline.tokens[0]
    const placed = await client.createAndPostOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      { tickSize: '0.01', negRisk: false },
      OrderType.GTC,
    )
    expect(placed).toMatchObject({ success: true, status: 'live', errorMsg: '' })
    expect(placed.orderID).toMatch(/^0x[0-9a-f]{64}$/)
    const openOrders = await client.getOpenOrders({ market: moneyline.conditionId })
    expect(openOrders).toHaveLength(1)
    expect(openOrders[0]).toMatchObject({
      id: placed.orderID,
      status: 'LIVE',
      side: 'BUY',
      price: '0.5',
      original_size: '10',
      size_matched: '0',
      asset_id: token,
      owner: creds.key,
    })
    const placement = await events.waitFor(
      (e) => e.event_type === 'order' && e['type'] === 'PLACEMENT',
    )
    expect(placement).toMatchObject({ id: placed.orderID, status: 'LIVE', order_type: 'GTC' })
    // 5 USDC of the 1,000 are reserved by the resting bid
    expect(handle.trading.engine.available(TEST_ADDRESS)).toBe(995_000_000)

    const canceled = (await client.cancelOrder({ orderID: placed.orderID })) as {
      canceled: string[]
    }
    expect(canceled.canceled).toEqual([placed.orderID])
    const cancellation = await events.waitFor(
      (e) => e.event_type === 'order' && e['type'] === 'CANCELLATION',
    )
    expect(cancellation).toMatchObject({ id: placed.orderID, status: 'CANCELED' })
    expect(await client.getOpenOrders()).toEqual([])
    const again = (await client.cancelOrder({ orderID: placed.orderID })) as {
      not_canceled: Record<string, string>
    }
    expect(again.not_canceled[placed.orderID]).toBe('already canceled or matched')
    expect(rpcCalls).toEqual([])
  })

  it('fills a marketable FOK buy against the scenario book: MATCHED → MINED → CONFIRMED', async () => {
    const handle = await sim()
    const { client, creds } = await trader(handle)
    const events = await userChannel(handle, creds)
    const { moneyline } = markets(handle)
    const token = moneyline.tokens[0]
    const bestAsk = handle.trueBook(token)!.bestAsk()!
    const response = await client.createAndPostMarketOrder(
      { tokenID: token, amount: 10, side: Side.BUY },
      { tickSize: '0.01', negRisk: false },
      OrderType.FOK,
    )
    expect(response).toMatchObject({ success: true, status: 'matched' })
    expect(response.tradeIDs).toHaveLength(1)
    const tradeId = response.tradeIDs![0]!
    // the client waited for the settlement hash (it polls GET /data/trades?id=…)
    expect(response.transactionsHashes?.[0]).toMatch(/^0x[0-9a-f]{64}$/)
    const statuses: string[] = []
    for (const status of ['MATCHED', 'MINED', 'CONFIRMED']) {
      const event = await events.waitFor(
        (e) => e.event_type === 'trade' && e['id'] === tradeId && e['status'] === status,
      )
      statuses.push(String(event['status']))
      expect(event).toMatchObject({
        taker_order_id: response.orderID,
        trader_side: 'TAKER',
        side: 'BUY',
        asset_id: token,
        price: (bestAsk / 10_000).toString(),
      })
    }
    expect(statuses).toEqual(['MATCHED', 'MINED', 'CONFIRMED'])
    const trades = await client.getTrades({ id: tradeId })
    expect(trades).toHaveLength(1)
    expect(trades[0]).toMatchObject({ id: tradeId, status: 'CONFIRMED', trader_side: 'TAKER' })
    expect(Number(trades[0]!.size)).toBeCloseTo(10 / (bestAsk / 10_000), 3)
    expect(trades[0]!.maker_orders[0]).toMatchObject({ side: 'SELL', asset_id: token })
    expect(rpcCalls).toEqual([])
  })

  it('matches a BUY NO of one wallet with a resting BUY YES of another (mint), maker view on the channel', async () => {
    const handle = await sim()
    const { client: alice, creds: aliceCreds } = await trader(handle)
    const bobWallet = createWalletClient({
      account: privateKeyToAccount(BOB_KEY),
      chain: polygon,
      transport: custom({ request: () => Promise.reject(new Error('no chain RPC')) }),
    })
    const bobL1 = new ClobClient({ host: handle.restUrl, chain: 137, signer: bobWallet })
    const bobCreds = await bobL1.createOrDeriveApiKey()
    const bob = new ClobClient({
      host: handle.restUrl,
      chain: 137,
      signer: bobWallet,
      creds: bobCreds,
    })
    const aliceEvents = await userChannel(handle, aliceCreds)
    // the second map's market has no scenario liquidity yet
    const market = handle.scenario.events()[0]!.markets[2]!
    const [yes, no] = market.tokens
    const resting = await alice.createAndPostOrder(
      { tokenID: yes, price: 0.45, size: 10, side: Side.BUY },
      { tickSize: '0.01', negRisk: false },
    )
    expect(resting.status).toBe('live')
    const noOrder = await bob.createOrder(
      { tokenID: no, price: 0.55, size: 10, side: Side.BUY },
      { tickSize: '0.01', negRisk: false },
    )
    const taken = await bob.postOrder(noOrder, OrderType.FOK)
    expect(taken).toMatchObject({ status: 'matched', makingAmount: '5.5', takingAmount: '10' })
    const makerView = await aliceEvents.waitFor(
      (e) => e.event_type === 'trade' && e['status'] === 'MATCHED',
    )
    expect(makerView).toMatchObject({
      trader_side: 'MAKER',
      asset_id: no,
      side: 'BUY',
      price: '0.55',
      owner: bobCreds.key,
      trade_owner: aliceCreds.key,
    })
    expect(makerView['maker_orders']).toEqual([
      expect.objectContaining({
        order_id: resting.orderID,
        owner: aliceCreds.key,
        asset_id: yes,
        side: 'BUY',
        price: '0.45',
        matched_amount: '10',
      }),
    ])
    const update = await aliceEvents.waitFor(
      (e) => e.event_type === 'order' && e['type'] === 'UPDATE',
    )
    expect(update).toMatchObject({ id: resting.orderID, status: 'MATCHED', size_matched: '10' })
    const aliceTrades = await alice.getTrades({ market: market.conditionId })
    expect(aliceTrades[0]).toMatchObject({ trader_side: 'MAKER' })
  })

  it('rejects a tampered order signature and a bad HMAC the way the venue does', async () => {
    const handle = await sim()
    const { client, creds } = await trader(handle)
    const token = markets(handle).moneyline.tokens[0]
    const order = await client.createOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      { tickSize: '0.01', negRisk: false },
    )
    const flipped = order.signature.endsWith('1b') ? '1c' : '1b'
    const badSig = { ...order, signature: `${order.signature.slice(0, -2)}${flipped}` }
    expect(await client.postOrder(badSig, OrderType.GTC)).toMatchObject({
      error: 'invalid signature',
      status: 400,
    })
    const changedAmount = { ...order, makerAmount: '4000000' }
    expect(await client.postOrder(changedAmount, OrderType.GTC)).toMatchObject({
      error: 'invalid signature',
      status: 400,
    })
    // signed for the neg-risk exchange, posted on a standard market
    const negRiskSigned = await client.createOrder(
      { tokenID: token, price: 0.5, size: 10, side: Side.BUY },
      { tickSize: '0.01', negRisk: true },
    )
    expect(await client.postOrder(negRiskSigned, OrderType.GTC)).toMatchObject({
      error: 'invalid signature',
    })
    const wrongSecret = new ClobClient({
      host: handle.restUrl,
      chain: 137,
      signer: wallet,
      creds: { ...creds, secret: Buffer.alloc(32, 7).toString('base64') },
    })
    expect(await wrongSecret.postOrder(order, OrderType.GTC)).toMatchObject({
      error: 'Unauthorized/Invalid api key',
      status: 401,
    })
    expect(await wrongSecret.cancelAll()).toMatchObject({ status: 401 })
    // nothing was placed by any of these
    expect(await client.getOpenOrders()).toEqual([])
    // the untouched order still goes through
    expect(await client.postOrder(order, OrderType.GTC)).toMatchObject({ status: 'live' })
  })

  it('answers delayed on an in-play market, then the trade arrives on the user channel', async () => {
    const handle = await sim(true)
    const { client, creds } = await trader(handle)
    const events = await userChannel(handle, creds)
    const { map } = markets(handle)
    const token = map.tokens[0]
    const response = await client.createAndPostMarketOrder(
      { tokenID: token, amount: 5, side: Side.BUY },
      { tickSize: '0.01', negRisk: false },
      OrderType.FAK,
    )
    expect(response).toMatchObject({ success: true, status: 'delayed', makingAmount: '' })
    expect(response.tradeIDs).toEqual([])
    const trade = await events.waitFor(
      (e) => e.event_type === 'trade' && e['taker_order_id'] === response.orderID,
    )
    expect(trade).toMatchObject({ status: 'MATCHED', trader_side: 'TAKER', asset_id: token })
    const clobMarket = (await client.getClobMarketInfo(map.conditionId)) as { sd?: number }
    expect(clobMarket.sd).toBe(1)
  })
})
