import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { parseMarketFrame } from '../polymarket/ws/parse.js'
import type { ImportFrame } from './clob-frames.js'
import { detectInput, NHL_TICK_COLUMNS } from './detect.js'
import { ImportError } from './import-error.js'
import {
  convertNhlColumns,
  readNhlTicks,
  synthesizeNhlFrames,
  UNKNOWN_MARKET_ID,
  type NhlRawColumns,
} from './nhl-parquet.js'

const A = '72034199679685605777746108880436699468836661260225341006687916047384310465181'
const Z = '0x0000000000000000000000000000000000000000000000000000000000000000'
const B = '92414594351671835261391500979660097006383067088013751434865378783612714651002'

type Row = {
  timestamp: unknown
  price: unknown
  size: unknown
  best_bid: unknown
  best_ask: unknown
  side: unknown
  event_type: unknown
  asset_id: unknown
}

function pc(
  ts: number,
  asset: string,
  side: string,
  price: number,
  size: number,
  bid: unknown,
  ask: unknown,
): Row {
  return {
    timestamp: ts,
    price,
    size,
    best_bid: bid,
    best_ask: ask,
    side,
    event_type: 'PRICE_CHANGE',
    asset_id: asset,
  }
}

function trade(ts: number, asset: string, side: string, price: number, size: number): Row {
  return {
    timestamp: ts,
    price,
    size,
    best_bid: 0,
    best_ask: 0,
    side,
    event_type: 'LAST_TRADE',
    asset_id: asset,
  }
}

function columnsOf(rows: readonly Row[]): NhlRawColumns {
  return Object.fromEntries(
    NHL_TICK_COLUMNS.map((k) => [k, rows.map((r) => r[k])]),
  ) as unknown as NhlRawColumns
}

function synthesize(rows: readonly Row[]): { frames: ImportFrame[]; values: unknown[] } {
  const frames: ImportFrame[] = []
  synthesizeNhlFrames(convertNhlColumns(columnsOf(rows), rows.length, 't.parquet'), (f) =>
    frames.push(f),
  )
  return { frames, values: frames.map((f) => JSON.parse(f.raw) as unknown) }
}

function convertError(rows: readonly Row[]): string {
  try {
    convertNhlColumns(columnsOf(rows), rows.length, 'bad.parquet')
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError)
    return (e as Error).message
  }
  throw new Error('expected the rows to be rejected')
}

