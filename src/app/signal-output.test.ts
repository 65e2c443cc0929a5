import { describe, expect, test } from 'vitest'
import type { MarketId, TokenId } from '../domain/market.js'
import type { EpochMs } from '../domain/units.js'
import type { Reversion, Signal } from '../engine/signals/index.js'
import { SignalLineEmitter, signalLine } from './signal-output.js'

const KEYS = [
  'type',
  'asset_id',
  'ts',
  'score',
  'volume_ratio',
  'spread_ratio',
  'depth_ratio',
  'price_change',
  'ref_price',
  'reverted',
  'reversion_s',
  'retrace',
  'mfe',
  'mae',
]

function signal(id: number, over: Partial<Signal> = {}): Signal {
  return {
    id,
    type: 'PANIC_SELL',
    assetId: '7123' as TokenId,
    market: '0xabc' as MarketId,
    ts: (1_800_000_000_000 + id) as EpochMs,
    score: 0.9333333333333333,
    volumeRatio: 4.666666666666667,
    spreadRatio: 2.5000000000000004,
    depthRatio: 1,
    priceChange: 0.46499999999999997 - 0.5,
    refPrice: 0.46499999999999997,
    mirrorOf: null,
    inputs: {},
    ...over,
  }
}

const REVERTED: Reversion = {
  reverted: true,
  reversionMs: 86_000,
  retrace: 0.5714285714285715,
  mfe: 0.020000000000000018,
  mae: 0.01,
  resolvedTs: 1_800_000_090_000 as EpochMs,
}

class Sink {
  readonly lines: string[] = []
  line(text: string): void {
    this.lines.push(text)
  }
  ids(): number[] {
    return this.lines.map((l) => (JSON.parse(l) as { ts: number }).ts - 1_800_000_000_000)
  }
}

describe('signalLine', () => {
  test('exact keys, rounded numbers, seconds', () => {
    const line = signalLine(signal(1), REVERTED)
    const value = JSON.parse(line) as Record<string, unknown>
    expect(Object.keys(value)).toEqual(KEYS)
    expect(value).toEqual({
      type: 'PANIC_SELL',
      asset_id: '7123',
      ts: 1_800_000_000_001,
      score: 0.933333333,
      volume_ratio: 4.666666667,
      spread_ratio: 2.5,
      depth_ratio: 1,
      price_change: -0.035,
      ref_price: 0.465,
      reverted: true,
      reversion_s: 86,
      retrace: 0.571428571,
      mfe: 0.02,
      mae: 0.01,
    })
  })

  test('nulls for unknown ratios and an unsettled or unreverted signal', () => {
    const unknown = JSON.parse(
      signalLine(signal(2, { volumeRatio: null, spreadRatio: null, depthRatio: null }), null),
    ) as Record<string, unknown>
    expect(Object.keys(unknown)).toEqual(KEYS)
    for (const key of KEYS.slice(4, 7)) expect(unknown[key]).toBeNull()
    for (const key of KEYS.slice(9)) expect(unknown[key]).toBeNull()
    const notReverted = JSON.parse(
      signalLine(signal(3), { ...REVERTED, reverted: false, reversionMs: null, retrace: 0 }),
    ) as Record<string, unknown>
    expect(notReverted).toMatchObject({ reverted: false, reversion_s: null, retrace: 0 })
  })
})

describe('SignalLineEmitter', () => {
  test('holds lines until settled and writes in signal order', () => {
    const sink = new Sink()
    const emitter = new SignalLineEmitter(sink)
    const [a, b, c] = [signal(1), signal(2), signal(3)]
    emitter.listener.onSignal!(a)
    emitter.listener.onSignal!(b)
    emitter.listener.onSignal!(c)
    emitter.listener.onReversion!(b, REVERTED)
    expect(sink.lines).toEqual([])
    expect(emitter.pending).toBe(3)
    emitter.listener.onReversion!(a, REVERTED)
    expect(sink.ids()).toEqual([1, 2])
    emitter.finish()
    expect(sink.ids()).toEqual([1, 2, 3])
    expect(JSON.parse(sink.lines[2]!)).toMatchObject({ reverted: null, mfe: null })
    expect(emitter.written).toBe(3)
    expect(emitter.pending).toBe(0)
  })

  test('filters by asset', () => {
    const sink = new Sink()
    const emitter = new SignalLineEmitter(sink, { wanted: (id) => id === '7123' })
    const other = signal(1, { assetId: '9' as TokenId })
    emitter.onSignal(other)
    emitter.onReversion(other, REVERTED)
    emitter.onSignal(signal(2))
    emitter.onReversion(signal(2), REVERTED)
    emitter.finish()
    expect(sink.ids()).toEqual([2])
  })

  test('many signals settled in reverse order still come out in order', () => {
    const sink = new Sink()
    const emitter = new SignalLineEmitter(sink)
    const all = Array.from({ length: 600 }, (_, k) => signal(k + 1))
    for (const s of all) emitter.onSignal(s)
    for (const s of [...all].reverse()) emitter.onReversion(s, REVERTED)
    expect(sink.ids()).toEqual(all.map((s) => s.id))
    for (const s of all.slice(0, 400)) emitter.onSignal(signal(s.id + 1000))
    for (const s of all.slice(0, 400)) emitter.onReversion(signal(s.id + 1000), REVERTED)
    expect(sink.lines).toHaveLength(1000)
  })
})
