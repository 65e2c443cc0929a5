import { describe, expect, test } from 'vitest'
import type { Level, MarketEvent, PriceChange } from '../domain/book/book-events.js'
import { ParseError } from '../domain/errors.js'
import type { MarketId, TickSize, TokenId } from '../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../domain/units.js'
import { MarketData, type ResyncRequest } from './market-data.js'
import type { ParseResult } from './frame-parser.js'

const MARKET = '0xabc' as MarketId
const YES = '111' as TokenId
const NO = '222' as TokenId
const META = { tLocal: 1, conn: 'test' }

const px = (p: number): PriceTicks => p as PriceTicks
const sz = (s: number): ShareMicros => (s * 1_000_000) as ShareMicros
const ts = (t: number): EpochMs => t as EpochMs
const lv = (p: number, s: number): Level => ({ price: px(p), size: sz(s) })

function snapshot(asset: TokenId, bids: Level[], asks: Level[], t = 1): MarketEvent {
  return { type: 'book', market: MARKET, assetId: asset, tsVenue: ts(t), hash: '', bids, asks }
}

function change(
  asset: TokenId,
  side: 'bid' | 'ask',
  price: number,
  size: number,
  bestBid: number | null | undefined,
  bestAsk: number | null | undefined,
): PriceChange['changes'][number] {
  return {
    assetId: asset,
    side,
    price: px(price),
    size: sz(size),
    bestBid: bestBid === null || bestBid === undefined ? bestBid : px(bestBid),
    bestAsk: bestAsk === null || bestAsk === undefined ? bestAsk : px(bestAsk),
  }
}

function priceChange(changes: PriceChange['changes'], t = 2): PriceChange {
  return { type: 'price_change', market: MARKET, tsVenue: ts(t), shape: 'batched', changes }
}

const noParser = {
  parseText: (): ParseResult => ({ events: [], errors: [], ignored: true }),
  parseValue: (): ParseResult => ({ events: [], errors: [], ignored: true }),
}

function harness() {
  const resyncs: ResyncRequest[] = []
  const changed: string[] = []
  const md = new MarketData(noParser, {
    onResyncRequested: (r) => resyncs.push(r),
    onBookChanged: (book) => changed.push(book.assetId),
  })
  return { md, resyncs, changed }
}