describe('synthesizeNhlFrames', () => {
  test('groups consecutive price_change rows of one timestamp into one current-shape frame', () => {
    const { frames, values } = synthesize([
      pc(1000, A, 'BID', 0.47, 100, 0.47, 0.48),
      pc(1000, B, 'ASK', 0.53, 100, 0.52, 0.53),
      pc(1001, A, 'ASK', 0.5, 0, 0.47, 0.48),
    ])
    expect(frames.map((f) => f.tLocal)).toEqual([1000, 1001])
    expect(values[0]).toEqual({
      event_type: 'price_change',
      market: UNKNOWN_MARKET_ID,
      timestamp: '1000',
      price_changes: [
        {
          asset_id: A,
          price: '0.47',
          size: '100',
          side: 'BUY',
          hash: '',
          best_bid: '0.47',
          best_ask: '0.48',
        },
        {
          asset_id: B,
          price: '0.53',
          size: '100',
          side: 'SELL',
          hash: '',
          best_bid: '0.52',
          best_ask: '0.53',
        },
      ],
    })
    expect(values[1]).toMatchObject({
      timestamp: '1001',
      price_changes: [{ side: 'SELL', size: '0' }],
    })
  })

  test('writes the key order and exact decimals of the venue shape', () => {
    const { frames } = synthesize([pc(5, A, 'BID', 0.0001, 967.641508, 0.9999, 1)])
    expect(frames[0]?.raw).toBe(
      `{"event_type":"price_change","market":"${Z}","timestamp":"5","price_changes":[{"asset_id":"${A}",` +
        '"price":"0.0001","size":"967.641508","side":"BUY","hash":"","best_bid":"0.9999","best_ask":"1"}]}',
    )
  })

  test('a zero or missing best bid/ask becomes the empty-side value', () => {
    const { values } = synthesize([
      pc(1, A, 'BID', 0.4, 1, 0, 0),
      pc(1, A, 'BID', 0.4, 1, null, undefined),
      pc(1, A, 'BID', 0.4, 1, Number.NaN, 0.6),
    ])
    const legs = (values[0] as { price_changes: { best_bid: string; best_ask: string }[] })
      .price_changes
    expect(legs.map((l) => [l.best_bid, l.best_ask])).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '0.6'],
    ])
  })

  test('a trade becomes a last_trade_price frame with the taker side and no fee field', () => {
    const { frames, values } = synthesize([
      pc(10, A, 'BID', 0.47, 1, 0.47, 0.48),
      trade(10, A, 'BID', 0.48, 2.083332),
      pc(10, A, 'BID', 0.46, 1, 0.47, 0.48),
      trade(11, B, 'ASK', 0.52, 5000),
    ])
    expect(values).toHaveLength(4) // the trade splits the same-timestamp run
    expect(frames[1]?.raw).toBe(
      `{"event_type":"last_trade_price","asset_id":"${A}","market":"${Z}","price":"0.48","size":"2.083332","side":"BUY","timestamp":"10"}`,
    )
    expect(values[3]).toMatchObject({ event_type: 'last_trade_price', side: 'SELL', size: '5000' })
  })

  test('keeps arrival order; local time is the running maximum', () => {
    const rows = [
      pc(300, A, 'BID', 0.4, 1, 0.4, 0.5),
      pc(100, A, 'BID', 0.4, 2, 0.4, 0.5),
      pc(100, A, 'BID', 0.4, 3, 0.4, 0.5),
      trade(200, A, 'ASK', 0.4, 1),
      pc(400, A, 'BID', 0.4, 4, 0.4, 0.5),
    ]
    const frames: ImportFrame[] = []
    const summary = synthesizeNhlFrames(convertNhlColumns(columnsOf(rows), rows.length, 't'), (f) =>
      frames.push(f),
    )
    const venueTimes = frames.map((f) => (JSON.parse(f.raw) as { timestamp: string }).timestamp)
    expect(venueTimes).toEqual(['300', '100', '200', '400'])
    expect(frames.map((f) => f.tLocal)).toEqual([300, 300, 300, 400])
    expect(summary).toEqual({
      frames: 4,
      priceChangeFrames: 3,
      tradeFrames: 1,
      legs: 4,
      trades: 1,
      firstTs: 100,
      lastTs: 400,
      backwardSteps: 1,
    })
  })

  test('accepts Date and bigint timestamps', () => {
    const rows = [pc(0, A, 'BID', 0.4, 1, 0.4, 0.5), pc(0, A, 'BID', 0.4, 1, 0.4, 0.5)]
    rows[0]!.timestamp = new Date(1780795851472)
    rows[1]!.timestamp = 1780795851473n
    expect(synthesize(rows).frames.map((f) => f.tLocal)).toEqual([1780795851472, 1780795851473])
  })

  test('the frames parse cleanly with the market-channel parser, empty sides as null', () => {
    const { frames } = synthesize([
      pc(7, A, 'BID', 0.47, 100, 0.47, 0),
      pc(7, B, 'ASK', 0.53, 0, 0, 0.53),
      trade(8, A, 'ASK', 0.47, 12.5),
    ])
    const results = frames.map((f) => parseMarketFrame(f.raw))
    expect(results.flatMap((r) => r.errors)).toEqual([])
    expect(results[0]?.events).toEqual([
      {
        type: 'price_change',
        market: UNKNOWN_MARKET_ID,
        tsVenue: 7,
        shape: 'batched',
        changes: [
          { assetId: A, side: 'bid', price: 4700, size: 100_000_000, bestBid: 4700, bestAsk: null },
          { assetId: B, side: 'ask', price: 5300, size: 0, bestBid: null, bestAsk: 5300 },
        ],
      },
    ])
    expect(results[1]?.events[0]).toMatchObject({
      type: 'last_trade_price',
      assetId: A,
      price: 4700,
      size: 12_500_000,
      side: 'sell',
      feeRateBps: null,
    })
  })

  test('an empty table gives no frames', () => {
    const summary = synthesizeNhlFrames(convertNhlColumns(columnsOf([]), 0, 't'), () => {
      throw new Error('no frame expected')
    })
    expect(summary.frames).toBe(0)
    expect(summary.firstTs).toBeNaN()
  })
})

