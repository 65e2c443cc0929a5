import { describe, expect, test } from 'vitest'
import { INITIAL_TICKET, ticketToOrder, type TicketState } from './ticket.js'

const NOW = 1_800_000_000_000
const T: TicketState = { ...INITIAL_TICKET, tokenId: '123', price: '0.45' }

describe('ticketToOrder', () => {
  test('a limit buy', () => {
    expect(ticketToOrder(T, NOW)).toEqual({
      ok: true,
      body: {
        token_id: '123',
        side: 'buy',
        type: 'limit',
        size: '10',
        price: '0.45',
        time_in_force: 'GTC',
      },
    })
  })

  test('post-only GTD carries the expiry', () => {
    const r = ticketToOrder({ ...T, postOnly: true, timeInForce: 'GTD', gtdMinutes: '2' }, NOW)
    expect(r.ok && r.body).toMatchObject({
      post_only: true,
      time_in_force: 'GTD',
      expires_at: NOW + 120_000,
    })
  })

  test('a market order without a cap sends no price; with one it is the worst price', () => {
    const plain = ticketToOrder({ ...T, price: '' }, NOW, { type: 'market', side: 'sell' })
    expect(plain).toEqual({
      ok: true,
      body: { token_id: '123', side: 'sell', type: 'market', size: '10' },
    })
    const capped = ticketToOrder({ ...T, type: 'market', price: '0.5' }, NOW)
    expect(capped.ok && capped.body.price).toBe('0.5')
  })

  test('stop offsets ride on a buy', () => {
    const r = ticketToOrder(
      { ...T, stopLossTicks: '5', takeProfitTicks: '10', trailingStopTicks: '' },
      NOW,
    )
    expect(r.ok && r.body).toMatchObject({ stop_loss_ticks: 5, take_profit_ticks: 10 })
    expect(r.ok && 'trailing_stop_ticks' in r.body).toBe(false)
  })

  test('every problem is named', () => {
    const r = ticketToOrder(
      {
        ...INITIAL_TICKET,
        size: '0',
        price: '1.5',
        stopLossTicks: 'x',
        timeInForce: 'GTD',
        gtdMinutes: '-1',
      },
      NOW,
    )
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.problems.join('\n')).toMatch(/outcome/)
    expect(r.problems.join('\n')).toMatch(/size/)
    expect(r.problems.join('\n')).toMatch(/price/)
    expect(r.problems.join('\n')).toMatch(/stop loss/)
    expect(r.problems.join('\n')).toMatch(/expiry/)
  })

  test('a limit order needs a price; a sell refuses stops', () => {
    const noPrice = ticketToOrder({ ...T, price: '' }, NOW)
    expect(noPrice.ok).toBe(false)
    const sell = ticketToOrder({ ...T, side: 'sell', stopLossTicks: '3' }, NOW)
    expect(!sell.ok && sell.problems[0]).toMatch(/with a buy/)
  })
})
