import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import { validateGameEvent } from '../../domain/game-events.js'
import type { OrderService } from '../../engine/execution/order-service.js'
import { MARKET, rig, YES } from '../../engine/execution/test-support.js'
import { buildHttpServer } from './http.js'
import { parseOrderBody } from './orders-routes.js'

type Row = Record<string, unknown>
/** The answer fields the tests read. */
type Answer = {
  order: Row
  orders: Row[]
  fills: Row[]
  positions: Row[]
  errors: string[]
  code: string
  message: string
  global: Row
}

function server(service: OrderService | null) {
  return buildHttpServer({
    metrics: { contentType: 'text/plain', text: () => Promise.resolve('') },
    health: () => ({ status: 'ok' }),
    validateGameEvent: (input) => validateGameEvent(input),
    store: {
      insertGameEvents: () => Promise.resolve([]),
      listGameEvents: () => Promise.resolve([]),
    },
    log: silentLogger(),
    orders: () => service,
  })
}

const BUY = { token_id: YES, side: 'buy', type: 'market', size: '20' }

function post(url: string, payload?: unknown) {
  return {
    method: 'POST' as const,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  }
}

describe('orders API', () => {
  test('POST /api/orders: 201 with the order, 200 for a repeated client id', async () => {
    const app = server(rig().service)
    const first = await app.inject(post('/api/orders', { ...BUY, client_order_id: 'c1' }))
    expect(first.statusCode).toBe(201)
    expect(first.json<Answer>().order).toMatchObject({
      id: 'c1',
      status: 'filled',
      size: '20',
      filled: '20',
      price: '0.55',
      market: MARKET,
    })
    const again = await app.inject(post('/api/orders', { ...BUY, client_order_id: 'c1' }))
    expect(again.statusCode).toBe(200)
    expect(again.json<Answer>().order.id).toBe('c1')
  })

  test('a risk denial is 422 {code,message}', async () => {
    const app = server(rig({ limits: { maxOrderUsd: 5 } }).service)
    const res = await app.inject(post('/api/orders', BUY))
    expect(res.statusCode).toBe(422)
    const body = res.json<Answer>()
    expect(Object.keys(body).sort()).toEqual(['code', 'message'])
    expect(body.code).toBe('MAX_ORDER')
    expect(body.message).toMatch(/maximum order size/)
  })

  test('a malformed body is 400 naming each field', async () => {
    const app = server(rig().service)
    const res = await app.inject(
      post('/api/orders', { token_id: 'abc', side: 'hold', type: 'limit', size: '-1', extra: 1 }),
    )
    expect(res.statusCode).toBe(400)
    const errors = res.json<Answer>().errors
    for (const field of ['extra:', 'token_id:', 'side:', 'size:', 'price:']) {
      expect(errors.some((e) => e.startsWith(field))).toBe(true)
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { 'content-type': 'application/json' },
      payload: '{"token_id":',
    })
    expect(notJson.statusCode).toBe(400)
    const array = await app.inject(post('/api/orders', [1]))
    expect(array.json<Answer>().errors).toEqual(['body: send one order as a JSON object'])
  })

  test('preview: 200 with the walk, 422 when it cannot be priced, 400 when malformed', async () => {
    const app = server(rig().service)
    const res = await app.inject(post('/api/orders/preview', BUY))
    expect(res.statusCode).toBe(200)
    expect(res.json<Answer>()).toMatchObject({
      avg_price: 0.51,
      worst_price: '0.52',
      fillable: '20',
      notional_usdc: '10.2',
      fees_usdc: '0.2498',
      slippage_ticks: 100,
      slippage_usdc: 0.2,
    })
    const unknown = await app.inject(post('/api/orders/preview', { ...BUY, token_id: '42' }))
    expect(unknown.statusCode).toBe(422)
    expect(unknown.json<Answer>().code).toBe('UNKNOWN_TOKEN')
    const bad = await app.inject(post('/api/orders/preview', { ...BUY, size: 'ten' }))
    expect(bad.statusCode).toBe(400)
  })

  test('cancel: 200 with the cancelled order, 404 for an unknown id; cancel-all 200', async () => {
    const app = server(rig().service)
    await app.inject(
      post('/api/orders', { ...BUY, type: 'limit', price: '0.45', client_order_id: 'rest1' }),
    )
    await app.inject(
      post('/api/orders', { ...BUY, type: 'limit', price: 0.44, client_order_id: 'rest2' }),
    )
    const cancel = await app.inject({ method: 'DELETE', url: '/api/orders/rest1' })
    expect(cancel.statusCode).toBe(200)
    expect(cancel.json<Answer>().order.status).toBe('cancelled')
    const missing = await app.inject({ method: 'DELETE', url: '/api/orders/nope' })
    expect(missing.statusCode).toBe(404)
    const all = await app.inject(post('/api/cancel-all'))
    expect(all.statusCode).toBe(200)
    expect(all.json<Answer>().orders).toEqual([
      expect.objectContaining({ id: 'rest2', status: 'cancelled' }),
    ])
  })

  test('lists, positions, panic close, risk and resume', async () => {
    const { service } = rig()
    const app = server(service)
    await app.inject(post('/api/orders', { ...BUY, size: 10 }))
    const orders = await app.inject({ method: 'GET', url: '/api/orders' })
    expect(orders.json<Answer>().orders).toHaveLength(1)
    const fills = await app.inject({ method: 'GET', url: '/api/fills' })
    expect(fills.json<Answer>().fills).toEqual([
      expect.objectContaining({ price: '0.5', size: '10', fee_usdc: '0.125', liquidity: 'taker' }),
    ])
    const positions = await app.inject({ method: 'GET', url: '/api/positions' })
    expect(positions.json<Answer>().positions).toEqual([
      expect.objectContaining({
        size: '10',
        cost_usdc: '5',
        value_at_bid_usdc: '4.8',
        unrealized_at_bid_usdc: '-0.2',
        unrealized_at_mid_usdc: '-0.1',
      }),
    ])
    await service.halt('global')
    const risk = await app.inject({ method: 'GET', url: '/api/risk' })
    expect(risk.json<Answer>().global).toMatchObject({ mode: 'halted' })
    const denied = await app.inject(post('/api/orders', BUY))
    expect(denied.json<Answer>().code).toBe('HALTED')
    const panic = await app.inject(post('/api/panic-close'))
    expect(panic.statusCode).toBe(200)
    expect(panic.json<Answer>().positions).toEqual([])
    const badScope = await app.inject(post('/api/risk/resume', { scope: 'everything' }))
    expect(badScope.statusCode).toBe(400)
    const resume = await app.inject(post('/api/risk/resume', {}))
    expect(resume.json<Answer>()).toEqual({ scope: 'global', lifted: ['HALTED'] })
    const market = await app.inject(post('/api/risk/resume', { scope: MARKET }))
    expect(market.json<Answer>()).toEqual({ scope: MARKET, lifted: [] })
  })

  test('503 before the service exists', async () => {
    const app = server(null)
    const res = await app.inject({ method: 'GET', url: '/api/positions' })
    expect(res.statusCode).toBe(503)
    const health = await app.inject({ method: 'GET', url: '/api/health' })
    expect(health.statusCode).toBe(200)
  })
})

describe('parseOrderBody', () => {
  test('time in force and post-only are checked against the order type', () => {
    expect(parseOrderBody({ ...BUY, time_in_force: 'GTC' })).toMatchObject({ ok: false })
    expect(parseOrderBody({ ...BUY, post_only: true })).toMatchObject({ ok: false })
    expect(parseOrderBody({ ...BUY, time_in_force: 'FOK' })).toMatchObject({
      ok: true,
      request: { timeInForce: 'FOK', size: 20_000_000 },
    })
    expect(parseOrderBody({ ...BUY, price: 1 })).toMatchObject({ ok: false })
    expect(parseOrderBody({ ...BUY, client_order_id: 'has space' })).toMatchObject({ ok: false })
  })
})
