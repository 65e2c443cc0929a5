import { describe, expect, it } from 'vitest'
import type { CaptureDetail } from '../../../../src/contracts/playback.js'
import { captureMarket, eventOfMatch, tokenName } from './capture-match.js'

const detail = (over: Partial<CaptureDetail>): CaptureDetail => ({
  name: 'cap',
  kind: 'file',
  dir: '/d',
  files: 1,
  size_bytes: 1,
  modified_at: 1,
  started_at: 1,
  started_by: 'start',
  first_ms: 1000,
  last_ms: 2000,
  tokens: ['11', '22', '33', '44'],
  markets: [],
  indexed: true,
  index: 'ready',
  error: null,
  frames: 1,
  trades: 0,
  signals: 0,
  warnings: [],
  markets_detail: [],
  token_details: [],
  ...over,
})

describe('captureMarket', () => {
  it('takes the first followed token market with its outcomes', () => {
    const market = captureMarket(
      detail({
        markets_detail: [
          {
            condition_id: '0xa',
            question: 'A vs B',
            slug: 'a-b',
            tokens: [
              { token_id: '33', market: '0xa', outcome: 'A' },
              { token_id: '44', market: '0xa', outcome: null },
            ],
          },
        ],
        token_details: [{ token_id: '33', market: '0xa', outcome: 'A' }],
      }),
      ['33', '44'],
    )
    expect(market).toMatchObject({ condition_id: '0xa', question: 'A vs B', slug: 'a-b' })
    expect(market.tokens).toEqual([
      { token_id: '33', outcome: 'A' },
      { token_id: '44', outcome: 'Token 44' },
    ])
  })

  it('lists every token of a capture without markets, named by id', () => {
    const id = '72034199679685605777746108880436699468836661260225341006687916047384310465181'
    const market = captureMarket(detail({ tokens: [id, '22'] }), [id, '22'])
    expect(market).toMatchObject({ condition_id: '', question: 'cap' })
    expect(market.tokens.map((t) => t.outcome)).toEqual(['Token 7203…5181', 'Token 22'])
    expect(tokenName('5')).toBe('Token 5')
  })
})

describe('eventOfMatch', () => {
  const tokens = new Set(['11', '22'])
  it('keeps events of the tokens, the market, or of nothing in particular', () => {
    expect(eventOfMatch({ market: null, asset_id: '11' }, '0xa', tokens)).toBe(true)
    expect(eventOfMatch({ market: '0xa', asset_id: null }, '0xa', tokens)).toBe(true)
    expect(eventOfMatch({ market: null, asset_id: null }, '0xa', tokens)).toBe(true)
  })
  it('drops events of other markets and tokens', () => {
    expect(eventOfMatch({ market: '0xb', asset_id: null }, '0xa', tokens)).toBe(false)
    expect(eventOfMatch({ market: null, asset_id: '99' }, '0xa', tokens)).toBe(false)
  })
})
