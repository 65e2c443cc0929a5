/**
 * `tiltmeter markets` end to end against a local Gamma built from real market payloads.
 *
 * The real CS2 samples are of a match that had ended; the test re-opens them (closed, ended,
 * liquidity and start times set below, in plain sight) so the live/upcoming filter has
 * something to choose from. NOW is 50 minutes after the real game start.
 */
import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, test } from 'vitest'
import {
  LocalHttpVenue,
  refusedUrl,
  type RecordedRequest,
  type Route,
} from '../../../test/support/local-http-venue.js'
import type { SleepFunction } from '../../adapters/polymarket/rest/http.js'
import { UsageError } from '../cli-io.js'
import { createMarketsCommand, marketsCommand, type MarketsDeps } from './markets.js'

const FIXTURES = new URL('../../../test/fixtures/polymarket/gamma/', import.meta.url)
type Json = Record<string, unknown>

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Json
}

const MONEYLINE = fixture('market-cs2-moneyline-2026-04.json')
const HANDICAP = fixture('market-cs2-map-handicap-2026-04.json')
const REAL_EVENT = (MONEYLINE.events as Json[])[0] as Json

const NOW = Date.UTC(2026, 3, 5, 16, 0)
const FAZE = '89972346417086440659189114668296975440208562769200022591480064439842896371398'
const ILLWILL = '90510951248295963583566830308208121966213462932425555585207203442852394431867'

/** The real match, re-opened and in play. */
const LIVE_EVENT: Json = {
  ...REAL_EVENT,
  closed: false,
  ended: false,
  live: true,
  markets: [
    { ...MONEYLINE, closed: false, acceptingOrders: true, liquidityNum: 1500 },
    { ...HANDICAP, closed: false, acceptingOrders: true },
  ],
}

/** A rematch the next day, built from the same real market with its own ids. */
const UPCOMING_EVENT: Json = {
  ...REAL_EVENT,
  id: '346899',
  slug: 'cs2-faze-ill-2026-04-06',
  closed: false,
  ended: false,
  live: false,
  startTime: '2026-04-06T15:10:00Z',
  markets: [
    {
      ...MONEYLINE,
      id: '1878999',
      conditionId: `0x${'ab'.repeat(32)}`,
      slug: 'cs2-faze-ill-2026-04-06',
      clobTokenIds: '["1111111111111111111111", "2222222222222222222222"]',
      gameStartTime: '2026-04-06 15:10:00+00',
      closed: false,
      acceptingOrders: true,
      liquidityNum: 9000,
    },
  ],
}

const SPORTS_ROWS = [
  { id: 1, sport: 'val', series: '10369', tags: '1,64,101672' },
  { id: 37, sport: 'cs2', series: '10310', tags: '1,100639,64,100780' },
  { id: 3, sport: 'lol', series: '10311', tags: '1,64,65' },
  { id: 4, sport: 'dota2', series: '10309', tags: '1,64,102366' },
]

function eventsBySeries(bySeries: Record<string, Json[]>): Route {
  return (request: RecordedRequest) => ({
    body: bySeries[request.query.get('series_id') ?? ''] ?? [],
  })
}

const noSleep: SleepFunction = () => Promise.resolve()
const deps: MarketsDeps = { env: {}, now: () => NOW, http: { sleep: noSleep, random: () => 0 } }

let venue: LocalHttpVenue | undefined

afterEach(async () => {
  await venue?.close()
  venue = undefined
})

async function startGamma(routes: Record<string, Route> = {}): Promise<LocalHttpVenue> {
  venue = await LocalHttpVenue.start({
    'GET /sports': { body: SPORTS_ROWS },
    'GET /events': eventsBySeries({ '10310': [LIVE_EVENT, UPCOMING_EVENT] }),
    ...routes,
  })
  return venue
}

async function runMarkets(
  args: readonly string[],
  options: MarketsDeps = deps,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (chunk: Buffer) => out.push(chunk))
  stderr.on('data', (chunk: Buffer) => err.push(chunk))
  const code = await createMarketsCommand(options).run(args, {
    stdout,
    stderr,
    cwd: process.cwd(),
    stderrIsTTY: false,
  })
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '')
}

