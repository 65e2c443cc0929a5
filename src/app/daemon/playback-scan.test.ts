import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  PANIC_TOKENS,
  panicFrames,
  randomFrames,
  RANDOM_TOKENS,
  writeCapture,
} from '../../../test/support/playback-captures.js'
import { openCapturePlayback } from '../../adapters/capture/capture-index.js'
import { polymarketFrameParser } from '../../adapters/polymarket/ws/market-frame-parser.js'
import { readRecordings } from '../../adapters/replay/recorded-feed.js'
import { PlaybackQueryError } from '../../adapters/web/playback-types.js'
import type { CaptureDetail } from '../../contracts/playback.js'
import { MarketData } from '../../engine/market-data.js'
import { PlaybackSession } from '../../engine/playback/playback-session.js'
import { DEFAULT_SIGNAL_CONFIG, SignalEngine, type Signal } from '../../engine/signals/index.js'
import type { Reversion } from '../../engine/signals/types.js'
import { scanCapture } from './playback-scan.js'
import { MAX_SERIES_POINTS, seriesOf, signalsOf } from './playback-series.js'
import type { SignalEngineFactory } from './ports.js'

const PARSER = polymarketFrameParser
const ENGINE: SignalEngineFactory = (_config, callbacks, options) =>
  new SignalEngine(DEFAULT_SIGNAL_CONFIG, callbacks, {
    complementOf: (id) => options.complementOf(id) ?? null,
  })

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiltmeter-scan-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function detailOf(tokens: readonly string[], first: number | null, last: number | null) {
  return { tokens: [...tokens], first_ms: first, last_ms: last } as unknown as CaptureDetail
}

describe('signals of a capture', () => {
  test('are the signals a replay of the same frames through the signal engine raises', async () => {
    const dir = join(root, 'panic')
    const [file] = await writeCapture(dir, panicFrames(), {}, 'panic.ndjson.gz')
    const index = await openCapturePlayback(file!)
    const scan = await scanCapture(index, PARSER, { signalEngine: ENGINE, signalConfig: {} })

    const raised: { signal: Signal; reversion: Reversion | null }[] = []
    const engine = new SignalEngine(DEFAULT_SIGNAL_CONFIG, {
      onSignal: (signal) => raised.push({ signal, reversion: null }),
      onReversion: (signal, reversion) => {
        const entry = raised.find((r) => r.signal.id === signal.id)
        if (entry !== undefined) entry.reversion = reversion
      },
    })
    let last = 0
    const market = new MarketData(PARSER, {
      onEvent: (event) => {
        last = Math.max(last, event.tsVenue)
        engine.onEvent(event)
      },
      onBookChanged: (book, event) => engine.onBookChanged(book, event),
    })
    await readRecordings([file!], {
      onFrame: (frame) => {
        const meta = { tLocal: frame.tLocal, conn: frame.conn }
        if (frame.value === undefined) market.onFrameText(frame.raw, meta)
        else market.onFrameValue(frame.value, frame.raw, meta)
      },
      onFrameBytes: (bytes, start, end, tLocal, conn) =>
        market.onFrameBytes(bytes, start, end, { tLocal, conn }),
    })
    engine.finish(last)

    expect(raised.map((r) => r.signal.type)).toEqual(['PANIC_SELL'])
    expect(scan.signals).toHaveLength(raised.length)
    const signals = signalsOf(scan, {})
    for (let i = 0; i < raised.length; i++) {
      const { signal, reversion } = raised[i]!
      expect(signals[i]).toEqual({
        id: i + 1,
        type: signal.type,
        ts: signal.ts,
        asset_id: signal.assetId,
        market: signal.market,
        score: signal.score,
        volume_ratio: signal.volumeRatio,
        spread_ratio: signal.spreadRatio,
        depth_ratio: signal.depthRatio,
        price_change: signal.priceChange,
        ref_price: signal.refPrice,
        mirror_of: null,
        reverted: reversion?.reverted ?? null,
        reversion_s: reversion?.reversionMs == null ? null : reversion.reversionMs / 1000,
        retrace: reversion?.retrace ?? null,
        mfe: reversion?.mfe ?? null,
        mae: reversion?.mae ?? null,
      })
    }
    expect(signals[0]).toMatchObject({ asset_id: PANIC_TOKENS[0], score: 1 })
    expect(signals[0]!.reverted).not.toBeNull()
    expect(signalsOf(scan, { token_id: PANIC_TOKENS[1] })).toEqual([])
    expect(signalsOf(scan, { to: signals[0]!.ts - 1 })).toEqual([])
    expect(scan.marketOf.get(PANIC_TOKENS[0])).toBe(`0x${'ab'.repeat(32)}`)
  })
})

