import { afterEach, describe, expect, it } from 'vitest'
import type { TickSize } from '../../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../../domain/units.js'
import { TrueMarket } from '../true-book.js'
import { TradingEngine } from './engine.js'
import {
  FAK_KILLED,
  FOK_KILLED,
  MARKET_BUY_PRECISION,
  NOT_ENOUGH,
  POST_ONLY_CROSSES,
  SCENARIO_OWNER,
  type MarketRef,
  type OrderResponse,
  type OrderType,
  type Rejection,
  type SubmitInput,
} from './orders.js'

const YES = '111'
const NO = '222'
const COND = '0xc0'
const ALICE = '0x00000000000000000000000000000000000a11ce'
const BOB = '0x0000000000000000000000000000000000000b0b'
const ZERO32 = `0x${'0'.repeat(64)}`
const T0 = 1_780_000_000_000

type Sent = { owner: string; payload: Record<string, unknown> }

const engines: TradingEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.close()
})

function setup(
  options: { delayMs?: number; heartbeatMs?: number; usd?: number; nowMs?: number } = {},
) {
  const book = new TrueMarket(COND, YES, NO, 100 as TickSize, T0 as EpochMs)
  // scenario liquidity: YES bids 0.40 × 20, 0.39 × 50; asks 0.60 × 20, 0.61 × 50
  book.setYesLevel('bid', 4000 as PriceTicks, 20_000_000 as ShareMicros, T0 as EpochMs)
  book.setYesLevel('bid', 3900 as PriceTicks, 50_000_000 as ShareMicros, T0 as EpochMs)
  book.setYesLevel('ask', 6000 as PriceTicks, 20_000_000 as ShareMicros, T0 as EpochMs)
  book.setYesLevel('ask', 6100 as PriceTicks, 50_000_000 as ShareMicros, T0 as EpochMs)
  const market: MarketRef = {
    conditionId: COND,
    yes: YES,
    no: NO,
    outcomes: ['Alpha', 'Beta'],
    tick: 100,
    minShares: 5_000_000,
    closed: false,
  }
  const sent: Sent[] = []
  const waiters: { pred: (s: Sent) => boolean; resolve: (s: Sent) => void }[] = []
  const frames: unknown[] = []
  const engine = new TradingEngine({
    market: (token) => (token === YES || token === NO ? market : null),
    yesBook: () => book.yesBook,
    delayMs: () => options.delayMs ?? 0,
    onUserEvent: (owner, _c, payload) => {
      const s = { owner, payload }
      sent.push(s)
      for (const w of waiters.splice(0)) {
        if (w.pred(s)) w.resolve(s)
        else waiters.push(w)
      }
    },
    onMarketFrame: (frame) => frames.push(frame.payload),
    now: () => options.nowMs ?? T0,
    startingCollateral: options.usd ?? 1_000_000_000,
    minedAfterMs: 1,
    confirmedAfterMs: 1,
    heartbeatTimeoutMs: options.heartbeatMs ?? 10_000,
  })
  engines.push(engine)
  const waitFor = (pred: (s: Sent) => boolean): Promise<Sent> => {
    const seen = sent.find(pred)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve) => waiters.push({ pred, resolve }))
  }
  return { engine, book, sent, waitFor, frames }
}

let n = 0
function order(fields: {
  token?: string
  side: 'BUY' | 'SELL'
  maker: number
  taker: number
  type?: OrderType
  postOnly?: boolean
  owner?: string
  address?: string
  expiration?: number
  id?: string
}): SubmitInput {
  const address = fields.address ?? ALICE
  return {
    id: fields.id ?? `0x${(++n).toString(16).padStart(64, '0')}`,
    owner: fields.owner ?? 'alice-key',
    orderType: fields.type ?? 'GTC',
    postOnly: fields.postOnly ?? false,
    order: {
      salt: '1',
      maker: address,
      signer: address,
      tokenId: fields.token ?? YES,
      makerAmount: String(fields.maker),
      takerAmount: String(fields.taker),
      side: fields.side,
      signatureType: 0,
      timestamp: String(T0),
      expiration: String(fields.expiration ?? 0),
      metadata: ZERO32,
      builder: ZERO32,
      signature: '0x',
    },
  }
}