describe('tiltmeter markets', () => {
  test('prints a table sorted by liquidity with short token ids', async () => {
    const gamma = await startGamma()
    const result = await runMarkets(['--gamma-url', gamma.url])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const rows = lines(result.stdout)
    expect(rows).toHaveLength(4)
    expect(rows[0]).toMatch(
      /^SPORT +OUTCOMES +TYPE +STATUS +START \(UTC\) +LIQUIDITY +VOL 24H +SPREAD +TOKENS +QUESTION$/,
    )
    expect(rows[1]).toMatch(
      /^cs2 +FaZe vs illwill +match +upcoming +2026-04-06 15:10 +\$9,000 +\$25,072 +0\.001 +11111111…1111 22222222…2222 +Counter-Strike: FaZe vs illwill/,
    )
    expect(rows[2]).toMatch(
      /^cs2 +FaZe vs illwill +match +live +2026-04-05 15:10 +\$1,500 +\$25,072 +0\.001 +89972346…1398 90510951…1867 +Counter-Strike/,
    )
    expect(rows[3]).toMatch(
      /^cs2 +FaZe vs illwill +other:map_handicap -1\.5 +live +2026-04-05 15:10 +\$0 +\$17 +0\.001 +47614327…1648 43341502…8477 +Map Handicap: FaZe \(-1\.5\) vs illwill \(\+1\.5\)$/,
    )
    expect(result.stdout).not.toContain(FAZE)
  })

  test('--json prints one full object per market', async () => {
    const gamma = await startGamma()
    const result = await runMarkets(['--json', '--gamma-url', gamma.url])
    expect(result.code).toBe(0)
    const records = lines(result.stdout).map((line) => JSON.parse(line) as Json)
    expect(records.map((r) => r.status)).toEqual(['upcoming', 'live', 'live'])
    expect(records[1]).toEqual({
      condition_id: '0x202abb9a80673068ec5ce9294d60e31eeaf3ab5c82fb21fb0c9142e5d0cab385',
      question_id: '0xb084f5a549f99a11356d895a6e4c910f1dd67a3fbd0f0e5ef8f25d5a09000f54',
      gamma_id: '1878152',
      slug: 'cs2-faze-ill-2026-04-05',
      question: 'Counter-Strike: FaZe vs illwill (BO3) - HLC Belgrade Pro Playoffs',
      event_slug: 'cs2-faze-ill-2026-04-05',
      event_title: 'Counter-Strike: FaZe vs illwill (BO3) - HLC Belgrade Pro Playoffs',
      sport: 'cs2',
      market_type: 'match',
      sports_market_type: 'moneyline',
      line: null,
      status: 'live',
      outcomes: [
        { name: 'FaZe', token_id: FAZE, price: '1' },
        { name: 'illwill', token_id: ILLWILL, price: '0' },
      ],
      tick_size: '0.001',
      min_order_size: '5',
      neg_risk: false,
      game_start_time: '2026-04-05T15:10:00.000Z',
      start_date: '2026-04-05T14:02:57.374Z',
      end_date: '2026-04-05T21:10:00.000Z',
      active: true,
      closed: false,
      accepting_orders: true,
      liquidity_usd: 1500,
      volume_24h_usd: 25072.14,
      best_bid: '0.999',
      best_ask: '1',
      spread: '0.001',
      last_trade_price: '0.999',
      seconds_delay: 3,
      clear_book_on_start: true,
      fees_enabled: true,
      fee_schedule: { rate: 0.03, exponent: 1, taker_only: true, rebate_rate: 0.25 },
      game_id: '1427074',
    })
  })

  test('--status live and --status upcoming', async () => {
    const gamma = await startGamma()
    const live = await runMarkets(['--json', '--status', 'live', '--gamma-url', gamma.url])
    expect(lines(live.stdout).map((l) => (JSON.parse(l) as Json).slug)).toEqual([
      'cs2-faze-ill-2026-04-05',
      'cs2-faze-ill-2026-04-05-map-handicap-away-1pt5',
    ])
    const upcoming = await runMarkets(['--json', '--status', 'upcoming', '--gamma-url', gamma.url])
    expect(lines(upcoming.stdout).map((l) => (JSON.parse(l) as Json).slug)).toEqual([
      'cs2-faze-ill-2026-04-06',
    ])
  })

  test('asks every title by default, one with --sport, verifying series via /sports', async () => {
    const gamma = await startGamma()
    await runMarkets(['--gamma-url', gamma.url])
    const seriesAsked = () => gamma.requestsTo('/events').map((r) => r.query.get('series_id') ?? '')
    expect(gamma.requestsTo('/sports')).toHaveLength(1)
    expect(seriesAsked().sort()).toEqual(['10309', '10310', '10311', '10369'])
    expect(gamma.requestsTo('/events')[0]?.query.get('closed')).toBe('false')
    gamma.requests.length = 0
    await runMarkets(['--sport', 'cs2', '--gamma-url', gamma.url])
    expect(seriesAsked()).toEqual(['10310'])
  })

  test('uses the series /sports lists, and says so', async () => {
    const rows = SPORTS_ROWS.map((row) => (row.sport === 'cs2' ? { ...row, series: '20310' } : row))
    const gamma = await startGamma({
      'GET /sports': { body: rows },
      'GET /events': eventsBySeries({ '20310': [LIVE_EVENT] }),
    })
    const result = await runMarkets(['--sport', 'cs2', '--gamma-url', gamma.url])
    expect(result.stderr).toBe(
      'note: Gamma /sports lists series 20310 for CS2 (default 10310); using 20310\n',
    )
    expect(lines(result.stdout)).toHaveLength(3)
  })

  test('--limit keeps the most liquid and says how many there were', async () => {
    const gamma = await startGamma()
    const result = await runMarkets(['--limit', '1', '--gamma-url', gamma.url])
    expect(lines(result.stdout)).toHaveLength(2)
    expect(result.stdout).toContain('$9,000')
    expect(result.stderr).toBe('showing 1 of 3 markets (raise --limit for more)\n')
  })

  test('takes the Gamma URL from TILTMETER_GAMMA_URL', async () => {
    const gamma = await startGamma()
    const result = await runMarkets(['--sport', 'cs2'], {
      ...deps,
      env: { TILTMETER_GAMMA_URL: gamma.url },
    })
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toHaveLength(4)
  })

  test('skips a malformed market with a warning and lists the rest', async () => {
    const broken = { ...HANDICAP, closed: false, clobTokenIds: '[47614327674948554' }
    const gamma = await startGamma({
      'GET /events': eventsBySeries({
        '10310': [{ ...LIVE_EVENT, markets: [(LIVE_EVENT.markets as Json[])[0], broken] }],
      }),
    })
    const result = await runMarkets(['--sport', 'cs2', '--gamma-url', gamma.url])
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toHaveLength(2)
    expect(lines(result.stderr)).toEqual([
      'warning: skipped 1 market that Gamma sent in an unexpected shape:',
      `  cs2-faze-ill-2026-04-05-map-handicap-away-1pt5: GET ${gamma.url}/events?series_id=10310&active=true&closed=false&order=liquidity&ascending=false&limit=100&offset=0 returned an unexpected body: [0].markets[1].clobTokenIds: "[47614327674948554" is not a JSON array of strings`,
    ])
  })

  test('nothing to show: an empty stdout and a line on stderr', async () => {
    const gamma = await startGamma()
    const result = await runMarkets([
      '--sport',
      'valorant',
      '--status',
      'live',
      '--gamma-url',
      gamma.url,
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('no live markets for valorant\n')
  })

  test('an unreachable venue: one line naming the URL and the ways out, exit 1', async () => {
    const url = await refusedUrl()
    const result = await runMarkets(['--gamma-url', url])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      `tiltmeter markets: cannot reach Gamma at ${url} (GET ${url}/sports failed: connection refused (ECONNREFUSED) (gave up after 5 attempts)). ` +
        'Check the address or pass --gamma-url (or set TILTMETER_GAMMA_URL); to work offline, ' +
        'start the simulator with `tiltmeter sim` and point --gamma-url at it.\n',
    )
  })

  test('a venue that keeps failing: its error, exit 1', async () => {
    const gamma = await startGamma({ 'GET /events': { status: 503, body: { error: 'busy' } } })
    const result = await runMarkets(['--sport', 'lol', '--gamma-url', gamma.url])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `tiltmeter markets: GET ${gamma.url}/events?series_id=10311&active=true&closed=false&order=liquidity&ascending=false&limit=100&offset=0 failed: HTTP 503 {"error":"busy"} (gave up after 5 attempts)\n`,
    )
  })

  test('bad options are usage errors', async () => {
    await expect(runMarkets(['--status', 'soon'])).rejects.toThrow(
      new UsageError('--status must be one of live, upcoming, all; got "soon"'),
    )
    await expect(runMarkets(['--sport', 'chess'])).rejects.toThrow(
      /^--sport must be one of valorant, cs2, lol, dota2; got "chess"$/,
    )
    await expect(runMarkets(['--limit', '0'])).rejects.toThrow(
      /^--limit must be a positive whole number; got "0"$/,
    )
    await expect(runMarkets(['--gamma-url', 'gamma'])).rejects.toThrow(
      /^--gamma-url "gamma" is not a URL/,
    )
    await expect(runMarkets(['extra'])).rejects.toThrow(UsageError)
  })

  test('the exported command is wired to the real world', () => {
    expect(marketsCommand.name).toBe('markets')
    expect(marketsCommand.usage).toContain('--gamma-url')
    expect(marketsCommand.usage).toContain('tiltmeter sim')
  })
})
