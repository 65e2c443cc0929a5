import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { epochMsOf, parseUserEvent, UserChannel, type UserChannelEvent } from './user-channel.js'

const KEY = '3c9d1e2f-8a7b-4c6d-9e0f-1a2b3c4d5e6f'
const OTHER = '7e6d5c4b-3a2f-4e1d-8c9b-0a1f2e3d4c5b'

describe('user event parsing', () => {
  it('reads an order event, including the killed-FOK quirks', () => {
    expect(
      parseUserEvent(
        {
          event_type: 'order',
          type: 'PLACEMENT',
          id: '0xabc',
          market: '0xm',
          asset_id: '1',
          side: 'BUY',
          price: '0.45',
          original_size: '20',
          size_matched: '0',
          associate_trades: null,
          order_type: 'GTC',
          status: 'LIVE',
          created_at: '1783512050',
          timestamp: '1783512050412',
        },
        KEY,
        null,
      ),
    ).toMatchObject({
      type: 'order',
      kind: 'PLACEMENT',
      orderId: '0xabc',
      side: 'buy',
      price: 4500,
      originalSize: 20_000_000,
      sizeMatched: 0,
      tradeIds: [],
      ts: 1783512050412,
    })
    expect(
      parseUserEvent(
        {
          event_type: 'order',
          type: 'CANCELLATION',
          id: '0xdef',
          side: 'SELL',
          price: '0.5',
          original_size: '5',
          size_matched: '',
          status: "ORDER_STATUS_CANCELED_order couldn't be fully filled.",
          created_at: '',
          timestamp: '1783512050',
        },
        KEY,
        null,
      ),
    ).toMatchObject({
      sizeMatched: 0,
      status: "CANCELED_order couldn't be fully filled.",
      ts: 1783512050000,
    })
  })

  it('takes our fills from maker_orders when we were the maker (cross-asset match)', () => {
    const event = parseUserEvent(
      {
        event_type: 'trade',
        type: 'TRADE',
        id: 't1',
        taker_order_id: '0xtaker',
        market: '0xm',
        asset_id: 'NO',
        side: 'BUY',
        size: '12',
        price: '0.55',
        status: 'MATCHED',
        trader_side: 'MAKER',
        transaction_hash: null,
        maker_orders: [
          {
            order_id: '0xother',
            owner: OTHER,
            maker_address: '0x1',
            matched_amount: '3',
            price: '0.45',
            asset_id: 'YES',
            side: 'BUY',
            fee_rate_bps: '0',
          },
          {
            order_id: '0xmine',
            owner: KEY,
            maker_address: '0x2',
            matched_amount: '12',
            price: '0.45',
            asset_id: 'YES',
            side: 'BUY',
            fee_rate_bps: '0',
          },
        ],
        timestamp: '1783512061207',
      },
      KEY,
      null,
    )
    expect(event).toMatchObject({
      type: 'trade',
      status: 'MATCHED',
      liquidity: 'maker',
      fills: [{ orderId: '0xmine', tokenId: 'YES', side: 'buy', price: 4500, size: 12_000_000 }],
      transactionHash: null,
    })
  })

  it('recognises our maker fill by funder address when owner is absent', () => {
    const event = parseUserEvent(
      {
        event_type: 'trade',
        id: 't2',
        status: 'TRADE_STATUS_CONFIRMED',
        trader_side: 'MAKER',
        maker_orders: [
          {
            order_id: '0xmine',
            maker_address: '0xABCD',
            matched_amount: '1',
            price: '0.5',
            asset_id: 'Y',
            side: 'SELL',
          },
        ],
        transaction_hash: '0xhash',
        match_time: '1783512061',
      },
      KEY,
      '0xabcd',
    )
    expect(event).toMatchObject({
      status: 'CONFIRMED',
      fills: [{ orderId: '0xmine', side: 'sell' }],
      transactionHash: '0xhash',
      ts: 1783512061000,
    })
  })

  it('says what is wrong with a bad event and ignores other event types', () => {
    expect(parseUserEvent(3, KEY, null)).toBe('event is not an object')
    expect(parseUserEvent({ event_type: 'trade', status: 'WEIRD' }, KEY, null)).toMatch(
      /status "WEIRD"/,
    )
    expect(parseUserEvent({ event_type: 'order', type: 'NOPE' }, KEY, null)).toMatch(
      /"NOPE" is unknown/,
    )
    expect(
      parseUserEvent(
        {
          event_type: 'order',
          type: 'UPDATE',
          id: 'x',
          side: 'UP',
          price: '0.5',
          original_size: '1',
        },
        KEY,
        null,
      ),
    ).toMatch(/bad side, price or size/)
    expect(
      parseUserEvent(
        {
          event_type: 'trade',
          id: 't',
          status: 'MINED',
          trader_side: 'TAKER',
          side: 'BUY',
          price: '2',
          size: '1',
        },
        KEY,
        null,
      ),
    ).toMatch(/trade t has a bad/)
    expect(parseUserEvent({ event_type: 'last_trade_price' }, KEY, null)).toBeNull()
  })

  it('normalises seconds and milliseconds', () => {
    expect(epochMsOf('1783512061')).toBe(1783512061000)
    expect(epochMsOf(1783512061207)).toBe(1783512061207)
    expect(epochMsOf('')).toBe(0)
    expect(epochMsOf('x')).toBe(0)
  })
})

