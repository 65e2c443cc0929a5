/**
 * The match dashboard in a real browser: headless Chromium (playwright-core, the system
 * /usr/bin/chromium) against an in-process daemon that lists one recorded capture — the backtest
 * fixture's panic, with its events CSV beside it — and a short generated video loaded through the
 * file picker. Expected books are computed from the capture's frames without the daemon. Each
 * journey leaves test-results/browser/dashboard-<n>-<name>.png (also when it fails); frame times
 * at 20× playback are printed and written to test-results/browser/dashboard-figures.json, never
 * asserted on.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PANIC_MARKET, PANIC_TOKENS } from '../support/playback-captures.js'
import { blurFields, launchChromium, RESULTS_DIR, screenshot } from './support/chromium.js'
import { chartPrice, topsAt, type Tops } from './support/dashboard-book.js'
import {
  CAPTURE_NAME,
  MATCH_QUESTION,
  OUTCOMES,
  startDashboardDaemon,
  type DashboardDaemon,
} from './support/dashboard-daemon.js'
import {
  chartAtCursor,
  clockT,
  markerCounts,
  mouseAway,
  scrubTo,
  untilClock,
  untilLadder,
  utcSeconds,
  videoState,
} from './support/dashboard-page.js'
import { frameFigures, writeFigures } from './support/figures.js'
import { frameStamps } from './support/page-probes.js'
import { api, until, type Row } from './support/terminal-daemon.js'

const VIEWPORT = { width: 1366, height: 768 }
const FRAME_WINDOW_MS = 5000
/** The capture's first frame (venue ms); it spans 754 s. */
const FIRST = 1_800_000_000_000
/** Mid-panic: token 1111 at 0.43 / 0.48. */
const OPEN_AT = FIRST + 690_000
/** The panic's third step, steady for three seconds around it: 0.46 / 0.50. */
const SCRUB_TO = FIRST + 675_000
/** Video 0:00 is this market time: the 120 s video covers market +600 s … +720 s. */
const OFFSET_MS = FIRST + 600_000
/** The video position marked as showing the signal when calibrating by a known moment. */
const MARK_VIDEO_S = 90
const AUTOPLAY = ['--autoplay-policy=no-user-gesture-required']

let env: DashboardDaemon | null = null
let browser: Browser | null = null
let page: Page | null = null
/** The PANIC_SELL's venue time, read from the signals list in journey 4. */
let signalTs: number | null = null
const figures: Record<string, unknown> = {}

function running(): { env: DashboardDaemon; page: Page } {
  if (env === null || page === null) throw new Error('suite setup failed')
  return { env, page }
}

/** Runs one journey and leaves `dashboard-<name>.png` behind, whether it passed or failed. */
async function journey(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } finally {
    await screenshot(page, `dashboard-${name}`)
  }
}

function expectedTops(e: DashboardDaemon, token: string, t: number): Tops {
  return topsAt(e.frames, token, t)
}

/** Both ladders show the capture's books at `t`: the charted outcome (1111) and the other. */
async function expectLaddersAt(e: DashboardDaemon, p: Page, t: number): Promise<void> {
  await untilLadder(p, 'ladder-yes', expectedTops(e, PANIC_TOKENS[0], t))
  await untilLadder(p, 'ladder-no', expectedTops(e, PANIC_TOKENS[1], t))
}

async function pause(p: Page): Promise<number> {
  await p.getByTestId('dash-pause').click()
  await until('the pause button pressed', async () =>
    (await p.getByTestId('dash-pause').getAttribute('aria-pressed')) === 'true' ? true : null,
  )
  // The last flush before the pause may still move the clock once: wait for it to settle.
  let last = await clockT(p)
  return until('the clock to settle after pausing', async () => {
    await new Promise<void>((done) => setTimeout(done, 300))
    const now = await clockT(p)
    const settled = now !== null && now === last
    last = now
    return settled ? now : null
  })
}

/**
 * Plays, then picks the speed while playing (it applies at once). A speed picked while paused
 * is lost when the next `state` or `status` message arrives (it carries the daemon's last
 * speed), e.g. the answer to a seek just made.
 */
async function playAt(p: Page, speed: string): Promise<void> {
  await p.getByTestId('dash-play').click()
  await p.getByTestId('dash-speed').selectOption(speed)
  await blurFields(p)
  await until(`playing at ${speed}×`, async () => {
    const playing = (await p.getByTestId('dash-play').getAttribute('aria-pressed')) === 'true'
    return playing && (await p.getByTestId('dash-speed').inputValue()) === speed ? true : null
  })
}

