import { describe, expect, it } from 'vitest'
import type { FillJson } from '../../../../src/contracts/api.js'
import {
  eventFromCapture,
  eventFromSocket,
  fillsOf,
  signalFromCapture,
  signalFromSocket,
} from './convert.js'

describe('convert', () => {
  it('maps capture events and live game events', () => {
    expect(
      eventFromCapture({
        id: null,
        ts_ms: 10,
        type: 'goal',
        market: null,
        asset_id: '7',
        team: 'VGK',
        player: null,
        score: '1-0',
        map: 2,
        note: 'n',
        ts_video_ms: 4,
        source: 'espn',
      }),
    ).toEqual({
      id: null,
      tsMs: 10,
      tsVideoMs: 4,
      type: 'goal',
      team: 'VGK',
      score: '1-0',
      map: '2',
      note: 'n',
      market: null,
      assetId: '7',
    })
    expect(
      eventFromSocket({
        type: 'game_event',
        id: 3,
        market: '0xa',
        ts: 5,
        eventType: 'round_win',
        team: null,
        score: null,
        map: null,
      }),
    ).toMatchObject({ id: 3, tsMs: 5, type: 'round_win', tsVideoMs: null, market: '0xa' })
  })

  it('maps capture and live signals', () => {
    const s = signalFromCapture({
      id: 1,
      type: 'PANIC_SELL',
      ts: 100,
      asset_id: '1',
      market: '0xa',
      score: 0.9,
      volume_ratio: 4,
      spread_ratio: 2,
      depth_ratio: 0.5,
      price_change: -0.05,
      ref_price: 0.4,
      mirror_of: null,
      reverted: true,
      reversion_s: 12,
      retrace: null,
      mfe: null,
      mae: null,
    })
    expect(s).toMatchObject({ id: 1, assetId: '1', volumeRatio: 4, reverted: true, reversionS: 12 })
    expect(
      signalFromSocket({
        type: 'signal',
        signalType: 'FOMO_BUY',
        tokenId: '2',
        market: '0xa',
        ts: 7,
        score: 1,
        priceChange: 0.06,
      }),
    ).toMatchObject({ id: '2:FOMO_BUY:7', type: 'FOMO_BUY', reverted: null, volumeRatio: null })
  })

  it('keeps readable fills of the match tokens, oldest first', () => {
    const fill = (over: Partial<FillJson>): FillJson => ({
      id: 'f',
      client_order_id: 'c',
      market: '0xa',
      token_id: '1',
      side: 'buy',
      price: '0.53',
      size: '10',
      fee_usdc: '0',
      liquidity: 'taker',
      status: 'matched',
      ts_ms: 5,
      ...over,
    })
    const out = fillsOf(
      [
        fill({ id: 'b', ts_ms: 9 }),
        fill({ id: 'a', ts_ms: 3, side: 'sell' }),
        fill({ id: 'x', token_id: '9' }),
        fill({ id: 'bad', price: 'abc' }),
      ],
      ['1'],
    )
    expect(out.map((f) => f.id)).toEqual(['a', 'b'])
    expect(out[1]).toMatchObject({ price: 5300, size: 10_000_000, side: 'buy' })
  })
})
