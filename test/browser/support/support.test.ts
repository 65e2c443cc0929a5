import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { launchChromium } from './chromium.js'
import { frameFigures, spread } from './figures.js'
import { checkWebBuild, until } from './terminal-daemon.js'

describe('browser suite helpers', () => {
  it('refuses a missing Chromium and says how to install it', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /no Chromium at \/nonexistent\/chromium: install it \(`apt-get install chromium`\)/,
    )
  })

  it('refuses a missing web build and says what to run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-no-web-'))
    try {
      expect(() => checkWebBuild(dir)).toThrow(/index\.html is missing\): run `npm run build:web`/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('summarizes samples by nearest rank, and an empty set as NaN', () => {
    const samples = Array.from({ length: 20 }, (_, i) => i + 1)
    expect(spread(samples)).toEqual({ count: 20, p50: 10, p95: 19, max: 20, mean: 10.5 })
    expect(spread([])).toMatchObject({ count: 0, p50: Number.NaN, max: Number.NaN })
  })

  it('turns frame stamps into fps, frame times and hitches', () => {
    const stamps = [0, 16.7, 33.4, 100, 116.7]
    expect(frameFigures(stamps)).toMatchObject({
      frames: 4,
      seconds: 0.1,
      meanFps: 34.3,
      over50ms: 1,
      frameMs: { count: 4, max: 66.6 },
    })
    expect(frameFigures([5])).toMatchObject({ frames: 0, seconds: 0, meanFps: 0 })
  })

  it('polls until a value, and names what it waited for on time-out', async () => {
    let calls = 0
    expect(await until('three calls', () => (++calls >= 3 ? calls : null))).toBe(3)
    await expect(
      until(
        'nothing',
        () => {
          throw new Error('not yet')
        },
        100,
      ),
    ).rejects.toThrow(/timed out after 100 ms waiting for nothing: not yet/)
  })
})
