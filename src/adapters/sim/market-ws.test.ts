import { afterEach, describe, expect, it } from 'vitest'
import type { MarketEvent, NewMarket } from '../../domain/book/book-events.js'
import { MarketData } from '../../engine/market-data.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { startSim, type SimHandle } from './sim-server.js'
import { TestWsClient } from '../../../test/support/ws-test-client.js'

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
})

async function sim(seed: number): Promise<SimHandle> {
  const handle = await startSim({ seed, speed: 0 })
  open.push(handle)
  return handle
}

async function client(handle: SimHandle): Promise<TestWsClient> {
  const c = await TestWsClient.connect(handle.wsUrl)
  open.push(c)
  return c
}

/** Feeds every received text to a MarketData and returns it with the events it produced. */
function replay(texts: readonly string[]): { md: MarketData; events: MarketEvent[] } {
  const events: MarketEvent[] = []
  const md = new MarketData(polymarketFrameParser, { onEvent: (e) => events.push(e) })
  for (const text of texts) md.onFrameText(text, { tLocal: 0, conn: 'sim' })
  return { md, events }
}

describe('simulated market channel frames', () => {
  it('announces a later map market with new_market, to custom-feature connections only', async () => {
    const handle = await sim(4)
    const markets = handle.scenario.events()[0]!.markets
    const map2 = markets[2]!
    const plain = await client(handle)
    const custom = await client(handle)
    // Empty subscriptions: only frames sent to every connection can arrive. With the custom
    // feature on, that is how a client learns of markets it has no token ids for yet.
    plain.send({ assets_ids: [], type: 'market' })
    custom.send({ assets_ids: [], type: 'market', custom_feature_enabled: true })
    await plain.sync()
    await custom.sync()
    expect(handle.trueBook(map2.tokens[0])?.levelCount('bid')).toBe(0)
    let opened = false
    for (let i = 0; i < 20_000 && !opened; i++) {
      opened = handle
        .step(1)
        .some((f) => (f.payload as { event_type?: string }).event_type === 'new_market')
    }
    expect(opened).toBe(true)
    expect(handle.trueBook(map2.tokens[0])?.levelCount('bid')).toBeGreaterThan(0)
    const customSeen = replay(await custom.sync())
    const plainSeen = replay(await plain.sync())
    expect(plainSeen.events.filter((e) => e.type === 'new_market')).toEqual([])
    expect(plainSeen.md.counters.parseErrors).toBe(0)
    const created = customSeen.events.filter((e): e is NewMarket => e.type === 'new_market')
    expect(customSeen.md.counters.parseErrors).toBe(0)
    expect(created).toHaveLength(1)
    expect(created[0]).toMatchObject({
      market: map2.conditionId,
      id: map2.id,
      slug: map2.slug,
      question: map2.question,
      assetIds: map2.tokens,
      outcomes: map2.outcomes,
      tickSize: 100,
      sportsMarketType: 'child_moneyline',
      tags: ['esports', 'valorant'],
    })
    // Raw shape: every field the venue sends.
    const raw = custom.received
      .map((t) => (t === 'PONG' ? null : (JSON.parse(t) as unknown)))
      .flat()
      .find((v) => (v as { event_type?: string } | null)?.event_type === 'new_market')
    expect(Object.keys(raw as object).sort()).toEqual(
      [
        'event_type',
        'id',
        'question',
        'market',
        'slug',
        'description',
        'assets_ids',
        'outcomes',
        'event_message',
        'timestamp',
        'tags',
        'condition_id',
        'active',
        'clob_token_ids',
        'sports_market_type',
        'line',
        'game_start_time',
        'order_price_min_tick_size',
        'group_item_title',
      ].sort(),
    )
  })

  it('follows every trade with a book snapshot of the traded token, equal to the true book', async () => {
    const handle = await sim(6)
    const ids = handle.scenario.assetIds()
    const c = await client(handle)
    c.send({ assets_ids: ids, type: 'market' })
    await c.sync()
    let booksSent = 0
    for (let i = 0; i < 400; i++) {
      for (const frame of handle.step(1)) {
        if ((frame.payload as { event_type?: string }).event_type === 'book') booksSent++
      }
    }
    await c.sync()
    const { md, events } = replay(c.received)
    const trades = events.filter((e) => e.type === 'last_trade_price')
    expect(trades.length).toBeGreaterThan(20)
    expect(booksSent).toBeGreaterThan(0)
    expect(booksSent).toBeLessThanOrEqual(trades.length)
    // Each trade (one print per level an order filled) is followed, once its order is done, by
    // a book of the same token at the same venue time, before any other trade.
    events.forEach((event, index) => {
      if (event.type !== 'last_trade_price') return
      const next = events
        .slice(index + 1)
        .find(
          (e) =>
            e.type === 'book' || (e.type === 'last_trade_price' && e.assetId !== event.assetId),
        )
      expect(next?.type).toBe('book')
      if (next?.type !== 'book') return
      expect(next.assetId).toBe(event.assetId)
      expect(next.tsVenue).toBe(event.tsVenue)
    })
    const books = events.filter((e) => e.type === 'book').length
    expect(books).toBe(ids.length + booksSent)
    expect(md.counters.mismatches).toBe(0)
    expect(md.counters.crossedBooks).toBe(0)
    for (const id of ids) {
      expect(md.book(id)?.levels('bid')).toEqual(handle.trueBook(id)?.levels('bid'))
      expect(md.book(id)?.levels('ask')).toEqual(handle.trueBook(id)?.levels('ask'))
    }
  })
})