describe('convertNhlColumns rejects invalid rows with their index', () => {
  const good = pc(1000, A, 'BID', 0.47, 100, 0.47, 0.48)
  test.each([
    ['timestamp', { ...good, timestamp: 'noon' }, 'timestamp "noon" is not a time in epoch ms'],
    ['negative timestamp', { ...good, timestamp: -5 }, 'timestamp -5 is not a time'],
    [
      'event_type',
      { ...good, event_type: 'BOOK' },
      'event_type "BOOK" is not PRICE_CHANGE or LAST_TRADE',
    ],
    ['side', { ...good, side: 'BUY' }, 'side "BUY" is not BID or ASK'],
    ['asset_id', { ...good, asset_id: '0xabc' }, 'asset_id "0xabc" is not a decimal token id'],
    ['missing asset_id', { ...good, asset_id: null }, 'asset_id null is not a decimal token id'],
    [
      'price above 1',
      { ...good, price: 1.5 },
      'price 1.5 is not a price in 0..1 with at most 4 decimals',
    ],
    ['price off the grid', { ...good, price: 0.12345 }, 'price 0.12345 is not a price'],
    ['missing price', { ...good, price: null }, 'price null is not a price'],
    ['negative size', { ...good, size: -1 }, 'size -1 is not a size >= 0 with at most 6 decimals'],
    ['size off the grid', { ...good, size: 0.1 + 0.2 }, 'size 0.30000000000000004 is not a size'],
    ['best_bid', { ...good, best_bid: 2 }, 'best_bid 2 is not a price'],
    ['best_ask', { ...good, best_ask: 'x' }, 'best_ask "x" is not a price'],
  ])('%s', (_name, bad, message) => {
    const text = convertError([good, good, bad])
    expect(text).toContain('bad.parquet: has an invalid row (row numbers count from 0): row 2: ')
    expect(text).toContain(message)
    expect(text).toContain('Nothing was imported')
  })

  test('best_bid/best_ask are not checked on trade rows', () => {
    const row = { ...trade(1, A, 'BID', 0.5, 1), best_bid: 'n/a', best_ask: -3 }
    expect(synthesize([row]).frames).toHaveLength(1)
  })

  test('lists the first five bad rows and counts them all', () => {
    const rows = Array.from({ length: 9 }, (_, i) => ({ ...good, side: i % 2 === 0 ? 'X' : 'BID' }))
    const text = convertError(rows)
    expect(text).toContain('row 0: side "X"')
    expect(text).toContain('row 8: side "X"')
    expect(text).not.toContain('in all') // all five are listed
    const many = Array.from({ length: 12 }, () => ({ ...good, side: 'X', price: 7 }))
    const manyText = convertError(many)
    expect(manyText).toContain('row 0: side "X" is not BID or ASK, price 7 is not a price')
    expect(manyText).toContain('row 4:')
    expect(manyText).not.toContain('row 5:')
    expect(manyText).toContain('12 bad rows in all')
  })
})

describe('readNhlTicks on the real file', () => {
  const bytes = readFileSync(
    new URL(
      '../../../test/fixtures/real/clob-nhl-scf-g4-2026-06-07/polymarket_ticks_20260607_0145.parquet',
      import.meta.url,
    ),
  )

  test('a corrupted value is reported with its row index', async () => {
    // "LAST_TRADE" is stored as a literal in the event_type dictionary; a same-length edit
    // turns every trade row into an invalid one.
    const edited = Buffer.from(
      Buffer.from(bytes).toString('latin1').replaceAll('LAST_TRADE', 'LAST_TRAXE'),
      'latin1',
    )
    const detected = detectInput(edited, 'edited.parquet')
    if (detected.format !== 'nhl-ticks-parquet') throw new Error('expected parquet')
    const error = await readNhlTicks(edited, detected.metadata, 'edited.parquet').catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ImportError)
    const firstTrade = (await readNhlTicks(bytes, detected.metadata, 'ok.parquet')).kind.indexOf(1)
    expect((error as Error).message).toContain(
      `row ${firstTrade}: event_type "LAST_TRAXE" is not PRICE_CHANGE or LAST_TRADE`,
    )
    expect((error as Error).message).toContain('355 bad rows in all')
  })

  test('corrupt page data is reported as such', async () => {
    const detected = detectInput(bytes, 'x.parquet')
    if (detected.format !== 'nhl-ticks-parquet') throw new Error('expected parquet')
    const broken = Uint8Array.from(bytes)
    broken.fill(0xee, 4, 400_000) // page headers and data of the first columns
    const error = await readNhlTicks(broken, detected.metadata, 'broken.parquet').catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ImportError)
    expect((error as Error).message).toMatch(/^broken\.parquet: cannot read the parquet data \(/)
  })
})