describe('user channel socket', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  async function server() {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    const sockets: WebSocket[] = []
    const firstMessages: string[] = []
    wss.on('connection', (socket) => {
      sockets.push(socket)
      let first = true
      socket.on('message', (data: Buffer) => {
        const text = data.toString('utf8')
        if (text === 'PING') {
          socket.send('PONG')
          return
        }
        if (first) {
          firstMessages.push(text)
          // answer the subscription with an event so the client side can wait for it
          socket.send(
            JSON.stringify({
              event_type: 'order',
              type: 'PLACEMENT',
              id: `0xauth${firstMessages.length}`,
              side: 'BUY',
              price: '0.5',
              original_size: '1',
              size_matched: '0',
              status: 'LIVE',
            }),
          )
        }
        first = false
      })
    })
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of wss.clients) s.terminate()
          wss.close(() => resolve())
        }),
    )
    const port = (wss.address() as AddressInfo).port
    return { url: `ws://127.0.0.1:${port}/ws/user`, sockets, firstMessages }
  }

  function waiter(events: UserChannelEvent[]) {
    const waiting: { pred: (e: UserChannelEvent) => boolean; done: () => void }[] = []
    return {
      onEvent: (e: UserChannelEvent) => {
        events.push(e)
        for (const w of waiting.splice(0)) {
          if (w.pred(e)) w.done()
          else waiting.push(w)
        }
      },
      until: (pred: (e: UserChannelEvent) => boolean) =>
        new Promise<void>((resolve, reject) => {
          if (events.some(pred)) return resolve()
          const timer = setTimeout(
            () => reject(new Error(`timed out; got ${JSON.stringify(events)}`)),
            5000,
          )
          waiting.push({
            pred,
            done: () => {
              clearTimeout(timer)
              resolve()
            },
          })
        }),
    }
  }

  it('authenticates in the first message, emits typed events, reconnects after a drop', async () => {
    const srv = await server()
    const events: UserChannelEvent[] = []
    const w = waiter(events)
    const channel = new UserChannel({
      url: srv.url,
      credentials: { key: KEY, secret: 's', passphrase: 'p' },
      markets: ['0xm'],
      onEvent: w.onEvent,
      backoffMs: 5,
      pingIntervalMs: 20,
    })
    cleanup.push(() => channel.close())
    await channel.connect()
    expect(channel.connected).toBe(true)
    await w.until((e) => e.type === 'order' && e.orderId === '0xauth1')
    expect(JSON.parse(srv.firstMessages[0]!)).toEqual({
      auth: { apiKey: KEY, secret: 's', passphrase: 'p' },
      type: 'user',
      markets: ['0xm'],
    })
    srv.sockets[0]!.send(
      JSON.stringify([
        {
          event_type: 'order',
          type: 'UPDATE',
          id: '0x1',
          side: 'BUY',
          price: '0.5',
          original_size: '10',
          size_matched: '4',
          status: 'LIVE',
        },
        { event_type: 'trade', id: 't', status: 'NOPE' },
      ]),
    )
    srv.sockets[0]!.send('not json')
    await w.until((e) => e.type === 'parse_error' && e.message === 'frame is not JSON')
    expect(events.find((e) => e.type === 'order' && e.kind === 'UPDATE')).toMatchObject({
      kind: 'UPDATE',
      sizeMatched: 4_000_000,
    })
    expect(events.filter((e) => e.type === 'parse_error')).toHaveLength(2)

    srv.sockets[0]!.terminate()
    await w.until((e) => e.type === 'connected' && e.reconnect)
    expect(events.find((e) => e.type === 'disconnected')).toMatchObject({ retryInMs: 5 })
    await w.until((e) => e.type === 'order' && e.orderId === '0xauth2')
    expect(srv.firstMessages[1]).toBe(srv.firstMessages[0])
  })

  it('rejects when the first open fails', async () => {
    const srv = await server()
    const url = srv.url
    await cleanup.pop()!()
    const channel = new UserChannel({
      url,
      credentials: { key: KEY, secret: 's', passphrase: 'p' },
      onEvent: () => undefined,
    })
    await expect(channel.connect()).rejects.toThrow(/user channel .* did not open/)
    await channel.close()
  })
})
