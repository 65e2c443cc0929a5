/**
 * Reading and driving the match dashboard in the browser suite, through its `data-testid`s
 * (docs/DASHBOARD.md): the clock, the scrubber, the ladders' touch, the chart's cursor and
 * tooltip, the markers, the `<video>`. In-page code is plain script text (the suite
 * type-checks against Node's globals only).
 */
import type { Page } from 'playwright-core'
import { until } from './terminal-daemon.js'
import type { Tops } from './dashboard-book.js'

/** The market time the page shows (`dash-clock` `data-t`), null before it is known. */
export async function clockT(page: Page): Promise<number | null> {
  const text = await page.getByTestId('dash-clock').getAttribute('data-t')
  return text === null || text === '' ? null : Number(text)
}

/** Waits until the clock reads exactly `t`. */
export async function untilClock(page: Page, t: number, ms = 10_000): Promise<number> {
  return until(
    `the clock at ${t}`,
    async () => {
      const now = await clockT(page)
      if (now === t) return now
      throw new Error(`the clock reads ${now}`)
    },
    ms,
  )
}

/** Best bid and ask (ticks) of a ladder: the `best-bid` and `best-ask` rows' prices. */
export async function ladderTops(page: Page, testId: string): Promise<Tops> {
  const ladder = page.getByTestId(testId)
  const price = async (cls: string): Promise<number | null> => {
    const rows = ladder.locator(`[data-testid="ladder-row"].${cls}`)
    if ((await rows.count()) === 0) return null
    return Number(await rows.first().getAttribute('data-price'))
  }
  return { bid: await price('best-bid'), ask: await price('best-ask') }
}

/** Waits until a ladder's touch equals `expected`; fails naming what it shows instead. */
export async function untilLadder(page: Page, testId: string, expected: Tops): Promise<Tops> {
  return until(`${testId} at bid ${expected.bid} / ask ${expected.ask}`, async () => {
    const tops = await ladderTops(page, testId)
    if (tops.bid === expected.bid && tops.ask === expected.ask) return tops
    throw new Error(`it shows bid ${tops.bid} / ask ${tops.ask}`)
  })
}

/**
 * Moves the scrubber to `t` as a drag does: pointer down, the range input's value set through
 * the native setter (so React sees a change) with `input` + `change`, pointer up (the end of
 * the drag, after which the scrubber follows the clock again).
 */
export async function scrubTo(page: Page, t: number): Promise<void> {
  await page.getByTestId('dash-scrubber').evaluate((element, value) => {
    type Ctor = new (type: string, init: object) => unknown
    const input = element as unknown as { value: string; dispatchEvent(e: unknown): boolean }
    const scope = globalThis as unknown as { Event: Ctor; PointerEvent: Ctor }
    const proto = Object.getPrototypeOf(input) as object
    input.dispatchEvent(new scope.PointerEvent('pointerdown', { bubbles: true }))
    // The prototype's setter with the input as receiver: React's own value tracker is bypassed.
    Reflect.set(proto, 'value', String(value), input)
    input.dispatchEvent(new scope.Event('input', { bubbles: true }))
    input.dispatchEvent(new scope.Event('change', { bubbles: true }))
    input.dispatchEvent(new scope.PointerEvent('pointerup', { bubbles: true }))
  }, t)
}

/** The hidden marker counts of the chart. */
export async function markerCounts(
  page: Page,
): Promise<{ signals: number; events: number; fills: number }> {
  const markers = page.getByTestId('dash-chart-markers')
  const read = async (name: string): Promise<number> =>
    Number(await markers.getAttribute(`data-${name}`))
  return {
    signals: await read('signals'),
    events: await read('events'),
    fills: await read('fills'),
  }
}

/**
 * Hovers the chart at its cursor (the dashed line at the current market time) and returns the
 * tooltip's lines: the bar's time (UTC) and its bid/mid/ask. Null when the cursor is hidden.
 */
export async function chartAtCursor(page: Page): Promise<string[]> {
  const cursor = page.locator('.dash-cursor')
  const host = page.locator('.dash-chart-host')
  const lines = await until('the chart cursor and its tooltip', async () => {
    if (!(await cursor.isVisible())) throw new Error('the cursor is hidden')
    const c = await cursor.boundingBox()
    const h = await host.boundingBox()
    if (c === null || h === null) throw new Error('no cursor box')
    await page.mouse.move(c.x + c.width / 2, h.y + h.height * 0.35)
    const tip = page.locator('.dash-tip')
    if (!(await tip.isVisible())) throw new Error('no tooltip')
    return (await tip.innerText()).split('\n').filter((l) => l.trim() !== '')
  })
  return lines
}

/** Moves the mouse off the chart (its tooltip goes). */
export async function mouseAway(page: Page): Promise<void> {
  await page.mouse.move(2, 2)
}

/** `HH:MM:SS` (UTC) of a venue ms, as the chart's tooltip and the signals list write it. */
export function utcSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}

export type VideoProbe = {
  readonly ms: number
  readonly paused: boolean
  readonly readyState: number
  readonly rate: number
  readonly duration: number
}

/** The `<video>`'s state, null when there is none. */
export async function videoState(page: Page): Promise<VideoProbe | null> {
  const video = page.getByTestId('video-element')
  if ((await video.count()) === 0) return null
  return video.evaluate((element) => {
    const v = element as unknown as {
      currentTime: number
      paused: boolean
      readyState: number
      playbackRate: number
      duration: number
    }
    return {
      ms: v.currentTime * 1000,
      paused: v.paused,
      readyState: v.readyState,
      rate: v.playbackRate,
      duration: v.duration,
    }
  })
}

/** Whether this Chromium says it can play `type` (`video/webm; codecs="vp8"`). */
export async function canPlay(page: Page, type: string): Promise<string> {
  return page.evaluate<string>(
    `document.createElement('video').canPlayType(${JSON.stringify(type)})`,
  )
}