describe('series of a capture', () => {
  test('each point is the top a seek to its time shows, across rotated gzip files', async () => {
    const dir = join(root, 'random')
    const frames = randomFrames(7, 3_000)
    await writeCapture(dir, frames, { rotateMs: 60_000, flushEvery: 97 })
    const index = await openCapturePlayback(dir)
    expect(index.location.files.length).toBeGreaterThan(1)
    const scan = await scanCapture(index, PARSER, { signalEngine: ENGINE, signalConfig: {} })
    expect(scan.frames).toBe(frames.length)
    const first = scan.firstMs!
    const last = scan.lastMs!
    const detail = detailOf(RANDOM_TOKENS, first, last)
    const session = await PlaybackSession.open(index, PARSER)
    try {
      for (const token of RANDOM_TOKENS) {
        const step = Math.ceil((last - first) / 120)
        const answer = seriesOf(detail, scan, index.trades, {
          token_id: token,
          from: first - 5_000,
          to: last,
          step_ms: step,
        })
        expect(answer.downsampled).toBe(false)
        for (const point of answer.points) {
          const view = await session.seek(point.t)
          const book = view.market.book(token)
          const bid = book?.bestBid() ?? null
          const ask = book?.bestAsk() ?? null
          expect({ t: point.t, bid: point.best_bid, ask: point.best_ask }).toEqual({
            t: point.t,
            bid,
            ask,
          })
          expect(point.mid).toBe(bid === null || ask === null ? null : (bid + ask) / 2)
        }
        const trades = answer.trades.map((tr) => [tr.t, tr.price, tr.size, tr.side])
        const expected: unknown[] = []
        for (let i = 0; i < index.trades.length; i++) {
          const tr = index.trades.at(i)
          if (tr.assetId === token && tr.clock >= first - 5_000 && tr.clock <= last) {
            expected.push([tr.clock, tr.price, tr.size, tr.side])
          }
        }
        expect(trades).toEqual(expected)
        expect(trades.length).toBeGreaterThan(0)
      }
    } finally {
      await session.close()
    }
  })

  test('long ranges are downsampled; bad ranges and tokens are refused with what to do', async () => {
    const dir = join(root, 'random2')
    await writeCapture(dir, randomFrames(3, 400), {}, 'r.ndjson.gz')
    const index = await openCapturePlayback(join(dir, 'r.ndjson.gz'))
    const scan = await scanCapture(index, PARSER, { signalEngine: ENGINE, signalConfig: {} })
    const detail = detailOf(RANDOM_TOKENS, scan.firstMs, scan.lastMs)
    const token = RANDOM_TOKENS[0]
    const fine = seriesOf(detail, scan, index.trades, { token_id: token, step_ms: 1 })
    expect(fine.downsampled).toBe(true)
    expect(fine.points.length).toBeLessThanOrEqual(MAX_SERIES_POINTS)
    expect(fine.step_ms).toBeGreaterThan(1)
    const auto = seriesOf(detail, scan, index.trades, { token_id: token })
    expect(auto.points.length).toBeLessThanOrEqual(1_000)
    expect(auto.from).toBe(scan.firstMs)
    expect(auto.to).toBe(scan.lastMs)

    const problem = (query: Parameters<typeof seriesOf>[3]): string => {
      try {
        seriesOf(detail, scan, index.trades, query)
      } catch (e) {
        expect(e).toBeInstanceOf(PlaybackQueryError)
        return [(e as Error).message, ...(e as PlaybackQueryError).errors].join(' | ')
      }
      throw new Error('expected a refusal')
    }
    expect(problem({ token_id: '42' })).toMatch(
      /token_id 42 is not in this capture; its tokens: 5550001/,
    )
    expect(problem({ token_id: token, from: scan.lastMs!, to: scan.firstMs! })).toMatch(
      /is after to .*swap them/,
    )
    expect(problem({ token_id: token, from: 1, to: 2 })).toMatch(
      /lies outside the capture .*ask within it/,
    )
    expect(() =>
      seriesOf(detailOf(RANDOM_TOKENS, null, null), scan, index.trades, { token_id: token }),
    ).toThrow(/no timed frames: there is nothing to chart/)
  })
})
