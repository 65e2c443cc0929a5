/**
 * What the dashboard's browser journeys play: the backtest fixture's panic written as a real
 * capture (one PANIC_SELL on token 1111) with its events CSV beside it, a short test video
 * made with ffmpeg, and an in-process daemon (`--feed sim`, paper venue, SQLite in a temporary
 * data directory) that lists the capture and knows the match's name and outcomes.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger } from '../../../src/adapters/log.js'
import { openStore } from '../../../src/adapters/storage/store.js'
import { resolveConfig } from '../../../src/app/config.js'
import { startDaemon, type DaemonHandle } from '../../../src/app/daemon/daemon.js'
import { validateGameEvent } from '../../../src/domain/game-events.js'
import type { MarketId, TokenId } from '../../../src/domain/market.js'
import {
  PANIC_MARKET,
  PANIC_TOKENS,
  panicFrames,
  writeCapture,
  type Frame,
} from '../../support/playback-captures.js'
import { BROWSER_RISK, checkWebBuild, WEB_DIST } from './terminal-daemon.js'

export const FFMPEG_PATH = '/usr/bin/ffmpeg'
export const CAPTURE_NAME = 'panic.ndjson.gz'
/** The match as the daemon's database names it (the event logger takes its teams from it). */
export const MATCH_QUESTION = 'AAA vs BBB'
export const OUTCOMES = ['AAA', 'BBB'] as const

const EVENTS_CSV = fileURLToPath(new URL('../../fixtures/backtest/events.csv', import.meta.url))

export type DashboardDaemon = {
  readonly daemon: DaemonHandle
  readonly url: string
  /** The frames written into the capture, in order. */
  readonly frames: readonly Frame[]
  /** The generated video file. */
  readonly video: string
  close(): Promise<void>
}

/**
 * A test pattern video of `seconds` (320×180, 5 frames a second, a key frame every 2 s so seeks
 * land fast): VP8 in WebM, which every Chromium plays; H.264 in MP4 when this ffmpeg has no
 * libvpx. Fails with what to install when ffmpeg is missing.
 */
export function makeTestVideo(dir: string, seconds: number, ffmpeg = FFMPEG_PATH): string {
  if (!existsSync(ffmpeg)) {
    throw new Error(
      `no ffmpeg at ${ffmpeg}: install it (\`apt-get install ffmpeg\`) to run the dashboard's ` +
        'browser tests (they play a generated video)',
    )
  }
  const encoders = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout
  const vp8 = /\blibvpx\b/.test(encoders ?? '')
  const path = join(dir, vp8 ? 'match.webm' : 'match.mp4')
  const codec = vp8
    ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k']
    : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']
  const run = spawnSync(
    ffmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc=duration=${seconds}:size=320x180:rate=5`,
      ...codec,
      '-g',
      '10',
      path,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  )
  if (run.status !== 0 || !existsSync(path)) {
    throw new Error(
      `ffmpeg could not make the test video (${run.error?.message ?? `exit ${run.status}`}): ` +
        `${(run.stderr ?? '').trim().slice(0, 500)}`,
    )
  }
  return path
}

export async function startDashboardDaemon(): Promise<DashboardDaemon> {
  checkWebBuild()
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-dashboard-'))
  try {
    const captures = join(dir, 'captures')
    const frames = panicFrames()
    await writeCapture(captures, frames, {}, CAPTURE_NAME)
    // `panic.ndjson.gz` → `panic.events.csv`: the capture opens with its game events.
    copyFileSync(EVENTS_CSV, join(captures, 'panic.events.csv'))
    const video = makeTestVideo(dir, 120)
    const data = join(dir, 'data')
    const config = resolveConfig(
      data,
      {},
      { port: '0', 'data-dir': data, 'no-capture': true, 'log-level': 'silent' },
      { path: join(data, 'tiltmeter.config.json'), value: { risk: BROWSER_RISK } },
    )
    const daemon = await startDaemon({
      config,
      feed: { kind: 'sim', matches: 1, seed: 7, speed: 1 },
      selection: { markets: [], assets: [], sports: [] },
      log: createLogger({ level: 'silent' }),
      openStore: async (o) => {
        const store = await openStore(o)
        await store.upsertMarket(
          {
            conditionId: PANIC_MARKET as MarketId,
            slug: 'val-aaa-bbb',
            question: MATCH_QUESTION,
            sport: 'valorant',
            marketType: 'match',
            tickSize: null,
            minOrderSize: null,
            negRisk: false,
            gameStartTime: null,
            secondsDelay: null,
            raw: {},
          },
          PANIC_TOKENS.map((id, i) => ({
            tokenId: id as TokenId,
            outcome: OUTCOMES[i]!,
            outcomeIndex: i,
          })),
        )
        return store
      },
      validateGameEvent: (input) => validateGameEvent(input),
      processMetrics: false,
      auditIntervalMs: null,
      venue: { kind: 'paper' },
      webRoot: WEB_DIST,
      captureDirs: [captures],
    })
    return {
      daemon,
      url: daemon.url,
      frames,
      video,
      async close() {
        try {
          await daemon.stop('browser tests done')
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}
