/**
 * Probes run inside the page. They are plain script text (the suite type-checks against Node's
 * globals only, without the DOM): key press times, animation frame times, and widening the
 * terminal's own socket subscription with extra tokens.
 */
import type { BrowserContext, Page } from 'playwright-core'

/**
 * Makes the page's live socket subscribe to `tokens` as well as the selected market's: every
 * `subscribe` the page sends on `/ws` gets them appended (at most 20 in all, the socket's
 * limit), so their books flow through the page's own client and store.
 */
export async function subscribeExtraTokens(
  context: BrowserContext,
  tokens: readonly string[],
): Promise<void> {
  await context.addInitScript({
    content: `(() => {
      const extra = ${JSON.stringify(tokens)};
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        if (typeof data === 'string' && new URL(this.url).pathname === '/ws') {
          try {
            const message = JSON.parse(data);
            if (message && message.type === 'subscribe' && Array.isArray(message.tokens)) {
              const all = [...new Set([...message.tokens, ...extra])].slice(0, 20);
              data = JSON.stringify({ ...message, tokens: all });
            }
          } catch {}
        }
        return send.call(this, data);
      };
    })()`,
  })
}

/**
 * Records, in the page, the epoch time (ms, sub-ms precision) of every keydown of the physical
 * key `code` (e.g. `KeyB`): `performance.timeOrigin + event.timeStamp`, the moment the browser
 * created the event. Installed on window in the capture phase, before the page's own handler.
 */
export async function recordKeydowns(page: Page, code: string): Promise<void> {
  await page.evaluate(`(() => {
    window.__keydowns = [];
    window.addEventListener('keydown', (event) => {
      if (event.code === ${JSON.stringify(code)} && !event.repeat) {
        window.__keydowns.push(performance.timeOrigin + event.timeStamp);
      }
    }, true);
  })()`)
}

export async function keydownTimes(page: Page): Promise<number[]> {
  return page.evaluate<number[]>('window.__keydowns ?? []')
}

/** Timestamps (ms) of every animation frame over `ms` of wall time. */
export async function frameStamps(page: Page, ms: number): Promise<number[]> {
  return page.evaluate<number[]>(`new Promise((resolve) => {
    const stamps = [];
    let start = null;
    const frame = (t) => {
      if (start === null) start = t;
      stamps.push(t);
      if (t - start < ${ms}) requestAnimationFrame(frame);
      else resolve(stamps);
    };
    requestAnimationFrame(frame);
  })`)
}