function accepted(result: Rejection | OrderResponse): OrderResponse {
  if ('error' in result) throw new Error(`rejected: ${result.error}`)
  return result
}

describe('TradingEngine validation', () => {
  it('rejects off-tick prices, small sizes, bad expirations, duplicates and unknown tokens', () => {
    const { engine } = setup()
    const offTick = order({ side: 'BUY', maker: 5_050_000, taker: 10_000_000 })
    expect(engine.submit(offTick)).toEqual({
      status: 400,
      error: `order ${offTick.id} is invalid. Price (0.505) breaks minimum tick size rule: 0.01`,
    })
    const small = order({ side: 'BUY', maker: 2_000_000, taker: 4_000_000 })
    expect(engine.submit(small)).toEqual({
      status: 400,
      error: `order ${small.id} is invalid. Size (4) lower than the minimum: 5`,
    })
    expect(
      engine.submit(order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000, type: 'GTD' })),
    ).toEqual({
      status: 400,
      error: 'invalid expiration',
    })
    expect(
      engine.submit(order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000, expiration: 1 })),
    ).toEqual({ status: 400, error: 'invalid expiration' })
    const ok = order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000 })
    expect(accepted(engine.submit(ok)).status).toBe('live')
    expect(engine.submit(ok)).toEqual({
      status: 400,
      error: `order ${ok.id} is invalid. Duplicated.`,
    })
    expect(
      (
        engine.submit(
          order({ token: '999', side: 'BUY', maker: 5_000_000, taker: 10_000_000 }),
        ) as Rejection
      ).error,
    ).toMatch(/unknown token id 999/)
    expect(
      (engine.submit(order({ side: 'BUY', maker: 10_000_000, taker: 10_000_000 })) as Rejection)
        .error,
    ).toMatch(/is outside 0.01..0.99/)
  })

  it('checks balance and allowance, counting what open orders reserve', () => {
    const { engine } = setup({ usd: 8_000_000 })
    expect(
      accepted(engine.submit(order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000 }))).status,
    ).toBe('live')
    expect(engine.available(ALICE)).toBe(3_000_000)
    expect(engine.submit(order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000 }))).toEqual({
      status: 400,
      error: NOT_ENOUGH,
    })
    // selling shares it does not hold
    expect(engine.submit(order({ side: 'SELL', maker: 10_000_000, taker: 7_000_000 }))).toEqual({
      status: 400,
      error: NOT_ENOUGH,
    })
    engine.setWallet(BOB, { allowance: false })
    expect(
      engine.submit(
        order({ side: 'BUY', maker: 1_000_000, taker: 5_000_000, address: BOB, owner: 'bob' }),
      ),
    ).toEqual({ status: 400, error: NOT_ENOUGH })
  })

  it('refuses a crossing post-only order and a marketable buy with too many decimals', () => {
    const { engine } = setup()
    expect(
      engine.submit(order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000, postOnly: true })),
    ).toEqual({ status: 400, error: POST_ONLY_CROSSES })
    expect(
      accepted(
        engine.submit(order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000, postOnly: true })),
      ).status,
    ).toBe('live')
    expect(
      engine.submit(order({ side: 'BUY', maker: 10_000_001, taker: 16_666_600, type: 'FOK' })),
    ).toEqual({ status: 400, error: MARKET_BUY_PRECISION })
    expect(
      engine.submit(order({ side: 'BUY', maker: 10_000_000, taker: 16_666_666, type: 'FOK' })),
    ).toEqual({ status: 400, error: MARKET_BUY_PRECISION })
  })
})

