import Fastify from 'fastify'
import { describe, expect, test } from 'vitest'
import { silentLogger } from '../../adapters/log.js'
import { validateGameEvent } from '../../domain/game-events.js'
import type { OrderService } from '../../engine/execution/order-service.js'
import type { EpochMs } from '../../domain/units.js'
import { stopRig } from '../../engine/execution/stop-test-support.js'
import { MARKET, rig, YES } from '../../engine/execution/test-support.js'
import { buildHttpServer } from './http.js'
import { GTD_MIN_LEAD_MS, parseOrderBody, registerOrderRoutes } from './orders-routes.js'

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

describe('stops and GTD over the API', () => {
  function stopServer(withStops = true) {
    const r = stopRig()
    const app = Fastify({ logger: false })
    registerOrderRoutes(app, () => r.service, {
      ...(withStops ? { stops: () => r.manager } : {}),
      now: () => r.clock.t,
    })
    return { r, app }
  }

  test('an order with offsets answers 201 with its stop; GET lists it; DELETE cancels it', async () => {
    const { r, app } = stopServer()
    await r.manager.start()
    const res = await app.inject(
      post('/api/orders', { ...BUY, stop_loss_ticks: 2, take_profit_ticks: '4' }),
    )
    expect(res.statusCode).toBe(201)
    const body = res.json<Answer & { stop: Row }>()
    expect(body.order).toMatchObject({ status: 'filled', filled: '20' })
    expect(body.stop).toMatchObject({
      state: 'armed',
      side: 'long',
      entry_price: '0.51',
      size: '20',
      tick_size: '0.01',
      stop_loss_ticks: 2,
      take_profit_ticks: 4,
      trailing_stop_ticks: null,
      stop_loss_price: '0.49',
      take_profit_price: '0.55',
      trailing_stop_price: null,
      trailing_reference_price: '0.51',
      exit_order_id: null,
      exit_filled: '0',
    })
    const list = await app.inject({ method: 'GET', url: '/api/stops' })
    expect(list.json<{ stops: Row[] }>().stops).toEqual([
      expect.objectContaining({ id: body.stop.id }),
    ])
    const del = await app.inject({ method: 'DELETE', url: `/api/stops/${String(body.stop.id)}` })
    expect(del.statusCode).toBe(200)
    expect(del.json<{ stop: Row }>().stop).toMatchObject({
      state: 'cancelled',
      reason_code: 'CANCELLED',
    })
    const missing = await app.inject({ method: 'DELETE', url: '/api/stops/nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json<{ error: string }>().error).toBe('no stop with id nope')
  })

  test('a fired stop cannot be cancelled: 409 naming its exit order', async () => {
    const { r, app } = stopServer()
    await r.manager.start()
    const res = await app.inject(post('/api/orders', { ...BUY, stop_loss_ticks: 1 }))
    const id = String(res.json<{ stop: Row }>().stop.id)
    r.setBook([[4000, 100]], [[5000, 10]])
    await r.manager.settled()
    const del = await app.inject({ method: 'DELETE', url: `/api/stops/${id}` })
    expect(del.statusCode).toBe(409)
    expect(del.json<{ error: string }>().error).toBe(
      `stop ${id} is released and can no longer be cancelled; its exit order is ${id}.x`,
    )
    const list = await app.inject({ method: 'GET', url: '/api/stops' })
    expect(list.json<{ stops: Row[] }>().stops[0]).toMatchObject({
      state: 'released',
      trigger: 'stop_loss',
      trigger_price: '0.4',
      exit_filled: '20',
    })
  })

  test('bad offsets are 400 naming each field; a sell cannot carry them', async () => {
    const { app } = stopServer()
    const res = await app.inject(
      post('/api/orders', {
        ...BUY,
        stop_loss_ticks: 0,
        take_profit_ticks: 1.5,
        trailing_stop_ticks: 'five',
      }),
    )
    expect(res.statusCode).toBe(400)
    const errors = res.json<Answer>().errors
    for (const field of ['stop_loss_ticks:', 'take_profit_ticks:', 'trailing_stop_ticks:']) {
      expect(errors.some((e) => e.startsWith(field))).toBe(true)
    }
    const sell = await app.inject(
      post('/api/orders', { ...BUY, side: 'sell', trailing_stop_ticks: 3 }),
    )
    expect(sell.statusCode).toBe(400)
    expect(sell.json<Answer>().errors).toEqual([
      'trailing_stop_ticks: stops guard a position opened by a buy; send them with the buy that opens it',
    ])
    const huge = await app.inject(post('/api/orders', { ...BUY, stop_loss_ticks: 10_001 }))
    expect(huge.json<Answer>().errors[0]).toMatch(/^stop_loss_ticks: .*1 to 10000/)
  })

  test('offsets without a stop manager are 503; GET and DELETE too', async () => {
    const { app } = stopServer(false)
    const res = await app.inject(post('/api/orders', { ...BUY, stop_loss_ticks: 2 }))
    expect(res.statusCode).toBe(503)
    expect(res.json<{ error: string }>().error).toMatch(/emulated stops are not available/)
    expect((await app.inject({ method: 'GET', url: '/api/stops' })).statusCode).toBe(503)
    expect((await app.inject({ method: 'DELETE', url: '/api/stops/x' })).statusCode).toBe(503)
    const plain = await app.inject(post('/api/orders', BUY))
    expect(plain.statusCode).toBe(201)
  })

  test('GTD: accepted two minutes ahead, expired by the paper venue at expires_at', async () => {
    const { r, app } = stopServer()
    const expiresAt = r.clock.t + GTD_MIN_LEAD_MS
    const res = await app.inject(
      post('/api/orders', {
        ...BUY,
        type: 'limit',
        price: '0.45',
        time_in_force: 'GTD',
        expires_at: expiresAt,
        client_order_id: 'gtd-1',
      }),
    )
    expect(res.statusCode).toBe(201)
    expect(res.json<Answer>().order).toMatchObject({ status: 'open', time_in_force: 'GTD' })
    r.clock.t = expiresAt
    r.venue.poll(expiresAt as EpochMs)
    await r.service.settled()
    const orders = await app.inject({ method: 'GET', url: '/api/orders' })
    expect(orders.json<Answer>().orders[0]).toMatchObject({
      id: 'gtd-1',
      status: 'cancelled',
      reason_code: 'EXPIRED',
    })
  })

  test('GTD validation: expiry required, GTD only, whole ms, far enough ahead', () => {
    const now = 1_800_000_000_000
    const limit = { ...BUY, type: 'limit', price: '0.45' }
    const errorsOf = (body: unknown) => {
      const parsed = parseOrderBody(body, { now })
      return parsed.ok ? [] : parsed.errors
    }
    expect(errorsOf({ ...limit, time_in_force: 'GTD' })).toEqual([
      'expires_at: required with time_in_force "GTD": when the order stops, epoch ms',
    ])
    expect(errorsOf({ ...limit, expires_at: now + 600_000 })).toEqual([
      'expires_at: only for time_in_force "GTD" (a limit order good till a time)',
    ])
    expect(errorsOf({ ...limit, time_in_force: 'GTD', expires_at: '1800000600000' })).toEqual([
      'expires_at: epoch milliseconds as a whole number (e.g. 1800000000000)',
    ])
    expect(
      errorsOf({ ...limit, time_in_force: 'GTD', expires_at: now + GTD_MIN_LEAD_MS - 1 }),
    ).toEqual([
      `expires_at: must be at least 120 s from now (${now + GTD_MIN_LEAD_MS} or later): the venue refuses GTD expiries under 3 minutes away and ends the order 60 s early`,
    ])
    expect(errorsOf({ ...BUY, time_in_force: 'GTD', expires_at: now + 600_000 })[0]).toMatch(
      /^time_in_force: /,
    )
    expect(
      parseOrderBody(
        { ...limit, time_in_force: 'GTD', expires_at: now + GTD_MIN_LEAD_MS },
        { now },
      ),
    ).toMatchObject({
      ok: true,
      request: { timeInForce: 'GTD', expiresAt: now + GTD_MIN_LEAD_MS },
      offsets: null,
    })
  })
})
