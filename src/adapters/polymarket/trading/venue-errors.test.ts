import { describe, expect, it } from 'vitest'
import { failureOf, outcomeUnknown, reasonOf } from './venue-errors.js'

describe('client error values', () => {
  it('reads {...body, status} answers, transport errors and non-errors', () => {
    expect(failureOf({ success: true, orderID: '0x1' })).toBeNull()
    expect(failureOf(null)).toBeNull()
    expect(failureOf([1])).toBeNull()
    expect(
      failureOf({
        error: 'post-only mode: only post-only orders and cancels are allowed',
        code: 'post_only_mode',
        retry_after_seconds: 7,
        status: 503,
      }),
    ).toEqual({
      kind: 'http',
      status: 503,
      message: 'post-only mode: only post-only orders and cancels are allowed',
      code: 'post_only_mode',
      retryAfterMs: 7000,
    })
    expect(failureOf({ error: 'socket hang up' })).toEqual({
      kind: 'transport',
      message: 'socket hang up',
    })
    expect(failureOf({ error: { nested: 1 }, status: 400 })).toMatchObject({
      message: '{"nested":1}',
    })
    expect(failureOf({ error: new Error('boom') })).toEqual({ kind: 'transport', message: 'boom' })
  })

  it('maps the venue messages to stable reasons', () => {
    const cases: [number, string, string][] = [
      [425, 'Too Early', 'ENGINE_RESTARTING'],
      [429, 'Too Many Requests', 'RATE_LIMITED'],
      [401, 'Unauthorized/Invalid api key', 'UNAUTHORIZED'],
      [503, 'Trading is currently cancel-only. Try later', 'CANCEL_ONLY'],
      [503, 'Trading is currently disabled. Check polymarket.com for updates', 'TRADING_DISABLED'],
      [400, 'not enough balance / allowance', 'INSUFFICIENT_BALANCE'],
      [400, 'invalid post-only order: order crosses book', 'POST_ONLY_CROSSES'],
      [400, 'order 0x1 is invalid. Price (0.505) breaks minimum tick size rule: 0.01', 'OFF_TICK'],
      [400, 'order 0x1 is invalid. Size (1) lower than the minimum: 5', 'BELOW_MIN_SIZE'],
      [400, 'invalid amounts, the market buy orders maker amount supports…', 'BAD_AMOUNT'],
      [400, 'invalid expiration', 'INVALID_EXPIRATION'],
      [
        400,
        "order couldn't be fully filled. FOK orders are fully filled or killed.",
        'FOK_NOT_FILLED',
      ],
      [400, 'no orders found to match with FAK order. FAK orders are…', 'FAK_NO_MATCH'],
      [400, 'the market is not yet ready to process new orders', 'MARKET_NOT_READY'],
      [400, 'invalid signature', 'INVALID_SIGNATURE'],
      [400, 'the order signer address has to be the address of the API KEY', 'INVALID_SIGNATURE'],
      [400, 'maker address not allowed, please use the deposit wallet flow', 'WALLET_NOT_ALLOWED'],
      [400, "'0xabc' address in closed only mode", 'CLOSED_ONLY'],
      [403, "'0xabc' address banned", 'CLOSED_ONLY'],
      [400, 'order 0x1 is invalid. Duplicated.', 'DUPLICATE'],
      [400, 'Invalid order payload', 'INVALID_ORDER'],
      [500, 'order timed out', 'VENUE_ERROR'],
      [418, 'teapot', 'VENUE_ERROR'],
    ]
    for (const [status, message, reason] of cases) {
      expect(reasonOf(status, message, null), message).toBe(reason)
    }
    expect(reasonOf(503, 'anything', 'post_only_mode')).toBe('POST_ONLY_MODE')
  })

  it('only 5xx other than 503 leave a write open', () => {
    expect(outcomeUnknown(500)).toBe(true)
    expect(outcomeUnknown(502)).toBe(true)
    expect(outcomeUnknown(503)).toBe(false)
    expect(outcomeUnknown(425)).toBe(false)
    expect(outcomeUnknown(400)).toBe(false)
  })
})
