/**
 * Chromium for the browser suite: the system browser through playwright-core (never a
 * downloaded one), headless, one per test file; screenshots under test-results/browser/.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Screenshots and figures of the last run (overwritten each run). */
export const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/browser', import.meta.url))

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** `extraArgs` go after the standard arguments (e.g. an autoplay policy for video). */
export async function launchChromium(
  executablePath = CHROMIUM_PATH,
  extraArgs: readonly string[] = [],
): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: install it (\`apt-get install chromium\`) to run the ` +
        'browser tests',
    )
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...ARGS, ...extraArgs],
    timeout: 30_000,
  })
}

/** Saves `<name>.png` in {@link RESULTS_DIR}; a failing screenshot never hides the real error. */
export async function screenshot(page: Page | null, name: string): Promise<string | null> {
  if (page === null || page.isClosed()) return null
  mkdirSync(RESULTS_DIR, { recursive: true })
  const path = join(RESULTS_DIR, `${name}.png`)
  try {
    await page.screenshot({ path, timeout: 10_000 })
    return path
  } catch {
    return null
  }
}

/** Moves focus off any field so the page's hotkeys apply. */
export async function blurFields(page: Page): Promise<void> {
  await page.evaluate('document.activeElement?.blur?.()')
}