describe('MarketData', () => {
  test('a snapshot replaces the book and a consistent delta keeps it live', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(4500, 10), lv(4400, 5)], [lv(4700, 3)]), META)
    md.apply(priceChange([change(YES, 'bid', 4600, 7, 4600, 4700)]), META)
    const book = md.book(YES)!
    expect(book.bestBid()).toBe(4600)
    expect(book.stale).toBe(false)
    expect(resyncs).toEqual([])
    expect(md.counters.mismatches).toBe(0)
  })

  test('a best bid mismatch marks the book stale and requests one resync', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(4500, 10)], [lv(4700, 3)]), META)
    // The venue says the best bid is 0.46 but no level at 0.46 was ever sent.
    md.apply(priceChange([change(YES, 'bid', 4400, 1, 4600, 4700)]), META)
    md.apply(priceChange([change(YES, 'bid', 4300, 1, 4600, 4700)]), META)
    expect(md.book(YES)!.stale).toBe(true)
    expect(md.book(YES)!.staleReason).toBe('best_bid_mismatch')
    expect(resyncs).toHaveLength(1)
    expect(resyncs[0]).toMatchObject({
      assetId: YES,
      reason: 'best_bid_mismatch',
      detail: 'venue=4600 ours=4500',
    })
  })

  test('a best ask mismatch is detected too, and an empty side counts', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(4500, 10)], [lv(4700, 3)]), META)
    md.apply(priceChange([change(YES, 'ask', 4700, 0, 4500, 4800)]), META)
    expect(resyncs.map((r) => r.reason)).toEqual(['best_ask_mismatch'])
    expect(resyncs[0]!.detail).toBe('venue=4800 ours=none')
  })

  test('the venue saying a side is empty agrees with an empty side', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(4500, 10)], [lv(4700, 3)]), META)
    md.apply(priceChange([change(YES, 'ask', 4700, 0, 4500, null)]), META)
    expect(resyncs).toEqual([])
    expect(md.book(YES)!.bestAsk()).toBeNull()
  })

  test('historical shapes without best bid/ask are applied without checks', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(4500, 10)], [lv(4700, 3)]), META)
    md.apply(priceChange([change(YES, 'bid', 4800, 1, undefined, undefined)]), META)
    // 0.48 bid against a 0.47 ask crosses: that is caught by the crossed-book check.
    expect(resyncs.map((r) => r.reason)).toEqual(['crossed_book'])
    expect(md.book(YES)!.staleReason).toBe('crossed_book')
  })

  test('a crossed snapshot is stale at once', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(4800, 10)], [lv(4700, 3)]), META)
    expect(md.book(YES)!.stale).toBe(true)
    expect(resyncs.map((r) => r.reason)).toEqual(['crossed_book'])
  })

  test('a new snapshot clears staleness', () => {
    const { md } = harness()
    md.apply(snapshot(YES, [lv(4500, 10)], [lv(4700, 3)]), META)
    md.apply(priceChange([change(YES, 'bid', 4400, 1, 4600, 4700)]), META)
    expect(md.book(YES)!.stale).toBe(true)
    md.apply(snapshot(YES, [lv(4600, 1)], [lv(4700, 3)], 3), META)
    expect(md.book(YES)!.stale).toBe(false)
    expect(md.book(YES)!.levels('bid')).toEqual([lv(4600, 1)])
  })

  test('deltas for an asset without a snapshot build a stale book and are not compared', () => {
    const { md, resyncs } = harness()
    md.apply(priceChange([change(NO, 'ask', 5300, 10, 5200, 5300)]), META)
    const book = md.book(NO)!
    expect(book.synced).toBe(false)
    expect(book.stale).toBe(true)
    expect(book.bestAsk()).toBe(5300)
    expect(resyncs).toEqual([])
    expect(md.venueTop(NO)).toMatchObject({ bestBid: 5200, bestAsk: 5300 })
  })

  test('a tick size change starts a new epoch, clears the book and requests a snapshot', () => {
    const { md, resyncs } = harness()
    md.apply(snapshot(YES, [lv(9600, 10)], [lv(9700, 3)]), META)
    md.apply(
      {
        type: 'tick_size_change',
        market: MARKET,
        assetId: YES,
        tsVenue: ts(5),
        oldTickSize: 100 as TickSize,
        newTickSize: 10 as TickSize,
      },
      META,
    )
    const book = md.book(YES)!
    expect(book.tickSize).toBe(10)
    expect(book.epoch).toBe(1)
    expect(book.stale).toBe(true)
    expect(book.levelCount('bid')).toBe(0)
    expect(resyncs.map((r) => r.reason)).toEqual(['tick_size_change'])
  })

  test('one event touching two assets reports each book once', () => {
    const { md, changed } = harness()
    md.apply(snapshot(YES, [lv(4500, 10)], [lv(4700, 3)]), META)
    changed.length = 0
    md.apply(
      priceChange([
        change(YES, 'bid', 4600, 1, 4600, 4700),
        change(NO, 'ask', 5400, 1, undefined, undefined),
        change(YES, 'bid', 4550, 1, 4600, 4700),
      ]),
      META,
    )
    expect(changed).toEqual([YES, NO])
  })

  test('trades accumulate volume by aggressor side', () => {
    const { md } = harness()
    const trade = (side: 'buy' | 'sell', size: number): MarketEvent => ({
      type: 'last_trade_price',
      market: MARKET,
      assetId: YES,
      tsVenue: ts(9),
      price: px(4700),
      size: sz(size),
      side,
      feeRateBps: null,
      transactionHash: null,
    })
    md.apply(trade('buy', 10), META)
    md.apply(trade('sell', 4), META)
    md.apply(trade('buy', 1), META)
    expect(md.tradeStats(YES)).toMatchObject({
      buyVolume: sz(11),
      sellVolume: sz(4),
      trades: 3,
      lastPrice: 4700,
    })
  })

  test('parse errors are counted and reported, ignored frames counted, nothing applied', () => {
    const errors: string[] = []
    let calls = 0
    const parser = {
      parseText: (text: string): ParseResult => {
        calls++
        if (text === 'PONG') return { events: [], errors: [], ignored: true }
        return { events: [], errors: [new ParseError('bad', text)], ignored: false }
      },
      parseValue: (): ParseResult => ({ events: [], errors: [], ignored: false }),
    }
    const md = new MarketData(parser, { onParseError: (e) => errors.push(e.message) })
    md.onFrameText('PONG', META)
    md.onFrameText('{"event_type":', META)
    expect(calls).toBe(2)
    expect(md.counters).toMatchObject({ frames: 2, ignoredFrames: 1, parseErrors: 1, events: 0 })
    expect(errors).toEqual(['bad'])
    expect(md.books.size).toBe(0)
  })

  test("onFrameBytes uses the parser's bytes entry when it has one", () => {
    const ranges: string[] = []
    const parser = {
      ...noParser,
      parseBytes: (bytes: Uint8Array, start: number, end: number): ParseResult => {
        ranges.push(`${bytes.length}:${start}-${end}`)
        return {
          events: [priceChange([change(YES, 'bid', 4600, 7, 4600, 4700)])],
          errors: [],
          ignored: false,
        }
      },
    }
    const md = new MarketData(parser)
    md.onFrameBytes(new Uint8Array(10), 2, 7, META)
    expect(ranges).toEqual(['10:2-7'])
    expect(md.counters).toMatchObject({ frames: 1, events: 1, levelChanges: 1 })
  })

  test("onFrameBytes takes the parser's fast entry first and its bytes entry when that declines", () => {
    const calls: string[] = []
    const parser = {
      ...noParser,
      scanBytes: (bytes: Uint8Array, start: number, end: number) => {
        calls.push(`scan ${start}-${end}`)
        return start === 0 ? priceChange([change(YES, 'bid', 4600, 7, 4600, 4700)]) : null
      },
      parseBytes: (_bytes: Uint8Array, start: number, end: number): ParseResult => {
        calls.push(`parse ${start}-${end}`)
        return { events: [], errors: [new ParseError('bad', 'x')], ignored: false }
      },
    }
    const md = new MarketData(parser)
    md.onFrameBytes(new Uint8Array(10), 0, 7, META)
    md.onFrameBytes(new Uint8Array(10), 2, 7, META)
    expect(calls).toEqual(['scan 0-7', 'scan 2-7', 'parse 2-7'])
    expect(md.counters).toMatchObject({ frames: 2, events: 1, levelChanges: 1, parseErrors: 1 })
    expect(md.book(YES)?.bestBid()).toBe(4600)
  })

  test('onFrameBytes decodes UTF-8 for a parser without a bytes entry', () => {
    const texts: string[] = []
    const parser = {
      ...noParser,
      parseText: (text: string): ParseResult => {
        texts.push(text)
        return { events: [], errors: [], ignored: true }
      },
    }
    const md = new MarketData(parser)
    const bytes = new TextEncoder().encode('xx{"q":"€"}yy')
    md.onFrameBytes(bytes, 2, bytes.length - 2, META)
    // Invalid UTF-8 (a cut multi-byte character) becomes U+FFFD, as Buffer#toString does.
    md.onFrameBytes(bytes, 2, 9, META)
    // A byte order mark stays in the text, as it would in text decoded by the reader.
    const marked = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])
    md.onFrameBytes(marked, 0, marked.length, META)
    expect(texts).toEqual(['{"q":"€"}', '{"q":"\uFFFD', '\uFEFF{}'])
    expect(md.counters).toMatchObject({ frames: 3, ignoredFrames: 3 })
  })
})
