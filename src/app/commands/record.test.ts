import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, test } from 'vitest'
import type { CaptureMarker } from '../../adapters/capture/capture-format.js'
import type { SleepFunction } from '../../adapters/polymarket/rest/http.js'
import { readRecordings } from '../../adapters/replay/recorded-feed.js'
import { LocalHttpVenue, refusedUrl, type Route } from '../../../test/support/local-http-venue.js'
import { LocalWsVenue, priceChangeFrame, waitFor } from '../../../test/support/local-ws-venue.js'
import { ndjson, runCli } from '../../../test/support/run-cli.js'
import { createRecordCommand, type RecordDeps } from './record.js'

type Json = Record<string, unknown>

const FIXTURES = new URL('../../../test/fixtures/polymarket/gamma/', import.meta.url)
const MONEYLINE = JSON.parse(
  readFileSync(new URL('market-cs2-moneyline-2026-04.json', FIXTURES), 'utf8'),
) as Json
const REAL_EVENT = (MONEYLINE.events as Json[])[0] as Json

const A = '1111111111111111111111'
const B = '2222222222222222222222'
const C = '3333333333333333333333'
const CONDITION = `0x${'cd'.repeat(32)}`
const SLUG = 'cs2-faze-ill-2026-04-06'
const NOW = Date.UTC(2026, 3, 6, 16, 0)

/** The real market, re-opened with its own ids and started an hour before NOW. */
const OPEN_MARKET: Json = {
  ...MONEYLINE,
  id: '1878999',
  conditionId: CONDITION,
  slug: SLUG,
  clobTokenIds: JSON.stringify([A, B]),
  gameStartTime: '2026-04-06 15:00:00+00',
  closed: false,
  acceptingOrders: true,
  events: [{ ...REAL_EVENT, slug: SLUG, closed: false, ended: false, live: true }],
}

const noSleep: SleepFunction = () => Promise.resolve()

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setup(routes: Record<string, Route> = {}): Promise<{
  ws: LocalWsVenue
  gamma: LocalHttpVenue
  out: string
  deps: RecordDeps
  urls: string[]
}> {
  const ws = await LocalWsVenue.start()
  ws.books.set(A, {
    bids: [
      ['0.40', '10'],
      ['0.39', '20'],
    ],
    asks: [['0.45', '5']],
  })
  ws.books.set(B, {
    bids: [['0.55', '5']],
    asks: [
      ['0.60', '10'],
      ['0.61', '1'],
    ],
  })
  ws.books.set(C, { bids: [['0.10', '1']], asks: [['0.90', '1']] })
  const gamma = await LocalHttpVenue.start({
    'GET /markets': (request) => ({
      body:
        request.query.get('slug') === SLUG || request.query.get('condition_ids') === CONDITION
          ? [OPEN_MARKET]
          : [],
    }),
    ...routes,
  })
  const dir = mkdtempSync(join(tmpdir(), 'tiltmeter-record-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  cleanups.push(() => ws.close())
  cleanups.push(() => gamma.close())
  const deps: RecordDeps = {
    env: {},
    now: () => NOW,
    http: { sleep: noSleep, random: () => 0, retries: 0 },
    connection: {
      pingIntervalMs: 50,
      silenceTimeoutMs: 2_000,
      backoff: { initialMs: 10, maxMs: 50 },
    },
    flushMs: 20,
    signals: new EventEmitter(),
  }
  const urls = ['--ws-url', ws.url, '--rest-url', gamma.url, '--gamma-url', gamma.url]
  return { ws, gamma, out: join(dir, 'capture'), deps, urls }
}

type Run = { code: number; stdout: string; stderr: string }

function startRecord(args: readonly string[], deps: RecordDeps): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (chunk: Buffer) => out.push(chunk))
  stderr.on('data', (chunk: Buffer) => err.push(chunk))
  return createRecordCommand(deps)
    .run(args, { stdout, stderr, cwd: process.cwd(), stderrIsTTY: false })
    .then((code) => ({
      code,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    }))
}