async function capturedEvents(e: DashboardDaemon): Promise<Row[]> {
  const { status, body } = await api(
    `${e.url}/api/captures/${encodeURIComponent(CAPTURE_NAME)}/events`,
  )
  expect(status).toBe(200)
  return body['events'] as Row[]
}

beforeAll(async () => {
  env = await startDashboardDaemon()
  browser = await launchChromium(undefined, AUTOPLAY)
  const context = await browser.newContext({ viewport: VIEWPORT })
  page = await context.newPage()
  page.setDefaultTimeout(10_000)
}, 60_000)

afterAll(async () => {
  try {
    await browser?.close()
  } finally {
    await env?.close()
    writeFigures(join(RESULTS_DIR, 'dashboard-figures.json'), figures)
  }
}, 30_000)

describe('match dashboard in Chromium', () => {
  it('opens a capture at ?t=: the clock reads t, the ladders hold the recorded books', async () => {
    await journey('1-load', async () => {
      const { env: e, page: p } = running()
      await p.goto(`${e.url}/dashboard?capture=${encodeURIComponent(CAPTURE_NAME)}&t=${OPEN_AT}`)
      expect(await p.getByTestId('dash-mode').innerText()).toBe('PLAYBACK')
      await until('the match title', async () =>
        (await p.getByTestId('dash-title').innerText()) === MATCH_QUESTION ? true : null,
      )
      await untilClock(p, OPEN_AT, 15_000)
      expect(await p.getByTestId('ladder-yes').getAttribute('data-token')).toBe(PANIC_TOKENS[0])
      expect(await p.getByTestId('ladder-no').getAttribute('data-token')).toBe(PANIC_TOKENS[1])
      // The independent replay says 0.43 / 0.48 mid-panic on 1111 (the fixture's README).
      expect(expectedTops(e, PANIC_TOKENS[0], OPEN_AT)).toEqual({ bid: 4300, ask: 4800 })
      await expectLaddersAt(e, p, OPEN_AT)
      await expect(p.getByTestId('ladder-yes').innerText()).resolves.toContain(OUTCOMES[0])
      expect(await p.getByTestId('dash-scrubber').getAttribute('value')).toBe(String(OPEN_AT))
    })
  }, 40_000)

  it('plays at 5×: the clock advances; pause stops it', async () => {
    await journey('2-play-pause', async () => {
      const { page: p } = running()
      const start = await clockT(p)
      expect(start).not.toBeNull()
      await p.getByTestId('dash-speed').selectOption('5')
      await p.getByTestId('dash-play').click()
      expect(await p.getByTestId('dash-play').getAttribute('aria-pressed')).toBe('true')
      const moved = await until('the clock to advance 3 s of market time', async () => {
        const now = await clockT(p)
        return now !== null && now >= start! + 3000 ? now : null
      })
      expect(moved).toBeGreaterThan(start!)
      const stopped = await pause(p)
      await new Promise<void>((done) => setTimeout(done, 1000))
      expect(await clockT(p)).toBe(stopped)
      expect(stopped).toBeGreaterThanOrEqual(moved)
    })
  }, 40_000)

  it('scrubs: the ladders and the chart show the recorded state at the new time', async () => {
    await journey('3-scrub', async () => {
      const { env: e, page: p } = running()
      await scrubTo(p, SCRUB_TO)
      await untilClock(p, SCRUB_TO)
      const expected = expectedTops(e, PANIC_TOKENS[0], SCRUB_TO)
      expect(expected).toEqual({ bid: 4600, ask: 5000 })
      await expectLaddersAt(e, p, SCRUB_TO)
      // The chart's cursor sits on the bar of SCRUB_TO (±1 bar of mouse rounding): the bar's
      // time and its bid / mid / ask are the recorded ones.
      const lines = await chartAtCursor(p)
      const bar = [SCRUB_TO, SCRUB_TO - 1000, SCRUB_TO + 1000].find((ms) =>
        lines[0]!.startsWith(`${utcSeconds(ms)} UTC`),
      )
      expect(bar, `tooltip "${lines.join(' | ')}"`).toBeDefined()
      const tops = expectedTops(e, PANIC_TOKENS[0], bar!)
      const mid = tops.bid === null || tops.ask === null ? null : (tops.bid + tops.ask) / 2
      expect(lines[1]).toBe(
        `bid ${chartPrice(tops.bid)} · mid ${chartPrice(mid)} · ask ${chartPrice(tops.ask)}`,
      )
      await mouseAway(p)
      await until('?t= to follow the seek', () =>
        new URL(p.url()).searchParams.get('t') === String(SCRUB_TO) ? true : null,
      )
    })
  }, 40_000)

  it('lists the PANIC_SELL; clicking it seeks there', async () => {
    await journey('4-signals', async () => {
      const { env: e, page: p } = running()
      const rows = p.locator('[data-testid="dash-signal-row"][data-type="PANIC_SELL"]')
      await until('the PANIC_SELL row', async () => ((await rows.count()) === 1 ? true : null))
      const ts = Number(await rows.getAttribute('data-ts'))
      const { body } = await api(
        `${e.url}/api/captures/${encodeURIComponent(CAPTURE_NAME)}/signals`,
      )
      const panics = (body['signals'] as Row[]).filter(
        (s) => s['type'] === 'PANIC_SELL' && s['asset_id'] === PANIC_TOKENS[0],
      )
      expect(panics.map((s) => s['ts'])).toEqual([ts])
      expect(ts).toBeGreaterThan(SCRUB_TO)
      expect((await markerCounts(p)).signals).toBeGreaterThanOrEqual(1)
      await rows.click()
      await untilClock(p, ts)
      await expectLaddersAt(e, p, ts)
      signalTs = ts
    })
  }, 40_000)

  it('logs an event with its hotkey while playing and undoes it with Ctrl+Z', async () => {
    await journey('5-events', async () => {
      const { env: e, page: p } = running()
      const cards = p.getByTestId('event-card')
      // The two events of the CSV beside the capture.
      await until('the CSV events as cards', async () =>
        (await cards.count()) === 2 ? true : null,
      )
      const before = (await markerCounts(p)).events
      expect(before).toBe(2)
      await playAt(p, '5')
      const playingFrom = await clockT(p)
      await p.keyboard.press('1')
      const logged = cards.and(p.locator('[data-type="round_win"][data-id]'))
      const stored = await until('the round_win card stored', async () => {
        for (const card of await cards.all()) {
          const id = Number(await card.getAttribute('data-id'))
          if ((await card.getAttribute('data-type')) === 'round_win' && id > 0) return { card, id }
        }
        return null
      })
      expect(await logged.count()).toBeGreaterThanOrEqual(1)
      await until('the event marker on the chart', async () =>
        (await markerCounts(p)).events === before + 1 ? true : null,
      )
      const ts = Number(await stored.card.getAttribute('data-ts'))
      expect(ts).toBeGreaterThanOrEqual(playingFrom!)
      const inStore = (await capturedEvents(e)).find((x) => x['id'] === stored.id)
      expect(inStore).toMatchObject({
        type: 'round_win',
        ts_ms: ts,
        market: PANIC_MARKET,
        team: OUTCOMES[0],
        source: 'hotkey',
      })
      const { body } = await api(`${e.url}/api/events?market=${PANIC_MARKET}`)
      expect((body['events'] as Row[]).map((x) => x['id'])).toContain(stored.id)
      await screenshot(p, 'dashboard-5-event-logged')

      await p.keyboard.press('Control+z')
      await until('the card to go', async () => ((await cards.count()) === 2 ? true : null))
      await until('the marker to go', async () =>
        (await markerCounts(p)).events === before ? true : null,
      )
      await until('the event gone from the store', async () =>
        (await capturedEvents(e)).some((x) => x['id'] === stored.id) ? null : true,
      )
      expect(await p.getByTestId('event-toast').getAttribute('data-kind')).toBe('undone')
      await pause(p)
    })
  }, 40_000)

  it('calibrates the offset with the loaded video, saves it, and seeks the video with the market', async () => {
    await journey('6-offset-video', async () => {
      const { env: e, page: p } = running()
      if (signalTs === null) throw new Error('journey 4 did not find the signal')
      await p.getByTestId('video-file-input').setInputFiles(e.video)
      const loaded = await until('the video loaded', async () => {
        const v = await videoState(p)
        return v !== null && v.readyState >= 1 ? v : null
      })
      expect(loaded.duration).toBeCloseTo(120, 0)
      expect(await p.getByTestId('offset-value').getAttribute('data-offset-ms')).toBe('')

      // Mark a known moment: the video shows the signal at 1:30.
      await p.getByTestId('video-element').evaluate((v, s) => {
        ;(v as unknown as { currentTime: number }).currentTime = s
      }, MARK_VIDEO_S)
      await until('the video at the marked position', async () => {
        const v = await videoState(p)
        return v !== null && v.readyState >= 2 && Math.abs(v.ms - MARK_VIDEO_S * 1000) < 1
      })
      await p.getByTestId('offset-market-ms').fill(String(signalTs))
      await p.getByTestId('offset-mark-now').click()
      const marked = await until('an offset from the mark', async () => {
        const text = await p.getByTestId('offset-value').getAttribute('data-offset-ms')
        return text === null || text === '' ? null : Number(text)
      })
      expect(Math.abs(marked - (signalTs - MARK_VIDEO_S * 1000))).toBeLessThanOrEqual(1)
      await untilClock(p, signalTs)

      // Type the exact offset, then save it for the match.
      await p.getByTestId('offset-input').fill(String(OFFSET_MS))
      await p.getByTestId('offset-input').press('Enter')
      await until('the typed offset', async () =>
        (await p.getByTestId('offset-value').getAttribute('data-offset-ms')) === String(OFFSET_MS)
          ? true
          : null,
      )
      const videoMs = signalTs - OFFSET_MS
      expect(await p.getByTestId('video-time').getAttribute('data-video-ms')).toBe(String(videoMs))
      const clockText = `${Math.floor(videoMs / 60_000)}:${String(Math.floor((videoMs % 60_000) / 1000)).padStart(2, '0')}`
      expect(await p.getByTestId('dash-video-clock').innerText()).toBe(clockText)
      // Nudging moves every video time: +1 s of offset is 1 s earlier in the video.
      await p.getByTestId('offset-nudge-1000').click()
      await until('the nudged video time', async () =>
        (await p.getByTestId('video-time').getAttribute('data-video-ms')) === String(videoMs - 1000)
          ? true
          : null,
      )
      await p.getByTestId('offset-nudge--1000').click()
      await p.getByTestId('offset-save').click()
      await until('the offset saved', async () =>
        (await p.getByTestId('offset-status').innerText()).startsWith('Saved') ? true : null,
      )
      const { status, body } = await api(`${e.url}/api/matches/${PANIC_MARKET}/offset`)
      expect(status).toBe(200)
      expect(body).toMatchObject({
        market: PANIC_MARKET,
        offset_ms: OFFSET_MS,
        video_url: `file:${e.video.split('/').at(-1)}`,
      })

      // Seeks move the video to market time − offset.
      const videoAt = async (t: number, what: string): Promise<void> => {
        await untilClock(p, t)
        await until(`the video at ${(t - OFFSET_MS) / 1000} s after ${what}`, async () => {
          const v = await videoState(p)
          if (v === null) throw new Error('no video')
          if (Math.abs(v.ms - (t - OFFSET_MS)) <= 500) return true
          throw new Error(`the video is at ${(v.ms / 1000).toFixed(2)} s`)
        })
      }
      await scrubTo(p, SCRUB_TO)
      await videoAt(SCRUB_TO, 'a scrub')
      await p.locator('[data-testid="dash-signal-row"][data-type="PANIC_SELL"]').click()
      await videoAt(signalTs, 'a click on the signal')
      const card = p.locator('[data-testid="event-card"][data-type="round_loss"]')
      const cardTs = Number(await card.getAttribute('data-ts'))
      await card.click()
      await videoAt(cardTs, 'a click on the event card')
    })
  }, 50_000)

  it('measures frame times while playing at 20× with the video', async () => {
    await journey('7-frames-20x', async () => {
      const { page: p } = running()
      await scrubTo(p, FIRST + 560_000)
      await untilClock(p, FIRST + 560_000)
      await playAt(p, '20')
      const from = await until('playing at 20×', async () => {
        const t = await clockT(p)
        return t !== null && t > FIRST + 560_000 ? t : null
      })
      const wallFrom = Date.now()
      const stamps = await frameStamps(p, FRAME_WINDOW_MS)
      const to = await clockT(p)
      const wallSeconds = (Date.now() - wallFrom) / 1000
      const video = await videoState(p)
      const result = frameFigures(stamps)
      // Browsers cap the video at 16×: behind the market between the page's nudges.
      const drift = to === null || video === null ? null : video.ms - (to - OFFSET_MS)
      figures['frames_20x_playback'] = {
        ...result,
        market_seconds_played: to === null ? null : Math.round((to - from) / 100) / 10,
        market_speed: to === null ? null : Math.round((to - from) / wallSeconds / 100) / 10,
        video_rate: video?.rate ?? null,
        video_paused: video?.paused ?? null,
        video_minus_market_ms_at_end: drift === null ? null : Math.round(drift),
        viewport: VIEWPORT,
      }
      console.log(
        `dashboard frames over ${result.seconds} s at 20× playback (video loaded): ` +
          `${result.meanFps} fps, frame p95 ${result.frameMs.p95} ms, max ${result.frameMs.max} ms, ` +
          `${result.over50ms} frames > 50 ms`,
      )
      expect(result.frames).toBeGreaterThan(0)
      // The picture for the docs: playing, the panic's markers in view, the video running.
      await until('the panic in view', async () => {
        const t = await clockT(p)
        return t !== null && t >= FIRST + 670_000 ? true : null
      })
      await screenshot(p, 'dashboard-docs-playback')
      await pause(p)
    })
  }, 40_000)
})
