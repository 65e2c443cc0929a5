import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { UsageError, type CliIO } from '../cli-io.js'
import { backtestCommand } from './backtest.js'

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/backtest/', import.meta.url))
const CAPTURE = join(FIXTURES, 'panic-small.ndjson')
const EVENTS = join(FIXTURES, 'events.csv')

type Run = { code: number; stdout: string; stderr: string }

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiltmeter-backtest-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function backtest(args: string[]): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const io: CliIO = {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as CliIO['stdout'],
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as CliIO['stderr'],
    cwd: dir,
    stderrIsTTY: false,
  }
  const code = await backtestCommand.run(args, io)
  return { code, stdout, stderr }
}

const db = () => ['--database-url', `sqlite:${join(dir, 'runs.sqlite')}`]

describe('tiltmeter backtest', () => {
  test('panic_fade on the fixture: one trade at the target, JSON report with the latency table', async () => {
    const run = await backtest([CAPTURE, '--strategy', 'panic_fade', '--json', '--no-store'])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as Record<string, unknown>
    expect(report).toMatchObject({
      strategy: 'panic_fade',
      total_signals: 1,
      trades: 1,
      win_rate: 1,
      total_profit: 0.1,
    })
    expect(report.trade_list).toMatchObject([
      { token_id: '1111', entry_price: 0.48, exit_price: 0.49, exit_reason: 'target', size: 10 },
    ])
    expect(JSON.stringify(report)).toContain('latency')
    expect(run.stderr).toContain('defaulted: in-play delay 3 s')
    expect(run.stderr).toMatch(/171 frames, 171 events, 1 signals, 1 entries, 1 trades/)
  })

  test('same inputs and seed give byte-identical JSON', async () => {
    const args = [CAPTURE, '--strategy', 'panic_fade', '--json', '--no-store', '--seed', '7']
    const [a, b] = [await backtest(args), await backtest(args)]
    expect(a.stdout.length).toBeGreaterThan(1000)
    expect(a.stdout).toBe(b.stdout)
  })

  test('the latency table shows every latency', async () => {
    const run = await backtest([CAPTURE, '--strategy', 'panic_fade', '--json', '--no-store'])
    const report = JSON.parse(run.stdout) as { latency_sensitivity: unknown }
    expect(report.latency_sensitivity).toMatchObject([
      { latency_ms: 0, trades: 1 },
      { latency_ms: 250, trades: 1 },
      { latency_ms: 1000, trades: 1 },
      { latency_ms: 3000, trades: 1 },
    ])
  })

  test('--events sets the substrategy; --html writes the page; text by default', async () => {
    const html = join(dir, 'report.html')
    const run = await backtest([
      CAPTURE,
      '--strategy',
      'panic_fade',
      '--events',
      EVENTS,
      '--html',
      html,
      '--no-store',
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/round_loss\s+1/)
    expect(await readFile(html, 'utf8')).toMatch(/<svg/)
  })

  test('--sweep adds one row per value', async () => {
    const run = await backtest([
      CAPTURE,
      '--strategy',
      'panic_fade',
      '--sweep',
      'threshold=0.5,0.9',
      '--json',
      '--no-store',
    ])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as { sweep: { sample: string; trades: number }[] }
    expect(report.sweep.map((r) => [r.sample, r.trades])).toEqual([
      ['in', 1],
      ['in', 1],
    ])
  })

  test('--kelly: no edge when the target is inside the spread; sized from the score when it is not', async () => {
    const base = [CAPTURE, '--strategy', 'panic_fade', '--kelly', '0.5', '--json', '--no-store']
    const none = await backtest(base)
    expect(JSON.parse(none.stdout)).toMatchObject({ trades: 0 })
    expect(none.stderr).toContain('no_edge=1')
    // retrace 1: target mid 0.50 above the 0.48 ask; score 1 → Kelly 1, half of it risks $500
    // at the stop: more than the 1,900 shares offered up to the 0.50 worst price, so 1,900 fill.
    const sized = await backtest([...base, '--param', 'retrace=1'])
    expect(JSON.parse(sized.stdout)).toMatchObject({ trades: 1, trade_list: [{ size: 1900 }] })
  })

  test('stores the run; --list lists it; --show recomputes it from the stored trades', async () => {
    const first = await backtest([CAPTURE, '--strategy', 'panic_fade', '--json', ...db()])
    expect(first.code).toBe(0)
    const id = Number(/stored as run (\d+)/.exec(first.stderr)?.[1])
    expect(id).toBeGreaterThan(0)
    const list = await backtest(['--list', ...db()])
    expect(list.stdout).toMatch(
      new RegExp(`^${id}\\s.*\\s1\\s+0\\.10\\s+panic_fade threshold=0.7`, 'm'),
    )
    const shown = await backtest(['--show', String(id), '--json', ...db()])
    expect(shown.code).toBe(0)
    const a = JSON.parse(first.stdout) as Record<string, unknown>
    const b = JSON.parse(shown.stdout) as Record<string, unknown>
    for (const key of ['trades', 'total_profit', 'win_rate', 'sharpe_per_trade', 'trade_list'])
      expect(b[key]).toEqual(a[key])
    const missing = await backtest(['--show', '999', ...db()])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no stored run 999')
  })

  test('an empty store lists nothing', async () => {
    const run = await backtest(['--list', '--database-url', ':memory:'])
    expect(run.stdout).toBe('no stored backtest runs\n')
  })

  test('a recording that does not exist is a clear error, exit 1', async () => {
    const run = await backtest([join(dir, 'nope.ndjson'), '--strategy', 'panic_fade', '--no-store'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot read ".*nope\.ndjson"/)
  })

  test('--walk-forward picks on the earlier match and reports the later one out of sample', async () => {
    // A second match: the fixture a day later under another market id.
    const later = join(dir, 'later.ndjson')
    const text = await readFile(CAPTURE, 'utf8')
    await writeFile(
      later,
      text
        .replaceAll('ab'.repeat(32), 'cd'.repeat(32))
        .replaceAll('"1111"', '"3333"')
        .replaceAll('"2222"', '"4444"')
        .replace(
          /"timestamp":"(\d+)"/g,
          (_m, ts: string) => `"timestamp":"${Number(ts) + 86_400_000}"`,
        ),
    )
    const run = await backtest([
      CAPTURE,
      later,
      '--strategy',
      'panic_fade',
      '--sweep',
      'threshold=0.5,0.9',
      '--walk-forward',
      '--json',
      '--no-store',
    ])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as {
      trades: number
      sweep: { params: unknown; sample: string; trades: number }[]
    }
    expect(report.trades).toBe(2)
    expect(report.sweep.map((r) => [r.params, r.sample, r.trades])).toEqual([
      [{ threshold: 0.5 }, 'in', 1],
      [{ threshold: 0.5 }, 'out', 1],
      [{ threshold: 0.9 }, 'in', 1],
      [{ threshold: 0.9 }, 'out', 1],
    ])
    expect(run.stderr).toContain(
      'walk-forward: 1 earlier match(es) in-sample, 1 later out-of-sample; best in-sample: threshold=0.5',
    )
  })

  test('--walk-forward on one match says it needs two', async () => {
    await expect(
      backtest([
        CAPTURE,
        '--strategy',
        'panic_fade',
        '--sweep',
        'threshold=0.5,0.9',
        '--walk-forward',
        '--no-store',
      ]),
    ).rejects.toThrow(/--walk-forward needs at least 2 matches to split; the recordings hold 1/)
  })

  test('a malformed events file names the file and the problem', async () => {
    const bad = join(dir, 'bad-events.csv')
    await writeFile(bad, 'ts_ms,type\nsoon,goal\n')
    await expect(
      backtest([CAPTURE, '--strategy', 'panic_fade', '--events', bad, '--no-store']),
    ).rejects.toThrow(/--events ".*bad-events\.csv": /)
    await expect(
      backtest([
        CAPTURE,
        '--strategy',
        'panic_fade',
        '--events',
        join(dir, 'none.csv'),
        '--no-store',
      ]),
    ).rejects.toThrow(/cannot read --events/)
  })

  test.each([
    [[CAPTURE], /name a strategy with --strategy \(panic_fade, fomo_fade, vacuum\)/],
    [[CAPTURE, '--strategy', 'martingale'], /unknown strategy "martingale"; known: panic_fade/],
    [['--strategy', 'panic_fade'], /name at least one recording/],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--threshold', '2'],
      /threshold must be a number in \[0, 1\]/,
    ],
    [[CAPTURE, '--strategy', 'panic_fade', '--param', 'stopp=1'], /no parameter "stopp"/],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--param', 'stop'],
      /--param takes key=value; got "stop"/,
    ],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--size', '5', '--kelly', '0.5'],
      /either --size or --kelly/,
    ],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--kelly', '2'],
      /--kelly must be a fraction in \(0, 1\]; got "2"/,
    ],
    [[CAPTURE, '--strategy', 'panic_fade', '--size=-1'], /--size must be shares > 0/],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--latency-ms', '1.5'],
      /--latency-ms must be whole milliseconds/,
    ],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--bankroll', 'lots'],
      /--bankroll must be USDC > 0; got "lots"/,
    ],
    [[CAPTURE, '--strategy', 'panic_fade', '--seed=-3'], /--seed must be a whole number >= 0/],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--fee-bps', '1.5'],
      /--fee-bps must be a whole number of basis points/,
    ],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--seconds-delay', 'x'],
      /--seconds-delay must be seconds/,
    ],
    [[CAPTURE, '--strategy', 'panic_fade', '--min-size', '0'], /--min-size must be shares > 0/],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--event-window-s', '0'],
      /--event-window-s must be seconds > 0/,
    ],
    [[CAPTURE, '--strategy', 'panic_fade', '--walk-forward'], /--walk-forward needs a --sweep/],
    [
      [CAPTURE, '--strategy', 'panic_fade', '--sweep', 'threshold=0.5,x'],
      /--sweep: panic_fade parameter threshold must be a number/,
    ],
    [[CAPTURE, '--strategy', 'panic_fade', '--sweep', 'threshold'], /--sweep takes key=value/],
    [[CAPTURE, '--strategy', 'panic_fade', '--complement', '=b'], /--complement takes key=value/],
    [[CAPTURE, '--list'], /--list takes no recordings/],
    [[CAPTURE, '--show', '1'], /--show takes no recordings/],
    [['--show', 'abc'], /--show must be a run id; got "abc"/],
    [[CAPTURE, '--strategy', 'panic_fade', '--bogus'], /Unknown option '--bogus'/],
  ])('usage error: %j', async (args, message) => {
    const error = await backtest(args).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toMatch(message)
  })

  test('--help text names every strategy and the latency table', () => {
    expect(backtestCommand.usage).toMatch(/panic_fade .*fomo_fade .*vacuum/s)
    expect(backtestCommand.usage).toContain('0/250/1000/3000 ms')
  })
})

describe('backtest --coarse', () => {
  const quotes = fileURLToPath(
    new URL('../../../test/fixtures/real/pmus-esports-quotes-2026-07', import.meta.url),
  )

  test('routes to the coarse runner, whose JSON lists what it cannot model first', async () => {
    const { run } = await import('../../../test/support/run-cli.js').then((m) => ({
      run: m.runCli,
    }))
    const result = await run(['backtest', '--coarse', quotes, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout) as { caveats: string[]; strategy: string }
    expect(json.caveats.length).toBeGreaterThan(0)
    for (const caveat of json.caveats) expect(caveat).toMatch(/^CANNOT MODEL: /)
  })

  test('the help text documents the coarse mode', () => {
    expect(backtestCommand.usage).toContain('--coarse <dir>')
  })
})
