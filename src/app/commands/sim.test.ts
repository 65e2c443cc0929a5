import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UsageError, type CliIO } from '../cli-io.js'
import { createSimCommand, simCommand, type SignalSource } from './sim.js'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-cmd-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function io(): { io: CliIO; out: () => string; err: () => string; stdout: PassThrough } {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')))
  return {
    io: { stdout, stderr, cwd: dir, stderrIsTTY: false },
    out: () => out,
    err: () => err,
    stdout,
  }
}

function firstLine(stream: PassThrough): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8')
      const nl = text.indexOf('\n')
      if (nl >= 0) {
        stream.off('data', onData)
        resolve(text.slice(0, nl))
      }
    }
    stream.on('data', onData)
  })
}

describe('tiltmeter sim', () => {
  it('prints its URLs as one JSON line, serves them, and stops cleanly on SIGINT', async () => {
    const signals = new EventEmitter()
    const command = createSimCommand({ signals: signals as unknown as SignalSource })
    const streams = io()
    const line = firstLine(streams.stdout)
    const done = command.run(
      ['--seed', '4', '--speed', '50', '--labels', 'labels.ndjson'],
      streams.io,
    )
    const urls = JSON.parse(await line) as { ws_url: string; rest_url: string; gamma_url: string }
    expect(Object.keys(urls)).toEqual(['ws_url', 'rest_url', 'gamma_url'])
    expect(urls.ws_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/market$/)
    const sports = await fetch(`${urls.gamma_url}/sports`)
    expect(sports.status).toBe(200)
    signals.emit('SIGINT')
    expect(await done).toBe(0)
    expect(streams.out().trim().split('\n')).toHaveLength(1)
    expect(streams.err()).toMatch(/stopped \(SIGINT\)/)
    expect(readFileSync(join(dir, 'labels.ndjson'), 'utf8')).toBeDefined()
    signals.emit('SIGTERM')
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0)
  })

  it('refuses bad options as usage errors', async () => {
    const { io: cli } = io()
    const bad = [
      ['--port', 'x'],
      ['--port', '70000'],
      ['--seed', '-1'],
      ['--speed', '0'],
      ['--speed', 'fast'],
      ['--scenario', ''],
      ['--scenario', 'cap', '--labels', 'l.ndjson'],
      ['--bogus'],
      ['--faults', ''],
      ['--faults', 'gap'],
      ['--faults', 'bogus=0.1'],
      ['--faults', 'gap=2'],
      ['--fault-log', 'faults.ndjson'],
      ['--faults', 'gap=0.1', '--fault-log', ''],
      ['--slow-ms', '10'],
      ['--silence-ms', '10'],
      ['--faults', 'slow=1', '--slow-ms', '-5'],
      ['--faults', 'silence=1', '--silence-ms', 'long'],
    ]
    for (const argv of bad) await expect(simCommand.run(argv, cli)).rejects.toThrow(UsageError)
  })

  it('names the known faults when --faults has an unknown one', async () => {
    const { io: cli } = io()
    await expect(simCommand.run(['--faults', 'gap=0.1,nope=1'], cli)).rejects.toThrow(
      /--faults: unknown fault "nope": known faults are disconnect, .*slow/,
    )
    await expect(simCommand.run(['--faults', 'gap=1.5'], cli)).rejects.toThrow(
      /--faults: rate of fault "gap" is "1.5": use a probability from 0 to 1/,
    )
  })

  it('injects the --faults spec and logs each fault to --fault-log', async () => {
    const signals = new EventEmitter()
    const command = createSimCommand({ signals: signals as unknown as SignalSource })
    const streams = io()
    const line = firstLine(streams.stdout)
    const done = command.run(
      ['--speed', '50', '--faults', 'http503=1', '--fault-log', 'faults.ndjson', '--slow-ms', '1'],
      streams.io,
    )
    const urls = JSON.parse(await line) as { rest_url: string; gamma_url: string }
    expect((await fetch(`${urls.gamma_url}/sports`)).status).toBe(503)
    signals.emit('SIGTERM')
    expect(await done).toBe(0)
    const logged = readFileSync(join(dir, 'faults.ndjson'), 'utf8').trim().split('\n')
    expect(logged.map((l) => JSON.parse(l) as { type: string; path: string })).toEqual([
      expect.objectContaining({ type: 'http503', conn: 0, path: '/gamma/sports' }),
    ])
  })

  it('reports an unreadable capture and a taken port with exit code 1', async () => {
    const a = io()
    expect(await simCommand.run(['--scenario', 'missing-dir'], a.io)).toBe(1)
    expect(a.err()).toMatch(/cannot open capture/)
    writeFileSync(join(dir, 'junk.ndjson'), 'not a capture\n')
    const b = io()
    expect(await simCommand.run(['--scenario', 'junk.ndjson'], b.io)).toBe(1)
    expect(b.err()).toMatch(/tiltmeter sim: /)
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    try {
      const port = (blocker.address() as AddressInfo).port
      const c = io()
      expect(await simCommand.run(['--port', String(port)], c.io)).toBe(1)
      expect(c.err()).toMatch(/port \d+ is taken/)
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()))
    }
  })
})