describe('TradingEngine matching', () => {
  it('walks the scenario book for a marketable buy (price-time, maker prices) and settles', async () => {
    const { engine, waitFor, frames } = setup()
    // 18 USDC at up to 0.61: 20 × 0.60 = 12, then 6 / 0.61 = 9.836065 shares
    const buy = order({ side: 'BUY', maker: 18_000_000, taker: 29_500_000, type: 'FOK' })
    const response = accepted(engine.submit(buy))
    expect(response).toMatchObject({
      status: 'matched',
      makingAmount: '18',
      takingAmount: '29.836065',
    })
    const wallet = engine.wallet(ALICE)
    expect(wallet.tokens.get(YES)).toBe(29_836_065)
    expect(wallet.usd).toBe(1_000_000_000 - 18_000_000)
    const confirmed = await waitFor((s) => s.payload['status'] === 'CONFIRMED')
    expect(confirmed.payload).toMatchObject({
      event_type: 'trade',
      trader_side: 'TAKER',
      price: '0.6',
      size: '29.836065',
      taker_order_id: buy.id,
    })
    const makers = confirmed.payload['maker_orders'] as Record<string, unknown>[]
    expect(makers.map((m) => [m['price'], m['matched_amount'], m['owner']])).toEqual([
      ['0.6', '20', SCENARIO_OWNER],
      ['0.61', '9.836065', SCENARIO_OWNER],
    ])
    expect(frames[0]).toMatchObject({ event_type: 'last_trade_price', price: '0.6', side: 'BUY' })
    // the taken liquidity stays taken until the scenario changes the level
    const again = order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000, type: 'FAK' })
    expect(engine.submit(again)).toEqual({ status: 400, error: FAK_KILLED })
  })

  it('kills a FOK that cannot fill completely and fills a FAK partly', () => {
    const { engine } = setup()
    expect(
      engine.submit(order({ side: 'BUY', maker: 50_000_000, taker: 83_333_300, type: 'FOK' })),
    ).toEqual({ status: 400, error: FOK_KILLED })
    const fak = accepted(
      engine.submit(order({ side: 'BUY', maker: 50_000_000, taker: 83_333_300, type: 'FAK' })),
    )
    expect(fak.status).toBe('matched')
    expect(fak.takingAmount).toBe('20')
    expect(engine.openOrders('alice-key')).toEqual([])
  })

  it('rests the remainder of a crossing GTC and reports PLACEMENT', async () => {
    const { engine, waitFor } = setup()
    const gtc = order({ side: 'BUY', maker: 18_000_000, taker: 30_000_000 })
    const response = accepted(engine.submit(gtc))
    expect(response).toMatchObject({ status: 'matched', takingAmount: '20' })
    const [open] = engine.openOrders('alice-key')
    expect(open).toMatchObject({
      id: gtc.id,
      original_size: '30',
      size_matched: '20',
      price: '0.6',
    })
    const placement = await waitFor((s) => s.payload['type'] === 'PLACEMENT')
    expect(placement.payload).toMatchObject({ id: gtc.id, status: 'LIVE', size_matched: '20' })
  })

  it('mints: a BUY NO meets a resting BUY YES at the complement price', async () => {
    const { engine, waitFor } = setup()
    const yesBid = order({ side: 'BUY', maker: 4_500_000, taker: 10_000_000 }) // YES 0.45
    expect(accepted(engine.submit(yesBid)).status).toBe('live')
    const noBuy = order({
      token: NO,
      side: 'BUY',
      maker: 5_500_000,
      taker: 10_000_000,
      type: 'FOK',
      owner: 'bob-key',
      address: BOB,
    }) // NO 0.55
    const response = accepted(engine.submit(noBuy))
    expect(response).toMatchObject({ status: 'matched', takingAmount: '10', makingAmount: '5.5' })
    expect(engine.wallet(ALICE).tokens.get(YES)).toBe(10_000_000)
    expect(engine.wallet(BOB).tokens.get(NO)).toBe(10_000_000)
    expect(engine.wallet(ALICE).usd + engine.wallet(BOB).usd).toBe(2_000_000_000 - 10_000_000)
    const makerView = await waitFor(
      (s) => s.owner === 'alice-key' && s.payload['event_type'] === 'trade',
    )
    expect(makerView.payload).toMatchObject({
      trader_side: 'MAKER',
      asset_id: NO,
      side: 'BUY',
      price: '0.55',
      owner: 'bob-key',
      trade_owner: 'alice-key',
      outcome: 'Beta',
    })
    expect(makerView.payload['maker_orders']).toEqual([
      expect.objectContaining({
        order_id: yesBid.id,
        asset_id: YES,
        side: 'BUY',
        price: '0.45',
        matched_amount: '10',
        outcome: 'Alpha',
      }),
    ])
    const update = await waitFor((s) => s.payload['type'] === 'UPDATE')
    expect(update.payload).toMatchObject({ id: yesBid.id, status: 'MATCHED', size_matched: '10' })
  })

  it('merges: a SELL NO meets a resting SELL YES', () => {
    const { engine } = setup()
    engine.setWallet(ALICE, { tokens: { [YES]: 10_000_000 } })
    engine.setWallet(BOB, { tokens: { [NO]: 10_000_000 } })
    const yesAsk = order({ side: 'SELL', maker: 10_000_000, taker: 5_500_000 }) // YES 0.55
    expect(accepted(engine.submit(yesAsk)).status).toBe('live')
    const noSell = order({
      token: NO,
      side: 'SELL',
      maker: 10_000_000,
      taker: 4_500_000,
      type: 'FAK',
      owner: 'bob-key',
      address: BOB,
    })
    const response = accepted(engine.submit(noSell))
    expect(response).toMatchObject({ status: 'matched', makingAmount: '10', takingAmount: '4.5' })
    expect(engine.wallet(ALICE).usd).toBe(1_005_500_000)
    expect(engine.wallet(BOB).usd).toBe(1_004_500_000)
    expect(engine.wallet(BOB).tokens.get(NO)).toBe(0)
  })

  it('fills a resting order as maker when the scenario book moves through it', async () => {
    const { engine, book, waitFor } = setup()
    const bid = order({ side: 'BUY', maker: 5_500_000, taker: 10_000_000 }) // YES 0.55
    accepted(engine.submit(bid))
    book.setYesLevel('ask', 5400 as PriceTicks, 4_000_000 as ShareMicros, T0 as EpochMs)
    engine.sweep()
    const trade = await waitFor((s) => s.payload['event_type'] === 'trade')
    expect(trade.payload).toMatchObject({ trader_side: 'MAKER', owner: SCENARIO_OWNER })
    expect(trade.payload['maker_orders']).toEqual([
      expect.objectContaining({ order_id: bid.id, matched_amount: '4', price: '0.55' }),
    ])
    expect(engine.openOrders('alice-key')[0]).toMatchObject({ size_matched: '4' })
    engine.sweep()
    expect(engine.openOrders('alice-key')[0]).toMatchObject({ size_matched: '4' })
  })

  it('a failed settlement goes MATCHED → RETRYING → FAILED and puts the balances back', async () => {
    const { engine, waitFor, sent } = setup()
    const buy = order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000, type: 'FOK' })
    accepted(engine.submit(buy, { failTrade: true }))
    expect(engine.wallet(ALICE).tokens.get(YES)).toBe(10_000_000)
    const failed = await waitFor((s) => s.payload['status'] === 'FAILED')
    expect(failed.payload).toMatchObject({ taker_order_id: buy.id, transaction_hash: null })
    expect(sent.map((s) => s.payload['status'])).toEqual(['MATCHED', 'RETRYING', 'FAILED'])
    expect(engine.wallet(ALICE).tokens.get(YES)).toBe(0)
    expect(engine.wallet(ALICE).usd).toBe(1_000_000_000)
  })

  it('reaches half the scenario liquidity under the partial-fill fault', () => {
    const { engine } = setup()
    const fak = accepted(
      engine.submit(order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000, type: 'FAK' }), {
        partial: true,
      }),
    )
    expect(fak.takingAmount).toBe('10')
    const more = accepted(
      engine.submit(order({ side: 'BUY', maker: 12_000_000, taker: 20_000_000, type: 'FAK' }), {
        partial: true,
      }),
    )
    expect(more.takingAmount).toBe('5')
  })
})

