/**
 * Faults on the order path (`POST /order`, `POST /orders`), in the style of ../faults.ts: a
 * spec `name=rate,...` drawn once per order from a stream seeded by the simulator's seed, at
 * most one fault per order, tried in the order of {@link ORDER_FAULTS}. Tests can also force the
 * next order's fault with {@link OrderFaultInjector.forceNext}.
 *
 * - `order_reject`: refused with HTTP 400 `not enough balance / allowance` (the rejection a
 *   client sees most, e.g. right after a buy, before the balance cache is refreshed).
 * - `order_timeout`: no answer; the connection is dropped. Whether the order was placed is
 *   drawn too (`placed` in the log): the outcome is unknown to the client until it looks.
 * - `order_425`: HTTP 425, the matching engine is restarting; nothing placed.
 * - `order_503`: HTTP 503 post-only mode with `Retry-After`; only post-only orders pass.
 * - `partial_fill`: the order reaches only half of the scenario's liquidity at each level, as if
 *   someone else took the rest first (FAK fills part, FOK is killed, GTC rests the remainder).
 * - `trade_failed`: the order matches, but its settlement fails: the trade goes MATCHED →
 *   RETRYING → FAILED and the balances it moved are put back.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { Rng } from '../rng.js'

export const ORDER_FAULTS = [
  'order_reject',
  'order_timeout',
  'order_425',
  'order_503',
  'partial_fill',
  'trade_failed',
] as const
export type OrderFaultName = (typeof ORDER_FAULTS)[number]
export type OrderFaultSpec = Readonly<Partial<Record<OrderFaultName, number>>>

export class OrderFaultSpecError extends Error {
  readonly code = 'ORDER_FAULT_SPEC_INVALID'
}

/** Parses `name=rate,name=rate`; throws {@link OrderFaultSpecError} naming the bad part. */
export function parseOrderFaultSpec(text: string): OrderFaultSpec {
  if (text.trim() === '') {
    throw new OrderFaultSpecError(
      'order fault spec is empty: use name=rate pairs, e.g. order_timeout=0.05,partial_fill=0.2',
    )
  }
  const spec: Partial<Record<OrderFaultName, number>> = {}
  for (const part of text.split(',')) {
    const item = part.trim()
    const eq = item.indexOf('=')
    if (eq < 0) {
      throw new OrderFaultSpecError(`order fault "${item}" has no rate: write it as name=rate`)
    }
    const name = item.slice(0, eq).trim()
    const rateText = item.slice(eq + 1).trim()
    if (!(ORDER_FAULTS as readonly string[]).includes(name)) {
      throw new OrderFaultSpecError(
        `unknown order fault "${name}": known order faults are ${ORDER_FAULTS.join(', ')}`,
      )
    }
    const rate = Number(rateText)
    if (rateText === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new OrderFaultSpecError(
        `rate of order fault "${name}" is "${rateText}": use a probability from 0 to 1`,
      )
    }
    if (name in spec) throw new OrderFaultSpecError(`order fault "${name}" is given twice`)
    spec[name as OrderFaultName] = rate
  }
  return spec
}

/** What happens to one order. `placed` only matters for a timeout. */
export type OrderFault = { readonly name: OrderFaultName; readonly placed: boolean }

export type OrderFaultOptions = {
  readonly spec?: OrderFaultSpec
  readonly seed: number
  readonly logPath?: string
  readonly now?: () => number
}

export class OrderFaultInjector {
  private readonly _spec: OrderFaultSpec
  private readonly _rng: Rng
  private readonly _forced: OrderFault[] = []
  private readonly _logPath: string | undefined
  private readonly _now: () => number
  private readonly _stats: Record<OrderFaultName, number>

  constructor(options: OrderFaultOptions) {
    this._spec = options.spec ?? {}
    this._rng = new Rng((options.seed ^ 0x0bde4fa1) >>> 0)
    this._logPath = options.logPath
    this._now = options.now ?? Date.now
    this._stats = Object.fromEntries(ORDER_FAULTS.map((n) => [n, 0])) as Record<
      OrderFaultName,
      number
    >
    if (this._logPath !== undefined) writeFileSync(this._logPath, '')
  }

  /** Makes the next order take `name` (`placed` decides a timeout's hidden outcome). */
  forceNext(name: OrderFaultName, placed = false): void {
    this._forced.push({ name, placed })
  }

  stats(): Record<OrderFaultName, number> {
    return { ...this._stats }
  }

  /** The fault for the next order, or null. */
  draw(): OrderFault | null {
    const forced = this._forced.shift()
    if (forced !== undefined) return this._record(forced)
    for (const name of ORDER_FAULTS) {
      const rate = this._spec[name]
      if (rate === undefined || rate === 0) continue
      if (!this._rng.chance(rate)) continue
      return this._record({ name, placed: name === 'order_timeout' && this._rng.chance(0.5) })
    }
    return null
  }

  private _record(fault: OrderFault): OrderFault {
    this._stats[fault.name]++
    if (this._logPath !== undefined) {
      const line = { ts: this._now(), type: fault.name, placed: fault.placed }
      appendFileSync(this._logPath, `${JSON.stringify(line)}\n`)
    }
    return fault
  }
}
