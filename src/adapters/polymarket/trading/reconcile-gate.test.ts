import { describe, expect, it } from 'vitest'
import { ReconcileGate } from './reconcile-gate.js'

/** A pass the test finishes by hand; it "lifts" when current() holds at its end. */
function scripted() {
  const ends: (() => void)[] = []
  const lifted: boolean[] = []
  const gate = new ReconcileGate(async (current) => {
    await new Promise<void>((done) => ends.push(done))
    lifted.push(current())
    return current()
  })
  const finish = async () => {
    while (ends.length === 0) await Promise.resolve()
    ends.shift()?.()
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { gate, ends, lifted, finish }
}

describe('ReconcileGate', () => {
  it('a pass with nothing in between lifts', async () => {
    const { gate, lifted, finish } = scripted()
    const answer = gate.request()
    await finish()
    expect(await answer).toBe(true)
    expect(lifted).toEqual([true])
    expect(gate.running).toBe(false)
  })

  it('a drop during a pass stops it lifting; the reconnect request runs one more pass', async () => {
    const { gate, lifted, finish } = scripted()
    const first = gate.request()
    gate.invalidate() // the user channel dropped while the pass read the venue
    const second = gate.request() // it came back: reconcile again
    const third = gate.request() // asked again: still one more pass only
    await finish()
    expect(lifted).toEqual([false])
    expect(gate.running).toBe(true)
    await finish()
    expect(lifted).toEqual([false, true])
    expect(await first).toBe(true)
    expect(await second).toBe(true)
    expect(await third).toBe(true)
    expect(gate.running).toBe(false)
  })

  it('a lapse during a pass with no request after it leaves the halt and answers false', async () => {
    const { gate, lifted, finish } = scripted()
    const answer = gate.request()
    gate.invalidate()
    await finish()
    expect(await answer).toBe(false)
    expect(lifted).toEqual([false])
    // the next request (heartbeats healthy again) runs a fresh pass that may lift
    const next = gate.request()
    await finish()
    expect(await next).toBe(true)
  })

  it('a pass that throws ends the run and lets the next request start', async () => {
    let calls = 0
    const gate = new ReconcileGate(() => {
      calls++
      return calls === 1 ? Promise.reject(new Error('venue down')) : Promise.resolve(true)
    })
    await expect(gate.request()).rejects.toThrow('venue down')
    expect(gate.running).toBe(false)
    expect(await gate.request()).toBe(true)
  })
})