async function markersOf(out: string): Promise<CaptureMarker[]> {
  const markers: CaptureMarker[] = []
  await readRecordings([out], { onFrame: () => undefined, onMarker: (m) => markers.push(m) })
  return markers
}

describe('tiltmeter record', () => {
  test('records a market by slug for --duration and its capture replays to the same books', async () => {
    const { ws, gamma, out, deps, urls } = await setup()
    const running = startRecord(
      [
        '--market',
        SLUG,
        '--out',
        out,
        '--duration',
        '0.5',
        '--emit',
        'final-book',
        '--log-level',
        'silent',
        ...urls,
      ],
      deps,
    )
    await waitFor('subscription', () => ws.subscriptions().length === 1)
    await waitFor('snapshots sent', () => ws.openClients === 1)
    ws.broadcast(
      priceChangeFrame(
        A,
        { side: 'BUY', price: '0.41', size: '2', bestBid: '0.41', bestAsk: '0.45' },
        ws.nextTs(),
      ),
    )
    ws.broadcast(
      priceChangeFrame(
        B,
        { side: 'SELL', price: '0.60', size: '0', bestBid: '0.55', bestAsk: '0.61' },
        ws.nextTs(),
      ),
    )
    ws.broadcast('PONG')
    const result = await running

    expect(result.code).toBe(0)
    expect(gamma.requestsTo('/markets')[0]?.query.get('slug')).toBe(SLUG)
    expect(ws.subscriptions()[0]).toEqual({
      assets_ids: [A, B],
      type: 'market',
      initial_dump: true,
      custom_feature_enabled: true,
    })
    expect(ndjson(result.stdout)).toEqual([
      {
        asset_id: A,
        bids: [
          ['0.41', '2'],
          ['0.4', '10'],
          ['0.39', '20'],
        ],
        asks: [['0.45', '5']],
      },
      { asset_id: B, bids: [['0.55', '5']], asks: [['0.61', '1']] },
    ])
    expect(result.stderr).toMatch(/record: stopped by --duration 0.5s/)
    expect(result.stderr).toMatch(/2 assets on 1 connection\(s\)/)
    expect(result.stderr).toMatch(/health at stop: 0 live, 0 stale, 0 resyncing, 2 disconnected/)

    const replay = await runCli(['replay', out, '--emit', 'final-book', '--quiet'])
    expect(replay.code).toBe(0)
    expect(replay.stdout).toBe(result.stdout)

    const kinds = (await markersOf(out)).map((m) => m.marker)
    expect(kinds[0]).toBe('connect')
    expect(kinds).toContain('subscribe')
    expect(kinds).toContain('disconnect')
    expect(kinds.filter((k) => k === 'note')).toHaveLength(6)
  })

  test('stops cleanly on SIGTERM; --market takes a condition id and --assets adds tokens', async () => {
    const { ws, gamma, out, deps, urls } = await setup()
    const signals = deps.signals as EventEmitter
    const running = startRecord(
      [
        '--market',
        CONDITION,
        '--assets',
        `${C},${A}`,
        '--data-silence',
        '0',
        '--out',
        out,
        '--log-level',
        'silent',
        ...urls,
      ],
      deps,
    )
    await waitFor('subscription', () => ws.subscriptions().length === 1)
    signals.emit('SIGTERM')
    const result = await running
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/stopped by SIGTERM/)
    expect(gamma.requestsTo('/markets')[0]?.query.get('condition_ids')).toBe(CONDITION)
    expect(ws.subscriptions()[0]?.assets_ids).toEqual([C, A, B])
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0)
    const markers = await markersOf(out)
    expect(markers.filter((m) => m.marker === 'disconnect')).toMatchObject([
      {
        marker: 'disconnect',
        conn: 'c1',
        detail: { reason: 'stopped' },
      },
    ])
  })

  test('--sport records the live and upcoming markets of that title', async () => {
    const upcoming: Json = {
      ...OPEN_MARKET,
      id: '1879000',
      conditionId: `0x${'ef'.repeat(32)}`,
      slug: 'cs2-faze-ill-2026-04-07',
      clobTokenIds: JSON.stringify([C, '4444']),
      gameStartTime: '2026-04-07 15:00:00+00',
    }
    const ended: Json = {
      ...OPEN_MARKET,
      id: '1879001',
      conditionId: `0x${'12'.repeat(32)}`,
      slug: 'cs2-old',
      clobTokenIds: JSON.stringify(['5555', '6666']),
    }
    const event = (markets: Json[], extra: Json): Json => ({
      ...REAL_EVENT,
      closed: false,
      markets,
      ...extra,
    })
    const { ws, out, deps, urls } = await setup({
      'GET /sports': { body: [{ id: 37, sport: 'cs2', series: '10310', tags: '1,64,100780' }] },
      'GET /events': {
        body: [
          event([OPEN_MARKET], { id: '1', slug: SLUG, live: true, ended: false }),
          event([upcoming], {
            id: '2',
            slug: 'cs2-faze-ill-2026-04-07',
            live: false,
            ended: false,
          }),
          event([ended], { id: '3', slug: 'cs2-old', live: false, ended: true }),
        ],
      },
    })
    const running = startRecord(
      ['--sport', 'CS2', '--out', out, '--log-level', 'silent', ...urls],
      deps,
    )
    await waitFor('subscription', () => ws.subscriptions().length === 1)
    ;(deps.signals as EventEmitter).emit('SIGINT')
    const result = await running
    expect(result.code).toBe(0)
    expect(ws.subscriptions()[0]?.assets_ids).toEqual([A, B, C, '4444'])
  })

  test('names what is wrong with the invocation', async () => {
    const { out, deps, urls } = await setup()
    const cases: [string[], RegExp][] = [
      [['--out', out], /say what to record/],
      [['--assets', A], /--out <dir> is required/],
      [['--assets', 'abc', '--out', out], /"abc" is not a CLOB token id/],
      [['--assets', A, '--out', out, '--duration', '0'], /--duration must be a positive number/],
      [['--assets', A, '--out', out, '--duration', '1e3'], /--duration must be a positive number/],
      [['--assets', A, '--out', out, '--emit', 'top'], /--emit must be final-book/],
      [['--assets', A, '--out', out, '--data-silence', 'x'], /--data-silence must be a number/],
      [['--assets', A, '--out', out, '--audit', 'soon'], /--audit must be a number of seconds/],
      [['--assets', A, '--out', out, '--sport', 'chess'], /--sport must be one of/],
      [['--assets', A, '--out', out, '--resync', 'pray'], /--resync must be one of/],
      [['--assets', A, '--out', out, '--log-level', 'loud'], /--log-level must be one of/],
    ]
    for (const [args, message] of cases) {
      await expect(startRecord([...args, ...urls], deps)).rejects.toThrow(message)
    }
  })

  test('an unknown market, an unreachable Gamma or an unwritable --out exit 1 with a reason', async () => {
    const { out, deps, urls } = await setup()
    const unknown = await startRecord(['--market', 'no-such-slug', '--out', out, ...urls], deps)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no open market with slug "no-such-slug"/)

    const refused = await refusedUrl()
    const down = await startRecord(
      ['--market', SLUG, '--out', out, ...urls, '--gamma-url', refused],
      deps,
    )
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/cannot reach Gamma at .*--assets/)

    const file = `${out}-file`
    writeFileSync(file, 'x')
    const blocked = await startRecord(['--assets', A, '--out', join(file, 'sub'), ...urls], deps)
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toMatch(/cannot create capture directory/)
  })
})
