import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MarketData } from '../../engine/market-data.js'
import { encodeFrameLine, encodeHeaderLine } from '../capture/capture-format.js'
import { polymarketFrameParser } from '../polymarket/ws/market-frame-parser.js'
import { MatchScenario } from './scenario-match.js'
import { ReplayLoadError, ReplayScenario } from './scenario-replay.js'
import { startSim } from './sim-server.js'
import { TestWsClient } from '../../../test/support/ws-test-client.js'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-replay-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Records `steps` steps of a match as a capture; returns the path and the source scenario. */
function recordMatch(steps: number): { path: string; source: MatchScenario; raws: string[] } {
  const source = new MatchScenario({ seed: 21 })
  const t0 = source.now()
  const lines = [encodeHeaderLine({ tLocal: t0, mono: 0, fileSeq: 1, startedBy: 'record' })]
  const dump = JSON.stringify(source.assetIds().map((id) => source.snapshot(id)))
  const raws: string[] = [dump]
  lines.push(encodeFrameLine(t0, 0, 'c1', dump))
  lines.push(encodeFrameLine(t0, 0, 'c1', 'PONG'))
  for (let i = 0; i < steps; i++) {
    for (const frame of source.step()) {
      const raw = JSON.stringify(frame.payload)
      raws.push(raw)
      lines.push(encodeFrameLine(source.now(), (source.now() - t0) * 1000, 'c1', raw))
    }
  }
  const sub = join(dir, 'cap')
  mkdirSync(sub)
  const path = join(sub, 'capture-1.ndjson')
  writeFileSync(path, `${lines.join('\n')}\n`)
  return { path, source, raws }
}

describe('ReplayScenario', () => {
  it('replays a capture to a subscriber; books end equal to the recorded source', async () => {
    const { path, source, raws } = recordMatch(600)
    const replay = await ReplayScenario.load(path)
    expect(replay.assetIds()).toEqual(source.assetIds())
    const handle = await startSim({ scenario: replay, speed: 0 })
    const client = await TestWsClient.connect(handle.wsUrl)
    try {
      const ids = replay.assetIds()
      client.send({ assets_ids: ids, type: 'market' })
      await client.sync()
      const before = client.received.length
      let guard = 0
      while (!replay.done && guard++ < 100_000) handle.step(50)
      await client.sync()
      expect(client.received.slice(before)).toEqual(raws)
      const md = new MarketData(polymarketFrameParser)
      for (const text of client.received) md.onFrameText(text, { tLocal: 0, conn: 'c' })
      expect(md.counters.mismatches).toBe(0)
      for (const id of ids) {
        expect(md.book(id)?.levels('bid')).toEqual(source.trueBook(id)?.levels('bid'))
        expect(md.book(id)?.levels('ask')).toEqual(source.trueBook(id)?.levels('ask'))
        expect(handle.trueBook(id)?.levels('ask')).toEqual(source.trueBook(id)?.levels('ask'))
      }
      // A late subscriber gets snapshots of the replayed state.
      const late = await TestWsClient.connect(handle.wsUrl)
      late.send({ assets_ids: [ids[0]], type: 'market' })
      const [dump] = await late.sync()
      const lateMd = new MarketData(polymarketFrameParser)
      lateMd.onFrameText(dump ?? '', { tLocal: 0, conn: 'late' })
      expect(lateMd.book(ids[0]!)?.levels('bid')).toEqual(source.trueBook(ids[0]!)?.levels('bid'))
      await late.close()
      expect(replay.events()).toEqual([])
      expect(replay.snapshot('unknown')).toBeUndefined()
    } finally {
      await client.close()
      await handle.close()
    }
  })

  it('loads a directory and paces frames by the recorded time', async () => {
    const { path } = recordMatch(40)
    const replay = await ReplayScenario.load(join(path, '..'), { stepMs: 500 })
    const first = replay.step()
    expect(first.length).toBeGreaterThan(0)
    expect(replay.done).toBe(false)
  })

  it('refuses a missing path, an empty directory and a capture without market frames', async () => {
    await expect(ReplayScenario.load(join(dir, 'missing'))).rejects.toThrow(/cannot open capture/)
    await expect(ReplayScenario.load(dir)).rejects.toThrow(ReplayLoadError)
    await expect(ReplayScenario.load(dir)).rejects.toThrow(/no capture files/)
    const empty = join(dir, 'empty.ndjson')
    writeFileSync(
      empty,
      `${encodeHeaderLine({ tLocal: 1, mono: 0, fileSeq: 1, startedBy: 'record' })}\n${encodeFrameLine(2, 0, 'c', 'PONG')}\n`,
    )
    await expect(ReplayScenario.load(empty)).rejects.toThrow(/no market frames/)
  })
})