describe('TradingEngine cancels, delay, heartbeats', () => {
  it('cancels with the venue reasons', () => {
    const { engine } = setup()
    const resting = order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000 })
    accepted(engine.submit(resting))
    expect(engine.cancel('bob-key', [resting.id])).toEqual({
      canceled: [],
      not_canceled: { [resting.id]: 'Order not found or already canceled' },
    })
    expect(engine.cancel('alice-key', [resting.id]).canceled).toEqual([resting.id])
    expect(engine.cancel('alice-key', [resting.id]).not_canceled[resting.id]).toBe(
      'already canceled or matched',
    )
    const filled = order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000 })
    accepted(engine.submit(filled))
    expect(engine.cancel('alice-key', [filled.id]).not_canceled[filled.id]).toBe(
      'order already matched',
    )
    accepted(engine.submit(order({ side: 'BUY', maker: 3_000_000, taker: 10_000_000 })))
    accepted(engine.submit(order({ side: 'BUY', maker: 3_100_000, taker: 10_000_000 })))
    expect(engine.cancelWhere('alice-key').canceled).toHaveLength(2)
  })

  it('answers delayed, refuses to cancel meanwhile, then matches', async () => {
    const { engine, waitFor } = setup({ delayMs: 5 })
    const buy = order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000, type: 'FAK' })
    const response = accepted(engine.submit(buy))
    expect(response).toMatchObject({ status: 'delayed', makingAmount: '', tradeIDs: [] })
    expect(engine.cancel('alice-key', [buy.id]).not_canceled[buy.id]).toMatch(/in-play delay/)
    const trade = await waitFor((s) => s.payload['taker_order_id'] === buy.id)
    expect(trade.payload).toMatchObject({ status: 'MATCHED', size: '10' })
    // a non-marketable order is not delayed
    expect(
      accepted(engine.submit(order({ side: 'BUY', maker: 3_000_000, taker: 10_000_000 }))).status,
    ).toBe('live')
  })

  it('kills a delayed FOK that the book no longer fills, and rests a delayed GTC that missed', async () => {
    const { engine, book, waitFor } = setup({ delayMs: 5 })
    const fok = order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000, type: 'FOK' })
    expect(accepted(engine.submit(fok)).status).toBe('delayed')
    const gtc = order({ side: 'BUY', maker: 6_000_000, taker: 10_000_000 })
    expect(accepted(engine.submit(gtc)).status).toBe('delayed')
    book.setYesLevel('ask', 6000 as PriceTicks, 0 as ShareMicros, T0 as EpochMs)
    const killed = await waitFor((s) => s.payload['id'] === fok.id)
    expect(killed.payload).toMatchObject({ type: 'CANCELLATION', status: `CANCELED_${FOK_KILLED}` })
    const placed = await waitFor((s) => s.payload['id'] === gtc.id)
    expect(placed.payload).toMatchObject({ type: 'PLACEMENT', status: 'LIVE' })
  })

  it('cancels a GTD order a minute before its expiration', async () => {
    // the clock sits 1 ms before expiration - 60 s
    const expiration = T0 / 1000 + 61
    const { engine, waitFor } = setup({ nowMs: (expiration - 60) * 1000 - 1 })
    const gtd = order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000, type: 'GTD', expiration })
    expect(accepted(engine.submit(gtd)).status).toBe('live')
    const cancel = await waitFor((s) => s.payload['type'] === 'CANCELLATION')
    expect(cancel.payload).toMatchObject({
      id: gtd.id,
      status: 'CANCELED',
      expiration: String(expiration),
    })
  })

  it('heartbeats chain ids and cancel everything when they stop', async () => {
    const { engine, waitFor } = setup({ heartbeatMs: 5 })
    const resting = order({ side: 'BUY', maker: 5_000_000, taker: 10_000_000 })
    accepted(engine.submit(resting))
    const first = engine.heartbeat('alice-key', '')
    expect(first.ok).toBe(true)
    const id = first.ok ? first.id : ''
    expect(engine.heartbeat('alice-key', 'wrong')).toEqual({ ok: false, expected: id })
    expect(engine.heartbeat('alice-key', id).ok).toBe(true)
    const cancel = await waitFor((s) => s.payload['type'] === 'CANCELLATION')
    expect(cancel.payload).toMatchObject({ id: resting.id, status: 'CANCELED' })
    expect(engine.openOrders('alice-key')).toEqual([])
  })
})
